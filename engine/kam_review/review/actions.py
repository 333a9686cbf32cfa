"""The plan's actions as the review meeting goes through them: which are open, which are
overdue, which fall due before the next review, and whether the rule each answers exists.

Overdue is a matter of dates, as plan.action-overdue states it: an open action whose due
date is before the review date (the due date itself is not overdue).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.paths import display_path
from kam_review.review.results import AccountResult, Finding, Result
from kam_review.review.rule_references import unknown_rule
from kam_review.rulebook.loading import Rule, Rulebook
from kam_review.source.actions import goal_answered, read_answer
from kam_review.source.model import Account, Action, Quarter
from kam_review.source.names import normalise_name
from kam_review.source.schema_errors import did_you_mean
from kam_review.text_safety import terminal_text


@dataclass(frozen=True)
class ReviewedAction:
    """One action of an account's plan, as of the review date."""

    item: AccountResult
    index: int  # its place in the plan's list, from 0
    action: Action
    days_past_due: int | None  # negative while the due date is ahead; None: no due date

    @property
    def is_open(self) -> bool:
        return self.action.status == "open"

    @property
    def overdue(self) -> bool:
        return self.is_open and self.days_past_due is not None and self.days_past_due > 0

    def order(self) -> tuple[bool, date, str, int]:
        """Earliest due first (so the most overdue lead), undated last; then by account."""
        due = self.action.due
        return (due is None, due or date.max, self.item.account.id, self.index)


def reviewed_actions(item: AccountResult, as_of: date) -> list[ReviewedAction]:
    """Every action of the account's plan, in the order of the file."""
    actions = item.account.plan.actions if item.account.plan else ()
    return [ReviewedAction(item, i, action,
                           None if action.due is None else (as_of - action.due).days)
            for i, action in enumerate(actions)]


def open_actions(items: Iterable[AccountResult], as_of: date) -> list[ReviewedAction]:
    """The open actions of these accounts, overdue first (the earliest due leads)."""
    found = [a for item in items for a in reviewed_actions(item, as_of) if a.is_open]
    return sorted(found, key=ReviewedAction.order)


@dataclass(frozen=True)
class Planned:
    """What the plan does about a finding: the open action that answers it (the earliest
    due); else, where the plan should answer it (`wanted`), a done action that did (naming
    the finding's subject, where it has one: _done_for)."""

    open: ReviewedAction | None
    done: ReviewedAction | None
    wanted: bool


def planned_for(finding: Finding, item: AccountResult, on: str, as_of: date,
                waiting: Sequence[ReviewedAction] | None = None) -> Planned:
    """The one reading of what the plan does about a finding, for the card, the risk
    register and its CSV file; `on` is what the finding's rule tests, `waiting` the
    account's open actions where the caller has them (open_actions)."""
    wanted = wants_answer(finding, on)
    answer = _answering(finding, item, on,
                        open_actions([item], as_of) if waiting is None else waiting)
    if answer is not None or not wanted:
        return Planned(answer, None, wanted)
    done = [a for a in reviewed_actions(item, as_of)
            if a.action.status == "done" and _done_for(a.action, finding)]
    return Planned(None, _answering(finding, item, on, done), wanted)


def _done_for(action: Action, finding: Finding) -> bool:
    """Whether a done action can have answered the finding: one answering a rule answers its
    finding on a subject (a contact, a deal) only by naming it. Work done on one person's
    departure says nothing of the next one's; an open action plans for the rule's findings
    whatever their subject."""
    if not finding.subject or action.answers is None:
        return True
    answer = read_answer(action.answers)
    return answer.kind != "rule" or answer.subject is not None


