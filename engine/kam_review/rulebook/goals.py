"""Measuring a plan goal: its metric's actual figure from the account file, and where the goal
stands as of the review date.

The actual is read with the formulas of figures.py as of the review date, or as of the due
date once that has passed (a goal is judged by what it reached by its date): the revenue of
the goal's period (the quarters of a year or a quarter complete by then, or the last 4
complete quarters), growth year on year, gross margin and share of wallet of the last 4
complete quarters, the current contacts at a level, the deals won (signed, paid and shipped;
won on the day they reached the closed stage, `stage_since`), or the value recorded by hand.
A figure the file cannot give is unknown, never zero: the goal then cannot be measured, and
says why.

The status (vocabulary.GoalStatus):
- achieved: the actual meets the target on or before the due date, seen from the baseline (a
  target below its baseline is met from above: stock brought down);
- missed: the due date has passed and the target was not met by then;
- on track: progress, (actual - baseline) / (target - baseline), is at least the share of
  the time from the baseline's date to the due date gone by the review date, less the
  tolerance `goal_on_track_tolerance`;
- behind: otherwise (a target equal to its baseline and not met is behind);
- cannot be measured: no metric, a metric the review does not measure, no target, no due
  date, no baseline to measure progress from, or the data the metric needs is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from kam_review.formatting import plain
from kam_review.i18n import _
from kam_review.rulebook.figures import (
    before_customer,
    gross_margin,
    growth,
    last_complete_quarter,
    ratio,
    rounded,
    total,
)
from kam_review.source.goals import GOAL_METRICS, TRAILING
from kam_review.source.model import Account, Goal, Opportunity, Quarter
from kam_review.vocabulary import GoalStatus

# How each metric's figures are written (a format spec of formatting.py).
_SPECS = {"revenue": "money", "growth_yoy": "spct", "gross_margin": "pct",
          "share_of_wallet": "pct", "contacts_at_level": "int", "deals_won": "int",
          "custom": "num"}


@dataclass(frozen=True)
class GoalMeasure:
    """Where a goal stands: its status, the actual and what it was read from, the progress
    from the baseline and the share of the time gone, or why it cannot be measured."""

    status: GoalStatus
    spec: str  # how the metric's figures are written: money, pct, spct, int or num
    actual: float | None = None
    basis: str | None = None  # what the actual was read from, and as of when
    progress: float | None = None
    elapsed: float | None = None
    on_track_from: float | None = None  # the least progress on track: elapsed less tolerance
    reason: str | None = None  # why the goal cannot be measured
    data_gap: bool = False  # for data the file lacks (a quarter's row), not the goal's words


class _Reading(NamedTuple):
    """The metric's value, and what it was read from; or None, and why it is unknown
    (`gap`: for data the file lacks, not for how the goal is written)."""

    value: float | None
    basis: str
    gap: bool = False


def spec_of(goal: Goal) -> str:
    """How the goal's figures (baseline, actual, target) are written."""
    if goal.metric == "deals_won" and goal.measure == "value":
        return "money"
    return _SPECS.get(goal.metric or "", "num")


def measure_goal(account: Account, goal: Goal, as_of: date, won: Sequence[Opportunity],
                 tolerance: float) -> GoalMeasure:
    """The goal as of the review date; `won` are the account's deals signed, paid and shipped
    (seed 004's closed), whatever their date."""
    spec = spec_of(goal)
    if goal.metric is None:
        return GoalMeasure(GoalStatus.UNMEASURED, spec, reason=_("no metric"))
    if goal.metric not in GOAL_METRICS:
        return GoalMeasure(GoalStatus.UNMEASURED, spec, reason=(
            _("the metric '{metric}' is not one the review measures").format(
                metric=goal.metric)))
    # A figure read from the file is taken as of the due date once that has passed; one
    # recorded by hand (custom) is the latest on file, whenever it was recorded.
    day = goal.due if goal.due is not None and goal.due < as_of and goal.metric != "custom" \
        else as_of
    reading = _READERS[goal.metric](account, goal, day, won)
    if reading.value is None:
        return GoalMeasure(GoalStatus.UNMEASURED, spec, reason=reading.basis,
                           data_gap=reading.gap)
    actual = reading.value
    progress, least = _progress(goal, actual), _least_on_track(goal, as_of, tolerance)

    def measured(status: GoalStatus, reason: str | None = None) -> GoalMeasure:
        shown_least = None if least is None else rounded(max(least, Fraction(0)))
        return GoalMeasure(status, spec, actual, reading.basis, rounded(progress),
                           _elapsed(goal, as_of), shown_least, reason)

    if goal.target is None:
        return measured(GoalStatus.UNMEASURED, "no target")
    if _meets(goal, actual, goal.target):
        return measured(GoalStatus.ACHIEVED)
    if goal.due is None:
        return measured(GoalStatus.UNMEASURED, "no due date")
    if goal.due < as_of:
        return measured(GoalStatus.MISSED)
    if goal.baseline is None:
        return measured(GoalStatus.UNMEASURED, "no baseline (value and date) to measure "
                                               "progress from")
    on_track = progress is not None and least is not None and progress >= least
    return measured(GoalStatus.ON_TRACK if on_track else GoalStatus.BEHIND)


