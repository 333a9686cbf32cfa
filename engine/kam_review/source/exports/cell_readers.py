"""How an export's cell becomes a field's value: a date in the mapping's formats, a number in
its currency, a stage or role mapped to the account format's, one line of text. A cell that
cannot be read raises ValueError, which the row's error names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kam_review.source.accounts import account_schema
from kam_review.source.exports import cells
from kam_review.source.exports.mapping import Mapping
from kam_review.source.exports.records import slug
from kam_review.source.exports.tables import Cell
from kam_review.source.model import (
    BUYING_ROLES,
    LEVELS,
    LOSS_REASONS,
    OPPORTUNITY_STAGES,
    Quarter,
)
from kam_review.source.single_line import ONE_LINE_MAX

# The account format's activity kinds, as its schema lists them.
ACTIVITY_KINDS = tuple(
    account_schema()["properties"]["activities"]["items"]["properties"]["kind"]["enum"])
_DATES = frozenset({"customer_since", "last_contact", "stage_since", "expected_close",
                    "closed_on", "lost_on", "entered", "date"})
_NUMBERS = frozenset({"value", "revenue", "cost", "units"})

Reader = Callable[[Cell], Any]


def reader(name: str, mapping: Mapping, kind: str) -> Reader:
    """How a cell of the field `name` in a table of `kind` is read, as the mapping says."""
    values = mapping.values or {}
    if name in _NUMBERS and kind == "revenue_lines":
        # A credit note is a negative line; the quarter's sum is checked.
        return lambda cell: cells.number(cell, mapping.currency)
    if name == "date" and kind == "revenue_lines":
        return lambda cell: _line_date(cell, mapping.date_formats)
    if name in _DATES:
        return lambda cell: cells.day(cell, mapping.date_formats)
    if name in _NUMBERS:
        return lambda cell: _at_least_zero(cell, mapping.currency)
    if name == "probability":
        return lambda cell: _probability(cell, mapping.percent)
    if name == "stage":
        return lambda cell: cells.mapped(cells.text(cell), mapping.stages, OPPORTUNITY_STAGES,
                                         "stage")
    if name == "quarter":
        return cells.quarter
    if name == "level":
        return lambda cell: cells.mapped(cells.text(cell), values.get("level"), LEVELS, "level")
    if name == "loss_reason":
        return lambda cell: cells.mapped(cells.text(cell), values.get("loss_reason"),
                                         tuple(LOSS_REASONS), "loss reason")
    if name == "kind":
        return lambda cell: cells.mapped(cells.text(cell), values.get("kind"), ACTIVITY_KINDS,
                                         "activity kind")
    if name == "roles":
        return lambda cell: _listed(cell, mapping.separator, values.get("roles"))
    if name == "with":
        return lambda cell: [_one_line(part) for part in
                             cells.text(cell).split(mapping.separator) if part.strip()]
    if name == "currency":
        return _currency
    if name == "id":
        return _identifier
    return _one_line


def _line_date(cell: Cell, formats: tuple[str, ...]) -> date:
    """A revenue line's date, which says the quarter its figures add to: one that no
    quarter of the account files holds is a line that could not be read."""
    when = cells.day(cell, formats)
    cells.held_quarter(Quarter.containing(when))
    return when


def _one_line(cell: Cell) -> str:
    value = " ".join(cells.text(cell).split())
    if len(value) > ONE_LINE_MAX:
        raise ValueError(f"longer than {ONE_LINE_MAX} characters")
    return value


def _at_least_zero(cell: Cell, currency: str | None) -> float | int:
    value = cells.number(cell, currency)
    if value < 0:
        raise ValueError("expected a number of at least 0")
    return value


def _probability(cell: Cell, percent: bool) -> float | int:
    # "40%" says its own scale, as CRM exports often write it, whatever the mapping says.
    written = cells.text(cell) if isinstance(cell, str) else ""
    if written.endswith(("%", "％")):
        percent, cell = True, written[:-1].strip()
    value = cells.number(cell)
    value = cells.tidy(value / 100) if percent else value
    if not 0 <= value <= 1:
        raise ValueError("expected a probability from 0 to 100 (percent)" if percent
                         else "expected a probability from 0 to 1")
    return value


def _listed(cell: Cell, separator: str, values: dict[str, str] | None) -> list[str]:
    parts = [part.strip() for part in cells.text(cell).split(separator) if part.strip()]
    return [cells.mapped(part, values, BUYING_ROLES, "buying role") for part in parts]


def _currency(cell: Cell) -> str:
    value = cells.text(cell).upper()
    if len(value) != 3 or not value.isalpha():
        raise ValueError("expected an ISO 4217 currency code such as CNY")
    return value


def _identifier(cell: Cell) -> str:
    value = cells.text(cell)
    if slug(value) != value:
        raise ValueError("expected an id of lowercase letters, digits and single dashes")
    return value
