"""The site of `kam serve`: built once by MkDocs, then kept (configuration, files, navigation,
theme environment, pages, search entries) and brought up to date after each edit.

After account files are edited, only those accounts are reviewed again (review/incremental.py),
the portfolio's pages and the edited accounts' pages are generated again, and only the pages
whose Markdown changed go through MkDocs' own page building again; the search index, the
sitemap and the 404 page, which depend on every page, are written again from what is kept.
The folder then holds what a clean `mkdocs build` of the edited files writes, byte for byte.
Anything else (another file changed, an account added, removed or renamed, an error in a
file, a change to a page the navigation shows, the footer every page carries) is a full build:
MkDocs with a new configuration and new plugins, as `mkdocs build` does.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.commands.build import (
    _build_extra_template,
    _build_page,
    _build_theme_template,
    _populate_page,
)
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler
from mkdocs.utils.templates import TemplateContext

from kam_review.output.kept_parts import keep_parts, next_rebuild
from kam_review.output.report import rules_source
from kam_review.review.incremental import IncrementalReview
from kam_review.review.results import AccountResult, Result
from kam_review.source.fast_yaml import fast_enabled
from kam_review.source.rates import load_rates
from kam_review.website.fast_search import Entries, search_index
from kam_review.website.pages import account_pages, portfolio_pages
from kam_review.website.plugin import EPOCH_VARIABLE, KamReviewPlugin
from kam_review.website.provenance import footer_html, provenance
from kam_review.website.search_pieces import SearchPieces
from kam_review.website.search_strip import lighten
from kam_review.website.search_words import keep_whole, review_names
from kam_review.website.warm_pages import warm

log = logging.getLogger("mkdocs.plugins.kam_review")
KEEPER = "kam-serve"


class _Keeper(BasePlugin):  # type: ignore[type-arg]
    """Keeps what a build made, for the next rebuild: the files, the navigation, the theme
    environment as every plugin left them, the review date the build is dated by, and each
    page's search entries (what the search index gained while the page was built)."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.files: Files | None = None
        self.nav: Navigation | None = None
        self.env: Environment | None = None
        self.epoch: str | None = None
        self.entries: dict[str, Entries] = {}
        self.index: Any = None
        self.pieces = SearchPieces()
        self._seen = 0

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.epoch = os.environ.get(EPOCH_VARIABLE)  # set by the review's on_config
        self.index = search_index(config)
        self.entries, self._seen = {}, 0

    @event_priority(-100)
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        self.files = files
        return files

    @event_priority(-100)
    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    @event_priority(-100)
    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        self.env = env
        return env

    @event_priority(-100)
    def on_page_context(self, context: TemplateContext, /, *, page: Page,
                        config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        if self.index is not None:
            self.entries[page.file.src_uri] = self.index.entries[self._seen:]
            self._seen = len(self.index.entries)
        return context

    def listed(self, files: Iterable[File]) -> list[tuple[str, Entries]]:
        """The search entries of these pages, in their order."""
        return [(file.src_uri, self.entries.get(file.src_uri) or []) for file in files]

    def keep_pieces(self, files: Files) -> None:
        """Write each page's search entries as JSON now, for the rebuilds ahead."""
        for uri, entries in self.listed(files.documentation_pages(
                inclusion=InclusionLevel.is_included)):
            self.pieces.piece(uri, entries)

    def restart_entries(self) -> None:
        """Entries are recorded again from an empty index (a rebuild of some pages)."""
        if self.index is not None:
            self.index.entries.clear()
            # fast_search.use_entries wraps the index's method once per conversion ahead.
            vars(self.index).pop("add_entry_from_context", None)
        self._seen = 0


class LiveSite:
    """One MkDocs site, built into `site_dir` and kept up to date (see the module).
    `options` override the kam-review plugin's options (accounts, rules, thresholds, as_of:
    paths relative to the working directory), `language` the theme's language."""

    def __init__(self, config_file: Path, site_dir: Path,
                 options: Mapping[str, Any] | None = None, language: str | None = None) -> None:
        self.config_file, self.site_dir = config_file, site_dir
        self._options, self._language = dict(options or {}), language
        self.full_builds = 0
        self.incremental_builds = 0
        self._config: MkDocsConfig | None = None
        self._keeper = _Keeper()
        self._review = IncrementalReview()

    @property
    def config(self) -> MkDocsConfig:
        assert self._config is not None, "the site is built first"
        return self._config

    @property
    def built(self) -> bool:
        """Whether the last build succeeded (else the next one is full)."""
        return self._config is not None

    @property
    def plugin(self) -> KamReviewPlugin:
        return _review_plugin(self.config)

    def build(self) -> float:
        """A full build, as `mkdocs build` makes it; the seconds it took."""
        start = time.perf_counter()
        self._config = None
        config = load_config(config_file=str(self.config_file), site_dir=str(self.site_dir))
        plugin = _review_plugin(config)
        for name, value in self._options.items():
            setattr(plugin.config, name, value)
        if self._language:
            config.theme["language"] = self._language
        self._keeper, self._review = _Keeper(), IncrementalReview()
        plugin.reviewer = self._review.review
        config.plugins[KEEPER] = self._keeper
        lighten(config.plugins)
        gc.unfreeze()  # what an earlier build kept can be collected again
        keep_parts(fast_enabled())
        mkdocs_build(config)
        if self._keeper.files is not None:
            warm(config, self._keeper.files, plugin._generated)
            self._keeper.keep_pieces(self._keeper.files)
        # What the build keeps is most of the process and stays until the next full build:
        # set aside, the collector's full passes during a rebuild only go through what the
        # rebuild makes (a few tenths of a second at 1,000 accounts otherwise).
        gc.collect()
        gc.freeze()
        self._config = config
        self.full_builds += 1
        return time.perf_counter() - start

    def rebuild(self, changed: Collection[Path]) -> float:
        """The site after `changed` files were edited: only what they change when they are
        account files that can be reviewed on their own, else a full build; the seconds it
        took. A build that fails raises, as `mkdocs build` does, and the next one is full."""
        start = time.perf_counter()
        try:
            done = self._config is not None and bool(changed) and self._update(changed)
        except BaseException:
            self._config = None
            raise
        if done:
            self.incremental_builds += 1
        else:
            self.build()
        return time.perf_counter() - start

    def watched(self) -> list[Path]:
        """What a change to rebuilds the site: the configuration, the site's pages and theme
        overrides, and the review's inputs."""
        config, plugin = self.config, self.plugin
        paths = [Path(config.config_file_path), Path(config.docs_dir), plugin.accounts,
                 plugin.rules, *([plugin.thresholds] if plugin.thresholds else []),
                 *([plugin.rates] if plugin.rates else [])]
        if config.theme.custom_dir:
            paths.append(Path(config.theme.custom_dir))
        return paths

    def _update(self, changed: Collection[Path]) -> bool:
        """Bring the kept build up to date with edited account files; False when it takes
        a full build instead (nothing is written then)."""
        folder = os.path.realpath(self.plugin.accounts)
        if any(os.path.dirname(os.path.realpath(path)) != folder for path in changed):
            return False
        updated = self._review.update(changed)
        if updated is None:
            return False
        result, movement = updated
        config, plugin, keeper = self.config, self.plugin, self._keeper
        files, nav, env = keeper.files, keeper.nav, keeper.env
        if files is None or nav is None or env is None or footer_html(provenance(
                result, rules_source(plugin.rules, plugin.thresholds))) != plugin._footer:
            return False
        edited = _edited(result, changed)
        if not edited:
            return True  # no account file among them: nothing the site shows changed
        next_rebuild()
        site = portfolio_pages(result, movement, load_rates(plugin.rates) if plugin.rates
                               else None)
        site.update(account_pages(result, movement, items=edited))
        moved: list[File] = []
        for path, text in site.items():
            file = files.get_file_from_path(path)
            if file is None:
                return False
            if file.content_string != text:
                moved.append(file)
        keep_whole(review_names(result))
        for file in moved:
            file.content_string = site[file.src_uri]
        return self._write(config, files, nav, env, moved, plugin)

    def _write(self, config: MkDocsConfig, files: Files, nav: Navigation, env: Environment,
               moved: list[File], plugin: KamReviewPlugin) -> bool:
        """What `mkdocs build` does, for the pages of `moved` and what depends on every page;
        False, before anything is written, when a page the navigation shows got another
        title or front matter (every page shows them)."""
        pages = [file.page for file in moved if file.page is not None]
        shown = {page.file.src_uri: _shown(page) for page in pages if page in nav.pages}
        self._keeper.restart_entries()
        # An edit's pages are seldom made again: the page cache is not worth its writes here.
        plugin.convert_ahead(config, files, [page.file.src_uri for page in pages], cached=False)
        counter = CountHandler()
        counter.setLevel(logging.WARNING)
        if config.strict:
            logging.getLogger("mkdocs").addHandler(counter)
        epoch = os.environ.get(EPOCH_VARIABLE)
        if self._keeper.epoch is not None:
            os.environ[EPOCH_VARIABLE] = self._keeper.epoch
        try:
            for page in pages:
                _populate_page(page, config, files)
            if any(_shown(page) != shown[page.file.src_uri] for page in pages
                   if page.file.src_uri in shown):
                return False
            for file in moved:
                if file.page is None:
                    file.copy_file()
            doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
            for page in pages:
                _build_page(page, config, doc_files, nav, env)
            for template in config.theme.static_templates:
                _build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                _build_extra_template(template, files, config, nav)
            for file in doc_files:
                assert file.page is not None
                file.page.validate_anchor_links(files=files,
                                                log_level=config.validation.links.anchors)
            index, listed = self._keeper.index, self._keeper.listed(doc_files)
            if index is None:
                config.plugins.on_post_build(config=config)
            else:
                index.entries[:] = [entry for _, entries in listed for entry in entries]
                with self._keeper.pieces.joined(index, listed):
                    config.plugins.on_post_build(config=config)
            if counts := counter.get_counts():
                problems = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
                raise Abort(f"Aborted with {problems} in strict mode!")
        finally:
            logging.getLogger("mkdocs").removeHandler(counter)
            if epoch is None:
                os.environ.pop(EPOCH_VARIABLE, None)
            else:
                os.environ[EPOCH_VARIABLE] = epoch
        return True


def _review_plugin(config: MkDocsConfig) -> KamReviewPlugin:
    for plugin in config.plugins.values():
        if isinstance(plugin, KamReviewPlugin):
            return plugin
    raise Abort(f"{config.config_file_path} does not use the kam-review plugin")


def _shown(page: Page) -> str:
    """What the navigation shows of a page on every other page."""
    return repr((page.title, page.url, page.meta))


def _edited(result: Result, changed: Collection[Path]) -> list[AccountResult]:
    paths = {os.path.realpath(path) for path in changed}
    return [item for item in result.accounts
            if os.path.realpath(item.account.source) in paths]

