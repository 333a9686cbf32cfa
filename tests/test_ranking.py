"""Each account's findings in order: by severity, a warning before advice at the same
severity, then by impact (the money involved); the headline is never advice while a warning
is open."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from kam_review.review.results import AccountResult, Finding, impact
from kam_review.vocabulary import Kind, Severity

from .conftest import variant


def _finding(rule: str, kind: Kind, severity: Severity, impact: float = 0.0) -> Finding:
    return Finding(account="a", rule=rule, kind=kind, severity=severity, subject="",
                   message="m", action="x", impact=impact)


def test_impact_is_the_deal_value_or_the_revenue_at_risk() -> None:
    account = {"type": "account", "revenue_ttm": 4_000_000}
    assert impact({"type": "opportunity", "value": 2_000_000}, account) == 2_000_000
    assert impact({"type": "contact", "value": 9}, account) == 4_000_000
    assert impact(account, account) == 4_000_000
    # Unknown money ranks last, never as a figure.
    assert impact({"type": "opportunity", "value": None}, account) == 0
    assert impact({"type": "goal"}, {"type": "account", "revenue_ttm": None}) == 0
    assert impact({"type": "opportunity", "value": True}, account) == 0


def test_same_severity_larger_deal_first(review_one: Any) -> None:
    def two_overdue(account: dict[str, Any]) -> None:
        small = account["opportunities"][0] | {"expected_close": "2026-09-01"}
        large = copy.deepcopy(small) | {"id": "big", "name": "Big deal", "value": 2_000_001}
        account["opportunities"] = [small, large]

    item = review_one(variant(two_overdue))
    overdue = [f for f in item.findings if f.rule == "stage.overdue"]
    assert [(f.subject, f.impact) for f in overdue] == [("big", 2_000_001),
                                                      ("pos-refresh", 2_000_000)]


def test_severity_outranks_impact_and_a_warning_outranks_advice() -> None:
    high = _finding("risk.b", Kind.RISK, Severity.HIGH, impact=1)
    medium = _finding("risk.a", Kind.RISK, Severity.MEDIUM, impact=10**9)
    advice = _finding("advice.a", Kind.ADVICE, Severity.MEDIUM, impact=10**12)
    plan = _finding("plan.a", Kind.PLAN, Severity.MEDIUM, impact=0)
    assert sorted([advice, plan, medium, high], key=Finding.sort_key) == [
        high, medium, plan, advice]


def _with(item: AccountResult, *findings: Finding) -> AccountResult:
    return replace(item, findings=tuple(sorted(findings, key=Finding.sort_key)))


def test_headline_is_never_advice_while_a_warning_is_open(review_one: Any) -> None:
    item = review_one(variant(lambda a: None))
    advice = _finding("advice.a", Kind.ADVICE, Severity.HIGH, impact=10**12)
    low = _finding("data.a", Kind.DATA, Severity.LOW)
    klass = _finding("class.a", Kind.CLASS, Severity.HIGH)
    assert _with(item, advice, low, klass).worst == low
    assert _with(item, advice, klass).worst == advice
    waived = replace(low, waiver=object())  # type: ignore[arg-type]
    assert _with(item, advice, waived).worst == advice
    # The overview's worst open warning: none where only advice is open.
    assert _with(item, advice, low, klass).worst_warning == low
    assert _with(item, advice, klass).worst_warning is None
    assert _with(item, advice, waived).worst_warning is None


def test_sample_headlines_are_warnings_where_there_are_any(review_one: Any) -> None:
    """On a real review: the healthy account with a stale deal heads with the deal."""
    item = review_one(variant(lambda a: a["opportunities"][0].update(
        stage_since="2026-04-01")))
    assert item.worst is not None and item.worst.rule == "stage.stale"
    assert any(f.kind == Kind.ADVICE for f in item.findings)
