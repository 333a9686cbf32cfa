"""The forecast the review meeting uses (seed 004): each deal's commitment against the review's
quarter and the next, history left out of the current funnel, won deals against the plan's
sales targets, lost deals with their reasons, summed per currency; as the funnel page and an
account page show it."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from kam_review.review.forecast import account_forecast, portfolio_forecast, sales_target
from kam_review.review.results import AccountResult
from kam_review.rulebook.commitment import commit_category, review_periods
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.subject_facts import forecast_bucket
from kam_review.source.accounts import SCHEMA_FILE
from kam_review.source.model import LOSS_REASONS, Opportunity, Plan, SalesTarget
from kam_review.website.pages import render_pages

from .conftest import AS_OF, Reviewer, healthy_account

_SIGNED_PAID_SHIPPED = {"contract_signed": True, "payment_received": True,
                        "goods_shipped": True}


def _category(rulebook: Rulebook, stage: str, close: date | None, chance: float | None,
              as_of: date = AS_OF, evidence: dict[str, bool] | None = None) -> str:
    deal = Opportunity(id="d", name="d", stage=stage, expected_close=close,
                       probability=chance, evidence=evidence or {})
    return commit_category(deal, forecast_bucket(deal, as_of, rulebook.stages),
                           review_periods(as_of), rulebook.stages,
                           rulebook.threshold_values())


# The review date 2026-09-30 is the last day of 2026-Q3: the quarter's own deals close on it.
@pytest.mark.parametrize(("stage", "close", "chance", "category"), [
    ("negotiation", AS_OF, 0.9, "guaranteed this quarter"),
    ("negotiation", AS_OF, 0.89, "likely this quarter"),
    ("recognition", AS_OF, 0.95, "likely this quarter"),  # guaranteed from negotiation on
    ("recognition", AS_OF, 0.5, "likely this quarter"),
    ("recognition", AS_OF, 0.49, "intent"),
    ("recognition", date(2026, 9, 29), 0.9, "overdue"),  # the day before the review
    ("negotiation", date(2026, 10, 1), 0.95, "likely next quarter"),  # next quarter's first
    ("intent", date(2026, 12, 31), 0.5, "likely next quarter"),  # and last day
    ("negotiation", date(2027, 1, 1), 0.95, "intent"),  # the quarter after
    ("intent", date(2026, 12, 31), 0.49, "intent"),
    ("intent", None, 0.9, "intent"),
    ("intent", AS_OF, None, "intent"),
    ("opportunity", AS_OF, 0.4, "before intent"),
    ("target", date(2026, 12, 1), 0.9, "before intent"),
])
def test_commitment_of_an_open_deal(stage: str, close: date | None, chance: float | None,
                                    category: str, rulebook: Rulebook) -> None:
    assert _category(rulebook, stage, close, chance) == category


def test_commitment_is_by_quarter_not_by_days(rulebook: Rulebook) -> None:
    """Mid-quarter, a deal closing on the quarter's last day is this quarter's; one closing
    the next day is next quarter's, though both are within three months."""
    mid = date(2026, 8, 15)
    assert _category(rulebook, "negotiation", AS_OF, 0.9, mid) == "guaranteed this quarter"
    assert _category(rulebook, "negotiation", date(2026, 10, 1), 0.9, mid) == \
        "likely next quarter"
    assert _category(rulebook, "negotiation", date(2026, 12, 31), 0.9, mid) == \
        "likely next quarter"
    assert _category(rulebook, "negotiation", date(2027, 1, 1), 0.9, mid) == "intent"


@pytest.mark.parametrize(("stage", "evidence", "category"), [
    ("closed", _SIGNED_PAID_SHIPPED, "won"),
    ("closed", _SIGNED_PAID_SHIPPED | {"goods_shipped": False},
     "closed, awaiting signature, payment or shipment"),
    ("lost", {}, ""),
])
def test_commitment_of_a_decided_deal(stage: str, evidence: dict[str, bool], category: str,
                                      rulebook: Rulebook) -> None:
    assert _category(rulebook, stage, AS_OF, 1.0, evidence=evidence) == category


