"""The rule loader finds its files as the account loader does (account_paths): a symbolic link in
`rules/` that leads out of it is an error naming the link and is never opened, so nothing in
the file it points at reaches any output; nothing that looks like a rule file is skipped in
silence. A thresholds file named with --thresholds is the user's own choice and is read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kam_review.cli import main

from .conftest import AS_OF, RULES, healthy_account, write_account

SECRET = "SECRET_KEY_MARKER: 1\ndatabase_password_marker: hunter2\n"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository-like working folder with accounts/ and a copy of the rules, and a secret
    file outside it."""
    folder = tmp_path / "work"
    (folder / "accounts").mkdir(parents=True)
    write_account(folder / "accounts", healthy_account())
    shutil.copytree(RULES, folder / "rules")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def check(*extra: str) -> Result:
    return CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--rules", "rules",
                                     "--no-cache", *extra])


def _no_secret(run: Result) -> None:
    for marker in ("SECRET_KEY_MARKER", "database_password_marker", "hunter2"):
        assert marker not in run.output
        assert marker not in run.stderr


@pytest.mark.parametrize("name", ["zz-leak.yaml", "thresholds.yaml", "funnel.yaml",
                                  "risks.yaml", "notes.txt"])
def test_a_link_leading_out_of_the_rules_folder_is_refused_unread(work: Path,
                                                                    name: str) -> None:
    link = work / "rules" / name
    link.unlink(missing_ok=True)
    link.symlink_to(work.parent / "secret.txt")
    run = check()
    assert run.exit_code == 2, run.output
    assert f"rules/{name}:1:1: it is a symbolic link to {work.parent / 'secret.txt'}, outside " \
           "the rules folder: it is not read" in run.stderr
    _no_secret(run)


def test_the_rules_folder_as_a_link_leading_out_is_refused(work: Path, tmp_path: Path) -> None:
    shutil.move(work / "rules", tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "zz-leak.yaml").write_text(SECRET, encoding="utf-8")
    (work / "rules").symlink_to(tmp_path / "elsewhere")
    run = check()
    assert run.exit_code == 2
    assert "the rules folder is a symbolic link to" in run.stderr
    assert "nothing in it is read" in run.stderr
    _no_secret(run)


def test_a_link_that_stays_in_the_rules_folder_is_read(work: Path) -> None:
    rules = work / "rules"
    (rules / "plans.yaml").rename(rules / "plans.yaml.orig")
    (rules / "plans.yaml").symlink_to("plans.yaml.orig")
    run = check()
    assert run.exit_code == 0, run.output


@pytest.mark.parametrize(("entry", "message"), [
    ("extra.yml", "rules/extra.yml:1:1: rule files end in .yaml: rename it to extra.yaml"),
    ("Extra.YAML", "rename it to Extra.yaml"),
    ("team", "rules/team:1:1: it is a folder: rule files sit directly in the rules folder, so "
             "nothing in it is read"),
])
def test_what_looks_like_a_rule_file_but_is_not_read_is_an_error(work: Path, entry: str,
                                                                 message: str) -> None:
    path = work / "rules" / entry
    if entry == "team":
        path.mkdir()
        (path / "more.yaml").write_text("kind: risk\n", encoding="utf-8")
    else:
        path.write_text("kind: risk\n", encoding="utf-8")
    run = check()
    assert run.exit_code == 2
    assert message in run.stderr


def test_a_thresholds_file_named_on_the_command_line_may_be_a_link(work: Path) -> None:
    """The user's own choice, not something a contributor slipped into rules/."""
    (work.parent / "team.yaml").write_text("thresholds:\n  complacency_days: 20\n",
                                           encoding="utf-8")
    (work / "team-thresholds.yaml").symlink_to(work.parent / "team.yaml")
    run = check("--thresholds", "team-thresholds.yaml")
    assert run.exit_code == 0, run.output
