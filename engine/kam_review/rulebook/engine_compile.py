"""Conditions compiled for the engine adapter (engine.py, the only module that imports this
one): durable-rules expressions with `not` pushed down to the leaves and every number given
as an order-keeping code. It imports no durable-rules; engine.py says why each shape is so."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from kam_review.rulebook import conditions
from kam_review.rulebook.conditions import Compare, Condition, FieldRef, fields_used

_ORDERING = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_OPPOSITE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
# Codes of the values between two neighbouring constants are numbered from just above the
# lower constant's code; a chunk holds far fewer than this many distinct values.
_STRIDE = 2**32


def is_number(value: Any) -> bool:
    return type(value) in (int, float)  # not bool


class NumberCodes:
    """The numbers of a ruleset and of a chunk of facts, passed to the engine as codes.

    A code is a small non-negative integer that keeps the number's place among the ruleset's
    constants and the chunk's other numbers: the k-th constant in order is (k + 1) * STRIDE,
    and the values between two neighbouring constants (or below the first, or above the
    last) get the codes just above the lower one's, in order. Equal numbers get equal codes.
    So every comparison the compiled rules make, with a constant or threshold or with another
    field of the same fact, comes out on the codes as on the exact values (Python's
    comparison of ints and floats), whatever their size: 2.4e9, 1e300, 0.00003 or 10**30.
    A NaN has no place in the order: the adapter refuses one before it comes here."""

    def __init__(self, constants: Iterable[Any]) -> None:
        self._constants = sorted({v for v in constants if is_number(v)})
        self._place = {value: i for i, value in enumerate(self._constants)}

    def constant(self, value: Any) -> Any:
        """A rule's constant as compiled: a number's code; text and booleans as they are."""
        return (self._place[value] + 1) * _STRIDE if is_number(value) else value

    def of_values(self, values: Iterable[Any]) -> dict[Any, int]:
        """The code of each number among values."""
        codes: dict[Any, int] = {}
        gap, rank = -1, 0
        for value in sorted(set(values)):
            if value in self._place:
                codes[value] = self.constant(value)
                continue
            below = bisect.bisect_left(self._constants, value)  # constants below the value
            rank = rank + 1 if below == gap else 1
            gap = below
            codes[value] = below * _STRIDE + rank
        return codes


def compile_condition(condition: Condition, codes: NumberCodes,
                      negated: bool = False) -> dict[str, Any]:
    """A condition as a durable-rules expression, its numbers as codes, matching a fact
    exactly when the condition is true (conditions.py: three-valued).

    durable-rules has no negation, so `not` is pushed down to the leaves: De Morgan's laws
    for `all`/`any` (they hold in three-valued logic too), `is missing` <-> `is known`, and a
    comparison's opposite, which like the comparison needs each of its facts present (with
    an absent fact both are unknown, so neither matches)."""
    if isinstance(condition, conditions.Not):
        return compile_condition(condition.item, codes, not negated)
    if isinstance(condition, conditions.AllOf | conditions.AnyOf):
        items = [compile_condition(item, codes, negated) for item in condition.items]
        return {"$and" if isinstance(condition, conditions.AllOf) != negated else "$or": items}
    if isinstance(condition, conditions.Presence):
        # Every compiled rule is and-ed with its fact type test: a lone $nex could loop.
        return {"$nex" if condition.missing != negated else "$ex": {condition.field: 1}}
    return _compile_compare(condition, codes, negated)


def _compile_compare(compare: Compare, codes: NumberCodes, negated: bool) -> dict[str, Any]:
    operand = compare.operand
    names = sorted(fields_used(compare))
    # A comparison with an absent field is unknown, so never matched, negated or not; say so
    # for both sides, so that the meaning does not depend on how the engine treats a missing
    # field.
    exists = [{"$ex": {name: 1}} for name in names]
    if compare.op == "in":
        assert isinstance(operand, conditions.Const) and isinstance(operand.value, tuple)
        if not negated:
            return {"$or": [{compare.field: codes.constant(value)} for value in operand.value]}
        tests = [{"$neq": {compare.field: codes.constant(value)}} for value in operand.value]
    else:
        right = {"$m": operand.name} if isinstance(operand, FieldRef) else codes.constant(
            operand.value)
        op = _OPPOSITE[compare.op] if negated else compare.op
        tests = [{compare.field: right} if op == "==" else {_ORDERING[op]: {compare.field: right}}]
    return {"$and": [*exists, *tests]}


def flat(expression: dict[str, Any]) -> dict[str, Any]:
    """The same expression with `$and` in `$and` (and `$or` in `$or`) merged, and one-item
    groups unwrapped: fewer groups for the engine's limit."""
    (key, items), = expression.items()
    if key not in ("$and", "$or"):
        return expression
    merged: list[dict[str, Any]] = []
    for item in map(flat, items):
        merged.extend(item[key] if list(item) == [key] else [item])
    return merged[0] if len(merged) == 1 else {key: merged}


def groups(expression: dict[str, Any]) -> int:
    """How many `$and` and `$or` the expression holds."""
    (key, items), = expression.items()
    return 1 + sum(map(groups, items)) if key in ("$and", "$or") else 0
