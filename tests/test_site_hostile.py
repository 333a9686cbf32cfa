"""Account files full of markup and template syntax: the built site shows every text exactly
as written, in every HTML context (page body, <title>, navigation, table of contents, search
index, SVG charts, JSON and attributes), and not one element or attribute comes of it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from selenium.webdriver.common.by import By

from .browser_support import (
    Site,
    assert_clean,
    browsing,
    require_browser,
    save_full_page_screenshot,
)
from .conftest import AS_OF, REPO, healthy_account, write_account
from .html_tree import Node, parse

# Each piece would be live if it reached a page unescaped; window.kamPwned shows a run. (Names
# are at most 200 characters long.)
HOSTILE = ('</title><script>window.kamPwned=1</script> "><img src=x onerror=window.kamPwned=2>'
           " {{ config }} ]]><!-- [a](javascript:window.kamPwned=3) *em* _u_ `c` # \\| "
           "&amp;lt; &lt;")
# A broken account file whose name is markup too: input errors list it on the overview.
BAD_FILE = '"><img src=x onerror=window.kamPwned=7>'
SITE_NAME = "Key account review"
Text = Callable[[str], str]


def _hostile(label: str) -> str:
    return f"{label} {HOSTILE}"


def _plain(label: str) -> str:
    """Plain text of the same length: the same layout, so the same elements."""
    return "x" * len(_hostile(label))


def _account(text: Text) -> dict[str, Any]:
    account = healthy_account()
    for field in ("name", "owner", "industry"):
        account[field] = text(field)
    for contact in account["contacts"]:
        contact["title"] = text("title")
    account["contacts"][0]["name"] = text("contact")
    account["activities"][0]["with"] = [text("contact")]
    account["market"]["competitors"] = [text("competitor")]
    account["complaints"][0]["summary"] = text("complaint")
    account["opportunities"][0]["name"] = text("opportunity")
    account["plan"]["summary"] = f"{HOSTILE}\n\n- **kept** formatting\n"  # Markdown by design
    account["plan"]["goals"][0]["text"] = text("goal")
    account["plan"]["goals"][0]["metric"] = text("metric")
    account["waivers"] = [{"rule": "risk.complacency", "reason": text("reason"),
                           "until": "2026-12-31", "by": text("by"), "subject": text("subject")}]
    return account


def _build(root: Path, text: Text) -> Path:
    """The site of one account (and one broken file), with the account page in the nav."""
    for folder in ("rules", "site"):
        shutil.copytree(REPO / folder, root / folder)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["nav"].append("accounts/test-account.md")  # its label is the page's title
    config["strict"] = False  # the broken file's errors are logged as warnings
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "accounts").mkdir()
    write_account(root / "accounts", _account(text))
    bad_name = BAD_FILE if text is _hostile else "x" * len(BAD_FILE)
    (root / "accounts" / f"{bad_name}.yaml").write_text("id: broken\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "KAM_BASE"} | {"KAM_AS_OF": str(AS_OF)}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                   check=True, capture_output=True)
    return root / "build" / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile site, and the same site with every hostile text replaced by x's."""
    return (_build(tmp_path_factory.mktemp("hostile"), _hostile),
            _build(tmp_path_factory.mktemp("plain"), _plain))


