"""Wide tables scroll inside themselves: a Markdown extension the plugin adds to every page.

A review table can be wider than a laptop's content column or a phone. Rather than let the
page clip it (or the whole page scroll sideways), each table is put in a region that scrolls
on its own: `<div class="kam-scroll" role="region" tabindex="0" aria-label="...">`. The
region takes keyboard focus, so that arrow keys scroll it, and is named after the heading
above the table, so that a screen reader says which table it is ("Accounts", "Figures
(table 2 of 2)"). Hand-written pages get the same treatment as generated ones.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree as etree

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from kam_review.i18n import _

REGION_CLASS = "kam-scroll"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# After the table of contents (priority 5), which gives headings their ids and plain names.
_PRIORITY = 4


class TableRegions(Extension):
    """Wraps every table of a page in a focusable, labelled region that scrolls sideways."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_Wrap(md), "kam_table_regions", _PRIORITY)


class _Wrap(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        wrap_tables(root, getattr(self.md, "toc_tokens", []))


def wrap_tables(root: etree.Element, toc_tokens: Iterable[dict[str, Any]]) -> None:
    """Every table of a page's tree in its region (the page's headings: toc_tokens)."""
    names = _heading_names(toc_tokens)
    parents = {child: parent for parent in root.iter() for child in parent}
    found: list[tuple[etree.Element, str]] = []
    heading = _("Table")
    for element in root.iter():
        if element.tag in _HEADINGS:
            heading = names.get(element.get("id", ""), "") or _text(element) or _("Table")
        elif element.tag == "table" and REGION_CLASS not in parents[element].get(
                "class", "").split():
            found.append((element, heading))
    counts: dict[str, int] = {}
    for _table, heading in found:
        counts[heading] = counts.get(heading, 0) + 1
    seen: dict[str, int] = {}
    for table, heading in found:
        seen[heading] = seen.get(heading, 0) + 1
        label = heading if counts[heading] == 1 else _(
            "{heading} (table {number} of {count})").format(
                heading=heading, number=seen[heading], count=counts[heading])
        _wrap(table, parents[table], label)


def _wrap(table: etree.Element, parent: etree.Element, label: str) -> None:
    region = etree.Element("div", {"class": REGION_CLASS, "role": "region", "tabindex": "0",
                                   "aria-label": label})
    region.tail, table.tail = table.tail, None
    parent.insert(list(parent).index(table), region)
    parent.remove(table)
    region.append(table)


def _heading_names(tokens: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Each heading's id and its plain name, from the table of contents' tokens."""
    names: dict[str, str] = {}
    for token in tokens:
        names[str(token.get("id", ""))] = html.unescape(str(token.get("name", ""))).strip()
        names.update(_heading_names(token.get("children", [])))
    return names


def _text(element: etree.Element) -> str:
    return " ".join("".join(element.itertext()).split())
