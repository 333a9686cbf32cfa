"""`kam rules test`: cases beside the rules, their failures with the facts the rule saw, the
JSON and JUnit reports, the exit codes and --require-coverage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result

from kam_review.cli import main

from .conftest import RULES

CASE = """\
base: fixtures/healthy-account.yaml
as_of: 2026-09-30
cases:
  - name: Chen Jun left a month ago
    patch: {contacts.2.left_on: 2026-08-31}
    fires: [risk.key-contact-left]
    message_contains:
      risk.key-contact-left: ["left on Aug 31, 2026, 30 days ago"]
  - name: Chen Jun left a year ago
    patch: {contacts.2.left_on: 2025-09-30}
    silent: [risk.key-contact-left]
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """The bundled rules with one test file of two cases instead of the bundled tests."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    for path in (folder / "tests").glob("*.yaml"):
        path.unlink()
    (folder / "tests" / "team.yaml").write_text(CASE, encoding="utf-8")
    return folder


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["rules", "test", *args])


def _passing_with(rules: Path, cases: str) -> Result:
    """`kam rules test` of the two cases and these, which must pass."""
    (rules / "tests" / "team.yaml").write_text(CASE + cases, encoding="utf-8")
    run = _run(str(rules))
    assert run.exit_code == 0, run.output
    return run


def test_passing_cases_exit_0_with_a_summary_per_rule(rules: Path) -> None:
    run = _run(str(rules))
    assert run.exit_code == 0, run.output
    assert "ok   risk.key-contact-left: 3 of 3 checks passed (1 firing, 1 silent)" in run.output
    assert "---- risk.complacency: 0 of 0 checks passed" in run.output
    assert "2 cases, 3 checks: 0 failed, 0 errors" in run.output


def test_require_coverage_fails_on_rules_without_both_cases(rules: Path) -> None:
    run = _run(str(rules), "--require-coverage")
    assert run.exit_code == 1
    assert "  risk.complacency: lacks a firing case and a silent case" in run.output
    assert "risk.key-contact-left: lacks" not in run.output


def test_a_failing_case_exits_1_and_shows_what_the_rule_saw(rules: Path) -> None:
    # One day inside the window the rule allows (180 days): the silent case now fires.
    text = CASE.replace("2025-09-30", "2026-04-03")
    (rules / "tests" / "team.yaml").write_text(text, encoding="utf-8")
    run = _run(str(rules))
    assert run.exit_code == 1
    assert "FAIL risk.key-contact-left: 2 of 3 checks passed" in run.output
    assert "FAIL risk.key-contact-left stays silent: fired" in run.output
    assert "case 'Chen Jun left a year ago' (" in run.output
    assert "team.yaml:9, as of 2026-09-30)" in run.output
    assert "  contact Chen Jun:" in run.output
    assert "      days since leaving: 180 days, needs at most 180 days" in run.output
    assert "contact Zhang Min:" not in run.output  # only the subject it fired on


def test_a_message_without_the_figures_fails(rules: Path) -> None:
    text = CASE.replace("30 days ago", "31 days ago")
    (rules / "tests" / "team.yaml").write_text(text, encoding="utf-8")
    run = _run(str(rules))
    assert run.exit_code == 1
    assert "message holds the texts: no message holds 'left on Aug 31, 2026, 31 days ago'" \
        in run.output


def test_json_and_junit_reports(rules: Path) -> None:
    text = CASE.replace("2025-09-30", "2026-04-03")
    (rules / "tests" / "team.yaml").write_text(text, encoding="utf-8")
    data = json.loads(_run(str(rules), "--format", "json").output)
    assert data["passed"] is False
    (failure,) = data["failures"]
    assert (failure["rule"], failure["expects"], failure["line"]) == (
        "risk.key-contact-left", "silent", 9)
    assert any("180 days" in line for line in failure["facts"])
    rule = next(r for r in data["rules"] if r["rule"] == "risk.key-contact-left")
    assert rule == {"rule": "risk.key-contact-left", "checks": 3, "passed": 2,
                    "firing_cases": 1, "silent_cases": 1, "silent_not_evaluated": []}
    run = _run(str(rules), "--format", "junit", "--require-coverage")
    assert run.exit_code == 1
    root = ElementTree.fromstring(run.output)
    suite = next(s for s in root if s.get("name") == "risk.key-contact-left")
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    untested = next(s for s in root if s.get("name") == "kam-review.rule-tests")
    assert any(c.get("name") == "risk.complacency" for c in untested)


@pytest.mark.parametrize(("case", "message"), [
    ("  - name: x\n    patch: {contacts.9.left_on: 2026-08-31}\n    fires: [risk.x]\n",
     "cases[2].patch: contacts.9.left_on: contacts has 3 items, numbered 0 to 2: no item 9"),
    ("  - name: x\n    patch: {contacts.first.left_on: 2026-08-31}\n    fires: [risk.x]\n",
     "cases[2].patch: contacts.first.left_on: contacts has 3 items, numbered 0 to 2: no item "
     "first"),
    ("  - name: x\n    patch: {contacs.0.left_on: 2026-08-31}\n    fires: [risk.x]\n",
     "cases[2].patch: contacs.0.left_on: the account has no field contacs (did you mean "
     "'contacts'?)"),
    ("  - name: x\n    patch: {plan.summary.x: 1}\n    fires: [risk.x]\n",
     "cases[2].patch: plan.summary.x: plan.summary is a str, not a mapping"),
    ("  - name: x\n    remove: [contacts.3]\n    silent: [risk.complacency]\n",
     "cases[2].remove: contacts.3: contacts has 3 items, numbered 0 to 2: no item 3"),
    ("  - name: x\n    remove: [nothing_here]\n    silent: [risk.complacency]\n",
     "cases[2].remove: nothing_here: the account has no field nothing_here"),
    ("  - name: x\n    base: ../../secret.yaml\n    silent: [risk.complacency]\n",
     "cases[2].base: the base account ../../secret.yaml lies outside the rules folder"),
    ("  - name: x\n    patch: {name: A}\n",
     "cases[2].fires: a case says what it expects: fires, silent or message_contains"),
    ("  - name: x\n    patch: {name: A}\n    fires: [risk.no-such-rule]\n",
     "case 'x' names an unknown rule 'risk.no-such-rule'"),
    ("  - name: x\n    patch: {name: A}\n    fires: [risk.complacent]\n",
     "case 'x' names an unknown rule 'risk.complacent' (did you mean 'risk.complacency'?)"),
    ("  - name: x\n    patch: {stage: 12}\n    fires: [risk.complacency]\n",
     "case 'x': the fixture account is not valid: stage:"),
])
def test_a_broken_case_is_an_error_naming_file_line_and_field(rules: Path, case: str,
                                                              message: str) -> None:
    (rules / "tests" / "team.yaml").write_text(CASE + case, encoding="utf-8")
    run = _run(str(rules))
    assert run.exit_code == 2
    assert message in run.output, run.output
    assert "team.yaml:" in run.output


def test_a_message_case_counts_as_a_firing_case(rules: Path) -> None:
    text = CASE.replace("    fires: [risk.key-contact-left]\n", "")
    (rules / "tests" / "team.yaml").write_text(text, encoding="utf-8")
    run = _run(str(rules), "--require-coverage")
    assert "risk.key-contact-left: lacks" not in run.output
    assert "ok   risk.key-contact-left: 2 of 2 checks passed (1 firing, 1 silent)" in run.output


def test_an_inline_account_replaces_the_files_base(rules: Path) -> None:
    inline = ("  - name: a new account without figures\n    account: {id: a, name: A, "
              "owner: Li Wei, customer_since: 2026-09-30, "
              "financials: []}\n    fires: [data.stale]\n")
    run = _passing_with(rules, inline)
    assert "ok   data.stale: 1 of 1 check passed (1 firing, 0 silent)" in run.output


def test_the_tests_folder_is_not_read_as_rules(rules: Path, tmp_path: Path) -> None:
    """A rules folder with tests/ still loads: `kam check` reads the rules, not the tests."""
    run = CliRunner().invoke(main, ["check", "--rules", str(rules), "--accounts",
                                    str(RULES.parent / "accounts"), "--as-of", "2026-09-30",
                                    "--no-cache"])
    assert run.exit_code in (0, 1), run.output


def test_a_silent_case_that_leaves_the_rule_without_data_says_so(rules: Path) -> None:
    """A near miss that passes only because the rule could not be evaluated (the case
    removes data it needs) is no test of its condition: the summary says how many, and JSON
    lists them with what the rule needed."""
    unknown = ("  - name: Zhang Min's style unknown\n"
               "    remove: [contacts.0.style]\n"
               "    silent: [advice.style-analytical]\n")
    run = _passing_with(rules, unknown)
    assert ("ok   advice.style-analytical: 1 of 1 check passed (0 firing, 1 silent, 1 of "
            "them not evaluated)") in run.output
    assert "ok   risk.key-contact-left: 3 of 3 checks passed (1 firing, 1 silent)" in run.output
    data = json.loads(_run(str(rules), "--format", "json").output)
    rule = next(r for r in data["rules"] if r["rule"] == "advice.style-analytical")
    (listed,) = rule["silent_not_evaluated"]
    assert listed["case"] == "Zhang Min's style unknown"
    assert listed["needs"].startswith("needs style")
