"""The plan's actions as the file writes them: built into the model, and what each answers.

An action's `answers` names what it responds to in one of three forms: a rule id
(`risk.single-threaded`, a finding the review raises; `risk.key-contact-left: Bai Lu`, the one
of its findings on that subject), `goal:<number or text>` (a goal of the plan: `goal:1` is the
first, or the goal's text) or `opportunity:<id>`. `read_answer` tells
them apart, once, for the checks, the facts and the pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from kam_review.source.model import Action, Goal
from kam_review.source.names import normalise_name

AnswerKind = Literal["rule", "goal", "opportunity"]


@dataclass(frozen=True)
class Answer:
    """What an action answers: its kind and the rule id, goal (number or text) or
    opportunity id it names."""

    kind: AnswerKind
    key: str
    subject: str | None = None  # of a rule's finding, where the answer names one

    def names_finding(self, rule: str, subject: str) -> bool:
        """Whether it answers a finding of `rule` on `subject`: the rule's, on any subject
        unless it names one (a name as names.py compares names)."""
        return self.kind == "rule" and self.key == rule and (
            self.subject is None or normalise_name(self.subject) == normalise_name(subject))


def read_answer(text: str) -> Answer:
    """The reference an `answers` value makes; the schema has checked its form."""
    if text.startswith("goal:"):
        return Answer("goal", text.removeprefix("goal:").strip())
    if text.startswith("opportunity:"):
        return Answer("opportunity", text.removeprefix("opportunity:").strip())
    rule, colon, subject = text.partition(":")
    return Answer("rule", rule.strip(), subject.strip() or None if colon else None)


def goal_answered(answer: Answer, goals: Sequence[Goal]) -> int | None:
    """The position (from 0) of the goal a `goal:` answer names, by its number (from 1) or
    its text (compared ignoring case and blanks); None when the plan has no such goal."""
    if answer.key.isdigit():
        number = int(answer.key)
        return number - 1 if 1 <= number <= len(goals) else None
    wanted = text_key(answer.key)
    return next((i for i, goal in enumerate(goals) if text_key(goal.text) == wanted), None)


def text_key(text: str) -> str:
    """A goal's or action's text in one form, case and blanks aside: how an answer finds a
    goal, and how `kam diff` knows an action or goal on both sides."""
    return " ".join(text.casefold().split())


def build_actions(rows: Iterable[dict[str, Any]]) -> tuple[Action, ...]:
    return tuple(
        Action(what=row["what"], owner=row["owner"],
               due=date.fromisoformat(row["due"]) if "due" in row else None,
               status=row.get("status", "open"), outcome=row.get("outcome"),
               answers=row.get("answers"),
               done_on=date.fromisoformat(row["done_on"]) if "done_on" in row else None)
        for row in rows)
