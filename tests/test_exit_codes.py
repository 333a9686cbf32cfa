"""The exit codes CI relies on, from the installed `kam` console script: 0 valid, 1 findings at
or above --fail-on, 2 invalid input or usage, 3 an internal error (one line on stderr, the
traceback in a log file). Also the JSON header that says which rules a result came from, and
the README's CI job, run against each exit code."""

from __future__ import annotations

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

import kam_review

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
    (("check", "--as-of", "2026-02-30"), "expected a date YYYY-MM-DD"),
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


@pytest.mark.parametrize("command", [(), ("check",), ("diff",), ("explain",), ("new",)])
def test_help_lists_the_exit_codes(command: tuple[str, ...]) -> None:
    text = kam(*command, "--help").stdout
    for line in ("0  every input is valid", "1  a finding at or above --fail-on",
                 "2  invalid input or usage", "3  internal error"):
        assert line in text, text


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
                              "rules": {"commit": commit, "dirty": False, "note": None}}
    assert list(json.loads(first.stdout))[:5] == ["schema_version", "tool_version", "as_of",
                                                  "rules", "accounts"]
    again = kam("check", "--as-of", str(AS_OF), "--format", "json", cwd=team)
    assert again.stdout == first.stdout


def test_uncommitted_rules_are_marked_dirty(team: Path) -> None:
    commit = git(team, "log", "-1", "--format=%H", "--", "rules")
    rules = team / "rules" / "risks.yaml"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a local change\n",
                     encoding="utf-8")
    source = _header(kam("check", "--as-of", str(AS_OF), "--format", "json", cwd=team))["rules"]
    assert source == {"commit": commit, "dirty": True,
                      "note": "the rules folder has changes not committed since this commit"}
    git(team, "checkout", "--", "rules")
    fresh = team / "fresh-rules"
    shutil.copytree(RULES, fresh)  # in the repository, never committed
    source = _header(kam("check", "--rules", "fresh-rules", "--as-of", str(AS_OF), "--format",
                         "json", cwd=team))["rules"]
    assert source == {"commit": None, "dirty": True, "note": "the rules folder is not committed"}


def test_rules_outside_git_have_no_commit(tmp_path: Path, portfolio: Path) -> None:
    rules = tmp_path / "loose-rules"
    shutil.copytree(RULES, rules)
    run = kam("check", "--accounts", str(portfolio), "--rules", str(rules), "--as-of",
              str(AS_OF), "--format", "json", cwd=tmp_path)
    assert _header(run)["rules"] == {
        "commit": None, "dirty": None,
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
    section = comment.stdout.split("**Input errors** (these files are left out of the "
                                   "comparison)", 1)[1].split("\n\n")[1]
    assert [line.split(":")[0] for line in section.splitlines()] == [
        *["- `base"] * 3, "- `accounts/also-broken.yaml"]  # name, owner, financials missing
