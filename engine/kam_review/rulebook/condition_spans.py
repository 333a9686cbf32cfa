"""What a condition's comparisons of one number allow: the span of values each leaves open.

`x > 5` leaves (5, ∞) open, `x <= $limit` (-∞, limit]; the comparisons of one fact that must
all hold (an `all:`, or `and`) leave the intersection of their spans, within the fact's
declared range (fact_fields.py: a probability from 0 to 1). An empty intersection is a
condition that can never be true; a comparison whose span holds the whole range is always
true where the fact is known. `implies` says whether one condition holding makes another
hold, comparison by comparison, so that a class rule that can never win is found. The
analysis is exact only where it speaks: what it cannot judge it leaves alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kam_review.rulebook.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Const,
    Leaf,
    Presence,
    ThresholdRef,
)
from kam_review.rulebook.fact_fields import FactField


@dataclass(frozen=True)
class Span:
    """The values left open: from `low` to `high` (None: no bound), each end in or out."""

    low: float | None = None
    high: float | None = None
    low_in: bool = True
    high_in: bool = True

    @property
    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high
                                         and not (self.low_in and self.high_in))

    def meet(self, other: Span) -> Span:
        low, low_in = _tighter(self.low, self.low_in, other.low, other.low_in, higher=True)
        high, high_in = _tighter(self.high, self.high_in, other.high, other.high_in,
                                 higher=False)
        return Span(low, high, low_in, high_in)

    def within(self, other: Span) -> bool:
        """Whether every value this span leaves open the other leaves open too."""
        return self.empty or self.meet(other) == self


def _tighter(a: float | None, a_in: bool, b: float | None, b_in: bool,
             higher: bool) -> tuple[float | None, bool]:
    """The tighter of two bounds: the higher of two lows, the lower of two highs."""
    if a is None:
        return b, b_in
    if b is None:
        return a, a_in
    if a == b:
        return a, a_in and b_in
    return (a, a_in) if (a > b) == higher else (b, b_in)


def field_span(field: FactField) -> Span:
    return Span(field.low, field.high)


def leaf_span(leaf: Leaf) -> Span | None:
    """The values a comparison with a number leaves open; None for any other leaf."""
    if not isinstance(leaf, Compare):
        return None
    number = _number(leaf.operand)
    if number is None:
        return None
    return {"<": Span(high=number, high_in=False), "<=": Span(high=number),
            ">": Span(low=number, low_in=False), ">=": Span(low=number),
            "==": Span(number, number)}.get(leaf.op)


def _number(operand: object) -> float | None:
    if isinstance(operand, ThresholdRef):
        return operand.value
    if isinstance(operand, Const) and isinstance(operand.value, int | float) \
            and not isinstance(operand.value, bool):
        return operand.value
    return None


def conjunctions(condition: Condition) -> Iterator[tuple[Leaf, ...]]:
    """Every group of comparisons that must hold together for some way of firing: the direct
    leaves of each `all:` (or a leaf alone), through `any:` branches; `not:` is left alone."""
    if isinstance(condition, Compare | Presence):
        yield (condition,)
    elif isinstance(condition, AllOf):
        leaves = tuple(i for i in condition.items if isinstance(i, Compare | Presence))
        if leaves:
            yield leaves
        for item in condition.items:
            if isinstance(item, AnyOf):
                yield from conjunctions(item)
    elif isinstance(condition, AnyOf):
        for item in condition.items:
            yield from conjunctions(item)


def contradictions(group: tuple[Leaf, ...], fields: Mapping[str, FactField]
                   ) -> Iterator[tuple[str, list[Leaf]]]:
    """Each fact whose comparisons in the group leave no value open (its declared range
    counted), with those comparisons."""
    for name in dict.fromkeys(leaf.field for leaf in group):
        leaves = [leaf for leaf in group if leaf.field == name and leaf_span(leaf) is not None]
        span = field_span(fields[name]) if name in fields else Span()
        for leaf in leaves:
            found = leaf_span(leaf)
            assert found is not None
            span = span.meet(found)
        if leaves and span.empty:
            yield name, leaves
            continue
        # Text and yes/no facts: one fact cannot equal two different constants.
        equal: list[Leaf] = []
        values = set()
        for leaf in group:
            if leaf.field == name and isinstance(leaf, Compare) and leaf.op == "==" \
                    and isinstance(leaf.operand, Const):
                equal.append(leaf)
                values.add(repr(leaf.operand.value))
        if len(values) > 1:
            yield name, equal


def always_true(leaf: Leaf, fields: Mapping[str, FactField]) -> bool:
    """A comparison every value of the fact's declared range passes (where it is known)."""
    span = leaf_span(leaf)
    if span is None or leaf.field not in fields:
        return False
    declared = field_span(fields[leaf.field])
    if declared.low is None and declared.high is None:
        return False
    return declared.within(span)


def implies(condition: Condition, other: Condition) -> bool:
    """Whether `condition` holding makes `other` hold, judged comparison by comparison (False
    when it cannot tell): only a condition that is one `all:` of comparisons is judged."""
    leaves = _leaves_of(condition)
    if leaves is None:
        return False
    if isinstance(other, AnyOf):
        return any(implies(condition, item) for item in other.items)
    if isinstance(other, AllOf):
        return all(implies(condition, item) for item in other.items)
    if isinstance(other, Compare | Presence):
        return _leaf_implied(leaves, other)
    return False


def _leaves_of(condition: Condition) -> tuple[Leaf, ...] | None:
    if isinstance(condition, Compare | Presence):
        return (condition,)
    if isinstance(condition, AllOf) and all(isinstance(i, Compare | Presence)
                                            for i in condition.items):
        return tuple(i for i in condition.items if isinstance(i, Compare | Presence))
    return None


def _leaf_implied(leaves: tuple[Leaf, ...], leaf: Leaf) -> bool:
    same = [other for other in leaves if other.field == leaf.field]
    if isinstance(leaf, Presence):
        # A comparison holds only where its fact is known.
        return any(isinstance(o, Presence) and o.missing == leaf.missing for o in same) or (
            not leaf.missing and any(isinstance(o, Compare) for o in same))
    if any(isinstance(o, Compare) and (o.op, o.operand) == (leaf.op, leaf.operand)
           for o in same):
        return True
    wanted = leaf_span(leaf)
    spans = [found for o in same if (found := leaf_span(o)) is not None]
    if wanted is None or not spans:
        return False
    span = spans[0]
    for found in spans[1:]:
        span = span.meet(found)
    return span.within(wanted)
