"""How figures are written in messages and pages: 2.9M, 18%, +12%, 45 days."""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from kam_review.wording import noun_form

FORMAT_SPECS = ("money", "pct", "spct", "days", "num", "int", "")
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
    "money": "money", "fraction": "pct", "change": "spct", "percentage points": "num",
    "days": "days", "working days": "num", "count": "int", "quarters": "int", "years": "num",
    "score": "num", "position": "int", "times a year": "num", "ratio": "num",
    "characters": "int", "text": "", "date": "", "yes/no": "",
}


# From this amount up, money is written in this unit with this many decimals (then trimmed).
_MONEY_STEPS = (
    (1_000_000_000_000, 1_000_000_000_000, 2, "T"),
    (1_000_000_000, 1_000_000_000, 2, "B"),
    (10_000_000, 1_000_000, 1, "M"),
    (1_000_000, 1_000_000, 2, "M"),
    (10_000, 1_000, 0, "k"),
    (1_000, 1_000, 1, "k"),
)


def money(value: float) -> str:
    """Compact money: 2,900,000 -> 2.9M, 850,000 -> 850k, 900 -> 900."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    text = next((f"{value / unit:.{decimals}f}{suffix}"
                 for least, unit, decimals, suffix in _MONEY_STEPS if value >= least),
                f"{value:.0f}")
    number, unit = (text[:-1], text[-1]) if text[-1] in "kMBT" else (text, "")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return sign + number + unit


def pct(value: float, signed: bool = False) -> str:
    """A fraction as a percentage: 0.183 -> 18.3%, 0.25 -> 25%, 0.00003 -> 0.003%."""
    percent = value * 100 + 0.0  # -0.0 is shown as 0
    if _below_precision(percent, 1):
        return ("+" if signed and percent > 0 else "") + _significant(percent) + "%"
    text = f"{percent:+.1f}" if signed else f"{percent:.1f}"
    return text.removesuffix(".0") + "%"


def number(value: float) -> str:
    if not isinstance(value, float):
        return str(value)
    value += 0.0  # -0.0 is shown as 0
    if _below_precision(value, 2):
        return _significant(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _below_precision(value: float, decimals: int) -> bool:
    """Whether a value that is not zero would be written 0 with so many decimals."""
    return value != 0 and abs(value) < 0.5 * 10.0**-decimals


def _significant(value: float, digits: int = 2) -> str:
    """A small value to two significant digits: 0.00003 -> 0.00003; in exponent form only
    when plain decimals would need more than ten zeros (4.9e-324)."""
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    if decimals > 10 + digits:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def format_value(value: Any, spec: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if spec == "money":
        return money(value)
    if spec in ("pct", "spct"):
        return pct(value, signed=spec == "spct")
    if spec == "days":
        return f"{value:.0f} day" + ("" if round(value) == 1 else "s")
    if spec == "int":
        return f"{value:.0f}"
    return number(value)


def format_in_unit(value: Any, unit: Unit) -> str:
    """A figure written as its unit says: money 2.9M, a fraction 18%, a change +12%."""
    return format_value(value, UNIT_SPECS[unit])


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


def fill(template: str, values: Mapping[str, Any]) -> str:
    """A rule's message template filled from a fact: `{growth_yoy:pct}`, `{$threshold:pct}`,
    a count with its noun `{goals_count:int goal}` (see wording.py). Field names are looked up
    whole, so a template cannot reach attributes or indexes."""
    return "".join(literal + ("" if name is None else _filled(values.get(name), spec))
                   for literal, name, spec in _parts(template))


def split_spec(spec: str) -> tuple[str, str]:
    """A template field's format and the noun counted after it: "int quarter" -> (int,
    quarter); the noun is "" when there is none."""
    base, _, noun = spec.partition(" ")
    return base, noun.strip()


def _filled(value: Any, spec: str) -> str:
    base, noun = split_spec(spec)
    shown = format_value(value, base)
    return f"{shown} {noun_form(shown, noun)}" if noun else shown
