"""The facts of what an account holds: each contact (and our own owner), opportunity, plan
goal and waiver.

Pure functions of (account, position in the file, review date, rulebook settings), each
returning its typed fact (subject_fact_types.py); facts.py gathers them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from kam_review.formatting import format_value, plain
from kam_review.i18n import _, listed
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.rulebook.commitment import commit_category, decided_on, is_history, review_periods
from kam_review.rulebook.figures import days_between
from kam_review.rulebook.goals import GoalMeasure, measure_goal
from kam_review.rulebook.loading import Rulebook, Stage
from kam_review.rulebook.subject_fact_types import (
    ContactFacts,
    GoalFacts,
    OpportunityFacts,
    WaiverFacts,
)
from kam_review.rulebook.waivers import approved_by_owner, has_approver, visible_text
from kam_review.source.model import QUALIFICATION_QUESTIONS, Account, Contact, Opportunity
from kam_review.source.names import normalise_name
from kam_review.source.stage_history import stage_entered
from kam_review.text_width import display_width
from kam_review.vocabulary import (
    BUCKET_CLOSED_UNCONFIRMED,
    BUCKET_LATER,
    BUCKET_NO_CLOSE_DATE,
    BUCKET_OVERDUE,
    FORECAST_WINDOWS,
    GoalStatus,
    Status,
)
from kam_review.wording import key_words


def contact_facts(account: Account, index: int, as_of: date,
                  formats: LocaleFormat = ENGLISH,
                  met: Mapping[str, date] | None = None) -> ContactFacts:
    """A contact's facts; `met`: activities_met's, when the caller made it for every
    contact of the account."""
    contact = account.contacts[index]
    left = contact.left_on if contact.left_on is not None and contact.left_on <= as_of else None
    last = last_contact_day(contact, activities_met(account, as_of) if met is None else met)
    return ContactFacts(
        account=account.id, subject=contact.name, source_path=("contacts", index),
        roles=listed(_(key_words(role)) for role in contact.roles),
        is_current=left is None,
        has_buying_role=bool(contact.roles),
        is_decider=bool({"decision_maker", "decision_owner"} & set(contact.roles)),
        title=contact.title, level=contact.level, style=contact.style,
        attitude=contact.attitude,
        left_on=None if left is None else left.isoformat(),
        left_days_ago=days_between(as_of, left),
        last_contact=None if last is None else last.isoformat(),
        days_since_contact=days_between(as_of, last),
        is_owner=False,
        key_change=None if left is None else _("left on {when}").format(
            when=_when(left, as_of, formats)),
    )


def activities_met(account: Account, as_of: date) -> dict[str, date]:
    """The latest day of an activity of the file with each person (their normalised name),
    up to the review date."""
    met: dict[str, date] = {}
    for activity in account.activities:
        if activity.date <= as_of:
            for name in activity.with_:
                key = normalise_name(name)
                if key not in met or met[key] < activity.date:
                    met[key] = activity.date
    return met


def last_contact_day(contact: Contact, met: Mapping[str, date]) -> date | None:
    """The last contact with the person: their last_contact, or a later activity of the
    file with them (a visit recorded, or imported, is a contact)."""
    seen = met.get(normalise_name(contact.name))
    if contact.last_contact is None or (seen is not None and seen > contact.last_contact):
        return seen
    return contact.last_contact


def owner_facts(account: Account, as_of: date,
                formats: LocaleFormat = ENGLISH) -> list[ContactFacts]:
    """Our own side of a change of key people (seed 001: "这些问题通常是双向的"): the
    account's owner, when the file names an earlier owner. They took over the day the latest
    earlier owner handed over, once that day has passed."""
    if not account.owner_history:
        return []
    index, past = max(enumerate(account.owner_history), key=lambda item: item[1].to)
    handed = past.to if past.to <= as_of else None
    return [ContactFacts(
        account=account.id, subject=account.owner, source_path=("owner_history", index),
        roles=_("account owner"), is_current=True, has_buying_role=False, is_decider=False,
        title=_("our key account manager"), is_owner=True,
        took_over_on=None if handed is None else handed.isoformat(),
        took_over_days_ago=days_between(as_of, handed),
        key_change=None if handed is None else (
            _("took the account over from {name} on {when}").format(
                name=past.name, when=_when(handed, as_of, formats))),
    )]


def _when(day: date, as_of: date, formats: LocaleFormat) -> str:
    """A past day and how long ago it was: "Aug 31, 2026, 30 days ago"."""
    return _("{date}, {days} ago").format(date=formats.date(day),
                                          days=formats.days((as_of - day).days))


def stage_checklist(
    opportunity: Opportunity, stages: Sequence[Stage]
) -> list[tuple[Stage, str, bool | None]]:
    """Every characteristic of every stage with the opportunity's evidence: True, False or
    None (not recorded)."""
    return [(stage, key, opportunity.evidence.get(key))
            for stage in stages for key in stage.characteristics]


class _Unmet:
    """The characteristics a deal does not show (false or not recorded), by stage."""

    def __init__(self, opportunity: Opportunity, stages: Sequence[Stage]) -> None:
        self.missing = [(stage, _evidence_text(key, ok))
                        for stage, key, ok in stage_checklist(opportunity, stages)
                        if ok is not True]

    def at(self, index: int) -> list[str]:
        return [text for stage, text in self.missing if stage.index == index]

    def up_to(self, index: int) -> dict[str, list[str]]:
        """Those of the stages up to `index`, by stage name, in funnel order."""
        by_stage: dict[str, list[str]] = {}
        for stage, text in self.missing:
            if stage.index <= index:
                by_stage.setdefault(stage.name, []).append(text)
        return by_stage


def opportunity_facts(
    account: Account, index: int, as_of: date, stages: Sequence[Stage],
    thresholds: Mapping[str, float] | None = None,
) -> OpportunityFacts:
    opportunity = account.opportunities[index]
    current = next((s for s in stages if s.id == opportunity.stage), None)
    following = next((s for s in stages if current and s.index == current.index + 1), None)
    unmet = _Unmet(opportunity, stages)
    reached = None if current is None else unmet.up_to(current.index)
    own = None if current is None else unmet.at(current.index)
    ahead = None if following is None else unmet.at(following.index)
    close = opportunity.expected_close
    days_to_close = None if close is None else (close - as_of).days
    value, probability = opportunity.value, opportunity.probability
    answers = opportunity.qualification
    doubts = [f"{_(question)} {_(answers[key])}"
              for key, question in QUALIFICATION_QUESTIONS.items()
              if answers.get(key) in ("no", "unsure")]
    bucket = forecast_bucket(opportunity, as_of, stages)
    periods = review_periods(as_of)
    decided = decided_on(opportunity)
    status = Status.of_stage(opportunity.stage)
    return OpportunityFacts(
        account=account.id, subject=opportunity.id, source_path=("opportunities", index),
        name=opportunity.name,
        stage=opportunity.stage,
        stage_name=current.name if current else opportunity.stage,
        is_open=Status.of_stage(opportunity.stage) == Status.OPEN,
        stage_index=current.index if current else 0,
        days_in_stage=days_between(as_of, stage_entered(opportunity, as_of)),
        expected_close=None if close is None else close.isoformat(),
        days_to_close=days_to_close,
        days_overdue=-days_to_close if days_to_close is not None and days_to_close < 0
        else None,
        forecast_bucket=bucket,
        probability=probability,
        value=value,
        weighted_value=None if value is None or probability is None else value * probability,
        characteristics_unmet=None if reached is None else sum(map(len, reached.values())),
        # Grouped by stage: "Project initiated: initial budget: no; Customer recognition: ...".
        characteristics_unmet_list=None if reached is None else "; ".join(
            f"{stage}: {', '.join(texts)}" for stage, texts in reached.items()) or "none",
        stage_unmet=None if own is None else len(own),
        stage_unmet_list=None if own is None else _listed(own),
        next_stage=None if following is None else following.id,
        next_stage_name=None if following is None else following.name,
        next_unmet=None if ahead is None else len(ahead),
        next_unmet_list=None if ahead is None else _listed(ahead),
        qualification_doubts=len(doubts),
        qualification_doubts_list=listed(doubts),
        commit_category=commit_category(opportunity, bucket, periods, stages, thresholds or {}),
        closed_on=_day(decided) if status == Status.CLOSED else None,
        lost_on=_day(decided) if status == Status.LOST else None,
        is_history=is_history(opportunity, periods),
        loss_reason=opportunity.loss_reason,
        product_line=opportunity.product_line,
    )


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def forecast_bucket(opportunity: Opportunity, as_of: date, stages: Sequence[Stage]) -> str:
    """closed, closed but awaiting signature, payment or shipment, overdue, 0-3 / 3-6 / 6-9 /
    9-12 months, later, or no close date; lost deals are in no bucket (empty text). A deal is
    closed only when it shows every characteristic of the closed stage (seed 004: signed,
    paid, shipped)."""
    status = Status.of_stage(opportunity.stage)
    if status == Status.CLOSED:
        closing = next((s for s in stages if s.id == Status.CLOSED), None)
        if closing and _Unmet(opportunity, stages).at(closing.index):
            return BUCKET_CLOSED_UNCONFIRMED
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
    """A characteristic not shown, as a reader says it: "budget known: no"."""
    return f"{_(key_words(key))}: {_('not recorded') if ok is None else _('no')}"


def _listed(texts: list[str]) -> str:
    return listed(texts)


def goal_facts(account: Account, index: int, as_of: date, rulebook: Rulebook) -> GoalFacts:
    assert account.plan is not None
    goal = account.plan.goals[index]
    missing = [name for name, value in (("metric", goal.metric), ("target", goal.target),
                                         ("due date", goal.due)) if value is None]
    won = [o for o in account.opportunities
           if forecast_bucket(o, as_of, rulebook.stages) == Status.CLOSED]
    measure = measure_goal(account, goal, as_of, won,
                           rulebook.threshold_values().get("goal_on_track_tolerance", 0.0))

    # Amounts in the account's currency, as every page writes them (no currency named:
    # the figure alone); dates as the reader reads them.
    writes = plain().in_currency(account.currency)

    def shown(value: float | None) -> str | None:
        return None if value is None else format_value(value, measure.spec, writes)

    return GoalFacts(
        account=account.id, subject=goal.text, source_path=("plan", "goals", index),
        has_metric=goal.metric is not None,
        has_target=goal.target is not None,
        has_due=goal.due is not None,
        missing_parts=listed(_(part) for part in missing),
        metric=goal.metric, status=measure.status.value, unmeasured_reason=measure.reason,
        unmeasured_for_data=measure.data_gap,
        basis=measure.basis, actual_shown=shown(measure.actual), target_shown=shown(goal.target),
        baseline_shown=None if goal.baseline is None else (
            _("{value} on {day}").format(value=shown(goal.baseline.value),
                                         day=writes.date(goal.baseline.date))),
        progress=measure.progress, elapsed_share=measure.elapsed,
        on_track_from=measure.on_track_from, standing=_standing(measure, goal.due, as_of),
        due=None if goal.due is None else goal.due.isoformat(),
    )


def _standing(measure: GoalMeasure, due: date | None, as_of: date) -> str | None:
    if measure.status == GoalStatus.MISSED and due is not None:
        return _("{days} past the due date").format(
            days=format_value((as_of - due).days, 'days'))
    if measure.status in (GoalStatus.ON_TRACK, GoalStatus.BEHIND):
        return _("{share} of the way needed by now").format(
            share=format_value(measure.on_track_from, 'pct'))
    return _("target met") if measure.status == GoalStatus.ACHIEVED else None


def waiver_facts(
    account: Account, index: int, as_of: date, severities: dict[str, str],
    titles: dict[str, str], per_subject: Mapping[str, str] | None = None
) -> WaiverFacts:
    """The waiver's facts; `per_subject`: the rules raised on each contact, deal, goal or
    action rather than on the account, each with the fact type it is on."""
    waiver = account.waivers[index]
    reason = visible_text(waiver.reason)
    until = waiver.until
    return WaiverFacts(
        account=account.id, source_path=("waivers", index),
        subject=waiver.rule + (f" ({waiver.subject})" if waiver.subject else ""),
        rule=waiver.rule,
        rule_title=titles.get(waiver.rule, waiver.rule),
        owner=account.owner,
        reason=reason,
        reason_key=reason.casefold(),
        reason_length=display_width(reason),
        has_approver=has_approver(waiver),
        approved_by_owner=approved_by_owner(waiver, account),
        by=visible_text(waiver.by) or None,
        waived_subject=_(on) if (on := (per_subject or {}).get(waiver.rule)) else None,
        waives_unnamed=not waiver.subject and waiver.rule in (per_subject or {}),
        waived_severity=severities.get(waiver.rule),
        until=None if until is None else until.isoformat(),
        days_past_until=None if until is None else (as_of - until).days,
        days_remaining=None if until is None else (until - as_of).days,
    )
