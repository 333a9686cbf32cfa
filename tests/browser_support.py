"""Helpers for the browser tests of the generated review site.

They build the MkDocs site into a folder, serve that folder on 127.0.0.1, drive it with
headless Chromium through Selenium 4, and read what the browser logged: console errors and
every URL the page requested, so that a test can prove the site works offline.

The browser is Debian's Chromium and its driver. When either is missing the browser tests
are skipped, unless ``KAM_REQUIRE_BROWSER=1`` is set (as in CI): then they fail.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = Path(__file__).resolve().parent.parent
# Test artefacts, kept out of git (build/ is ignored) and collected by CI as they are.
SCREENSHOT_DIR = REPO_ROOT / "build" / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_BROWSER_VARIABLE = "KAM_REQUIRE_BROWSER"
WINDOW_WIDTH = 1400
WINDOW_HEIGHT = 1000
MAX_SCREENSHOT_HEIGHT = 6000
# Schemes that never leave the browser, so they are not requests to another host.
LOCAL_SCHEMES = frozenset({"data", "about"})

CHROMIUM_ARGUMENTS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}",
)


def browser_required() -> bool:
    """Whether a missing browser is an error (``KAM_REQUIRE_BROWSER=1``) or a skip."""
    return os.environ.get(REQUIRE_BROWSER_VARIABLE, "").strip() == "1"


def missing_browser_parts() -> list[Path]:
    """The Chromium binary and chromedriver paths that do not exist."""
    return [path for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]


def require_browser() -> None:
    """Skip the calling test, or fail it under ``KAM_REQUIRE_BROWSER=1``, without Chromium."""
    missing = missing_browser_parts()
    if not missing:
        return
    names = ", ".join(str(path) for path in missing)
    reason = f"headless Chromium is not available: {names} not found"
    if browser_required():
        pytest.fail(f"{reason} ({REQUIRE_BROWSER_VARIABLE}=1 requires the browser tests)",
                    pytrace=False)
    pytest.skip(f"{reason}; install chromium and chromium-driver, "
                f"or set {REQUIRE_BROWSER_VARIABLE}=1 to make this an error")


def build_site(site_dir: Path) -> None:
    """Build the MkDocs site of this repository into ``site_dir``.

    ``KAM_AS_OF`` is removed from the build's environment, so that the sample portfolio is
    reviewed as of the date in mkdocs.yml whatever the caller's shell says.
    """
    env = {name: value for name, value in os.environ.items() if name != "KAM_AS_OF"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(site_dir)],
        cwd=REPO_ROOT,
        env=env,
        check=True,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not write every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 and a free port; yield the base URL.

    The base URL has no trailing slash, e.g. ``http://127.0.0.1:41234``. The server runs in
    a daemon thread and is shut down when the block exits.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def start_chromium(user_data_dir: Path) -> webdriver.Chrome:
    """Start headless Chromium with browser and performance logging.

    ``user_data_dir`` must be a fresh, empty temporary folder: the profile goes there, so
    nothing is shared with another run. The caller quits the driver.
    """
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    return driver


@dataclass(frozen=True)
class Site:
    """The served site and the browser reading it."""

    base_url: str
    driver: webdriver.Chrome


@contextmanager
def browsing(root: Path, user_data_dir: Path) -> Iterator[Site]:
    """Serve the built site ``root`` and read it with a fresh headless Chromium, whose logs
    start empty; the browser quits and the server stops when the block exits."""
    with serve_directory(root) as base_url:
        driver = start_chromium(user_data_dir)
        try:
            # Forget what the browser's own start page loaded (chrome:// resources).
            driver.get("about:blank")
            severe_console_entries(driver)
            requested_urls(driver)
            yield Site(base_url, driver)
        finally:
            driver.quit()


@contextmanager
def built_and_browsing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The repository's site built into a temporary folder, served and read with a fresh
    headless Chromium (skipped, or failed in CI, without the browser)."""
    require_browser()
    site_dir = tmp_path_factory.mktemp("site")
    build_site(site_dir)
    with browsing(site_dir, tmp_path_factory.mktemp("chromium-profile")) as site:
        yield site


def assert_clean(site: Site) -> None:
    """No console error and no request off the local server since the last check."""
    severe = severe_console_entries(site.driver)
    assert not severe, f"console errors on {site.driver.current_url}: {severe}"
    foreign = foreign_urls(requested_urls(site.driver), site.base_url)
    assert not foreign, f"requests to other hosts from {site.driver.current_url}: {foreign}"


def _read_log(driver: webdriver.Chrome, log_type: str) -> list[dict[str, Any]]:
    """The entries of one of Chromium's logs since the last read (Selenium leaves it untyped)."""
    get_log = cast(Callable[[str], list[dict[str, Any]]], driver.get_log)
    return get_log(log_type)


