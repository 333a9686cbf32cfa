"""What a change does to an account's plan: its actions added, removed, done, dropped or
reopened, re-dated, handed over, answering something else or given another outcome, and its
goals added, removed, or given another target, due date or baseline. `kam diff` lists them
beside the findings (diff.py): what the review meeting agreed, which a pull request changes
without any finding moving, and a lowered target that turns a goal behind into one on track.

An action or goal is known by its text, compared ignoring case and blanks: a reworded one
is removed and added. The sides are in no language's words, as JSON keeps them: names, ISO
dates, rule ids, statuses and numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import NamedTuple, TypeVar

from kam_review.formatting import format_value
from kam_review.locale_format import LocaleFormat, changed_figure
from kam_review.rulebook.goals import spec_of
from kam_review.source.actions import text_key
from kam_review.source.model import Account, Action, Goal, GoalFigure

T = TypeVar("T")
# An action's change of status by what it became (the schema allows these three): a reader
# asks what was done, dropped or taken up again.
_STATUS_KINDS = {"done": "action-done", "dropped": "action-dropped", "open": "action-reopened"}


class Ending(NamedTuple):
    """How an action ended, as its file says: the day it was done (a dropped one has none)
    and what came of it. The meeting reads a status change for these, not for the word."""

    done_on: date | None
    outcome: str | None


# kind, subject, before, after; a target's numbers besides, where it has them; how an action
# ended (done or dropped), where it did.
PlanChange = tuple[str, str, str, str, tuple[float | None, float | None] | None, Ending | None]


def plan_changes(old: Account, new: Account, formats: LocaleFormat) -> Iterator[PlanChange]:
    """Each change to the plan, actions first; `formats` writes a goal's target and baseline
    as its metric's figures are written (money in the account's currency, shares as
    percentages)."""
    before, after = (_by_text(_actions(a), lambda action: action.what) for a in (old, new))
    for key in sorted(after.keys() - before.keys()):
        yield "action-added", after[key].what, "", _terms(after[key]), None, None
    for key in sorted(before.keys() - after.keys()):
        yield "action-removed", before[key].what, _terms(before[key]), "", None, None
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        for kind, then, today in ((_STATUS_KINDS[now.status], was.status, now.status),
                                  ("action-due", day_text(was.due), day_text(now.due)),
                                  ("action-owner", was.owner, now.owner),
                                  ("action-answers", was.answers or "—", now.answers or "—")):
            if then != today:
                yield kind, now.what, then, today, None, _ending(kind, now)
        # A new outcome of an action whose status stays (a changed status shows its own).
        if was.status == now.status and was.outcome != now.outcome:
            yield "action-outcome", now.what, was.outcome or "", now.outcome or "", None, None
    goals_before, goals_after = (_by_text(_goals(a), lambda goal: goal.text) for a in (old, new))
    for key in sorted(goals_after.keys() - goals_before.keys()):
        yield "goal-added", goals_after[key].text, "", "", None, None
    for key in sorted(goals_before.keys() - goals_after.keys()):
        yield "goal-removed", goals_before[key].text, "", "", None, None
    for key in sorted(goals_before.keys() & goals_after.keys()):
        was_goal, goal = goals_before[key], goals_after[key]
        if was_goal.target != goal.target:
            yield ("goal-target", goal.text,
                   *_figures(was_goal.target, goal.target, goal, formats),
                   (was_goal.target, goal.target), None)
        if was_goal.due != goal.due:
            yield "goal-due", goal.text, day_text(was_goal.due), day_text(goal.due), None, None
        # A new baseline moves a goal's progress as much as a new target does.
        if was_goal.baseline != goal.baseline:
            old_base, new_base = (None if figure is None else figure.value
                                  for figure in (was_goal.baseline, goal.baseline))
            before_text, after_text = _figures(old_base, new_base, goal, formats)
            yield ("goal-baseline", goal.text, _dated(before_text, was_goal.baseline),
                   _dated(after_text, goal.baseline), (old_base, new_base), None)


def _ending(kind: str, action: Action) -> Ending | None:
    """How an action that became done or dropped ended, where its file says anything."""
    if kind not in ("action-done", "action-dropped"):
        return None
    done_on = action.done_on if kind == "action-done" else None
    return Ending(done_on, action.outcome) if done_on or action.outcome else None


def _actions(account: Account) -> tuple[Action, ...]:
    return account.plan.actions if account.plan else ()


def _goals(account: Account) -> tuple[Goal, ...]:
    return account.plan.goals if account.plan else ()


def _by_text(items: Iterable[T], text: Callable[[T], str]) -> dict[str, T]:
    """Items by their text in one form (case and blanks aside); the first of a text twice."""
    found: dict[str, T] = {}
    for item in items:
        found.setdefault(text_key(text(item)), item)
    return found


def _terms(action: Action) -> str:
    """An action's owner and due date: "Li Wei, 2026-10-31"."""
    return ", ".join([action.owner, *([action.due.isoformat()] if action.due else [])])


def day_text(day: date | None) -> str:
    """A day as the changes write it (ISO), a dash for none."""
    return "—" if day is None else day.isoformat()


def _figures(old: float | None, new: float | None, goal: Goal, formats: LocaleFormat
             ) -> tuple[str, str]:
    """A goal's two figures (a dash for none) as its metric writes them; money short unless
    both would then look the same (locale_format.changed_figure)."""
    spec = spec_of(goal)
    if spec == "money":
        return changed_figure(old, new, formats.money, formats.whole_money)
    before, after = ("—" if value is None else format_value(value, spec, formats)
                     for value in (old, new))
    return before, after


def _dated(text: str, figure: GoalFigure | None) -> str:
    """A goal's baseline with the day it stood at it: "CN¥4.2M (2026-01-01)"."""
    return text if figure is None else f"{text} ({figure.date})"