def _with_deals(*deals: dict[str, Any], **plan: Any) -> dict[str, Any]:
    """The healthy account with these deals (each over the healthy one) and plan fields."""
    account = healthy_account()
    base = account["opportunities"][0]
    account["opportunities"] = [  # a None in a deal: leave the field out
        copy.deepcopy({k: v for k, v in (base | {"id": f"deal-{i}"} | deal).items()
                       if v is not None}) for i, deal in enumerate(deals)]
    account["plan"] |= plan
    return account


def _won(day: str, value: float, **more: Any) -> dict[str, Any]:
    evidence = healthy_account()["opportunities"][0]["evidence"] | _SIGNED_PAID_SHIPPED
    return {"stage": "closed", "closed_on": day, "value": value, "probability": 1.0,
            "evidence": evidence} | more


def _lost(day: str, value: float, reason: str | None = "price") -> dict[str, Any]:
    deal = {"stage": "lost", "lost_on": day, "value": value, "probability": 0.0}
    return deal | ({"loss_reason": reason} if reason else {})


def _pages(review_accounts: Reviewer, account: dict[str, Any]) -> dict[str, str]:
    result = review_accounts(account)
    assert not result.errors, [str(e) for e in result.errors]
    return render_pages(result)


def _deal_facts(item: AccountResult) -> dict[str, dict[str, Any]]:
    return {f["subject"]: f for f in item.facts if f["type"] == "opportunity"}


def test_a_deal_decided_before_the_quarter_is_history(review_one: Any) -> None:
    """The quarter begins 2026-07-01: a deal won or lost the day before is history; without
    its own date, the day it reached its stage counts."""
    item = review_one(_with_deals(
        _won("2026-06-30", 1), _won("2026-07-01", 1), _lost("2026-06-30", 1),
        _lost("2026-07-01", 1), {"stage": "lost", "stage_since": "2026-06-30"},
        _won("2026-07-01", 1) | {"closed_on": None, "stage_since": "2026-07-01"}))
    facts = _deal_facts(item)
    assert [facts[f"deal-{i}"]["is_history"] for i in range(6)] == [
        True, False, True, False, True, False]
    assert facts["deal-4"]["lost_on"] == "2026-06-30"
    assert facts["deal-5"]["closed_on"] == "2026-07-01"
    assert "lost_on" not in facts["deal-0"] and "closed_on" not in facts["deal-2"]


def test_won_and_open_deals_against_the_sales_targets(review_one: Any) -> None:
    item = review_one(_with_deals(
        _won("2026-07-01", 400_000, product_line=None),  # this quarter
        _won("2026-06-30", 300_000),  # an earlier quarter of the year: history
        _won("2025-12-31", 900_000),  # last year
        {"stage": "negotiation", "expected_close": "2026-12-15", "probability": 0.6,
         "value": 1_000_000},
        {"stage": "intent", "expected_close": "2027-01-01", "probability": 0.5,
         "value": 5_000_000},
        _lost("2026-08-01", 200_000),
        sales_targets=[{"period": 2026, "revenue": 3_000_000},
                       {"period": "2026-Q3", "revenue": 1_000_000},
                       {"period": "2026-Q4", "revenue": 2_000_000}]))
    forecast = account_forecast(item, review_periods(AS_OF))
    quarter, after, year = forecast.periods
    assert (quarter.period, quarter.target, quarter.won.value, quarter.won_share) == (
        "2026-Q3", 1_000_000, 400_000, 0.4)
    assert (after.period, after.begun, after.won_share, after.open.deals, after.open.value,
            after.open.weighted, after.expected_share) == (
        "2026-Q4", False, None, 1, 1_000_000, 600_000, 0.3)
    assert (year.target, year.won.deals, year.won.value, year.open.value) == (
        3_000_000, 2, 700_000, 1_000_000)
    assert year.expected_share == pytest.approx(1_300_000 / 3_000_000)
    assert forecast.by_commitment["won"].deals == 1  # the history deal is not in the funnel
    assert set(forecast.by_commitment) == {"won", "likely next quarter", "intent"}
    assert (forecast.lost_quarter.value, forecast.lost_year.value) == (200_000, 200_000)
    assert forecast.lost_share == pytest.approx(200_000 / 900_000)


