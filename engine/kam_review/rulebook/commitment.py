"""Seed 004's forecast by commitment (按销售预测): each deal's category against the review's
quarter and the next, and the day a deal was won or lost.

A won deal is signed, paid and shipped; an open deal expected to close in the review's
quarter is guaranteed (at negotiation, with at least commit_guaranteed_min_probability) or
likely (at least commit_likely_min_probability), one expected next quarter is likely with
that chance; every other open deal from confirmed intent on is intent. Deals before intent
and open deals past their close date are not forecast. A deal won or lost before the
review's quarter began is history: the current funnel does not count it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kam_review.rulebook.funnel import Stage
from kam_review.source.model import Opportunity, Quarter
from kam_review.vocabulary import (
    BUCKET_CLOSED_UNCONFIRMED,
    BUCKET_OVERDUE,
    COMMIT_BEFORE_INTENT,
    COMMIT_FORECAST_FROM,
    COMMIT_GUARANTEED,
    COMMIT_GUARANTEED_FROM,
    COMMIT_INTENT,
    COMMIT_LIKELY_NEXT,
    COMMIT_LIKELY_THIS,
    COMMIT_WON,
    Status,
)


@dataclass(frozen=True)
class Periods:
    """The periods of a review: the quarter holding its date, the next one, and its year."""

    as_of: date
    this_quarter: Quarter
    next_quarter: Quarter

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def quarter_start(self) -> date:
        """The first day of the review's quarter: a deal decided before it is history."""
        return first_day(self.this_quarter)


def first_day(quarter: Quarter) -> date:
    return date(quarter.year, quarter.number * 3 - 2, 1)


def review_periods(as_of: date) -> Periods:
    this = Quarter.containing(as_of)
    return Periods(as_of, this, Quarter.from_index(this.index + 1))


def decided_on(opportunity: Opportunity) -> date | None:
    """The day a deal was won (closed_on) or lost (lost_on); without it, the day it reached
    that stage (stage_since). None for an open deal."""
    status = Status.of_stage(opportunity.stage)
    if status == Status.OPEN:
        return None
    own = opportunity.closed_on if status == Status.CLOSED else opportunity.lost_on
    return own or opportunity.stage_since


def is_history(opportunity: Opportunity, periods: Periods) -> bool:
    """Won or lost before the review's quarter: history, not pipeline."""
    day = decided_on(opportunity)
    return day is not None and day < periods.quarter_start


def commit_category(opportunity: Opportunity, bucket: str, periods: Periods,
                    stages: Sequence[Stage], thresholds: Mapping[str, float]) -> str:
    """The deal's commitment, from its forecast bucket (subject_facts.forecast_bucket), its
    expected close, stage and probability; empty for a lost deal, as its bucket."""
    if bucket in ("", BUCKET_CLOSED_UNCONFIRMED, BUCKET_OVERDUE):
        return bucket
    if bucket == Status.CLOSED:
        return COMMIT_WON
    index = {stage.id: stage.index for stage in stages}
    reached = index.get(opportunity.stage, 0)
    if reached < index.get(COMMIT_FORECAST_FROM, 0):
        return COMMIT_BEFORE_INTENT
    close = opportunity.expected_close
    if close is None:
        return COMMIT_INTENT
    ahead = Quarter.containing(close).index - periods.this_quarter.index
    chance = opportunity.probability

    def at_least(name: str) -> bool:
        floor = thresholds.get(name)
        return chance is not None and floor is not None and chance >= floor

    if ahead == 0 and reached >= index.get(COMMIT_GUARANTEED_FROM, reached + 1) \
            and at_least("commit_guaranteed_min_probability"):
        return COMMIT_GUARANTEED
    if ahead in (0, 1) and at_least("commit_likely_min_probability"):
        return COMMIT_LIKELY_THIS if ahead == 0 else COMMIT_LIKELY_NEXT
    return COMMIT_INTENT
