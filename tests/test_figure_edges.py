"""Edges of the small figure functions and of which waiver applies, pinned where mutation
testing (bench/MUTATION.md) found a comparison or boundary no other test decided."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

import pytest

from kam_review.rulebook.facts import _decline_streak
from kam_review.rulebook.figures import four_quarters, quotient, total
from kam_review.rulebook.history import known_run

from .conftest import AS_OF, quarters, variant


def test_known_run_counts_from_the_last_quarter_back() -> None:
    assert known_run([("2026-Q3", None, None)]) == 0
    assert known_run([("2026-Q1", None, None), ("2026-Q2", 1.0, None),
                      ("2026-Q3", 1.0, None)]) == 2
    assert known_run([]) == 0


def test_four_quarters_needs_four_quarters_before_the_skip() -> None:
    rows = [(f"q{i}", 1.0, None) for i in range(5)]
    assert four_quarters(rows, skip=1) == (4.0, None)
    assert four_quarters(rows, skip=2) is None
    assert four_quarters(rows[:3], skip=0) is None


def test_quotient_of_a_whole_below_one() -> None:
    assert quotient(1, Fraction(1, 2)) == 2
    assert quotient(1, 0) is None
    assert quotient(1, -1) is None


def test_total_is_exact_for_ints_and_rounded_once_for_floats() -> None:
    assert total([10**17, 1]) == 10**17 + 1
    assert total([0.1] * 10) == 1.0
    assert total([]) == 0


@pytest.mark.parametrize(("revenue", "streak"), [
    ([3.0, 2.0, 1.0], 2), ([1.0, 2.0], 0), ([2.0, 1.0], 1), ([None, 2.0, 1.0], 1),
    ([1.0], 0), ([2.0, None], None), ([2.0, 2.0], 0)])
def test_decline_streak(revenue: list[float | None], streak: int | None) -> None:
    assert _decline_streak(revenue) == streak


def test_a_visit_on_the_review_date_counts(review_one: Any) -> None:
    """Three visits in the window, the last on the review date itself: no complacency, and
    the user met that day is covered."""
    def change(account: dict[str, Any]) -> None:
        account["activities"][0]["date"] = str(AS_OF)
        account["activities"][0]["with"] = ["Wang Fang"]
        account["activities"][1] |= {"kind": "email", "with": []}
        account["contacts"][1].pop("last_contact")

    item = review_one(variant(change))
    fired = {f.rule for f in item.findings}
    assert item.facts[0]["visits_last_3_months"] == 3
    assert item.facts[0]["days_since_visit"] == 0
    assert "risk.buying-role-gap" not in fired and "risk.complacency" not in fired


def _waivers(*waivers: dict[str, str]) -> Any:
    def change(account: dict[str, Any]) -> None:
        account["contacts"][2]["left_on"] = str(AS_OF - timedelta(days=30))
        account["waivers"] = [{"reason": "Successor met; handover planned in October",
                               "until": "2026-12-31", "by": "Zhou Lan"} | w for w in waivers]

    return change


@pytest.mark.parametrize(("waivers", "waived"), [
    ([{"rule": "risk.no-executive-access"}], False),
    ([{"rule": "risk.no-executive-access"}, {"rule": "risk.key-contact-left"}], True),
    ([{"rule": "risk.key-contact-left", "subject": "Wang Fang"},
      {"rule": "risk.key-contact-left", "subject": "Chen Jun"}], True),
])
def test_the_waiver_of_the_rule_applies_wherever_it_stands(
        review_one: Any, waivers: list[dict[str, str]], waived: bool) -> None:
    item = review_one(variant(_waivers(*waivers)))
    (finding,) = [f for f in item.findings if f.rule == "risk.key-contact-left"]
    assert finding.waived is waived


def _account_fact(review_one: Any, change: Any) -> dict[str, Any]:
    return dict(review_one(variant(change)).facts[0])


def test_the_review_date_counts_for_activities_and_complaints(review_one: Any) -> None:
    def change(account: dict[str, Any]) -> None:
        account["activities"].append({"date": str(AS_OF), "kind": "call"})
        account["complaints"].append({"date": str(AS_OF), "topic": "delivery"})

    fact = _account_fact(review_one, change)
    assert (fact["last_activity"], fact["complaints_recorded"]) == (str(AS_OF), 2)


def test_quarter_counts_of_the_last_four(review_one: Any) -> None:
    fact = _account_fact(review_one, lambda a: a.update(
        financials=quarters("2025-Q4", [0, 1, 5, 5])))
    assert fact["quarters_with_revenue_last_4"] == 3
    assert fact["zero_revenue_quarters_last_4"] == 1


def test_margin_change_trail_and_pipeline(review_one: Any) -> None:
    def change(account: dict[str, Any]) -> None:
        million = 1_000_000
        account["financials"] = (quarters("2024-Q2", [million] * 6, 0.3)
                                 + quarters("2025-Q4", [2 * million, 3 * million, 4 * million,
                                                        5 * million], 0.25))
        del account["opportunities"][0]["value"]

    fact = _account_fact(review_one, change)
    assert fact["margin_change_pts"] == pytest.approx(-5)
    assert fact["recent_revenue_trail"] == "CN¥1M -> CN¥1M -> CN¥2M -> CN¥3M -> CN¥4M -> CN¥5M"
    assert fact["open_pipeline_value"] == 0


@pytest.mark.parametrize(("resolved_on", "unresolved"), [
    (AS_OF - timedelta(days=1), 0), (AS_OF, 0), (AS_OF + timedelta(days=1), 1)])
def test_a_quality_complaint_resolved_on_the_review_date_is_resolved(
        review_one: Any, resolved_on: Any, unresolved: int) -> None:
    fact = _account_fact(review_one, lambda a: a.update(complaints=[
        {"date": "2026-09-01", "topic": "quality", "resolved_on": str(resolved_on)}]))
    assert fact["unresolved_quality_complaints"] == unresolved


def test_a_stale_account_counts_nothing_in_the_last_four_quarters(review_one: Any) -> None:
    """No row in any of the last 4 quarters: how many had no sales is unknown, not 0; with no
    row up to the last complete quarter there is no revenue trail either."""
    stale = _account_fact(review_one, lambda a: a.update(
        financials=quarters("2025-Q1", [1_000_000, 1_000_000])))
    assert "zero_revenue_quarters_last_4" not in stale
    assert stale["recent_revenue_trail"] == (
        "CN¥1M -> no row -> no row -> no row -> no row -> no row")
    later = _account_fact(review_one, lambda a: a.update(
        financials=quarters("2026-Q4", [1_000_000])))
    assert "recent_revenue_trail" not in later and "zero_revenue_quarters_last_4" not in later


def test_roi_is_unknown_when_a_quarter_does_not_report_its_cost(review_one: Any) -> None:
    def change(account: dict[str, Any]) -> None:
        account["market"]["investment"] = 500_000
        del account["financials"][-1]["cost"]

    assert "roi" not in _account_fact(review_one, change)


def test_lists_that_are_empty_read_none(review_one: Any) -> None:
    def change(account: dict[str, Any]) -> None:
        account["contacts"][0]["roles"] = ["decision_maker", "decision_owner", "executor"]

    item = review_one(variant(change))
    fact = item.facts[0]
    assert (fact["gap_list"], fact["roles_missing"]) == ("none", "none")
    assert item.facts[2]["roles"] == "user, coach, technical"
