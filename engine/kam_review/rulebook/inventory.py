"""Seed 000's inventory KPIs of an account that holds our goods, from the account's own
figures: its gross margin on our goods, how often its stock of them turns, its days of supply
and its GMROII. Our own cost and margin never enter them: they measure the account's business.

Seed 000 (第三讲, 库存/周转 and GMROII), over the last 4 complete quarters:
- days of supply = stock / units sold a week x 6 (working days a week);
- turnover (a year) = units sold in a year / stock;
- GMROII = gross margin % x turnover / (100% - gross margin %).
Stock and sales are counted in units where the account reports both (the seed's own
formulas); otherwise at cost (its cost of the goods it sold against its stock at cost), which
gives the same turnover when a unit's cost holds steady.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

from kam_review.rulebook.figures import Exact, before_customer, exact, rounded
from kam_review.source.model import Account, Quarter

QUARTERS = 4
WEEKS_A_YEAR = 52
WORKING_DAYS_A_WEEK = 6  # seed 000: 销售单位(周) x 6天(周)


class Stock(NamedTuple):
    """The account's inventory KPIs; each None where its figures are not all on file."""

    held: bool | None = None
    resale_revenue: float | None = None
    margin: float | None = None
    measure: str | None = None  # "units" or "cost": how stock and sales were counted
    turnover: float | None = None
    days_of_supply: float | None = None
    gmroii: float | None = None


def stock_kpis(account: Account, last: int) -> Stock:
    """The KPIs over the 4 quarters up to the quarter numbered `last` (Quarter.index)."""
    rows = {row.quarter.index: row for row in account.financials
            if last - QUARTERS < row.quarter.index <= last}
    window = [rows.get(i) for i in range(last - QUARTERS + 1, last + 1)]
    reported = [row for row in window if row is not None]
    held = any(r.inventory is not None or r.inventory_units is not None for r in reported)
    if not held:
        # A quarter that ended before the account became a customer held none of our goods:
        # only a customer's own quarter without a row leaves it unknown.
        unknown = [i for i in range(last - QUARTERS + 1, last + 1) if i not in rows
                   and not before_customer(Quarter.from_index(i), account.customer_since)]
        return Stock(None if unknown else False)
    revenue = _year([r.resale_revenue if r else None for r in window])
    cost = _year([r.resale_cost if r else None for r in window])
    margin = None if revenue is None or cost is None or revenue <= 0 else Fraction(
        revenue - cost, revenue)
    latest = window[-1]
    by_units = _turns(_year([r.resale_units if r else None for r in window]),
                      [r.inventory_units for r in reported],
                      None if latest is None else latest.inventory_units)
    by_cost = _turns(cost, [r.inventory for r in reported],
                     None if latest is None else latest.inventory)
    measure, (turnover, days) = ("units", by_units) if by_units[0] is not None else (
        "cost", by_cost)
    gmroii = None
    if turnover is not None and margin is not None and margin < 1:
        gmroii = rounded(margin * turnover / (1 - margin))
    return Stock(
        True, None if revenue is None else float(revenue), rounded(margin),
        measure if turnover is not None else None,
        rounded(turnover), None if days is None else rounded(days), gmroii)


def _year(values: Sequence[float | None]) -> Exact | None:
    """The sum of a year's quarterly figures; unknown when a quarter does not report it."""
    if len(values) < QUARTERS or any(v is None for v in values):
        return None
    return sum((exact(v) for v in values if v is not None), start=0)


def _turns(sold: Exact | None, stocks: Sequence[float | None], latest: float | None
           ) -> tuple[Fraction | None, Fraction | None]:
    """(turnover a year, days of supply): a year's sales against the average of the stocks
    reported in the year; the latest stock against a week's sales, in working days."""
    known = [exact(s) for s in stocks if s is not None]
    if sold is None or not known:
        return None, None
    average = Fraction(sum(known, start=0), len(known))
    turnover = Fraction(sold) / average if average > 0 else None
    days = None
    if latest is not None and sold > 0:
        days = Fraction(exact(latest) * WEEKS_A_YEAR * WORKING_DAYS_A_WEEK) / sold
    return turnover, days

