"""The rule condition language: the tree a condition reads into, its meaning, and its walks.

A rule's `when:` holds a condition written as text, or `all:` / `any:` lists and `not:`
(condition_parser.py reads both; the grammar is documented there and on the rule catalogue):

    when:
      all:
        - is_open == true                               # a constant
        - stage in ['recognition', 'negotiation']       # one of several constants
        - probability < $late_stage_min_probability     # a named threshold
        - weighted_value < value or expected_close is missing

Meaning (three-valued: true, false, or unknown = "not evaluated"): a comparison that involves
an absent fact is unknown; `x is missing` is true when the fact is absent and `x is known` when
it is present (both always known); `not C` is true when C is false, false when C is true, and
unknown when C is, so `not (x > 5)` is unknown when x is absent; in `or` / `any:` a part that
holds decides (true), in `and` / `all:` a part that fails decides (false), and only when no
known part decides is the whole unknown. A rule fires when its condition is true, and is "not
evaluated" when it is unknown.

The tree keeps the condition as written: `not` stays a node of its own, and each leaf (a
comparison or a presence test) knows the facts it needs (`fields_used`). The engine adapter
compiles a condition so that durable-rules matches a fact exactly when the condition is true
(it pushes `not` down itself, because durable-rules has no negation); `truth` combines the
leaves' results, each judged by the engine, into the whole condition's three values.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
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


# A three-valued truth: None is unknown, "not evaluated" because a fact it needs is absent.
Truth = bool | None


def truth(condition: Condition, leaf_truth: Callable[[Leaf], Truth]) -> Truth:
    """The condition's three-valued truth from its leaves' (Kleene's strong logic): `any`
    is true when a part is true, `all` false when a part is false, else unknown if a part is."""
    if isinstance(condition, Compare | Presence):
        return leaf_truth(condition)
    if isinstance(condition, Not):
        inner = truth(condition.item, leaf_truth)
        return None if inner is None else not inner
    deciding = isinstance(condition, AnyOf)  # the value one part decides the whole with
    found: Truth = not deciding
    for item in condition.items:
        value = truth(item, leaf_truth)
        if value is deciding:
            return deciding
        if value is None:
            found = None
    return found


def leaf_known(leaf: Leaf, fact: Mapping[str, Any]) -> bool:
    """Whether the leaf can be judged on the fact: a presence test always can, a comparison
    when every fact it compares is present."""
    return isinstance(leaf, Presence) or all(
        fact.get(name) is not None for name in fields_used(leaf))


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


def outline(condition: Condition, depth: int = 0,
            leaf_text: Callable[[Leaf], str] = lambda leaf: leaf.text) -> list[str]:
    """The condition as indented lines: `all of:`, `any of:`, `none of:`, `not all of:` and
    `not:` over their items, each comparison as written (or as `leaf_text` words it)."""
    pad = "  " * depth
    if isinstance(condition, Compare | Presence):
        return [pad + leaf_text(condition)]
    if isinstance(condition, Not):
        item = condition.item
        if isinstance(item, Compare | Presence):
            return [f"{pad}not ({leaf_text(item)})"]
        if isinstance(item, Not):
            return [pad + "not:", *outline(item, depth + 1, leaf_text)]
        head = "none of:" if isinstance(item, AnyOf) else "not all of:"
        return [pad + head, *(line for part in item.items
                              for line in outline(part, depth + 1, leaf_text))]
    lines = [pad + ("all of:" if isinstance(condition, AllOf) else "any of:")]
    for part in condition.items:
        lines += outline(part, depth + 1, leaf_text)
    return lines
