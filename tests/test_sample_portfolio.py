"""The bundled portfolio is the quick start's default: it must show every part of the review."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from kam_review.review.evaluate import review
from kam_review.review.forecast import portfolio_forecast
from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.since import review_since
from kam_review.source.model import OPPORTUNITY_STAGES
from kam_review.vocabulary import GoalStatus, Health

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
    """A verdict rule "fires" where it decides an account's verdict."""
    fired = {f.rule for a in sample.accounts for f in a.findings}
    fired |= {a.verdict.rule for a in sample.accounts if a.verdict is not None}
    # The rules on what the previous review warned of fire where the site compares.
    since, _ = review_since(ACCOUNTS, RULES, AS_OF, since=Since(cache=False))
    fired |= {f.rule for a in since.accounts for f in a.findings}
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


def test_the_forecast_and_whitespace_show(sample: Result) -> None:
    """Seed 004's forecast by commitment, every category of it in the current funnel, deals
    won before this quarter kept out of it, won against the sales targets, lost deals with
    their reasons; and whitespace with lines not yet offered (and one account, donghai,
    whose lines are all offered)."""
    deals = [f for item in sample.accounts for f in item.facts if f["type"] == "opportunity"]
    current = {f["commit_category"] for f in deals if not f["is_history"]} - {""}
    assert current == {"won", "closed, awaiting signature, payment or shipment",
                       "guaranteed this quarter", "likely this quarter", "likely next quarter",
                       "intent", "overdue", "before intent"}
    assert any(f["is_history"] and f["stage"] == "closed" for f in deals)
    lost = [f for f in deals if f["stage"] == "lost"]
    assert lost and all("loss_reason" in f and "lost_on" in f for f in lost)
    assert any(not f["is_history"] for f in lost)  # one lost this quarter
    forecasts = portfolio_forecast(sample)
    (cny,) = [f for f in forecasts if f.currency == "CNY"]
    quarter, after, year = cny.periods
    assert quarter.won.deals and quarter.targets >= 2 and year.targets >= 3
    assert after.open.deals and year.won.value > quarter.won.value
    advised = {item.account.id for item in sample.accounts for f in item.findings
               if f.rule == "advice.whitespace"}
    assert advised == {"hanhai-retail", "huaxin-electronics", "kangning-pharma"}
    donghai = sample.account("donghai-logistics").facts[0]
    assert donghai["product_lines"] and not donghai["lines_not_offered"]


def test_it_shows_teams_actions_and_a_missing_summary(sample: Result) -> None:
    """Every account in one of three teams; actions done with their outcome, dropped and open,
    open ones answering findings the review raises; overdue ones, and one due on the review
    date itself that is not; one account without a summary."""
    by_id = {a.account.id: a for a in sample.accounts}
    assert Counter(a.account.team for a in sample.accounts) == {
        "East China": 5, "North China": 5, "South and West": 5}
    actions = [(item, action) for item in sample.accounts if item.account.plan
               for action in item.account.plan.actions]
    assert all(len(item.account.plan.actions) >= 2 for item in sample.accounts
               if item.account.plan)
    statuses = Counter(action.status for _, action in actions)
    assert statuses["done"] >= 5 and statuses["dropped"] >= 1 and statuses["open"] >= 15
    assert all(action.outcome for _, action in actions if action.status == "dropped")
    assert sum(1 for _, action in actions if action.status == "done" and action.outcome) >= 5
    answered = [(item, action.answers) for item, action in actions if action.status == "open"
                and action.answers and "." in action.answers and ":" not in action.answers]
    assert len(answered) >= 8
    assert all(any(f.rule == rule for f in item.findings) for item, rule in answered)
    overdue = sorted((f.account, f.message) for a in sample.accounts for f in a.findings
                     if f.rule == "plan.action-overdue")
    assert [account for account, _ in overdue] == [
        "beichen-education", "guoneng-energy", "huaxin-electronics", "jiahe-home",
        "kuaigou-ecommerce"]
    assert overdue[1][1].endswith("(owner Li Wei) was due on Aug 31, 2026: 30 days overdue")
    lanting = by_id["lanting-hotels"]
    assert lanting.account.plan is not None
    assert [a.due for a in lanting.account.plan.actions if a.status == "open"] == [AS_OF]
    assert not [f for f in lanting.findings if f.rule == "plan.action-overdue"]
    missing = [a.account.id for a in sample.accounts if any(
        f.rule == "plan.summary-missing" for f in a.findings)]
    assert missing == ["renhe-hospital"]


def test_goals_in_every_status_and_verdicts_spread(sample: Result) -> None:
    """The goals show each status (measured from the file, or recorded by hand), and the
    verdicts spread over all four."""
    goals = {(item.account.id, fact["subject"]): fact["status"] for item in sample.accounts
             for fact in item.facts if fact["type"] == "goal"}
    assert set(goals.values()) == {s.value for s in GoalStatus}
    assert goals["kangning-pharma", "Customer satisfaction index of 4.5 or better"] == "achieved"
    assert goals["jinlun-auto-parts", "Keep yearly revenue at 5.9M CNY or more"] == "achieved"
    assert goals["hanhai-retail", "Grow yearly revenue to 10.1M CNY"] == "behind"
    assert goals["jiahe-home", "Quarterly revenue back to 1.5M CNY in 2026-Q2"] == "missed"
    assert goals["haoyang-chemicals", "Reach USD 310K yearly revenue"] == "on track"
    # A customer since February 2026: the quarter before had no sales from it (a known
    # zero), so its three quarters on file are its yearly revenue.
    assert goals["lanting-hotels", "Room-key encoders in all twelve hotels"] == "on track"
    lanting = next(item for item in sample.accounts if item.account.id == "lanting-hotels")
    assert lanting.facts[0]["revenue_ttm"] == sum(
        row.revenue for row in lanting.account.financials)
    verdicts = {item.account.id: item.verdict.health for item in sample.accounts
                if item.verdict is not None}
    assert Counter(verdicts.values()) == {Health.AT_RISK: 8, Health.WATCH: 4,
                                          Health.NOT_ENOUGH_DATA: 1, Health.HEALTHY: 2}
    assert verdicts["beichen-education"] == Health.NOT_ENOUGH_DATA
    assert verdicts["hanhai-retail"] == Health.WATCH  # a high finding waived, a goal behind
    assert {i for i, h in verdicts.items() if h == Health.HEALTHY} == {
        "haoyang-chemicals", "kangning-pharma"}


