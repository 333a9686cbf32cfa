"""The site as the people in a review meeting read it: on a laptop (1280 px), on a phone
(390 px), with the keyboard, with a screen reader's checks (axe-core), and on paper.

The sample portfolio's site is built once, served on 127.0.0.1 and read with headless
Chromium. Tables must never be clipped (a wide one scrolls inside a focusable, labelled
region), sortable tables sort by the values the generator wrote, an account prints on at
most two sheets of A4 or Letter with what the meeting needs, the overview and the risk
register print every column with the finding text, every printed sheet names the review,
and axe-core finds nothing serious. Screenshots at both widths are kept in
build/test-artifacts/screenshots.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.request import urlopen

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from kam_review.output.report import rules_source
from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.since import review_since
from kam_review.website.pages.card import top_findings
from kam_review.website.pages.plain import subject_words
from kam_review.website.provenance import provenance

from .browser_support import (
    PAPER,
    Site,
    assert_clean,
    axe_violations,
    built_and_browsing,
    print_pdf,
    require_axe,
    require_pypdf,
    save_screenshot_at,
)
from .conftest import ACCOUNTS, AS_OF, RULES

pytestmark = pytest.mark.browser

LAPTOP, PHONE = 1280, 390
TIMEOUT = 15
SAMPLE_IDS = sorted(path.stem for path in ACCOUNTS.glob("*.yaml"))
# Every kind of page, and the account pages with the widest tables.
PAGES = ["/", "/risks/", "/funnel/", "/owners/", "/rules/", "/guide/", "/own-rules/",
         "/accounts/hanhai-retail/", "/accounts/tianhe-distribution/",
         "/accounts/guoneng-energy/", "/accounts/beichen-education/"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with built_and_browsing(tmp_path_factory) as site:
        yield site


@pytest.fixture(scope="module")
def sample() -> Result:
    """The review the site shows: compared with the previous review, as the site is."""
    return review_since(ACCOUNTS, RULES, AS_OF, since=Since(cache=False))[0]


def open_page(site: Site, path: str, width: int = LAPTOP) -> None:
    """Load a page at a window width and wait until its tables are ready (kam-review.js)."""
    assert_clean(site)
    site.driver.set_window_size(width, 900)
    site.driver.get(site.base_url + path)
    WebDriverWait(site.driver, TIMEOUT).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!document.querySelector('article h1')"
        " && Array.prototype.every.call(document.querySelectorAll('div.kam-table'),"
        " function (t) { return t.getAttribute('data-ready') === '1'; })"))
    assert_clean(site)


def slug(path: str) -> str:
    return path.strip("/").replace("/", "-") or "overview"


def squeeze(text: str) -> str:
    """Text without any white space: a PDF's lines break where the sheet's width says."""
    return re.sub(r"\s+", "", text)


# Each table on the page: its size, and the region around it (table_regions.py). A chart's
# figures, folded out below it (.kam-chart-data), are as narrow as the chart and need none.
_TABLES = """
var view = document.documentElement.clientWidth;
return {view: view, page: document.documentElement.scrollWidth,
  tables: Array.prototype.map.call(
      document.querySelectorAll('article table:not(.kam-chart-data table)'), function (t) {
    var box = t.getBoundingClientRect();
    var region = t.closest('.kam-scroll');
    var r = region ? region.getBoundingClientRect() : null;
    return {width: Math.round(box.width), shown: box.width > 0 && box.height > 0,
      head: t.tHead ? t.tHead.textContent.trim().slice(0, 40) : '',
      region: region ? {role: region.getAttribute('role'),
        tabindex: region.getAttribute('tabindex'), label: region.getAttribute('aria-label'),
        overflow: getComputedStyle(region).overflowX, inner: region.clientWidth,
        scroll: region.scrollWidth, left: Math.round(r.left), right: Math.round(r.right)}
        : null};
  })};