def _pages(site: Path) -> dict[str, Node]:
    return {str(p.relative_to(site)): parse(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html"))}


def _search_docs(site: Path) -> list[dict[str, Any]]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs: list[dict[str, Any]] = index["docs"]
    return docs


def _heading_text(node: Node) -> str:
    return node.text().removesuffix("¶").strip()


def test_no_element_or_attribute_comes_from_data(sites: tuple[Path, Path]) -> None:
    hostile, plain = (_pages(site) for site in sites)
    assert hostile.keys() == plain.keys()
    for name, page in hostile.items():
        assert page.shape() == plain[name].shape(), name
        for node in page.iter():
            assert not [a for a in node.attrs if a.startswith("on")], (name, node.attrs)
            for attribute in ("href", "src", "action", "xlink:href"):
                value = (node.attrs.get(attribute) or "").strip().lower()
                assert not value.startswith("javascript:"), (name, node.attrs)
            assert not [c for c in node.comments if "kamPwned" in c], name
        for script in page.iter("script"):
            assert "kamPwned" not in script.text(), name
            if script.attrs.get("type") == "application/json":  # JSON inside the page
                assert "kamPwned" not in json.dumps(json.loads(script.text()))


def test_search_index_holds_text_only(sites: tuple[Path, Path]) -> None:
    hostile, plain = (_search_docs(site) for site in sites)
    assert len(hostile) == len(plain)
    for doc, twin in zip(hostile, plain, strict=True):
        for key in ("title", "text"):  # the theme shows both as HTML
            assert parse(doc[key]).shape() == parse(twin[key]).shape(), doc["location"]
    (page,) = [d for d in hostile if d["location"] == "accounts/test-account/"]
    assert parse(page["title"]).text() == _hostile("name")
    assert _hostile("owner") in parse(page["text"]).text()


def test_every_text_shows_as_written(sites: tuple[Path, Path]) -> None:
    pages = _pages(sites[0])
    account = pages["accounts/test-account/index.html"]
    name = _hostile("name")
    (title,) = next(account.iter("head")).iter("title")
    assert title.text() == f"{name} - {SITE_NAME}"
    (heading,) = account.iter("h1")
    assert _heading_text(heading) == name
    topic = [n for n in account.iter("div") if n.has_class("md-header__topic")]
    assert name in [n.text() for n in topic]
    for page in pages.values():  # the nav label of the account page, on every page
        links = [n.text() for n in page.iter("a") if n.has_class("md-nav__link")]
        assert name in links
        texts = [n for n in page.iter() for n in n.children if isinstance(n, str)]
        assert not [t for t in texts if "&#" in t]  # no entity shown as text
    article = next(n for n in account.iter("article"))
    for label in ("owner", "industry", "contact", "title", "opportunity", "goal",
                  "metric", "reason", "by", "subject"):
        assert _hostile(label) in article.text(), label
    summary = next(n for n in account.iter("div") if n.has_class("kam-plan-summary"))
    assert [n.text() for n in summary.iter("strong")] == ["kept"]

    owners = pages["owners/index.html"]
    assert _hostile("owner") in [_heading_text(h) for h in owners.iter("h2")]
    toc = next(n for n in owners.iter("nav") if n.has_class("md-nav--secondary"))
    assert _hostile("owner") in [n.text() for n in toc.iter("a")]

    overview = pages["index.html"]
    assert f"accounts/{BAD_FILE}.yaml" in overview.text()  # a file name in an error
    tips = [n.text() for n in overview.iter("title")]  # the focus matrix's tooltips
    assert any(tip.startswith(f"{name}: attractiveness") for tip in tips)
    description = [n.attrs.get("content") for n in overview.iter("meta")
                   if n.attrs.get("name") == "description"]
    assert description == ["Quarterly review of the key account portfolio"]


@pytest.fixture(scope="module")
def browser(sites: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Site]:
    require_browser()
    with browsing(sites[0], tmp_path_factory.mktemp("profile")) as site:
        yield site


@pytest.mark.browser
def test_markup_in_account_files_runs_nowhere(browser: Site) -> None:
    base_url, driver = browser.base_url, browser.driver
    for path in ("/", "/accounts/test-account/", "/risks/", "/funnel/", "/owners/", "/rules/"):
        driver.get(base_url + path)
        assert driver.execute_script("return document.readyState") == "complete"
        assert driver.execute_script("return window.kamPwned === undefined"), path
        assert driver.execute_script("return document.querySelectorAll('[onerror]').length") \
            == 0
        assert not driver.find_elements(By.CSS_SELECTOR, "a[href^='javascript']")
        assert not driver.find_elements(By.CSS_SELECTOR, "article script, article img")
        if path == "/accounts/test-account/":
            assert driver.title == f"{_hostile('name')} - {SITE_NAME}"
            heading = driver.find_element(By.CSS_SELECTOR, "article h1").text
            assert heading.startswith(_hostile("name"))
            save_full_page_screenshot(driver, "hostile-account")
        assert_clean(browser)
