"""The theme of a share of the account pages rendered in a forked process (theme_share.py):
the site is byte for byte the one MkDocs renders alone, whatever the child does."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

import kam_review.website.plugin as plugin
import kam_review.website.theme_share as theme_share
from kam_review.source.fast_yaml import FAST_VARIABLE

from .conftest import REPO
from .site_config import sample_site_config

Site = dict[str, bytes]


def _build(site_dir: Path, config_file: Path = REPO / "mkdocs.yml") -> Site:
    build(load_config(config_file=str(config_file), site_dir=str(site_dir)))
    return {str(p.relative_to(site_dir)): p.read_bytes() for p in sorted(site_dir.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The sample site as MkDocs builds it alone (the fast paths off)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KAM_AS_OF", raising=False)
        patch.setenv(FAST_VARIABLE, "0")
        yield _build(tmp_path_factory.mktemp("plain"))


@pytest.fixture
def sharing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[theme_share.ThemeShare]:
    """Every build shares its account pages (the sample has fewer than a share needs); the
    shares the builds started."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    monkeypatch.setenv(FAST_VARIABLE, "1")
    monkeypatch.setattr(theme_share, "PARALLEL_FROM", 1)
    monkeypatch.setattr(plugin, "worker_count", lambda: 2)
    started: list[theme_share.ThemeShare] = []
    shared = theme_share.shared

    def keeping(*args: Any) -> theme_share.ThemeShare | None:
        share = shared(*args)
        if share is not None:
            started.append(share)
        return share
    monkeypatch.setattr(plugin, "shared", keeping)
    return started


def _shared_pages(site: Site) -> list[str]:
    """The second and third of every three account pages, in the site's order."""
    accounts = sorted(name for name in site
                      if name.startswith("accounts/") and name.endswith("/index.html"))
    assert len(accounts) >= 15
    return [f"{name.removesuffix('/index.html')}.md" for i, name in enumerate(accounts) if i % 3]


def _count_outputs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages whose output came from the child."""
    given: list[str] = []
    received = theme_share.ThemeShare._received

    def counting(self: theme_share.ThemeShare, page: Any) -> str | None:
        output = received(self, page)
        if output is not None:
            given.append(page.file.src_uri)
        return output
    monkeypatch.setattr(theme_share.ThemeShare, "_received", counting)
    return given


def test_two_in_three_account_pages_come_from_the_child_and_the_site_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: Site,
        sharing: list[theme_share.ThemeShare]) -> None:
    given = _count_outputs(monkeypatch)
    assert _build(tmp_path / "shared") == plain
    assert given == _shared_pages(plain)
    (share,) = sharing
    assert share._child is None and share._outputs is None  # waited for, at the end


def _child_renders(monkeypatch: pytest.MonkeyPatch, before: Callable[[int, Any], bool]) -> None:
    """The child asks `before` (the page's number in its share, from 1, and the page) first,
    and renders the page only if it says so; `before` may also end or stall the child."""
    render = theme_share._render
    number = [0]

    def rendering(config: Any, env: Any, nav: Any, doc_files: Any, page: Any) -> str | None:
        number[0] += 1
        return render(config, env, nav, doc_files, page) if before(number[0], page) else None
    monkeypatch.setattr(theme_share, "_render", rendering)


def _hooked(tmp_path: Path, name: str, source: str) -> tuple[Path, Path]:
    """The sample site with a hook of this source (mkdocs.yml, the hook's file)."""
    hook = tmp_path / name
    hook.write_text(source, encoding="utf-8")
    config_file = sample_site_config(tmp_path, REPO / "accounts")
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text + f"hooks:\n- {hook}\n", encoding="utf-8")
    return config_file, hook


def test_a_page_the_child_cannot_render_is_rendered_by_mkdocs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: Site,
        sharing: list[theme_share.ThemeShare]) -> None:
    shared = _shared_pages(plain)
    refused = {shared[1], shared[4]}
    _child_renders(monkeypatch, lambda number, page: page.file.src_uri not in refused)
    given = _count_outputs(monkeypatch)
    assert _build(tmp_path / "shared") == plain
    assert given == [page for page in shared if page not in refused]


