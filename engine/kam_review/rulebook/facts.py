"""Turning one account into the facts the rules test, as of a review date.

Pure functions of (account, review date, rulebook settings). Each fact is computed as its
typed definition (fact_types.py), with None where the data cannot give a figure, and turned
into the engine's plain dict in one place, `plain_fact`, which leaves an unknown field out
rather than setting it to zero, so that a rule needing it does not fire. Whatever the rule
engine cannot take is the engine adapter's concern, never the facts'.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any, NamedTuple

from kam_review.formatting import money
from kam_review.rulebook.fact_fields import FactType
from kam_review.rulebook.fact_types import FACT_TYPES, AccountFacts
from kam_review.rulebook.figures import (
    Exact,
    days_between,
    exact,
    exact_gross_margin,
    four_quarters,
    gross_profit,
    growth,
    last_complete_quarter,
    quotient,
    ratio,
    revenue_series,
    rounded,
    total,
)
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.subject_facts import (
    contact_facts,
    goal_facts,
    opportunity_facts,
    owner_facts,
    waiver_facts,
)
from kam_review.rulebook.warning_facts import warning_facts
from kam_review.source.model import BUYING_ROLES, RELATIONSHIP_STAGES, Account
from kam_review.vocabulary import Status

Fact = dict[str, Any]
FACT_TYPE = "type"
# Where the fact's subject stands in the account file; kept beside the fact, never tested.
SOURCE_PATH = "_path"


def account_facts(account: Account, as_of: date, rulebook: Rulebook) -> list[Fact]:
    """All facts of one account: the account itself, then its contacts, opportunities, plan
    goals and waivers, in file order."""
    return [plain_fact(facts) for facts in typed_account_facts(account, as_of, rulebook)]


def typed_account_facts(account: Account, as_of: date, rulebook: Rulebook) -> list[FactType]:
    """The same facts as their typed definitions, None where a figure is unknown."""
    facts: list[FactType] = [_account_facts(account, as_of, rulebook)]
    facts += [contact_facts(account, i, as_of) for i in range(len(account.contacts))]
    facts += owner_facts(account, as_of)
    facts += [opportunity_facts(account, i, as_of, rulebook.stages)
              for i in range(len(account.opportunities))]
    goals = account.plan.goals if account.plan else ()
    facts += [goal_facts(account, i) for i in range(len(goals))]
    severities = {rule.id: rule.severity.value for rule in rulebook.rules}
    facts += [waiver_facts(account, i, as_of, severities) for i in range(len(account.waivers))]
    return facts


def plain_fact(facts: FactType) -> Fact:
    """A fact as the engine, the messages and the pages get it: its type, where it stands in
    the file, and every known field (an unknown one is left out)."""
    fact: Fact = {FACT_TYPE: facts.fact_type, SOURCE_PATH: facts.source_path}
    for name in FACT_TYPES[facts.fact_type]:
        value = getattr(facts, name)
        if value is not None:
            fact[name] = value
    return fact


def _account_facts(account: Account, as_of: date, rulebook: Rulebook) -> AccountFacts:
    series = revenue_series(account, as_of)
    revenue = [r for _, r, _ in series]
    ttm, prev = four_quarters(series, 0), four_quarters(series, 4)
    margin = None if ttm is None else exact_gross_margin(*ttm)
    prev_margin = None if prev is None else exact_gross_margin(*prev)
    streak = _decline_streak(revenue) if revenue else None
    current = [c for c in account.contacts if c.left_on is None or c.left_on > as_of]
    activities = [a.date for a in account.activities if a.date <= as_of]
    complaints = [c for c in account.complaints if c.date <= as_of]
    quality = [c for c in complaints if c.topic == "quality"]
    open_deals = [o for o in account.opportunities if Status.of_stage(o.stage) == Status.OPEN]
    stock = None if ttm is None else _stock(account, as_of, ttm, margin)
    plan, scores, stage = account.plan, account.scores, account.relationship_stage
    held = {role for c in current for role in c.roles}
    return AccountFacts(
        account=account.id, subject="",
        quarters=len(series), last_quarter=str(last_complete_quarter(as_of)),
        revenue_last_quarter=revenue[-1] if revenue else None,
        lifetime_revenue=total(revenue) if revenue else None,
        growth_qoq=growth(revenue[-1], revenue[-2]) if len(revenue) >= 2 else None,
        revenue_decline_streak=streak,
        revenue_trail=None if streak is None else " -> ".join(
            money(r) for r in revenue[-1 - max(streak, 3):]),
        revenue_ttm=None if ttm is None else ttm[0],
        quarters_with_revenue_last_4=None if ttm is None else sum(
            1 for r in revenue[-4:] if r > 0),
        share_of_wallet=None if ttm is None else ratio(ttm[0], account.market.wallet),
        gross_margin_ttm=rounded(margin),
        roi=_roi(ttm, account.market.investment),
        holds_stock=None if stock is None else stock.held,
        inventory_turnover=None if stock is None else stock.turnover,
        days_of_supply=None if stock is None else stock.days_of_supply,
        gmroii=None if stock is None else stock.gmroii,
        revenue_prev_ttm=None if prev is None else prev[0],
        growth_yoy=None if ttm is None or prev is None else growth(ttm[0], prev[0]),
        gross_margin_prev_ttm=rounded(prev_margin),
        margin_change_pts=None if margin is None or prev_margin is None else rounded(
            (margin - prev_margin) * 100),
        # The last 2 quarters' average over the 4 before's: 2 * last two / four before.
        recent_revenue_ratio=quotient(2 * sum(map(exact, revenue[-2:])),
                                      sum(map(exact, revenue[-6:-2])))
        if len(revenue) >= 6 else None,
        industry_growth=account.market.industry_growth,
        plan_growth_target=None if plan is None else plan.growth_target,
        customer_years=None if account.customer_since is None else (
            as_of - account.customer_since).days / 365.25,
        open_opportunities=len(open_deals),
        open_pipeline_value=total(o.value or 0 for o in open_deals),
        contacts_current=len(current),
        levels_current=len({c.level for c in current if c.level}),
        executives_current=sum(1 for c in current if c.level == "executive"),
        decision_makers_current=sum(1 for c in current if "decision_maker" in c.roles),
        coaches_current=sum(1 for c in current if "coach" in c.roles),
        roles_missing=", ".join(r for r in BUYING_ROLES if r not in held) or "none",
        activities_recorded=len(activities),
        days_since_activity=days_between(as_of, max(activities, default=None)),
        complaints_recorded=len(complaints),
        days_since_feedback=days_between(as_of, max((c.date for c in complaints),
                                                    default=None)),
        unresolved_quality_complaints=sum(
            1 for c in quality if c.resolved_on is None or c.resolved_on > as_of),
        quality_complaints_last_year=sum(
            1 for c in quality if c.date > as_of - timedelta(days=365)),
        relationship_stage=stage,
        relationship_stage_index=None if stage is None else RELATIONSHIP_STAGES.index(stage) + 1,
        attractiveness_score=None if scores is None else _weighted_score(
            scores.attractiveness, rulebook.weights["attractiveness"]),
        relationship_score=None if scores is None else _weighted_score(
            scores.relationship, rulebook.weights["relationship"]),
        plan_present=plan is not None,
        plan_summary_present=bool(plan and plan.summary and plan.summary.strip()),
        goals_count=len(plan.goals) if plan else 0,
        **warning_facts(account, as_of),
    )


def _decline_streak(revenue: list[float]) -> int:
    """How many quarters in a row revenue fell, up to the last one."""
    streak = 0
    while streak + 1 < len(revenue) and revenue[-1 - streak] < revenue[-2 - streak]:
        streak += 1
    return streak


def _roi(ttm: tuple[float, float | None] | None, investment: float | None) -> float | None:
    if ttm is None or investment is None:
        return None
    revenue, cost = ttm
    return None if cost is None else quotient(gross_profit(revenue, cost), exact(investment))


class _Stock(NamedTuple):
    """Seed 000's inventory KPIs, for an account that reports its stock of our goods."""

    held: bool
    turnover: float | None = None
    days_of_supply: float | None = None
    gmroii: float | None = None


