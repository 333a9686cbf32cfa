"""Table cells that sort by what they mean, not by how they read.

A sortable table (see kam-review.js) orders a column by the raw value the generator writes
beside each figure, `<span data-sort="...">`: amounts as numbers (850k below 2.9M, whatever
the currency sign), dates as dates, severities by rank. The script never reads the text
shown, so the way a figure is written can change without breaking its order.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kam_review.locale_format import LocaleFormat
from kam_review.output.markdown_text import esc
from kam_review.vocabulary import Severity


def sort_value(value: float) -> str:
    """A number as the sorter reads it: plain decimals, never an exponent (the sorter would
    read 1e-05 as 1), -0 as 0."""
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(value + 0.0)), "f")
    return text.removesuffix(".0") if "." in text else text


def sorted_by(shown: str, value: float) -> str:
    """A cell showing `shown` that sorts by `value`."""
    return f'<span data-sort="{sort_value(value)}">{shown}</span>'


def severity_weight(severity: Severity) -> int:
    """A severity as a number that grows with it: info 1, low 2, medium 3, high 4."""
    return len(Severity) - severity.rank


def date_key(day: date) -> int:
    """A date as the number 20260930: in the order of the days, and readable."""
    return day.year * 10_000 + day.month * 100 + day.day


def date_cell(day: date | str | None, formats: LocaleFormat, missing: str = "—") -> str:
    """A date as the reader reads it (Sep 30, 2026) that sorts as a date; `missing` when
    there is none (it then sorts below every date)."""
    if day is None or day == "":
        return missing
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return sorted_by(esc(formats.date(day)), date_key(day))

