"""A page's HTML read as HTMLParser reads it, by one regular expression instead of HTMLParser,
and turned into Material's search sections (search_sections.py): a few times less work.

Only what HTMLParser reads the same way in every Python version is scanned: text, start and
end tags named in lower case whose attribute values are quoted (or absent), and a `<title>`,
`<textarea>`, `<script>` or `<style>` holding plain text. Anything else (a comment, a
declaration, a `<` that starts no such tag, an unquoted value, markup inside a raw-text
element) gives None, and the page is left to Material's own parser; so does HTML on which
Material's parser would fail.

Most tags of an account page are table cells and rows: tags the parser reads by name alone
(no heading, no tag it keeps, skips or reads an attribute of), while the text goes to the
section's text as it comes, only open and close elements here, and their text is added in
one go when something else comes. Every other tag is an event for Sections.
"""

from __future__ import annotations

import re
from html import unescape

from kam_review.website.search_sections import (
    ALWAYS_SKIPPED,
    HEADINGS,
    KEEP,
    PREFACE,
    NotScanned,
    Section,
    Sections,
    add_texts,
    close,
)

_SPACE = "[ \t\n\r\f]"
# Splits a page into texts and, between them, a tag's parts: "/" for an end tag, the name,
# the attributes, "/" for a self-closing tag. (Possessive: no part can give anything back to
# the next one, and trying to is most of the time this takes.)
_TAG = re.compile(rf"""<(/?)([a-z][a-z0-9]*+)((?:{_SPACE}++[a-zA-Z_:][-a-zA-Z0-9_:.]*+"""
                  rf"""(?:="[^"<]*+"|='[^'<]*+')?)*+){_SPACE}*+(/?)>""")
_ATTRIBUTES = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)"|='([^']*)')?""")
# Tags whose content HTMLParser reads as raw text, and in newer Pythons also as RCDATA.
_RAW = frozenset({"script", "style", "title", "textarea"})
_UNSCANNED = frozenset({"xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"})
_RAW_TEXT = _RAW | _UNSCANNED
# Tags that are events whatever their attributes; the kept tags that need not be.
_EVENTS = HEADINGS | _UNSCANNED | {"pre", PREFACE, *ALWAYS_SKIPPED}
_KEPT = KEEP - {"pre"}
# Attributes the parser reads, or an entity that could spell their values.
_MARKERS = re.compile("data-search-exclude|linenodiv|headerlink|&", re.IGNORECASE)
# The words of exclusions (the first found quickly by its "-").
_EXCLUDE = re.compile("-search-exclude", re.IGNORECASE)


def scan(html: str, void: frozenset[str]) -> list[Section] | None:
    """The page's sections as Material's Parser makes them (`void`: its self-closing tags),
    or None when the HTML is not scanned (see the module's docstring)."""
    parts = _TAG.split(html)
    if html.count("<") != len(parts) // 5:
        return None  # a `<` that is not a tag scanned
    excluding = "linenodiv" in html or _EXCLUDE.search(html) is not None
    sections = Sections(void)
    try:
        _feed(sections, parts, excluding)
    except NotScanned:
        return None
    return sections.sections


def _feed(sections: Sections, parts: list[str], excluding: bool) -> None:
    """The page's texts and tags (parts as _TAG splits them) to sections. While text goes to
    a section's text as it comes (`plain`: that section), texts wait in `waiting` until
    something else comes, and tags the parser reads by name alone only open and close."""
    open_, void, skip = sections.open, sections.void, sections.skip
    waiting: list[str] = []
    plain = sections.plain()
    # Inside an excluded element (data-search-exclude): texts are dropped, and tags the
    # parser reads by name alone only open and close, until one ends what is skipped.
    skipping = plain is None and sections.skipping()
    raw = ""  # a raw-text element just opened: the next tag must end it
    for text, end, name, found, empty in zip(parts[::5], parts[1::5], parts[2::5],
                                             parts[3::5], parts[4::5], strict=False):
        if text:
            if skipping:
                pass
            elif plain is None:
                sections.data(_text(text))
            elif text != "\n" or not waiting or waiting[-1] != "\n":
                waiting.append(text)  # (a line break after one adds nothing)
        if raw and (raw != name or not end):
            raise NotScanned(f"<{raw}> holding markup")
        raw = ""
        if skipping and name not in _EVENTS and name not in _RAW_TEXT and name not in skip \
                and name not in void and not empty and not (
                    found and (end or _MARKERS.search(found))):
            if not end:
                open_.append(name)
            elif open_ and open_[-1] == name:
                sections.leave()
                sections.pop()
            continue
        if end:
            if found or empty:
                raise NotScanned(f"</{name}{found}/>")
            if plain is not None and name not in _EVENTS:
                if not open_ or open_[-1] != name:
                    continue  # ignored, as the parser ignores it
                if plain.depth <= len(open_):  # the section does not end here
                    sections.pop()
                    if name in _KEPT:
                        if waiting:
                            add_texts(plain.text, waiting)
                            waiting = []
                        close(plain.text, name)
                    continue
        elif name in void:
            continue
        else:
            if name in _RAW_TEXT:
                raw = _raw(name, empty)
            if plain is not None and name not in _EVENTS and not empty and not (found and (
                    _MARKERS.search(found) if excluding else
                    "&" in found or (name == "a" and "headerlink" in found))):
                open_.append(name)
                if name in _KEPT:
                    if waiting:
                        add_texts(plain.text, waiting)
                        waiting = []
                    plain.text.append(f"<{name}>")
                continue
        if waiting:
            add_texts(sections.current().text, waiting)
            waiting = []
        if end:
            sections.end(name)
        else:
            sections.start(name, _parsed(found))
            if empty:
                sections.end(name)
        plain = sections.plain()
        skipping = plain is None and sections.skipping()
    if raw:
        raise NotScanned(f"<{raw}> not ended")
    if parts[-1]:
        if plain is not None:
            waiting.append(parts[-1])
        else:
            sections.data(_text(parts[-1]))
    if waiting:
        add_texts(sections.current().text, waiting)


def _raw(name: str, empty: str) -> str:
    """A raw-text element opened: it must hold plain text (its end tag is the next tag). The
    rarer ones, read in some Pythons only as raw, are not scanned."""
    if name in _UNSCANNED or empty:
        raise NotScanned(f"<{name}>")
    return name


def _text(raw: str) -> str:
    return unescape(raw) if "&" in raw else raw


def _parsed(attributes: str) -> dict[str, str | None]:
    """A tag's attributes as HTMLParser gives them (names lower case, values unescaped) and
    Material's parser reads them (a dict: the last of a repeated name)."""
    parsed: dict[str, str | None] = {}
    if not attributes:
        return parsed
    for found in _ATTRIBUTES.finditer(attributes):
        name, double, single = found.groups()
        value = double if double is not None else single
        parsed[name.lower()] = _text(value) if value else value
    return parsed
