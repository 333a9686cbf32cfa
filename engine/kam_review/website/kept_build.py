"""What `kam serve` keeps of a full build for the rebuilds after it (website/incremental.py):
a plugin that runs last and keeps the files, the navigation, the theme environment as every
other plugin left them, the review date and each page's search entries."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from kam_review.website.fast_search import Entries, search_index
from kam_review.website.plugin import EPOCH_VARIABLE
from kam_review.website.search_pieces import SearchPieces

KEEPER = "kam-serve"


class Keeper(BasePlugin):  # type: ignore[type-arg]
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
