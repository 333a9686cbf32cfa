"""The exit codes CI relies on, from the installed `kam` console script: 0 valid, 1 findings at
or above --fail-on, 2 invalid input or usage, 3 an internal error (one line on stderr, the
traceback in a log file). Also the JSON header that says which rules a result came from, and
the README's CI job, run against each exit code."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import kam_review
import kam_review.resources
from kam_review.cli import main

from .conftest import AS_OF, REPO, RULES, healthy_account, write_account
from .git_support import git, new_repository

KAM = Path(sys.executable).with_name("kam")
pytestmark = pytest.mark.skipif(not KAM.exists(), reason="the kam console script is not installed")


def kam(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KAM), *args], cwd=cwd, capture_output=True, text=True,
                          check=False)


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    """One account with a medium finding (no executive or director) and nothing higher."""
    folder = tmp_path / "accounts"
    folder.mkdir()
    account = healthy_account()
    account["contacts"][0]["level"], account["contacts"][2]["level"] = "staff", "manager"
    write_account(folder, account)
    return folder


def check(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return kam("check", "--accounts", str(folder), "--as-of", str(AS_OF), *args)


def test_zero_when_valid_and_nothing_at_fail_on(portfolio: Path) -> None:
    assert check(portfolio).returncode == 0
    assert check(portfolio, "--fail-on", "high").returncode == 0


def test_one_for_findings_at_fail_on(portfolio: Path) -> None:
    run = check(portfolio, "--fail-on", "medium")
    assert run.returncode == 1, run.stderr
    assert run.stderr == ""


@pytest.mark.parametrize(("args", "message"), [
    (("check", "--no-such-option"), "No such option '--no-such-option'"),
    (("check", "--as-of", "2026-02-30"), "'2026-02-30' is not a real date"),
    (("check", "--format", "yaml"), "Invalid value for '--format'"),
    (("check", "--rules", "no-such-folder"), "no such rules folder"),
    (("explain", "no-such-account"), "no valid account 'no-such-account'"),
    (("frobnicate",), "No such command 'frobnicate'"),
])
def test_two_for_usage_errors(portfolio: Path, args: tuple[str, ...], message: str) -> None:
    run = kam(*args, "--accounts", str(portfolio)) if args[0] != "frobnicate" else kam(*args)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert message in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("command", ["check", "build"])
def test_two_for_a_folder_without_account_files(tmp_path: Path, command: str) -> None:
    """A review of nothing is no green gate: a mistyped or empty --accounts is an error that
    names the folder. A README in it is no account file either."""
    empty = tmp_path / "accounts"
    empty.mkdir()
    (empty / "README.md").write_text("Our key accounts.\n", encoding="utf-8")
    args = (str(tmp_path / "site"),) if command == "build" else ()
    run = kam(command, *args, "--accounts", str(empty), "--as-of", str(AS_OF))
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert f"{empty}:1:1: no account files in this folder: an account file is NAME.yaml, " \
           "and `kam new NAME` writes one" in run.stderr
    assert not (tmp_path / "site").exists()
    write_account(empty, healthy_account())
    assert kam(command, *args, "--accounts", str(empty), "--as-of", str(AS_OF)
               ).returncode == 0


def test_an_account_file_given_as_the_folder_says_how_to_name_it(portfolio: Path) -> None:
    (named,) = portfolio.glob("*.yaml")
    run = check(named)
    assert run.returncode == 2
    assert f"{named}:1:1: this is a file, not a folder of account files: name the folder (a " \
           "file to check alone goes after the options: kam check accounts/NAME.yaml)" \
           in run.stderr
    assert check(portfolio.parent / "no-such").returncode == 2


def test_two_for_invalid_input_even_with_findings(portfolio: Path) -> None:
    (portfolio / "broken.yaml").write_text("id: broken\nname: [\n", encoding="utf-8")
    run = check(portfolio, "--fail-on", "medium")
    assert run.returncode == 2
    assert "broken.yaml:3:1: malformed YAML" in run.stderr
    assert "test-account: Test Account Ltd" in run.stdout  # still reviewed


_CRASH = """
import sys
import kam_review.review.evaluate

def boom(*args, **kwargs):
    raise RuntimeError("engine on fire\\nsecond \\x1b[31mline")

