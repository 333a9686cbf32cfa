"""One export cell read as a field's value: text, a number, a date, a quarter, a stage. Each
reader raises ValueError saying what was expected; the caller names the file, row, column
and value."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

from babel.numbers import list_currencies

from kam_review.source.exports.tables import Cell
from kam_review.source.model import Quarter

_QUARTER_PATTERNS = (
    re.compile(r"(\d{4})\s*-?\s*Q([1-4])", re.I),  # 2026-Q3, 2026Q3, 2026 Q3
    re.compile(r"Q([1-4])\s*[-/ ]?\s*(\d{4})", re.I),  # Q3 2026, Q3-2026
    re.compile(r"(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?"),  # 2026年第3季度, 2026年Q3
)
_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
# A number as an export writes it: digits with a point for decimals, in groups of three
# apart by commas or spaces (1,234,567.89; 1 234 567), or an exponent (1.2E+07). A comma
# before decimals (95000,50 or 1.234,50) is refused, not read as a thousands separator:
# stripped, it would make the number a hundred or a thousand times larger.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)"
                     r"(?:\.\d+)?(?:[eE][+-]?\d+)?")
# A currency written with the number, before or after it: a sign or an ISO code (RMB for
# CNY), with the currencies each sign can stand for.
_CURRENCY = re.compile(r"^\s*([A-Za-z]{3}|[¥￥$€£]|[A-Za-z]{1,3}\$)\s*"
                       r"|\s*([A-Za-z]{3}|[¥￥$€£])\s*$")
_SIGNS = {"¥": ("CNY", "JPY"), "￥": ("CNY", "JPY"), "$": ("USD", "HKD", "SGD", "AUD", "CAD"),
          "€": ("EUR",), "£": ("GBP",), "RMB": ("CNY",), "HK$": ("HKD",), "US$": ("USD",),
          "S$": ("SGD",), "A$": ("AUD",), "C$": ("CAD",)}
LARGEST = 1e15  # the account format's limit on money
# The years the account format has quarters for (its schema's pattern: 19xx to 21xx).
QUARTER_YEARS = range(1900, 2200)


def text(cell: Cell) -> str:
    """The cell as text: a whole number from a worksheet without its `.0`."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat()
    return "" if cell is None else str(cell).strip()


def number(cell: Cell, currency: str | None = None) -> float | int:
    """A number; written as text, with thousands apart by commas or spaces and a point before
    decimals, and at most one currency sign or code, which must be `currency`'s (the
    mapping's) when that is given."""
    if isinstance(cell, bool | date):
        raise ValueError("expected a number")
    if isinstance(cell, int | float):
        value: float | int = cell
    else:
        written = _without_currency(str(cell).strip(), currency)
        if not _NUMBER.fullmatch(written):
            raise ValueError("expected a number such as 1234.5 or 1,234.50 (a point before "
                             "decimals)" if any(c.isdigit() for c in written)
                             else "expected a number")
        value = float(re.sub(r"[, \u00a0\u202f]", "", written))
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise ValueError(f"expected a number up to {LARGEST:,.0f}")
    return tidy(value)


def _without_currency(written: str, currency: str | None) -> str:
    """The number without the currency it is written with (a sign or a known ISO code);
    ValueError for a currency other than `currency`."""
    found = _CURRENCY.search(written)
    mark = "" if found is None else (found.group(1) or found.group(2)).upper()
    means = _SIGNS.get(mark) or ((mark,) if mark in _iso_codes() else None)
    if found is None or means is None:
        return written
    if currency is not None and currency.upper() not in means:
        raise ValueError(f"the amount is in {'/'.join(means)}, not the mapping's currency "
                         f"{currency}")
    return (written[:found.start()] + written[found.end():]).strip()


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    return frozenset(list_currencies())


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
            return held_quarter(Quarter(int(year), int(_CHINESE_DIGITS.get(q, q))))
    raise ValueError("expected a quarter such as 2026-Q3")


def held_quarter(when: Quarter) -> Quarter:
    """A quarter the account files can hold. Another year is a slip (0202 for 2026): the
    figures are not the quarter's, and a line dated so belongs to a quarter unknown."""
    if when.year not in QUARTER_YEARS:
        raise ValueError(f"expected a year from {QUARTER_YEARS[0]} to {QUARTER_YEARS[-1]}, "
                         "the years of the account files' quarters")
    return when


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
