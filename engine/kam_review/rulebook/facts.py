"""Turning one account into the flat facts the rules test, as of a review date.

Pure functions of (account, review date, rulebook settings). A figure the data cannot give is
left out of the fact rather than set to zero, so that a rule needing it does not fire.
Figures are exact: a sum or a ratio is computed from the file's figures exactly and rounded
once, to the nearest float, so that a boundary a rule states (growth of exactly 25%) is met
and pages show what the file says. Whatever the rule engine cannot take is the engine
adapter's concern, never the facts'.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from kam_review.formatting import money
from kam_review.rulebook.loading import Rulebook, Stage
from kam_review.rulebook.waivers import approved_by_owner, has_approver, visible_text
from kam_review.source.model import BUYING_ROLES, RELATIONSHIP_STAGES, Account, Opportunity, Quarter
from kam_review.vocabulary import (
    BUCKET_LATER,
    BUCKET_NO_CLOSE_DATE,
    BUCKET_OVERDUE,
    FORECAST_WINDOWS,
    Status,
)

Fact = dict[str, Any]
FACT_TYPE = "type"
# Where the fact's subject stands in the account file; kept beside the fact, never tested.
SOURCE_PATH = "_path"
# A figure as an exact number: an int, or the fraction a float stands for.
Exact = int | Fraction


def account_facts(account: Account, as_of: date, rulebook: Rulebook) -> list[Fact]:
    """All facts of one account: the account itself, then its contacts, opportunities, plan
    goals and waivers, in file order."""
    facts = [_account_fact(account, as_of, rulebook)]
    facts += [_contact_fact(account, i, as_of) for i in range(len(account.contacts))]
    facts += [_opportunity_fact(account, i, as_of, rulebook.stages)
              for i in range(len(account.opportunities))]
    goals = account.plan.goals if account.plan else ()
    facts += [_goal_fact(account, i) for i in range(len(goals))]
    severities = {rule.id: rule.severity.value for rule in rulebook.rules}
    facts += [_waiver_fact(account, i, as_of, severities) for i in range(len(account.waivers))]
    return facts


def last_complete_quarter(as_of: date) -> Quarter:
    current = Quarter.containing(as_of)
    if current.last_day <= as_of:
        return current
    return Quarter.from_index(current.index - 1)


def revenue_series(account: Account, as_of: date) -> list[tuple[Quarter, float, float | None]]:
    """(quarter, revenue, cost) from the first quarter on file to the last complete quarter;
    a quarter without a row had no sales (revenue 0, cost 0)."""
    last = last_complete_quarter(as_of).index
    rows = {row.quarter.index: row for row in account.financials if row.quarter.index <= last}
    if not rows:
        return []
    series = []
    for index in range(min(rows), last + 1):
        row = rows.get(index)
        series.append((Quarter.from_index(index), row.revenue if row else 0.0,
                       (row.cost if row else 0.0)))
    return series


def _put(fact: Fact, name: str, value: Any) -> None:
    """Set a fact field, leaving it out when the data cannot give it."""
    if value is not None:
        fact[name] = value


def _exact(value: float) -> Exact:
    return value if isinstance(value, int) else Fraction(value)


def _total(values: Iterable[float]) -> float:
    """A sum rounded once: exact (an int) when every figure is an int."""
    figures = list(values)
    return sum(figures) if all(isinstance(v, int) for v in figures) else math.fsum(figures)


def _rounded(value: Exact | None) -> float | None:
    """The nearest float; None (left out) beyond a float's range, e.g. growth from 1e-300."""
    try:
        return None if value is None else float(value)
    except OverflowError:
        return None


def _quotient(numerator: Exact, denominator: Exact) -> float | None:
    return _rounded(Fraction(numerator, denominator)) if denominator > 0 else None


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None:
        return None
    return _quotient(_exact(part), _exact(whole))


def _growth(new: float, old: float) -> float | None:
    """new / old - 1, rounded once: 1.1M against 1M is exactly 0.1."""
    return _quotient(_exact(new) - _exact(old), _exact(old))


def _days(later: date, earlier: date | None) -> int | None:
    return (later - earlier).days if earlier is not None else None


def _margin(revenue: float, cost: float | None) -> Fraction | None:
    if cost is None or revenue <= 0:
        return None
    return Fraction(_exact(revenue) - _exact(cost), _exact(revenue))


