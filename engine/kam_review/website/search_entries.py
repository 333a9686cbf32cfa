"""A page's search entries as Material's SearchIndex makes them, from the sections found by
scanning its HTML (search_scan.py) instead of parsing it with HTMLParser.

The entries are Material's, field for field: each section's location (the page's URL and the
heading's anchor, by the page's table of contents), title and text (Chinese segmented with
jieba by Material's own code, when jieba is installed) and the page's tags. Material's search
code is read once: this is used only while it is the code these modules were checked against
(its fingerprint); after an upgrade that changes it, every page is indexed by Material until
the modules are checked again (tests/test_search_entries.py says so). Pages with `search`
front matter (excluded, boosted) are left to Material too.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import re
from functools import cache
from types import ModuleType
from typing import Any

from mkdocs.structure.pages import Page

from kam_review.website.search_scan import scan
from kam_review.website.search_sections import Section

Entries = list[dict[str, Any]]

SEARCH_MODULE = "material.plugins.search.plugin"
# sha256 of the parts of Material's search plugin these modules reproduce (`fingerprint`), as
# in mkdocs-material 9.8.2.
CHECKED = "e860e92647d90ab6a24c295962f718cfd0df7729ac13b1e74151bcc41098db14"
# Characters from the first Han block on: a text without any has nothing to segment.
_MAYBE_HAN = re.compile("[\u2e80-\U0010ffff]")


def fingerprint(module: ModuleType) -> str:
    """What these modules rely on in Material's search plugin: its parser, its elements and
    sections, how its index makes entries, and its self-closing tags."""
    index = module.SearchIndex
    return code_fingerprint(
        [module.Parser, module.Element, module.Section, index.add_entry_from_context,
         index.create_entry_for_section, index._segment_chinese, index._find_toc_by_id],
        repr(sorted(module.void)))


def code_fingerprint(parts: list[Any], extra: str = "") -> str:
    """sha256 of the parts' code, its lines without indentation, blank lines and comment lines
    (a new comment changes nothing), followed by `extra`."""
    lines = [line.strip() for part in parts for line in inspect.getsource(part).splitlines()]
    code = [line for line in lines if line and not line.startswith("#")]
    return hashlib.sha256(("\n".join(code) + extra).encode("utf-8")).hexdigest()


@cache
def material() -> ModuleType | None:
    """Material's search plugin, if it is the code these modules were checked against."""
    try:
        module = importlib.import_module(SEARCH_MODULE)
        return module if fingerprint(module) == CHECKED else None
    except (ImportError, OSError, TypeError, AttributeError):
        return None


def entries(index: Any, page: Page) -> Entries | None:
    """The entries Material's index would make of the page, or None where it must make them
    itself (another index, `search` front matter, HTML the scanner does not read)."""
    module = material()
    if (module is None or type(index) is not module.SearchIndex
            or "create_entry_for_section" in vars(index) or "search" in page.meta):
        return None
    found = scan(page.content or "", frozenset(module.void))
    if found is None:
        return None
    return [_entry(module, index, section, page) for section in found if not section.excluded]


def _entry(module: ModuleType, index: Any, section: Section, page: Page) -> dict[str, Any]:
    """SearchIndex.create_entry_for_section, with the segmenting of text without Chinese
    skipped."""
    url = page.url
    item = index._find_toc_by_id(page.toc, section.id)
    if item:
        url = url + item.url
    elif section.id:
        url = url + "#" + section.id
    if not section.title:
        section.title = [str(page.meta.get("title", page.title))]
    title = "".join(section.title).strip()
    text = "".join(section.text).strip()
    if module.jieba:
        title, text = _segmented(index, title), _segmented(index, text)
    entry: dict[str, Any] = {"location": url, "title": title, "text": text}
    tags = page.meta.get("tags")
    if isinstance(tags, list):
        entry["tags"] = [str(name) for name in tags
                         if name and isinstance(name, str | int | float | bool)]
    return entry


def _segmented(index: Any, text: str) -> str:
    if _MAYBE_HAN.search(text) is None:
        return text.strip("\u200b")
    segmented: str = index._segment_chinese(text)
    return segmented
