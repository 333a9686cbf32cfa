"""Hostile input that a corpus file cannot hold: review dates at the calendar's edge, git
revisions that do not exist or that a shallow clone lacks, thresholds of the wrong type, and
files of so many errors that they would bury everything else. Each is exit 2 with a message
that names the problem, never a traceback, and the rest is still reviewed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kam_review.errors import MAX_ERRORS_PER_FILE, InputError, capped, error_count
from kam_review.output.comment_size import COMMENT_LIMIT, fit_comment
from kam_review.source.yamlsource import MAX_DEPTH, parse_yaml

from .conftest import AS_OF, RULES, healthy_account, write_account
from .git_support import git, new_repository


def kam(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kam_review", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, healthy_account())
    return folder


# --- Review dates ----------------------------------------------------------------------------

OUT_OF_RANGE = ["0001-01-01", "1899-12-31", "9001-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", OUT_OF_RANGE)
@pytest.mark.parametrize("command", ["check", "explain", "build", "diff"])
def test_review_dates_outside_the_range_are_usage_errors(
        accounts: Path, tmp_path: Path, day: str, command: str) -> None:
    args = {"check": ["check"], "explain": ["explain", "test-account"],
            "build": ["build", str(tmp_path / "out")], "diff": ["diff", "HEAD"]}[command]
    run = kam(*args, "--accounts", str(accounts), "--as-of", day)
    assert run.returncode == 2, run.stderr
    assert (f"Invalid value for '--as-of': {day} is not a review date kam-review accepts: use a "
            "date from 1900-01-01 to 9000-12-31") in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_base_review_date_outside_the_range(accounts: Path, day: str) -> None:
    run = kam("diff", "HEAD", "--accounts", str(accounts), "--base-as-of", day)
    assert run.returncode == 2
    assert f"Invalid value for '--base-as-of': {day} is not a review date" in run.stderr


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_site_refuses_review_dates_outside_the_range(monkeypatch: pytest.MonkeyPatch,
                                                         day: str) -> None:
    from mkdocs.exceptions import PluginError

    from kam_review.website.plugin import KamReviewPlugin

    monkeypatch.setenv("KAM_AS_OF", day)
    plugin = KamReviewPlugin()
    plugin.load_config({})
    with pytest.raises(PluginError, match=f"the review date: {day} is not a review date"):
        plugin._review_date()


def _edge_account(account_id: str, day: str) -> dict[str, Any]:
    """The healthy account with every date it holds set to `day`."""
    account = healthy_account() | {"id": account_id, "customer_since": day}
    for contact in account["contacts"]:
        contact["last_contact"] = day
    account["contacts"][2]["left_on"] = day
    account["activities"].append({"date": day, "kind": "call", "with": ["Zhang Min"]})
    account["complaints"].append({"date": day, "topic": "quality", "resolved_on": day})
    account["plan"]["goals"][0]["due"] = day
    account["opportunities"][0] |= {"stage_since": day, "expected_close": day}
    account["waivers"] = [{"rule": "risk.no-executive-access", "reason": "signed off by the board",
                           "until": day, "by": "Zhou Lan"}]
    account["financials"] += [{"quarter": "1900-Q1", "revenue": 5},
                              {"quarter": "2199-Q4", "revenue": 5}]
    return account


@pytest.mark.parametrize("as_of", ["1900-01-01", "2026-09-30", "9000-12-31"])
def test_account_dates_at_the_calendars_edge_are_reviewed(tmp_path: Path, as_of: str) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, _edge_account("first-day", "0001-01-01"))
    write_account(folder, _edge_account("last-day", "9999-12-31"))
    for output in ("text", "json", "markdown", "sarif", "junit"):
        run = kam("check", "--accounts", str(folder), "--as-of", as_of, "--format", output)
        assert run.returncode == 0, (output, run.stderr)
    data = json.loads(kam("check", "--accounts", str(folder), "--as-of", as_of, "--format",
                          "json").stdout)
    assert [a["id"] for a in data["accounts"]] == ["first-day", "last-day"]
    for account_id in ("first-day", "last-day"):
        assert kam("explain", account_id, "--accounts", str(folder), "--as-of",
                   as_of).returncode == 0
    built = kam("build", str(tmp_path / f"out-{as_of}"), "--accounts", str(folder), "--as-of",
                as_of)
    assert built.returncode == 0, built.stderr


def test_the_range_ends_are_accepted(accounts: Path) -> None:
    for day in ("1900-01-01", "9000-12-31"):
        assert kam("check", "--accounts", str(accounts), "--as-of", day).returncode == 0


# --- Git revisions ---------------------------------------------------------------------------

@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository of three commits of one account."""
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    account = healthy_account()
    for revenue in (1_000_000, 1_100_000, 1_200_000):
        account["financials"][-1]["revenue"] = revenue
        write_account(repo / "accounts", account)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"revenue {revenue}")
    return repo


