"""The site's fast path (website/fast_pages.py): the generated pages converted ahead of MkDocs,
in worker processes and from the page cache, make a site byte for byte the one MkDocs makes
alone (KAM_FAST=0): every page, the search index, the sitemap."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from material.plugins.search.plugin import SearchPlugin
from mkdocs.commands.build import build
from mkdocs.config import load_config

import kam_review.website.fast_pages as fast_pages
from kam_review.source.fast_yaml import FAST_VARIABLE

from .conftest import REPO
from .site_config import sample_site_config


def _build(site_dir: Path, monkeypatch: pytest.MonkeyPatch, fast: bool,
           config_file: Path = REPO / "mkdocs.yml") -> dict[str, bytes]:
    monkeypatch.setenv(FAST_VARIABLE, "1" if fast else "0")
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    build(load_config(config_file=str(config_file), site_dir=str(site_dir)))
    return {str(p.relative_to(site_dir)): p.read_bytes() for p in sorted(site_dir.rglob("*"))
            if p.is_file()}


def _count_conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted = [0]
    convert = fast_pages.convert

    def counting(src_uris: list[str]) -> list[fast_pages.Converted | None]:
        counted[0] += len(src_uris)
        return convert(src_uris)
    monkeypatch.setattr(fast_pages, "convert", counting)
    return counted


def test_the_site_is_the_same_with_and_without_the_fast_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(fast_pages, "PARALLEL_FROM", 1)  # in two worker processes
    monkeypatch.setattr(fast_pages, "CHUNK", 3)
    monkeypatch.setattr(fast_pages, "worker_count", lambda: 2)
    plain = _build(tmp_path / "plain", monkeypatch, fast=False)
    assert any(name.endswith("search_index.json") for name in plain)
    cold = _build(tmp_path / "cold", monkeypatch, fast=True)
    assert cold == plain
    # In this process now: the pages converted by the workers are not counted here.
    converted = _count_conversions(monkeypatch)
    handed: list[tuple[int, dict[str, Any]]] = []
    use_entries = fast_pages.use_entries

    def keeping(index: Any, ahead: dict[str, Any], *rest: Any) -> None:
        handed.append((len(ahead), ahead))
        use_entries(index, ahead, *rest)
    monkeypatch.setattr(fast_pages, "use_entries", keeping)
    assert _build(tmp_path / "warm", monkeypatch, fast=True) == plain
    assert converted == [0]  # every generated page came from the cache
    # ... with its search entries, every one taken by the index.
    ((count, left),) = handed
    assert count >= 20 and left == {}


def test_an_edited_account_converts_again(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """One account edited: its page (and the overview's, which lists it) is converted again;
    the site equals the plain build of the edited files."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    accounts = tmp_path / "accounts"
    shutil.copytree(REPO / "accounts", accounts)
    config_file = sample_site_config(tmp_path, accounts)
    _build(tmp_path / "first", monkeypatch, True, config_file)
    path = accounts / "jiahe-home.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: ", "name: Neo ", 1),
                    encoding="utf-8")
    converted = _count_conversions(monkeypatch)
    edited = _build(tmp_path / "edited", monkeypatch, True, config_file)
    assert 1 <= converted[0] < 8  # the account, the pages listing it; not every account
    assert edited == _build(tmp_path / "plain", monkeypatch, False, config_file)
    assert b"Neo " in edited["accounts/jiahe-home/index.html"]


