"""Babel's text of one figure, in one locale: a number in the locale's pattern (decimal,
percent or currency), a compact amount (CN¥1.23M, ¥123万), days, a date.

A figure is first rounded to what is shown, so that the text depends only on that: Babel is
asked once for each text and the answer is kept (a portfolio repeats its amounts, rounded,
many times, and Babel takes a tenth of a millisecond a call). Babel rounds in Python's
decimal context; here it gets one wide enough for any float (1.8e308 has 309 digits).
"""

from __future__ import annotations

from datetime import date
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal, localcontext
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    NumberPattern,
    format_compact_currency,
    format_compact_decimal,
    get_plus_sign_symbol,
    parse_pattern,
)
from babel.units import format_unit

_WIDE = Context(prec=1000, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN)
_KEPT = 65536  # texts kept per kind of figure


@lru_cache(maxsize=64)
def babel_locale(name: str) -> Locale:
    return Locale.parse(name.replace("-", "_"))


def rounded(value: Decimal, decimals: int) -> Decimal:
    """The value rounded to so many decimals, half to even, as Babel rounds; what rounds to
    zero is 0, never -0."""
    shown = value.quantize(Decimal(1).scaleb(-decimals), context=_WIDE)
    return shown if shown else shown.copy_abs()


@lru_cache(maxsize=256)
def _pattern(locale: str, kind: str, decimals: int, signed: bool, fixed: bool) -> NumberPattern:
    """The locale's own pattern of a kind (decimal, percent, currency) with at most
    `decimals` decimals (exactly so many when `fixed`), and the plus sign in front of a
    positive figure when `signed`."""
    data = babel_locale(locale)
    standard = {"decimal": data.decimal_formats[None],
                "percent": data.percent_formats[None],
                "currency": data.currency_formats["standard"]}[kind]
    base = parse_pattern(standard.pattern)
    positive, negative = base.prefix
    if signed:
        positive = get_plus_sign_symbol(data) + positive
    fractions = (decimals if fixed else 0, decimals)
    return NumberPattern(base.pattern, (positive, negative), base.suffix, base.grouping,
                         base.int_prec, fractions, base.exp_prec, base.exp_plus,
                         base.number_pattern)


@lru_cache(maxsize=_KEPT)
def number_text(locale: str, kind: str, shown: str, decimals: int, signed: bool = False,
                currency: str | None = None, fixed: bool = False) -> str:
    """A number already rounded as shown (its text, so that -0 and 0 stay apart), in the
    locale's pattern of its kind; a percent pattern multiplies it by 100."""
    with localcontext(_WIDE):
        return str(_pattern(locale, kind, decimals, signed, fixed).apply(
            Decimal(shown), babel_locale(locale), currency=currency, currency_digits=False))


def scientific_text(locale: str, value: Decimal, percent: bool) -> str:
    """A figure too small for plain decimals, with an exponent: 4.9E-324."""
    with localcontext(_WIDE):
        return str(parse_pattern("0.0E0%" if percent else "0.0E0").apply(
            value, babel_locale(locale)))


@lru_cache(maxsize=256)
def _units(locale: str, currency: bool) -> tuple[tuple[int, int], ...]:
    """The locale's compact units, largest first: from which amount each is used, and how
    many digits it shows before the point (0: the amount is written whole)."""
    data = babel_locale(locale)
    forms = (data.compact_currency_formats if currency else data.compact_decimal_formats)
    units = []
    for magnitude, form in forms["short"]["other"].items():
        pattern = parse_pattern(form).pattern
        units.append((int(magnitude), 0 if pattern.strip("¤ \xa0") == "0"
                      else pattern.count("0")))
    return tuple(sorted(units, reverse=True))


def compact_text(locale: str, currency: str | None, value: Decimal, digits: int) -> str:
    """An amount in the locale's short form with `digits` significant digits at most (at
    least those before the point): CN¥1.23M, CN¥12.3M, CN¥850K, ¥123万."""
    for magnitude, before in _units(locale, currency is not None):
        if abs(value) >= magnitude:
            if before == 0:  # this locale writes such an amount whole (¥1500 in Chinese)
                return _compact(locale, currency, str(rounded(value, 0)), 0)
            unit = magnitude // 10 ** (before - 1)
            decimals = max(0, digits - before)
            shown = rounded(value / unit, decimals) * unit
            return _compact(locale, currency, str(shown), decimals)
    return _compact(locale, currency, str(rounded(value, 0)), 0)


@lru_cache(maxsize=_KEPT)
def _compact(locale: str, currency: str | None, shown: str, decimals: int) -> str:
    with localcontext(_WIDE):
        if currency is None:
            return str(format_compact_decimal(Decimal(shown), locale=babel_locale(locale),
                                              fraction_digits=decimals))
        return str(format_compact_currency(Decimal(shown), currency,
                                           locale=babel_locale(locale),
                                           fraction_digits=decimals))


@lru_cache(maxsize=_KEPT)
def days_text(locale: str, days: int) -> str:
    return str(format_unit(days, "duration-day", length="long", locale=babel_locale(locale)))


@lru_cache(maxsize=_KEPT)
def date_text(locale: str, day: date) -> str:
    return str(format_date(day, "medium", locale=babel_locale(locale)))
