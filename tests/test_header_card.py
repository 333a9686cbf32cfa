"""An account page opens with the answer: its header card fits one laptop screen, and no
page scrolls sideways on a phone.

The sample portfolio's site is built once, served on 127.0.0.1 and read with headless
Chromium at the viewport sizes themselves (1280x800 for a laptop, the theme's header
included; 390x844 for a phone). Screenshots of the overview, an account page, the risk
register and the funnel at both widths are kept in build/test-artifacts/screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kam_review.review.results import Result
from kam_review.rulebook.figures import revenue_series
from kam_review.vocabulary import Kind
from kam_review.website.pages.card import top_findings

from .browser_support import SCREENSHOT_DIR, Site, assert_clean, built_and_browsing
from .conftest import ACCOUNTS

pytestmark = pytest.mark.browser

LAPTOP, PHONE = (1280, 800), (390, 844)
TIMEOUT = 15
SAMPLE_IDS = sorted(path.stem for path in ACCOUNTS.glob("*.yaml"))
SHOWN = {"/": "overview", "/accounts/guoneng-energy/": "account-guoneng-energy",
         "/risks/": "risks", "/funnel/": "funnel"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with built_and_browsing(tmp_path_factory) as site:
        yield site


def view(site: Site, path: str, size: tuple[int, int]) -> None:
    """Load a page in a viewport of exactly `size` and wait until its scripts have run."""
    assert_clean(site)
    width, height = size
    site.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    site.driver.get(site.base_url + path)
    WebDriverWait(site.driver, TIMEOUT).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !!document.querySelector('article h1')"
        " && Array.prototype.every.call(document.querySelectorAll('div.kam-table'),"
        " function (t) { return t.getAttribute('data-ready') === '1'; })"))
    assert site.driver.execute_script("return window.innerWidth") == width
    assert_clean(site)


def screenshot(site: Site, name: str) -> Path:
    """The whole page at the viewport's width, saved as a test artefact."""
    driver = site.driver
    width = int(driver.execute_script("return window.innerWidth"))
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": min(height, 8000), "deviceScaleFactor": 1, "mobile": False})
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}-{width}.png"
    assert driver.save_screenshot(str(path)), path
    return path


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


_CARD = """
var card = document.querySelector('article .kam-card');
if (!card) { return null; }
var box = card.getBoundingClientRect();
var summary = card.querySelector('.kam-plan-summary, .kam-summary-missing');
var trend = card.querySelector('.kam-card-trend svg');
var label = trend ? trend.getAttribute('aria-label') : '';
return {top: box.top, bottom: box.bottom, view: window.innerHeight,
  first: card.firstElementChild.textContent,
  verdict: Array.prototype.map.call(card.querySelectorAll('.kam-verdict'),
    function (b) { return b.textContent; }),
  strategy: (card.querySelector('.kam-card-strategy') || {}).textContent || '',
  summary: summary ? summary.textContent : '',
  trend: trend ? {width: trend.getBoundingClientRect().width, label: label} : null,
  none: (card.querySelector('.kam-card-none') || {}).textContent || '',
  findings: Array.prototype.map.call(card.querySelectorAll('ol.kam-card-findings > li'),
    function (li) { return {text: li.textContent, link: li.querySelector('a').hash,
      bottom: li.getBoundingClientRect().bottom}; })};
"""


@pytest.mark.parametrize("account_id", SAMPLE_IDS)
def test_the_card_answers_in_one_laptop_screen(site: Site, site_review: Result,
                                               account_id: str) -> None:
    item = site_review.account(account_id)
    view(site, f"/accounts/{account_id}/", LAPTOP)
    card: dict[str, Any] = site.driver.execute_script(_CARD)
    assert card is not None, "no header card"
    assert 0 < card["top"] < card["bottom"] <= card["view"], (
        f"{account_id}: the card ends at {card['bottom']} px of {card['view']}")
    if item.verdict is not None:
        assert one_line(card["first"]).startswith("Verdict:")
        assert card["verdict"] == [item.verdict.shown]
    assert f"Class {site_review.class_shown(item)}" in one_line(card["strategy"])
    assert f"Owner {item.account.owner}" in one_line(card["strategy"])
    plan = item.account.plan
    if plan is not None and plan.summary:
        opening = " ".join(plan.summary.replace("*", "").split()[:3])
        assert one_line(card["summary"]).startswith(opening)
    else:
        assert one_line(card["summary"]).startswith("Missing.")
    assert card["trend"] is not None and card["trend"]["width"] >= 150
    shown = min(8, len(revenue_series(item.account, site_review.as_of)))
    assert card["trend"]["label"].startswith(f"Revenue, last {shown} quarters: ")
    # The (up to) three warnings that matter most, in order, each with its action, all
    # inside the screen; advice is not among them.
    expected = top_findings(item)
    warnings = [f for f in item.open_findings if f.warns]
    assert len(expected) == min(3, len(warnings))
    shown = card["findings"]
    assert len(shown) == len(expected)
    if not expected:
        assert "No open warning." in one_line(card["none"])
    for finding, entry in zip(expected, shown, strict=True):
        title = site_review.rulebook.rule(finding.rule).title
        text = one_line(entry["text"])
        assert text.startswith(f"{finding.severity.value} {title}"), text[:80]
        assert "Action: " in text
        assert entry["link"] == f"#finding-{finding.rule.replace('.', '-')}"
        assert entry["bottom"] <= card["view"]
    assert_clean(site)