def _stock(account: Account, as_of: date, ttm: tuple[float, float | None],
           margin: Fraction | None) -> _Stock:
    last = last_complete_quarter(as_of).index
    stocked = sorted((row.quarter.index, row.inventory) for row in account.financials
                     if row.inventory is not None and last - 4 < row.quarter.index <= last)
    cost = ttm[1]
    if not stocked or cost is None:
        return _Stock(bool(stocked))
    # Turnover is the cost of a year over the average stock: cost * quarters / sum of stocks.
    stock: Exact = sum(exact(v) for _, v in stocked)
    cost_sold = exact(cost) * len(stocked)
    gmroii = None
    if stock > 0 and margin is not None and margin < 1:
        gmroii = rounded(margin * Fraction(cost_sold, stock) / (1 - margin))
    # Days of supply: the last stock over the cost of a week (cost / 52), in working days
    # (6 a week).
    return _Stock(True, quotient(cost_sold, stock),
                  quotient(exact(stocked[-1][1]) * 52 * 6, exact(cost)), gmroii)


def _weighted_score(scores: dict[str, int], weights: dict[str, float]) -> float | None:
    weight = sum(exact(weights[name]) for name in scores if weights[name] > 0)
    return quotient(sum(score * exact(weights[name]) for name, score in scores.items()), weight)