def _answering(finding: Finding, item: AccountResult, on: str,
               waiting: Sequence[ReviewedAction]) -> ReviewedAction | None:
    """The first of the actions (the earliest due) that answers the finding: by its rule
    (and subject, where the answer names one), or by the deal or goal it is about."""
    goals = item.account.plan.goals if item.account.plan else ()
    for reviewed in waiting:
        if reviewed.action.answers is None:
            continue
        answer = read_answer(reviewed.action.answers)
        if answer.names_finding(finding.rule, finding.subject):
            return reviewed
        if answer.kind == on == "opportunity" and answer.key == finding.subject:
            return reviewed
        if answer.kind == on == "goal":
            index = goal_answered(answer, goals)
            if index is not None and goals[index].text == finding.subject:
                return reviewed
    return None


def wants_answer(finding: Finding, on: str) -> bool:
    """Whether the plan should answer the finding with an action: a warning, but not an
    action's own finding (`on`: what its rule tests), which the action itself answers."""
    return finding.warns and on != "action"


def next_review_horizon(as_of: date) -> date:
    """The last day of the quarter after the review date's: the next quarterly review is
    held by then."""
    return Quarter.from_index(Quarter.containing(as_of).index + 1).last_day


def due_before_next_review(result: Result) -> list[ReviewedAction]:
    """Open actions due on or before the next review's horizon, which takes in every overdue
    one; overdue first."""
    horizon = next_review_horizon(result.as_of)
    return [a for a in open_actions(result.accounts, result.as_of)
            if a.action.due is not None and a.action.due <= horizon]


def answer_errors(account: Account, rulebook: Rulebook, subjects: bool = True
                  ) -> list[InputError]:
    """An action that answers a rule id no rule has, or a finding of it on a subject the
    rule is not raised on in this file (a misspelt name would leave the finding unanswered
    and the action answering nothing), where `subjects`: the rules are known only here."""
    known = {rule.id: rule for rule in rulebook.rules}
    actions = account.plan.actions if account.plan else ()
    errors = []
    for i, action in enumerate(actions):
        if action.answers is None:
            continue
        answer = read_answer(action.answers)
        if answer.kind != "rule":
            continue
        rule = known.get(answer.key)
        message = (unknown_rule(answer.key, known) if rule is None else
                   None if answer.subject is None or not subjects else
                   _subject_problem(answer.subject, rule, account))
        if message is None:
            continue
        where = ("plan", "actions", i, "answers")
        line, column = account.locations.get(where, (1, 1))
        errors.append(InputError(display_path(account.source), line, column,
                                 f"plan.actions[{i}].answers", message))
    return errors


def _subject_problem(subject: str, rule: Rule, account: Account) -> str | None:
    """Why an answer's subject names none of the things the rule is raised on in the
    account, compared as Answer.names_finding compares them; None when it names one."""
    if rule.on == "waiver":
        return None  # its findings name a waiver by its rule, which names_finding matches
    plan = account.plan
    # What the rule's findings name, with how a message says it.
    raised_on = {
        # The owner too: a change of owner is a contact fact (rulebook/subject_facts.py).
        "contact": ([c.name for c in account.contacts] + [account.owner],
                    _("one of the account's contacts")),
        "opportunity": ([o.id for o in account.opportunities],
                        _("the id of one of its opportunities")),
        "goal": ([g.text for g in plan.goals] if plan else [],
                 _("the text of one of the plan's goals")),
        "action": ([a.what for a in plan.actions] if plan else [],
                   _("the text of one of the plan's actions")),
    }.get(rule.on)
    if raised_on is None:
        return _("{rule} is raised on the account as a whole: answer it without "
                 "': {subject}'").format(rule=rule.id, subject=terminal_text(subject))
    subjects, what = raised_on
    if normalise_name(subject) in {normalise_name(s) for s in subjects}:
        return None
    if rule.on == "contact" and normalise_name(subject) in {
            normalise_name(past.name) for past in account.owner_history}:
        # A change of owner is raised on the owner who took the account over.
        return _("{subject} handed the account over: {rule} is raised on its owner now, "
                 "{owner}").format(subject=terminal_text(subject), rule=rule.id,
                                   owner=terminal_text(account.owner))
    return _("'{subject}' is not {what}, which {rule} is raised on").format(
        subject=terminal_text(subject), what=what, rule=rule.id) + did_you_mean(
        subject, subjects)
