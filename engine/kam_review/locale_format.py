"""Figures as people write them, through Babel (CLDR data): amounts in a currency with its
symbol and grouping, compact where space is short (CN¥1.23M in English, ¥123万 in
Chinese), percentages and percentage points told apart (+8% growth, +2.1 pp of margin),
counts, days and dates (Sep 30, 2026), all in one locale.

Every page, chart and message writes a figure through a LocaleFormat. Nothing here writes
a digit, a symbol or a separator by hand: it only decides how many digits a figure needs
(a ratio that is not zero never shows as 0%) and lets Babel write it (figure_text.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import UnknownLocaleError
from babel.numbers import get_currency_precision, is_currency

from kam_review.figure_text import (
    babel_locale,
    compact_text,
    date_text,
    days_text,
    number_text,
    rounded,
    scientific_text,
)
from kam_review.i18n import _

DEFAULT_LOCALE = "en"
# Significant digits of a compact amount: CN¥1.62M, CN¥12.3M, CN¥850K, ¥162万.
COMPACT_DIGITS = 3
# How a locale writes "percentage points" after a number (CLDR has no such unit).
_POINTS = {"zh": "个百分点"}
_POINTS_DEFAULT = "pp"
# Past this many decimals a figure is written with an exponent (4.9E-324).
_MOST_DECIMALS = 12


def check_locale(name: str) -> str:
    """The locale as Babel names it (`pt-BR` -> `pt_BR`); ValueError if Babel has no data
    for it."""
    try:
        return str(babel_locale(name))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"'{name}' is not a locale kam-review can write figures in "
                         "(a language code such as en, zh or zh_Hant, as Babel names them)"
                         ) from None


def check_currency(code: str) -> str:
    """The code itself when it is an ISO 4217 currency Babel knows; ValueError otherwise."""
    if not is_currency(code):
        raise ValueError(f"'{code}' is not an ISO 4217 currency code (CNY, HKD, USD, EUR ...)")
    return code


def _exact(value: float) -> Decimal:
    # The float's exact value, so that rounding sees what the float holds (0.0005 is a
    # little more than 0.0005 and shows as 0.1%, as Python's own formatting would).
    return Decimal(value + 0.0)


def _decimals_needed(value: float, usual: int) -> int:
    """The usual decimals, or as many as two significant digits of a small figure need, so
    that a figure that is not zero never shows as 0 (0.00003 -> 0.00003)."""
    if value == 0 or abs(value) >= 0.5 * 10.0**-usual:
        return usual
    return 1 - math.floor(math.log10(abs(value)))


@lru_cache(maxsize=1024)
def _format(locale: str, currency: str | None) -> LocaleFormat:
    return LocaleFormat(locale, currency)


@dataclass(frozen=True)
class LocaleFormat:
    """How figures are written: in a locale, and amounts in a currency (None: plain
    numbers, for a portfolio that names no currency)."""

    locale: str = DEFAULT_LOCALE
    currency: str | None = None

    def __post_init__(self) -> None:
        # One spelling of each locale (pt-BR and pt_BR are one), checked once here.
        object.__setattr__(self, "locale", check_locale(self.locale))

    def in_currency(self, currency: str | None) -> LocaleFormat:
        """This format for an account's amounts: its own currency, else this one (the
        portfolio's default)."""
        if currency is None or currency == self.currency:
            return self
        return _format(self.locale, currency)

    @property
    def language(self) -> str:
        return str(babel_locale(self.locale).language)

    def money(self, value: float, compact: bool = True) -> str:
        """An amount: compact (CN¥1.62M, CN¥850K, CN¥900) or whole (CN¥1,620,400; cents only
        when the amount has them)."""
        return _money(self.locale, self.currency, value + 0.0, compact)

    def whole_money(self, value: float) -> str:
        """An amount with every digit: CN¥1,620,400."""
        return self.money(value, compact=False)

    def exact_percent(self, fraction: float) -> str:
        """A fraction as a percentage with every digit its shortest text has: 0.3004 ->
        30.04%, never 30.040000000000003%."""
        shortest = Decimal(repr(fraction + 0.0))
        exponent = (shortest * 100).normalize().as_tuple().exponent
        decimals = min(max(0, -exponent), _MOST_DECIMALS) if isinstance(exponent, int) else 0
        return number_text(self.locale, "percent", str(rounded(shortest, decimals + 2)),
                           decimals)

    def percent(self, fraction: float, signed: bool = False) -> str:
        """A fraction as a percentage: 0.183 -> 18.3%, 0.25 -> 25%, signed +8%; a ratio that
        is not zero never shows as 0% (0.00003 -> 0.003%)."""
        decimals = _decimals_needed(fraction * 100, 1)
        return self._apply("percent", fraction, decimals, signed)

    def points(self, value: float) -> str:
        """A difference of two percentages, in percentage points, always signed: +2.1 pp."""
        unit = _POINTS.get(self.language, _POINTS_DEFAULT)
        text = self._apply("decimal", value, _decimals_needed(value, 1), True)
        return f"{text} {unit}" if unit.isascii() else text + unit

    def number(self, value: float, decimals: int = 2) -> str:
        """A plain figure, to two decimals or as many as asked (more for a small one that
        is not zero)."""
        if isinstance(value, int):
            return self._apply("decimal", value, 0, False)
        return self._apply("decimal", value, _decimals_needed(value, decimals), False)

    def count(self, value: float) -> str:
        """A whole number with the locale's grouping: 1,234."""
        return self._apply("decimal", round(value), 0, False)

    def days(self, value: float) -> str:
        """A number of days, in the locale's words: 45 days, 1 day, 45天."""
        return days_text(self.locale, round(value))

    def date(self, day: date | str) -> str:
        """A date in the locale's medium form: Sep 30, 2026 (2026年9月30日); text that is
        no ISO date is shown as it is."""
        if isinstance(day, str):
            try:
                return date_text(self.locale, date.fromisoformat(day))
            except ValueError:
                return day
        return date_text(self.locale, day)

    def quarter(self, label: str) -> str:
        """A quarter as the active language writes it: 2026-Q3 (2026年第3季度); other text
        (a year, "trailing") is shown as it is."""
        year, marker, number = label.partition("-Q")
        if not marker or not (year.isdigit() and number.isdigit()):
            return label
        return _("{year}-Q{quarter}").format(year=year, quarter=number)

    def _apply(self, kind: str, value: float, decimals: int, signed: bool) -> str:
        """A figure rounded to `decimals` as shown (a percent's shown digits are two places
        further right in the fraction), written in the locale's pattern of its kind."""
        return _applied(self.locale, kind, value, decimals, signed)


