"""The pages converted ahead (fast_pages.py) handed to MkDocs one at a time: a page gets its
HTML as MkDocs starts building it and lets go of it once it is written.

MkDocs reads every page before it builds the first, and keeps every page to the end of the
build; a page's HTML set when it is read would be held all that time (gigabytes at 10,000
accounts). The HTML is set instead first thing when the page is built (before the search
index or any other plugin reads it in on_page_context) and dropped last thing after it is
written (on_post_page). That is only done where no other plugin could see the difference:
when no other plugin handles the events in between (page_content, post_page) or earlier in
page_context than this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from kam_review.website.fast_pages import FastPages

# The name this plugin has among the site's plugins.
NAME = "kam-review-pages"
FIRST, LAST = 100, -100


class PageHanding(BasePlugin):  # type: ignore[type-arg]
    """Fills in and lets go of the pages of the build's FastPages (`current`)."""

    def __init__(self, current: Callable[[], FastPages | None]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._current = current

    @event_priority(FIRST)
    def on_page_context(self, context: TemplateContext, /, *, page: Page,
                        config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        fast = self._current()
        if fast is not None:
            fast.fill(page)
        return context

    @event_priority(LAST)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        fast = self._current()
        if fast is not None:
            fast.written(page)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        fast = self._current()
        if fast is not None:
            fast.close()


def hand_pages(config: MkDocsConfig, current: Callable[[], FastPages | None]) -> None:
    """Add the plugin to the site's plugins (once)."""
    if NAME not in config.plugins:
        config.plugins[NAME] = PageHanding(current)


def deferrable(config: MkDocsConfig, owner: object) -> bool:
    """Whether pages can get their HTML late and let go of it early: the site's own plugin
    (`owner`) and this one are the only ones to handle page_content and post_page, and no
    other comes before this one in page_context."""
    handing = config.plugins.get(NAME)
    if handing is None:
        return False
    ours = {id(owner), id(handing)}
    events: dict[str, list[Any]] = config.plugins.events
    late = [*events["page_content"], *events["post_page"]]
    early = [method for method in events["page_context"]
             if getattr(method, "mkdocs_priority", 0) >= FIRST]
    return all(id(getattr(method, "__self__", None)) in ours for method in late + early)