def test_when_the_child_is_gone_the_pages_left_are_rendered_by_mkdocs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: Site,
        sharing: list[theme_share.ThemeShare]) -> None:
    def dying(number: int, page: Any) -> bool:
        if number > 2:
            os._exit(3)
        return True
    _child_renders(monkeypatch, dying)
    given = _count_outputs(monkeypatch)
    assert _build(tmp_path / "shared") == plain
    assert len(given) == 2


def test_a_page_whose_render_logs_anything_is_left_to_mkdocs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """MkDocs logs it again in its own build, where `strict` counts a warning."""
    class Page:
        active = False
        meta: ClassVar[dict[str, str]] = {}

    class Template:
        def render(self, context: Any) -> str:
            logging.getLogger("mkdocs").warning("a template's warning")
            return "<html>"

    class Env:
        def get_template(self, name: str) -> Template:
            return Template()

    class Plugins:
        def on_page_context(self, context: Any, **kwargs: Any) -> Any:
            return context

    class Config:
        _current_page = None
        plugins = Plugins()

    monkeypatch.setattr(theme_share, "get_context", lambda *args: {})
    render: Any = theme_share._render
    assert render(Config(), Env(), None, [], Page()) is None
    monkeypatch.setattr(Template, "render", lambda self, context: "<html>")
    assert render(Config(), Env(), None, [], Page()) == "<html>"


def test_another_plugin_on_page_context_leaves_every_page_to_mkdocs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: Site,
        sharing: list[theme_share.ThemeShare]) -> None:
    """A hook seeing each page's context could count pages, or keep state the child's copy
    would not see: no share then. It sees each page's HTML, too (no page filled late)."""
    config_file, hook = _hooked(
        tmp_path, "pages_seen.py", "SEEN = {}\n\ndef on_page_context(context, page, config, "
        "nav):\n    SEEN[page.file.src_uri] = len(page.content)\n    return context\n")
    assert _build(tmp_path / "hooked", config_file=config_file)
    assert sharing == []
    seen = sys.modules[str(hook)].SEEN  # MkDocs loads a hook as a module by its path
    assert seen["accounts/jiahe-home.md"] > 1000


def test_a_child_that_hangs_is_ended_and_the_pages_left_are_rendered_by_mkdocs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: Site,
        sharing: list[theme_share.ThemeShare]) -> None:
    def hanging(number: int, page: Any) -> bool:
        if number == 4:  # once: without the parent's patience, the build waits 600 s
            time.sleep(600)
        return True
    _child_renders(monkeypatch, hanging)
    monkeypatch.setattr(theme_share, "SILENCE_SECONDS", 1.0)
    given = _count_outputs(monkeypatch)
    started = time.monotonic()
    assert _build(tmp_path / "shared") == plain
    assert len(given) == 3 and time.monotonic() - started < 300
    (share,) = sharing
    assert share._child is None  # killed and waited for


def test_where_no_process_can_be_forked_mkdocs_renders_every_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: Site,
        sharing: list[theme_share.ThemeShare]) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(theme_share, "os", SimpleNamespace(**{**vars(os), "fork": refused}))
    given = _count_outputs(monkeypatch)
    assert _build(tmp_path / "unforked") == plain
    assert sharing == [] and given == []


@pytest.mark.parametrize("event", ["on_post_page(output, page, config)",
                                   "on_post_template(output_content, template_name, config)"])
def test_another_plugin_between_the_pages_leaves_every_page_to_mkdocs(
        tmp_path: Path, sharing: list[theme_share.ThemeShare], event: str) -> None:
    """A hook run between the pages (after each, or on the theme's own templates) could
    keep state a later page's template reads, which the child's copy would not have."""
    returned = event.split("(")[1].split(",")[0]
    config_file, _ = _hooked(tmp_path, "between.py", f"def {event}:\n    return {returned}\n")
    assert _build(tmp_path / "hooked", config_file=config_file)
    assert sharing == []
