"""The MkDocs plugin: a thin adapter that adds the review's generated pages to the build.

It evaluates the portfolio when MkDocs collects its files, adds every file of
`site_files.site_files` (what `kam build` writes) as a generated file, and asks `mkdocs
serve` to watch the account and rule folders, so that editing an account file rebuilds its
page. Every HTML page gets its Content-Security-Policy (see csp.py) as it is written, and
so does every HTML file of the site's own folders (copied_files.py). The build logs the
matching HTTP header. Every table scrolls inside itself (table_regions.py), and every page
ends with the review it belongs to (provenance.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from kam_review.errors import KamError
from kam_review.frozen_heap import Freeze
from kam_review.i18n import ENGLISH, LANGUAGES
from kam_review.output.output_folder import check_output_folder, looks_like_mkdocs_site, mark
from kam_review.output.report import rules_source
from kam_review.progress import on_terminal
from kam_review.resources import default_rules_folder
from kam_review.review.fast_check import worker_count
from kam_review.review.movement import Movement
from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.site_review import reviewer as site_reviewer
from kam_review.source.fast_yaml import fast_enabled
from kam_review.source.rates import load_rates
from kam_review.source.review_date import parse_review_date
from kam_review.vocabulary import REVIEW_TAGS
from kam_review.website.copied_files import guard_copied_files
from kam_review.website.csp import header, protect
from kam_review.website.fast_pages import FastPages, Share, page_cache
from kam_review.website.fast_search import search_index
from kam_review.website.page_handing import deferrable, fillable_late, hand_pages
from kam_review.website.provenance import footer_html, provenance
from kam_review.website.search_words import keep_whole, load_segmenter, review_names
from kam_review.website.site_files import DEFAULTS, SCRIPTS, STYLESHEETS, site_files
from kam_review.website.site_formats import figure_formats, site_language
from kam_review.website.table_regions import TableRegions
from kam_review.website.theme_share import ThemeShare, shared

log = logging.getLogger("mkdocs.plugins.kam_review")

AS_OF_VARIABLE = "KAM_AS_OF"
# MkDocs dates the sitemap and the build from it (mkdocs.utils.get_build_datetime).
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"
BASE_VARIABLE = "KAM_BASE"
# Markdown extensions the generated pages rely on: tables, heading ids, raw HTML blocks.
REQUIRED_EXTENSIONS = ("tables", "attr_list", "toc", "md_in_html")


class KamReviewConfig(base.Config):  # type: ignore[no-untyped-call]
    accounts = c.Type(str, default="accounts")
    rules = c.Optional(c.Type(str))
    thresholds = c.Optional(c.Type(str))
    as_of = c.Optional(c.Type(str))
    # The previous review: a git revision (e.g. last quarter's review tag) named here wins;
    # without it, the newest tag matching previous_review_tags, else git history a quarter
    # back, else the files as of the previous quarter's end (review/previous.py).
    base = c.Optional(c.Type(str))
    previous_review_tags = c.Type(str, default=REVIEW_TAGS)
    # Contact names become "Contact 3 (director)" everywhere (privacy laws: PIPL, GDPR).
    redact_contacts = c.Type(bool, default=False)
    # How figures are written (default: the theme's language, else en), the currency of
    # accounts whose file names none, and exchange rates that convert portfolio totals.
    locale = c.Optional(c.Type(str))
    currency = c.Optional(c.Type(str))
    rates = c.Optional(c.Type(str))


class KamReviewPlugin(BasePlugin[KamReviewConfig]):  # type: ignore[no-untyped-call]
    # SOURCE_DATE_EPOCH as it was before this build set it (None inside: it was not set);
    # None while no build runs.
    _epoch_before: tuple[str | None] | None = None
    _serving = False
    # The inline scripts the pages of this build allow, for the header it logs (on_config).
    _script_hashes: set[str]
    # The provenance block every page of this build ends with (on_files).
    _footer = ""
    # The generated pages, converted ahead of MkDocs (on_env; None: KAM_FAST=0).
    _fast: FastPages | None = None
    _generated: list[str]
    # The heap set aside from the collector during the page phase (on_nav to the end).
    _page_phase = Freeze()
    # The navigation of the build (on_nav), and the share of its pages' theme rendered in a
    # child process (on_env to the end; theme_share.py).
    _nav: Navigation | None = None
    _share: ThemeShare | None = None
    # What reviews the portfolio: review_since (or site_review.py's fast one), or `kam
    # serve`'s review kept between edits (review/incremental.py), called the same way.
    reviewer: Callable[..., tuple[Result, Movement]] | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"],
                   dirty: bool) -> None:
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.accounts = root / self.config.accounts
        self.rules = (root / self.config.rules if self.config.rules else
                      default_rules_folder(root))
        self.thresholds = root / self.config.thresholds if self.config.thresholds else None
        self.rates = root / self.config.rates if self.config.rates else None
        words = site_language(config.theme.get("language"))
        self.formats = figure_formats(self.config.locale or (
            LANGUAGES[words] if words != ENGLISH else config.theme.get("language")),
            self.config.currency)
        self._check_site_dir(config)
        self._script_hashes = set()
        self._page_phase = Freeze()
        if fast_enabled():
            hand_pages(config, lambda: self._fast)
        self.as_of = self._review_date()
        self._date_the_build(self.as_of)
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        if not any(isinstance(e, TableRegions) for e in config.markdown_extensions):
            config.markdown_extensions.append(TableRegions())  # type: ignore[arg-type]
        for stylesheet in STYLESHEETS:
            if stylesheet not in config.extra_css:
                config.extra_css.append(stylesheet)
        for script in SCRIPTS:
            if script not in config.extra_javascript:
                config.extra_javascript.append(script)
        return config

    def _check_site_dir(self, config: MkDocsConfig) -> None:
        """MkDocs empties site_dir right after this event (commands/build.py): refuse one that
        is not the site's to empty. Accepted: a new or empty folder, one this plugin marked,
        and MkDocs' own earlier output (see looks_like_mkdocs_site), which gets marked. The
        marker is a hidden file, and MkDocs keeps hidden files when it empties the folder."""
        sources = [self.accounts, self.rules, Path(config.docs_dir),
                   *([self.thresholds] if self.thresholds else []),
                   *([self.rates] if self.rates else []),
                   *([Path(config.config_file_path)] if config.config_file_path else []),
                   *([Path(config.theme.custom_dir)] if config.theme.custom_dir else [])]
        try:
            mark(check_output_folder(Path(config.site_dir), sources, looks_like_mkdocs_site))
        except KamError as error:
            raise PluginError(f"kam-review: {error.message}") from error

    def _date_the_build(self, as_of: date) -> None:
        """Pages carry the review date, never the build time: same inputs, same bytes. The
        variable holds it for this build only; on_post_build and on_build_error put back
        what the process had before."""
        if self._epoch_before is None:
            self._epoch_before = (os.environ.get(EPOCH_VARIABLE),)
        os.environ[EPOCH_VARIABLE] = str(int(datetime(
            as_of.year, as_of.month, as_of.day, tzinfo=UTC).timestamp()))

    def _restore_epoch(self) -> None:
        if self._epoch_before is None:
            return
        (before,), self._epoch_before = self._epoch_before, None
        if before is None:
            os.environ.pop(EPOCH_VARIABLE, None)
        else:
            os.environ[EPOCH_VARIABLE] = before

    def _end_share(self) -> None:
        if self._share is not None:
            self._share.close()
            self._share = None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._end_share()
        self._restore_epoch()
        self._page_phase.thaw()
        if not self._serving:
            log.info("kam-review: the HTTP header the site's host should send: "
                     "Content-Security-Policy: %s", header(sorted(self._script_hashes)))

    def on_build_error(self, *, error: Exception) -> None:
        self._end_share()
        self._restore_epoch()
        self._page_phase.thaw()
        if self._fast is not None:
            self._fast.close()

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        return protect(output, page.content or "", live_reload=self._serving,
                       seen=self._script_hashes)

    def on_post_template(self, output_content: str, /, *, template_name: str,
                         config: MkDocsConfig) -> str:
        # Theme pages such as 404.html; the sitemap is no HTML.
        if not template_name.endswith(".html"):
            return output_content
        return protect(output_content, live_reload=self._serving, seen=self._script_hashes)

    def _review_date(self) -> date:
        text = os.environ.get(AS_OF_VARIABLE) or self.config.as_of
        if not text:
            return date.today()
        try:
            return parse_review_date(text)
        except ValueError as problem:
            raise PluginError(f"kam-review: the review date: {problem}") from None

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        since = Since(os.environ.get(BASE_VARIABLE) or self.config.base or None,
                      self.config.previous_review_tags)
        try:
            # Forked workers review, but not under `mkdocs serve` (see site_files below).
            result, movement = (self.reviewer or site_reviewer(
                1 if self._serving else worker_count()))(
                self.accounts, self.rules, self.as_of, self.thresholds, since, on_terminal,
                self.config.redact_contacts, self.formats)
            rates = load_rates(self.rates) if self.rates else None
        except KamError as error:
            raise PluginError(f"kam-review: {error.message}") from error
        for problem in result.errors:
            log.warning("kam-review: %s", problem)
        log.info("kam-review: %s", movement.comparison.sentence())
        self._footer = footer_html(provenance(result, rules_source(self.rules,
                                                                   self.thresholds)))
        keep_whole(review_names(result))
        # Not under `mkdocs serve`: it runs threads, which a fork would copy half-way.
        workers = 1 if self._serving or not fast_enabled() else worker_count()
        # While the account pages are written elsewhere, this process loads what the search
        # segments Chinese with, once for every page converter it forks (fast_pages.py).
        site = site_files(result, movement, rates, workers, meanwhile=(
            load_segmenter if search_index(config) is not None else None))
        self._generated = [path for path in site if path not in DEFAULTS]
        for path, text in site.items():
            existing = files.get_file_from_path(path)
            # The guide and the assets: the site's own copy, where it has one.
            if existing is not None and path in DEFAULTS:
                continue
            if existing is not None:
                log.warning("kam-review: %s in the docs folder is replaced by the generated "
                            "page of the same name; rename it", path)
                files.remove(existing)
            files.append(File.generated(config, path, content=text))
        guard_copied_files(files, config)
        log.info("kam-review: %d accounts evaluated as of %s, %d pages generated",
                 len(result.accounts), self.as_of, len(self._generated))
        return files

    # After the search plugin has indexed the page: the footer is no search result.
    @event_priority(-50)
    def on_page_context(self, context: TemplateContext, /, *, page: Page,
                        config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        page.content = (page.content or "") + self._footer
        return context

    def on_env(self, env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
        # MkDocs renders themes with autoescape off, where Jinja's `striptags` decodes escaped
        # text back into markup: a page title taken from a heading that shows an account's
        # name "</title><script>..." would become a live script in <title>. This `striptags`
        # gives the text escaped once, as the templates that use it need.
        env.filters["striptags"] = _text_of_html
        # Last of the plugin's own work on the environment: the child forks with it.
        if (not self._serving and self._nav is not None and self._fast is not None
                and self._fast.deferred):
            self._share = shared(config, env, files, self._nav, self._generated, self,
                                 worker_count())
        return env

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        # Every page has its Page now, and none is converted yet.
        self._nav = nav
        self.convert_ahead(config, files, self._generated)
        # The review and the pages read live to the end of the build: the collector's full
        # passes over them while each page is built grew with the portfolio.
        self._page_phase.start()
        return nav

    def convert_ahead(self, config: MkDocsConfig, files: Files, paths: list[str],
                      cached: bool = True, share: Share | None = None) -> None:
        """Convert these generated pages ahead of MkDocs (fast_pages.py); `kam serve` calls
        it for the pages an edit changed (not `cached`: pages an edit made are not looked up
        in, nor written to, the page cache), with its helper process (`share`)."""
        self._fast = page_cache(self.accounts, [self.rules, Path(config.docs_dir)],
                                self._serving, cached)
        if self._fast is not None:
            self._fast.deferred = deferrable(config, self)
            self._fast.late = self._fast.deferred and fillable_late(config, self)
            self._fast.prepare(config, files, paths, share)

    # Last: the Markdown every other plugin made is the one converted ahead.
    @event_priority(-100)
    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        return markdown if self._fast is None else self._fast.markdown(markdown, page)

    # First: every other plugin sees the page as MkDocs would have converted it.
    @event_priority(100)
    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str:
        return html if self._fast is None else self._fast.content(html, page, files)

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        for folder in (self.accounts, self.rules):
            if folder.is_dir():
                server.watch(str(folder))
        for path in (self.thresholds, self.rates):
            if path is not None:
                server.watch(str(path))
        return server


def _text_of_html(value: object) -> Markup:
    """The text of an HTML fragment (tags removed, entities decoded), escaped for HTML."""
    return escape(Markup(str(value)).striptags())