def _meets(goal: Goal, actual: float, target: float) -> bool:
    """At or beyond the target, seen from the baseline: up unless the target is below it."""
    if goal.baseline is not None and target < goal.baseline.value:
        return actual <= target
    return actual >= target


def _progress(goal: Goal, actual: float) -> Fraction | None:
    """The share of the way from the baseline to the target covered, exactly; unknown
    without a baseline, or with a target equal to it (there is no way to cover)."""
    if goal.baseline is None or goal.target is None or goal.target == goal.baseline.value:
        return None
    start = _decimal(goal.baseline.value)
    return (_decimal(actual) - start) / (_decimal(goal.target) - start)


def _decimal(value: float) -> Fraction:
    """A figure as written in decimals (0.26 is exactly 26/100), as a target states it."""
    return Fraction(repr(value))


def _exact_elapsed(goal: Goal, as_of: date) -> Fraction | None:
    """The share of the time from the baseline's date to the due date gone by the review
    date, 0 to 1; unknown without either date."""
    if goal.baseline is None or goal.due is None:
        return None
    span = (goal.due - goal.baseline.date).days
    if span <= 0:
        return Fraction(1)
    return min(Fraction(1), max(Fraction(0), Fraction((as_of - goal.baseline.date).days, span)))


def _elapsed(goal: Goal, as_of: date) -> float | None:
    return rounded(_exact_elapsed(goal, as_of))


def _least_on_track(goal: Goal, as_of: date, tolerance: float) -> Fraction | None:
    """The least progress that is on track: the share of the time gone less the tolerance
    (as written in decimals: 0.1 is exactly a tenth)."""
    elapsed = _exact_elapsed(goal, as_of)
    return None if elapsed is None else elapsed - _decimal(tolerance)


def _period(period: str, day: date) -> tuple[list[Quarter], str]:
    """The quarters of a goal's period (a year's four, a quarter, or the last 4 complete by
    `day`), and how a message names them."""
    last = last_complete_quarter(day)
    if period == TRAILING:
        return ([Quarter.from_index(last.index - back) for back in (3, 2, 1, 0)],
                _last_four(last))
    if "-Q" in period:
        return [Quarter.parse(period)], plain().quarter(period)
    return [Quarter(int(period), number) for number in (1, 2, 3, 4)], period


def _last_four(last: Quarter) -> str:
    return _("the last 4 quarters to {quarter}").format(quarter=plain().quarter(str(last)))


def _rows(account: Account, quarters: Sequence[Quarter]) -> tuple[list[float], list[float],
                                                                   str | None]:
    """The revenue and cost (where reported) of the quarters, or which have no row. A
    quarter that ended before the account became a customer (customer_since) needs none: it
    bought nothing from us then."""
    rows = {row.quarter.index: row for row in account.financials}
    before = {q.index for q in quarters
              if q.index not in rows and before_customer(q, account.customer_since)}
    missing = [str(q) for q in quarters if q.index not in rows and q.index not in before]
    if missing:
        return [], [], _("no row for {quarters}").format(
            quarters=_(", ").join(plain().quarter(q) for q in missing))
    found = [rows[q.index] for q in quarters if q.index not in before]
    return ([row.revenue for row in found] + [0] * len(before),
            [row.cost for row in found if row.cost is not None] + [0] * len(before), None)


