"""The generated pages converted from Markdown ahead of MkDocs: on every core, and kept in a
cache by what decides them, so that MkDocs is handed finished HTML.

Python-Markdown is most of a site's build (the account pages' tables, raw HTML and charts).
Once the files and the navigation are known (on_nav), each generated page is converted by
MkDocs' own Page.render, with the site's Markdown extensions and configuration, in forked
worker processes; what render sets (the HTML, the table of contents, the title, the anchors
a page has and links to) comes back as plain data. MkDocs then renders an empty placeholder
(on_page_markdown) and gets the finished page back (on_page_content), byte for byte what it
would have made. A page is left to MkDocs when its Markdown is not the one converted (a
plugin changed it) or when converting it logged anything (a warning must be counted by the
build's own logger, under `strict`). KAM_FAST=0 turns it off.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import meta

from kam_review.frozen_heap import frozen_heap
from kam_review.review.fast_check import worker_count
from kam_review.source.cache import AccountCache, content_key
from kam_review.source.fast_yaml import fast_enabled
from kam_review.website.captured_logs import captured_logs
from kam_review.website.fast_search import (
    Entries,
    described,
    entries_of,
    page_key,
    search_index,
    toc_tokens,
    use_entries,
    without_search_attributes,
)
from kam_review.website.page_html import permalinks, render
from kam_review.website.page_store import PageStore, Stored

Converted = dict[str, Any]
# Converts a few pages, some in another process (page_helper.PageHelper.share).
Share = Callable[[Sequence[str]], list[Converted | None]]
# Pages sent to a worker at a time.
CHUNK = 8
# Pages read from the cache, and written to it, at a time.
PRELOAD = 256
# From this many pages to convert, they are converted in worker processes.
PARALLEL_FROM = 40
# What MkDocs renders in place of a page converted here: nothing, quickly.
PLACEHOLDER = ""

# The build the workers convert pages of, and its search index; set before they fork.
_BUILD: tuple[MkDocsConfig, Files, Any] | None = None


def converting(config: MkDocsConfig | None, files: Files | None = None,
               index: Any = None) -> None:
    """Set the build pages are converted against (None: no build)."""
    global _BUILD
    _BUILD = None if config is None or files is None else (config, files, index)


def convert(src_uris: Sequence[str]) -> list[Converted | None]:
    """Each page converted as MkDocs converts it (Page.render), with its search entries
    (fast_search.py), as plain data; None for a page whose conversion logged anything."""
    assert _BUILD is not None, "the build is set before the workers start"
    config, files, index = _BUILD
    permalink = permalinks(config)
    converted: list[Converted | None] = []
    for uri in src_uris:
        file = files.get_file_from_path(uri)
        page = None if file is None else file.page
        if page is None or file is None:
            converted.append(None)
            continue
        page.markdown, page.meta = meta.get_data(file.content_string)
        with captured_logs() as captured:
            if permalink is None or not render(page, config, files, permalink):
                page.render(config, files)
            search = None if index is None else [page_key(page), entries_of(index, page)]
        links = page.links_to_anchors
        converted.append(None if captured.records else {
            "markdown": hashlib.sha256(page.markdown.encode("utf-8")).hexdigest(),
            "search": search, "content": page.content, "toc": toc_tokens(list(page.toc)),
            "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None if links is None else {
                target.src_uri: dict(anchors) for target, anchors in links.items()}})
    return converted


def build_key(config: MkDocsConfig, files: Files, index: Any) -> bytes:
    """What, beside a page's Markdown, decides its conversion: the Markdown extensions and
    their configuration, the validation levels, every file of the site and its URL (links
    are resolved against them), the search index's settings, the versions of MkDocs,
    Python-Markdown and its theme, and kam-review's code (content_key)."""
    listing = sorted((file.src_uri, file.url, file.dest_uri) for file in files)
    text = json.dumps([
        version("mkdocs"), version("markdown"), [_extension(e) for e in config.markdown_extensions],
        config.mdx_configs, repr(config.validation), config.use_directory_urls, listing,
        None if index is None else described(index), type(index).__module__,
        _version(config.theme.name),
    ], default=repr, sort_keys=True)
    return content_key(text.encode("utf-8", "surrogatepass"))


