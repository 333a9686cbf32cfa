"""Which form a figure takes in a message or on a page: a template's format spec
(`{revenue_ttm:money}`) or a fact's unit picks it, and locale_format.py writes it:
CN¥2.9M, 18%, +12%, +2.1 pp, 45 days, Sep 30, 2026."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from kam_review.i18n import _, locale_name
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.wording import counted

FORMAT_SPECS = ("money", "pct", "spct", "pts", "days", "num", "int", "date", "quarter", "")
# The formats a message may follow with the noun it counts: `{goals_count:int goal}`.
COUNTING_SPECS = ("int", "num")

# What a fact measures. A unit says how its figures are written (the format spec), so that
# every page and the rules reference write a fact the same way.
Unit = Literal[
    "money", "fraction", "change", "percentage points", "days", "working days", "count",
    "quarters", "years", "score", "position", "times a year", "ratio", "characters", "text",
    "date", "yes/no",
]
UNIT_SPECS: dict[Unit, str] = {
    "money": "money", "fraction": "pct", "change": "spct", "percentage points": "pts",
    "days": "days", "working days": "num", "count": "int", "quarters": "int", "years": "num",
    "score": "num", "position": "int", "times a year": "num", "ratio": "num",
    "characters": "int", "text": "", "date": "date", "yes/no": "",
}


def _signed_percent(formats: LocaleFormat, value: float) -> str:
    return formats.percent(value, signed=True)


_WRITERS: dict[str, Callable[[LocaleFormat, float], str]] = {
    "money": LocaleFormat.money, "pct": LocaleFormat.percent, "spct": _signed_percent,
    "pts": LocaleFormat.points, "days": LocaleFormat.days, "int": LocaleFormat.count,
}


@lru_cache(maxsize=8)
def _plain(locale: str) -> LocaleFormat:
    return ENGLISH if locale == ENGLISH.locale else LocaleFormat(locale)


def plain() -> LocaleFormat:
    """Figures without a currency in the active language's locale (English: 2.9M; Chinese:
    290万), for the figures no account's format is given for."""
    return _plain(locale_name())


def money(value: float) -> str:
    """A compact amount without a currency: 2,900,000 -> 2.9M."""
    return plain().money(value)


def pct(value: float, signed: bool = False) -> str:
    """A fraction as a percentage: 0.183 -> 18.3%, 0.00003 -> 0.003%."""
    return plain().percent(value, signed)


def number(value: float) -> str:
    return plain().number(value)


def format_value(value: Any, spec: str, formats: LocaleFormat | None = None) -> str:
    """A value written as the spec says, in `formats`' locale and currency (by default, the
    active language's locale and no currency)."""
    formats = formats or plain()
    if value is None:
        return _("n/a")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if spec == "date" and isinstance(value, date | str):
        return formats.date(value)
    if spec == "quarter" and isinstance(value, str):
        return formats.quarter(value)  # 2026-Q3 as the language writes it: 2026年第3季度
    if not isinstance(value, int | float):
        return str(value)
    return _WRITERS.get(spec, LocaleFormat.number)(formats, value)


def format_in_unit(value: Any, unit: Unit, formats: LocaleFormat | None = None) -> str:
    """A figure written as its unit says: money CN¥2.9M, a fraction 18%, a change +12%."""
    return format_value(value, UNIT_SPECS[unit], formats)


def template_fields(template: str) -> list[tuple[str, str]]:
    """The (field, spec) pairs a template refers to; raises ValueError on a malformed one."""
    return [
        (name, spec or "")
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    ]


@lru_cache(maxsize=1024)
def _parts(template: str) -> tuple[tuple[str, str | None, str], ...]:
    return tuple((literal, name, spec or "")
                 for literal, name, spec, _ in string.Formatter().parse(template))


def fill(template: str, values: Mapping[str, Any], formats: LocaleFormat = ENGLISH) -> str:
    """A rule's message template filled from a fact: `{growth_yoy:pct}`, `{$threshold:pct}`,
    a count with its noun `{goals_count:int goal}` (see wording.py), in the locale and the
    account's currency of `formats`. Field names are looked up whole, so a template cannot
    reach attributes or indexes."""
    return "".join(literal + ("" if name is None else
                              _filled(_term(name, values.get(name)), spec, formats))
                   for literal, name, spec in _parts(template))


# Text facts whose values are words of the review's vocabulary (an English key a condition may
# test, such as status == 'behind'): a message shows them in the active language.
TERM_FIELDS = frozenset({"status", "account_class", "attitude", "style", "level",
                         "relationship_stage", "waived_severity", "growth_basis",
                         "inventory_measure", "unmeasured_reason"})


def _term(name: str, value: Any) -> Any:
    return _(value) if name in TERM_FIELDS and isinstance(value, str) else value


def split_spec(spec: str) -> tuple[str, str]:
    """A template field's format and the noun counted after it: "int quarter" -> (int,
    quarter); the noun is "" when there is none."""
    base, _, noun = spec.partition(" ")
    return base, noun.strip()


def _filled(value: Any, spec: str, formats: LocaleFormat) -> str:
    base, noun = split_spec(spec)
    shown = format_value(value, base, formats)
    return counted(shown, noun) if noun else shown
