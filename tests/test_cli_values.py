"""Values given on the command line or in the environment are taken as written or refused:
a review date only as YYYY-MM-DD, an account id only whole, `--output -` as standard output,
and an option mistaken for --output's file as a usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.source.review_date import parse_review_date

from .conftest import AS_OF, RULES, healthy_account, write_account

# Python 3.11's date.fromisoformat reads all of these; a review date is written one way.
OTHER_FORMS = ["20260930", "2026-W40-3", "2026W403", "2026-273", "2026-09-30\n", " 2026-09-30",
               "2026-09-30 ", "\uff12\uff10\uff12\uff16-09-30", "2026-9-30", "2026-09-30T00:00"]


@pytest.mark.parametrize("text", OTHER_FORMS)
def test_a_review_date_is_only_yyyy_mm_dd(text: str) -> None:
    with pytest.raises(ValueError, match="expected a date YYYY-MM-DD, got "):
        parse_review_date(text)


def test_a_review_date_written_so_is_read() -> None:
    assert parse_review_date("2026-09-30") == AS_OF
    with pytest.raises(ValueError, match="'2026-02-30' is not a real date: February 2026 has "
                                         "no day 30"):
        parse_review_date("2026-02-30")
    with pytest.raises(ValueError, match="'2026-13-01' is not a real date: there is no month 13"):
        parse_review_date("2026-13-01")


@pytest.mark.parametrize("option", ["--as-of", "--base-as-of"])
@pytest.mark.parametrize("text", ["20260930", "2026-W40-3"])
def test_the_command_line_refuses_other_date_forms(option: str, text: str) -> None:
    command = ["diff", "HEAD"] if option == "--base-as-of" else ["check"]
    run = CliRunner().invoke(main, [*command, option, text])
    assert run.exit_code == 2
    assert f"Invalid value for '{option}': expected a date YYYY-MM-DD, got '{text}'" in run.output


@pytest.mark.parametrize("text", ["20260930", "2026-W40-3"])
def test_the_site_refuses_other_date_forms(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    from mkdocs.exceptions import PluginError

    from kam_review.website.plugin import KamReviewPlugin

    plugin = KamReviewPlugin()
    plugin.load_config({"as_of": text})
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    with pytest.raises(PluginError, match="expected a date YYYY-MM-DD"):
        plugin._review_date()
    monkeypatch.setenv("KAM_AS_OF", text)
    plugin.load_config({"as_of": "2026-09-30"})
    with pytest.raises(PluginError, match="expected a date YYYY-MM-DD"):
        plugin._review_date()


# -- kam new ---------------------------------------------------------------------------------

@pytest.mark.parametrize("account_id", ["acme\n", "acme\r", "acme\n\n", "\nacme", "acme-\n",
                                        "acme\x1b[31m", "ACME", "acme--x"])
def test_new_refuses_an_id_that_is_not_whole(tmp_path: Path, account_id: str) -> None:
    run = CliRunner().invoke(main, ["new", account_id, "--accounts", str(tmp_path)])
    assert run.exit_code == 2
    assert "is not a valid id" in run.output and run.output.count("\n") == 1
    assert "\x1b" not in run.output
    assert list(tmp_path.iterdir()) == []


def test_new_prints_the_path_it_wrote_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "acc\x1b[2Jounts\n"
    run = CliRunner().invoke(main, ["new", "acme", "--accounts", str(folder)])
    assert run.exit_code == 0, run.output
    assert (folder / "acme.yaml").is_file()
    assert run.output == f"wrote {tmp_path}/acc\\x1b[2Jounts\\n/acme.yaml\n"


# -- --output --------------------------------------------------------------------------------

def _accounts(tmp_path: Path) -> Path:
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, healthy_account())
    return folder


def test_output_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = _accounts(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(main, ["check", "--accounts", str(accounts), "--rules", str(RULES),
                                    "--as-of", str(AS_OF), "--format", "json", "--output", "-"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["as_of"] == str(AS_OF)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts"]


@pytest.mark.parametrize("command", [["check"], ["diff", "HEAD"]])
@pytest.mark.parametrize("value", ["--as-of", "-x", "--"])
def test_an_option_given_as_the_output_file_is_a_usage_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str],
        value: str) -> None:
    accounts = _accounts(tmp_path)
    monkeypatch.chdir(tmp_path)
    args = [*command, "--accounts", str(accounts), "--output", value]
    if value != "--":
        args += ["2026-09-30"] if value == "--as-of" else []
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 2
    assert f"Invalid value for '--output': '{value}' looks like an option" in run.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts"]


def test_a_file_named_with_a_dash_is_written_through_a_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = _accounts(tmp_path)
    monkeypatch.chdir(tmp_path)
    run = CliRunner().invoke(main, ["check", "--accounts", str(accounts), "--rules", str(RULES),
                                    "--as-of", str(AS_OF), "--output", "./-report.txt"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "-report.txt").read_text(encoding="utf-8").startswith("kam-review")
