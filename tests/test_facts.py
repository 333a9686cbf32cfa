"""The facts of each fact type: computed values, the boundaries where a figure becomes known,
the unknown cases, and the definitions every reader of a fact relies on."""

from __future__ import annotations

import copy
import dataclasses
import re
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from kam_review.formatting import FORMAT_SPECS, UNIT_SPECS, format_in_unit
from kam_review.rulebook.account_fact_type import AccountFacts
from kam_review.rulebook.fact_fields import FactType, fact_field, fields_of
from kam_review.rulebook.fact_types import DEFINITIONS, FACT_TYPES
from kam_review.rulebook.facts import (
    FACT_TYPE,
    SOURCE_PATH,
    account_facts,
    plain_fact,
    typed_account_facts,
)
from kam_review.rulebook.figures import gross_margin, growth
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.subject_fact_types import (
    ContactFacts,
    GoalFacts,
    OpportunityFacts,
    WaiverFacts,
)
from kam_review.source.accounts import load_portfolio
from kam_review.source.model import Account as LoadedAccount
from kam_review.source.model import Quarter
from kam_review.website.pages.fact_reference import facts_section

from .conftest import AS_OF, Account, healthy_account, quarters, write_account


def _load(tmp_path: Path, account: Account) -> LoadedAccount:
    folder = tmp_path / "accounts"
    folder.mkdir(exist_ok=True)
    write_account(folder, account)
    portfolio = load_portfolio(folder)
    assert not portfolio.errors, [str(e) for e in portfolio.errors]
    (loaded,) = portfolio.accounts
    return loaded


def _facts(tmp_path: Path, rulebook: Rulebook, account: Account,
           as_of: date = AS_OF) -> list[FactType]:
    return typed_account_facts(_load(tmp_path, account), as_of, rulebook)


def _account(tmp_path: Path, rulebook: Rulebook, account: Account,
             as_of: date = AS_OF) -> AccountFacts:
    first = _facts(tmp_path, rulebook, account, as_of)[0]
    assert isinstance(first, AccountFacts)
    return first


def _with(**changes: Any) -> Account:
    return copy.deepcopy(healthy_account()) | changes


def _of(facts: list[FactType], kind: type[Any]) -> list[Any]:
    return [f for f in facts if isinstance(f, kind)]


# --- formulas ---------------------------------------------------------------------------------

def test_growth_is_exact_and_unknown_without_a_base() -> None:
    assert growth(1_100_000, 1_000_000) == 0.1  # in floats 1.1e6 / 1e6 - 1 is 0.10000000000000009
    assert growth(900, 1_000) == -0.1
    assert growth(5, 0) is None


def test_gross_margin_is_exact_and_unknown_without_cost_or_revenue() -> None:
    assert gross_margin(1_000, 700) == 0.3
    assert gross_margin(0.3, 0.1) == float((Fraction(0.3) - Fraction(0.1)) / Fraction(0.3))
    assert gross_margin(1_000, 1_200) == -0.2
    assert gross_margin(1_000, None) is None
    assert gross_margin(0, 0) is None


# --- account ----------------------------------------------------------------------------------

def test_account_figures_of_a_healthy_account(tmp_path: Path, rulebook: Rulebook) -> None:
    facts = _account(tmp_path, rulebook, healthy_account())
    assert (facts.account, facts.subject, facts.source_path) == ("test-account", "", ())
    assert (facts.quarters, facts.last_quarter) == (8, "2026-Q3")
    assert (facts.revenue_ttm, facts.revenue_prev_ttm) == (4_250_000, 4_000_000)
    assert facts.revenue_last_quarter == 1_100_000
    assert facts.lifetime_revenue == 8_250_000
    assert facts.growth_yoy == 0.0625
    assert facts.growth_qoq == float(Fraction(20_000, 1_080_000))
    assert facts.revenue_decline_streak == 0
    assert facts.revenue_trail == "1.02M -> 1.05M -> 1.08M -> 1.1M"
    assert facts.quarters_with_revenue_last_4 == 4
    assert facts.share_of_wallet == 0.85
    assert (facts.gross_margin_ttm, facts.gross_margin_prev_ttm) == (0.3, 0.3)
    assert facts.margin_change_pts == 0
    assert facts.recent_revenue_ratio == float(Fraction(2 * 2_180_000, 4_070_000))
    assert (facts.industry_growth, facts.plan_growth_target) == (0.05, 0.1)
    assert facts.customer_years == (AS_OF - date(2020, 1, 1)).days / 365.25
    assert (facts.open_opportunities, facts.open_pipeline_value) == (1, 2_000_000)
    assert (facts.contacts_current, facts.levels_current, facts.executives_current,
            facts.decision_makers_current, facts.coaches_current) == (3, 3, 1, 1, 1)
    assert facts.roles_missing == "decision_owner, executor"
    assert (facts.activities_recorded, facts.days_since_activity) == (4, 20)
    assert (facts.complaints_recorded, facts.days_since_feedback) == (1, 121)
    assert (facts.unresolved_quality_complaints, facts.quality_complaints_last_year) == (0, 0)
    assert (facts.relationship_stage, facts.relationship_stage_index) == ("mid", 3)
    assert (facts.attractiveness_score, facts.relationship_score) == (4, 4)
    assert (facts.plan_present, facts.plan_summary_present, facts.goals_count) == (True, True, 1)
    assert facts.holds_stock is False
    assert (facts.inventory_turnover, facts.days_of_supply, facts.gmroii) == (None, None, None)
    assert facts.roi is None  # no market.investment