def _account_fact(account: Account, as_of: date, rulebook: Rulebook) -> Fact:
    fact: Fact = {FACT_TYPE: "account", "account": account.id, "subject": "", SOURCE_PATH: ()}
    _revenue_facts(fact, account, as_of)
    _put(fact, "industry_growth", account.market.industry_growth)
    if account.plan is not None:
        _put(fact, "plan_growth_target", account.plan.growth_target)
    if account.customer_since is not None:
        _put(fact, "customer_years", (as_of - account.customer_since).days / 365.25)
    open_deals = [o for o in account.opportunities if Status.of_stage(o.stage) == Status.OPEN]
    fact["open_opportunities"] = len(open_deals)
    fact["open_pipeline_value"] = _total(o.value or 0 for o in open_deals)
    _contact_summary(fact, account, as_of)
    _feedback_facts(fact, account, as_of)
    if account.relationship_stage is not None:
        fact["relationship_stage"] = account.relationship_stage
        fact["relationship_stage_index"] = RELATIONSHIP_STAGES.index(account.relationship_stage) + 1
    if account.scores is not None:
        for axis in ("attractiveness", "relationship"):
            _put(fact, f"{axis}_score", _weighted_score(
                getattr(account.scores, axis), rulebook.weights[axis]))
    fact["plan_present"] = account.plan is not None
    fact["plan_summary_present"] = bool(account.plan and account.plan.summary
                                        and account.plan.summary.strip())
    fact["goals_count"] = len(account.plan.goals) if account.plan else 0
    return fact


def _revenue_facts(fact: Fact, account: Account, as_of: date) -> None:
    series = revenue_series(account, as_of)
    fact["quarters"] = len(series)
    fact["last_quarter"] = str(last_complete_quarter(as_of))
    if not series:
        return
    revenue = [r for _, r, _ in series]
    fact["revenue_last_quarter"] = revenue[-1]
    fact["lifetime_revenue"] = _total(revenue)
    if len(revenue) >= 2:
        _put(fact, "growth_qoq", _growth(revenue[-1], revenue[-2]))
    streak = 0
    while streak + 1 < len(revenue) and revenue[-1 - streak] < revenue[-2 - streak]:
        streak += 1
    fact["revenue_decline_streak"] = streak
    fact["revenue_trail"] = " -> ".join(money(r) for r in revenue[-1 - max(streak, 3):])
    ttm, prev = _window(series, 0), _window(series, 4)
    margin = None if ttm is None else _margin(*ttm)
    if ttm is not None:
        fact["revenue_ttm"] = ttm[0]
        fact["quarters_with_revenue_last_4"] = sum(1 for r in revenue[-4:] if r > 0)
        _put(fact, "share_of_wallet", _ratio(ttm[0], account.market.wallet))
        _put(fact, "gross_margin_ttm", _rounded(margin))
        if ttm[1] is not None and account.market.investment is not None:
            _put(fact, "roi", _quotient(_exact(ttm[0]) - _exact(ttm[1]),
                                        _exact(account.market.investment)))
        _stock_facts(fact, account, as_of, ttm)
    if prev is not None:
        fact["revenue_prev_ttm"] = prev[0]
        _put(fact, "growth_yoy", _growth(ttm[0], prev[0]) if ttm else None)
        prev_margin = _margin(*prev)
        _put(fact, "gross_margin_prev_ttm", _rounded(prev_margin))
        if margin is not None and prev_margin is not None:
            _put(fact, "margin_change_pts", _rounded((margin - prev_margin) * 100))
    if len(revenue) >= 6:
        # The last 2 quarters' average over the 4 before's: 2 * last two / four before.
        _put(fact, "recent_revenue_ratio", _quotient(2 * sum(map(_exact, revenue[-2:])),
                                                     sum(map(_exact, revenue[-6:-2]))))


def _window(
    series: Sequence[tuple[Quarter, float, float | None]], skip: int
) -> tuple[float, float | None] | None:
    """(revenue, cost) of four quarters, ending `skip` quarters before the last one; cost is
    None unless every one of the four quarters reports it."""
    if len(series) < skip + 4:
        return None
    rows = series[len(series) - skip - 4: len(series) - skip]
    costs = [c for _, _, c in rows]
    cost = None if any(c is None for c in costs) else _total(c for c in costs if c is not None)
    return _total(r for _, r, _ in rows), cost


