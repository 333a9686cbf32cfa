"""MkDocs builds the review site from the repository's mkdocs.yml, the same bytes every time."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from kam_review.source.cache import AccountCache

from .conftest import ACCOUNTS, REPO


def _build(target: Path) -> dict[str, bytes]:
    return _build_reporting(target)[0]


def _build_reporting(target: Path) -> tuple[dict[str, bytes], str]:
    """The site's files, and what the build wrote to standard error."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d",
                           str(target)], cwd=REPO, check=True, capture_output=True, text=True)
    return ({str(p.relative_to(target)): p.read_bytes() for p in sorted(target.rglob("*"))
             if p.is_file()}, done.stderr)


def _kept_reviews() -> dict[Path, int]:
    """Where the site's reviews are kept (conftest gives the tests a cache folder), each with
    its time of change: the previous review made from a git revision, and (the fast path)
    each account's review with its part of the previous review made from the files."""
    paths = [AccountCache.for_accounts(ACCOUNTS, kind=kind).path
             for kind in ("reviews", "reviews-full")]
    return {path: path.stat().st_mtime_ns for path in paths if path.exists()}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first, said = _build_reporting(tmp_path / "a")
    # The search's Chinese segmenter is loaded once, quietly: a quiet build does not print
    # jieba's progress ("Building prefix dict from the default dictionary ...").
    assert "prefix dict" not in said.lower() and "loading model" not in said.lower()
    # The reviews are kept once evaluated: the second build reads them, writes nothing.
    kept = _kept_reviews()
    assert kept
    second = _build(tmp_path / "b")
    assert _kept_reviews() == kept
    assert first.keys() == second.keys()
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []
    for account in ACCOUNTS.glob("*.yaml"):
        assert f"accounts/{account.stem}/index.html" in first
    assert "rules/index.html" in first and "index.html" in first


def test_the_site_shows_what_moved_since_the_previous_review(tmp_path: Path) -> None:
    pages = _build(tmp_path / "site")
    overview = pages["index.html"].decode()
    since = overview.split('id="since-the-last-review"', 1)[1].split("<h2", 1)[0]
    # Which previous review depends on the clone (a review tag, git history, else the files
    # as of 2026-06-30); the page says which, and what moved.
    assert "ompared with " in since and "Class changes" in since
    page = pages["accounts/ruifeng-retail/index.html"].decode()
    assert 'id="since-the-last-review"' in page and 'class="kam-trend"' in page
    assert 'aria-label="Revenue, last 8 quarters: 2024-Q4 CN¥810K;' in page
    assert "Changes since the last review" in pages["changes/index.html"].decode()


def test_account_pages_stay_out_of_the_sidebar(tmp_path: Path) -> None:
    pages = _build(tmp_path / "site")
    overview = pages["index.html"].decode()
    sidebar = overview.split('class="md-sidebar md-sidebar--primary"', 1)[1].split(
        'class="md-content"', 1)[0]
    assert "accounts/" not in sidebar
    assert 'href="accounts/hanhai-retail/"' in overview


def _build_here(site_dir: Path, config_file: Path = REPO / "mkdocs.yml") -> None:
    """A build through MkDocs' Python API, in this process."""
    build(load_config(config_file=str(config_file), site_dir=str(site_dir)))


@pytest.mark.parametrize("before", [None, "86400"])
def test_a_build_leaves_source_date_epoch_as_it_was(before: str | None, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAM_AS_OF", "KAM_BASE", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    if before is not None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", before)
    _build_here(tmp_path / "site")
    assert os.environ.get("SOURCE_DATE_EPOCH") == before
    # The build itself was dated by the review date, whatever the variable said before: the
    # gzipped sitemap carries that date (MkDocs' build timestamp) in its header.
    header = (tmp_path / "site" / "sitemap.xml.gz").read_bytes()[:10]
    stamp = int.from_bytes(header[4:8], "little")
    assert datetime.fromtimestamp(stamp, UTC) == datetime(2026, 9, 30, tzinfo=UTC)


def test_a_failed_build_leaves_source_date_epoch_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAM_AS_OF", "KAM_BASE", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "mkdocs.yml"
    config.write_text((REPO / "mkdocs.yml").read_text(encoding="utf-8")
                      .replace("docs_dir: site/docs", f"docs_dir: {REPO / 'site' / 'docs'}")
                      .replace("custom_dir: site/overrides",
                               f"custom_dir: {REPO / 'site' / 'overrides'}")
                      .replace("rules: rules", "rules: no-such-rules"), encoding="utf-8")
    with pytest.raises(Abort):
        _build_here(tmp_path / "site", config)
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_every_page_carries_its_exact_content_security_policy(tmp_path: Path) -> None:
    pages = {name: text.decode() for name, text in _build(tmp_path / "site").items()
             if name.endswith(".html")}
    assert "404.html" in pages and "accounts/hanhai-retail/index.html" in pages
    for name, html in pages.items():
        head = html.split("</head>", 1)[0]
        (policy,) = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">',
                               head)
        assert head.index("Content-Security-Policy") < head.index("<script"), name
        assert '<meta name="robots" content="noindex, nofollow">' in head, name
        directives = dict(d.split(" ", 1) for d in policy.split("; "))
        inline = {"'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                  + "'" for attributes, body in re.findall(
                      r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
                  if "src=" not in attributes and "application/json" not in attributes}
        assert inline, name  # the theme has inline scripts on every page
        assert set(directives["script-src"].split()) == {"'self'"} | inline, name
        assert directives["default-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["img-src"] == "'self' data:"
        assert "http" not in policy and "*" not in policy and "unsafe-eval" not in policy
