"""`mkdocs serve` from the repository's mkdocs.yml: editing an account file updates its page."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .conftest import REPO


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def _wait_for(url: str, text: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    page = ""
    while time.monotonic() < deadline:
        try:
            page = _fetch(url)
            if text in page:
                return page
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear at {url} within {seconds} s")


def test_editing_an_account_while_serving_updates_its_page(tmp_path: Path) -> None:
    for folder in ("accounts", "rules", "site"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    port = _free_port()
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    env.pop("KAM_AS_OF", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/accounts/hanhai-retail/"
        page = _wait_for(url, "Hanhai Retail Group", 60)
        # The page's policy lets the live-reload script that `mkdocs serve` injects run.
        assert "script-src 'self' 'unsafe-inline';" in page
        account = tmp_path / "accounts" / "hanhai-retail.yaml"
        account.write_text(account.read_text(encoding="utf-8").replace(
            "name: Hanhai Retail Group", "name: Hanhai Retail Holdings"), encoding="utf-8")
        page = _wait_for(url, "Hanhai Retail Holdings", 60)
        assert "Hanhai Retail Group" not in page
    finally:
        server.terminate()
        server.wait(timeout=10)
