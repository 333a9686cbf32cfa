"""A fired rule's message keeps only the parts that fired, so that it never contradicts itself.

A message template is written as clauses separated by "; " (in Chinese by "；"). A rule whose
condition has alternatives (`any:`) fires when one of them holds; the clause that cites the
figure of an alternative that did not hold would state something the rule does not claim ("0
unresolved complaints" on a rule about complaints). Such a clause is left out: a clause is
kept when it cites no figure of the condition, or when at least one comparison on a figure
it cites spoke for the firing (held, or failed under a `not`); a clause that also cites a
threshold the condition compares with, when a comparison with that threshold spoke.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from kam_review.formatting import template_fields
from kam_review.rulebook.conditions import (
    AllOf,
    Compare,
    Condition,
    FieldRef,
    Leaf,
    Not,
    Presence,
    ThresholdRef,
    fields_used,
    operand_value,
    walk,
)

CLAUSE_SEPARATOR = "; "
# The Chinese messages' separator, the full-width semicolon (no space after it), and the
# parentheses of either width, inside which a separator belongs to its clause.
_FULL_WIDTH_SEPARATOR = "；"
_DEPTH = {"(": 1, ")": -1, "（": 1, "）": -1}

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge, "in": lambda value, options: value in options,
}


def fired_template(template: str, condition: Condition, fact: Mapping[str, Any]) -> str:
    """The template without the clauses that cite only figures of parts that did not fire;
    the whole template if that would leave nothing."""
    cited = _cited(template, condition)
    if not any(cited):  # every clause is kept, whatever fired: the template as written
        return template
    supporting = _support(condition, fact, want=True)
    kept = [clause for clause, named in zip(clauses(template), cited, strict=True)
            if not named or (named & supporting and _limits_spoke(named, supporting))]
    return _separator(template).join(kept) if kept else template


def _separator(template: str) -> str:
    """The separator a template's clauses are written with."""
    return CLAUSE_SEPARATOR if CLAUSE_SEPARATOR in template or \
        _FULL_WIDTH_SEPARATOR not in template else _FULL_WIDTH_SEPARATOR


# Per message template and condition (a rule's, alive as long as its rulebook), the figures
# of the condition each clause cites; keyed by the condition's id, since hashing a condition
# walks its whole tree.
_CITED: dict[tuple[str, int], tuple[Condition, tuple[frozenset[str], ...]]] = {}


def _cited(template: str, condition: Condition) -> tuple[frozenset[str], ...]:
    known = _CITED.get((template, id(condition)))
    if known is not None and known[0] is condition:
        return known[1]
    used = fields_used(condition) | _limits(condition)
    cited = tuple(frozenset(name for name, _ in template_fields(clause)) & used
                  for clause in clauses(template))
    if len(_CITED) >= 4096:  # rulebooks loaded again and again (kam serve): start afresh
        _CITED.clear()
    _CITED[(template, id(condition))] = (condition, cited)
    return cited


def clauses(template: str) -> list[str]:
    """The template split at each "; " (or "；") outside parentheses: "(title; roles)"
    stays whole."""
    return list(_clauses(template))


@lru_cache(maxsize=4096)
def _clauses(template: str) -> tuple[str, ...]:
    separator = _separator(template)
    parts, depth, start = [], 0, 0
    for at, char in enumerate(template):
        depth += _DEPTH.get(char, 0)
        if depth == 0 and template.startswith(separator, at):
            parts.append(template[start:at])
            start = at + len(separator)
    return (*parts, template[start:])


def _support(condition: Condition, fact: Mapping[str, Any], want: bool) -> set[str]:
    """The fields whose comparisons make the condition come out `want`: of an `any` that
    holds, only the alternatives that hold; of an `all` that fails, only the parts that fail."""
    if isinstance(condition, Compare | Presence):
        return _leaf_fields(condition) if _holds(condition, fact) == want else set()
    if isinstance(condition, Not):
        return _support(condition.item, fact, not want)
    if _value(condition, fact) != want:
        return set()
    deciding = [item for item in condition.items if _value(item, fact) == want]
    return set().union(*(_support(item, fact, want) for item in deciding))


def _value(condition: Condition, fact: Mapping[str, Any]) -> bool:
    if isinstance(condition, Compare | Presence):
        return _holds(condition, fact)
    if isinstance(condition, Not):
        return not _value(condition.item, fact)
    values = (_value(item, fact) for item in condition.items)
    return all(values) if isinstance(condition, AllOf) else any(values)


def _leaf_fields(leaf: Leaf) -> set[str]:
    if isinstance(leaf, Compare) and isinstance(leaf.operand, FieldRef):
        return {leaf.field, leaf.operand.name}
    if isinstance(leaf, Compare) and isinstance(leaf.operand, ThresholdRef):
        return {leaf.field, f"${leaf.operand.name}"}
    return {leaf.field}


def _limits(condition: Condition) -> set[str]:
    """The thresholds the condition compares with, as a message cites them ($name)."""
    return {f"${leaf.operand.name}" for leaf in walk(condition)
            if isinstance(leaf, Compare) and isinstance(leaf.operand, ThresholdRef)}


def _limits_spoke(named: frozenset[str], supporting: set[str]) -> bool:
    """A clause that cites a threshold states the limit the figure broke: it is kept only
    where a comparison with that threshold spoke for the firing ("probability 60%, above
    the 50% an early stage allows" is not said of a late deal that fired on its date)."""
    limits = {name for name in named if name.startswith("$")}
    return not limits or bool(limits & supporting)


def _holds(leaf: Leaf, fact: Mapping[str, Any]) -> bool:
    """Two-valued, as the rule language documents: a comparison with an unknown fact fails."""
    value = fact.get(leaf.field)
    if isinstance(leaf, Presence):
        return (value is None) == leaf.missing
    other = operand_value(leaf.operand, fact)
    if value is None or other is None:
        return False
    try:
        return _OPS[leaf.op](value, other)
    except TypeError:  # a text compared with a number: the engine does not match it either
        return False