def _stock_facts(
    fact: Fact, account: Account, as_of: date, ttm: tuple[float, float | None]
) -> None:
    """Seed 000's inventory KPIs, for an account that reports its stock of our goods."""
    last = last_complete_quarter(as_of).index
    stocked = sorted((row.quarter.index, row.inventory) for row in account.financials
                     if row.inventory is not None and last - 4 < row.quarter.index <= last)
    fact["holds_stock"] = bool(stocked)
    revenue, cost = ttm
    if not stocked or cost is None:
        return
    # Turnover is the cost of a year over the average stock: cost * quarters / sum of stocks.
    stock, cost_sold = sum(_exact(v) for _, v in stocked), _exact(cost) * len(stocked)
    _put(fact, "inventory_turnover", _quotient(cost_sold, stock))
    # The last stock over the cost of a week (cost / 52), in working days (6 a week).
    _put(fact, "days_of_supply", _quotient(_exact(stocked[-1][1]) * 52 * 6, _exact(cost)))
    margin = _margin(revenue, cost)
    if stock > 0 and margin is not None and margin < 1:
        _put(fact, "gmroii", _rounded(margin * Fraction(cost_sold, stock) / (1 - margin)))


def _contact_summary(fact: Fact, account: Account, as_of: date) -> None:
    current = [c for c in account.contacts if c.left_on is None or c.left_on > as_of]
    fact["contacts_current"] = len(current)
    fact["levels_current"] = len({c.level for c in current if c.level})
    fact["executives_current"] = sum(1 for c in current if c.level == "executive")
    fact["decision_makers_current"] = sum(1 for c in current if "decision_maker" in c.roles)
    fact["coaches_current"] = sum(1 for c in current if "coach" in c.roles)
    held = {role for c in current for role in c.roles}
    fact["roles_missing"] = ", ".join(r for r in BUYING_ROLES if r not in held) or "none"


def _feedback_facts(fact: Fact, account: Account, as_of: date) -> None:
    activities = [a.date for a in account.activities if a.date <= as_of]
    fact["activities_recorded"] = len(activities)
    _put(fact, "days_since_activity", _days(as_of, max(activities, default=None)))
    complaints = [c for c in account.complaints if c.date <= as_of]
    fact["complaints_recorded"] = len(complaints)
    _put(fact, "days_since_feedback", _days(as_of, max((c.date for c in complaints),
                                                       default=None)))
    quality = [c for c in complaints if c.topic == "quality"]
    fact["unresolved_quality_complaints"] = sum(
        1 for c in quality if c.resolved_on is None or c.resolved_on > as_of)
    year_ago = as_of - timedelta(days=365)
    fact["quality_complaints_last_year"] = sum(1 for c in quality if c.date > year_ago)


def _weighted_score(scores: dict[str, int], weights: dict[str, float]) -> float | None:
    total = sum(_exact(weights[name]) for name in scores if weights[name] > 0)
    return _quotient(sum(score * _exact(weights[name]) for name, score in scores.items()), total)


def _contact_fact(account: Account, index: int, as_of: date) -> Fact:
    contact = account.contacts[index]
    left = contact.left_on is not None and contact.left_on <= as_of
    fact: Fact = {
        FACT_TYPE: "contact",
        SOURCE_PATH: ("contacts", index),
        "account": account.id,
        "subject": contact.name,
        "roles": ", ".join(contact.roles) or "none",
        "is_current": not left,
        "has_buying_role": bool(contact.roles),
        "is_decider": bool({"decision_maker", "decision_owner"} & set(contact.roles)),
    }
    for name in ("title", "level", "style", "attitude"):
        _put(fact, name, getattr(contact, name))
    if left and contact.left_on is not None:
        fact["left_on"] = contact.left_on.isoformat()
        fact["left_days_ago"] = _days(as_of, contact.left_on)
    if contact.last_contact is not None:
        fact["last_contact"] = contact.last_contact.isoformat()
        fact["days_since_contact"] = _days(as_of, contact.last_contact)
    return fact


def stage_checklist(
    opportunity: Opportunity, stages: Sequence[Stage]
) -> list[tuple[Stage, str, bool | None]]:
    """Every exit criterion of every stage with the opportunity's evidence: True, False or
    None (not recorded)."""
    return [(stage, key, opportunity.evidence.get(key))
            for stage in stages for key in stage.exit]


