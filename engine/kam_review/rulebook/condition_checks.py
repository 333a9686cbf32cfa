"""Checking what a condition names: its facts, thresholds and the types they are compared as.

Every problem is collected with where it is (the place in the YAML and the offset in the
text), so that one run reports all of them, each with a did-you-mean suggestion where a
known name is close.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kam_review.rulebook.condition_tokens import Token
from kam_review.rulebook.conditions import FieldRef, Operand, Scalar, ThresholdRef
from kam_review.rulebook.fact_fields import FactField
from kam_review.source.model import clip

ORDERING = {"<", "<=", ">", ">="}

Where = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a condition: where in the YAML (`all`, 1, ...) and, for a problem
    inside a text, the offset in that text (from 0)."""

    message: str
    path: Where = ()
    offset: int | None = None


class Names:
    """Checks the facts, thresholds and types a text names, collecting the problems."""

    def __init__(self, fields: Mapping[str, FactField], thresholds: Mapping[str, float],
                 problems: list[Problem]) -> None:
        self.fields, self.thresholds, self.problems = fields, thresholds, problems
        self.path: Where = ()

    def problem(self, message: str, at: int) -> None:
        self.problems.append(Problem(message, self.path, at))

    def fact(self, token: Token) -> FactField | None:
        spec: FactField | None = self._known(token.text, self.fields, "fact", token.at)
        return spec

    def threshold(self, token: Token) -> float:
        found = self._known(str(token.value), self.thresholds, "threshold", token.at)
        return 0.0 if found is None else found  # as written: 90 stays an int

    def _known(self, name: str, choices: Mapping[str, Any], what: str, at: int) -> Any:
        if name in choices:
            return choices[name]
        close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.problem(f"unknown {what} '{clip(name)}'{hint}", at)
        return None

    def check_types(self, name: str, spec: FactField, op: Token, operand: Operand,
                    operand_at: int) -> None:
        kinds: list[str]
        if isinstance(operand, FieldRef):
            if operand.name not in self.fields:
                return  # already reported as unknown
            kinds = [self.fields[operand.name].kind]
        elif isinstance(operand, ThresholdRef):
            kinds = ["number"]
        elif isinstance(operand.value, tuple):
            kinds = [_kind_of(v) for v in operand.value]
        else:
            kinds = [_kind_of(operand.value)]
        for kind in dict.fromkeys(kinds):
            if kind != spec.kind:
                self.problem(f"'{name}' is {spec.kind}, compared with {kind}", operand_at)
        if op.text in ORDERING and spec.kind != "number":
            self.problem(f"'{name}' is {spec.kind}: it can only be tested with == or !=", op.at)


def _kind_of(value: Scalar) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "text"