def severe_console_entries(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The SEVERE entries of the browser console since the last call (reading drains it)."""
    return [entry for entry in _read_log(driver, "browser") if entry.get("level") == "SEVERE"]


def csp_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The console entries, of any level, since the last read that report something the
    page's Content-Security-Policy refused (reading drains the console log)."""
    return [entry for entry in _read_log(driver, "browser")
            if "Content Security Policy" in str(entry.get("message"))]


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL requested since the last call, from the performance log (reading drains it).

    Each ``Network.requestWillBeSent`` message is one request, redirects included.
    """
    urls: list[str] = []
    for entry in _read_log(driver, "performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(str(message["params"]["request"]["url"]))
    return urls


def foreign_urls(urls: list[str], base_url: str) -> list[str]:
    """The URLs that go to a host other than the one of ``base_url``.

    ``data:`` and ``about:`` URLs stay in the browser and are never foreign; a ``blob:``
    URL counts by the origin it names.
    """
    allowed = urlsplit(base_url).netloc
    foreign: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if parts.scheme == "blob":
            parts = urlsplit(url.removeprefix("blob:"))
        if parts.scheme not in ("http", "https") or parts.netloc != allowed:
            foreign.append(url)
    return foreign


def save_full_page_screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save the whole page (up to 6000 px high) to ``<SCREENSHOT_DIR>/<name>.png``.

    The window is made as tall as the document for the screenshot and then set back.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    size = driver.get_window_size()
    height = int(driver.execute_script("return document.body.scrollHeight"))
    driver.set_window_size(size["width"], max(1, min(height, MAX_SCREENSHOT_HEIGHT)))
    try:
        if not driver.save_screenshot(str(path)):
            raise RuntimeError(f"could not save the screenshot {path}")
    finally:
        driver.set_window_size(size["width"], size["height"])
    return path


# Paper sizes in inches, as Chromium's Page.printToPDF takes them.
PAPER = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}
AXE_SCRIPT = REPO_ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
REQUIRE_AXE_VARIABLE = "KAM_REQUIRE_AXE"


def save_screenshot_at(driver: webdriver.Chrome, name: str, width: int) -> Path:
    """The whole page at a window `width` (a laptop 1280, a phone 390), saved as
    ``<SCREENSHOT_DIR>/<name>-<width>.png``; the window gets its size back after."""
    size = driver.get_window_size()
    driver.set_window_size(width, size["height"])
    try:
        return save_full_page_screenshot(driver, f"{name}-{width}")
    finally:
        driver.set_window_size(size["width"], size["height"])


def print_pdf(driver: webdriver.Chrome, paper: str) -> bytes:
    """The page as Chromium prints it to PDF on `paper` (A4 or Letter), backgrounds on."""
    width, height = PAPER[paper]
    printed = driver.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": width, "paperHeight": height, "printBackground": True})
    return base64.b64decode(printed["data"])


def require_pypdf() -> Any:
    """The pypdf module, to read printed pages; a test dependency (pyproject's `test`
    extra): skipped without it, failed where the browser tests are required."""
    try:
        import pypdf
    except ImportError:
        if browser_required():
            pytest.fail("pypdf is not installed (pip install -e '.[test]')", pytrace=False)
        pytest.skip("pypdf is not installed: pip install -e '.[test]' to read printed pages")
    return pypdf


def axe_required() -> bool:
    """Whether missing axe-core is an error: in CI (``CI=true``, as CI services set it, or
    ``KAM_REQUIRE_AXE=1``), not on a developer's machine."""
    return (os.environ.get("CI", "").strip().lower() == "true"
            or os.environ.get(REQUIRE_AXE_VARIABLE, "").strip() == "1")


def require_axe() -> str:
    """The source of axe-core, installed by `make test` (npm, into build/npm); skip the
    calling test without it, or fail it in CI."""
    if AXE_SCRIPT.is_file():
        return AXE_SCRIPT.read_text(encoding="utf-8")
    reason = (f"axe-core is not installed: {AXE_SCRIPT} not found (make axe, or: npm install "
              "--prefix build/npm axe-core@4)")
    if axe_required():
        pytest.fail(f"{reason}; CI requires the accessibility check", pytrace=False)
    pytest.skip(reason)


def axe_violations(driver: webdriver.Chrome, axe_source: str) -> list[dict[str, Any]]:
    """What axe-core finds on the page as it is now: each violation's rule, impact, help and
    the elements concerned."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(axe_source)
    found = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) {"
        "  done(r.violations.map(function (v) { return {id: v.id, impact: v.impact,"
        "    help: v.help, targets: v.nodes.map(function (n) { return n.target.join(' '); })"
        "  }; })); }, function (e) { done([{id: 'axe-error', impact: 'critical',"
        "  help: String(e), targets: []}]); });")
    return cast(list[dict[str, Any]], found)


def search_results(driver: webdriver.Chrome, query: str,
                   timeout: float = 15) -> list[WebElement]:
    """Type `query` into the search box of the page open in `driver` (opening the search
    first where a narrow screen hides it); the links of the results."""
    toggles = driver.find_elements(By.CSS_SELECTOR, 'label.md-header__button[for="__search"]')
    if toggles and toggles[0].is_displayed():
        toggles[0].click()
    box = WebDriverWait(driver, timeout).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.click()
    box.send_keys(query)
    WebDriverWait(driver, timeout).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".md-search-result__item")))
    return driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")