kam_review.review.evaluate.evaluate = boom
from kam_review.cli import main
sys.argv = ["kam", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("output", ["text", "json", "markdown", "sarif", "junit"])
def test_three_for_an_internal_error_with_the_traceback_in_a_log(
        portfolio: Path, tmp_path: Path, output: str) -> None:
    env = os.environ | {"TMPDIR": str(tmp_path)}  # where mkstemp puts the log
    run = subprocess.run([sys.executable, "-c", _CRASH, "check", "--accounts", str(portfolio),
                          "--as-of", str(AS_OF), "--format", output],
                         capture_output=True, text=True, check=False, env=env)
    assert run.returncode == 3, run.stderr
    (line,) = run.stderr.splitlines()
    found = re.fullmatch(r"kam: internal error: RuntimeError: engine on fire second "
                         r"\\x1b\[31mline; "
                         r"the traceback is in (.+kam-crash-.+\.log)", line)
    assert found, line
    log = Path(found.group(1))
    assert log.parent == tmp_path
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text
    assert "in boom\nRuntimeError: engine on fire\nsecond \\x1b[31mline" in text
    assert f"kam-review {kam_review.__version__}" in text


def test_a_closed_pipe_is_not_an_internal_error(portfolio: Path) -> None:
    run = subprocess.run(f"'{KAM}' check --accounts '{portfolio}' --format json | head -c 1",
                         shell=True, capture_output=True, text=True, check=False)
    assert "internal error" not in run.stderr


def _into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """`kam ARGS` writing into a pipe whose reader has already gone: every write fails."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run([str(KAM), *args], stdout=writer, stderr=subprocess.PIPE,
                              text=True, check=False)
    finally:
        os.close(writer)


@pytest.mark.parametrize("args", [("check", "--fail-on", "medium"), ("check", "--format", "json"),
                                  ("explain", "test-account"), ("--help",)])
def test_a_closed_pipe_exits_141_quietly(portfolio: Path, args: tuple[str, ...]) -> None:
    """128 + SIGPIPE, as a shell reports it: never 0 or 1, which CI reads as a finished
    review (here 1 would also be the findings --fail-on medium asks about)."""
    extra = ("--accounts", str(portfolio), "--as-of", str(AS_OF)) if args[0] != "--help" else ()
    run = _into_closed_pipe(*args, *extra)
    assert (run.returncode, run.stderr) == (141, "")


def test_a_pipe_closed_midway_exits_141(tmp_path: Path) -> None:
    """The README's case: `kam check | head -1`, with more output than a pipe holds."""
    folder = tmp_path / "accounts"
    folder.mkdir()
    for number in range(150):
        write_account(folder, healthy_account() | {"id": f"account-{number:03}"})
    run = subprocess.run(["bash", "-c", f"set -o pipefail; '{KAM}' check --accounts "
                          f"'{folder}' --as-of {AS_OF} --format json | head -1"],
                         capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout, run.stderr) == (141, "{\n", "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [("check",), ("check", "--format", "json"),
                                  ("explain", "test-account")])
def test_a_full_disk_is_one_line_and_two(portfolio: Path, tmp_path: Path,
                                         args: tuple[str, ...]) -> None:
    """An ordinary write error is no crash: one line naming it, exit 2, no crash log."""
    logs = tmp_path / "tmp"
    logs.mkdir()
    with open("/dev/full", "w", encoding="utf-8") as full:
        run = subprocess.run([str(KAM), *args, "--accounts", str(portfolio), "--as-of",
                              str(AS_OF)], stdout=full, stderr=subprocess.PIPE, text=True,
                             check=False, env=os.environ | {"TMPDIR": str(logs)})
    assert run.returncode == 2
    assert run.stderr == "Error: cannot write the output: No space left on device\n"
    assert list(logs.iterdir()) == []


def test_explain_reports_the_input_errors_of_other_files(portfolio: Path) -> None:
    """The account asked about is still explained; a broken file beside it is an error."""
    (portfolio / "broken.yaml").write_text("id: broken\nname: [\n", encoding="utf-8")
    run = kam("explain", "test-account", "--accounts", str(portfolio), "--as-of", str(AS_OF))
    assert run.returncode == 2
    assert run.stdout.startswith("test-account: Test Account Ltd, as of 2026-09-30\n")
    assert run.stderr.startswith("error: ") and "broken.yaml:3:1: malformed YAML" in run.stderr
    (portfolio / "broken.yaml").unlink()
    assert kam("explain", "test-account", "--accounts", str(portfolio), "--as-of",
               str(AS_OF)).returncode == 0


_REVIEWING = ("0  every input is valid", "1  a finding at or above --fail-on",
              "2  invalid input or usage", "3  internal error")


@pytest.mark.parametrize(("command", "lines", "not_there"), [
    ((), _REVIEWING, ()), (("check",), _REVIEWING, ()), (("explain",), _REVIEWING, ()),
    # A command that gates nothing or only writes lists its own: no --fail-on there.
    (("diff",), ("0  compared", "2  invalid input or usage", "3  internal error"),
     ("--fail-on",)),
    (("new",), ("0  written", "2  invalid input or usage", "3  internal error"),
     ("--fail-on",)),
])
def test_help_lists_the_exit_codes(command: tuple[str, ...], lines: tuple[str, ...],
                                   not_there: tuple[str, ...]) -> None:
    text = kam(*command, "--help").stdout
    for line in lines:
        assert line in text, text
    for line in not_there:
        assert line not in text.split("Exit codes:", 1)[1], text