def test_a_finding_s_title_leads_to_it_in_full(site: Site, site_review: Result) -> None:
    """The card clamps a long message; its title leads to the finding's row below."""
    view(site, "/accounts/hanhai-retail/", LAPTOP)
    first = top_findings(site_review.account("hanhai-retail"))[0]
    link = site.driver.find_element(By.CSS_SELECTOR, ".kam-card-findings li a")
    target = site.driver.find_element(By.ID, str(link.get_attribute("hash"))[1:])
    row = target.find_element(By.XPATH, "ancestor::tr[1]")
    assert one_line(first.message) in one_line(row.get_attribute("textContent"))
    assert_clean(site)


def test_the_card_names_the_action_planned_against_a_finding(site: Site) -> None:
    view(site, "/accounts/guoneng-energy/", LAPTOP)
    items = [one_line(li.get_attribute("textContent")) for li in
             site.driver.find_elements(By.CSS_SELECTOR, ".kam-card-findings > li")]
    single = next(text for text in items if "Single-threaded relationship" in text)
    assert single.endswith("Planned (Li Wei, due Aug 31, 2026: 30 days overdue): Meet Zhu Hai "
                           "on the 2027 offshore-farm plans and ask to meet his maintenance "
                           "managers")
    declining = next(text for text in items if "Declining revenue" in text)
    assert declining.endswith("No open action of the plan answers it.")
    assert_clean(site)


def test_a_long_summary_opens_in_place(site: Site) -> None:
    view(site, "/accounts/hanhai-retail/", LAPTOP)
    driver = site.driver
    summary = driver.find_element(By.CSS_SELECTOR, ".kam-card .kam-plan-summary")
    button = driver.find_element(By.CSS_SELECTOR, ".kam-card button.kam-more")
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == summary.get_attribute("id")
    clipped = "return arguments[0].scrollHeight > arguments[0].clientHeight + 1"
    assert driver.execute_script(clipped, summary), "the summary is not clamped"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert not driver.execute_script(clipped, summary)
    assert one_line(button.text) == "Show less"
    # A summary short enough is shown whole, without a button.
    view(site, "/accounts/guoneng-energy/", LAPTOP)
    assert not driver.find_elements(By.CSS_SELECTOR, ".kam-card button.kam-more")
    assert_clean(site)


def test_the_sections_are_listed_where_the_table_of_contents_is_not(site: Site) -> None:
    view(site, "/accounts/hanhai-retail/", PHONE)
    jump = site.driver.find_element(By.CSS_SELECTOR, "article nav.kam-jump")
    assert jump.is_displayed()
    targets = [str(a.get_attribute("hash")) for a in jump.find_elements(By.TAG_NAME, "a")]
    assert targets[:4] == ["#at-a-glance", "#since-the-last-review", "#actions", "#findings"]
    assert targets[-1] == "#account-plan"
    for target in targets:
        assert site.driver.find_elements(By.ID, target[1:]), target
    view(site, "/accounts/hanhai-retail/", LAPTOP)
    assert not site.driver.find_element(By.CSS_SELECTOR, "article nav.kam-jump").is_displayed()
    assert_clean(site)


def test_long_lists_are_folded(site: Site, site_review: Result) -> None:
    """Contact advice and each open deal's checklist start collapsed; a deal lost, or won
    and paid and shipped, has no checklist."""
    view(site, "/accounts/hanhai-retail/", LAPTOP)
    driver = site.driver
    folded = driver.find_elements(By.CSS_SELECTOR, "article details.kam-folded")
    assert folded and not any(d.get_attribute("open") for d in folded)
    summaries = [one_line(d.find_element(By.TAG_NAME, "summary").text) for d in folded]
    advice = [f for f in site_review.account("hanhai-retail").findings if f.kind == Kind.ADVICE]
    assert len(advice) > 1
    assert f"Show {len(advice)} notes on working with each contact" in summaries
    headings = [one_line(h.get_attribute("textContent")).removesuffix("¶").strip() for h in
                driver.find_elements(By.XPATH, "//h2[@id='opportunities']/following::h3")]
    checklists = [h.removesuffix(": stage characteristics") for h in headings
                  if h.endswith(": stage characteristics")]
    # The scanners were won (signed, paid and shipped), the shelf labels lost.
    assert checklists == ["Store POS refresh 2027",
                          "Store systems service contract, 2026-27 renewal"]
    lost = driver.find_element(By.ID, "opportunity-shelf-labels-pilot")
    assert one_line(lost.find_element(By.XPATH, "ancestor::td[1]").text) == \
        "Electronic shelf labels, 20-store pilot"
    assert_clean(site)


_WIDE = """
return {page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
  tables: Array.prototype.filter.call(document.querySelectorAll('article table'), function (t) {
    var box = t.getBoundingClientRect();
    if (box.width === 0) { return false; }
    var region = t.closest('.kam-scroll, .kam-chart-data');
    var r = (region || t).getBoundingClientRect();
    return r.left < 0 || r.right > document.documentElement.clientWidth;
  }).map(function (t) { return t.tHead ? t.tHead.textContent.slice(0, 40) : '?'; })};
"""


@pytest.mark.parametrize("path", list(SHOWN))
def test_no_table_overflows_a_phone(site: Site, path: str) -> None:
    """On a phone the page never scrolls sideways: a wide table scrolls inside itself."""
    view(site, path, PHONE)
    found: dict[str, Any] = site.driver.execute_script(_WIDE)
    assert found["page"] == found["view"], f"{path} scrolls sideways on a phone"
    assert found["tables"] == [], f"{path}: tables past the screen's edge"
    screenshot(site, SHOWN[path])
    view(site, path, LAPTOP)
    found = site.driver.execute_script(_WIDE)
    assert found["page"] == found["view"] and found["tables"] == [], path
    assert screenshot(site, SHOWN[path]).stat().st_size > 10_000
    assert_clean(site)