"""


@pytest.mark.parametrize("path", PAGES)
def test_no_table_is_clipped_on_a_laptop_or_a_phone(site: Site, path: str) -> None:
    for width in (LAPTOP, PHONE):
        open_page(site, path, width)
        found: dict[str, Any] = site.driver.execute_script(_TABLES)
        assert found["page"] <= found["view"], f"{path} scrolls sideways at {width} px"
        assert found["tables"] or path in ("/guide/", "/own-rules/")
        for table in (t for t in found["tables"] if t["shown"]):
            region = table["region"]
            assert region is not None, f"{path} at {width} px: a table outside a region"
            assert (region["role"], region["tabindex"]) == ("region", "0"), table["head"]
            assert region["label"], f"{path}: a table region without a name: {table['head']}"
            assert region["left"] >= 0 and region["right"] <= found["view"], table["head"]
            if table["width"] > region["inner"] + 1:  # wider than the column: it scrolls
                assert region["overflow"] in ("auto", "scroll"), table["head"]
                assert region["scroll"] >= table["width"], table["head"]
        save_screenshot_at(site.driver, slug(path), width)
    assert_clean(site)


def test_the_risk_registers_sentences_keep_a_reading_width(site: Site) -> None:
    """The Finding and Planned columns were squeezed to a word a line at 1280 px while the
    short columns took the room; the table scrolls instead."""
    open_page(site, "/risks/", LAPTOP)
    widths = site.driver.execute_script(
        "const t = document.querySelector('.kam-table table');"
        "const heads = [...t.querySelectorAll('thead th')].map(th => th.textContent.trim());"
        "const size = parseFloat(getComputedStyle(t.querySelector('td')).fontSize);"
        "return ['Finding', 'Planned', 'Owner'].map(name => "
        "t.querySelector('tbody td:nth-child(' + (heads.indexOf(name) + 1) + ')')"
        ".getBoundingClientRect().width / size);")
    finding, planned, owner = widths
    assert finding >= 15.9 and planned >= 15.9, widths
    assert owner < 15.9, widths
    assert_clean(site)


def test_a_wide_table_scrolls_with_the_keyboard(site: Site) -> None:
    open_page(site, "/accounts/tianhe-distribution/", PHONE)
    driver = site.driver
    regions = [r for r in driver.find_elements(By.CSS_SELECTOR, "article .kam-scroll")
               if r.is_displayed() and driver.execute_script("return arguments[0].scrollWidth > "
                                        "arguments[0].clientWidth + 1", r)]
    assert regions, "no table wider than a phone on the account page"
    # The region with the most to scroll.
    region = max(regions, key=lambda r: driver.execute_script(
        "return arguments[0].scrollWidth - arguments[0].clientWidth", r))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", region)
    region.send_keys(Keys.ARROW_RIGHT * 6)
    assert driver.execute_script("return document.activeElement") == region
    # The browser may scroll smoothly: wait for it to move.
    WebDriverWait(driver, TIMEOUT).until(
        lambda d: d.execute_script("return arguments[0].scrollLeft", region) > 0)
    assert_clean(site)


def header(table: WebElement, name: str) -> WebElement:
    for cell in table.find_elements(By.CSS_SELECTOR, "thead th"):
        if " ".join(str(cell.get_attribute("textContent")).split()) == name:
            return cell
    raise AssertionError(f"no column {name!r}")


def column(table: WebElement, name: str) -> list[tuple[str, str | None]]:
    """Each body row's cell in the column: its text and its sort key."""
    index = [" ".join(str(th.get_attribute("textContent")).split())
             for th in table.find_elements(By.CSS_SELECTOR, "thead th")].index(name)
    cells = [row.find_elements(By.TAG_NAME, "td")[index]
             for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    return [(" ".join(str(c.get_attribute("textContent")).split()), c.get_attribute("data-sort"))
            for c in cells]


def press(table: WebElement, name: str, key: str) -> str:
    """Press a column's sort button from the keyboard; the header's aria-sort after."""
    th = header(table, name)
    button = th.find_element(By.CSS_SELECTOR, "button.kam-sort")
    button.send_keys(key)
    return str(th.get_attribute("aria-sort"))


def table_after(site: Site, heading_id: str) -> WebElement:
    return site.driver.find_element(By.XPATH, f"//*[@id='{heading_id}']/following::table[1]")


def test_sortable_headers_are_buttons_the_keyboard_presses(site: Site) -> None:
    open_page(site, "/")
    table = table_after(site, "accounts")
    headers = table.find_elements(By.CSS_SELECTOR, "thead th")
    assert headers and all(th.find_elements(By.CSS_SELECTOR, "button.kam-sort[type='button']")
                           for th in headers)
    assert all(th.get_attribute("tabindex") is None for th in headers), "two tab stops"
    assert press(table, "Account", Keys.ENTER) == "ascending"
    names = [text for text, _ in column(table, "Account")]
    assert names == sorted(names, key=str.lower)
    assert press(table, "Account", Keys.SPACE) == "descending"
    assert [text for text, _ in column(table, "Account")] == sorted(names, key=str.lower,
                                                                     reverse=True)
    # One column is sorted at a time.
    assert press(table, "Growth over a year", Keys.ENTER) == "descending"
    assert header(table, "Account").get_attribute("aria-sort") is None
    assert_clean(site)


def _numbers(cells: list[tuple[str, str | None]]) -> list[float]:
    return [float(key) for _, key in cells if key is not None]


def test_numbers_sort_as_numbers_largest_first(site: Site, sample: Result) -> None:
    open_page(site, "/")
    table = table_after(site, "accounts")
    assert press(table, "Growth over a year", Keys.ENTER) == "descending"
    cells = column(table, "Growth over a year")
    keys = _numbers(cells)
    assert keys == sorted(keys, reverse=True)
    growth = [item.facts[0].get("growth_yearly") for item in sample.accounts]
    shown = [v for v in growth if v is not None]
    assert min(shown) < 0 < max(shown), "the sample needs a falling and a growing account"
    # The keys are the figures themselves, the negative ones below zero; unknown ones last.
    known = [key for text, key in cells if text != "—"]
    assert [float(k) for k in known] == sorted(shown, reverse=True)
    assert all(text == "—" for text, _ in cells[len(known):])
    # Amounts written short (4.2M, 850k) sort by their value.
    assert press(table, "Revenue, last 4 quarters", Keys.ENTER) == "descending"
    revenue = _numbers(column(table, "Revenue, last 4 quarters"))
    assert revenue == sorted(revenue, reverse=True)
    assert_clean(site)


def test_severity_sorts_by_rank(site: Site) -> None:
    open_page(site, "/risks/")
    table = site.driver.find_element(By.CSS_SELECTOR, "div.kam-table table")
    assert press(table, "Severity", Keys.ENTER) == "descending"
    order = ["high", "medium", "low", "info"]
    shown = [text for text, _ in column(table, "Severity")]
    assert shown == sorted(shown, key=order.index) and shown[0] == "high"
    assert press(table, "Severity", Keys.ENTER) == "ascending"
    shown = [text for text, _ in column(table, "Severity")]
    assert shown == sorted(shown, key=order.index, reverse=True)
    # The overview's worst finding sorts by its severity too, accounts without one last.
    open_page(site, "/")
    overview = table_after(site, "accounts")
    assert press(overview, "Worst open finding", Keys.ENTER) == "descending"
    worst = [text.split(" ")[0] for text, _ in column(overview, "Worst open finding")]
    ranked = [w for w in worst if w in order]
    assert ranked == sorted(ranked, key=order.index)
    assert worst[:len(ranked)] == ranked
    assert_clean(site)


def test_dates_sort_as_dates(site: Site) -> None:
    open_page(site, "/funnel/")
    table = table_after(site, "every-opportunity")
    assert press(table, "Expected close", Keys.ENTER) == "descending"
    dates = [text for text, _ in column(table, "Expected close")]
    known = [d for d in dates if d != "—"]
    days = [datetime.strptime(d, "%b %d, %Y").date() for d in known]  # as the page writes them
    assert days and days == sorted(days, reverse=True)
    assert len(known) < len(dates), "the sample has a deal without a close date"
    assert dates[:len(known)] == known, "a deal without a date sorts below every date"
    assert_clean(site)


# --- paper ----------------------------------------------------------------------------

def read_pdf(data: bytes) -> tuple[list[str], list[str]]:
    """The text of each printed page, and any text that starts beyond a page's right edge."""
    pypdf = require_pypdf()
    reader = pypdf.PdfReader(io.BytesIO(data))
    texts, outside = [], []
    for page in reader.pages:
        width = float(page.mediabox.width)

        def visit(text: str, cm: list[float], tm: list[float], *_: Any,
                  width: float = width) -> None:
            if text.strip() and tm[4] * cm[0] + tm[5] * cm[2] + cm[4] > width:
                outside.append(text)

        texts.append(page.extract_text(visitor_text=visit))
    return texts, outside


def printed(site: Site, sample: Result, path: str, paper: str) -> list[str]:
    """The text of each sheet the page prints on; each must name the review and its
    number, and hold no text off its edge."""
    open_page(site, path)
    texts, outside = read_pdf(print_pdf(site.driver, paper))
    assert outside == [], f"{path} on {paper}: text printed off the sheet"
    line = squeeze(provenance(sample, rules_source(RULES, None)).line)
    for number, text in enumerate(texts, 1):
        assert line in squeeze(text), f"{path} on {paper}: sheet {number} does not say its review"
        assert squeeze(f"page {number} of {len(texts)}") in squeeze(text)
    return texts


@pytest.mark.parametrize("account_id", SAMPLE_IDS)
def test_an_account_prints_on_at_most_two_sheets(site: Site, sample: Result,
                                                 account_id: str) -> None:
    item = sample.account(account_id)
    for paper in PAPER:
        texts = printed(site, sample, f"/accounts/{account_id}/", paper)
        assert len(texts) <= 2, f"{account_id} prints on {len(texts)} sheets of {paper}"
        text = squeeze("".join(texts))
        account = item.account
        expected = [account.name, account.owner, sample.class_shown(item),
                    "Revenue,last4quarters", "Grossmargin,last4quarters", "Openpipeline"]
        for finding in item.findings:
            if finding.kind.warns:
                expected += [finding.message, finding.action]
        if account.plan is not None:
            expected += [goal.text for goal in account.plan.goals]
        # The card's top findings a line each, with their subjects (the message is left off).
        for finding in top_findings(item):
            if finding.subject:
                rule = sample.rulebook.rule(finding.rule)
                expected.append(f"{rule.title} [{subject_words(item, rule, finding.subject)}]")
        missing = [e for e in expected if squeeze(e) not in text]
        assert missing == [], f"{account_id} on {paper} leaves out {missing}"
        # What is looked up on screen stays off the sheet: no navigation, no checklists.
        for screen_only in ("Whythisclassandfocus", "Buyingteam", "stagecharacteristics",
                            "Howtoreadthisreview", "Rulecatalogue"):
            assert screen_only not in text, f"{account_id} on {paper} prints {screen_only}"
    assert_clean(site)


@pytest.mark.parametrize("path", ["/", "/risks/"])
def test_the_overview_and_the_register_print_every_column(site: Site, sample: Result,
                                                         path: str) -> None:
    for paper in PAPER:
        text = squeeze("".join(printed(site, sample, path, paper)))
        headers = site.driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('article th'),"
            " function (th) { return th.textContent; })")
        assert headers
        assert [h for h in headers if squeeze(h) not in text] == []
        if path == "/risks/":
            expected = [f.message for f, _ in sample.warnings()]
        else:
            expected = [item.account.name for item in sample.accounts] + [
                item.worst_warning.message for item in sample.accounts
                if item.worst_warning]
        assert [e for e in expected if squeeze(e) not in text] == []
        for chrome in ("Howtoreadthisreview", "Funnelandforecast", "Byowner", "Download"):
            assert chrome not in text, f"{path} on {paper} prints {chrome}"
    assert_clean(site)


