"""An account file full of markup: the built site shows it as text and runs none of it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from .browser_support import (
    foreign_urls,
    requested_urls,
    require_browser,
    save_full_page_screenshot,
    serve_directory,
    severe_console_entries,
    start_chromium,
)
from .conftest import REPO, healthy_account, write_account

pytestmark = pytest.mark.browser

PAYLOAD = ('<script>window.kamPwned = 1</script><img src=x onerror="window.kamPwned = 2">'
           '[click](javascript:window.kamPwned=3) <a href="javascript:window.kamPwned=4">a</a>')


def _hostile_account() -> dict[str, Any]:
    account = healthy_account()
    for field in ("name", "owner", "industry"):
        account[field] = f"{field} {PAYLOAD}"
    for contact in account["contacts"]:
        contact["title"] = PAYLOAD
    account["contacts"][0]["name"] = f"Zhang {PAYLOAD}"
    account["activities"][0]["with"] = [f"Zhang {PAYLOAD}"]
    account["market"]["competitors"] = [PAYLOAD]
    account["complaints"][0]["summary"] = PAYLOAD
    account["opportunities"][0]["name"] = PAYLOAD
    account["plan"]["summary"] = f"{PAYLOAD}\n\n- **kept** formatting\n"
    account["plan"]["goals"][0]["text"] = PAYLOAD
    account["plan"]["goals"][0]["metric"] = PAYLOAD
    account["waivers"] = [{"rule": "risk.complacency", "reason": PAYLOAD, "until": "2026-12-31",
                           "by": PAYLOAD, "subject": PAYLOAD}]
    return account


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    require_browser()
    root = tmp_path_factory.mktemp("hostile")
    for folder in ("rules", "site"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "accounts").mkdir()
    write_account(root / "accounts", _hostile_account())
    env = {k: v for k, v in os.environ.items() if k not in ("KAM_AS_OF", "KAM_BASE")}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                   check=True, capture_output=True)
    with serve_directory(root / "build" / "site") as base_url:
        driver = start_chromium(tmp_path_factory.mktemp("profile"))
        try:
            driver.get("about:blank")
            severe_console_entries(driver)
            requested_urls(driver)
            yield base_url, driver
        finally:
            driver.quit()


@pytest.mark.parametrize("path", ["/", "/accounts/test-account/", "/risks/", "/funnel/",
                                  "/owners/", "/rules/"])
def test_markup_in_account_files_stays_text(hostile_site: tuple[str, Any], path: str) -> None:
    base_url, driver = hostile_site
    driver.get(base_url + path)
    assert driver.execute_script("return document.readyState") == "complete"
    assert driver.execute_script("return window.kamPwned === undefined")
    # The payload's text is on the page, but not one element or attribute came of it.
    if path in ("/", "/accounts/test-account/", "/owners/"):
        assert "<script>window.kamPwned = 1</script>" in \
            driver.find_element(By.TAG_NAME, "article").get_attribute("textContent")
    assert driver.execute_script("return document.querySelectorAll('[onerror]').length") == 0
    assert not driver.find_elements(By.CSS_SELECTOR, "a[href^='javascript']")
    assert not driver.find_elements(By.CSS_SELECTOR, "article script, article img")
    if path == "/accounts/test-account/":
        heading = driver.find_element(By.CSS_SELECTOR, "article h1").text
        assert heading.startswith("name <script>window.kamPwned = 1</script>")
        summary = driver.find_element(By.CSS_SELECTOR, "div.kam-plan-summary")
        assert summary.find_element(By.TAG_NAME, "strong").text == "kept"
        save_full_page_screenshot(driver, "hostile-account")
    assert foreign_urls(requested_urls(driver), base_url) == []
    assert severe_console_entries(driver) == []