def test_pages_get_their_html_as_they_are_built_and_let_go_of_it_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No page holds its HTML before MkDocs builds it, and none after it is written: the
    search index and the theme see the finished page, the site is the plain one."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    seen: dict[str, Any] = {}
    fill, written = fast_pages.FastPages.fill, fast_pages.FastPages.written

    def filling(self: fast_pages.FastPages, page: Any, late: bool = False) -> None:
        if page.file.src_uri in self._ready and late == self.late:  # converted ahead
            seen.setdefault("before", set()).add(page.content)
            seen.setdefault("filled", []).append(page.file.src_uri)
        fill(self, page, late)

    def writing(self: fast_pages.FastPages, page: Any) -> None:
        handed = page.file.src_uri in self._ready
        written(self, page)
        if handed:
            seen.setdefault("after", set()).add(page.content)
    monkeypatch.setattr(fast_pages.FastPages, "fill", filling)
    monkeypatch.setattr(fast_pages.FastPages, "written", writing)
    fast = _build(tmp_path / "fast", monkeypatch, fast=True)
    assert fast == _build(tmp_path / "plain", monkeypatch, fast=False)
    assert "accounts/jiahe-home.md" in seen["filled"] and "index.md" in seen["filled"]
    assert seen["before"] == {""} and seen["after"] == {None}


def test_another_plugin_reading_the_html_early_gets_it_when_pages_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook on page_content (another plugin) sees every page's HTML as MkDocs reads it,
    and the site is the plain one: pages are then not handed late."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    hook = tmp_path / "lengths.py"
    hook.write_text("SEEN = {}\n\ndef on_page_content(html, page, config, files):\n"
                    "    SEEN[page.file.src_uri] = len(html)\n    return html\n",
                    encoding="utf-8")
    config = sample_site_config(tmp_path, REPO / "accounts")
    text = config.read_text(encoding="utf-8") + f"hooks:\n- {hook}\n"
    config.write_text(text, encoding="utf-8")
    fast = _build(tmp_path / "fast", monkeypatch, True, config)
    seen = dict(sys.modules[str(hook)].SEEN)  # MkDocs loads a hook as a module by its path
    assert fast == _build(tmp_path / "plain", monkeypatch, False, config)
    assert seen["accounts/jiahe-home.md"] > 1000


def test_the_search_index_reads_each_page_before_it_gets_its_html(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Material's search takes its data-search attributes out of every page's HTML, a scan
    of the whole page; a page converted ahead is indexed with its HTML but gets it only
    after, with the attributes taken out as Material takes them."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    seen: dict[str, int] = {}
    on_page_context = SearchPlugin.on_page_context

    def recording(self: SearchPlugin, context: Any, **kwargs: Any) -> Any:
        page = kwargs["page"]
        seen[page.file.src_uri] = len(page.content or "")
        return on_page_context(self, context, **kwargs)
    monkeypatch.setattr(SearchPlugin, "on_page_context", recording)
    fast = _build(tmp_path / "fast", monkeypatch, fast=True)
    accounts = [uri for uri in seen if uri.startswith("accounts/")]
    assert len(accounts) >= 15 and all(seen[uri] == 0 for uri in accounts)
    assert seen["guide.md"] > 1000  # a page of the docs folder, converted by MkDocs
    plain = _build(tmp_path / "plain", monkeypatch, fast=False)
    assert fast == plain
    assert all(seen[uri] > 1000 for uri in accounts)  # the plain path fills every page first


def test_a_page_filled_late_loses_its_data_search_attributes_as_material_takes_them() -> None:
    html = ('<p data-search-exclude="x">a</p>\n<pre><code>data-search-boost="2" '
            'data-search-="" data-search-x="y"</code></pre>')
    material = SearchPlugin()
    assert material.load_config({}) == ([], [])  # its defaults: on
    material.search_index = SimpleNamespace(add_entry_from_context=lambda page: None)
    page: Any = SimpleNamespace(file=SimpleNamespace(src_uri="p.md"), content=html)
    material.on_page_context({}, page=page, config=None, nav=None)  # type: ignore[arg-type]
    expected = page.content
    assert expected != html
    fast = fast_pages.FastPages(None, 1)
    fast.deferred = fast.late = True
    try:
        fast._ready["p.md"] = fast._store.put(html)
        page.content = fast_pages.PLACEHOLDER
        fast.fill(page)  # first in page_context: not yet
        assert page.content == fast_pages.PLACEHOLDER and fast.waiting(page) == html
        fast.fill(page, late=True)
        assert page.content == expected
    finally:
        fast.close()
