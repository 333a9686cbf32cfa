"""The search entries of the generated pages, made with the pages ahead of MkDocs (in the
workers of fast_pages.py, and kept in its page cache) instead of one after the other.

Material's search plugin parses the HTML of every page with Python's HTMLParser as the page
is built: a quarter of a site's build. A page's entries are made here instead, in the worker
that converted the page: by scanning its HTML (search_entries.py, the same entries at a
seventh of the work), else by the index (SearchIndex, a list of plain entries) itself. When
MkDocs comes to index the page, the entries made ahead are taken only if what the index
reads of the page (its URL, HTML, table of contents, front matter and title) is exactly what
the worker had; any other page is indexed by the plugin as before. Only an index with
Material's shape (an `entries` list) is helped; any other is left alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from kam_review.website import search_entries
from kam_review.website.search_entries import Entries as Entries


def search_index(config: MkDocsConfig) -> Any | None:
    """The search plugin's index, if it is Material's kind."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if callable(getattr(index, "add_entry_from_context", None)) and isinstance(
                getattr(index, "entries", None), list):
            search_entries.material()  # checked once, before the workers start
            return index
    return None


def described(index: Any) -> str:
    """The index's settings, for the page cache's key."""
    return json.dumps(getattr(index, "config", None), default=repr, sort_keys=True)


# What Material's search plugin takes out of every page's HTML after indexing it
# (material/plugins/search/plugin.py, on_page_context), for a page filled after it.
SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")
# The mark the site's pages leave out of the index with (pages/plain.UNSEARCHED), as
# Python-Markdown writes it: taken out as a whole first, since the expression above, tried at
# every position of a big page, costs a third of building it.
_UNSEARCHED_MARK = ' data-search-exclude="data-search-exclude"'


def without_search_attributes(html: str) -> str:
    """The page's HTML as Material's search plugin leaves it after indexing it."""
    found = html.count("data-search-")
    if not found:
        return html
    # Where every "data-search-" is of a whole mark (it holds two), the expression takes out
    # exactly the marks; anything else is left to it.
    if found == 2 * html.count(_UNSEARCHED_MARK):
        return html.replace(_UNSEARCHED_MARK, "")
    return SEARCH_ATTRIBUTES.sub("", html)


def toc_tokens(links: list[AnchorLink]) -> list[dict[str, Any]]:
    return [{"level": link.level, "id": link.id, "name": link.title,
             "children": toc_tokens(link.children)} for link in links]


def page_key(page: Page) -> str:
    """What the index reads of a page."""
    read = json.dumps([page.url, toc_tokens(list(page.toc)), page.meta, page.title],
                      default=repr, ensure_ascii=False)
    # The HTML hashed as it is, after the rest (whose JSON ends where it ends): writing a big
    # page's HTML as a JSON string first cost as much again as hashing it.
    digest = hashlib.sha256(read.encode("utf-8", "surrogatepass"))
    if page.content is not None:
        digest.update(b"\0" + page.content.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def entries_of(index: Any, page: Page) -> Entries:
    """The entries the index makes of a page (in a worker): made from the page's HTML by
    scanning it (search_entries.py), else by the index itself and taken back out of it."""
    scanned = search_entries.entries(index, page)
    if scanned is not None:
        return scanned
    before = len(index.entries)
    index.add_entry_from_context(page)
    made: Entries = index.entries[before:]
    del index.entries[before:]
    return made


def use_entries(index: Any, ahead: dict[str, Entries],
                waiting: Callable[[Page], str | None] = lambda page: None) -> None:
    """Let the index take a page's entries made ahead (by page_key) instead of parsing it.
    A page whose HTML is `waiting` (filled after the search plugin, FastPages.late) has it
    while the index reads it, and the placeholder again after."""
    original: Callable[[Page], None] = index.add_entry_from_context

    def add_entry_from_context(page: Page) -> None:
        html = waiting(page)
        placeholder = page.content
        if html is not None:
            page.content = html
        try:
            found = ahead.pop(page_key(page), None) if ahead else None
            if found is None:
                original(page)
            else:
                index.entries.extend(found)
        finally:
            if html is not None:
                page.content = placeholder

    index.add_entry_from_context = add_entry_from_context
