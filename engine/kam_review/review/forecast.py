"""The forecast the review meeting reads, per account and summed per currency: the current
funnel by seed 004's commitment, the review's quarter, the next one and its year (won, and
the open deals expected to close in each) against the plan's sales targets, and the deals
lost this year with their reasons.

Read from the opportunity facts, where rulebook/commitment.py decided each deal's category
and day. A deal won or lost before the review's quarter is history: it counts for the year's
figures, never in the current funnel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from kam_review.review.results import AccountResult, Result
from kam_review.rulebook.commitment import Periods, first_day, review_periods
from kam_review.source.model import Account, Plan
from kam_review.vocabulary import COMMIT_WON, Status

Fact = Mapping[str, Any]


@dataclass(frozen=True)
class Tally:
    """Deals counted with their value and weighted value (an unknown figure counts 0)."""

    deals: int = 0
    value: float = 0.0
    weighted: float = 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.deals + other.deals, self.value + other.value,
                     self.weighted + other.weighted)

    def times(self, rate: float) -> Tally:
        """The money at an exchange rate (the deals counted as they are)."""
        return Tally(self.deals, self.value * rate, self.weighted * rate)


def tally(facts: Iterable[Fact]) -> Tally:
    total = Tally()
    for fact in facts:
        total += Tally(1, fact.get("value", 0), fact.get("weighted_value", 0))
    return total


@dataclass(frozen=True)
class PeriodLine:
    """One period: the deals won in it up to the review date, the open deals expected to
    close in it from the review date on, and the sales target. The target is measured
    against the won and weighted open value of the accounts that have one."""

    period: str  # "2026-Q3" or "2026"
    name: str  # "this quarter", "next quarter", "this year"
    begun: bool  # by the review date: nothing can be won yet in a period to come
    won: Tally
    open: Tally
    target: float | None = None
    targets: int = 0  # accounts with a target for the period
    won_against: float = 0.0
    weighted_against: float = 0.0

    def __add__(self, other: PeriodLine) -> PeriodLine:
        target = None if self.target is None and other.target is None else (
            (self.target or 0) + (other.target or 0))
        return replace(self, won=self.won + other.won, open=self.open + other.open,
                       target=target, targets=self.targets + other.targets,
                       won_against=self.won_against + other.won_against,
                       weighted_against=self.weighted_against + other.weighted_against)

    def times(self, rate: float) -> PeriodLine:
        """The money at an exchange rate."""
        return replace(self, won=self.won.times(rate), open=self.open.times(rate),
                       target=None if self.target is None else self.target * rate,
                       won_against=self.won_against * rate,
                       weighted_against=self.weighted_against * rate)

    @property
    def won_share(self) -> float | None:
        """Won against the target; None without a target, or before the period begins."""
        return self.won_against / self.target if self.target and self.begun else None

    @property
    def expected_share(self) -> float | None:
        """Won and the weighted open value together against the target."""
        return (self.won_against + self.weighted_against) / self.target if self.target \
            else None


@dataclass(frozen=True)
class LostDeal:
    account: Account
    fact: Fact  # the opportunity's fact: name, value, lost_on, loss_reason

    @property
    def day(self) -> str:
        return str(self.fact.get("lost_on", ""))


@dataclass(frozen=True)
class Forecast:
    """One account's forecast, or the sum of those of one currency ("" when unnamed)."""

    currency: str
    accounts: int
    by_commitment: dict[str, Tally]  # the current funnel: neither lost nor history
    periods: tuple[PeriodLine, ...]  # this quarter, next quarter, this year
    lost_quarter: Tally
    lost_year: Tally
    lost: tuple[LostDeal, ...] = field(default=())  # lost this year or on an unknown day

    def __add__(self, other: Forecast) -> Forecast:
        keys = [*self.by_commitment, *(k for k in other.by_commitment
                                       if k not in self.by_commitment)]
        return replace(
            self, accounts=self.accounts + other.accounts,
            by_commitment={k: self.by_commitment.get(k, Tally())
                           + other.by_commitment.get(k, Tally()) for k in keys},
            periods=tuple(a + b for a, b in zip(self.periods, other.periods, strict=True)),
            lost_quarter=self.lost_quarter + other.lost_quarter,
            lost_year=self.lost_year + other.lost_year, lost=self.lost + other.lost)

    def converted(self, currency: str, rate: float) -> Forecast:
        """The forecast's sums in another currency, at `rate` to it; the lost deals stay as
        their files write them."""
        return replace(
            self, currency=currency,
            by_commitment={k: tally.times(rate) for k, tally in self.by_commitment.items()},
            periods=tuple(line.times(rate) for line in self.periods),
            lost_quarter=self.lost_quarter.times(rate), lost_year=self.lost_year.times(rate))

    @property
    def year(self) -> PeriodLine:
        return self.periods[-1]

    @property
    def lost_share(self) -> float | None:
        """Seed 004's lost orders (流失的定单): the value lost this year against the value
        decided (won and lost) this year; None when nothing was decided."""
        decided = self.year.won.value + self.lost_year.value
        return self.lost_year.value / decided if decided else None


