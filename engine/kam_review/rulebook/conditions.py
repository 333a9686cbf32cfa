"""The rule condition language: parsing, checking against the fact catalogue, and walking.

A condition is one comparison, written as text, or an `all:` / `any:` list of conditions:

    when:
      all:
        - growth_yoy >= $fast_growing_min_growth_yoy   # a named threshold
        - open_opportunities == 0                      # a constant
        - plan_growth_target < industry_growth         # another field of the same fact
        - stage in ['recognition', 'negotiation']      # one of several constants

A comparison that involves an absent fact is false. Conditions are evaluated by the engine
adapter (durable-rules); this module only reads and checks them.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kam_review.rulebook.fact_fields import FactField

Scalar = bool | int | float | str

OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "in")
_ORDERING = {"<", "<=", ">", ">="}
_LEAF = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(==|!=|<=|>=|<|>|\bin\b)\s*(.+?)\s*$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_QUOTED = re.compile(r"""^(?:'([^']*)'|"([^"]*)")$""")


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
    field: str
    op: str
    operand: Operand
    text: str

    def __repr__(self) -> str:
        return f"Compare({self.text!r})"


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


Condition = Compare | AllOf | AnyOf


class ConditionError(ValueError):
    """Raised by parse_condition for a condition that cannot be read or does not fit the facts;
    the rule loader turns it into an error with the rule file's line."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


def parse_condition(
    raw: Any,
    fields: Mapping[str, FactField],
    thresholds: Mapping[str, float],
    path: tuple[str | int, ...] = (),
) -> Condition:
    """Read a condition written in a rule file, checking every field and threshold."""
    if isinstance(raw, str):
        return _parse_compare(raw, fields, thresholds, path)
    if isinstance(raw, dict) and len(raw) == 1:
        (key, items), = raw.items()
        if key in ("all", "any") and isinstance(items, list) and items:
            parsed = tuple(
                parse_condition(item, fields, thresholds, (*path, key, i))
                for i, item in enumerate(items)
            )
            return AllOf(parsed) if key == "all" else AnyOf(parsed)
    raise ConditionError(
        "a condition is a comparison like 'growth_yoy >= $name', or `all:` / `any:` with a "
        "non-empty list of conditions",
        path,
    )


def _parse_compare(
    text: str,
    fields: Mapping[str, FactField],
    thresholds: Mapping[str, float],
    path: tuple[str | int, ...],
) -> Compare:
    match = _LEAF.match(text)
    if not match:
        raise ConditionError(
            f"cannot read '{text}': expected <fact> <operator> <value>, with an operator of "
            f"{', '.join(OPERATORS)}",
            path,
        )
    name, op, operand_text = match.groups()
    spec = _known(name, fields, "fact", path)
    operand = _parse_operand(operand_text, fields, thresholds, path)
    _check_types(name, spec, op, operand, fields, path)
    return Compare(name, op, operand, text.strip())


def _known(name: str, choices: Mapping[str, Any], what: str, path: tuple[str | int, ...]) -> Any:
    if name in choices:
        return choices[name]
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ConditionError(f"unknown {what} '{name}'{hint}", path)


def _parse_operand(
    text: str,
    fields: Mapping[str, FactField],
    thresholds: Mapping[str, float],
    path: tuple[str | int, ...],
) -> Operand:
    if text.startswith("$"):
        name = text[1:]
        return ThresholdRef(name, _known(name, thresholds, "threshold", path))
    if text.startswith("[") and text.endswith("]"):
        items = [part.strip() for part in text[1:-1].split(",") if part.strip()]
        values = tuple(_constant(item, path) for item in items)
        if not values:
            raise ConditionError("an `in` list needs at least one value", path)
        return Const(values)
    if _NAME.match(text) and text not in ("true", "false"):
        _known(text, fields, "fact", path)
        return FieldRef(text)
    return Const(_constant(text, path))


def _constant(text: str, path: tuple[str | int, ...]) -> Scalar:
    if text in ("true", "false"):
        return text == "true"
    if _NUMBER.match(text):
        number = float(text) if "." in text else int(text)
        if not within_float_range(number):
            raise ConditionError(f"{text} is {TOO_LARGE}", path)
        return number
    quoted = _QUOTED.match(text)
    if quoted:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    raise ConditionError(
        f"cannot read the value '{text}': use a number, true, false, a quoted 'text', "
        "a $threshold or a fact name",
        path,
    )


# Figures are compared exactly, but formatted and divided as floats.
TOO_LARGE = "beyond the largest number kam-review computes with (about 1.8e308)"


def within_float_range(number: int | float) -> bool:
    try:
        return abs(float(number)) <= sys.float_info.max
    except OverflowError:  # an int too large for a float
        return False


def _kind_of(value: Scalar) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "text"


def _check_types(
    name: str,
    spec: FactField,
    op: str,
    operand: Operand,
    fields: Mapping[str, FactField],
    path: tuple[str | int, ...],
) -> None:
    kinds: list[str]
    if isinstance(operand, FieldRef):
        kinds = [fields[operand.name].kind]
    elif isinstance(operand, ThresholdRef):
        kinds = ["number"]
    elif isinstance(operand.value, tuple):
        kinds = [_kind_of(v) for v in operand.value]
    else:
        kinds = [_kind_of(operand.value)]
    if op == "in" and not (isinstance(operand, Const) and isinstance(operand.value, tuple)):
        raise ConditionError(f"'{name} in ...' needs a list of values like ['a', 'b']", path)
    if op != "in" and isinstance(operand, Const) and isinstance(operand.value, tuple):
        raise ConditionError(f"a list of values goes with `in`, not `{op}`", path)
    for kind in kinds:
        if kind != spec.kind:
            raise ConditionError(f"'{name}' is {spec.kind}, compared with {kind}", path)
    if op in _ORDERING and spec.kind != "number":
        raise ConditionError(f"'{name}' is {spec.kind}: it can only be tested with == or !=", path)


def walk(condition: Condition) -> Iterator[Compare]:
    """Every comparison in the condition, in the order written."""
    if isinstance(condition, Compare):
        yield condition
    else:
        for item in condition.items:
            yield from walk(item)


def fields_used(condition: Condition) -> set[str]:
    used: set[str] = set()
    for compare in walk(condition):
        used.add(compare.field)
        if isinstance(compare.operand, FieldRef):
            used.add(compare.operand.name)
    return used


def thresholds_used(condition: Condition) -> list[str]:
    return [c.operand.name for c in walk(condition) if isinstance(c.operand, ThresholdRef)]


def operand_value(operand: Operand, fact: Mapping[str, Any]) -> Any:
    """The value a comparison's right-hand side stands for, in one fact (None if absent)."""
    if isinstance(operand, FieldRef):
        return fact.get(operand.name)
    return operand.value


def outline(condition: Condition, depth: int = 0) -> list[str]:
    """The condition as indented lines, `all of:` / `any of:` over their items."""
    pad = "  " * depth
    if isinstance(condition, Compare):
        return [pad + condition.text]
    lines = [pad + ("all of:" if isinstance(condition, AllOf) else "any of:")]
    for item in condition.items:
        lines += outline(item, depth + 1)
    return lines