@pytest.mark.parametrize(("count", "known"), [
    (2, set()),
    (3, {"recent_revenue_ratio"}),
    (4, {"revenue_ttm", "gross_margin_ttm", "share_of_wallet", "holds_stock",
         "recent_revenue_ratio"}),
    (5, {"revenue_ttm", "gross_margin_ttm", "share_of_wallet", "holds_stock",
         "recent_revenue_ratio"}),
    (6, {"revenue_ttm", "gross_margin_ttm", "share_of_wallet", "holds_stock",
         "recent_revenue_ratio"}),
    (7, {"revenue_ttm", "gross_margin_ttm", "share_of_wallet", "holds_stock",
         "recent_revenue_ratio"}),
    (8, {"revenue_ttm", "gross_margin_ttm", "share_of_wallet", "holds_stock",
         "recent_revenue_ratio", "revenue_prev_ttm", "growth_yoy", "gross_margin_prev_ttm",
         "margin_change_pts"}),
])
def test_figures_become_known_with_enough_quarters(tmp_path: Path, rulebook: Rulebook,
                                                   count: int, known: set[str]) -> None:
    first = str(Quarter.from_index(Quarter.containing(AS_OF).index - count + 1))
    facts = _account(tmp_path, rulebook, _with(financials=quarters(first, [1_000_000] * count)))
    assert facts.quarters == count
    windowed = {"revenue_ttm", "gross_margin_ttm", "share_of_wallet", "holds_stock",
                "recent_revenue_ratio", "revenue_prev_ttm", "growth_yoy",
                "gross_margin_prev_ttm", "margin_change_pts"}
    assert {name for name in windowed if getattr(facts, name) is not None} == known


def test_no_figures_leaves_every_revenue_figure_unknown(tmp_path: Path,
                                                        rulebook: Rulebook) -> None:
    facts = _account(tmp_path, rulebook, _with(financials=[]))
    assert (facts.quarters, facts.last_quarter) == (0, "2026-Q3")
    assert facts.revenue_last_quarter is None
    assert facts.lifetime_revenue is None
    assert facts.revenue_decline_streak is None
    assert facts.revenue_trail is None
    assert facts.growth_qoq is None


def test_the_last_quarter_is_the_last_complete_one(tmp_path: Path, rulebook: Rulebook) -> None:
    day_before = _account(tmp_path, rulebook, healthy_account(), as_of=date(2026, 9, 29))
    assert (day_before.last_quarter, day_before.quarters) == ("2026-Q2", 7)
    assert day_before.revenue_last_quarter == 1_080_000


def test_a_quarter_without_a_row_is_unknown_not_zero(tmp_path: Path,
                                                      rulebook: Rulebook) -> None:
    rows = quarters("2025-Q4", [1_000_000] * 4)
    del rows[2]  # 2026-Q2
    facts = _account(tmp_path, rulebook, _with(financials=rows))
    assert facts.quarters == 4
    assert (facts.gap_quarters, facts.gap_list) == (1, "2026-Q2")
    assert facts.revenue_ttm is None  # it needs 2026-Q2
    assert facts.quarters_with_revenue_last_4 is None
    assert facts.zero_revenue_quarters_last_4 == 0  # the gap is not a quarter without sales
    assert facts.gross_margin_ttm is None
    assert facts.lifetime_revenue == 3_000_000  # the rows on file