# --- The README's CI job, against each exit code --------------------------------------------

def _ci_steps() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    job = next(block for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
               if "jobs:" in block)
    steps = yaml.safe_load(job)["jobs"]["review"]["steps"]
    return [step["run"] for step in steps if "kam " in step.get("run", "")]


def test_readme_masks_no_crash() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "|| test $? -eq 1" not in readme
    assert len(_ci_steps()) == 3


@pytest.mark.parametrize("code", [0, 1, 2, 3])
def test_readme_ci_steps_fail_on_invalid_input_and_crashes(tmp_path: Path, code: int) -> None:
    """Each step as GitHub Actions runs it (bash -eo pipefail), with a `kam` that exits
    `code`: the SARIF step passes on findings, every step fails on 2 and 3."""
    fake = tmp_path / "bin" / "kam"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho partial\nexit {code}\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = os.environ | {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"}
    sarif, comment, gate = _ci_steps()
    outcomes = [subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step],
                               cwd=tmp_path, env=env, capture_output=True,
                               check=False).returncode == 0
                for step in (sarif, comment, gate)]
    assert outcomes == [code <= 1, code == 0, code == 0]


# --- JSON header: schema version, tool version, review date, rules commit -------------------

@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team repository with its own committed rules and one account."""
    repo = new_repository(tmp_path / "team")
    shutil.copytree(RULES, repo / "rules")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", healthy_account())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "rules and accounts")
    return repo


def _header(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert run.returncode == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    return {key: data[key] for key in ("schema_version", "tool_version", "as_of", "rules")}


def test_check_json_names_the_rules_commit(team: Path) -> None:
    commit = git(team, "log", "-1", "--format=%H", "--", "rules")
    first = kam("check", "--as-of", str(AS_OF), "--format", "json", cwd=team)
    assert _header(first) == {"schema_version": 1, "tool_version": kam_review.__version__,
                              "as_of": "2026-09-30",
                              "rules": {"source": "folder", "commit": commit, "dirty": False,
                                        "note": None, "thresholds": None}}
    assert list(json.loads(first.stdout))[:5] == ["schema_version", "tool_version", "as_of",
                                                  "rules", "accounts"]
    again = kam("check", "--as-of", str(AS_OF), "--format", "json", cwd=team)
    assert again.stdout == first.stdout


def _rules_header(team: Path, *args: str) -> dict[str, Any]:
    source: dict[str, Any] = _header(kam("check", "--as-of", str(AS_OF), "--format", "json",
                                         *args, cwd=team))["rules"]
    return source


def test_uncommitted_rules_are_marked_dirty(team: Path) -> None:
    commit = git(team, "log", "-1", "--format=%H", "--", "rules")
    rules = team / "rules" / "risks.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a local change\n",
                     encoding="utf-8")
    assert _rules_header(team) == {
        "source": "folder", "commit": commit, "dirty": True, "thresholds": None,
        "note": "the rules are read from files not as committed: risks.yaml (changed since "
                "the commit)"}
    git(team, "checkout", "--", "rules")
    fresh = team / "fresh-rules"
    shutil.copytree(RULES, fresh)  # in the repository, never committed
    assert _rules_header(team, "--rules", "fresh-rules") == {
        "source": "folder", "commit": None, "dirty": True,
        "note": "the rules folder is not committed", "thresholds": None}


_EXTRA_RULE = """kind: risk
rules:
  - id: risk.zz-extra
    title: An extra rule
    severity: info
    source: ["001"]
    on: account
    when: plan_growth_target < industry_growth
    message: an extra rule
    rationale: Not committed.
    action: None.
