"""The sections Material's search plugin divides a page into (its Parser), kept from the
events of the page's HTML, with the same state.

Material's Parser (material/plugins/search/plugin.py) reads the events HTMLParser gives (start
tags, end tags, text) and keeps, per heading, a title and a text: the text's whitespace
collapsed, a few tags kept (`<p>`, `<li>`, `<code>` ...), permalinks and excluded blocks left
out. Sections does the same with the same events, quirks included: elements compare by tag
name, so an excluded `<div>` skips text while any `<div>` is open and the first `</div>`
ends it; an end tag that is not the innermost open element's is ignored; the end of an
element around a heading goes back to an earlier section; a kept tag closes against the
first opening of its name in the list. The events come from search_scan.py.
"""

from __future__ import annotations

from html import escape, unescape

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# The tags Material's parser keeps in the text (Parser.keep).
KEEP = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
# Tags the parser skips the text of for good (Parser.skip at the start).
ALWAYS_SKIPPED = ("object", "script", "style")
# The preface's pseudo-tag: the section before the first heading.
PREFACE = "hx"


class NotScanned(Exception):
    """The HTML holds something not read here as HTMLParser and Material's parser do."""


class Section:
    """A heading's section as Material's Section: its title and text (lists of strings)."""

    __slots__ = ("depth", "excluded", "id", "tag", "text", "title")

    def __init__(self, tag: str, excluded: bool, depth: float) -> None:
        self.tag, self.excluded, self.depth = tag, excluded, depth
        self.text: list[str] = []
        self.title: list[str] = []
        self.id: str | None = None


class Sections:
    """Material's Parser, fed event by event (start, end, data): the open elements by name,
    the depths of the open permalinks, the tags skipped."""

    def __init__(self, void: frozenset[str]) -> None:
        self.void = void
        self.open: list[str] = []
        self.permalinks: list[int] = []
        self.skip = set(ALWAYS_SKIPPED)
        self.section: Section | None = None
        self.sections: list[Section] = []

    def current(self) -> Section:
        """The section text goes to; the preface, made when nothing came before."""
        if self.section is None:
            self.section = Section(PREFACE, False, 0)
            self.sections.append(self.section)
        return self.section

    def skipping(self) -> bool:
        return any(tag in self.skip for tag in self.open)

    def plain(self) -> Section | None:
        """The section text goes to as it comes, if it does: nothing is skipped (and only
        what always is can be), nothing preformatted, no heading open."""
        section = self.section
        if (section is None or len(self.skip) > len(ALWAYS_SKIPPED) or self.skipping()
                or "pre" in self.open or section.tag in self.open):
            return None
        return section

    def start(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in self.void:
            return
        self.open.append(tag)
        if tag == "a" and attrs.get("class") == "headerlink":
            self.permalinks.append(len(self.open))
        if tag in HEADINGS and "id" in attrs:
            depth = len(self.open)
            if tag != "h1" and not self.sections:
                self.sections.append(Section(PREFACE, False, depth))
            section = Section(tag, "data-search-exclude" in attrs, depth)
            if self.sections:
                section.id = attrs["id"]
            self.section = section
            self.sections.append(section)
        section = self.current()
        if "data-search-exclude" in attrs or attrs.get("class") == "linenodiv":
            self.skip.add(tag)
            return
        if tag in KEEP and not self.skipping():
            (section.title if section.tag in self.open else section.text).append(f"<{tag}>")

    def end(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            return
        self.leave()
        self.pop()
        if tag in self.skip:
            if tag not in ALWAYS_SKIPPED:
                self.skip.remove(tag)
            return
        if tag in KEEP and not self.skipping():
            section = self.current()
            close(section.title if section.tag in self.open else section.text, tag)

    def leave(self) -> None:
        """Before the innermost element ends: the section ends too if its heading is deeper,
        and the text goes back to the last earlier one no deeper than the element."""
        section = self.current()
        depth = len(self.open)
        if section.depth > depth:
            for earlier in reversed(self.sections):
                if earlier.depth <= depth:
                    section.depth = float("inf")
                    self.section = earlier
                    return

    def pop(self) -> None:
        if self.permalinks and self.permalinks[-1] == len(self.open):
            self.permalinks.pop()
        self.open.pop()

    def data(self, text: str) -> None:
        if self.skipping():
            return
        pre = "pre" in self.open
        if not pre:
            text = " " if text.isspace() else text.replace("\n", " ")
        section = self.current()
        if section.tag in self.open:
            if not self.permalinks:
                section.title.append(escape(text, quote=False))
        elif text.isspace():
            kept = section.text
            if not kept or not kept[-1].isspace() or pre:
                kept.append(text)
        else:
            section.text.append(escape(text, quote=False))


def close(data: list[str], tag: str) -> None:
    """A kept tag closed, or its opening dropped when only whitespace follows the first
    opening of its name (as Material's parser does)."""
    try:
        index = data.index(f"<{tag}>")
    except ValueError:
        raise NotScanned("Material's parser fails on this HTML") from None
    for later in range(index + 1, len(data)):
        if not data[later].isspace():
            data.append(f"</{tag}>")
            return
    del data[index:]


def add_texts(kept: list[str], texts: list[str]) -> None:
    """Texts (raw, with entities) to a section's text, as the parser adds them one by one:
    whitespace as one space, and none after another."""
    space = bool(kept) and kept[-1].isspace()
    for text in texts:
        if text == "\n":
            if not space:
                kept.append(" ")
                space = True
            continue
        if "&" in text:
            text = unescape(text)
        if text.isspace():
            if not space:
                kept.append(" ")
                space = True
        else:
            kept.append(escape(text.replace("\n", " "), quote=False))
            space = False