def test_the_recent_average_counts_the_quarters_it_is_taken_over(tmp_path: Path,
                                                                  rulebook: Rulebook) -> None:
    """The dormant rule's message says how many quarters each average is over: 2025-Q1 is
    the 7th quarter back (outside both windows), 2025-Q2 and 2026-Q2 have no row."""
    rows = quarters("2025-Q1", [1_000_000] * 7)
    del rows[5]  # 2026-Q2
    del rows[1]  # 2025-Q2
    facts = _account(tmp_path, rulebook, _with(financials=rows))
    assert (facts.recent_revenue_quarters, facts.earlier_revenue_quarters) == (1, 3)
    assert facts.recent_revenue_ratio == 1.0
    full = _account(tmp_path, rulebook, _with(financials=quarters("2024-Q4", [1_000_000] * 8)))
    assert (full.recent_revenue_quarters, full.earlier_revenue_quarters) == (2, 4)


def test_growth_and_margin_are_unknown_without_their_base(tmp_path: Path,
                                                          rulebook: Rulebook) -> None:
    rows = quarters("2024-Q4", [0] * 4 + [1_000_000] * 4)
    del rows[7]["cost"]
    facts = _account(tmp_path, rulebook, _with(financials=rows))
    assert facts.revenue_ttm == 4_000_000
    assert facts.growth_yoy is None  # no revenue in the 4 quarters before
    assert facts.gross_margin_ttm is None  # a quarter without cost
    assert facts.gross_margin_prev_ttm is None  # no revenue
    assert facts.margin_change_pts is None
    assert facts.recent_revenue_ratio == 2.0  # 2 quarters of 1M against 2 of 0 and 2 of 1M
    assert facts.growth_qoq == 0


def test_a_falling_revenue_gives_its_streak_and_trail(tmp_path: Path,
                                                      rulebook: Rulebook) -> None:
    revenue = [1_000_000, 1_200_000, 1_100_000, 900_000, 800_000, 700_000, 600_000]
    facts = _account(tmp_path, rulebook, _with(financials=quarters("2025-Q1", revenue)))
    assert facts.revenue_decline_streak == 5
    assert facts.revenue_trail == "1.2M -> 1.1M -> 900K -> 800K -> 700K -> 600K"
    assert facts.growth_qoq == float(Fraction(-1, 7))


