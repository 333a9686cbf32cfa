"""`kam serve` in headless Chromium: an edit to an account file shows in the open page without
a manual reload, and the reload script runs under the page's Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from .browser_support import csp_violations, require_browser, severe_console_entries, start_chromium
from .test_kam_serve import kam_serve, rename_account


def test_an_edit_shows_in_the_open_page(tmp_path: Path) -> None:
    require_browser()
    with kam_serve(tmp_path / "project") as (base, _log):
        driver = start_chromium(tmp_path / "chromium-profile")
        try:
            driver.get(f"{base}/accounts/hanhai-retail/")
            heading = driver.find_element(By.CSS_SELECTOR, "article h1").text
            assert heading.startswith("Hanhai Retail Group")
            driver.execute_script("window.kamUnchanged = true")
            rename_account(tmp_path / "project")
            # The page reloads itself while it is read: a heading found just before the reload
            # is stale, and none is found while the new page loads.
            waiting = WebDriverWait(driver, 90, ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException))
            waiting.until(lambda d: d.find_element(
                By.CSS_SELECTOR, "article h1").text.startswith("Hanhai Retail Holdings"))
            # Reloaded by the page itself: the flag set before the edit is gone.
            assert driver.execute_script("return window.kamUnchanged") is None
            assert csp_violations(driver) == []
            assert severe_console_entries(driver) == []
        finally:
            driver.quit()
