"""Every rule fires on an account built for it and stays silent on one built against it.

The cases live beside the rules, in rules/tests/ (`kam rules test` runs them): each patches the
healthy account of rules/tests/fixtures and names the rules that must fire and stay silent,
the silent cases near misses where a threshold allows, and the figures a message must give.
Here each case runs as a test of its own (so that mutation testing reruns only the cases that
reach a mutant), and `kam rules test rules --require-coverage` runs in-process once.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.review.rule_cases import RuleCase, read_cases
from kam_review.review.rule_tests import run_cases
from kam_review.rulebook.loading import Rulebook

from .conftest import RULES, healthy_account

CASES, CASE_ERRORS = read_cases(RULES)


def firing_cases() -> list[tuple[str, dict[str, Any]]]:
    """(rule id, a copy of the account) for every case on which a rule must fire."""
    return [(rule_id, copy.deepcopy(case.account)) for case in CASES for rule_id in case.fires]


def test_the_cases_read_without_error() -> None:
    assert [str(e) for e in CASE_ERRORS] == []
    assert len(CASES) > 200


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.where}") for c in CASES])
def test_rule_case(case: RuleCase, rulebook: Rulebook) -> None:
    run = run_cases(rulebook, [case])
    assert [str(e) for e in run.errors] == []
    assert [(o.rule, o.expects, o.problem, *o.facts) for o in run.failures] == []


def test_kam_rules_test_passes_on_the_bundled_rules_with_full_coverage() -> None:
    result = CliRunner().invoke(main, ["rules", "test", str(RULES), "--require-coverage"])
    assert result.exit_code == 0, result.output
    assert "0 failed, 0 errors" in result.output


def test_healthy_account_raises_no_warning(review_one: Any) -> None:
    result = review_one(healthy_account())
    assert result.klass == "loyal"
    assert result.focus == "key"
    assert [f.rule for f in result.findings if f.kind in ("risk", "stage", "plan")] == []
