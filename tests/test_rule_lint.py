"""`kam rules lint` and the lint `kam check` runs: what a rules folder holds that loading does
not refuse, each problem with its file, line and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kam_review.cli import main
from kam_review.rulebook.condition_parser import parse_condition
from kam_review.rulebook.condition_spans import Span, implies
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.rule_lint import lint_folder

from .conftest import ACCOUNTS, RULES, healthy_account, write_account

TEAM_RULE = """\
kind: risk
rules:
  - id: risk.team-check
    title: A team check
    severity: low
    source: ["001"]
    on: account
    when: {when}
    message: "{{contacts_current:int contact}}"
    rationale: Why it matters.
    action: What to do.
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _lint(rules: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["rules", "lint", str(rules), *args])


def test_the_bundled_rules_and_sample_accounts_lint_clean() -> None:
    assert [str(p) for p in lint_folder(RULES, accounts=ACCOUNTS)] == []


@pytest.mark.parametrize(("when", "level", "message"), [
    # One step from the range: at most 1 is possible, above 1 is not.
    ("share_of_wallet > 2 and share_of_wallet < 1", "error",
     "'share_of_wallet > 2' and 'share_of_wallet < 1' leave no value of share_of_wallet"),
    ("relationship_score > 5", "error", "the rule can never fire: 'relationship_score > 5' "
     "leaves no value of relationship_score within its declared range (1 to 5)"),
    ("relationship_stage == 'mid' and relationship_stage == 'partnership'", "error",
     "\"relationship_stage == 'mid'\" and \"relationship_stage == 'partnership'\" leave no "
     "value of relationship_stage"),
    ("contacts_current >= 0", "warning", "'contacts_current >= 0' is always true where "
     "contacts_current is known: its declared range is at least 0"),
])
def test_conditions_never_or_always_true(rules: Path, when: str, level: str,
                                         message: str) -> None:
    (rules / "team.yaml").write_text(TEAM_RULE.format(when=when), encoding="utf-8")
    run = _lint(rules)
    assert f"{level}: {rules}/team.yaml:3:1: risk.team-check.when: " in run.output
    assert message in run.output
    assert run.exit_code == (2 if level == "error" else 0)


@pytest.mark.parametrize("when", ["relationship_score >= 5", "relationship_score > 4.9",
                                  "contacts_current >= 1", "share_of_wallet > 1",
                                  "contacts_current > 2 and contacts_current < 4",
                                  "relationship_stage == 'mid' and relationship_stage != "
                                  "'partnership'"])
def test_near_misses_are_not_reported(rules: Path, when: str) -> None:
    (rules / "team.yaml").write_text(TEAM_RULE.format(when=when), encoding="utf-8")
    run = _lint(rules)
    assert run.exit_code == 0, run.output
    assert "0 errors, 0 warnings" in run.output


def test_unused_threshold_is_a_warning_at_its_line(rules: Path) -> None:
    text = (rules / "thresholds.yaml").read_text(encoding="utf-8")
    (rules / "thresholds.yaml").write_text(text.replace(
        "thresholds:\n", "thresholds:\n  team_unused:\n    label: x\n    value: 1\n"
        "    unit: count\n    doc: x\n", 1), encoding="utf-8")
    run = _lint(rules)
    assert run.exit_code == 0
    line = text.splitlines().index("thresholds:") + 2
    assert f"warning: {rules}/thresholds.yaml:{line}:1: thresholds.team_unused: defined but " \
           "read by no rule" in run.output


def test_a_waiver_naming_a_renamed_rule_is_named(rules: Path, tmp_path: Path) -> None:
    text = (rules / "risks.yaml").read_text(encoding="utf-8")
    (rules / "risks.yaml").write_text(text.replace("id: risk.complacency",
                                                   "id: risk.too-few-visits"), encoding="utf-8")
    for path in (rules / "tests").glob("*.yaml"):
        path.unlink()
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    account = healthy_account() | {"waivers": [{
        "rule": "risk.complacency", "reason": "Quarterly visit booked for 2026-10-12",
        "until": "2026-12-31", "by": "Zhou Lan"}]}
    write_account(accounts, account)
    line = next(i for i, text in enumerate(
        (accounts / "test-account.yaml").read_text(encoding="utf-8").splitlines(), 1)
        if "rule: risk.complacency" in text)
    run = _lint(rules, "--accounts", str(accounts))
    assert run.exit_code == 2
    assert (f"error: {accounts}/test-account.yaml:{line}:" in run.output)
    assert ("waivers[0].rule: the waiver of test-account (approved by Zhou Lan) names rule "
            "'risk.complacency', which this rules folder does not have: was it renamed or "
            "removed?") in run.output


def test_json_lists_each_problem_with_its_level_and_place(rules: Path) -> None:
    (rules / "team.yaml").write_text(TEAM_RULE.format(when="contacts_current >= 0"),
                                     encoding="utf-8")
    run = _lint(rules, "--format", "json")
    assert run.exit_code == 0
    data = json.loads(run.output)
    assert (data["errors"], data["warnings"]) == (0, 1)
    (problem,) = data["problems"]
    assert (problem["level"], problem["file"], problem["line"], problem["field"]) == (
        "warning", f"{rules}/team.yaml", 3, "risk.team-check.when")


def test_kam_check_refuses_a_lint_error_as_invalid_input(rules: Path) -> None:
    (rules / "team.yaml").write_text(TEAM_RULE.format(when="contacts_current < 0"),
                                     encoding="utf-8")
    run = CliRunner().invoke(main, ["check", "--rules", str(rules), "--accounts",
                                    str(ACCOUNTS), "--as-of", "2026-09-30", "--no-cache"])
    assert run.exit_code == 2
    assert f"{rules}/team.yaml:3:1: risk.team-check.when: the rule can never fire" in run.output


def test_a_warning_alone_does_not_stop_kam_check(rules: Path) -> None:
    (rules / "team.yaml").write_text(TEAM_RULE.format(when="contacts_current >= 0"),
                                     encoding="utf-8")
    run = CliRunner().invoke(main, ["check", "--rules", str(rules), "--accounts",
                                    str(ACCOUNTS), "--as-of", "2026-09-30", "--no-cache"])
    assert run.exit_code == 0, run.output


def _when(text: str) -> object:
    return parse_condition(text, FACT_TYPES["account"], {"cut": 3.5})


@pytest.mark.parametrize(("a", "b", "expected"), [
    ("contacts_current >= 5", "contacts_current >= 3", True),
    ("contacts_current >= 3", "contacts_current >= 5", False),
    ("contacts_current > 3 and levels_current == 1", "levels_current <= 1", True),
    ("contacts_current > 3", "contacts_current is known", True),
    ("contacts_current > 3", "levels_current > 3 or contacts_current > 2", True),
    ("contacts_current > 3 or levels_current > 1", "contacts_current > 3", False),
    ("relationship_score >= $cut", "relationship_score > 3.4", True),
    ("relationship_score >= $cut", "relationship_score > 3.5", False),
])
def test_implies(a: str, b: str, expected: bool) -> None:
    assert implies(_when(a), _when(b)) is expected  # type: ignore[arg-type]


def test_spans_meet_at_a_shared_bound() -> None:
    assert Span(high=3, high_in=False).meet(Span(low=3)).empty
    assert not Span(high=3).meet(Span(low=3)).empty
