"""The rule condition language: the tree a condition reads into, its meaning, and its walks.

A rule's `when:` holds a condition written as text, or `all:` / `any:` lists and `not:`
(condition_parser.py reads both; the grammar is documented there and on the rule catalogue):

    when:
      all:
        - is_open == true                               # a constant
        - stage in ['recognition', 'negotiation']       # one of several constants
        - probability < $late_stage_min_probability     # a named threshold
        - weighted_value < value or expected_close is missing

Meaning (two-valued): a comparison that involves an absent fact is false; `x is missing` is
true when the fact is absent and `x is known` when it is present; `not C` is true exactly when
C is false, so `not (x > 5)` is true when x is absent; `and` / `all:` need every part, `or` /
`any:` one part.

The tree keeps the condition as written: `not` stays a node of its own, and each leaf (a
comparison or a presence test) knows the facts it needs (`fields_used`). A later three-valued
evaluation (true / false / not evaluated because a fact is missing) can therefore work on the
same tree without reparsing: a leaf with an absent fact is "not evaluated", and `Not`, `AllOf`
and `AnyOf` combine that as they choose. The engine adapter pushes `not` down itself, because
durable-rules has no negation.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Scalar = bool | int | float | str


@dataclass(frozen=True)
class Const:
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True)
class ThresholdRef:
    name: str
    value: float


@dataclass(frozen=True)
class FieldRef:
    name: str


Operand = Const | ThresholdRef | FieldRef


@dataclass(frozen=True)
class Compare:
    """`field op operand`, with op one of == != < <= > >= in; `text` as written."""

    field: str
    op: str
    operand: Operand
    text: str

    def __repr__(self) -> str:
        return f"Compare({self.text!r})"


@dataclass(frozen=True)
class Presence:
    """`field is missing` (missing) or `field is known` (not missing)."""

    field: str
    missing: bool
    text: str

    def __repr__(self) -> str:
        return f"Presence({self.text!r})"


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Leaf = Compare | Presence
Condition = Compare | Presence | Not | AllOf | AnyOf


# Figures are compared exactly, but formatted and divided as floats.
TOO_LARGE = "beyond the largest number kam-review computes with (about 1.8e308)"


def within_float_range(number: int | float) -> bool:
    try:
        return abs(float(number)) <= sys.float_info.max
    except OverflowError:  # an int too large for a float
        return False


def walk(condition: Condition) -> Iterator[Leaf]:
    """Every comparison and presence test in the condition, in the order written."""
    if isinstance(condition, Compare | Presence):
        yield condition
    elif isinstance(condition, Not):
        yield from walk(condition.item)
    else:
        for item in condition.items:
            yield from walk(item)


def fields_used(condition: Condition) -> set[str]:
    used: set[str] = set()
    for leaf in walk(condition):
        used.add(leaf.field)
        if isinstance(leaf, Compare) and isinstance(leaf.operand, FieldRef):
            used.add(leaf.operand.name)
    return used


def thresholds_used(condition: Condition) -> list[str]:
    return [leaf.operand.name for leaf in walk(condition)
            if isinstance(leaf, Compare) and isinstance(leaf.operand, ThresholdRef)]


def operand_value(operand: Operand, fact: Mapping[str, Any]) -> Any:
    """The value a comparison's right-hand side stands for, in one fact (None if absent)."""
    if isinstance(operand, FieldRef):
        return fact.get(operand.name)
    return operand.value


def outline(condition: Condition, depth: int = 0) -> list[str]:
    """The condition as indented lines: `all of:`, `any of:`, `none of:`, `not all of:` and
    `not:` over their items, each comparison as written."""
    pad = "  " * depth
    if isinstance(condition, Compare | Presence):
        return [pad + condition.text]
    if isinstance(condition, Not):
        item = condition.item
        if isinstance(item, Compare | Presence):
            return [f"{pad}not ({item.text})"]
        if isinstance(item, Not):
            return [pad + "not:", *outline(item, depth + 1)]
        head = "none of:" if isinstance(item, AnyOf) else "not all of:"
        return [pad + head, *(line for part in item.items for line in outline(part, depth + 1))]
    lines = [pad + ("all of:" if isinstance(condition, AllOf) else "any of:")]
    for part in condition.items:
        lines += outline(part, depth + 1)
    return lines