def diff(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return kam("diff", "--rules", str(RULES), "--as-of", str(AS_OF), *args, cwd=repo)


@pytest.mark.parametrize(("revision", "message"), [
    ("nosuchrev", "unknown git revision 'nosuchrev': no commit, branch or tag of that name; a "
     "branch of a remote is named like origin/main (`git fetch` first)"),
    ("HEAD~5", "unknown git revision 'HEAD~5'"),
    ("--output=x", "'--output=x' is not a git revision (it starts with '-')"),
])
def test_unknown_revisions(history: Path, revision: str, message: str) -> None:
    run = diff(history, "--", revision) if revision.startswith("-") else diff(history, revision)
    assert run.returncode == 2, run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (history / "x").exists()


def test_a_revision_a_shallow_clone_lacks_says_how_to_fetch_it(history: Path,
                                                              tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history}", str(clone))
    run = diff(clone, "HEAD~2")
    assert run.returncode == 2
    assert ("unknown git revision 'HEAD~2': no commit, branch or tag of that name in this "
            "shallow clone, which holds only the latest commits. Fetch the history with "
            "`git fetch --unshallow` (in GitHub Actions: `fetch-depth: 0` on "
            "actions/checkout)") in run.stderr
    git(clone, "fetch", "-q", "--unshallow")
    assert diff(clone, "HEAD~2").returncode == 0


def test_a_head_revision_is_checked_too(history: Path) -> None:
    run = diff(history, "HEAD~1", "nosuchrev")
    assert run.returncode == 2
    assert "unknown git revision 'nosuchrev'" in run.stderr


def test_accounts_outside_git(accounts: Path) -> None:
    run = kam("diff", "HEAD", "--accounts", str(accounts), "--rules", str(RULES),
              cwd=accounts.parent)
    assert run.returncode == 2
    assert "is not in a git repository: kam diff reads the revisions it compares from git" \
        in run.stderr


# --- Thresholds of the wrong type ------------------------------------------------------------

def _rules_with(tmp_path: Path, change: str, value: Any) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "thresholds.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["thresholds"][change] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return rules


def _spec(value: Any) -> dict[str, Any]:
    return {"value": value, "unit": "days", "doc": "How long is too long."}


@pytest.mark.parametrize(("value", "message"), [
    (_spec("ninety"), "thresholds.complacency_days.value: expected a number, got 'ninety'"),
    ([90], "thresholds.complacency_days: expected a mapping of fields, got [90]"),
    (_spec(True), "thresholds.complacency_days.value: expected a number, got true"),
    (_spec("1e2"), "thresholds.complacency_days.value: 1e2 is read as text by YAML; write 100"),
    ({"value": 90, "unit": "weeks", "doc": "x"},
     "thresholds.complacency_days.unit: expected one of ratio, days"),
])
def test_a_bad_threshold_is_one_error(accounts: Path, tmp_path: Path, value: Any,
                                      message: str) -> None:
    rules = _rules_with(tmp_path, "complacency_days", value)
    run = kam("check", "--accounts", str(accounts), "--rules", str(rules), "--as-of", str(AS_OF))
    assert run.returncode == 2
    first, last = run.stderr.splitlines()
    assert first.startswith("Error: ") and message in first
    assert last == "Aborted with 1 rule file error."


def test_unreadable_thresholds_file_is_one_error(accounts: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "thresholds.yaml").write_text("thresholds: [\n", encoding="utf-8")
    run = kam("check", "--accounts", str(accounts), "--rules", str(rules))
    assert run.returncode == 2
    assert "thresholds.yaml:2:1: malformed YAML" in run.stderr
    assert "unknown threshold" not in run.stderr
    assert "Aborted with 1 rule file error." in run.stderr


@pytest.mark.parametrize(("overrides", "message"), [
    ("thresholds:\n  complacency_days: ninety\n  contact_neglected_days: 30\n",
     "thresholds.complacency_days: expected a number, got 'ninety'"),
    ("thresholds:\n  complacency_days: [90]\n", "expected a number, got [90]"),
    ("thresholds:\n  complacency_days: 0120\n",
     "thresholds.complacency_days: YAML 1.1 reads 0120 as the octal number 80; write the "
     "decimal number 120"),
])
def test_a_bad_override_is_one_error(accounts: Path, tmp_path: Path, overrides: str,
                                     message: str) -> None:
    path = tmp_path / "team-thresholds.yaml"
    path.write_text(overrides, encoding="utf-8")
    run = kam("check", "--accounts", str(accounts), "--thresholds", str(path), "--as-of",
              str(AS_OF))
    assert run.returncode == 2
    assert message in run.stderr
    assert "Aborted with 1 rule file error." in run.stderr


def test_an_override_of_a_broken_threshold_adds_no_error(accounts: Path, tmp_path: Path) -> None:
    rules = _rules_with(tmp_path, "complacency_days", _spec("ninety"))
    path = tmp_path / "team-thresholds.yaml"
    path.write_text("thresholds:\n  complacency_days: 60\n", encoding="utf-8")
    run = kam("check", "--accounts", str(accounts), "--rules", str(rules), "--thresholds",
              str(path))
    assert "Aborted with 1 rule file error." in run.stderr


# --- Errors capped per file, summaries that fit a comment ------------------------------------

def _noisy(folder: Path, name: str, unknown_fields: int) -> None:
    account = healthy_account() | {"id": name}
    for i in range(unknown_fields):
        account[f"extra_field_{i:04}"] = i
    write_account(folder, account)


@pytest.mark.parametrize("output", ["text", "json", "markdown", "sarif", "junit"])
def test_errors_are_capped_per_file_in_every_format(accounts: Path, output: str) -> None:
    _noisy(accounts, "noisy", 100)
    _noisy(accounts, "bit-noisy", MAX_ERRORS_PER_FILE)
    run = kam("check", "--accounts", str(accounts), "--as-of", str(AS_OF), "--format", output)
    assert run.returncode == 2
    shown = run.stdout + run.stderr
    assert shown.count("unknown field") == 2 * MAX_ERRORS_PER_FILE
    assert shown.count("... and 80 more errors in this file") == 1
    assert "more errors in this file" not in shown.replace("... and 80 more errors", "")
    reviewed = "### kam-review: 1 account" if output == "markdown" else "test-account"
    assert reviewed in run.stdout
    if output == "junit":
        assert 'message="100 errors"' in run.stdout and 'message="20 errors"' in run.stdout


def test_the_cap_note_follows_the_last_error_shown(accounts: Path) -> None:
    _noisy(accounts, "noisy", 25)
    data = json.loads(kam("check", "--accounts", str(accounts), "--as-of", str(AS_OF),
                          "--format", "json").stdout)
    errors = data["errors"]
    assert len(errors) == MAX_ERRORS_PER_FILE + 1
    note = errors[-1]
    assert note["message"] == "... and 5 more errors in this file"
    assert note["file"].endswith("noisy.yaml") and note["field"] == ""
    lines = (accounts / "noisy.yaml").read_text(encoding="utf-8").splitlines()
    assert note["line"] == lines.index("extra_field_0020: 20") + 1  # the first left out


def test_capped_keeps_other_files_and_order() -> None:
    def error(file: str, line: int) -> InputError:
        return InputError(file, line, 1, "", "x")

    errors = [error("a", i) for i in range(1, 23)] + [error("b", 1)] + [error("c", 5)]
    result = capped(errors)
    assert [e.file for e in result] == ["a"] * 21 + ["b", "c"]
    assert result[20] == InputError("a", 21, 1, "", "... and 2 more errors in this file", 2)
    assert error_count(result) == len(errors)
    assert capped(errors[:20]) == errors[:20]  # exactly the cap: no note


def test_markdown_summary_fits_a_comment_whatever_the_input(tmp_path: Path) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    for i in range(60):
        _noisy(folder, f"noisy-{i:03}", 30)
    for i in range(150):  # each with a high finding and several warnings
        account = healthy_account() | {"id": f"risky-{i:03}", "name": "Risky " + "x" * 150}
        account["contacts"][0]["left_on"] = "2026-09-01"
        account["contacts"][1]["left_on"] = "2026-09-01"
        write_account(folder, account)
    run = kam("check", "--accounts", str(folder), "--as-of", str(AS_OF), "--format", "markdown")
    assert run.returncode == 2
    text = run.stdout
    assert len(text) <= COMMENT_LIMIT
    assert "150 accounts: 450 high" in text and "; 1800 input errors" in text
    assert "*The summary is cut here:" in text and "The text or JSON output has everything.*" \
        in text
    assert text.count("<details>") == text.count("</details>")


def test_fit_comment_boundaries() -> None:
    lines = ["# head", "<details><summary>x</summary>", "", *(["| a |"] * 50), "</details>"]
    whole = "\n".join(lines)
    assert fit_comment(lines, len(whole)) == whole  # exactly at the limit: untouched
    cut = fit_comment(lines, len(whole) - 1)
    assert len(cut) <= len(whole) - 1
    assert cut.startswith("# head\n<details>")
    assert cut.count("<details>") == cut.count("</details>") == 1
    assert cut.endswith("of its 54 lines are left out to stay within the size of a "
                        "pull-request comment. The text or JSON output has everything.*\n")
    assert fit_comment(["x" * 100_000, "short"], 1000).startswith("\n*The summary is cut")


# --- Nesting ---------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, 500, 999])
def test_nesting_is_refused_at_the_limit(depth: int) -> None:
    document = parse_yaml("[" * depth + "]" * depth, "deep.yaml")
    messages = [e.message for e in document.errors]
    if depth <= MAX_DEPTH:
        assert messages == []
    else:
        (message,) = messages
        assert message.startswith(f"nested deeper than {MAX_DEPTH} levels")
        (error,) = document.errors
        assert (error.line, error.column) == (1, MAX_DEPTH + 1)


def test_the_pure_python_composer_is_refused_deep_input_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import kam_review.source.yamlsource as source

    monkeypatch.setattr(source, "_COMPOSER", yaml.SafeLoader)
    document = parse_yaml("a: " + "[" * 2000 + "]" * 2000, "deep.yaml")
    assert document.errors and "nested deeper than" in document.errors[0].message


# --- One error per value ---------------------------------------------------------------------

def _errors_of(text: str) -> list[str]:
    from kam_review.source.accounts import load_account

    account = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
    _, errors = load_account(Path("acme.yaml"), (text + account).encode("utf-8"))
    return [f"{e.field}: {e.message}" for e in errors]


@pytest.mark.parametrize(("written", "expected"), [
    ("id: |\n  acme\n", "id: 'acme\\n' ends with a line break, which a block scalar (|) keeps: "
     "write id on one line, or use |- to drop the final newline"),
    ("id: 0123\n", 'id: YAML 1.1 reads 0123 as the octal number 83; write id: "0123" in quotes'),
    ("id: 0x1F\n", 'id: YAML 1.1 reads 0x1F as the hexadecimal number 31; write id: "0x1F" in '
     "quotes"),
    ("currency: |\n  CNY\n", "currency: 'CNY\\n' ends with a line break"),
    ("customer_since: >\n  2020-01-01\n", "customer_since: '2020-01-01\\n' ends with a line"),
    ("relationship_stage: |\n  mid\n", "relationship_stage: 'mid\\n' ends with a line break"),
])
def test_one_error_for_a_value_yaml_read_otherwise(written: str, expected: str) -> None:
    key = written.split(":")[0]
    errors = [e for e in _errors_of(written) if not e.startswith(f"{key}: duplicate key")]
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_a_yaml_11_number_out_of_range_is_one_error() -> None:
    text = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
    text = text.replace("probability: 0.3", "probability: 0x1F")
    from kam_review.source.accounts import load_account

    _, errors = load_account(Path("acme.yaml"), text.encode("utf-8"))
    assert [f"{e.field}: {e.message}" for e in errors] == [
        "opportunities[0].probability: YAML 1.1 reads 0x1F as the hexadecimal number 31; write "
        "the decimal number 31"]


def test_long_keys_are_shortened_in_messages() -> None:
    (error,) = _errors_of("k" * 1000 + ": 1\n")  # YAML allows 1,024 characters
    assert error == f"{'k' * 57}...: unknown field '{'k' * 57}...'; allowed: activities, " \
        "complaints, contacts, currency, customer_since, external_ids, financials, id, industry, " \
        "market, name, opportunities, owner, owner_history, plan, relationship_stage, scores, " \
        "team, waivers, whitespace"
