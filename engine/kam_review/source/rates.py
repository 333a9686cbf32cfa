"""Exchange rates for the portfolio's totals (the site's `rates:` file): how many units of
the base currency one unit of each other currency was worth on one date.

    base: CNY
    date: 2026-09-30
    rates:
      HKD: 0.9135   # 1 HKD = 0.9135 CNY
      USD: 7.1055

Each account's own figures stay in its own currency; only sums over several accounts are
converted, and the pages say at which rates and as of which date. Every problem in the
file is reported with its line and field, as in an account file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import InputError, KamError, capped
from kam_review.locale_format import check_currency
from kam_review.paths import display_path
from kam_review.source.model import FieldPath, clip, format_path
from kam_review.source.schema_errors import make_validator, schema_errors
from kam_review.source.yamlsource import YamlDocument, read_yaml
from kam_review.wording import counted

_CODE = {"type": "string", "pattern": "^[A-Z]{3}$"}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["base", "date", "rates"],
    "properties": {
        "base": _CODE,
        "date": {"type": "string", "format": "date"},
        "rates": {"type": "object", "minProperties": 1,
                  "additionalProperties": {"type": "number"}},
    },
}


class RatesError(KamError):
    """Raised by load_rates when the rates file has errors; carries every one of them."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = capped(errors)
        lines = "\n".join(str(error) for error in self.errors)
        super().__init__(f"{lines}\nAborted with {counted(len(errors), 'error')} in the rates "
                         "file.")


@dataclass(frozen=True)
class Rates:
    """The rates of one file: base units per unit of each currency, as of `day`."""

    base: str
    day: date
    per_unit: dict[str, float]
    file: str  # as the pages name it

    def convert(self, amount: float, currency: str | None) -> float | None:
        """The amount in the base currency; None when the file has no rate for its
        currency (or the amount names no currency)."""
        if currency == self.base:
            return amount
        rate = self.per_unit.get(currency) if currency is not None else None
        return None if rate is None else amount * rate


def load_rates(path: Path) -> Rates:
    """The rates file, checked whole: raises RatesError listing every problem."""
    name = display_path(path)
    document = read_yaml(path, shown_as=name)
    errors = list(document.errors)
    if not errors:
        errors += schema_errors(make_validator(_SCHEMA), document.value, name, document)
        errors += _currency_errors(document, name)
    if errors:
        raise RatesError(sorted(set(errors)))
    value = document.value
    return Rates(value["base"], date.fromisoformat(value["date"]),
                 {code: float(rate) for code, rate in value["rates"].items()}, name)


def _currency_errors(document: YamlDocument, name: str) -> list[InputError]:
    """What the schema cannot say, of the parts it lets through: a code that is no
    currency, a rate for the base, a rate that is not more than zero."""
    value: dict[str, Any] = document.value if isinstance(document.value, dict) else {}
    given = value.get("base")
    base = given if isinstance(given, str) else None
    listed = value.get("rates")
    rates: dict[str, Any] = listed if isinstance(listed, dict) else {}
    codes: list[tuple[FieldPath, str]] = [(("base",), base)] if (
        base is not None and len(base) == 3 and base.isupper()) else []
    found: list[tuple[FieldPath, str]] = []
    for field_path, code in [*codes, *((("rates", key), key) for key in rates)]:
        try:
            check_currency(code)
        except ValueError as problem:
            found.append((field_path, clip(str(problem), 200)))
    if base is not None and base in rates:
        found.append((("rates", base), f"{base} is the base currency: it needs no rate (1 by "
                                       "definition)"))
    found += [(("rates", code), f"must be more than 0 (how many {base or 'base units'} one "
                                f"{code} is worth), got {rate}")
              for code, rate in rates.items()
              if isinstance(rate, int | float) and not isinstance(rate, bool) and rate <= 0]
    return [InputError(name, *document.locate(field_path), format_path(field_path), message)
            for field_path, message in found]
