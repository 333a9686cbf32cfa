"""The MkDocs plugin: a thin adapter that adds the review's generated pages to the build.

It evaluates the portfolio when MkDocs collects its files, adds every page of
`pages.render_pages` as a generated file, and asks `mkdocs serve` to watch the account and
rule folders, so that editing an account file rebuilds its page.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from .diff import compare, review_revision
from .errors import KamError
from .evaluate import review
from .pages import render_pages
from .progress import on_terminal
from .resources import bundled_overrides_folder, default_rules_folder
from .review_date import parse_review_date

log = logging.getLogger("mkdocs.plugins.kam_review")

AS_OF_VARIABLE = "KAM_AS_OF"
BASE_VARIABLE = "KAM_BASE"
STYLESHEETS = ("assets/kam-review.css",)
SCRIPTS = ("assets/vendor/tablesort/tablesort.min.js",
           "assets/vendor/tablesort/tablesort.number.min.js", "assets/kam-review.js")
# Markdown extensions the generated pages rely on: tables, heading ids, raw HTML blocks.
REQUIRED_EXTENSIONS = ("tables", "attr_list", "toc", "md_in_html")


class KamReviewConfig(base.Config):  # type: ignore[no-untyped-call]
    accounts = c.Type(str, default="accounts")
    rules = c.Optional(c.Type(str))
    thresholds = c.Optional(c.Type(str))
    as_of = c.Optional(c.Type(str))
    # A git revision (e.g. last quarter's review tag): adds "Changes since the last review".
    base = c.Optional(c.Type(str))


class KamReviewPlugin(BasePlugin[KamReviewConfig]):  # type: ignore[no-untyped-call]
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path or ".").resolve().parent
        self.accounts = root / self.config.accounts
        self.rules = (root / self.config.rules if self.config.rules else
                      default_rules_folder(root))
        self.thresholds = root / self.config.thresholds if self.config.thresholds else None
        self.as_of = self._review_date()
        # Pages carry the review date, never the build time: same inputs, same bytes.
        os.environ["SOURCE_DATE_EPOCH"] = str(int(datetime(
            self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=UTC).timestamp()))
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        for stylesheet in STYLESHEETS:
            if stylesheet not in config.extra_css:
                config.extra_css.append(stylesheet)
        for script in SCRIPTS:
            if script not in config.extra_javascript:
                config.extra_javascript.append(script)
        return config

    def _review_date(self) -> date:
        text = os.environ.get(AS_OF_VARIABLE) or self.config.as_of
        if not text:
            return date.today()
        try:
            return parse_review_date(text)
        except ValueError as problem:
            raise PluginError(f"kam-review: the review date: {problem}") from None

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        try:
            result = review(self.accounts, self.rules, self.as_of, self.thresholds,
                            progress=on_terminal, explain=True)
        except KamError as error:
            raise PluginError(f"kam-review: {error.message}") from error
        for problem in result.errors:
            log.warning("kam-review: %s", problem)
        base = os.environ.get(BASE_VARIABLE) or self.config.base
        changes = None
        if base:
            try:
                changes = compare(review_revision(base, self.accounts, self.rules, self.as_of,
                                                  thresholds=self.thresholds),
                                  result, base, "this review")
            except KamError as error:
                raise PluginError(f"kam-review: {error.message}") from error
        pages = render_pages(result, changes)
        for path, text in sorted(pages.items()):
            existing = files.get_file_from_path(path)
            if existing is not None:
                log.warning("kam-review: %s in the docs folder is replaced by the generated "
                            "page of the same name; rename it", path)
                files.remove(existing)
            files.append(File.generated(config, path, content=text))
        # A site without this theme folder (a team's own repository) still gets the assets.
        for asset in (*STYLESHEETS, *SCRIPTS):
            if files.get_file_from_path(asset) is None:
                source = bundled_overrides_folder() / asset
                files.append(File.generated(config, asset, abs_src_path=str(source)))
        log.info("kam-review: %d accounts evaluated as of %s, %d pages generated",
                 len(result.accounts), self.as_of, len(pages))
        return files

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        for folder in (self.accounts, self.rules):
            if folder.is_dir():
                server.watch(str(folder))
        if self.thresholds is not None:
            server.watch(str(self.thresholds))
        return server