def _opportunity_fact(
    account: Account, index: int, as_of: date, stages: Sequence[Stage]
) -> Fact:
    opportunity = account.opportunities[index]
    fact: Fact = {
        FACT_TYPE: "opportunity",
        SOURCE_PATH: ("opportunities", index),
        "account": account.id,
        "subject": opportunity.id,
        "name": opportunity.name,
        "stage": opportunity.stage,
        "is_open": Status.of_stage(opportunity.stage) == Status.OPEN,
    }
    current = next((s for s in stages if s.id == opportunity.stage), None)
    fact["stage_index"] = current.index if current else 0
    _put(fact, "days_in_stage", _days(as_of, opportunity.stage_since))
    if opportunity.expected_close is not None:
        fact["expected_close"] = opportunity.expected_close.isoformat()
        fact["days_to_close"] = (opportunity.expected_close - as_of).days
        if fact["days_to_close"] < 0:
            fact["days_overdue"] = -fact["days_to_close"]
    fact["forecast_bucket"] = forecast_bucket(opportunity, as_of)
    _put(fact, "probability", opportunity.probability)
    _put(fact, "value", opportunity.value)
    if opportunity.value is not None and opportunity.probability is not None:
        _put(fact, "weighted_value", opportunity.value * opportunity.probability)
    if current is not None:
        checklist = stage_checklist(opportunity, stages)
        prior = [_evidence_text(key, ok) for stage, key, ok in checklist
                 if stage.index < current.index and ok is not True]
        due = [_evidence_text(key, ok) for stage, key, ok in checklist
               if stage.index == current.index and ok is not True]
        fact["prior_unmet"] = len(prior)
        fact["prior_unmet_list"] = ", ".join(prior) or "none"
        fact["exit_unmet"] = len(due)
        fact["exit_unmet_list"] = ", ".join(due) or "none"
    doubts = [f"{q}: {a}" for q, a in opportunity.qualification.items() if a in ("no", "unsure")]
    fact["qualification_doubts"] = len(doubts)
    fact["qualification_doubts_list"] = ", ".join(doubts) or "none"
    return fact


def forecast_bucket(opportunity: Opportunity, as_of: date) -> str:
    """closed, overdue, 0-3 / 3-6 / 6-9 / 9-12 months, later, or no close date; lost deals
    are in no bucket (empty text)."""
    status = Status.of_stage(opportunity.stage)
    if status == Status.CLOSED:
        return Status.CLOSED.value
    if status == Status.LOST:
        return ""
    if opportunity.expected_close is None:
        return BUCKET_NO_CLOSE_DATE
    days = (opportunity.expected_close - as_of).days
    if days < 0:
        return BUCKET_OVERDUE
    return next((name for limit, name in FORECAST_WINDOWS if days <= limit), BUCKET_LATER)


def _evidence_text(key: str, ok: bool | None) -> str:
    return f"{key} (not recorded)" if ok is None else f"{key} (false)"


def _goal_fact(account: Account, index: int) -> Fact:
    assert account.plan is not None
    goal = account.plan.goals[index]
    missing = [name for name, value in (("metric", goal.metric), ("target", goal.target),
                                         ("due date", goal.due)) if value is None]
    return {
        FACT_TYPE: "goal",
        SOURCE_PATH: ("plan", "goals", index),
        "account": account.id,
        "subject": goal.text,
        "has_metric": goal.metric is not None,
        "has_target": goal.target is not None,
        "has_due": goal.due is not None,
        "missing_parts": ", ".join(missing) or "none",
    }


def _waiver_fact(account: Account, index: int, as_of: date, severities: dict[str, str]) -> Fact:
    waiver = account.waivers[index]
    reason = visible_text(waiver.reason)
    fact: Fact = {
        FACT_TYPE: "waiver",
        SOURCE_PATH: ("waivers", index),
        "account": account.id,
        "subject": waiver.rule + (f" ({waiver.subject})" if waiver.subject else ""),
        "rule": waiver.rule,
        "owner": account.owner,
        "reason": reason,
        "reason_key": reason.casefold(),
        "reason_length": len(reason),
        "has_approver": has_approver(waiver),
        "approved_by_owner": approved_by_owner(waiver, account),
    }
    _put(fact, "by", visible_text(waiver.by) or None)
    _put(fact, "waived_severity", severities.get(waiver.rule))
    if waiver.until is not None:
        fact["until"] = waiver.until.isoformat()
        fact["days_past_until"] = (as_of - waiver.until).days
        fact["days_remaining"] = (waiver.until - as_of).days
    return fact