def test_stock_figures_are_the_accounts_own(tmp_path: Path, rulebook: Rulebook) -> None:
    # Our side (revenue 1M, cost 700k) is the account's purchase; it resells for 1.25M.
    rows = [{"quarter": q, "revenue": 1_000_000, "cost": 700_000, "inventory": 350_000,
             "resale_revenue": 1_250_000, "resale_cost": 1_000_000, "resale_units": 2_000,
             "inventory_units": 1_000}
            for q in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")]
    facts = _account(tmp_path, rulebook, _with(financials=rows))
    assert facts.holds_stock is True
    assert (facts.resale_revenue_ttm, facts.resale_margin_ttm) == (5_000_000, 0.2)
    assert facts.inventory_measure == "units"
    assert facts.inventory_turnover == 8  # 8,000 units sold a year over 1,000 in stock
    assert facts.days_of_supply == 39  # 1,000 over 8,000 / 52 a week, 6 working days a week
    assert facts.gmroii == 2  # 0.2 x 8 / 0.8, the account's margin, not our 30%
    assert facts.gross_margin_ttm == 0.3


def test_stock_at_cost_counts_when_units_are_not_reported(tmp_path: Path,
                                                          rulebook: Rulebook) -> None:
    rows = [{"quarter": q, "revenue": 1_000_000, "cost": 700_000, "inventory": 250_000,
             "resale_revenue": 1_250_000, "resale_cost": 1_000_000}
            for q in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")]
    facts = _account(tmp_path, rulebook, _with(financials=rows))
    assert facts.inventory_measure == "cost"
    assert facts.inventory_turnover == 16  # 4M of its cost of goods over 250k of stock
    assert facts.days_of_supply == 19.5  # 250k over 4M / 52 a week, x 6


def test_stock_without_the_accounts_sales_is_held_but_not_measured(
        tmp_path: Path, rulebook: Rulebook) -> None:
    rows = [{"quarter": q, "revenue": 1_000_000, "cost": 700_000, "inventory": 350_000}
            for q in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")]
    facts = _account(tmp_path, rulebook, _with(financials=rows))
    assert facts.holds_stock is True
    # Our cost of goods is never set against the account's stock.
    assert (facts.inventory_turnover, facts.days_of_supply, facts.gmroii) == (None, None, None)


def test_roi_is_gross_profit_against_the_investment(tmp_path: Path, rulebook: Rulebook) -> None:
    market = healthy_account()["market"] | {"investment": 500_000}
    facts = _account(tmp_path, rulebook, _with(market=market))
    assert facts.roi == float(Fraction(4_250_000 - 2_975_000, 500_000))


def test_what_the_file_leaves_out_stays_unknown(tmp_path: Path, rulebook: Rulebook) -> None:
    account = healthy_account()
    for name in ("scores", "relationship_stage", "customer_since", "plan", "market"):
        del account[name]
    facts = _account(tmp_path, rulebook, account)
    assert (facts.attractiveness_score, facts.relationship_score) == (None, None)
    assert (facts.relationship_stage, facts.relationship_stage_index) == (None, None)
    assert facts.customer_years is None
    assert (facts.industry_growth, facts.share_of_wallet, facts.plan_growth_target) == (
        None, None, None)
    assert (facts.plan_present, facts.plan_summary_present, facts.goals_count) == (
        False, False, 0)


def test_feedback_counts_up_to_the_review_date(tmp_path: Path, rulebook: Rulebook) -> None:
    complaints = [
        {"date": "2025-09-30", "topic": "quality", "summary": "a year and a day ago"},
        {"date": "2025-10-01", "topic": "quality", "summary": "within the year",
         "resolved_on": "2026-10-01"},
        {"date": "2026-10-01", "topic": "quality", "summary": "after the review date"},
    ]
    facts = _account(tmp_path, rulebook, _with(complaints=complaints, activities=[]))
    assert facts.complaints_recorded == 2
    assert facts.days_since_feedback == 364
    assert facts.unresolved_quality_complaints == 2  # resolved only after the review date
    assert facts.quality_complaints_last_year == 1
    assert (facts.activities_recorded, facts.days_since_activity) == (0, None)


# --- contact ----------------------------------------------------------------------------------

def _contacts(tmp_path: Path, rulebook: Rulebook, *contacts: dict[str, Any]) -> list[Any]:
    account = _with(contacts=list(contacts), activities=[])
    return _of(_facts(tmp_path, rulebook, account), ContactFacts)


def test_contact_facts(tmp_path: Path, rulebook: Rulebook) -> None:
    (contact,) = _contacts(tmp_path, rulebook, healthy_account()["contacts"][0])
    assert contact == ContactFacts(
        account="test-account", subject="Zhang Min", source_path=("contacts", 0),
        roles="decision maker", is_current=True, has_buying_role=True, is_decider=True,
        title="CIO", level="executive", style="analytical", attitude="supporter",
        last_contact="2026-09-01", days_since_contact=29, is_owner=False)
    assert (contact.left_on, contact.left_days_ago, contact.key_change) == (None, None, None)


@pytest.mark.parametrize(("days", "known"), [(-1, True), (0, True), (1, False)])
def test_a_date_after_the_review_date_is_no_negative_time(
        tmp_path: Path, rulebook: Rulebook, days: int, known: bool) -> None:
    """A last contact, a start as customer or a stage entered after the review date (a
    later record, or a typo such as 2062 for 2026) had not happened as of the review: how
    long ago is unknown, never a negative count. On the review date itself it is 0."""
    day = (AS_OF + timedelta(days=days)).isoformat()
    account = copy.deepcopy(healthy_account())
    account["contacts"][0]["last_contact"] = day
    account["customer_since"] = day
    account["opportunities"][0]["stage_since"] = day
    facts = _facts(tmp_path, rulebook, account)
    first = facts[0]
    assert isinstance(first, AccountFacts)
    contact = next(f for f in _of(facts, ContactFacts) if f.subject == "Zhang Min")
    (deal,) = _of(facts, OpportunityFacts)
    expected = max(0, -days) if known else None
    assert (contact.days_since_contact, deal.days_in_stage) == (expected, expected)
    assert first.buying_years == (None if not known else max(0, -days) / 365.25)
    assert first.first_order == day  # still shown as the file has it


def test_a_contact_leaves_on_the_day_given(tmp_path: Path, rulebook: Rulebook) -> None:
    gone, leaving, bare = _contacts(
        tmp_path, rulebook,
        {"name": "Gone Today", "roles": ["decision_owner"], "left_on": str(AS_OF)},
        {"name": "Leaving Tomorrow", "left_on": str(AS_OF + timedelta(days=1))},
        {"name": "No Details"})
    assert (gone.is_current, gone.left_on, gone.left_days_ago) == (False, "2026-09-30", 0)
    assert gone.key_change == "left on Sep 30, 2026, 0 days ago"
    assert gone.is_decider is True
    assert (leaving.is_current, leaving.left_on, leaving.left_days_ago) == (True, None, None)
    assert (bare.roles, bare.has_buying_role, bare.is_decider) == ("none", False, False)
    assert (bare.title, bare.level, bare.last_contact, bare.days_since_contact) == (
        None, None, None, None)


# --- opportunity ------------------------------------------------------------------------------

def _deals(tmp_path: Path, rulebook: Rulebook, *changes: dict[str, Any]) -> list[Any]:
    base = healthy_account()["opportunities"][0]
    deals = [copy.deepcopy(base | {"id": f"deal-{i}"} | change)
             for i, change in enumerate(changes)]
    for deal in deals:  # a None in a change: leave the field out
        for name in [name for name, value in deal.items() if value is None]:
            del deal[name]
    return _of(_facts(tmp_path, rulebook, _with(opportunities=deals)), OpportunityFacts)


def test_opportunity_facts(tmp_path: Path, rulebook: Rulebook) -> None:
    (deal,) = _deals(tmp_path, rulebook, {})
    assert deal == OpportunityFacts(
        account="test-account", subject="deal-0", source_path=("opportunities", 0),
        name="POS refresh", stage="intent", stage_name="Confirmed intent", is_open=True,
        stage_index=3, days_in_stage=60,
        expected_close="2027-03-31", days_to_close=182, forecast_bucket="3-6 months",
        probability=0.3, value=2_000_000, weighted_value=600_000, characteristics_unmet=0,
        characteristics_unmet_list="none", stage_unmet=0, stage_unmet_list="none",
        next_stage="initiated", next_stage_name="Project initiated", next_unmet=7,
        next_unmet_list=(
            "company recognised: not recorded, project need: not recorded, initial budget: "
            "not recorded, leadership backing: not recorded, timeline set: not recorded, "
            "third parties involved: not recorded, our team set up: not recorded"),
        qualification_doubts=0, qualification_doubts_list="none", commit_category="intent",
        is_history=False)


@pytest.mark.parametrize(("close", "bucket", "overdue"), [
    (-1, "overdue", 1), (0, "0-3 months", None), (92, "0-3 months", None),
    (93, "3-6 months", None), (183, "3-6 months", None), (184, "6-9 months", None),
    (275, "6-9 months", None), (276, "9-12 months", None), (366, "9-12 months", None),
    (367, "later", None),
])
def test_forecast_buckets_and_overdue_days(tmp_path: Path, rulebook: Rulebook, close: int,
                                           bucket: str, overdue: int | None) -> None:
    expected = AS_OF + timedelta(days=close)
    (deal,) = _deals(tmp_path, rulebook, {"expected_close": str(expected)})
    assert (deal.days_to_close, deal.forecast_bucket, deal.days_overdue) == (
        close, bucket, overdue)


def test_unknown_opportunity_figures(tmp_path: Path, rulebook: Rulebook) -> None:
    bare = {"stage": "opportunity", "evidence": {"fits_target_profile": False},
            "qualification": {"real": "yes", "win": "unsure", "worth": "no"}}
    for name in ("expected_close", "probability", "stage_since"):
        bare[name] = None
    deal, lost, closed = _deals(
        tmp_path, rulebook, bare, {"stage": "lost"},
        {"stage": "closed", "evidence": {}, "expected_close": "2026-01-01"})
    assert (deal.days_to_close, deal.days_overdue, deal.days_in_stage) == (None, None, None)
    assert (deal.forecast_bucket, deal.weighted_value) == ("no close date", None)
    assert deal.characteristics_unmet == 6  # stage 1's, false, and stage 2's five
    assert deal.characteristics_unmet_list.startswith(
        "Target group: fits target profile: no; Potential opportunity: basic data known: not "
        "recorded, ")
    assert (deal.stage_unmet, deal.next_stage, deal.next_unmet) == (5, "intent", 1)
    assert (deal.qualification_doubts, deal.qualification_doubts_list) == (
        2, "can we win? unsure, is it worth winning? no")
    assert (lost.is_open, lost.stage_index, lost.forecast_bucket) == (False, 0, "")
    assert (lost.characteristics_unmet, lost.stage_unmet, lost.next_stage, lost.next_unmet) \
        == (None, None, None, None)
    assert (closed.is_open, closed.stage_index) == (False, 7)
    assert closed.forecast_bucket == "closed, awaiting signature, payment or shipment"
    assert (closed.stage_unmet, closed.next_stage, closed.next_unmet) == (3, None, None)
    assert closed.days_overdue == 272


# --- goal and waiver --------------------------------------------------------------------------

def test_goal_facts(tmp_path: Path, rulebook: Rulebook) -> None:
    plan = healthy_account()["plan"]
    plan["goals"].append({"text": "Be the preferred supplier"})
    smart, vague = _of(_facts(tmp_path, rulebook, _with(plan=plan)), GoalFacts)
    # SMART, but not measurable: a revenue goal names its period (tests/test_goals.py).
    assert smart == GoalFacts(account="test-account", subject="Win the POS refresh",
                              source_path=("plan", "goals", 0), has_metric=True,
                              has_target=True, has_due=True, missing_parts="none",
                              metric="revenue", status="cannot be measured",
                              unmeasured_reason="a revenue goal needs a period: a year (2026), "
                              "a quarter (2026-Q3) or trailing (the last 4 complete quarters)",
                              unmeasured_for_data=False, target_shown="CN¥5M",
                              due="2027-06-30")
    assert (vague.has_metric, vague.has_target, vague.has_due) == (False, False, False)
    assert vague.missing_parts == "metric, target, due date"
    assert (vague.status, vague.unmeasured_reason) == ("cannot be measured", "no metric")


def test_waiver_facts(tmp_path: Path, rulebook: Rulebook) -> None:
    waivers = [
        {"rule": "risk.no-executive-access", "subject": "Zhang Min",
         "reason": "  Waiting   for the NEW cio ", "until": "2026-10-30", "by": "  li  WEI"},
        # `by` is required, and a blank or invisible one is an input error of its own.
        {"rule": "risk.no-such-rule", "reason": "x", "until": "2026-09-29", "by": "Gao Ming"},
        # A rule raised on each contact, waived without naming whose finding.
        {"rule": "risk.key-contact-left", "reason": "Successor met", "until": "2026-10-30",
         "by": "Gao Ming"},
    ]
    owners, unknown, unnamed = _of(_facts(tmp_path, rulebook, _with(waivers=waivers)), WaiverFacts)
    severity = next(r.severity for r in rulebook.rules if r.id == "risk.no-executive-access")
    assert owners == WaiverFacts(
        account="test-account", subject="risk.no-executive-access (Zhang Min)",
        source_path=("waivers", 0), rule="risk.no-executive-access",
        rule_title="No senior access", owner="Li Wei",
        reason="Waiting for the NEW cio", reason_key="waiting for the new cio",
        reason_length=23, has_approver=True, approved_by_owner=True, by="li WEI",
        waived_subject=None, waives_unnamed=False, waived_severity=severity, until="2026-10-30",
        days_past_until=-30, days_remaining=30)
    assert (unnamed.waives_unnamed, unknown.waives_unnamed) == (True, False)
    assert (unnamed.waived_subject, unknown.waived_subject) == ("contact", None)
    assert (unknown.subject, unknown.waived_severity) == ("risk.no-such-rule", None)
    assert unknown.rule_title == "risk.no-such-rule"  # no rule has the id: it stands in
    assert (unknown.by, unknown.has_approver, unknown.approved_by_owner) == (
        "Gao Ming", True, False)
    assert (unknown.days_past_until, unknown.days_remaining) == (1, -1)


# --- the engine's plain facts -----------------------------------------------------------------

def test_plain_facts_leave_unknown_fields_out(tmp_path: Path, rulebook: Rulebook) -> None:
    account = _load(tmp_path, _with(financials=quarters("2026-Q1", [1_000_000] * 3)))
    typed = typed_account_facts(account, AS_OF, rulebook)
    plain = account_facts(account, AS_OF, rulebook)
    assert plain == [plain_fact(f) for f in typed]
    first = plain[0]
    assert (first[FACT_TYPE], first[SOURCE_PATH], first["quarters"]) == ("account", (), 3)
    assert "revenue_ttm" not in first and "holds_stock" not in first
    assert set(first) - {FACT_TYPE, SOURCE_PATH} == {
        name for name in FACT_TYPES["account"] if getattr(typed[0], name) is not None}
    assert [f[FACT_TYPE] for f in plain] == ["account", "contact", "contact", "contact",
                                             "opportunity", "goal"]


# --- the definitions --------------------------------------------------------------------------

def test_every_field_has_a_label_a_unit_and_a_meaning() -> None:
    assert list(FACT_TYPES) == ["account", "contact", "opportunity", "goal", "action", "waiver",
                                "verdict"]
    for fact_type, fields in FACT_TYPES.items():
        assert {"account", "subject"} <= set(fields), fact_type
        for name, field in fields.items():
            where = f"{fact_type}.{name}"
            assert field.label.strip() and field.label[0].isupper(), where
            assert field.doc.strip() and field.doc == field.doc.strip(), where
            assert field.unit in UNIT_SPECS, where
            assert field.kind in ("number", "bool", "text"), where
    assert all(spec in FORMAT_SPECS for spec in UNIT_SPECS.values())


def test_every_declared_field_is_in_the_catalogue() -> None:
    for definition in DEFINITIONS:
        declared = {f.name for f in dataclasses.fields(definition)} - {"source_path"}
        assert set(FACT_TYPES[definition.fact_type]) == declared


def test_a_field_whose_type_does_not_fit_its_unit_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Mismatched(FactType):
        fact_type = "mismatched"
        flag: bool | None = fact_field("money", "Flag", "a flag counted as money")

    with pytest.raises(TypeError, match=re.escape("Mismatched.flag is bool, which does not "
                                                  "fit the unit 'money'")):
        fields_of(Mismatched)


def test_a_unit_decides_how_a_fact_is_written() -> None:
    assert format_in_unit(2_900_000, FACT_TYPES["account"]["revenue_ttm"].unit) == "2.9M"
    assert format_in_unit(0.12, FACT_TYPES["account"]["growth_yoy"].unit) == "+12%"
    assert format_in_unit(0.183, FACT_TYPES["account"]["gross_margin_ttm"].unit) == "18.3%"
    assert format_in_unit(45, FACT_TYPES["contact"]["days_since_contact"].unit) == "45 days"
    assert format_in_unit(True, FACT_TYPES["goal"]["has_due"].unit) == "yes"


def test_the_rules_reference_lists_every_fact() -> None:
    section = "\n".join(facts_section())
    for fact_type in FACT_TYPES:
        assert f"### {fact_type} {{#facts-{fact_type}}}" in section
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == sum(len(fields) for fields in FACT_TYPES.values())
    assert "| `growth_yoy` | Growth, last 4 quarters against the 4 before | number | change " \
        "| at least -100% | revenue of the last 4 " \
        "quarters against the 4 before, as a fraction (needs 8 quarters of figures and " \
        "revenue in the earlier 4) |" in section


@pytest.mark.parametrize(("count", "growth"), [(1, None), (2, 0.25), (3, 0.25)])
def test_quarter_on_quarter_growth_needs_two_quarters(tmp_path: Path, rulebook: Rulebook,
                                                      count: int, growth: float | None) -> None:
    """Known from exactly two quarters on file (the boundary a mutant moved), as the last
    quarter against the one before."""
    first = str(Quarter.from_index(Quarter.containing(AS_OF).index - count + 1))
    revenue = [1_000_000] * (count - 1) + [1_250_000]
    facts = _account(tmp_path, rulebook, _with(financials=quarters(first, revenue)))
    assert facts.growth_qoq == growth


@pytest.mark.parametrize(("since", "held"), [
    ("2026-01-15", False),  # 2025-Q4 ended before it became a customer: no stock of ours
    ("2025-12-31", None),   # a customer in 2025-Q4: that quarter without a row is unknown
])
def test_a_new_customer_without_stock_holds_none_of_ours(
        tmp_path: Path, rulebook: Rulebook, since: str, held: bool | None) -> None:
    facts = _account(tmp_path, rulebook, _with(financials=quarters("2026-Q1", [1_000_000] * 3),
                                               customer_since=since))
    assert facts.holds_stock is held