"""


@pytest.mark.parametrize("hidden_by", ["info/exclude", "gitignore", "nothing"])
def test_a_rule_file_git_does_not_track_is_dirty(team: Path, hidden_by: str) -> None:
    """The loader reads rules/zz-extra.yaml whatever git thinks of it: one that git ignores
    (.git/info/exclude, .gitignore) or does not track makes the rules dirty."""
    commit = git(team, "log", "-1", "--format=%H", "--", "rules")
    if hidden_by == "info/exclude":
        with (team / ".git" / "info" / "exclude").open("a", encoding="utf-8") as exclude:
            exclude.write("rules/zz-extra.yaml\n")
    elif hidden_by == "gitignore":
        (team / "rules" / ".gitignore").write_text("zz-*\n", encoding="utf-8")
        git(team, "add", "rules/.gitignore")
        git(team, "commit", "-qm", "ignore extras")
        commit = git(team, "log", "-1", "--format=%H", "--", "rules")
    (team / "rules" / "zz-extra.yaml").write_text(_EXTRA_RULE, encoding="utf-8")
    assert git(team, "status", "--porcelain") == ("?? rules/zz-extra.yaml"
                                                  if hidden_by == "nothing" else "")
    why = "not committed" if hidden_by == "nothing" else "ignored by git"
    assert _rules_header(team) == {
        "source": "folder", "commit": commit, "dirty": True, "thresholds": None,
        "note": f"the rules are read from files not as committed: zz-extra.yaml ({why})"}


def test_a_change_git_is_told_to_overlook_is_dirty(team: Path) -> None:
    git(team, "update-index", "--assume-unchanged", "rules/risks.yaml")
    rules = team / "rules" / "risks.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# unseen\n", encoding="utf-8")
    assert git(team, "status", "--porcelain") == ""
    source = _rules_header(team)
    assert source["dirty"] is True
    assert "risks.yaml (marked unchanged in git's index" in source["note"]


def test_a_committed_rule_file_that_is_gone_is_dirty(team: Path) -> None:
    (team / "rules" / "advice.yaml").unlink()
    source = _rules_header(team)
    assert source["dirty"] is True
    assert source["note"].endswith("advice.yaml (committed, but not read)")


def test_a_thresholds_override_is_named_with_its_hash(team: Path) -> None:
    text = b"thresholds:\n  complacency_days: 20\n"
    (team / "team-thresholds.yaml").write_bytes(text)
    source = _rules_header(team, "--thresholds", "team-thresholds.yaml")
    assert source["thresholds"] == {"file": "team-thresholds.yaml",
                                    "sha256": hashlib.sha256(text).hexdigest()}
    assert source["dirty"] is False  # the override is named, not part of the rules folder


def test_bundled_rules_are_named_with_the_tool_version(
        team: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A team repository without rules/ and with kam-review installed in a .venv inside it
    (ignored by git): the rules are the installed package's, not an uncommitted folder."""
    shutil.rmtree(team / "rules")
    git(team, "commit", "-qam", "no rules of our own")
    package = team / ".venv" / "lib" / "kam_review"
    shutil.copytree(RULES, package / "rules")
    (team / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    monkeypatch.setattr(kam_review.resources, "_PACKAGE", package)
    monkeypatch.chdir(team)
    run = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["rules"] == {
        "source": "bundled", "tool_version": kam_review.__version__, "commit": None,
        "dirty": False, "note": None, "thresholds": None}


def test_rules_outside_git_have_no_commit(tmp_path: Path, portfolio: Path) -> None:
    rules = tmp_path / "loose-rules"
    shutil.copytree(RULES, rules)
    run = kam("check", "--accounts", str(portfolio), "--rules", str(rules), "--as-of",
              str(AS_OF), "--format", "json", cwd=tmp_path)
    assert _header(run)["rules"] == {
        "source": "folder", "commit": None, "dirty": None, "thresholds": None,
        "note": "the rules folder is not in a git repository (or git is not installed)"}


def test_diff_json_has_the_header_and_both_sides_errors(team: Path) -> None:
    (team / "accounts" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    git(team, "add", "-A")
    git(team, "commit", "-qm", "a broken account")
    git(team, "tag", "base")
    (team / "accounts" / "broken.yaml").unlink()
    (team / "accounts" / "also-broken.yaml").write_text("id: [\n", encoding="utf-8")
    run = kam("diff", "base", "--as-of", str(AS_OF), "--format", "json", cwd=team)
    assert run.returncode == 2
    data = json.loads(run.stdout)
    assert data["schema_version"] == 1 and data["tool_version"] == kam_review.__version__
    assert data["as_of"] == data["head_as_of"] == "2026-09-30"
    assert data["rules"]["commit"] == git(team, "log", "-1", "--format=%H", "--", "rules")
    assert {e["file"] for e in data["base_errors"]} == {"base:accounts/broken.yaml"}
    assert {e["file"] for e in data["errors"]} == {"accounts/also-broken.yaml"}
    assert "error: base:accounts/broken.yaml:1:1: (top level): missing required field" \
        in run.stderr
    assert "error: accounts/also-broken.yaml" in run.stderr
    comment = kam("diff", "base", "--as-of", str(AS_OF), "--format", "markdown", cwd=team)
    assert comment.returncode == 2
    section = comment.stdout.split("**Input errors** (a file that cannot be read is left out "
                                   "of the comparison; one read with an error in it is "
                                   "compared)", 1)[1].split("\n\n")[1]
    assert [line.split(":")[0] for line in section.splitlines()] == [
        *["- `base"] * 3, "- `accounts/also-broken.yaml"]  # name, owner, financials missing
