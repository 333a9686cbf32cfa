"""Generated pages as finished HTML without Python-Markdown: what MkDocs' Page.render makes of
a page's Markdown (its HTML, table of contents, title, anchors and links), for the Markdown
the page generators write.

Python-Markdown is most of a site's build: an account page costs it tens of milliseconds
(tables, raw HTML, md_in_html, the charts). The generators write a small, fixed dialect
(page_blocks.py, page_inline.py, page_raw.py), so the tree Python-Markdown would build is
built here directly, and the site's tree processors are done as Python-Markdown's extensions
do them: prettifying, the table of contents with its ids and permalinks (toc's own slugify
and unique), MkDocs' anchors and relative links (its own link resolver), the scrolling table
regions (table_regions.wrap_tables), then written as its serializer writes. A page with
anything outside the dialect, or a site with other Markdown extensions or settings, gets
None here and is converted by Page.render as before. The tests compare both byte for byte.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from markdown.extensions.toc import nest_toc_tokens, slugify, strip_tags, unique
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.rendering import _strip_tags

from kam_review.website.kept_links import KeptLinks
from kam_review.website.page_blocks import blocks
from kam_review.website.page_inline import (
    BLOCK_TAGS,
    LINK_MARK,
    RAW,
    Unsupported,
    attribute,
    write,
)
from kam_review.website.page_raw import Tags
from kam_review.website.table_regions import TableRegions, wrap_tables

# The site's Markdown extensions the emitter writes as (the plugin adds TableRegions).
EXTENSIONS = ("toc", "tables", "fenced_code", "attr_list", "md_in_html")
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Python-Markdown refuses or rewrites these before parsing; fences are fenced_code's.
_REFUSED_CHARACTERS = "\t\r\x01\x02\x03"
_FENCE = re.compile(r"^(?:```|~~~)", re.MULTILINE)
_MARKED = re.compile(LINK_MARK + "([^" + LINK_MARK + "]*)" + LINK_MARK)


@dataclass
class Emitted:
    """What Page.render sets: the HTML, the toc tokens, the title, anchors and links."""

    content: str
    toc: list[Any]
    title: str | None
    anchors: set[str]
    links: dict[File, dict[str, str]]


def permalinks(config: MkDocsConfig) -> bool | None:
    """Whether headings get permalinks, if the site's Markdown is what the emitter writes
    (its extensions and their settings); None for any other."""
    names = [e for e in config.markdown_extensions if isinstance(e, str)]
    others = [e for e in config.markdown_extensions if not isinstance(e, str)]
    if sorted(names) != sorted(EXTENSIONS) or len(others) != 1 or not isinstance(
            others[0], TableRegions):
        return None
    settings = dict(config.mdx_configs or {})
    toc = settings.pop("toc", {})
    if settings or not isinstance(toc, dict) or set(toc) - {"permalink"}:
        return None
    permalink = toc.get("permalink", False)
    return permalink if isinstance(permalink, bool) else None


def render(page: Page, config: MkDocsConfig, files: Files, permalink: bool) -> bool:
    """Set on page what Page.render would (its Markdown read already); False, and nothing
    set, where the emitter does not know the page's Markdown."""
    assert page.markdown is not None
    emitted = emit(page.markdown, page.file, files, config, permalink)
    if emitted is None:
        return False
    page.content = emitted.content
    page.toc = get_toc(emitted.toc)
    page._title_from_render = emitted.title
    page.present_anchor_ids = emitted.anchors
    # As Page.render: links to anchors are kept only where they are validated.
    if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
        page.links_to_anchors = emitted.links
    return True


def emit(markdown: str, file: File, files: Files, config: MkDocsConfig,
         permalink: bool) -> Emitted | None:
    """The page as Page.render would make it, or None where the emitter does not know."""
    try:
        return _emit(markdown, file, files, config, permalink)
    except Unsupported:
        return None


def _emit(markdown: str, file: File, files: Files, config: MkDocsConfig,
          permalink: bool) -> Emitted:
    if _refused(markdown):
        raise Unsupported("tabs, fences or control characters")
    tags = Tags(markdown)
    root = Element("div")
    blocks(tags, root, False)
    _prettify(root)
    tokens = _toc(root, permalink)
    anchors = {el.get("id", "") for el in root.iter() if el.get("id")} | tags.anchor_ids()
    anchors |= {el.get("name", "") for el in root.iter("a") if el.get("name")}
    wrap_tables(root, tokens)
    title = None
    for first in root:
        if first.tag == "h1":
            heading = copy.deepcopy(first)
            if len(heading) and heading[-1].get("class") == "headerlink":
                del heading[-1]
            title = _strip_tags(_inner(heading))
        break
    out: list[str] = [root.text or ""]
    for child in root:
        write(child, out)
    # Every link resolved in the order of the page, as MkDocs' tree processor resolves them.
    resolver = KeptLinks(file, files, config)
    # A page links to the same pages many times; a link resolves the same each time (what
    # it records is a set, and a warning leaves the whole page to MkDocs).
    resolved: dict[str, str] = {}

    def resolve(link: re.Match[str]) -> str:
        url = link.group(1)
        found = resolved.get(url)
        if found is None:
            found = resolved[url] = attribute(resolver.path_to_url(url))
        return found

    content = _MARKED.sub(resolve, "".join(out).strip())
    return Emitted(content, tokens, title, anchors, resolver.links_to_anchors)


def _refused(markdown: str) -> bool:
    """Whether the page has a tab, a control character Python-Markdown uses, or a fence. (A
    search for each character, and for a fence only where one could start: a regular
    expression trying every position of a page was a twentieth of its conversion.)"""
    return any(character in markdown for character in _REFUSED_CHARACTERS) or (
        ("```" in markdown or "~~~" in markdown) and _FENCE.search(markdown) is not None)


def _block(tag: str) -> bool:
    return tag == RAW or tag in BLOCK_TAGS


def _prettify(element: Element) -> None:
    """Python-Markdown's PrettifyTreeprocessor: a newline after every block."""
    if _block(element.tag):
        if (not element.text or not element.text.strip()) and len(element) and _block(
                element[0].tag):
            element.text = "\n"
        for child in element:
            if _block(child.tag):
                _prettify(child)
    if not element.tail or not element.tail.strip():
        element.tail = "\n"


def _toc(root: Element, permalink: bool) -> list[Any]:
    """The table of contents' tokens, the headings given ids (and permalinks) as toc does."""
    used = {el.get("id", "") for el in root.iter() if "id" in el.attrib}
    counters: dict[str, int] = {}
    tokens: list[Any] = []
    for element in list(root.iter()):
        if element.tag not in _HEADINGS:
            continue
        inner = _inner(element)
        name = strip_tags(inner)
        if not name:
            raise Unsupported("a heading without text")
        if "id" not in element.attrib:
            element.set("id", unique(slugify(html.unescape(name), "-"), used, counters))
        tokens.append({"level": int(element.tag[1]), "id": element.get("id", ""),
                       "name": name, "html": inner, "data-toc-label": ""})
        if permalink:
            link = Element("a", {"class": "headerlink",
                                 "href": LINK_MARK + "#" + element.get("id", "") + LINK_MARK,
                                 "title": "Permanent link"})
            link.text = "&para;"
            element.append(link)
    nested: list[Any] = nest_toc_tokens(tokens)
    return nested


def _inner(element: Element) -> str:
    out = [element.text or ""]
    for child in element:
        write(child, out)
    return "".join(out).strip()