def _extension(extension: Any) -> Any:
    """An extension as the key names it: by name, or an instance by its class and settings
    (its repr would hold its address, which changes from run to run)."""
    if isinstance(extension, str):
        return extension
    kind = type(extension)
    configs = extension.getConfigs() if hasattr(extension, "getConfigs") else None
    return [f"{kind.__module__}.{kind.__qualname__}", repr(configs)]


def _version(package: str | None) -> str | None:
    """The installed version of a theme's package (mkdocs-material for `material`)."""
    for name in (f"mkdocs-{package}", str(package)):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return None


class FastPages:
    """The generated pages of one build, converted ahead (see the module's docstring). Their
    HTML waits in a PageStore, not in memory; with `deferred`, a page gets it only when
    MkDocs builds it (fill) and lets go of it once it is written (written)."""

    def __init__(self, cache: AccountCache | None, workers: int) -> None:
        self._cache, self._workers = cache, workers
        self._converted: dict[str, Converted] = {}
        self._waiting: dict[str, Converted] = {}
        self._ready: dict[str, Stored] = {}
        self._store = PageStore()
        self.deferred = False
        self.late = False
        self._read: tuple[str, str] | None = None  # the last page read from the store

    def prepare(self, config: MkDocsConfig, files: Files, generated: Sequence[str],
                share: Share | None = None) -> None:
        """Convert the generated pages (by source path), from the cache where it has them;
        a few pages with `share` (page_helper.py) instead of here alone."""
        index = search_index(config)
        context = build_key(config, files, index)
        keys: dict[str, bytes] = {}
        sizes: dict[str, int] = {}
        todo = []
        pages = [uri for uri in generated if _is_page(files, uri)]
        # One query for many pages, a batch at a time (not every page's text at once); a few
        # (`kam serve` after an edit) are looked up each.
        for start in range(0, len(pages), PRELOAD):
            batch = pages[start:start + PRELOAD]
            if self._cache is not None and len(pages) >= PARALLEL_FROM:
                self._cache.preload(batch)
            for uri in batch:
                file = files.get_file_from_path(uri)
                assert file is not None, "a page of the site (_is_page)"
                content = file.content_bytes
                sizes[uri] = len(content)
                keys[uri] = hashlib.sha256(context + uri.encode("utf-8", "surrogatepass")
                                           + b"\0" + content).digest()
                text = None if self._cache is None else self._cache.get_text(uri, keys[uri])
                found = None if text is None else _read(text)
                if found is None:
                    todo.append(uri)
                else:
                    self._keep(uri, found)
        converting(config, files, index)
        # The longest pages first (the portfolio's, the rule catalogue): started last, one
        # of them would keep a worker busy while the other has nothing left to do.
        todo.sort(key=lambda uri: -sizes[uri])
        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        try:
            if self._workers > 1 and len(todo) >= PARALLEL_FROM:
                with frozen_heap(), ProcessPoolExecutor(
                        self._workers, mp_context=get_context("fork")) as pool:
                    self._take(chunks, keys, pool.map(convert, chunks))
            elif share is not None:
                self._take([todo], keys, [share(todo)])
            else:
                self._take(chunks, keys, map(convert, chunks))
        finally:
            converting(None)
        if index is not None:
            ahead: dict[str, Entries] = {}
            for page in self._converted.values():
                if page["search"] is not None:
                    ahead[page["search"][0]] = page["search"][1]
            use_entries(index, ahead, self.waiting)

    def _take(self, chunks: list[list[str]], keys: dict[str, bytes],
              converted: Iterable[list[Converted | None]]) -> None:
        """Keep the pages as they come back (into the cache a batch at a time: the text of
        every page is not held until the end)."""
        unwritten = 0
        for uris, chunk in zip(chunks, converted, strict=True):
            for uri, page in zip(uris, chunk, strict=True):
                if page is None:
                    continue
                if self._cache is not None:
                    self._cache.put(uri, keys[uri], json.dumps(page, ensure_ascii=False))
                    unwritten += 1
                self._keep(uri, page)
            if self._cache is not None and unwritten >= PRELOAD:
                self._cache.flush()
                unwritten = 0
        if self._cache is not None:
            self._cache.flush()

    def _keep(self, uri: str, page: Converted) -> None:
        page["content"] = self._store.put(page["content"])
        self._converted[uri] = page

    def markdown(self, markdown: str, page: Page) -> str:
        """The placeholder for a page converted here, if its Markdown is the one converted."""
        found = self._converted.pop(page.file.src_uri, None)
        if found is None or found["markdown"] != hashlib.sha256(
                markdown.encode("utf-8")).hexdigest():
            return markdown
        self._waiting[page.file.src_uri] = found
        return PLACEHOLDER

    def content(self, html: str, page: Page, files: Files) -> str:
        """The page's finished HTML (deferred: the placeholder until fill), and what render
        would have set beside it."""
        found = self._waiting.pop(page.file.src_uri, None)
        if found is None:
            return html
        page.toc = get_toc(found["toc"])
        page._title_from_render = found["title"]
        page.present_anchor_ids = set(found["anchors"])
        links = found["links"]
        page.links_to_anchors = None if links is None else {
            target: anchors for uri, anchors in links.items()
            for target in [files.get_file_from_path(uri)] if target is not None}
        if self.deferred:
            self._ready[page.file.src_uri] = found["content"]
            return PLACEHOLDER
        return self._store.get(found["content"])

    def fill(self, page: Page, late: bool = False) -> None:
        """A deferred page's HTML, as MkDocs starts building it; where the page is filled
        `late` (after the search plugin's page_context), only then, and with that plugin's
        change to it: Material's search takes the data-search attributes out of every page
        by a regular expression, which tried at every position of a big page cost a third
        of building it."""
        if late != self.late:
            return
        html = self._html(page)
        if html is not None:
            page.content = without_search_attributes(html) if late else html

    def waiting(self, page: Page) -> str | None:
        """The HTML of a page filled late, which the search index reads before it is."""
        return self._html(page) if self.late else None

    def _html(self, page: Page) -> str | None:
        uri = page.file.src_uri
        stored = self._ready.get(uri)
        if stored is None:
            return None
        if self._read is None or self._read[0] != uri:
            self._read = (uri, self._store.get(stored))
        return self._read[1]

    def written(self, page: Page) -> None:
        """A deferred page written: its HTML is let go of (nothing reads it again)."""
        if self._ready.pop(page.file.src_uri, None) is not None:
            page.content = None
            self._read = None

    def close(self) -> None:
        """The build is over: the store's file is removed."""
        self._store.close()


def _is_page(files: Files, uri: str) -> bool:
    file = files.get_file_from_path(uri)
    return file is not None and file.is_documentation_page()


def _read(text: str) -> Converted | None:
    """A cached page, if it has the shape convert gives (the cache is sealed, but a page
    kept by an older version is a miss, not an error)."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    keys = {"markdown", "search", "content", "toc", "title", "anchors", "links"}
    if not isinstance(data, dict) or set(data) != keys or not isinstance(data["content"], str):
        return None
    return data


def page_cache(accounts: Path, inputs: Sequence[Path], serving: bool,
               cached: bool = True) -> FastPages | None:
    """The fast path of one build, with its cache of pages (unless not `cached`); None when
    KAM_FAST turns it off. `mkdocs serve` converts in its own process (it runs threads, which
    a fork would copy half-way)."""
    if not fast_enabled():
        return None
    if not cached:
        return FastPages(None, 1)
    cache = AccountCache.for_accounts(accounts, inputs=inputs, kind="pages", name="page cache")
    return FastPages(cache, 1 if serving else worker_count())
