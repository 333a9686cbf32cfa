"""An independent evaluator of rule conditions, in plain Python, for differential tests.

It reads the same parsed conditions the engine adapter compiles, and gives the meaning the
rule language documents: a comparison with an absent fact is false.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from kam_review.rulebook.conditions import AllOf, AnyOf, Compare, Condition, FieldRef

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "in": lambda a, b: a in b,
}


def holds(condition: Condition, fact: Mapping[str, Any]) -> bool:
    if isinstance(condition, AllOf):
        return all(holds(item, fact) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(item, fact) for item in condition.items)
    return _compare(condition, fact)


def _compare(compare: Compare, fact: Mapping[str, Any]) -> bool:
    left = fact.get(compare.field)
    operand = compare.operand
    right = fact.get(operand.name) if isinstance(operand, FieldRef) else operand.value
    if left is None or right is None:
        return False
    return bool(_OPERATORS[compare.op](left, right))