def _recent(account: Account, day: date, count: int) -> tuple[list[float], list[float],
                                                                str | None, str]:
    """The revenue and cost of the last `count` complete quarters by `day` (or which have no
    row), and how a message names the last 4 of them."""
    last = last_complete_quarter(day)
    quarters = [Quarter.from_index(last.index - back) for back in range(count - 1, -1, -1)]
    return (*_rows(account, quarters), _last_four(last))


def _read(value: float | None, basis: str, unknown: str | None) -> _Reading:
    """A reading of `basis`; unknown, it says why (`unknown`: the data that is missing)."""
    if value is not None:
        return _Reading(value, basis)
    return _Reading(None, f"{basis}: {unknown}", gap=True)


def _revenue(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    if goal.period is None:
        return _Reading(None, _("a revenue goal needs a period: a year (2026), a quarter "
                                "(2026-Q3) or trailing (the last 4 complete quarters)"))
    quarters, named = _period(goal.period, day)
    done = [q for q in quarters if q.index <= last_complete_quarter(day).index]
    if not done:
        return _Reading(None, _("no quarter of {period} is complete by {day}").format(
            period=named, day=day))
    revenue, _cost, missing = _rows(account, done)
    if done != quarters:
        named += _(" ({first} to {last}, complete by {day})").format(
            first=plain().quarter(str(done[0])), last=plain().quarter(str(done[-1])), day=day)
    return _read(None if missing else total(revenue),
                 _("revenue of {period}").format(period=named), missing)


def _growth(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    revenue, _cost, missing, named = _recent(account, day, 8)
    rate = None if missing else growth(total(revenue[4:]), total(revenue[:4]))
    return _read(rate, _("revenue of {period} against the 4 before").format(period=named),
                 missing or _("no revenue in the 4 quarters before"))


def _margin(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    revenue, cost, missing, named = _recent(account, day, 4)
    margin = None if missing or len(cost) < 4 else gross_margin(total(revenue), total(cost))
    return _read(margin, _("gross margin of {period}").format(period=named),
                 missing or (_("cost not reported") if len(cost) < 4 else _("no revenue")))


def _wallet(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    revenue, _cost, missing, named = _recent(account, day, 4)
    share = None if missing else ratio(total(revenue), account.market.wallet)
    return _read(share, _("revenue of {period} over the yearly wallet").format(period=named),
                 missing or _("no market.wallet on file"))


def _contacts(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    if goal.level is None:
        return _Reading(None, _("a contacts_at_level goal needs a level"))
    current = [c for c in account.contacts if c.level == goal.level
               and (c.left_on is None or c.left_on > day)]
    return _Reading(len(current), _("current contacts at {level} level on {day}").format(
        level=_(goal.level), day=plain().date(day)))


def _deals(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    quarters, named = _period(goal.period, day) if goal.period else ([], "")
    window = {q.index for q in quarters}
    counted = []
    for deal in won:
        if deal.stage_since is None:
            return _Reading(None, _("the won deal {deal} has no stage_since (the day it "
                                    "closed)").format(deal=deal.id), gap=True)
        if deal.stage_since <= day and (
                not window or Quarter.containing(deal.stage_since).index in window):
            counted.append(deal)
    within = _(" in {period}").format(period=named) if named else ""
    if goal.measure == "value":
        unvalued = [d.id for d in counted if d.value is None]
        if unvalued:
            return _Reading(None, _("the won deal {deal} has no value").format(
                deal=unvalued[0]), gap=True)
        return _Reading(total(d.value or 0 for d in counted),
                        _("value of the deals won (signed, paid and shipped){within} by {day}"
                          ).format(within=within, day=day))
    return _Reading(len(counted), _("deals won (signed, paid and shipped){within} by {day}"
                                    ).format(within=within, day=day))


def _custom(account: Account, goal: Goal, day: date, won: Sequence[Opportunity]) -> _Reading:
    if goal.actual is None:
        return _Reading(None, _("no actual recorded (actual: its value and date)"))
    if goal.actual.date > day:
        return _Reading(None, _("the actual is dated {day}, after the review date").format(
            day=goal.actual.date))
    return _Reading(goal.actual.value, _("recorded by hand on {day}").format(
        day=plain().date(goal.actual.date)))


_READERS: dict[str, Callable[[Account, Goal, date, Sequence[Opportunity]], _Reading]] = {
    "revenue": _revenue, "growth_yoy": _growth, "gross_margin": _margin,
    "share_of_wallet": _wallet, "contacts_at_level": _contacts, "deals_won": _deals,
    "custom": _custom}