def test_every_page_ends_with_the_review_it_belongs_to(site: Site, sample: Result) -> None:
    line = provenance(sample, rules_source(RULES, None)).line
    for path in PAGES:
        open_page(site, path)
        footer = site.driver.find_elements(By.CSS_SELECTOR, "article .kam-provenance")
        assert len(footer) == 1, path
        assert " ".join(str(footer[0].get_attribute("textContent")).split()) == line
        assert footer[0].is_displayed()
    assert_clean(site)


def test_the_risk_register_downloads_as_csv(site: Site) -> None:
    open_page(site, "/risks/")
    link = site.driver.find_element(By.CSS_SELECTOR, "article a[download]")
    assert link.get_attribute("download") == f"risks-{AS_OF}.csv"
    with urlopen(str(link.get_attribute("href"))) as response:  # the local test server
        data = response.read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = data.decode("utf-8-sig").splitlines()
    shown = site.driver.find_elements(By.CSS_SELECTOR, "div.kam-table tbody tr")
    assert len(rows) == 1 + len(shown)
    assert_clean(site)


# --- accessibility --------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/accounts/hanhai-retail/", "/risks/", "/funnel/"])
def test_axe_finds_nothing_serious(site: Site, path: str) -> None:
    assert_axe_finds_nothing_serious(site, path)


def assert_axe_finds_nothing_serious(site: Site, path: str) -> None:
    """axe-core on the page at a laptop's and a phone's width: no serious or critical
    violation, and the page itself clean (console, requests)."""
    axe = require_axe()
    for width in (LAPTOP, PHONE):
        open_page(site, path, width)
        found = axe_violations(site.driver, axe)
        serious = [v for v in found if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{path} at {width} px: {serious}"
    assert_clean(site)
