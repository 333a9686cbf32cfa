"""What an account's quarterly history says over time, from the quarters on file only: its
yearly growth on short histories too, its recent revenue against the quarters before, runs
of quarters without sales, and how fresh and complete the figures are.

A quarter without a row is unknown, never zero (see figures.revenue_series): a formula uses
the quarters that exist and says how many it used, or is unknown and says which data it
lacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from kam_review.i18n import _
from kam_review.rulebook.figures import (
    Exact,
    SeriesQuarter,
    days_between,
    exact,
    quotient,
    rounded,
)
from kam_review.source.model import Account, Quarter
from kam_review.wording import counted

# A yearly trend is read from this many quarters at least: the last 2 against the 2 before.
TREND_QUARTERS = 4
# Freshness looks this far back: the longest window a figure needs (a year against a year).
WINDOW_QUARTERS = 8
# How growth over a year is read without a quarter a year before (growth_basis).
TREND_BASIS = "trend: the last 2 quarters against the 2 before, as a yearly rate"


class Growth(NamedTuple):
    """Growth over a year, the quarters it was read from and how; or, unknown, what data
    would make it known."""

    rate: float | None
    quarters: int | None = None
    basis: str | None = None
    needs: str | None = None


def yearly_growth(series: Sequence[SeriesQuarter]) -> Growth:
    """Growth over a year from the quarters on file, up to the last complete quarter:
    - the quarters of the last 4 whose quarter a year before is on file too, against those
      (all 4: the last 4 quarters against the 4 before, year on year);
    - else, with the last 4 quarters on file, their trend: the last 2 against the 2 before,
      compounded to a yearly rate.
    Unknown when the last complete quarter has no row (the figures are stale)."""
    revenue = [r for _, r, _ in series]
    if not revenue:
        return Growth(None, needs=_("revenue by quarter (no row on file)"))
    if revenue[-1] is None:
        return Growth(None, needs=_("revenue of {period}").format(
            period=missing_at_end(series)))
    known = same_quarters_a_year_apart(series)
    if known:
        new, old = sum_of(n for n, _ in known), sum_of(o for _, o in known)
        rate = quotient(new - old, old)
        if rate is not None:
            if len(known) == 4:
                return Growth(rate, 8, _("the last 4 quarters against the 4 before"))
            return Growth(rate, 2 * len(known),
                          _("{count} of the last 4 quarters against the same quarters a year "
                            "before").format(count=len(known)))
    last_four = revenue[-TREND_QUARTERS:]
    if len(last_four) == TREND_QUARTERS and None not in last_four:
        later, earlier = sum_of(last_four[2:]), sum_of(last_four[:2])
        if earlier > 0:
            # Two quarters apart, so a year is that ratio squared.
            return Growth(rounded((Fraction(later) / earlier) ** 2 - 1), TREND_QUARTERS,
                          _(TREND_BASIS))
    return Growth(None, needs=_growth_needs(series, bool(known)))


def same_quarters_a_year_apart(series: Sequence[SeriesQuarter]) -> list[tuple[float, float]]:
    """(revenue, revenue a year before) for each of the last 4 quarters where both quarters
    have a row, latest first."""
    revenue = [r for _, r, _ in series]
    pairs = [(revenue[-1 - i], revenue[-5 - i]) for i in range(4) if len(revenue) >= 5 + i]
    return [(new, old) for new, old in pairs if new is not None and old is not None]


def _growth_needs(series: Sequence[SeriesQuarter], had_pairs: bool) -> str:
    if had_pairs:
        return _("revenue above zero in the quarters a year before")
    run = known_run(series)
    if run < TREND_QUARTERS:
        gaps = [str(q) for q, r, _ in series[-TREND_QUARTERS:] if r is None]
        if gaps:
            return _("revenue of {period}").format(period=_(", ").join(gaps))
        more = TREND_QUARTERS - run
        return _("{more} of revenue (a yearly trend needs {needed}, {run} on file)").format(
            more=counted(more, 'more quarter'), needed=TREND_QUARTERS, run=run)
    return _("revenue above zero in the first 2 of the last 4 quarters")


def sum_of(values: Iterable[float | None]) -> Exact:
    return sum((exact(v) for v in values if v is not None), start=0)


def known_run(series: Sequence[SeriesQuarter]) -> int:
    """How many quarters in a row, up to the last complete one, have a row."""
    run = 0
    while run < len(series) and series[-1 - run][1] is not None:
        run += 1
    return run


def missing_at_end(series: Sequence[SeriesQuarter]) -> str:
    """The quarters without a row at the end of the series, oldest first: '2026-Q2, 2026-Q3'."""
    missing = []
    for quarter, revenue, _cost in reversed(series):
        if revenue is not None:
            break
        missing.append(str(quarter))
    return ", ".join(reversed(missing))


def recent_revenue_ratio(series: Sequence[SeriesQuarter]) -> float | None:
    """Average revenue of the last 2 quarters against the average of the 4 before, over the
    quarters of each that are on file; unknown without the last quarter or any of the 4."""
    revenue = [r for _, r, _ in series]
    if len(revenue) < 3 or revenue[-1] is None:
        return None
    recent = [r for r in revenue[-2:] if r is not None]
    before = [r for r in revenue[-6:-2] if r is not None]
    if not before:
        return None
    old = Fraction(sum_of(before), len(before))
    return rounded(Fraction(sum_of(recent), len(recent)) / old) if old > 0 else None


def zero_revenue_run(series: Sequence[SeriesQuarter]) -> int | None:
    """How many quarters in a row, up to the last complete one, had no sales (revenue 0);
    the run stops at a quarter without a row, and is unknown when the last one has none."""
    revenue = [r for _, r, _ in series]
    if not revenue or revenue[-1] is None:
        return None
    run = 0
    while run < len(revenue) and revenue[-1 - run] == 0:
        run += 1
    return run


def zero_run_after_buying(series: Sequence[SeriesQuarter]) -> int | None:
    """zero_revenue_run, counted only after a quarter with revenue: an account that never
    bought has not declined."""
    run = zero_revenue_run(series)
    if not run:
        return run
    return run if any(r is not None and r > 0 for _, r, _ in series[:-run]) else 0


class Freshness(NamedTuple):
    """How current and complete an account's figures are, as of the last complete quarter."""

    latest: str  # the latest quarter with a row, "none" without one
    unreported: int | None  # complete quarters at the end without a row
    gaps: tuple[str, ...]  # quarters without a row inside the history, in the window


