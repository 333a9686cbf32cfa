"""The pages converted ahead (fast_pages.py) handed to MkDocs one at a time: a page gets its
HTML as MkDocs starts building it and lets go of it once it is written.

MkDocs reads every page before it builds the first, and keeps every page to the end of the
build; a page's HTML set when it is read would be held all that time (gigabytes at 10,000
accounts). The HTML is set instead first thing when the page is built (before the search
index or any other plugin reads it in on_page_context) and dropped last thing after it is
written (on_post_page). That is only done where no other plugin could see the difference:
when no other plugin handles the events in between (page_content, post_page) or earlier in
page_context than this.

Where no other plugin sees the pages' context at all and the search plugin is Material's, a
page gets its HTML later still, right after the search plugin's page_context (LateFilling):
the index reads the page's HTML as before (fast_search.use_entries), but Material's search
then takes its data-search attributes out of the placeholder instead of the whole page (a
regular expression tried at every position: a third of building the page once the theme is
shared, theme_share.py), and the page gets its HTML with them taken out as Material takes
them (FastPages.fill).
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
NAME, LATE_NAME = "kam-review-pages", "kam-review-pages-late"
FIRST, LAST = 100, -100
# After the search plugin's page_context (priority 0), before kam-review's footer (-50).
AFTER_SEARCH = -10
# Material's search plugin, whose page_context the pages filled late get as they would.
SEARCH_PLUGIN = "material.plugins.search.plugin"


class _Handing(BasePlugin):  # type: ignore[type-arg]
    """A plugin acting on the pages of the build's FastPages (`current`), if there is one."""

    def __init__(self, current: Callable[[], FastPages | None]) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._current = current


class PageHanding(_Handing):  # type: ignore[no-untyped-call]
    """Fills in and lets go of the pages."""

    @event_priority(FIRST)
    def on_page_context(self, context: TemplateContext, /, *, page: Page,
                        config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        if (fast := self._current()) is not None:
            fast.fill(page)
        return context

    @event_priority(LAST)
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        if (fast := self._current()) is not None:
            fast.written(page)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if (fast := self._current()) is not None:
            fast.close()


class LateFilling(_Handing):  # type: ignore[no-untyped-call]
    """Fills in the pages filled late, after the search plugin (FastPages.late)."""

    @event_priority(AFTER_SEARCH)
    def on_page_context(self, context: TemplateContext, /, *, page: Page,
                        config: MkDocsConfig, nav: Navigation) -> TemplateContext:
        if (fast := self._current()) is not None:
            fast.fill(page, late=True)
        return context


def hand_pages(config: MkDocsConfig, current: Callable[[], FastPages | None]) -> None:
    """Add the plugin to the site's plugins (once)."""
    if NAME not in config.plugins:
        config.plugins[NAME] = PageHanding(current)
        config.plugins[LATE_NAME] = LateFilling(current)


def only_ours(config: MkDocsConfig, owner: object, events: tuple[str, ...]) -> bool:
    """Whether every handler of these events is the site's own plugin's (`owner`), this
    one's or Material's search plugin's."""
    ours = {id(plugin) for plugin in (owner, config.plugins.get(NAME),
                                      config.plugins.get(LATE_NAME)) if plugin is not None}
    handlers: dict[str, list[Any]] = config.plugins.events
    return all(id(_plugin(method)) in ours or _searches(_plugin(method))
               for event in events for method in handlers[event])


def fillable_late(config: MkDocsConfig, owner: object) -> bool:
    """Whether pages can get their HTML after the search plugin has indexed them (FastPages'
    late fill): it is Material's, on, and no other plugin sees the pages' context."""
    handlers: list[Any] = config.plugins.events["page_context"]
    searches = [_plugin(method) for method in handlers if _searches(_plugin(method))]
    return (len(searches) == 1 and bool(searches[0].config.enabled)
            and only_ours(config, owner, ("page_context",)))


def _plugin(handler: Any) -> Any:
    """The plugin an event handler is a method of (None: a hook's function)."""
    return getattr(handler, "__self__", None)


def _searches(plugin: Any) -> bool:
    return type(plugin).__module__ == SEARCH_PLUGIN


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
