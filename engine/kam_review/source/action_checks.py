"""The plan's actions checked against the rest of their file: a goal or an opportunity that
an action answers must be in it. (A rule id it answers is checked once the rules are known:
review/actions.py.)"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kam_review.i18n import _
from kam_review.source.actions import goal_answered, read_answer
from kam_review.source.model import FieldPath, Goal, clip
from kam_review.source.schema_errors import did_you_mean
from kam_review.text_safety import terminal_text
from kam_review.wording import counted


def action_problems(value: dict[str, Any]) -> Iterable[tuple[FieldPath, str]]:
    """Each action's answer that names a goal or an opportunity the file does not hold, and
    a day done on an action that is not done."""
    plan = value.get("plan")
    plan = plan if isinstance(plan, dict) else {}
    actions = mappings(plan.get("actions"))
    goals = [Goal(text=g["text"]) for g in mappings(plan.get("goals"))
             if isinstance(g.get("text"), str)]
    # An id of another type is the schema's to report; it names no opportunity.
    deals = {d["id"] for d in mappings(value.get("opportunities")) if isinstance(d.get("id"), str)}
    for i, action in enumerate(actions):
        status = action.get("status", "open")
        if "done_on" in action and status != "done":
            # A day done on an action not done says one of the two is wrong.
            yield ("plan", "actions", i, "done_on"), _(
                "the action is {status}, not done: set its status to done, or remove "
                "done_on").format(status=clip(terminal_text(str(status))))
        text = action.get("answers")
        if not isinstance(text, str):
            continue
        answer, where = read_answer(text), ("plan", "actions", i, "answers")
        shown = clip(terminal_text(answer.key))
        if answer.kind == "opportunity" and answer.key not in deals:
            yield where, _("'{key}' is not one of the opportunities").format(
                key=shown) + did_you_mean(answer.key, sorted(deals))
        elif answer.kind == "goal" and goal_answered(answer, goals) is None:
            yield where, (_("goal {key} is not in the plan, which has {goals}").format(
                key=shown, goals=counted(len(goals), 'goal'))
                          if answer.key.isdigit() else
                          _("'{key}' is not the text of any goal of the plan").format(
                              key=shown) + did_you_mean(answer.key, [g.text for g in goals]))


def mappings(rows: Any) -> list[dict[str, Any]]:
    """The mappings of a list in the file (anything else the schema reports); also what
    review/rule_references.py reads of a file the schema refuses."""
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
