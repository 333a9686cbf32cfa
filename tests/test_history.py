"""The quarterly history and the inventory KPIs, formula by formula: a quarter without a row
is unknown, never zero; growth is read from the quarters on file; the account's stock is
measured with its own figures (seed 000). Boundaries are pinned."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from kam_review.rulebook.account_fact_type import AccountFacts
from kam_review.rulebook.facts import typed_account_facts
from kam_review.rulebook.figures import SeriesQuarter, new_customer_quarters
from kam_review.rulebook.history import (
    Growth,
    buying_years,
    freshness,
    lead_points,
    recent_revenue_ratio,
    yearly_growth,
    zero_revenue_run,
    zero_run_after_buying,
)
from kam_review.rulebook.inventory import stock_kpis
from kam_review.rulebook.loading import Rulebook
from kam_review.source.model import Account, Market, Opportunity, Quarter, QuarterFigures

from .conftest import AS_OF

LAST = Quarter(2026, 3)  # the last complete quarter as of AS_OF


def _series(revenue: list[float | None], last: Quarter = LAST) -> list[SeriesQuarter]:
    """Quarters up to `last`, None for a quarter without a row."""
    first = last.index - len(revenue) + 1
    return [(Quarter.from_index(first + i), r, None) for i, r in enumerate(revenue)]


def _account(rows: list[QuarterFigures], **fields: Any) -> Account:
    return Account(id="a", name="A", owner="Li Wei", financials=tuple(rows),
                   source=Path("a.yaml"), **fields)


def _row(quarter: str, revenue: float = 1_000_000, **fields: float) -> QuarterFigures:
    return QuarterFigures(Quarter.parse(quarter), revenue, **fields)


# --- growth over a year --------------------------------------------------------------------

def test_eight_quarters_give_growth_year_on_year() -> None:
    growth = yearly_growth(_series([1_000_000] * 4 + [1_100_000] * 4))
    assert growth == Growth(0.1, 8, "the last 4 quarters against the 4 before")


@pytest.mark.parametrize(("revenue", "rate", "quarters"), [
    # 6 quarters: the last 2 against the same 2 a year before, (800k + 1M) / (100k + 150k).
    ([100_000, 150_000, 300_000, 500_000, 800_000, 1_000_000], 6.2, 4),
    # 5 quarters: the last one against the same quarter a year before.
    ([600_000, 700_000, 650_000, 500_000, 300_000], -0.5, 2),
    # 7 quarters: 3 pairs.
    ([100, 100, 100, 120, 130, 130, 130], 0.3, 6),
])
def test_short_histories_compare_the_quarters_a_year_apart(revenue: list[float], rate: float,
                                                            quarters: int) -> None:
    growth = yearly_growth(_series(revenue))
    assert (growth.rate, growth.quarters) == (pytest.approx(rate), quarters)
    assert growth.basis == (f"{quarters // 2} of the last 4 quarters against the same quarters "
                            "a year before")


def test_four_quarters_give_a_yearly_trend() -> None:
    # Half a year apart the last 2 are 1.1 times the first 2: 1.21 times in a year.
    growth = yearly_growth(_series([500_000, 500_000, 550_000, 550_000]))
    assert growth.rate == float(Fraction(121, 100) - 1)
    assert (growth.quarters, growth.basis) == (
        4, "trend: the last 2 quarters against the 2 before, as a yearly rate")


def test_a_gap_leaves_out_its_pair_not_the_year() -> None:
    # 2025-Q3 has no row: its pair with 2026-Q3 is left out, the other three count.
    growth = yearly_growth(_series([100, 100, 100, None, 110, 110, 110, 500]))
    assert (growth.rate, growth.quarters) == (pytest.approx(0.1), 6)


@pytest.mark.parametrize(("revenue", "needs"), [
    ([], "revenue by quarter (no row on file)"),
    ([100, 100, 100, None, None], "revenue of 2026-Q2, 2026-Q3"),
    ([100, 100, 100], "1 more quarter of revenue (a yearly trend needs 4, 3 on file)"),
    ([100], "3 more quarters of revenue (a yearly trend needs 4, 1 on file)"),
    ([100, None, 100, 100], "revenue of 2026-Q1"),
    ([100, None, None, 100], "revenue of 2026-Q1, 2026-Q2"),
    ([0, 0, 0, 0, 100], "revenue above zero in the quarters a year before"),
    ([0, 0, 100, 100], "revenue above zero in the first 2 of the last 4 quarters"),
])
def test_unknown_growth_says_what_it_needs(revenue: list[float | None], needs: str) -> None:
    assert yearly_growth(_series(revenue)) == Growth(None, needs=needs)


def test_a_trend_needs_the_first_half_year_above_zero_however_little() -> None:
    # 0 + 1 then 1 + 1: twice as much half a year later, four times as much in a year.
    assert yearly_growth(_series([0, 1, 1, 1])).rate == 3.0


# --- recent revenue, runs without sales ------------------------------------------------------

def test_recent_revenue_uses_the_quarters_on_file() -> None:
    assert recent_revenue_ratio(_series([100, 100, 100, 100, 10, 10])) == 0.1
    # The second-last quarter has no row: the last alone is the recent revenue.
    assert recent_revenue_ratio(_series([100, 100, 100, 100, None, 10])) == 0.1
    # Three quarters are enough: the last 2 against the one before.
    assert recent_revenue_ratio(_series([200, 0, 0])) == 0
    assert recent_revenue_ratio(_series([0, 0])) is None
    assert recent_revenue_ratio(_series([100, 100, 100, None])) is None  # stale
    assert recent_revenue_ratio(_series([0, 0, 0, 0, 5, 5])) is None  # nothing before


def test_recent_revenue_against_an_average_below_one() -> None:
    # The 4 quarters before average 0.5, above zero: the last 2 (1 each) are twice that.
    assert recent_revenue_ratio(_series([0, 0, 0, 2, 1, 1])) == 2.0


@pytest.mark.parametrize(("revenue", "run"), [
    ([5, 0, 0], 2),
    ([0.5, 0, 0], 2),  # any sale before the run counts, however small
    ([0, 0, 5, 0], 1),  # the sale just before the run, not the first quarters on file
    ([0, None, 0, 0], 0),  # a known 0 before a gap: the account never bought
    ([None, 0, 0], 0),
    ([0, 0, 0], 0),
    ([5, 0, None], None),
    ([5], 0),
])
def test_a_run_without_sales_counts_only_after_buying(revenue: list[float | None],
                                                      run: int | None) -> None:
    assert zero_run_after_buying(_series(revenue)) == run


def test_a_run_without_sales_stops_at_a_gap() -> None:
    assert zero_revenue_run(_series([100, 0, 0, 0])) == 3
    assert zero_revenue_run(_series([100, 0, None, 0, 0])) == 2
    assert zero_revenue_run(_series([100, 0])) == 1
    assert zero_revenue_run(_series([0, 100])) == 0
    assert zero_revenue_run(_series([100, 0, None])) is None
    assert zero_revenue_run([]) is None


# --- freshness, how long the account has bought ----------------------------------------------

def test_freshness_counts_the_quarters_behind_and_the_gaps_in_the_window() -> None:
    rows = [_row(q) for q in ("2024-Q2", "2024-Q4", "2025-Q1", "2025-Q3", "2026-Q2",
                              "2026-Q4")]
    fresh = freshness(_account(rows), LAST)
    # 2024-Q3 lies outside the last 8 quarters; 2026-Q4 is after the last complete one.
    assert fresh.latest == "2026-Q2"
    assert fresh.unreported == 1
    assert fresh.gaps == ("2025-Q2", "2025-Q4", "2026-Q1")


def test_the_window_of_gaps_starts_eight_quarters_back() -> None:
    """2024-Q4 is the first of the 8 quarters up to 2026-Q3: a gap there counts; one quarter
    further back it does not."""
    def rows(first: str, missing: str) -> list[QuarterFigures]:
        start = Quarter.parse(first).index
        return [_row(str(Quarter.from_index(i))) for i in range(start, LAST.index + 1)
                if str(Quarter.from_index(i)) != missing]

    assert freshness(_account(rows("2024-Q3", "2024-Q4")), LAST).gaps == ("2024-Q4",)
    assert freshness(_account(rows("2024-Q2", "2024-Q3")), LAST).gaps == ()


@pytest.mark.parametrize(("since", "unreported"), [
    (None, None), (date(2026, 10, 1), 0), (date(2026, 9, 30), 1), (date(2026, 1, 1), 3)])
def test_an_account_without_rows_is_behind_since_it_became_a_customer(
        since: date | None, unreported: int | None) -> None:
    fresh = freshness(_account([], customer_since=since), LAST)
    assert (fresh.latest, fresh.unreported, fresh.gaps) == ("none", unreported, ())


def test_buying_years_from_the_first_order_or_the_first_quarter_with_revenue() -> None:
    series = _series([0, 0, 100, 100, 100, 100])
    assert buying_years(_account([]), series, AS_OF) == (
        1.0, "2025-Q4 (first quarter with revenue)")
    since = date(2025, 9, 30)
    assert buying_years(_account([], customer_since=since), series, AS_OF) == (
        365 / 365.25, "2025-09-30")
    assert buying_years(_account([]), _series([0, 0]), AS_OF) == (None, None)


# --- live opportunities --------------------------------------------------------------------

def _facts(account: Account, rulebook: Rulebook) -> AccountFacts:
    first = typed_account_facts(account, AS_OF, rulebook)[0]
    assert isinstance(first, AccountFacts)
    return first


@pytest.mark.parametrize(("days_in_stage", "days_to_close", "live"), [
    (120, 0, 1),  # stage.stale fires after 120 days; closing today is not overdue
    (121, 0, 0),  # parked
    (0, -1, 0),  # overdue
    (None, None, 1),  # nothing says it stopped
])
def test_a_parked_or_overdue_deal_is_not_live(rulebook: Rulebook, days_in_stage: int | None,
                                              days_to_close: int | None, live: int) -> None:
    deal = Opportunity(
        "d", "Deal", "intent",
        stage_since=None if days_in_stage is None else AS_OF - timedelta(days=days_in_stage),
        expected_close=None if days_to_close is None else AS_OF + timedelta(days=days_to_close))
    lost = Opportunity("l", "Lost deal", "lost", stage_since=AS_OF)
    facts = _facts(_account([_row("2026-Q3")], opportunities=(deal, lost)), rulebook)
    assert (facts.open_opportunities, facts.live_opportunities) == (1, live)


def test_a_decline_streak_stops_at_a_gap(rulebook: Rulebook) -> None:
    rows = [_row(q, r) for q, r in (("2025-Q4", 900), ("2026-Q1", 800), ("2026-Q3", 700))]
    facts = _facts(_account(rows), rulebook)
    assert facts.revenue_decline_streak == 0
    assert facts.revenue_trail == "900 -> 800 -> no row -> 700"
    facts = _facts(_account(rows[:2]), rulebook)
    assert (facts.revenue_decline_streak, facts.growth_qoq) == (None, None)


def test_growth_against_the_industry_in_points_as_written(rulebook: Rulebook) -> None:
    rows = [_row(f"{y}-Q{q}", r) for (y, q), r in zip(
        [(2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2),
         (2026, 3)], [100] * 4 + [140] * 4, strict=True)]
    unknown = _facts(_account(rows), rulebook)
    # Without market.industry_growth, the industry is taken to grow default_industry_growth.
    assert unknown.industry_growth is None
    assert unknown.industry_growth_used == 0.18
    assert unknown.growth_lead_pts == 22
    known = _facts(_account(rows, market=Market(industry_growth=0.3)), rulebook)
    assert (known.industry_growth_used, known.growth_lead_pts) == (0.3, 10)
    # In binary floats 0.4 - 0.18 is 0.22000000000000003: the points are taken as written.
    assert lead_points(0.4, 0.18) == 22
    assert lead_points(0.2, 0.05) == 15
    assert lead_points(None, 0.05) is None


# --- the account's own inventory KPIs (seed 000) ----------------------------------------------

def _resale(quarter: str, **fields: float) -> QuarterFigures:
    own = {"resale_revenue": 1_250_000, "resale_cost": 1_000_000, "resale_units": 2_000,
           "inventory_units": 1_000, "inventory": 500_000}
    return _row(quarter, **(own | fields))


YEAR = ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")


def test_units_are_counted_where_the_account_reports_them() -> None:
    stock = stock_kpis(_account([_resale(q) for q in YEAR]), LAST.index)
    assert (stock.held, stock.measure, stock.resale_revenue, stock.margin) == (
        True, "units", 5_000_000, 0.2)
    assert stock.turnover == 8  # 8,000 units a year over 1,000
    assert stock.days_of_supply == 39  # 1,000 / (8,000 / 52) x 6
    assert stock.gmroii == 2  # 0.2 x 8 / 0.8


def test_the_latest_stock_gives_the_days_of_supply_the_average_the_turnover() -> None:
    rows = [_resale(q, inventory_units=units) for q, units in zip(
        YEAR, (500, 1_000, 1_500, 1_000), strict=True)]
    stock = stock_kpis(_account(rows), LAST.index)
    assert stock.turnover == 8  # 8,000 over the average 1,000
    rows[-1] = _resale(YEAR[-1], inventory_units=2_000)
    stock = stock_kpis(_account(rows), LAST.index)
    assert stock.turnover == float(Fraction(8_000 * 4, 5_000))
    assert stock.days_of_supply == 78  # the latest 2,000


def test_stock_at_cost_counts_without_units() -> None:
    rows = [_resale(q, resale_units=None, inventory_units=None)  # type: ignore[arg-type]
            for q in YEAR]
    stock = stock_kpis(_account(rows), LAST.index)
    assert (stock.measure, stock.turnover, stock.days_of_supply) == ("cost", 8, 39)


def test_a_year_of_sales_needs_every_quarter() -> None:
    stock = stock_kpis(_account([_resale(q) for q in YEAR[1:]]), LAST.index)
    assert stock == (True, None, None, None, None, None, None)  # a quarter without a row


def test_units_missing_in_one_quarter_fall_back_on_cost() -> None:
    rows = [_resale(YEAR[0], resale_units=None)]  # type: ignore[arg-type]
    stock = stock_kpis(_account(rows + [_resale(q) for q in YEAR[1:]]), LAST.index)
    # 4M of its cost of goods over 500k of stock at cost.
    assert (stock.measure, stock.turnover, stock.days_of_supply, stock.gmroii) == (
        "cost", 8, 39, 2)


def test_no_stock_reported_is_known_only_with_a_full_year() -> None:
    plain = [_row(q) for q in YEAR]
    assert stock_kpis(_account(plain), LAST.index).held is False
    assert stock_kpis(_account(plain[1:]), LAST.index).held is None


def test_stock_that_does_not_sell_has_no_days_of_supply() -> None:
    rows = [_resale(q, resale_units=0, resale_revenue=0, resale_cost=0) for q in YEAR]
    stock = stock_kpis(_account(rows), LAST.index)
    assert (stock.turnover, stock.days_of_supply, stock.margin, stock.gmroii) == (
        0, None, None, None)


@pytest.mark.parametrize(("since", "revenue"), [
    # The quarter before the first row ended on 2025-12-31: before a customer since
    # 2026-01-01 it bought nothing, so the three rows are its last four quarters.
    (date(2026, 1, 1), 600),
    (date(2026, 2, 16), 600),
    # A customer since 2025-12-31 may have bought in 2025-Q4, which has no row: unknown.
    (date(2025, 12, 31), None),
    (None, None),
])
def test_a_new_customer_s_last_four_quarters(since: date | None, revenue: int | None) -> None:
    series: list[SeriesQuarter] = [(Quarter(2026, n), 200, 120) for n in (1, 2, 3)]
    found = new_customer_quarters(series, since)
    assert (None if found is None else found[0]) == revenue
    if found is not None:
        assert found[1] == 360
