"""One export cell read as a field's value: text, a number, a date, a quarter, a stage. Each
reader raises ValueError saying what was expected; the caller names the file, row, column
and value."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone

from kam_review.source.exports.tables import Cell
from kam_review.source.model import Quarter

_QUARTER_PATTERNS = (
    re.compile(r"(\d{4})\s*-?\s*Q([1-4])", re.I),  # 2026-Q3, 2026Q3, 2026 Q3
    re.compile(r"Q([1-4])\s*[-/ ]?\s*(\d{4})", re.I),  # Q3 2026, Q3-2026
    re.compile(r"(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?"),  # 2026年第3季度, 2026年Q3
)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
# Thousands separators and currency signs an export may write inside a number.
_NUMBER_NOISE = re.compile(r"[,\s¥$€£￥]|CNY|RMB|USD|HKD|EUR", re.I)
LARGEST = 1e15  # the account format's limit on money


def text(cell: Cell) -> str:
    """The cell as text: a whole number from a worksheet without its `.0`."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat()
    return "" if cell is None else str(cell).strip()


def number(cell: Cell) -> float | int:
    if isinstance(cell, bool | date):
        raise ValueError("expected a number")
    if isinstance(cell, int | float):
        value: float | int = cell
    else:
        written = _NUMBER_NOISE.sub("", str(cell))
        try:
            value = float(written)
        except ValueError:
            raise ValueError("expected a number") from None
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise ValueError(f"expected a number up to {LARGEST:,.0f}")
    return tidy(value)


def tidy(value: float) -> float | int:
    """A whole number as an int (written 1200, not 1200.0); others to the cent, so that sums
    of many lines do not carry floating-point dust into the file."""
    rounded = round(value, 2)
    return int(rounded) if float(rounded).is_integer() else rounded


def day(cell: Cell, formats: tuple[str, ...]) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    written = text(cell)
    for form in formats:
        if form.startswith("epoch_ms"):
            if re.fullmatch(r"\d{1,15}", written):
                return datetime.fromtimestamp(int(written) / 1000, _zone(form)).date()
            continue
        try:
            return datetime.strptime(written, form).date()
        except ValueError:
            continue
    raise ValueError("expected a date as " + " or ".join(formats))


def _zone(form: str) -> timezone:
    """epoch_ms is UTC; epoch_ms+08:00 reads the day in China's time, as a user there sees
    it (an order at 07:00 on 1 October belongs to the fourth quarter)."""
    found = re.fullmatch(r"epoch_ms([+-])(\d\d):(\d\d)", form)
    if not found:
        return UTC
    sign = 1 if found.group(1) == "+" else -1
    return timezone(sign * timedelta(hours=int(found.group(2)), minutes=int(found.group(3))))


def quarter(cell: Cell) -> Quarter:
    written = text(cell)
    for number_of, pattern in enumerate(_QUARTER_PATTERNS):
        found = pattern.fullmatch(written)
        if found:
            year, q = found.groups() if number_of != 1 else reversed(found.groups())
            return Quarter(int(year), int(_CHINESE_DIGITS.get(q, q)))
    raise ValueError("expected a quarter such as 2026-Q3")


def mapped(value: str, values: dict[str, str] | None, allowed: tuple[str, ...], what: str
           ) -> str:
    """A value through the mapping's map for its field (exactly, else ignoring case and
    spacing), which must give one of the allowed values."""
    if values:
        if value in values:
            value = values[value]
        else:
            folded = {" ".join(k.split()).casefold(): v for k, v in values.items()}
            value = folded.get(" ".join(value.split()).casefold(), value)
    if value not in allowed:
        raise ValueError(f"not a known {what}: map it under the mapping's "
                         f"{'stages' if what == 'stage' else 'values'} (to one of "
                         + ", ".join(allowed) + ")")
    return value
