"""The site of `kam serve`: built once by MkDocs, then kept (configuration, files, navigation,
theme environment, pages, search entries) and brought up to date after each edit.

After account files are edited, only those accounts are reviewed again (review/incremental.py),
the portfolio's pages and the edited accounts' pages are generated again, and only the pages
whose Markdown changed go through MkDocs' own page building again (converted on both cores,
page_helper.py); the search index, the
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
from collections.abc import Collection, Mapping
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
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import CountHandler

from kam_review.output.kept_parts import keep_parts, next_rebuild
from kam_review.output.report import rules_source
from kam_review.review.fast_check import worker_count
from kam_review.review.incremental import IncrementalReview
from kam_review.review.results import AccountResult, Result
from kam_review.source.accounts import ready_to_read
from kam_review.source.fast_yaml import fast_enabled
from kam_review.source.rates import load_rates
from kam_review.website.kept_build import KEEPER, Keeper
from kam_review.website.page_helper import PageHelper
from kam_review.website.pages import account_pages, portfolio_pages
from kam_review.website.plugin import EPOCH_VARIABLE, KamReviewPlugin
from kam_review.website.provenance import footer_html, provenance
from kam_review.website.search_strip import lighten
from kam_review.website.search_words import keep_whole, review_names
from kam_review.website.warm_pages import warm

log = logging.getLogger("mkdocs.plugins.kam_review")
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
        self._keeper = Keeper()
        self._review = IncrementalReview()
        self._helper: PageHelper | None = None

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
        self.close()  # the helper converts against the build it was forked from
        config = load_config(config_file=str(self.config_file), site_dir=str(self.site_dir))
        plugin = _review_plugin(config)
        for name, value in self._options.items():
            setattr(plugin.config, name, value)
        if self._language:
            config.theme["language"] = self._language
        self._keeper, self._review = Keeper(), IncrementalReview()
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
        ready_to_read()
        if self._keeper.files is not None and fast_enabled() and worker_count() > 1:
            self._helper = PageHelper(config, self._keeper.files, self._keeper.index)
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

    @property
    def helped(self) -> int:
        """Pages the helper process converted since the last full build."""
        return 0 if self._helper is None else self._helper.converted

    def close(self) -> None:
        """End the page helper process, if there is one (a new build forks its own)."""
        if self._helper is not None:
            self._helper.close()
            self._helper = None

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
        keep_whole(names := review_names(result))
        if self._helper is not None:
            self._helper.begin(names)
        site = portfolio_pages(result, movement, load_rates(plugin.rates) if plugin.rates
                               else None, None if self._helper is None else self._helper.offer)
        site.update(account_pages(result, movement, items=edited))
        moved: list[File] = []
        for path, text in site.items():
            file = files.get_file_from_path(path)
            if file is None:
                return False
            if file.content_string != text:
                moved.append(file)
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
        plugin.convert_ahead(config, files, [page.file.src_uri for page in pages], cached=False,
                             share=None if self._helper is None else self._helper.share)
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