def freshness(account: Account, last: Quarter) -> Freshness:
    """The latest quarter on file (up to `last`), the quarters after it without a row (from
    customer_since's quarter when there is no row at all; unknown without either), and the
    quarters missing between the first and the latest row within the last 8."""
    on_file = {row.quarter.index for row in account.financials if row.quarter.index <= last.index}
    if not on_file:
        since = account.customer_since
        unreported = None if since is None else max(
            0, last.index - Quarter.containing(since).index + 1)
        return Freshness("none", unreported, ())
    latest = max(on_file)
    start = max(min(on_file), last.index - WINDOW_QUARTERS + 1)
    gaps = tuple(str(Quarter.from_index(i)) for i in range(start, latest) if i not in on_file)
    return Freshness(str(Quarter.from_index(latest)), last.index - latest, gaps)


def lead_points(rate: float | None, industry: float | None) -> float | None:
    """How many percentage points growth runs above the industry's, from the two figures as
    written in decimals (0.2 against 0.05 is exactly 15 points, as a threshold states it)."""
    if rate is None or industry is None:
        return None
    return rounded((Fraction(repr(rate)) - Fraction(repr(industry))) * 100)


def buying_years(account: Account, series: Sequence[SeriesQuarter], as_of: date
                 ) -> tuple[float | None, str | None]:
    """How long the account has bought from us, and since when: from customer_since when the
    file gives it (unknown when it lies after the review date: not yet a customer then, or a
    typo; never a negative time), else from the first quarter with revenue on file, four
    quarters a year."""
    if account.customer_since is not None:
        days = days_between(as_of, account.customer_since)
        return (None if days is None else days / 365.25, account.customer_since.isoformat())
    first = next((i for i, (_, r, _) in enumerate(series) if r), None)
    if first is None:
        return None, None
    return (len(series) - first) / 4, _("{quarter} (first quarter with revenue)").format(
        quarter=series[first][0])
