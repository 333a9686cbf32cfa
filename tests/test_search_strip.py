"""kam serve's search hook: Material's hook, checked by its code, with the stripping of
data-search-* attributes tried only on HTML that has one."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import material.plugins.search.plugin as material_search
from mkdocs.plugins import PluginCollection

from kam_review.website.search_entries import code_fingerprint
from kam_review.website.search_strip import CHECKED, EVENT, lighten


class _Index:
    def __init__(self) -> None:
        self.pages: list[str] = []

    def add_entry_from_context(self, page: Any) -> None:
        self.pages.append(page.content)


def _plugins() -> tuple[PluginCollection, Any]:
    plugin = material_search.SearchPlugin()
    plugin.config = SimpleNamespace(enabled=True)
    plugin.search_index = _Index()
    plugins = PluginCollection()
    plugins["material/search"] = plugin
    return plugins, plugin


def _run(plugins: PluginCollection, content: str) -> str:
    page = SimpleNamespace(content=content)
    plugins.run_event(EVENT, {}, page=page, config=None, nav=None)
    return str(page.content)


def test_the_installed_hook_is_the_one_checked() -> None:
    assert code_fingerprint([material_search.SearchPlugin.on_page_context]) == CHECKED


def test_the_lighter_hook_gives_what_materials_gives() -> None:
    pages = ['<p data-search-exclude="x">a</p>', "<p>plain</p>",
             '<h2 id="a" data-search-boost="2">T</h2>\n<p data-search-x="">y</p>',
             "data-search- as text", '<p\ndata-search-exclude="">z</p>']
    material, _ = _plugins()
    lighter, plugin = _plugins()
    lighten(lighter)
    assert lighter.events[EVENT][0] is not material.events[EVENT][0]
    assert lighter._event_origins[lighter.events[EVENT][0]] == "material/search"
    for content in pages:
        assert _run(lighter, content) == _run(material, content)
    assert plugin.search_index.pages == pages


def test_a_disabled_search_indexes_nothing() -> None:
    plugins, plugin = _plugins()
    plugin.config.enabled = False
    lighten(plugins)
    assert _run(plugins, '<p data-search-exclude="x">a</p>') == '<p data-search-exclude="x">a</p>'
    assert plugin.search_index.pages == []



class _Plain:
    def hook(self, page: Any) -> None:
        page.content = "x"


class _Commented:
    def hook(self, page: Any) -> None:
            # A comment, other indentation and a blank line change nothing.

            page.content = "x"


class _Changed:
    def hook(self, page: Any) -> None:
        page.content = "y"


def test_the_fingerprint_is_the_code_without_layout_or_comments() -> None:
    """One fingerprint for both checks of Material's code (this hook, the search index)."""
    plain = code_fingerprint([_Plain.hook])
    assert code_fingerprint([_Commented.hook]) == plain
    assert code_fingerprint([_Changed.hook]) != plain
    assert code_fingerprint([_Plain.hook], "[]") != plain
    assert code_fingerprint([_Plain.hook, _Changed.hook]) != plain
