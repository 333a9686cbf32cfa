"""The bundled portfolio is the quick start's default: it must show every part of the review."""

from __future__ import annotations

from collections import Counter

import pytest

from kam_review.review.evaluate import review
from kam_review.review.results import Result
from kam_review.source.model import OPPORTUNITY_STAGES

from .conftest import ACCOUNTS, AS_OF, RULES


@pytest.fixture(scope="module")
def sample() -> Result:
    return review(ACCOUNTS, RULES, AS_OF)


def test_every_file_is_valid(sample: Result) -> None:
    assert [str(e) for e in sample.errors] == []
    assert len(sample.accounts) >= 12


def test_every_class_and_one_unclassified(sample: Result) -> None:
    classes = Counter(a.klass for a in sample.accounts)
    for klass in ("dormant", "fast-growing", "loyal", "nurture"):
        assert classes[klass] >= 2, classes
    assert classes["unclassified"] == 1


def test_every_rule_fires_somewhere(sample: Result) -> None:
    fired = {f.rule for a in sample.accounts for f in a.findings}
    assert sorted(r.id for r in sample.rulebook.rules if r.id not in fired) == []


def test_every_funnel_stage_appears(sample: Result) -> None:
    stages = {o.stage for a in sample.accounts for o in a.account.opportunities}
    assert stages == set(OPPORTUNITY_STAGES)


def test_realistic_shape(sample: Result) -> None:
    for item in sample.accounts:
        account = item.account
        # A new account has a short history: three quarters at least.
        assert 3 <= len(account.financials) <= 12, account.id
        assert 2 <= len(account.contacts) <= 8, account.id
        assert len(account.opportunities) <= 4, account.id
    assert len({a.account.industry for a in sample.accounts}) >= 8
    assert len({a.account.owner for a in sample.accounts}) >= 3


def test_waivers_both_apply_and_expire(sample: Result) -> None:
    waived = [f for a in sample.accounts for f in a.findings if f.waived]
    expired = [f for a in sample.accounts for f in a.findings if f.rule == "plan.waiver-expired"]
    assert waived and expired


def test_the_warnings_the_seeds_name_show(sample: Result) -> None:
    """A closed deal not yet paid (seed 004), our own owner changed (seed 001: both sides), a
    buying influence never met (seed 002's minefield), senior access through directors only
    (seed 001: 高层管理人员和总监)."""
    found = [(item, f) for item in sample.accounts for f in item.findings]
    unpaid = [(item, f) for item, f in found if f.rule == "stage.closed-unpaid"]
    assert unpaid
    for item, finding in unpaid:
        (deal,) = [fact for fact in item.facts if fact["type"] == "opportunity"
                   and fact["subject"] == finding.subject]
        assert deal["stage"] == "closed" and deal["forecast_bucket"] != "closed"
    assert [item.account.id for item, f in found
            if f.rule == "risk.key-contact-left" and f.subject == item.account.owner]
    assert [f for _, f in found if f.rule == "risk.buying-role-gap" and "never met" in f.message]
    directors_only = [item.account.id for item in sample.accounts
                      if {c.level for c in item.account.contacts if c.left_on is None}
                      & {"executive", "director"} == {"director"}]
    assert directors_only
    warned = {item.account.id for item, f in found if f.rule == "risk.no-executive-access"}
    assert not set(directors_only) & warned


def test_it_shows_short_histories_gaps_new_and_parked(sample: Result) -> None:
    """What the README's tour points at: every case of missing or young data, and a dormant
    account that an open but parked deal does not keep awake."""
    by_id = {a.account.id: a for a in sample.accounts}
    assert sample.class_shown(by_id["lanting-hotels"]) == "nurture: new account"
    assert by_id["jiahe-home"].facts[0]["growth_basis_quarters"] == 2  # five quarters on file
    assert by_id["renhe-hospital"].facts[0]["quarters"] == 6
    guoneng = by_id["guoneng-energy"]
    assert guoneng.klass == "dormant"
    assert guoneng.facts[0]["open_opportunities"] == 1
    assert guoneng.facts[0]["live_opportunities"] == 0
    assert guoneng.facts[0]["gap_list"] == "2026-Q2"
    beichen = by_id["beichen-education"]
    assert beichen.klass == "unclassified"
    assert [f.rule for f in beichen.findings if f.kind == "data"] == ["data.stale"]
    assert by_id["tianhe-distribution"].facts[0]["inventory_measure"] == "units"


def test_it_keeps_money_in_several_currencies(sample: Result) -> None:
    """Two subsidiaries invoiced abroad (Hong Kong, Singapore), so that the pages show totals
    per currency, or converted at the sample site's rates (site/rates.yaml)."""
    currencies = Counter(a.account.currency for a in sample.accounts)
    assert currencies == {"CNY": len(sample.accounts) - 2, "HKD": 1, "USD": 1}
    by_id = {a.account.id: a for a in sample.accounts}
    assert by_id["huaxin-electronics"].account.currency == "HKD"
    assert by_id["haoyang-chemicals"].account.currency == "USD"
