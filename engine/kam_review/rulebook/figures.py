"""An account's figures and the formulas over them: the quarterly series, growth, gross margin.

Figures are exact: a sum or a ratio is computed from the file's figures exactly and rounded
once, to the nearest float, so that a boundary a rule states (growth of exactly 25%) is met
and pages show what the file says. Each formula is written here once; the facts and the
pages both call it. A quarter without a row is a gap in the data: its revenue is unknown
(None), never zero, and every figure that needs it is unknown too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from fractions import Fraction

from kam_review.source.model import Account, Quarter

# A figure as an exact number: an int, or the fraction a float stands for.
Exact = int | Fraction
# One quarter of an account's series: (quarter, revenue, cost); revenue and cost None when
# the quarter has no row (a gap), cost None too when the row does not report it.
SeriesQuarter = tuple[Quarter, float | None, float | None]


def last_complete_quarter(as_of: date) -> Quarter:
    current = Quarter.containing(as_of)
    if current.last_day <= as_of:
        return current
    return Quarter.from_index(current.index - 1)


def revenue_series(account: Account, as_of: date) -> list[SeriesQuarter]:
    """(quarter, revenue, cost) from the first quarter on file to the last complete quarter;
    a quarter without a row is unknown (None, None): a quarter without sales says revenue 0."""
    last = last_complete_quarter(as_of).index
    rows = {row.quarter.index: row for row in account.financials if row.quarter.index <= last}
    if not rows:
        return []
    series: list[SeriesQuarter] = []
    for index in range(min(rows), last + 1):
        row = rows.get(index)
        series.append((Quarter.from_index(index), row.revenue if row else None,
                       row.cost if row else None))
    return series


def four_quarters(series: Sequence[SeriesQuarter], skip: int) -> tuple[float, float | None] | None:
    """(revenue, cost) of four quarters, ending `skip` quarters before the last one: unknown
    when one of them has no row; cost is None unless every one of the four reports it."""
    if len(series) < skip + 4:
        return None
    rows = series[len(series) - skip - 4: len(series) - skip]
    revenue = [r for _, r, _ in rows if r is not None]
    if len(revenue) < 4:
        return None
    costs = [c for _, _, c in rows if c is not None]
    return total(revenue), (total(costs) if len(costs) == 4 else None)


def before_customer(quarter: Quarter, customer_since: date | None) -> bool:
    """Whether the quarter ended before the account became a customer: it bought nothing
    from us then, a known zero where a customer's own quarter without a row is unknown."""
    return customer_since is not None and quarter.last_day < customer_since


def new_customer_quarters(series: Sequence[SeriesQuarter], customer_since: date | None
                          ) -> tuple[float, float | None] | None:
    """(revenue, cost) of the last four quarters of an account that became a customer within
    them: the quarters before its first row ended before customer_since, so it bought
    nothing then, and the rows on file are the four quarters' whole sales. None for any
    other account, or when a quarter since its first row has none."""
    if not series or len(series) >= 4 or not before_customer(
            Quarter.from_index(series[0][0].index - 1), customer_since):
        return None
    revenue = [r for _, r, _ in series if r is not None]
    if len(revenue) < len(series):
        return None
    costs = [c for _, _, c in series if c is not None]
    return total(revenue), (total(costs) if len(costs) == len(series) else None)


def exact(value: float) -> Exact:
    return value if isinstance(value, int) else Fraction(value)


def total(values: Iterable[float]) -> float:
    """A sum rounded once: exact (an int) when every figure is an int."""
    figures = list(values)
    return sum(figures) if all(isinstance(v, int) for v in figures) else math.fsum(figures)


def rounded(value: Exact | None) -> float | None:
    """The nearest float; None (unknown) beyond a float's range, e.g. growth from 1e-300."""
    try:
        return None if value is None else float(value)
    except OverflowError:
        return None


def quotient(numerator: Exact, denominator: Exact) -> float | None:
    return rounded(Fraction(numerator, denominator)) if denominator > 0 else None


def ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None:
        return None
    return quotient(exact(part), exact(whole))


def growth(new: float, old: float) -> float | None:
    """new / old - 1, rounded once: 1.1M against 1M is exactly 0.1; unknown without `old`."""
    return quotient(exact(new) - exact(old), exact(old))


def gross_profit(revenue: float, cost: float) -> Exact:
    return exact(revenue) - exact(cost)


def exact_gross_margin(revenue: float, cost: float | None) -> Fraction | None:
    """(revenue - cost) / revenue, exactly; unknown without cost or without revenue."""
    if cost is None or revenue <= 0:
        return None
    return Fraction(gross_profit(revenue, cost), exact(revenue))


def gross_margin(revenue: float, cost: float | None) -> float | None:
    """The gross margin as a fraction, rounded once."""
    return rounded(exact_gross_margin(revenue, cost))


def days_between(later: date, earlier: date | None) -> int | None:
    """Days from `earlier` to `later` (the review date); None when `earlier` is not given or
    lies after it: as of the review date it has not happened, so how long ago is unknown,
    never a negative count."""
    return (later - earlier).days if earlier is not None and earlier <= later else None
