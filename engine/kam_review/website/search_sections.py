"""The sections Material's search plugin divides a page into (its Parser), kept from the
events of the page's HTML: the same state, held as tag names and counts.

Material's Parser (material/plugins/search/plugin.py) reads the events HTMLParser gives (start
tags, end tags, text) and keeps, per heading, a title and a text: the text's whitespace
collapsed, a few tags kept (`<p>`, `<li>`, `<code>` ...), permalinks and excluded blocks left
out. Sections does the same with the same events, quirks included: elements compare by tag
name, so an excluded `<div>` skips text while any `<div>` is open and the first `</div>`
ends it; an end tag that is not the innermost open element's is ignored; a kept tag closes
against the first opening of its name in the list. The events come from search_scan.py.
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
    """Material's Parser, fed event by event (start, end, data), or a run of plain text and
    tags at once (plain_run)."""

    def __init__(self, void: frozenset[str]) -> None:
        self.void = void
        self.open: list[str] = []
        self.counts: dict[str, int] = {}
        self.permalinks: list[bool] = []  # per open element: an `a.headerlink`
        self.in_permalink = 0
        self.skip = set(ALWAYS_SKIPPED)
        self.skipped = 0  # open elements whose tag is in skip
        self.section: Section | None = None
        self.sections: list[Section] = []

    def current(self) -> Section:
        """The section text goes to; the preface, made when nothing came before."""
        if self.section is None:
            self.section = Section(PREFACE, False, 0)
            self.sections.append(self.section)
        return self.section

    def start(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag in self.void:
            return
        self.open.append(tag)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        permalink = tag == "a" and attrs.get("class") == "headerlink"
        self.permalinks.append(permalink)
        self.in_permalink += permalink
        if tag in self.skip:
            self.skipped += 1
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
            if tag not in self.skip:
                self.skip.add(tag)
                self.skipped += self.counts[tag]
            return
        if tag in KEEP and not self.skipped:
            (section.title if section.tag in self.counts else section.text).append(f"<{tag}>")

    def end(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            return
        section = self.current()
        if section.depth > len(self.open):
            earlier = self._earlier(len(self.open), [])
            if earlier is not None:
                section.depth = float("inf")
                self.section = section = earlier
        self._pop()
        if tag in self.skip:
            self.skipped -= 1
            if tag not in ALWAYS_SKIPPED:
                self.skip.remove(tag)
                self.skipped -= self.counts.get(tag, 0)
            return
        if tag in KEEP and not self.skipped:
            _close(section.title if section.tag in self.counts else section.text, tag)

    def data(self, text: str) -> None:
        if self.skipped:
            return
        if "pre" not in self.counts:
            text = " " if text.isspace() else text.replace("\n", " ")
        section = self.current()
        if section.tag in self.counts:
            if not self.in_permalink:
                section.title.append(escape(text, quote=False))
        elif text.isspace():
            kept = section.text
            if not kept or not kept[-1].isspace() or "pre" in self.counts:
                kept.append(text)
        else:
            section.text.append(escape(text, quote=False))

    def plain_run(self, parts: list[str]) -> bool:
        """A run of tags the parser reads by name alone (no heading, nothing preformatted,
        skipped or raw) and text, at once: `parts` are its texts, and between two texts a
        tag's name ("/" and the name for an end tag) and "/" for a self-closing tag. Tags
        open and close elements, may end sections, and kept ones add themselves to the
        text. False, and nothing done, unless the text goes to a section's text as is:
        nothing skipped (by tag), preformatted or in a heading."""
        section = self.section
        # Before anything made a section, what makes one is left to the events.
        if (section is None or self.skipped or len(self.skip) > len(ALWAYS_SKIPPED)
                or "pre" in self.counts or section.tag in self.counts):
            return False
        opened: list[str] = []
        closed = 0  # elements opened before the run, closed in it
        depth = len(self.open)
        ended: list[Section] = []
        # After which tag to add what: a kept tag opened ("<li>") or closed ("/li"), or
        # the section the text goes to from there.
        steps: list[tuple[int, str | Section]] = []
        void, empties, open_before = self.void, parts[2::3], self.open
        for index, tag in enumerate(parts[1::3]):
            if tag[0] != "/":
                if tag in void:
                    continue
                if tag in KEEP:
                    steps.append((index, f"<{tag}>"))
                depth += 1
                if not empties[index]:
                    opened.append(tag)
                    continue
                # Opened and closed at once.
            elif opened:
                if opened[-1] != tag[1:]:
                    continue
                tag = opened.pop()
            elif closed < len(open_before) and open_before[-1 - closed] == tag[1:]:
                tag = tag[1:]
                closed += 1
            else:
                continue
            if section.depth > depth:
                earlier = self._earlier(depth, ended)
                if earlier is not None:
                    if earlier.tag in self.counts:
                        return False
                    ended.append(section)
                    steps.append((index, earlier))
                    section = earlier
            if tag in KEEP:
                steps.append((index, "/" + tag))
            depth -= 1
        self._apply(parts[::3], steps)
        for _ in range(closed):
            self._pop()
        for tag in opened:
            self.open.append(tag)
            self.counts[tag] = self.counts.get(tag, 0) + 1
            self.permalinks.append(False)
        return True

    def _apply(self, texts: list[str], steps: list[tuple[int, str | Section]]) -> None:
        """A run's texts to the sections' texts, with the steps of its tags between them."""
        section = self.current()
        start = 0
        for index, step in steps:
            _add_texts(section.text, texts[start:index + 1])
            start = index + 1
            if isinstance(step, Section):
                section.depth = float("inf")
                section = self.section = step
            elif step[0] == "/":
                _close(section.text, step[1:])
            else:
                section.text.append(step)
        _add_texts(section.text, texts[start:] if start else texts)

    def _earlier(self, depth: int, ended: list[Section]) -> Section | None:
        """The section the parser goes back to when one ends at `depth`."""
        for earlier in reversed(self.sections):
            if earlier.depth <= depth and earlier not in ended:
                return earlier
        return None

    def _pop(self) -> str:
        tag = self.open.pop()
        left = self.counts[tag] - 1
        if left:
            self.counts[tag] = left
        else:
            del self.counts[tag]
        self.in_permalink -= self.permalinks.pop()
        return tag


def _close(data: list[str], tag: str) -> None:
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


def _add_texts(kept: list[str], texts: list[str]) -> None:
    """Texts (raw, with entities) to a section's text, as the parser adds them one by one:
    whitespace as one space, and none after another."""
    space = bool(kept) and kept[-1].isspace()
    for text in texts:
        if text == "\n":
            if not space:
                kept.append(" ")
                space = True
            continue
        if not text:
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
