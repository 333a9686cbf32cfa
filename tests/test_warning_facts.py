"""The facts behind the warnings seeds 001, 002 and 004 name: revenue at zero after buying,
the same quarters a year apart, senior access, the buying influences met, the visit rhythm,
our own owner's takeover, and each deal against its stage's characteristics."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kam_review.rulebook.account_fact_type import AccountFacts
from kam_review.rulebook.facts import typed_account_facts
from kam_review.rulebook.history import zero_run_after_buying
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.subject_fact_types import ContactFacts, OpportunityFacts
from kam_review.source.accounts import load_portfolio
from kam_review.source.model import Quarter

from .conftest import AS_OF, healthy_account, quarters, write_account


def _facts(tmp_path: Path, rulebook: Rulebook, **changes: Any) -> list[Any]:
    account = copy.deepcopy(healthy_account()) | changes
    write_account(tmp_path, account)
    portfolio = load_portfolio(tmp_path)
    assert [str(e) for e in portfolio.errors] == []
    (loaded,) = portfolio.accounts
    return list(typed_account_facts(loaded, AS_OF, rulebook))


def _account(tmp_path: Path, rulebook: Rulebook, **changes: Any) -> AccountFacts:
    first = _facts(tmp_path, rulebook, **changes)[0]
    assert isinstance(first, AccountFacts)
    return first


# --- revenue at zero after buying -------------------------------------------------------------

@pytest.mark.parametrize(("revenue", "run"), [
    ({0: 1e6, 1: 1e6, 2: 0, 3: 0}, 2),
    ({0: 1e6, 1: 0, 2: 0, 3: 0}, 3),
    ({0: 1e6, 1: 1e6, 2: 1e6, 3: 0}, 1),
    ({0: 1e6, 2: 0, 3: 0}, 2),  # a gap before the zeros: it still bought before them
    ({0: 1e6, 1: 0, 3: 0}, 1),  # a gap inside: quarter 2 is not known to be zero
    ({0: 0, 1: 0, 2: 0, 3: 0}, 0),  # never bought: nothing declined
    ({0: 1e6, 1: 0, 2: 0, 3: 10}, 0),
    ({0: 1e6, 1: 0, 2: 0}, None),  # quarter 3, the last, has no row
])
def test_zero_revenue_run(revenue: dict[int, float], run: int | None) -> None:
    # The quarterly series up to quarter 3, as figures.revenue_series gives it.
    series = [(Quarter.from_index(q), revenue.get(q), None) for q in range(min(revenue), 4)]
    assert zero_run_after_buying(series) == run


def test_a_short_history_that_stopped_buying(tmp_path: Path, rulebook: Rulebook) -> None:
    rows = quarters("2025-Q3", [1_000_000, 1_000_000, 1_000_000, 0, 0])
    facts = _account(tmp_path, rulebook, financials=rows)
    assert facts.zero_revenue_quarters == 2
    assert facts.same_quarters_compared == 1  # 2026-Q3 against 2025-Q3 only
    assert (facts.same_quarters_revenue, facts.same_quarters_growth) == (None, None)


def test_a_missing_last_quarter_is_not_zero(tmp_path: Path, rulebook: Rulebook) -> None:
    rows = quarters("2025-Q3", [1_000_000, 1_000_000, 0, 0])  # nothing for 2026-Q3
    assert _account(tmp_path, rulebook, financials=rows).zero_revenue_quarters is None


# --- the same quarters a year apart -----------------------------------------------------------

def test_same_quarters_of_a_full_history_are_the_last_four(tmp_path: Path,
                                                          rulebook: Rulebook) -> None:
    facts = _account(tmp_path, rulebook)
    assert facts.same_quarters_compared == 4
    assert (facts.same_quarters_revenue, facts.same_quarters_revenue_before) == (
        4_250_000, 4_000_000)
    assert facts.same_quarters_growth == facts.growth_yoy == 0.0625


@pytest.mark.parametrize(("start", "count", "compared"), [
    ("2025-Q3", 5, 1), ("2025-Q2", 6, 2), ("2025-Q1", 7, 3), ("2024-Q4", 8, 4),
    ("2024-Q1", 11, 4)])
def test_same_quarters_on_short_histories(tmp_path: Path, rulebook: Rulebook, start: str,
                                          count: int, compared: int) -> None:
    facts = _account(tmp_path, rulebook, financials=quarters(start, [1_000_000] * count))
    assert facts.same_quarters_compared == compared
    known = compared >= 2
    assert (facts.same_quarters_growth == 0) is known
    assert (facts.same_quarters_revenue == compared * 1_000_000) is known


def test_same_quarters_skip_the_gaps_on_either_side(tmp_path: Path, rulebook: Rulebook) -> None:
    rows = quarters("2024-Q4", [1_000_000] * 4 + [800_000] * 4)
    del rows[5]  # 2026-Q2: no row
    del rows[0]  # 2024-Q4: no row, so 2025-Q4 has nothing to compare with
    facts = _account(tmp_path, rulebook, financials=rows)
    assert facts.same_quarters_compared == 2  # 2026-Q1 and 2026-Q3
    assert (facts.same_quarters_revenue, facts.same_quarters_revenue_before) == (
        1_600_000, 2_000_000)
    assert facts.same_quarters_growth == -0.2


def test_same_quarters_without_revenue_a_year_before(tmp_path: Path,
                                                    rulebook: Rulebook) -> None:
    rows = quarters("2025-Q2", [0, 0, 500_000, 500_000, 500_000, 500_000])
    facts = _account(tmp_path, rulebook, financials=rows)
    assert (facts.same_quarters_compared, facts.same_quarters_revenue_before) == (2, 0)
    assert facts.same_quarters_growth is None


# --- the buying team --------------------------------------------------------------------------

def _person(name: str, level: str | None = None, roles: tuple[str, ...] = (),
            **more: str) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "roles": list(roles), **more}
    if level:
        found["level"] = level
    return found


def test_senior_access_counts_executives_and_directors(tmp_path: Path,
                                                       rulebook: Rulebook) -> None:
    contacts = [_person("A", "executive", left_on="2026-09-30"),
                _person("B", "director"), _person("C", "director", left_on="2026-10-01"),
                _person("D", "manager"), _person("E", "staff"), _person("F")]
    facts = _account(tmp_path, rulebook, contacts=contacts, activities=[])
    assert (facts.senior_contacts_current, facts.executives_current) == (2, 0)


def test_every_buying_influence_unidentified_is_named(tmp_path: Path,
                                                      rulebook: Rulebook) -> None:
    contacts = [_person("A", "manager", ("influencer", "decision_owner"),
                        last_contact="2026-09-01"),
                _person("B", "manager", ("decision_maker",), left_on="2026-09-01",
                        last_contact="2026-08-01")]
    facts = _account(tmp_path, rulebook, contacts=contacts, activities=[])
    assert facts.buying_influences_uncovered == 4
    assert facts.buying_influences_uncovered_list == (
        "user: nobody holds the role; technical gatekeeper: nobody holds the role; coach: "
        "nobody holds the role; decision maker: nobody holds the role")


def test_a_holder_never_met_is_named_with_the_roles(tmp_path: Path, rulebook: Rulebook) -> None:
    contacts = [
        _person("Met By Contact", roles=("decision_maker",), last_contact="2026-09-30"),
        _person("Met In A Meeting", roles=("user",)),
        _person("Met Only Later", roles=("technical", "coach"), last_contact="2026-10-01"),
        _person("Never Met Influencer", roles=("influencer",)),
    ]
    activities = [{"date": "2026-05-01", "kind": "email", "with": ["MET  in a meeting"]},
                  {"date": "2026-10-01", "kind": "visit", "with": ["Met Only Later"]}]
    facts = _account(tmp_path, rulebook, contacts=contacts, activities=activities)
    assert facts.buying_influences_uncovered == 1
    assert facts.buying_influences_uncovered_list == (
        "Met Only Later (technical gatekeeper, coach): never met")


def test_the_healthy_buying_team_is_covered(tmp_path: Path, rulebook: Rulebook) -> None:
    facts = _account(tmp_path, rulebook)
    assert (facts.buying_influences_uncovered, facts.buying_influences_uncovered_list) == (
        0, "none")
    assert facts.senior_contacts_current == 2


# --- the visit rhythm -------------------------------------------------------------------------

def test_visits_are_met_in_person_within_92_days(tmp_path: Path, rulebook: Rulebook) -> None:
    activities = [
        {"date": "2026-06-30", "kind": "visit"},  # 92 days before the review date: outside
        {"date": "2026-07-01", "kind": "meeting"},  # 91 days: inside
        {"date": "2026-08-01", "kind": "demo"},
        {"date": "2026-08-15", "kind": "event"},
        {"date": "2026-09-10", "kind": "call"},
        {"date": "2026-09-20", "kind": "email"},
        {"date": "2026-10-01", "kind": "visit"},  # after the review date
    ]
    facts = _account(tmp_path, rulebook, activities=activities)
    assert facts.visits_last_3_months == 3
    assert facts.days_since_visit == 46  # the event of 2026-08-15; calls and e-mails do not count
    assert (facts.activities_recorded, facts.days_since_activity) == (6, 10)


def test_no_visit_at_all(tmp_path: Path, rulebook: Rulebook) -> None:
    facts = _account(tmp_path, rulebook, activities=[{"date": "2026-09-20", "kind": "call"}])
    assert (facts.visits_last_3_months, facts.days_since_visit) == (0, None)


# --- our own owner ----------------------------------------------------------------------------

def _owner(facts: list[Any]) -> list[ContactFacts]:
    return [f for f in facts if isinstance(f, ContactFacts) and f.is_owner]


def test_the_owner_took_over_when_the_latest_earlier_owner_handed_over(
        tmp_path: Path, rulebook: Rulebook) -> None:
    history = [{"name": "Zhou Lan", "from": "2021-01-01", "to": "2026-08-01"},
               {"name": "Chen Hao", "to": "2020-12-31"}]
    (owner,) = _owner(_facts(tmp_path, rulebook, owner_history=history))
    assert owner == ContactFacts(
        account="test-account", subject="Li Wei", source_path=("owner_history", 0),
        roles="account owner", is_current=True, has_buying_role=False, is_decider=False,
        title="our key account manager", is_owner=True, took_over_on="2026-08-01",
        took_over_days_ago=60,
        key_change="took the account over from Zhou Lan on Aug 1, 2026, 60 days ago")


def test_a_handover_still_to_come_has_not_happened(tmp_path: Path, rulebook: Rulebook) -> None:
    history = [{"name": "Zhou Lan", "to": "2026-10-01"}]
    (owner,) = _owner(_facts(tmp_path, rulebook, owner_history=history))
    assert (owner.took_over_on, owner.took_over_days_ago, owner.key_change) == (None, None, None)


def test_an_owner_without_history_is_no_fact(tmp_path: Path, rulebook: Rulebook) -> None:
    assert _owner(_facts(tmp_path, rulebook)) == []


# --- a deal against its stage's characteristics (seed 004) ------------------------------------

_UP_TO_RECOGNITION = {key: True for key in (
    "fits_target_profile", "basic_data_known", "competitors_known", "needs_known",
    "budget_known", "project_team_known", "interest_confirmed", "company_recognised",
    "project_need", "initial_budget", "leadership_backing", "timeline_set",
    "third_parties_involved", "our_team_set_up", "product_accepted", "shortlisted",
    "quote_submitted")}


def _deal(tmp_path: Path, rulebook: Rulebook, **changes: Any) -> OpportunityFacts:
    deal = healthy_account()["opportunities"][0] | changes
    (found,) = [f for f in _facts(tmp_path, rulebook, opportunities=[deal])
                if isinstance(f, OpportunityFacts)]
    return found


def test_a_deal_in_negotiation_shows_the_stages_before(tmp_path: Path,
                                                       rulebook: Rulebook) -> None:
    evidence = _UP_TO_RECOGNITION | {"initial_budget": False, "vendor_confirmed": True}
    del evidence["competitors_known"]
    deal = _deal(tmp_path, rulebook, stage="negotiation", evidence=evidence)
    assert deal.characteristics_unmet == 3
    assert deal.characteristics_unmet_list == (
        "Potential opportunity: competitors known: not recorded; Project initiated: initial "
        "budget: no; Business negotiation: deal timetable set: not recorded")
    assert (deal.stage_unmet, deal.stage_unmet_list) == (1, "deal timetable set: not recorded")
    assert (deal.next_stage, deal.next_unmet) == ("closed", 3)


def test_a_closed_deal_shows_signed_paid_shipped(tmp_path: Path, rulebook: Rulebook) -> None:
    evidence = {"contract_signed": True, "payment_received": True, "goods_shipped": True}
    deal = _deal(tmp_path, rulebook, stage="closed", evidence=evidence)
    assert (deal.stage_unmet, deal.stage_unmet_list, deal.forecast_bucket) == (
        0, "none", "closed")
    assert (deal.next_stage, deal.next_unmet, deal.next_unmet_list) == (None, None, None)