def test_it_shows_movement_since_the_previous_quarter(tmp_path: Path) -> None:
    """Without a review tag or history that far back (a copy outside git here), the sample
    is compared with its own files as of 2026-06-30, and shows real movement: classes that
    changed, a new high finding, deals that moved stage."""
    shutil.copytree(ACCOUNTS, tmp_path / "accounts")
    result, movement = review_since(tmp_path / "accounts", RULES, AS_OF,
                                    since=Since(cache=False))
    assert movement.comparison.kind == "files"
    assert str(movement.comparison.as_of) == "2026-06-30"
    changed = {m.id: (m.before.class_shown, m.after.class_shown) for m in movement.compared
               if m.before is not None and m.class_changed}
    assert changed == {"beichen-education": ("nurture", "unclassified"),
                       "guoneng-energy": ("unclassified", "dormant"),
                       "haoyang-chemicals": ("fast-growing", "nurture"),
                       "ruifeng-retail": ("loyal", "dormant"),
                       "xinyuan-foods": ("nurture", "fast-growing")}
    # New high findings: xinyuan-foods' own, and, on the accounts whose high warnings of
    # 2026-06-30 no open action answers, "warned last quarter, nothing planned".
    new_high = {m.id: {f.rule for f in m.new_high} for m in movement.accounts if m.new_high}
    assert {"risk.key-contact-left", "risk.quality-issues"} <= new_high["xinyuan-foods"]
    planned = {i for i, rules in new_high.items() if "plan.warned-nothing-planned" in rules}
    assert planned and planned == {item.account.id for item in result.accounts
                                   if any(f.rule == "plan.warned-nothing-planned"
                                          for f in item.findings)}
    assert all(rules == {"plan.warned-nothing-planned"} for i, rules in new_high.items()
               if i != "xinyuan-foods")
    assert sum(len(m.stages) for m in movement.accounts) >= 10
    # The deals with a stage history moved from the stage it gives for 2026-06-30.
    moves = {m.deal: (m.before, m.after) for a in movement.accounts for m in a.stages}
    assert moves["floor-tablets"] == ("opportunity", "intent")
    assert moves["wms-phase3"] == ("intent", "initiated")
    # Verdicts that moved, and actions done since 2026-06-30 (by their due dates).
    verdicts = {m.id: (m.before.verdict, m.after.verdict) for m in movement.compared
                if m.before is not None and m.verdict_changed}
    assert verdicts == {"kangning-pharma": ("watch", "healthy"),
                        "xinyuan-foods": ("watch", "at risk")}
    done = {m.id: [a.text for a in m.done] for m in movement.accounts if m.done}
    assert done["hanhai-retail"] == ["Introduce Liu Yang to the POS refresh project team"]
    assert all(a.done_on is not None and a.done_on > movement.comparison.as_of
               for m in movement.accounts for a in m.done)
    assert len(result.accounts) == len(movement.accounts)


def test_its_tables_hold_what_sorting_must_handle(sample: Result) -> None:
    """The sortable tables meet every kind of value in the sample: a falling and a growing
    account, an unknown growth, and a deal too early for a close date (lanting-hotels),
    which the funnel lists under "no close date" and sorts below every dated deal."""
    growth = [a.facts[0].get("growth_yearly") for a in sample.accounts]
    assert None in growth
    known = [g for g in growth if g is not None]
    assert min(known) < 0 < max(known)
    undated = [(item.account.id, fact["subject"]) for item in sample.accounts
               for fact in item.facts if fact["type"] == "opportunity"
               and fact["forecast_bucket"] == "no close date"]
    assert undated == [("lanting-hotels", "resort-smart-locks")]


def test_it_keeps_money_in_several_currencies(sample: Result) -> None:
    """Two subsidiaries invoiced abroad (Hong Kong, Singapore), so that the pages show totals
    per currency, or converted at the sample site's rates (site/rates.yaml)."""
    currencies = Counter(a.account.currency for a in sample.accounts)
    assert currencies == {"CNY": len(sample.accounts) - 2, "HKD": 1, "USD": 1}
    by_id = {a.account.id: a for a in sample.accounts}
    assert by_id["huaxin-electronics"].account.currency == "HKD"
    assert by_id["haoyang-chemicals"].account.currency == "USD"


def test_the_risk_registers_order_is_kept_and_handed_out_as_a_copy(site_review: Result) -> None:
    """Result.warnings sorts once a result (most severe first, the waived after the open of
    their severity); what a caller does with the list it gets does not reach the next
    caller."""
    first = site_review.warnings()
    assert first and first == sorted(first, key=lambda pair: (
        pair[0].severity.rank, pair[0].waived, pair[0].sort_key(), pair[1].id))
    highs = [finding.waived for finding, _ in first if finding.severity == "high"]
    assert True in highs and highs == sorted(highs)  # the waived high one after the open
    first.clear()
    assert site_review.warnings() and site_review.warnings() is not site_review.warnings()
