"""Facts, thresholds and conditions in the reader's words, from the labels kept as data.

Each fact field declares its label and unit (fact_fields.py) and each threshold its label and
unit (thresholds.yaml); nothing here names a fact or a rule. `leaf_words` is the one helper
that writes a comparison as a sentence, "growth over a year: +8%, needs at least +20%", for
the explanations, the not-evaluated notes and the rule catalogue alike. A new rule, fact or
page section gets its words by giving its facts a label and unit and its thresholds a label,
then calling leaf_words (or outline_words for a whole condition); ids, fact names and the
condition as written stay in the technical detail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kam_review.formatting import Unit, format_in_unit
from kam_review.i18n import _
from kam_review.locale_format import LocaleFormat
from kam_review.rulebook.conditions import (
    Compare,
    Condition,
    FieldRef,
    Leaf,
    ThresholdRef,
    outline,
)
from kam_review.rulebook.fact_fields import FactField
from kam_review.rulebook.thresholds import Threshold
from kam_review.wording import as_phrase, bracketed, counted, labelled

# How a requirement reads: `>= 0.2` "at least +20%".
_NEEDS = {">=": "at least ", ">": "more than ", "<=": "at most ", "<": "less than ",
          "==": "", "!=": "other than ", "in": "one of "}
# A threshold's unit (thresholds.yaml) as the unit its figure is written in.
THRESHOLD_UNITS: dict[str, Unit] = {
    "ratio": "fraction", "days": "days", "count": "count", "score": "score",
    "points": "percentage points", "years": "years", "times": "times a year"}
# Units whose figures read better with their noun: "2.23 years", "4 times a year".
_NOUNS: dict[Unit, str] = {"years": "year", "working days": "working day",
                           "times a year": "time a year|times a year"}
# Names in a fact's meaning: facts and file fields (customer_since, market.wallet, `to`).
_NAME = re.compile(r"`[^`]*`|(?<![\w.])[a-z]\w*(?:\.[a-z]\w*)+|(?<![\w.])[a-z]+_\w+")


def fact_phrase(field: FactField) -> str:
    """A fact as it is named inside a sentence: "growth over a year"."""
    return as_phrase(field.label)


def value_words(value: Any, unit: Unit, formats: LocaleFormat | None = None) -> str:
    """A figure written as its unit says (money in `formats`' currency, when it names one);
    "unknown" when the data does not give it."""
    if value is None:
        return _("unknown")
    if isinstance(value, str):
        return _(value)
    shown = format_in_unit(value, unit, formats)
    noun = _NOUNS.get(unit) if not isinstance(value, bool) else None
    return counted(shown, noun) if noun else shown


def threshold_words(threshold: Threshold) -> str:
    """A threshold's value as its own unit writes it: 0.25 (ratio) -> 25%, 120 days."""
    return value_words(threshold.value, THRESHOLD_UNITS.get(threshold.unit, "ratio"))


def leaf_words(leaf: Leaf, fields: Mapping[str, FactField],
               fact: Mapping[str, Any] | None = None,
               formats: LocaleFormat | None = None) -> str:
    """A comparison or presence test in words. With the fact it was judged on, its figure
    and what the rule needs: "growth over a year: +8%, needs at least +20%"; without, the
    requirement alone: "growth over a year at least +20%"."""
    field = fields[leaf.field]
    name = fact_phrase(field)
    shown = "" if fact is None else (
        labelled(name, value_words(fact.get(leaf.field), field.unit, formats)))
    if not isinstance(leaf, Compare):
        known = _("unknown") if leaf.missing else _("known")
        if fact is None:
            return _("{name} is {known}").format(name=name, known=known)
        return _("{shown}, needs it {known}").format(shown=shown, known=known)
    needs = _(_NEEDS[leaf.op]) + _operand_words(leaf, field, fields, fact, formats)
    if fact is None:
        return labelled(name, needs) if leaf.op == "==" else f"{name} {needs}"
    return _("{shown}, needs {needs}").format(shown=shown, needs=needs)


def _operand_words(leaf: Compare, field: FactField, fields: Mapping[str, FactField],
                   fact: Mapping[str, Any] | None, formats: LocaleFormat | None) -> str:
    operand = leaf.operand
    if isinstance(operand, FieldRef):
        other = fields[operand.name]
        if fact is None:
            return fact_phrase(other)
        return bracketed(fact_phrase(other),
                         value_words(fact.get(operand.name), other.unit, formats))
    if isinstance(operand, ThresholdRef):
        return value_words(operand.value, field.unit, formats)
    values = operand.value if isinstance(operand.value, tuple) else (operand.value,)
    return _(", ").join(value_words(value, field.unit, formats) or '""' for value in values)


def outline_words(condition: Condition, fields: Mapping[str, FactField]) -> list[str]:
    """The condition as indented lines in words (see conditions.outline), its groups'
    heads in the active language."""
    lines = outline(condition, leaf_text=lambda leaf: leaf_words(leaf, fields))
    return [line[:len(line) - len(line.lstrip())] + _(line.lstrip()) if line.lstrip()
            in _HEADS else line for line in lines]


# The heads conditions.outline writes over a group of conditions.
_HEADS = ("all of:", "any of:", "none of:", "not all of:", "not:")


def doc_words(doc: str, fields: Mapping[str, FactField]) -> str:
    """A fact's meaning for readers: the facts it names written as their labels, and the
    account file's fields it names in backticks, as they are written in the file."""
    def word(match: re.Match[str]) -> str:
        text = match.group()
        if text.startswith("`"):
            return text
        return fact_phrase(fields[text]) if text in fields else f"`{text}`"
    # A meaning's translation keeps the names it holds, set apart by spaces.
    return _NAME.sub(word, _(doc))


def doc_names(doc: str) -> str:
    """A fact's meaning for rule authors: every fact or file field it names in backticks."""
    return _NAME.sub(lambda match: match.group() if match.group().startswith("`")
                     else f"`{match.group()}`", _(doc))

