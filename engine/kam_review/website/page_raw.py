"""Raw HTML in the generated pages' Markdown, as Python-Markdown (md_in_html) makes it.

Inside a `markdown` container (`<div class="..." markdown>`), a raw block element (a chart's
`<div>`, a card's `<ol>`, a `<summary>`) becomes an element of the page's tree: block tags
(p, li, table, tr, ...) are elements, written again with their attributes sorted, and
everything else (span-level tags, an inline SVG, text) is kept as written, text escaped as
Python-Markdown's serializer escapes it. A raw block outside any container is kept as
written, whole. Comments, scripts, unclosed tags, headings and other rare shapes raise
Unsupported: the page is converted instead.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from xml.etree.ElementTree import Element

from kam_review.website.page_inline import BLOCK_TAGS, Unsupported, cdata

# Block tags whose content Python-Markdown keeps raw, or handles apart, and headings (the
# table of contents would read them).
_REFUSED_TAGS = frozenset(("canvas", "math", "option", "pre", "script", "style", "textarea",
                           "hr", "h1", "h2", "h3", "h4", "h5", "h6"))
_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
                    r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'))?)*)\s*(/?)>")
_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_ATTRIBUTE = re.compile(r"\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'))?")
# _END's and _START's tags at a `<`, else (a `<` before a letter, `/`, `!` or `?`) nothing.
_ANY_TAG = re.compile("<(?:" + _END.pattern[1:] + "|" + _START.pattern[1:]
                      + r"|(?=[a-zA-Z/!?]))")
_DATA_AMP = re.compile(r"&(?!#[0-9]+;|#[xX][0-9a-fA-F]+;|[a-zA-Z][a-zA-Z0-9]*;)")


@dataclass(slots=True)
class Tag:
    """A tag in the raw HTML: its name, where it starts and ends, its attributes' source."""

    name: str
    start: int
    end: int
    closing: bool
    empty: bool
    source: str = ""

    @property
    def attrs(self) -> dict[str, str]:
        """The attributes as an HTML parser reads them: names in lower case, values with
        their entities decoded, a name without a value as its own value."""
        attrs: dict[str, str] = {}
        for found in _ATTRIBUTE.finditer(self.source):
            name = found.group(1).lower()
            value = found.group(2) if found.group(2) is not None else found.group(3)
            attrs[name] = name if value is None else html.unescape(value)
        return attrs


def tag_at(text: str, at: int) -> Tag | None:
    """The tag starting at `at`, if one does."""
    if text.startswith("</", at):
        match = _END.match(text, at)
        return None if match is None else Tag(match.group(1).lower(), at, match.end(), True,
                                              False)
    match = _START.match(text, at)
    if not match:
        return None
    return Tag(match.group(1).lower(), at, match.end(), False, bool(match.group(3)),
               match.group(2))


def _line_start(text: str, at: int) -> bool:
    begin = text.rfind("\n", 0, at) + 1
    return at - begin <= 3 and not text[begin:at].strip()


def _rest_of_line_empty(text: str, at: int) -> bool:
    end = text.find("\n", at)
    return not text[at:len(text) if end < 0 else end].strip(" ")


class Tags:
    """Every tag of a page's Markdown, read once, in order: as an HTML parser reads them, a
    `<` before a letter, `/`, `!` or `?` opens a tag (one this reader does not know raises
    Unsupported), any other `<` is text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.tags: list[Tag] = []
        starts, tags = self.starts, self.tags
        # One scan instead of a find and a match per tag: each `<` is tried where the loop of
        # tag_at would try it (a match ends where that loop goes on), the empty alternative
        # catching a `<` that opens no tag this reader knows.
        for found in _ANY_TAG.finditer(text):
            closing, opening = found.group(1), found.group(2)
            at = found.start()
            if closing is not None:
                tag = Tag(closing.lower(), at, found.end(), True, False)
            elif opening is not None:
                tag = Tag(opening.lower(), at, found.end(), False, bool(found.group(4)),
                          found.group(3))
            else:
                raise Unsupported("a < that is no tag")
            starts.append(at)
            tags.append(tag)

    def after(self, at: int) -> Iterator[Tag]:
        """The tags from position at on."""
        return islice(self.tags, bisect_left(self.starts, at), None)

    def anchor_ids(self) -> set[str]:
        """The ids (and <a name>) of every tag, as MkDocs' raw HTML scan finds them."""
        found: set[str] = set()
        for tag in self.tags:
            if not tag.closing and ("id=" in tag.source or "name=" in tag.source):
                for key, value in tag.attrs.items():
                    if key == "id" or (key == "name" and tag.name == "a"):
                        found.add(value)
        return found


def raw_block(tags: Tags, at: int) -> int:
    """The end of the raw block (outside any container) starting at `at`: its outermost
    tag's end tag, which must end its line."""
    stack: list[str] = []
    for tag in tags.after(at):
        if tag.name in ("script", "style", "pre", "textarea"):
            raise Unsupported("raw content")
        if not tag.closing and not tag.empty:
            stack.append(tag.name)
        elif tag.closing and tag.name in stack:
            while stack.pop() != tag.name:
                pass
            if not stack:
                if not _rest_of_line_empty(tags.text, tag.end):
                    raise Unsupported("text after a raw block")
                return tag.end
    raise Unsupported("an unclosed raw block")


def off_element(tags: Tags, at: int) -> tuple[Element, int]:
    """The raw block element starting at `at` inside a container, as md_in_html makes it,
    and where it ends (its end tag, which must end its line)."""
    text = tags.text
    stack: list[Element] = []
    # Per open element: has it had content since it started (md_in_html's mdstarted)?
    fresh: list[bool] = []
    root: Element | None = None
    position = at
    for tag in tags.after(at):
        opening = tag.start
        if opening > position:
            _data(stack, fresh, text[position:opening])
        position = tag.end
        source = text[opening:position]
        if tag.name in _REFUSED_TAGS:
            raise Unsupported(f"raw <{tag.name}>")
        block = tag.name in BLOCK_TAGS
        if tag.closing:
            names = [element.tag for element in stack]
            if block and tag.name in names:
                while stack:
                    fresh.pop()
                    if stack.pop().tag == tag.name:
                        break
                if not stack:
                    if not _rest_of_line_empty(text, position):
                        raise Unsupported("text after a raw element")
                    assert root is not None
                    return root, position
            else:
                _data(stack, fresh, source, raw=True)
        elif block and not tag.empty and (_line_start(text, opening) or (fresh and fresh[-1])):
            attrs = tag.attrs
            attrs.pop("markdown", None)
            element = Element(tag.name, attrs)
            if stack:
                stack[-1].append(element)
            else:
                root = element
            stack.append(element)
            fresh.append(True)
        elif block or not stack:
            raise Unsupported("a block tag inside text")
        else:
            _data(stack, fresh, source, raw=True)
    raise Unsupported("an unclosed raw element")


def _data(stack: list[Element], fresh: list[bool], data: str, raw: bool = False) -> None:
    """Text (escaped) or a raw span-level tag (as written) into the open element."""
    if not stack:
        raise Unsupported("text before a raw element")
    if not raw:
        if _DATA_AMP.search(data):
            raise Unsupported("a bare & in raw HTML")
        data = cdata(data)
    fresh[-1] = False
    parent = stack[-1]
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + data
    else:
        parent.text = (parent.text or "") + data
