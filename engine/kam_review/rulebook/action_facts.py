"""The facts of the plan's actions (seed 001's action plan): one per action, as of a review
date, for rules `on: action` such as plan.action-overdue."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from kam_review.i18n import listed
from kam_review.rulebook.fact_fields import FactType, fact_field
from kam_review.source.actions import read_answer
from kam_review.source.model import Account, Action


@dataclass(frozen=True, kw_only=True)
class ActionFacts(FactType):
    """One per action of the account plan, open, done or dropped."""

    fact_type: ClassVar[str] = "action"
    subject: str = fact_field("text", "Action", "what is to be done (the action's `what`)",
                              known=True)
    owner: str = fact_field("text", "Action owner", "who does it", known=True)
    status: str = fact_field("text", "Status", "open, done or dropped", known=True)
    is_open: bool = fact_field("yes/no", "Open", "the action is neither done nor dropped",
                               known=True)
    due: str | None = fact_field("date", "Due", "the day the action is due")
    days_past_due: int | None = fact_field(
        "days", "Days past due",
        "days from the due date to the review date (0 on the due date, negative while it is "
        "ahead; absent: the action has no due date)")
    answers: str | None = fact_field(
        "text", "Answers", "what the action responds to, as written: a rule id, "
        "goal:<number or text> or opportunity:<id>")
    has_outcome: bool = fact_field("yes/no", "Outcome recorded",
                                   "the action records what came of it", known=True)
    answers_unnamed: bool = fact_field(
        "yes/no", "Answers no one subject",
        "the action answers a rule raised on each contact, deal, goal or action without "
        "naming which after the rule", known=True)
    answered_title: str | None = fact_field(
        "text", "Rule answered", "the title of the rule whose finding the action answers "
        "(absent: it answers a goal, a deal or nothing)")


def action_facts(account: Account, index: int, as_of: date,
                 per_subject: Collection[str] = frozenset(),
                 titles: Mapping[str, str] | None = None) -> ActionFacts:
    """The action's facts; `per_subject`: the ids of the rules raised on each contact,
    deal, goal or action rather than on the account; `titles`: the rules' titles by id."""
    assert account.plan is not None
    action = account.plan.actions[index]
    answer = None if action.answers is None else read_answer(action.answers)
    return ActionFacts(
        account=account.id, subject=action.what, source_path=("plan", "actions", index),
        owner=action.owner, status=action.status, is_open=action.status == "open",
        due=None if action.due is None else action.due.isoformat(),
        days_past_due=None if action.due is None else (as_of - action.due).days,
        answers=action.answers, has_outcome=action.outcome is not None,
        answers_unnamed=answer is not None and answer.kind == "rule"
        and answer.subject is None and answer.key in per_subject,
        answered_title=(titles or {}).get(answer.key) if answer and answer.kind == "rule"
        else None,
    )


def unplanned_warnings(account: Account, warned_before: frozenset[str] | None,
                       titles: Mapping[str, str], done_within: tuple[date, date] | None = None
                       ) -> tuple[int, str]:
    """The high warnings the previous review raised that no action of the plan answers now,
    open or done within `done_within` (after the first day, about the previous review, to
    the review date), counted and listed by title. Without a previous review (a one-sided
    `kam check`) no review has warned of anything yet: none, rather than a rule left
    unevaluated on every account."""
    if warned_before is None:
        return 0, listed(())
    actions = account.plan.actions if account.plan else ()
    # A rule answered on one of its subjects is answered: the previous review's warnings are
    # known by rule. An action done since answered it too: what was decided was done.
    answered = {read_answer(a.answers).key for a in actions if a.answers and (
        a.status == "open" or (a.status == "done" and _done_within(a, done_within)))}
    unplanned = sorted(titles.get(rule, rule) for rule in warned_before - answered)
    return len(unplanned), listed(unplanned)


def _done_within(action: Action, window: tuple[date, date] | None) -> bool:
    """Done after the window's first day and by its last (a day after the review date is
    not yet done: data.after-review-date reports it)."""
    if window is None or action.finished_on is None:
        return False
    return window[0] < action.finished_on and (
        action.done_on is None or action.done_on <= window[1])