def sales_target(plan: Plan | None, period: str) -> float | None:
    """The plan's target for a year or a quarter; a year without one of its own takes the
    sum of its four quarters' targets when all four are given."""
    targets = {t.period: t.revenue for t in plan.sales_targets} if plan else {}
    if period in targets or "-Q" in period:
        return targets.get(period)
    quarters = [targets.get(f"{period}-Q{n}") for n in range(1, 5)]
    return None if None in quarters else sum(q for q in quarters if q is not None)


def account_forecast(item: AccountResult, periods: Periods) -> Forecast:
    account = item.account
    deals = [f for f in item.facts if f["type"] == "opportunity"]
    current = [f for f in deals if f["commit_category"] and not f["is_history"]]
    by_commitment: dict[str, Tally] = {}
    for fact in current:
        name = fact["commit_category"]
        by_commitment[name] = by_commitment.get(name, Tally()) + tally([fact])
    this, after = periods.this_quarter, periods.next_quarter
    year = (date(periods.year, 1, 1), date(periods.year, 12, 31))
    spans = ((str(this), "this quarter", (periods.quarter_start, this.last_day)),
             (str(after), "next quarter", (first_day(after), after.last_day)),
             (str(periods.year), "this year", year))
    won = [f for f in deals if f["commit_category"] == COMMIT_WON and "closed_on" in f]
    lost = [f for f in deals if f["stage"] == Status.LOST]
    lines = []
    for period, name, (start, end) in spans:
        won_in = tally(f for f in won
                       if start <= _day(f, "closed_on") <= min(end, periods.as_of))
        open_in = tally(f for f in deals if f["is_open"] and "expected_close" in f
                        and max(start, periods.as_of) <= _day(f, "expected_close") <= end)
        target = sales_target(account.plan, period)
        lines.append(PeriodLine(
            period, name, start <= periods.as_of, won_in, open_in, target,
            int(target is not None),
            won_in.value if target is not None else 0.0,
            open_in.weighted if target is not None else 0.0))
    lost_this_year = [f for f in lost if "lost_on" not in f
                      or _day(f, "lost_on").year == periods.year]
    return Forecast(
        # An account naming no currency is in the portfolio's default (its formats').
        currency=item.formats.currency or "", accounts=1, by_commitment=by_commitment,
        periods=tuple(lines),
        lost_quarter=tally(f for f in lost if "lost_on" in f
                           and periods.quarter_start <= _day(f, "lost_on") <= this.last_day),
        lost_year=tally(f for f in lost_this_year if "lost_on" in f),
        lost=tuple(LostDeal(account, f) for f in lost_this_year))


# A currency's exchange: the currency its sums are held in, and the rate to it.
Exchange = Callable[[str | None], tuple[str | None, float]]


def portfolio_forecast(result: Result, forecast_of: Callable[[AccountResult, Periods], Forecast]
                       = account_forecast, exchange: Exchange | None = None
                       ) -> list[Forecast]:
    """Every account's forecast (made by `forecast_of`) summed per currency, in the order of
    the currencies, each first converted by `exchange` (the site's rates) where it gives a
    rate; lost deals newest first (those on an unknown day last)."""
    periods = review_periods(result.as_of)
    sums: dict[str, Forecast] = {}
    for item in result.accounts:
        forecast = forecast_of(item, periods)
        held, rate = exchange(forecast.currency or None) if exchange else (None, 1.0)
        if exchange and (held or "") != forecast.currency:
            forecast = forecast.converted(held or "", rate)
        known = sums.get(forecast.currency)
        sums[forecast.currency] = forecast if known is None else known + forecast
    return [replace(f, lost=tuple(sorted(f.lost, key=_newest_first)))
            for _, f in sorted(sums.items())]


def _newest_first(deal: LostDeal) -> tuple[bool, int, str, str]:
    day = deal.day
    return (not day, -date.fromisoformat(day).toordinal() if day else 0, deal.account.id,
            str(deal.fact["subject"]))


def _day(fact: Fact, name: str) -> date:
    return date.fromisoformat(fact[name])
