"""The Chinese sample site in headless Chromium (issue 16): the search box finds Chinese
words, a contact's name and a word of a plan summary with no network, and the pages render
Chinese text in a CJK font (Debian's fonts-noto-cjk, installed by `make browser`), on
screen and printed to PDF."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from .browser_support import (
    Site,
    assert_clean,
    browsing,
    print_pdf,
    require_browser,
    save_screenshot_at,
    search_results,
)
from .test_site_reading import (
    _TABLES,
    LAPTOP,
    PHONE,
    assert_axe_finds_nothing_serious,
    open_page,
    read_pdf,
    squeeze,
)
from .test_zh_site import build_zh_site

pytestmark = pytest.mark.browser
TIMEOUT = 15


@pytest.fixture(scope="module")
def zh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    site_dir = tmp_path_factory.mktemp("site-zh")
    build_zh_site(site_dir)
    with browsing(site_dir, tmp_path_factory.mktemp("chromium-profile")) as site:
        yield site


def _search(site: Site, query: str) -> list[str]:
    """Type `query` into the search box of the overview; the pages of the results."""
    site.driver.get(site.base_url + "/")
    return [urlsplit(str(a.get_attribute("href"))).path
            for a in search_results(site.driver, query, TIMEOUT)]


@pytest.mark.parametrize(("query", "page"), [
    ("客户", "/guide/"),                                  # the seeds' word for account
    ("决策者", "/accounts/dongfang-hospital/"),           # a buying role
    ("罗志远", "/accounts/dongfang-hospital/"),           # a contact's name
    ("吴涛", "/accounts/xinghai-newenergy/"),             # a two-character name
    ("售后服务", "/accounts/changjiang-steel/"),          # a word of a plan summary
])
def test_search_finds_chinese_words(zh: Site, query: str, page: str) -> None:
    pages = _search(zh, query)
    assert page in pages, f"searching {query} found {pages}"
    assert_clean(zh)


def test_english_words_are_still_found(zh: Site) -> None:
    assert "/rules/" in _search(zh, "GMROII")


def test_chinese_text_renders_in_a_cjk_font(zh: Site) -> None:
    driver = zh.driver
    driver.get(zh.base_url + "/accounts/changjiang-steel/")
    driver.execute_script("return document.fonts.ready")
    assert driver.execute_script(
        "return document.fonts.check('16px \"Noto Sans CJK SC\"', '客户')")
    family = driver.execute_script(
        "return getComputedStyle(document.querySelector('article')).fontFamily")
    assert "Noto Sans CJK SC" in family
    assert "长江特钢集团" in driver.find_element(By.CSS_SELECTOR, "article h1").text


# Noto Sans CJK draws some characters with the glyph of a radical, and Chromium's PDF then
# gives the radical's code point as the text (⽅ for 方, ⻚ for 页). Kangxi radicals read back
# through NFKC; the Simplified forms of the supplement, and 户 (whose Kangxi radical NFKC
# reads as the Traditional 戶), by this table.
_RADICALS = {"⼾": "户", "⻅": "见", "⻆": "角", "⻓": "长", "⻚": "页", "⻛": "风", "⻩": "黄"}


def _as_characters(text: str) -> str:
    return "".join(_RADICALS.get(c) or (unicodedata.normalize("NFKC", c)
                                        if 0x2F00 <= ord(c) <= 0x2FDF else c) for c in text)


def test_a_chinese_account_page_prints_on_at_most_two_a4_sheets(zh: Site) -> None:
    """Printed from the browser, the page keeps its Chinese text (a PDF that drew the
    characters without a CJK font, or as images, would give no such text) and each sheet
    numbers itself in Chinese."""
    open_page(zh, "/accounts/dongfang-hospital/")
    printed, outside = read_pdf(print_pdf(zh.driver, "A4"))
    texts = [squeeze(_as_characters(sheet)) for sheet in printed]
    assert outside == [], "text printed off the sheet"
    assert len(texts) <= 2, f"the account prints on {len(texts)} sheets of A4"
    text = "".join(texts)
    for expected in ("东方医院集团", "张磊", "值得培养和重视的客户", "罗志远", "决策者",
                     "见到分管副院长并介绍全院条码方案", "最新数据：2026年第3季度"):
        assert expected in text, expected
    for number, sheet in enumerate(texts, 1):
        assert f"第{number}页，共{len(texts)}页" in sheet
    assert "page1of" not in text


# The Chinese site read as the English one is (tests/test_site_reading.py): no page scrolls
# sideways on a laptop or a phone, and axe-core finds nothing serious.
ZH_PAGES = ["/", "/risks/", "/funnel/", "/owners/", "/accounts/dongfang-hospital/",
            "/accounts/changjiang-steel/"]


@pytest.mark.parametrize("path", ZH_PAGES)
def test_no_chinese_page_scrolls_sideways(zh: Site, path: str) -> None:
    for width in (LAPTOP, PHONE):
        open_page(zh, path, width)
        found = zh.driver.execute_script(_TABLES)
        assert found["page"] <= found["view"], f"{path} scrolls sideways at {width} px"
        assert all(t["region"] is not None for t in found["tables"] if t["shown"]), path
        save_screenshot_at(zh.driver, "zh-" + (path.strip("/").replace("/", "-") or "overview"),
                           width)
    assert_clean(zh)


@pytest.mark.parametrize("path", ["/", "/accounts/dongfang-hospital/", "/risks/", "/funnel/"])
def test_axe_finds_nothing_serious_on_the_chinese_site(zh: Site, path: str) -> None:
    assert_axe_finds_nothing_serious(zh, path)


def test_the_column_that_names_a_row_keeps_room_for_a_name(zh: Site) -> None:
    """Chinese may break after any character: without room kept, 星海新能源科技 stood in
    the risk register as four lines of two characters."""
    open_page(zh, "/risks/")
    cells = zh.driver.execute_script(
        "return [...document.querySelectorAll('article table td:first-child')].map("
        "td => [td.getBoundingClientRect().width, parseFloat(getComputedStyle(td).fontSize)])")
    assert cells and all(width >= 7 * size for width, size in cells), cells