@pytest.mark.parametrize(("targets", "year"), [
    ({"2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 3, "2026-Q4": 4}, 10),
    ({"2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 3}, None),  # a quarter missing
    ({"2026": 7, "2026-Q1": 1, "2026-Q2": 2, "2026-Q3": 3, "2026-Q4": 4}, 7),  # its own
    ({}, None),
])
def test_a_year_without_its_own_target_sums_its_quarters(targets: dict[str, float],
                                                         year: float | None) -> None:
    plan = Plan(sales_targets=tuple(SalesTarget(p, r) for p, r in targets.items()))
    assert sales_target(plan, "2026") == year
    assert sales_target(plan, "2026-Q4") == targets.get("2026-Q4")
    assert sales_target(None, "2026") is None


def test_sums_per_currency(review_accounts: Reviewer) -> None:
    cny = _with_deals(_won("2026-08-01", 100_000),
                      sales_targets=[{"period": "2026-Q3", "revenue": 400_000}])
    other = _with_deals(_won("2026-08-01", 300_000),
                        sales_targets=[{"period": "2026-Q3", "revenue": 600_000}])
    third = _with_deals(_won("2026-09-01", 50_000))  # no target: not in the share
    euro = _with_deals(_won("2026-08-01", 70_000))
    for i, account in enumerate((other, third, euro), start=1):
        account["id"] = f"account-{i}"
    euro["currency"] = "EUR"
    result = review_accounts(cny, other, third, euro)
    cny_sum, eur_sum = portfolio_forecast(result)
    assert (cny_sum.currency, cny_sum.accounts, eur_sum.currency) == ("CNY", 3, "EUR")
    quarter = cny_sum.periods[0]
    assert (quarter.won.value, quarter.target, quarter.targets, quarter.won_share) == (
        450_000, 1_000_000, 2, 0.4)
    assert (eur_sum.periods[0].won.value, eur_sum.periods[0].target) == (70_000, None)
    funnel = render_pages(result)["funnel.md"]
    assert "### CNY" in funnel and "### EUR" in funnel and "Money in" not in funnel
    # Each currency's money with its symbol.
    assert "| CNY | 2026-Q3 (this quarter) | CN¥1M | CN¥450K | 40% | 0 | CN¥0 | CN¥0 | 40% | 2 |" \
        in funnel
    assert "| EUR | 2026-Q3 (this quarter) | — | €70K | — | 0 | €0 | €0 | — | 0 |" in funnel
    # The row does not add up by itself: what of the won the share leaves out is said.
    assert ("- Of the CN¥450K won in 2026-Q3, CN¥50K is of accounts without a target for it, "
            "which the share of the target leaves out.") in funnel
    assert "won in 2026, " not in funnel  # the year has no target of its own: no share


def test_lost_deals_keep_their_currency(review_accounts: Reviewer) -> None:
    """Each lost deal in its account's currency; a reason's total per currency, as the
    page's other totals are without a rates file."""
    cny = _with_deals(_lost("2026-08-01", 200_000), _lost("2026-09-01", 50_000, "no_need"))
    euro = _with_deals(_lost("2026-07-01", 70_000)) | {"id": "account-eur", "currency": "EUR"}
    funnel = render_pages(review_accounts(cny, euro))["funnel.md"]
    assert "CNY: Lost this quarter: 2 deals, CN¥250K; this year: 2 deals, CN¥250K" in funnel
    assert "EUR: Lost this quarter: 1 deal, €70K; this year: 1 deal, €70K" in funnel
    rows = funnel.splitlines()
    (price,) = [line for line in rows if line.startswith("| our price or terms were not ")]
    assert price.endswith("| 2 | CN¥200K<br>€70K |")
    (need,) = [line for line in rows if line.startswith("| the customer found it had no ")]
    assert need.endswith('| 1 | <span data-sort="50000">CN¥50K</span> |')


def test_the_funnel_page_forecasts_and_leaves_history_out(review_accounts: Reviewer) -> None:
    account = _with_deals(
        _won("2026-06-30", 300_000),
        {"stage": "negotiation", "expected_close": "2026-09-30", "probability": 0.95},
        _lost("2026-08-01", 200_000), _lost("2026-02-01", 100_000, reason=None),
        _lost("2025-12-01", 50_000),
        sales_targets=[{"period": "2026-Q3", "revenue": 4_000_000}])
    funnel = _pages(review_accounts, account)["funnel.md"]
    assert "| guaranteed this quarter | 本季度保证实现 | 1 | CN¥2M | CN¥1.9M | at negotiation, " \
        "closing this quarter, at least 90% likely |" in funnel
    assert "| won | 截止到上报时间止已落单 |" not in funnel  # won in 2026-Q2: history
    assert "| POS refresh | Closed | closed | won |" in funnel  # yet in every opportunity
    assert "(3 such deals; each stays in the list of every opportunity)" in funnel
    assert "| 2026-Q3 (this quarter) | CN¥4M | CN¥0 | 0% | 1 | CN¥2M | CN¥1.9M | 47.5% | 1 |" \
        in funnel
    assert "| 7. Closed | project manager, sales manager, finance | 0 |" in funnel
    # Lost this quarter; earlier: history.
    assert '| Lost | — | 1 | <span data-sort="200000">CN¥200K</span> | — |' in funnel
    assert "Lost this quarter: 1 deal, CN¥200K; this year: 2 deals, CN¥300K: 50% of the " \
        "value won or lost this year" in funnel
    lost = [line for line in funnel.splitlines() if line.endswith(("accepted |",
                                                                   "not recorded |"))]
    assert lost == [
        "| [Test Account Ltd](accounts/test-account.md) | POS refresh | CN¥200K | "
        '<span data-sort="20260801">Aug 1, 2026</span> | '
        "our price or terms were not accepted |",
        "| [Test Account Ltd](accounts/test-account.md) | POS refresh | CN¥100K | "
        '<span data-sort="20260201">Feb 1, 2026</span> | reason not recorded |']
    assert funnel.count("| POS refresh |") == 5 + 2  # every opportunity, and the lost ones


def test_the_account_page_shows_its_own_forecast(review_accounts: Reviewer) -> None:
    account = _with_deals(
        _won("2026-07-15", 500_000),
        {"stage": "negotiation", "expected_close": "2026-11-30", "probability": 0.7},
        _lost("2026-09-01", 200_000, reason="no_budget"),
        sales_targets=[{"period": 2026, "revenue": 2_000_000}])
    page = _pages(review_accounts, account)["accounts/test-account.md"]
    # Looked up on screen, not searched (plain.UNSEARCHED).
    assert ("## Forecast\n\n<section data-search-exclude markdown>\n\nThis quarter 2026-Q3, "
            "next quarter 2026-Q4; money in the account's currency (CNY).") in page
    assert "| 2026 (this year) | CN¥2M | CN¥500K | 25% | 1 | CN¥2M | CN¥1.4M | 95% |" in page
    assert "| 2026-Q4 (next quarter) | — | — | — | 1 | CN¥2M | CN¥1.4M | — |" in page
    assert "The deals by commitment, and those lost this year:\n\n" \
        "- **won**: POS refresh (CN¥500K)\n" \
        "- **likely next quarter**: POS refresh (CN¥2M, weighted CN¥1.4M)\n" \
        "- **lost** on Sep 1, 2026: POS refresh (CN¥200K), the customer had no budget\n" \
        in page


def test_an_account_without_targets_or_deals_says_so(review_accounts: Reviewer) -> None:
    page = _pages(review_accounts, _with_deals())["accounts/test-account.md"]
    assert ("## Forecast\n\n<section data-search-exclude markdown>\n\nNo sales target and no "
            "opportunity on file.") in page


def test_the_loss_reasons_are_the_schema_s() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    deal = schema["properties"]["opportunities"]["items"]["properties"]
    assert deal["loss_reason"]["enum"] == list(LOSS_REASONS)
