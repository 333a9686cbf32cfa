"""Turning one account into the facts the rules test, as of a review date.

Pure functions of (account, review date, rulebook settings). Each fact is computed as its
typed definition (account_fact_type.py), with None where the data cannot give a figure, and
turned into the engine's plain dict in one place, `plain_fact`, which leaves an unknown field
out rather than setting it to zero, so that a rule needing it does not fire. Whatever the rule
engine cannot take is the engine adapter's concern, never the facts'.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from kam_review.i18n import _, listed
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.rulebook.account_fact_type import AccountFacts
from kam_review.rulebook.action_facts import action_facts, unplanned_warnings
from kam_review.rulebook.dated_after import dates_after
from kam_review.rulebook.fact_fields import FactType
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.figures import (
    days_between,
    exact,
    exact_gross_margin,
    four_quarters,
    gross_profit,
    growth,
    last_complete_quarter,
    new_customer_quarters,
    quotient,
    ratio,
    revenue_series,
    rounded,
    total,
)
from kam_review.rulebook.history import (
    buying_years,
    freshness,
    lead_points,
    recent_revenue_ratio,
    yearly_growth,
    zero_revenue_run,
)
from kam_review.rulebook.inventory import stock_kpis
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.subject_facts import (
    activities_met,
    contact_facts,
    goal_facts,
    opportunity_facts,
    owner_facts,
    waiver_facts,
)
from kam_review.rulebook.warning_facts import warning_facts
from kam_review.rulebook.whitespace import whitespace_facts
from kam_review.source.model import BUYING_ROLES, RELATIONSHIP_STAGES, Account, Opportunity
from kam_review.source.template_texts import template_fields
from kam_review.vocabulary import Status

Fact = dict[str, Any]
FACT_TYPE = "type"
# Where the fact's subject stands in the account file; kept beside the fact, never tested.
SOURCE_PATH = "_path"


def account_facts(account: Account, as_of: date, rulebook: Rulebook,
                  warned_before: frozenset[str] | None = None,
                  formats: LocaleFormat = ENGLISH) -> list[Fact]:
    """All facts of one account: the account itself, then its contacts, opportunities, plan
    goals and actions, and waivers, in file order. `warned_before`: the rule ids of the high
    warnings open at the previous review (None: no previous review of the account);
    `formats` writes the figures of text facts (a revenue trail, when a contact left)."""
    return [plain_fact(facts) for facts in typed_account_facts(account, as_of, rulebook,
                                                               warned_before, formats)]


def typed_account_facts(account: Account, as_of: date, rulebook: Rulebook,
                        warned_before: frozenset[str] | None = None,
                        formats: LocaleFormat = ENGLISH) -> list[FactType]:
    """The same facts as their typed definitions, None where a figure is unknown."""
    facts: list[FactType] = [_account_facts(account, as_of, rulebook, warned_before, formats)]
    met = activities_met(account, as_of)
    facts += [contact_facts(account, i, as_of, formats, met)
              for i in range(len(account.contacts))]
    facts += owner_facts(account, as_of, formats)
    thresholds = rulebook.threshold_values()
    facts += [opportunity_facts(account, i, as_of, rulebook.stages, thresholds)
              for i in range(len(account.opportunities))]
    goals = account.plan.goals if account.plan else ()
    facts += [goal_facts(account, i, as_of, rulebook) for i in range(len(goals))]
    actions = account.plan.actions if account.plan else ()
    facts += [action_facts(account, i, as_of, rulebook.subject_kinds, rulebook.titles)
              for i in range(len(actions))]
    severities = {rule.id: rule.severity.value for rule in rulebook.rules}
    facts += [waiver_facts(account, i, as_of, severities, rulebook.titles,
                           rulebook.subject_kinds)
              for i in range(len(account.waivers))]
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


def _account_facts(account: Account, as_of: date, rulebook: Rulebook,
                   warned_before: frozenset[str] | None,
                   formats: LocaleFormat) -> AccountFacts:
    series = revenue_series(account, as_of)
    revenue = [r for _, r, _ in series]
    known = [r for r in revenue if r is not None]
    last_four = [r for r in revenue[-4:] if r is not None]
    last = last_complete_quarter(as_of)
    ttm = four_quarters(series, 0) or new_customer_quarters(series, account.customer_since)
    prev = four_quarters(series, 4)
    margin = None if ttm is None else exact_gross_margin(*ttm)
    prev_margin = None if prev is None else exact_gross_margin(*prev)
    streak = _decline_streak(revenue) if revenue else None
    fresh = freshness(account, last)
    yearly = yearly_growth(series)
    thresholds = rulebook.threshold_values()
    industry = account.market.industry_growth
    compared = industry if industry is not None else thresholds.get("default_industry_growth")
    years, first_order = buying_years(account, series, as_of)
    current = [c for c in account.contacts if c.left_on is None or c.left_on > as_of]
    activities = [a.date for a in account.activities if a.date <= as_of]
    complaints = [c for c in account.complaints if c.date <= as_of]
    quality = [c for c in complaints if c.topic == "quality"]
    open_deals = [o for o in account.opportunities if Status.of_stage(o.stage) == Status.OPEN]
    stock = stock_kpis(account, last.index)
    plan, scores, stage = account.plan, account.scores, account.relationship_stage
    held = {role for c in current for role in c.roles}
    answered_days = thresholds.get("warned_answered_days")
    unplanned = unplanned_warnings(account, warned_before, rulebook.titles, None
                                   if answered_days is None else (as_of - timedelta(
                                       days=int(answered_days)), as_of))
    placeholders = template_fields(account)
    ahead = dates_after(account, as_of)
    return AccountFacts(
        account=account.id, subject="",
        quarters=len(series), last_quarter=str(last),
        latest_quarter=fresh.latest, quarters_unreported=fresh.unreported,
        gap_quarters=len(fresh.gaps), gap_list=listed(map(formats.quarter, fresh.gaps)),
        revenue_last_quarter=revenue[-1] if revenue else None,
        lifetime_revenue=total(known) if known else None,
        growth_qoq=growth(revenue[-1], revenue[-2]) if len(revenue) >= 2
        and revenue[-1] is not None and revenue[-2] is not None else None,
        revenue_decline_streak=streak,
        revenue_trail=None if streak is None else _trail(revenue[-1 - max(streak, 3):],
                                                                formats),
        revenue_ttm=None if ttm is None else ttm[0],
        quarters_with_revenue_last_4=None if ttm is None else sum(
            1 for r in last_four if r > 0),
        zero_revenue_quarters_last_4=sum(1 for r in last_four if r == 0) if last_four
        else None,
        share_of_wallet=None if ttm is None else ratio(ttm[0], account.market.wallet),
        gross_margin_ttm=rounded(margin),
        roi=_roi(ttm, account.market.investment),
        holds_stock=stock.held, resale_revenue_ttm=stock.resale_revenue,
        resale_margin_ttm=stock.margin, inventory_measure=stock.measure,
        inventory_turnover=stock.turnover, days_of_supply=stock.days_of_supply,
        gmroii=stock.gmroii,
        revenue_prev_ttm=None if prev is None else prev[0],
        growth_yoy=None if ttm is None or prev is None else growth(ttm[0], prev[0]),
        gross_margin_prev_ttm=rounded(prev_margin),
        margin_change_pts=None if margin is None or prev_margin is None else rounded(
            (margin - prev_margin) * 100),
        recent_revenue_ratio=recent_revenue_ratio(series),
        recent_revenue_quarters=sum(1 for r in revenue[-2:] if r is not None),
        earlier_revenue_quarters=sum(1 for r in revenue[-6:-2] if r is not None),
        recent_revenue_trail=_trail(revenue[-6:], formats) if revenue else None,
        zero_revenue_run=zero_revenue_run(series),
        growth_yearly=yearly.rate, growth_basis_quarters=yearly.quarters,
        growth_basis=yearly.basis, growth_needs=yearly.needs,
        industry_growth=industry, industry_growth_used=compared,
        growth_lead_pts=lead_points(yearly.rate, compared),
        plan_growth_target=None if plan is None else plan.growth_target,
        # buying_years counts from customer_since whenever the file gives it.
        customer_years=None if account.customer_since is None else years,
        buying_years=years, first_order=first_order,
        open_opportunities=len(open_deals),
        live_opportunities=sum(1 for o in open_deals if _live(o, as_of, thresholds)),
        open_pipeline_value=total(o.value or 0 for o in open_deals),
        **whitespace_facts(account),
        contacts_current=len(current),
        levels_current=len({c.level for c in current if c.level}),
        executives_current=sum(1 for c in current if c.level == "executive"),
        decision_makers_current=sum(1 for c in current if "decision_maker" in c.roles),
        coaches_current=sum(1 for c in current if "coach" in c.roles),
        roles_missing=listed(r for r in BUYING_ROLES if r not in held),
        activities_recorded=len(activities),
        last_activity=None if not activities else max(activities).isoformat(),
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
        **warning_facts(account, as_of, series),
        high_warnings_before=None if warned_before is None else len(warned_before),
        high_warnings_before_list=None if warned_before is None
        else listed(sorted(warned_before)),
        warned_unplanned=unplanned[0], warned_unplanned_list=unplanned[1],
        template_texts=len(placeholders), template_text_fields=listed(placeholders),
        dates_after_review=len(ahead), dates_after_review_list=listed(ahead),
    )


def _decline_streak(revenue: list[float | None]) -> int | None:
    """How many quarters in a row revenue fell, up to the last one; a quarter without a row
    ends the streak, and leaves it unknown when it is the last one."""
    if revenue[-1] is None:
        return None
    streak = 0
    while streak + 1 < len(revenue):
        later, earlier = revenue[-1 - streak], revenue[-2 - streak]
        if later is None or earlier is None or later >= earlier:
            break
        streak += 1
    return streak


def _trail(revenue: list[float | None], formats: LocaleFormat) -> str:
    """Revenue by quarter, oldest first: CN¥1.2M -> no row -> CN¥900K."""
    return " -> ".join(_("no row") if r is None else formats.money(r) for r in revenue)


def _live(opportunity: Opportunity, as_of: date, thresholds: dict[str, float]) -> bool:
    """An open deal still moving: not parked in its stage longer than stage_stale_days (as
    stage.stale judges it) and not past its expected close. A parked or overdue deal is no
    new business: it does not keep an account that stopped buying out of dormant."""
    stale_after = thresholds.get("stage_stale_days")
    since, close = opportunity.stage_since, opportunity.expected_close
    parked = stale_after is not None and since is not None and (as_of - since).days > stale_after
    return not parked and not (close is not None and close < as_of)


def _roi(ttm: tuple[float, float | None] | None, investment: float | None) -> float | None:
    if ttm is None or investment is None:
        return None
    revenue, cost = ttm
    return None if cost is None else quotient(gross_profit(revenue, cost), exact(investment))


def _weighted_score(scores: dict[str, int], weights: dict[str, float]) -> float | None:
    weight = sum(exact(weights[name]) for name in scores if weights[name] > 0)
    return quotient(sum(score * exact(weights[name]) for name, score in scores.items()), weight)
