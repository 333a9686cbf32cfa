"""Goals measured: each metric's actual read from the file, the status as of the review date at
its boundaries, and "cannot be measured" with its reason (an unknown figure is never zero)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kam_review.locale_format import ENGLISH
from kam_review.output.charts import progress_bar
from kam_review.rulebook.goals import GoalMeasure, measure_goal
from kam_review.source.model import (
    Account,
    Contact,
    Goal,
    GoalFigure,
    Market,
    Opportunity,
    Quarter,
    QuarterFigures,
)
from kam_review.vocabulary import GoalStatus
from kam_review.website.pages.goals import goal_cells

from .conftest import AS_OF, healthy_account

TOLERANCE = 0.1
# Two years of quarters to 2026-Q3: 1M each in the first year, then 1.02M, 1.05M, 1.08M, 1.1M
# (the healthy account's): 4M over the 4 quarters to 2025-Q3, 4.25M over the 4 to 2026-Q3.
REVENUE = [1_000_000] * 4 + [1_020_000, 1_050_000, 1_080_000, 1_100_000]


def _account(revenue: list[float | None] = REVENUE, start: str = "2024-Q4",
             margin: float | None = 0.3, **fields: Any) -> Account:
    """An account with these revenues by quarter from `start`; None leaves a quarter out."""
    first = Quarter.parse(start)
    rows = tuple(QuarterFigures(Quarter.from_index(first.index + i), amount,
                                None if margin is None else round(amount * (1 - margin)))
                 for i, amount in enumerate(revenue) if amount is not None)
    return Account(id="acme", name="Acme", owner="Li Wei", financials=rows,
                   source=Path("acme.yaml"), **fields)


def _goal(metric: str | None = "revenue", target: float | None = 100, **fields: Any) -> Goal:
    baseline = fields.pop("baseline", None)
    actual = fields.pop("actual", None)
    return Goal(text="Grow", metric=metric, target=target,
                due=date.fromisoformat(fields.pop("due", "2027-09-30")),
                baseline=None if baseline is None else GoalFigure(baseline[0], date.fromisoformat(
                    baseline[1])),
                actual=None if actual is None else GoalFigure(actual[0], date.fromisoformat(
                    actual[1])), **fields)


def _measure(goal: Goal, account: Account | None = None, as_of: date = AS_OF,
             won: tuple[Opportunity, ...] = ()) -> GoalMeasure:
    return measure_goal(account or _account(), goal, as_of, won, TOLERANCE)


# --- what each metric reads -------------------------------------------------------------------

@pytest.mark.parametrize(("period", "actual", "basis"), [
    ("trailing", 4_250_000, "revenue of the last 4 quarters to 2026-Q3"),
    ("2026-Q2", 1_080_000, "revenue of 2026-Q2"),
    # A year is read from its quarters complete by the review date, and says so.
    ("2026", 3_230_000, "revenue of 2026 (2026-Q1 to 2026-Q3, complete by 2026-09-30)"),
    ("2025", 4_020_000, "revenue of 2025"),
])
def test_revenue_of_a_period(period: str, actual: float, basis: str) -> None:
    found = _measure(_goal(period=period, target=10_000_000))
    assert (found.actual, found.basis) == (actual, basis)


@pytest.mark.parametrize(("goal", "account", "reason"), [
    (_goal(), None, "a revenue goal needs a period: a year (2026), a quarter (2026-Q3) or "
                    "trailing (the last 4 complete quarters)"),
    (_goal(period="2026-Q4"), None, "no quarter of 2026-Q4 is complete by 2026-09-30"),
    # A quarter without a row is unknown, never a quarter without sales.
    (_goal(period="trailing"), _account([*REVENUE[:6], None, *REVENUE[7:]]),
     "revenue of the last 4 quarters to 2026-Q3: no row for 2026-Q2"),
    (_goal(period="trailing"), _account(REVENUE[-3:], start="2026-Q1"),
     "revenue of the last 4 quarters to 2026-Q3: no row for 2025-Q4"),
    (_goal(period="2025"), _account(REVENUE[-3:], start="2026-Q1"),
     "revenue of 2025: no row for 2025-Q1, 2025-Q2, 2025-Q3, 2025-Q4"),
])
def test_revenue_that_cannot_be_measured(goal: Goal, account: Account | None,
                                         reason: str) -> None:
    found = _measure(goal, account)
    assert (found.status, found.actual, found.reason) == (GoalStatus.UNMEASURED, None, reason)


def test_quarters_before_the_customer_began_had_no_sales() -> None:
    """A customer since February 2026 bought nothing in 2025-Q4: its last four quarters are
    its three on file. A quarter missing after it began stays unknown, and one that ended
    before customer_since needs no row only where the file has none."""
    since = {"customer_since": date(2026, 2, 16)}
    found = _measure(_goal(period="trailing", target=10_000_000),
                     _account(REVENUE[-3:], start="2026-Q1", **since))
    assert (found.actual, found.basis) == (3_230_000,
                                           "revenue of the last 4 quarters to 2026-Q3")
    found = _measure(_goal(period="trailing"),
                     _account([REVENUE[-3], None, REVENUE[-1]], start="2026-Q1", **since))
    assert found.reason == "revenue of the last 4 quarters to 2026-Q3: no row for 2026-Q2"
    # A customer since 2025-Q4 itself: that quarter is its own, and unknown without a row.
    found = _measure(_goal(period="trailing"),
                     _account(REVENUE[-3:], start="2026-Q1",
                              customer_since=date(2025, 11, 3)))
    assert found.reason == "revenue of the last 4 quarters to 2026-Q3: no row for 2025-Q4"


def test_growth_margin_and_share_of_wallet() -> None:
    account = _account(market=Market(wallet=17_000_000))
    growth = _measure(_goal("growth_yoy", 0.1), account)
    assert (growth.actual, growth.spec) == (0.0625, "spct")
    assert growth.basis == "revenue of the last 4 quarters to 2026-Q3 against the 4 before"
    margin = _measure(_goal("gross_margin", 0.35), account)
    assert (round(margin.actual or 0, 4), margin.spec) == (0.3, "pct")
    assert margin.basis == "gross margin of the last 4 quarters to 2026-Q3"
    share = _measure(_goal("share_of_wallet", 0.3), account)
    assert (share.actual, share.basis) == (
        0.25, "revenue of the last 4 quarters to 2026-Q3 over the yearly wallet")


@pytest.mark.parametrize(("metric", "account", "reason"), [
    ("growth_yoy", _account(REVENUE[1:], start="2025-Q1"),
     "revenue of the last 4 quarters to 2026-Q3 against the 4 before: no row for 2024-Q4"),
    ("growth_yoy", _account([0] * 4 + REVENUE[4:]),
     "revenue of the last 4 quarters to 2026-Q3 against the 4 before: no revenue in the 4 "
     "quarters before"),
    ("gross_margin", _account(margin=None),
     "gross margin of the last 4 quarters to 2026-Q3: cost not reported"),
    ("share_of_wallet", _account(),
     "revenue of the last 4 quarters to 2026-Q3 over the yearly wallet: no market.wallet on "
     "file"),
])
def test_figures_that_cannot_be_measured(metric: str, account: Account, reason: str) -> None:
    assert _measure(_goal(metric, 1), account).reason == reason


def test_contacts_at_a_level_count_those_still_there() -> None:
    contacts = (Contact("Zhang Min", level="executive"),
                Contact("Xu Jing", level="executive", left_on=date(2026, 9, 30)),
                Contact("Wang Fang", level="executive", left_on=date(2026, 10, 1)),
                Contact("Chen Jun", level="director"))
    found = _measure(_goal("contacts_at_level", 3, level="executive"),
                     _account(contacts=contacts))
    # Xu Jing left on the review date; Wang Fang leaves the day after.
    assert (found.actual, found.basis) == (2, "current contacts at executive level on "
                                              "Sep 30, 2026")
    assert _measure(_goal("contacts_at_level", 3)).reason == (
        "a contacts_at_level goal needs a level")


def _won(deal_id: str, day: str | None, value: float | None = 100_000) -> Opportunity:
    return Opportunity(deal_id, deal_id, "closed", value=value,
                       stage_since=None if day is None else date.fromisoformat(day))


def test_deals_won_in_a_period_by_count_and_value() -> None:
    won = (_won("a", "2025-12-31"), _won("b", "2026-01-01", 250_000),
           _won("c", "2026-09-30"), _won("d", "2026-10-01"))
    count = _measure(_goal("deals_won", 5, period="2026"), won=won)
    # d closes after the review date: not won yet as of it.
    assert (count.actual, count.basis) == (2, "deals won (signed, paid and shipped) in 2026 "
                                              "by 2026-09-30")
    value = _measure(_goal("deals_won", 500_000, period="2026", measure="value"), won=won)
    assert (value.actual, value.spec) == (350_000, "money")
    assert _measure(_goal("deals_won", 5), won=won).actual == 3
    assert _measure(_goal("deals_won", 5), won=(_won("e", None),)).reason == (
        "the won deal e has no stage_since (the day it closed)")
    assert _measure(_goal("deals_won", 5, measure="value"),
                    won=(_won("f", "2026-02-01", None),)).reason == "the won deal f has no value"


def test_a_custom_figure_is_the_one_recorded_by_hand() -> None:
    found = _measure(_goal("custom", 4.5, baseline=(4.1, "2026-03-31"),
                           actual=(4.6, "2026-09-30")))
    assert (found.status, found.actual, found.basis) == (
        GoalStatus.ACHIEVED, 4.6, "recorded by hand on Sep 30, 2026")
    assert found.progress == 1.25  # exactly, as written in decimals
    assert _measure(_goal("custom", 4.5)).reason == (
        "no actual recorded (actual: its value and date)")
    assert _measure(_goal("custom", 4.5, actual=(4.6, "2026-10-01"))).reason == (
        "the actual is dated 2026-10-01, after the review date")


@pytest.mark.parametrize(("goal", "reason"), [
    (_goal(None), "no metric"),
    (_goal("contract_value"), "the metric 'contract_value' is not one the review measures"),
])
def test_a_goal_without_a_known_metric(goal: Goal, reason: str) -> None:
    assert _measure(goal) == GoalMeasure(GoalStatus.UNMEASURED, "num", reason=reason)


# --- the status -------------------------------------------------------------------------------

def _custom(actual: float, due: str = "2027-01-28", target: float = 100,
            baseline: tuple[float, str] = (0, "2026-06-02")) -> GoalMeasure:
    """From the baseline on 2026-06-02 to the target by 2027-01-28: on the review date 120 of
    its 240 days are gone."""
    return _measure(_goal("custom", target, due=due, baseline=baseline,
                          actual=(actual, "2026-09-01")))


def test_on_track_down_to_the_time_gone_less_the_tolerance() -> None:
    at_cut = _custom(40)
    assert (at_cut.status, at_cut.progress, at_cut.elapsed, at_cut.on_track_from) == (
        GoalStatus.ON_TRACK, 0.4, 0.5, 0.4)
    assert _custom(39.99).status == GoalStatus.BEHIND
    assert _custom(100).status == GoalStatus.ACHIEVED
    assert _custom(150).status == GoalStatus.ACHIEVED


def test_missed_from_the_day_after_the_due_date() -> None:
    assert _custom(95, due="2026-09-30").status == GoalStatus.ON_TRACK
    assert _custom(89, due="2026-09-30").status == GoalStatus.BEHIND
    missed = _custom(95, due="2026-09-29")
    assert (missed.status, missed.elapsed, missed.on_track_from) == (GoalStatus.MISSED, 1, 0.9)
    assert _custom(100, due="2026-09-29").status == GoalStatus.ACHIEVED


def test_a_goal_past_its_date_is_judged_by_the_figures_of_its_date() -> None:
    """Due 2026-06-30: the revenue of the 4 quarters to 2026-Q2 (4.15M) decides, not the
    4.25M that 2026-Q3 brought later."""
    goal = _goal(period="trailing", target=4_200_000, due="2026-06-30",
                 baseline=(4_000_000, "2025-06-30"))
    found = _measure(goal)
    assert (found.status, found.actual, found.basis) == (
        GoalStatus.MISSED, 4_150_000, "revenue of the last 4 quarters to 2026-Q2")
    assert _measure(goal, as_of=date(2026, 6, 30)).status == GoalStatus.BEHIND


def test_a_target_below_its_baseline_is_met_from_above() -> None:
    assert _custom(25, target=0, baseline=(40, "2026-06-02")).status == GoalStatus.BEHIND
    assert _custom(24, target=0, baseline=(40, "2026-06-02")).status == GoalStatus.ON_TRACK
    assert _custom(0, target=0, baseline=(40, "2026-06-02")).status == GoalStatus.ACHIEVED


def test_a_target_equal_to_its_baseline_has_no_way_to_cover() -> None:
    held = _custom(40, target=40, baseline=(40, "2026-06-02"))
    assert (held.status, held.progress) == (GoalStatus.ACHIEVED, None)
    slipped = _custom(39, target=40, baseline=(40, "2026-06-02"))
    assert (slipped.status, slipped.progress) == (GoalStatus.BEHIND, None)


def test_no_time_gone_before_the_baseline_date() -> None:
    early = _custom(0, baseline=(0, "2026-10-15"))
    assert (early.status, early.elapsed, early.on_track_from) == (GoalStatus.ON_TRACK, 0, 0)


@pytest.mark.parametrize(("goal", "status", "reason"), [
    (_goal("custom", None, actual=(4, "2026-09-01")), GoalStatus.UNMEASURED, "no target"),
    (Goal("Grow", "custom", 5, None, actual=GoalFigure(4, date(2026, 9, 1))),
     GoalStatus.UNMEASURED, "no due date"),
    (Goal("Grow", "custom", 3, None, actual=GoalFigure(4, date(2026, 9, 1))),
     GoalStatus.ACHIEVED, None),
    (_goal("custom", 5, actual=(4, "2026-09-01")), GoalStatus.UNMEASURED,
     "no baseline (value and date) to measure progress from"),
    (_goal("custom", 5, actual=(4, "2026-09-01"), due="2026-09-29"), GoalStatus.MISSED, None),
])
def test_what_a_status_needs(goal: Goal, status: GoalStatus, reason: str | None) -> None:
    found = _measure(goal)
    assert (found.status, found.reason, found.actual) == (status, reason, 4)


# --- through the review -----------------------------------------------------------------------

def test_a_closed_deal_not_yet_paid_is_not_won(review_one: Any) -> None:
    """Seed 004: closed means signed, paid and shipped; the goal counts only those."""
    account = healthy_account()
    deal = account["opportunities"][0]
    deal |= {"stage": "closed", "stage_since": "2026-08-01"}
    deal["evidence"] |= {"contract_signed": True, "payment_received": True}
    account["plan"]["goals"] = [{"text": "Win a deal", "metric": "deals_won", "period": 2026,
                                 "target": 1, "due": "2026-12-31"}]
    (goal,) = [f for f in review_one(account).facts if f["type"] == "goal"]
    assert (goal["actual_shown"], goal["status"]) == ("0", "cannot be measured")
    deal["evidence"]["goods_shipped"] = True
    (goal,) = [f for f in review_one(account).facts if f["type"] == "goal"]
    assert (goal["actual_shown"], goal["status"], goal["standing"]) == (
        "1", "achieved", "target met")
    assert goal["basis"] == "deals won (signed, paid and shipped) in 2026 by 2026-09-30"


def test_the_progress_bar_fills_to_the_progress_and_ticks_the_time() -> None:
    bar = progress_bar(0.25, 0.5, "red", "25% <of> the way")
    assert bar.count("\n") == 0  # one line, for a table row
    assert 'aria-label="25% &lt;of&gt; the way"' in bar
    assert '<rect x="0" y="3" width="30" height="8" rx="2" style="fill:red"/>' in bar
    assert '<line x1="60" y1="0" x2="60" y2="14"' in bar
    # Beyond the target the bar is full; backwards it is empty; unknown, it is left out.
    assert 'width="120" height="8" rx="2" style="fill:red"' in progress_bar(1.5, 1, "red", "")
    assert 'width="0" height="8" rx="2" style="fill:red"' in progress_bar(-1.5, 0, "red", "")
    assert "fill:red" not in progress_bar(None, None, "red", "") and "<line" not in (
        progress_bar(None, None, "red", ""))


def test_a_goal_that_cannot_be_measured_now_is_not_judged_not_behind(review_accounts: Any
                                                                     ) -> None:
    """A revenue goal behind, then a quarter's row deleted: the goal cannot be measured, so
    whether it is behind is not evaluated (and says why), never "not behind": a change that
    deletes data does not resolve a goal."""
    account = healthy_account()
    account["plan"]["goals"] = [{"text": "Grow yearly revenue to 9M", "metric": "revenue",
                                 "period": "trailing", "target": 9_000_000,
                                 "baseline": {"value": 4_000_000, "date": "2025-09-30"},
                                 "due": "2026-12-31"}]
    (behind,) = review_accounts(account).accounts
    assert [f.subject for f in behind.findings if f.rule == "plan.goal-behind"] == [
        "Grow yearly revenue to 9M"]
    del account["financials"][6]  # 2026-Q2
    (gap,) = review_accounts(account).accounts
    assert not [f for f in gap.findings if f.rule == "plan.goal-behind"]
    (unknown,) = [n for n in gap.not_evaluated if n.rule == "plan.goal-behind"]
    assert (unknown.subject, unknown.needs) == (
        "Grow yearly revenue to 9M", "needs the goal measured: revenue of the last 4 quarters "
        "to 2026-Q3: no row for 2026-Q2")
    # A goal of a metric the review never measures is no gap in the data: not listed.
    account["plan"]["goals"][0]["metric"] = "contract_value"
    del account["plan"]["goals"][0]["period"]
    (other,) = review_accounts(account).accounts
    assert not [n for n in other.not_evaluated if n.rule == "plan.goal-behind"]


@pytest.mark.parametrize(("goal", "shown"), [
    (Goal(text="Sign it", metric="contract_value"), "contract value"),
    (Goal(text="Margin", metric="gross_margin", period="trailing"), "gross margin, trailing"),
    (Goal(text="Reach", metric="contacts_at_level", level="executive"),
     "contacts at executive level"),
    (Goal(text="Vague"), "—"),
])
def test_a_goals_metric_reads_as_words(goal: Goal, shown: str) -> None:
    """The goals table's Metric column: a metric of the team's own in words, not its key."""
    assert goal_cells(goal, {"status": GoalStatus.UNMEASURED.value}, ENGLISH)[1] == shown
