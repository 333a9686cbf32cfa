"""Money and numbers as people write them, through Babel: amounts in the account's currency
with its symbol and grouping, compact where space is short (CN¥1.23M in English, ¥123万 in
Chinese), percentages apart from percentage points, dates in one readable form."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest
from babel.numbers import format_compact_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_review.formatting import UNIT_SPECS, fill, format_in_unit, format_value
from kam_review.i18n import using
from kam_review.locale_format import (
    ENGLISH,
    LocaleFormat,
    changed_figure,
    check_currency,
    check_locale,
)

CNY = LocaleFormat("en", "CNY")
CHINESE = LocaleFormat("zh", "CNY")


@pytest.mark.parametrize(("value", "shown"), [
    # Three significant digits: as precise as a table or a chart needs, no more.
    (1_234_567, "CN¥1.23M"), (1_020_000, "CN¥1.02M"), (850_000, "CN¥850K"),
    (12_345_678, "CN¥12.3M"), (1500, "CN¥1.5K"), (9_996_000, "CN¥10M"),
    (2_400_000_000.5, "CN¥2.4B"), (-2.5e12, "-CN¥2.5T"),
    # Below a thousand, whole amounts; 999.6 rounds up to the next unit, 999.4 does not.
    (900, "CN¥900"), (999.4, "CN¥999"), (999.6, "CN¥1K"), (1000, "CN¥1K"), (0.4, "CN¥0"),
    (-0.4, "CN¥0"),
])
def test_compact_amounts_in_english(value: float, shown: str) -> None:
    assert CNY.money(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (1_234_567, "¥123万"), (12_000_000, "¥1200万"), (250_000_000, "¥2.5亿"), (900, "¥900"),
    (1000.5, "¥1000"),
])
def test_compact_amounts_in_chinese_count_in_wan_and_yi(value: float, shown: str) -> None:
    assert CHINESE.money(value) == shown


def test_each_currency_has_its_own_symbol() -> None:
    shown = {code: LocaleFormat("en", code).money(1_234_567) for code in ("CNY", "HKD", "USD")}
    assert shown == {"CNY": "CN¥1.23M", "HKD": "HK$1.23M", "USD": "$1.23M"}
    assert ENGLISH.money(1_234_567) == "1.23M"  # no currency named: a plain number
    # The locale decides where the symbol and the separators go.
    assert LocaleFormat("de", "EUR").money(1_234_567) == "1,23\xa0Mio.\xa0€"


@pytest.mark.parametrize(("value", "code", "shown"), [
    (1_620_400, "CNY", "CN¥1,620,400"), (1_620_400.5, "CNY", "CN¥1,620,400.50"),
    (1_620_400.5, "JPY", "¥1,620,400"), (1_620_400.5, None, "1,620,400.5"),
])
def test_whole_amounts_show_every_digit_and_cents_only_when_there_are_some(
        value: float, code: str | None, shown: str) -> None:
    assert LocaleFormat("en", code).whole_money(value) == shown


def test_percentages_and_percentage_points_are_told_apart() -> None:
    assert CNY.percent(0.08, signed=True) == "+8%"  # growth
    assert CNY.points(2.1) == "+2.1 pp"  # a margin change
    assert CNY.points(-3) == "-3 pp"
    assert CNY.points(0.004) == "+0.004 pp"  # not zero, so never shown as 0
    assert CHINESE.points(2.1) == "+2.1个百分点"
    assert CNY.percent(0.183) == "18.3%" and CNY.percent(-0.0, signed=True) == "+0%"
    assert LocaleFormat("de").percent(0.183) == "18,3\xa0%"


def test_exact_percentages_keep_the_digits_the_figure_has() -> None:
    assert CNY.exact_percent(0.3004) == "30.04%"
    assert CNY.exact_percent(0.30040000000000003) == "30.04%"
    assert CNY.exact_percent(1.0) == "100%"


@pytest.mark.parametrize(("day", "english", "chinese"), [
    (date(2026, 9, 30), "Sep 30, 2026", "2026年9月30日"),
    ("2026-01-02", "Jan 2, 2026", "2026年1月2日"),
    ("no date", "no date", "no date"),
])
def test_dates_in_one_readable_form(day: date | str, english: str, chinese: str) -> None:
    assert CNY.date(day) == english
    assert CHINESE.date(day) == chinese


def test_days_and_counts_in_the_locales_words() -> None:
    assert [CNY.days(n) for n in (0, 1, 1.4, 45)] == ["0 days", "1 day", "1 day", "45 days"]
    assert CHINESE.days(45) == "45天"
    assert CNY.count(1234) == "1,234" and CNY.number(3.256) == "3.26"


def test_format_specs_and_units_go_through_the_locale_format() -> None:
    assert UNIT_SPECS["percentage points"] == "pts" and UNIT_SPECS["date"] == "date"
    assert format_value(-1.5, "pts", CNY) == "-1.5 pp"
    assert format_value("2026-09-30", "date", CHINESE) == "2026年9月30日"
    assert format_in_unit(2_900_000, "money", CNY) == "CN¥2.9M"
    assert format_in_unit(2_900_000, "money") == "2.9M"
    assert fill("{revenue:money} by {day:date} ({change:pts})",
                {"revenue": 2_900_000, "day": "2026-12-31", "change": 2}, CNY) == (
        "CN¥2.9M by Dec 31, 2026 (+2 pp)")


def test_an_accounts_currency_else_the_portfolios() -> None:
    portfolio = LocaleFormat("en", "CNY")
    assert portfolio.in_currency(None) is portfolio
    assert portfolio.in_currency("USD") == LocaleFormat("en", "USD")
    assert LocaleFormat("pt-BR").locale == "pt_BR"


def test_unknown_locales_and_currencies_are_refused_with_a_reason() -> None:
    assert check_locale("zh-Hant") == "zh_Hant" and check_currency("HKD") == "HKD"
    with pytest.raises(ValueError, match="'xx' is not a locale"):
        check_locale("xx")
    with pytest.raises(ValueError, match="'RMB' is not an ISO 4217 currency code"):
        check_currency("RMB")
    with pytest.raises(ValueError, match="not a locale"):
        LocaleFormat("klingon")


def _babel_compact(value: float, code: str, locale: str) -> str:
    """Babel's own short form with three significant digits, asked twice: once for the
    digits before the point (of the figure cut to its first significant digit, so that
    Babel's rounding cannot carry 9.96 to 10 or 99.5 to 100 and drop a decimal), once with
    the decimals that leaves. Where the locale has no short unit for the amount (German
    below a million, Chinese below 万) it is written whole."""
    exact = Decimal(repr(value))
    shift = exact.adjusted()
    cut = (exact.scaleb(-shift).to_integral_value(ROUND_DOWN)).scaleb(shift)
    whole = format_compact_currency(cut, code, locale=locale, fraction_digits=0)
    digits = sum(c.isdigit() for c in whole)
    if digits == len(str(abs(int(cut)))):
        return str(format_compact_currency(round(exact), code, locale=locale,
                                           fraction_digits=0))
    decimals = max(0, 3 - digits)
    return str(format_compact_currency(value, code, locale=locale, fraction_digits=decimals))


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=10_000, max_value=1e15), st.sampled_from(["en", "zh", "de", "ja"]),
       st.booleans())
def test_compact_amounts_are_babels_own(value: float, locale: str, negative: bool) -> None:
    """The kept, rounded-first texts are exactly what Babel writes for the figure itself.
    (Below its first unit, 万, Chinese writes an amount whole, where Babel would keep its
    decimals: ¥1000, not ¥1000.5.)"""
    value = -value if negative else value
    assert LocaleFormat(locale, "CNY").money(value) == _babel_compact(value, "CNY", locale)


def test_figures_of_any_float_size_are_written() -> None:
    biggest = 1.7976931348623157e308
    assert CNY.number(biggest).startswith("179,769,313,486,231,570,")
    assert CNY.money(biggest).startswith("CN¥")
    assert CNY.percent(biggest).endswith("%") and CNY.points(-biggest).endswith(" pp")


def test_a_quarter_in_a_message_is_written_as_the_language_writes_it() -> None:
    assert fill("latest {q:quarter}", {"q": "2026-Q3"}, LocaleFormat()) == "latest 2026-Q3"
    with using("zh"):
        assert fill("最新{q:quarter}", {"q": "2026-Q3"}, LocaleFormat("zh_Hans_CN")) == \
            "最新2026年第3季度"


@pytest.mark.parametrize(("old", "new", "shown"), [
    (750_000, 780_000, ("CN¥750K", "CN¥780K")),
    # The short forms would look the same: every digit shows the change.
    (1_620_000, 1_620_400, ("CN¥1,620,000", "CN¥1,620,400")),
    (None, 5, ("—", "CN¥5")),
    (5, None, ("CN¥5", "—")),
])
def test_a_changed_figure_is_shown_so_that_the_change_shows(
        old: float | None, new: float | None, shown: tuple[str, str]) -> None:
    formats = LocaleFormat(currency="CNY")
    assert changed_figure(old, new, formats.money, formats.whole_money) == shown
