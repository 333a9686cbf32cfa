"""`kam serve`: the site served on localhost with the reload script in its pages, and the wait
endpoint answering once an edit is rebuilt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kam_review.commands.serve import changed, stamps
from kam_review.website.live_server import with_reload

from .conftest import REPO
from .test_serve import _free_port, _wait_for


def _fetch(url: str, seconds: float = 5) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=seconds) as response:
            return (response.status, response.headers["Content-Type"],
                    response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8")


def test_the_reload_script_goes_before_the_last_body_end() -> None:
    tag = b'<script src="/.kam-serve/reload.js?build=3"></script>'
    assert with_reload(b"<body><p>a</p></body></html>", "3") == (
        b"<body><p>a</p>" + tag + b"</body></html>")
    assert with_reload(b"<p>no body</p>", "3") == b"<p>no body</p>" + tag


def test_stamps_tell_added_removed_and_edited_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("b", encoding="utf-8")
    before = stamps([tmp_path])
    (tmp_path / "a.yaml").write_text("a, longer", encoding="utf-8")
    (tmp_path / "b.yaml").unlink()
    (tmp_path / "c.yaml").write_text("c", encoding="utf-8")
    assert changed(before, stamps([tmp_path])) == {tmp_path / name
                                                   for name in ("a.yaml", "b.yaml", "c.yaml")}
    assert changed(before, before) == set()


@contextmanager
def kam_serve(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """`kam serve` of a copy of the sample, once its first build is served: its address,
    and (after the block) what it wrote to stderr."""
    for folder in ("accounts", "rules", "site"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    port = _free_port()
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "KAM_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("KAM_AS_OF", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "kam_review", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base, log = f"http://127.0.0.1:{port}", []
    try:
        _wait_for(f"{base}/accounts/hanhai-retail/", "Hanhai Retail Group", 120)
        yield base, log
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stderr is not None
        log.append(server.stderr.read().decode("utf-8"))


def rename_account(tmp_path: Path) -> None:
    account = tmp_path / "accounts" / "hanhai-retail.yaml"
    account.write_text(account.read_text(encoding="utf-8").replace(
        "name: Hanhai Retail Group", "name: Hanhai Retail Holdings"), encoding="utf-8")


def test_kam_serve_serves_the_site_and_reloads_after_an_edit(tmp_path: Path) -> None:
    with kam_serve(tmp_path) as (base, log):
        page = _fetch(f"{base}/accounts/hanhai-retail/")[2]
        assert '<script src="/.kam-serve/reload.js?build=1"></script></body>' in page
        # The built page's own policy, which lets scripts of the site's origin run: as built.
        assert "script-src 'self' 'sha256-" in page
        assert "script-src 'self' 'unsafe-inline'" not in page
        status, kind, script = _fetch(f"{base}/.kam-serve/reload.js")
        assert status == 200 and kind.startswith("text/javascript")
        assert "/.kam-serve/wait?since=" in script and "location.reload()" in script
        assert _fetch(f"{base}/.kam-serve/wait?since=0") == (200, "text/plain; charset=utf-8",
                                                               "1")
        status, _, missing = _fetch(f"{base}/no-such-page/")
        assert status == 404 and "reload.js?build=1" in missing
        status, kind, _ = _fetch(f"{base}/search/search_index.json")
        assert status == 200 and kind == "application/json"

        answered: list[str] = []
        waiting = threading.Thread(target=lambda: answered.append(
            _fetch(f"{base}/.kam-serve/wait?since=1", 60)[2]))
        waiting.start()
        time.sleep(0.5)
        rename_account(tmp_path)
        waiting.join(60)
        assert answered == ["2"]
        page = _fetch(f"{base}/accounts/hanhai-retail/")[2]
        assert "Hanhai Retail Holdings" in page and "reload.js?build=2" in page
    assert "kam serve: rebuilt in" in log[0] and "Traceback" not in log[0]


def test_an_edit_with_an_input_error_is_served_with_it_and_said_so(tmp_path: Path) -> None:
    """A file made invalid: the strict build refuses its warning once every page is written,
    so the site served is that build (the file's error on the overview, its page gone); the
    open page reloads and the log says what happened, not that the site is as it was."""
    with kam_serve(tmp_path) as (base, log):
        account = tmp_path / "accounts" / "jiahe-home.yaml"
        account.write_text(account.read_text(encoding="utf-8").replace(
            "    cost: 1093000", "    cots: 1093000"), encoding="utf-8")
        assert _fetch(f"{base}/.kam-serve/wait?since=1", 120)[2] == "2"
        overview = _fetch(f"{base}/")[2]
        assert "14 key accounts" in overview and "unknown field" in overview
        assert _fetch(f"{base}/accounts/jiahe-home/")[0] == 404
    assert "kam serve: rebuilt after " in log[0]
    assert "jiahe-home.yaml with warnings (above), which a strict build refuses (Aborted with " \
           "1 warnings in strict mode!); the site shows them" in log[0]
    assert "the site is as it was" not in log[0] and "Traceback" not in log[0]
