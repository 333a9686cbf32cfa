"""The facts of what an account holds: each contact, opportunity, plan goal and waiver.

Pure functions of (account, position in the file, review date, rulebook settings), each
returning its typed fact (fact_types.py); facts.py gathers them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kam_review.rulebook.fact_types import ContactFacts, GoalFacts, OpportunityFacts, WaiverFacts
from kam_review.rulebook.figures import days_between
from kam_review.rulebook.loading import Stage
from kam_review.rulebook.waivers import approved_by_owner, has_approver, visible_text
from kam_review.source.model import Account, Opportunity
from kam_review.vocabulary import (
    BUCKET_LATER,
    BUCKET_NO_CLOSE_DATE,
    BUCKET_OVERDUE,
    FORECAST_WINDOWS,
    Status,
)


def contact_facts(account: Account, index: int, as_of: date) -> ContactFacts:
    contact = account.contacts[index]
    left = contact.left_on if contact.left_on is not None and contact.left_on <= as_of else None
    return ContactFacts(
        account=account.id, subject=contact.name, source_path=("contacts", index),
        roles=", ".join(contact.roles) or "none",
        is_current=left is None,
        has_buying_role=bool(contact.roles),
        is_decider=bool({"decision_maker", "decision_owner"} & set(contact.roles)),
        title=contact.title, level=contact.level, style=contact.style,
        attitude=contact.attitude,
        left_on=None if left is None else left.isoformat(),
        left_days_ago=days_between(as_of, left),
        last_contact=None if contact.last_contact is None else contact.last_contact.isoformat(),
        days_since_contact=days_between(as_of, contact.last_contact),
    )


def stage_checklist(
    opportunity: Opportunity, stages: Sequence[Stage]
) -> list[tuple[Stage, str, bool | None]]:
    """Every exit criterion of every stage with the opportunity's evidence: True, False or
    None (not recorded)."""
    return [(stage, key, opportunity.evidence.get(key))
            for stage in stages for key in stage.exit]


def opportunity_facts(
    account: Account, index: int, as_of: date, stages: Sequence[Stage]
) -> OpportunityFacts:
    opportunity = account.opportunities[index]
    current = next((s for s in stages if s.id == opportunity.stage), None)
    prior = due = None
    if current is not None:
        checklist = stage_checklist(opportunity, stages)
        prior = [_evidence_text(key, ok) for stage, key, ok in checklist
                 if stage.index < current.index and ok is not True]
        due = [_evidence_text(key, ok) for stage, key, ok in checklist
               if stage.index == current.index and ok is not True]
    close = opportunity.expected_close
    days_to_close = None if close is None else (close - as_of).days
    value, probability = opportunity.value, opportunity.probability
    doubts = [f"{q}: {a}" for q, a in opportunity.qualification.items() if a in ("no", "unsure")]
    return OpportunityFacts(
        account=account.id, subject=opportunity.id, source_path=("opportunities", index),
        name=opportunity.name,
        stage=opportunity.stage,
        is_open=Status.of_stage(opportunity.stage) == Status.OPEN,
        stage_index=current.index if current else 0,
        days_in_stage=days_between(as_of, opportunity.stage_since),
        expected_close=None if close is None else close.isoformat(),
        days_to_close=days_to_close,
        days_overdue=-days_to_close if days_to_close is not None and days_to_close < 0
        else None,
        forecast_bucket=forecast_bucket(opportunity, as_of),
        probability=probability,
        value=value,
        weighted_value=None if value is None or probability is None else value * probability,
        prior_unmet=None if prior is None else len(prior),
        prior_unmet_list=None if prior is None else ", ".join(prior) or "none",
        exit_unmet=None if due is None else len(due),
        exit_unmet_list=None if due is None else ", ".join(due) or "none",
        qualification_doubts=len(doubts),
        qualification_doubts_list=", ".join(doubts) or "none",
    )


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


def goal_facts(account: Account, index: int) -> GoalFacts:
    assert account.plan is not None
    goal = account.plan.goals[index]
    missing = [name for name, value in (("metric", goal.metric), ("target", goal.target),
                                         ("due date", goal.due)) if value is None]
    return GoalFacts(
        account=account.id, subject=goal.text, source_path=("plan", "goals", index),
        has_metric=goal.metric is not None,
        has_target=goal.target is not None,
        has_due=goal.due is not None,
        missing_parts=", ".join(missing) or "none",
    )


def waiver_facts(
    account: Account, index: int, as_of: date, severities: dict[str, str]
) -> WaiverFacts:
    waiver = account.waivers[index]
    reason = visible_text(waiver.reason)
    until = waiver.until
    return WaiverFacts(
        account=account.id, source_path=("waivers", index),
        subject=waiver.rule + (f" ({waiver.subject})" if waiver.subject else ""),
        rule=waiver.rule,
        owner=account.owner,
        reason=reason,
        reason_key=reason.casefold(),
        reason_length=len(reason),
        has_approver=has_approver(waiver),
        approved_by_owner=approved_by_owner(waiver, account),
        by=visible_text(waiver.by) or None,
        waived_severity=severities.get(waiver.rule),
        until=None if until is None else until.isoformat(),
        days_past_until=None if until is None else (as_of - until).days,
        days_remaining=None if until is None else (until - as_of).days,
    )
