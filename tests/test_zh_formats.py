"""Figures in Chinese conventions (issue 16): the language picks the Babel locale zh_Hans_CN,
which writes money, compact amounts, dates and quarters the way Chinese readers do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from kam_review.i18n import check_language, language, locale_name, set_language, using
from kam_review.locale_format import LocaleFormat
from kam_review.wording import counted


@pytest.fixture
def zh() -> Iterator[LocaleFormat]:
    with using("zh"):
        yield LocaleFormat(locale_name(), "CNY")


def test_the_language_picks_the_chinese_locale() -> None:
    with using("zh"):
        assert language() == "zh"
        assert locale_name() == "zh_Hans_CN"
    assert language() == "en" and locale_name() == "en"


@pytest.mark.parametrize("name", ["zh", "zh-CN", "zh_Hans", "ZH"])
def test_chinese_spellings_are_one_language(name: str) -> None:
    assert check_language(name) == "zh"


def test_an_unknown_language_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'fr' is not a language kam-review writes"):
        set_language("fr")


def test_kam_lang_sets_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_LANG", "zh")
    assert set_language(None) == "zh"


def test_money_whole_and_compact(zh: LocaleFormat) -> None:
    assert zh.whole_money(1234567) == "¥1,234,567"
    assert zh.money(1234567) == "¥123万"
    assert zh.money(1_234_500) == "¥123万"
    assert zh.money(1_235_000) == "¥124万"
    assert zh.money(123_456_789) == "¥1.23亿"
    assert zh.money(999) == "¥999"


def test_compact_keeps_fraction_digits(zh: LocaleFormat) -> None:
    # 15,000 is 1.5万, never rounded to 2万; 9,999 and 10,000 on each side of the unit.
    assert zh.money(15_000) == "¥1.5万"
    assert zh.money(9_999) == "¥9999"  # CLDR: below 万 the short form has no grouping
    assert zh.money(10_000) == "¥1万"
    assert zh.money(1_235_000, compact=True) == "¥124万"


def test_dates_and_days(zh: LocaleFormat) -> None:
    assert zh.date(date(2026, 9, 30)) == "2026年9月30日"
    assert zh.date("2026-01-01") == "2026年1月1日"
    assert zh.days(45) == "45天"


def test_quarters(zh: LocaleFormat) -> None:
    assert zh.quarter("2026-Q3") == "2026年第3季度"
    assert zh.quarter("2026") == "2026"


def test_quarters_in_english_stay_as_written() -> None:
    assert LocaleFormat().quarter("2026-Q3") == "2026-Q3"


def test_percent_and_points(zh: LocaleFormat) -> None:
    assert zh.percent(0.183) == "18.3%"
    assert zh.points(2.1) == "+2.1个百分点"


def test_counts_take_the_catalogues_plural_forms() -> None:
    assert counted(1, "deal") == "1 deal"
    assert counted(2, "deal") == "2 deals"
    with using("zh"):
        assert counted(1, "deal") == "1个商机"
        assert counted(2, "deal") == "2个商机"
        # No translation: English, in its own number.
        assert counted(2, "person|people") == "2 people"