# A review writes the same figures again and again (an account's revenue in its trails and
# in its messages, the thresholds in every message that cites them): each text is worked out
# once. Typed: 5 and 5.0 are kept apart, as their own calls would be.
_SEEN = 65536


@lru_cache(maxsize=_SEEN, typed=True)
def _money(locale: str, currency: str | None, value: float, compact: bool) -> str:
    if compact and abs(round(value)) >= 1000:
        # Babel's short form, as of a thousand (999.6 rounds to one: 1K); its digits
        # before the point are the unit's (M, K, 万, 亿), the rest decimals.
        return compact_text(locale, currency, Decimal(repr(value)), COMPACT_DIGITS)
    cents = 0 if compact or value == round(value) else (
        get_currency_precision(currency) if currency else 2)
    kind = "decimal" if currency is None else "currency"
    return number_text(locale, kind, str(rounded(_exact(value), cents)), cents,
                       currency=currency, fixed=kind == "currency")


@lru_cache(maxsize=_SEEN, typed=True)
def _applied(locale: str, kind: str, value: float, decimals: int, signed: bool) -> str:
    if decimals > _MOST_DECIMALS:
        return scientific_text(locale, _exact(value), kind == "percent")
    places = decimals + 2 if kind == "percent" else decimals
    return number_text(locale, kind, str(rounded(_exact(value), places)), decimals, signed)

ENGLISH = LocaleFormat()


def changed_figure(old: float | None, new: float | None, short: Callable[[float], str],
                   exact: Callable[[float], str]) -> tuple[str, str]:
    """A figure's two sides, shown short (CN¥1.6M) unless both would then look the same
    (CN¥1,620,000 -> CN¥1,620,400): then with every digit, so that the change is visible.
    A side without the figure is a dash."""
    def shown(value: float | None, show: Callable[[float], str]) -> str:
        return "—" if value is None else show(value)

    before, after = shown(old, short), shown(new, short)
    return (before, after) if before != after else (shown(old, exact), shown(new, exact))
