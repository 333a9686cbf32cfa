"""A page's HTML read as HTMLParser reads it, by regular expressions instead of HTMLParser, and
turned into Material's search sections (search_sections.py): about 20 times less work.

Only what HTMLParser reads the same way in every Python version is scanned: text, start and
end tags whose attribute values are quoted (or absent), and a `<title>`, `<textarea>`,
`<script>` or `<style>` holding plain text. Anything else (a comment, a declaration, a `<`
that starts no tag, an unquoted value, markup inside a raw-text element) gives None, and the
page is left to Material's own parser; so does HTML on which Material's parser would fail.

Most of an account page is tables. A run of text and plain tags (`<tr>`, `<td>`, `<span>` ...:
no heading, no tag the parser keeps or skips, no attribute it reads) is taken whole: its tags
only checked to nest, its text added at once, when nothing in it can change more than the
open elements (Sections.plain). Otherwise its events are fed one by one.
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape

from kam_review.website.search_sections import (
    ALWAYS_SKIPPED,
    HEADINGS,
    PREFACE,
    NotScanned,
    Section,
    Sections,
)

# Tags whose content HTMLParser reads as raw text, and in newer Pythons also as RCDATA.
_RAW = frozenset({"script", "style", "title", "textarea"})
_UNSCANNED = frozenset({"xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"})
_SPACE = "[ \t\n\r\f]"
_ATTRIBUTE = rf"""{_SPACE}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*"|='[^']*')?"""
_EVENTS = (
    rf"<(?P<leaf>[a-z][a-z0-9]*)(?P<leaf_attributes>(?:{_ATTRIBUTE})*){_SPACE}*>"
    r"(?P<leaf_text>[^<]*)</(?P=leaf)>"  # an element holding text only
    r"|(?P<text>[^<]+)"
    rf"|<(?P<tag>[a-zA-Z][a-zA-Z0-9]*)(?P<attributes>(?:{_ATTRIBUTE})*){_SPACE}*(?P<empty>/?)>"
    rf"|</(?P<end>[a-zA-Z][a-zA-Z0-9]*){_SPACE}*>"
    r"|<")  # anything else: not scanned
_ATTRIBUTES = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)"|='([^']*)')?""")
# A run split at its tags: texts, and between them each tag's name ("/" and the name for
# an end tag) and "/" for a self-closing one.
_RUN_TAG = re.compile(r"<(/?[a-z][a-z0-9]*)(?:[^>]*[^>/])?(/?)>")


class _Patterns:
    """The scanner's patterns, for the self-closing tags of Material's parser."""

    def __init__(self, void: frozenset[str]) -> None:
        # What a run leaves to the events: headings, preformatted and raw text, exclusions.
        special = _alternatives(HEADINGS | _RAW | _UNSCANNED
                                | {"pre", PREFACE, *ALWAYS_SKIPPED})
        name = rf"(?!{special}[ \t\n\r\f/>])[a-z][a-z0-9]*"
        attributes = rf"""(?:{_SPACE}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>&]*"|='[^'<>&]*')?)*"""
        # A heading with its permalink, in one match.
        heading = (rf"(?P<heading><(?P<level>h[1-6])(?P<heading_attributes>{attributes})>"
                   rf"(?P<heading_text>[^<]*)(?:<a(?P<link_attributes>{attributes})>"
                   r"(?P<link_text>[^<]*)</a>)?</(?P=level)>)")

        def tokens(unread: str) -> re.Pattern[str]:
            plain = rf"<(?!{unread}){name}{attributes}{_SPACE}*/?>|</{name}>"
            return re.compile(
                rf"(?P<run>(?:[^<]+|{plain}|<title>[^<]*</title>)+)|{heading}|{_EVENTS}")

        self.events = re.compile(_EVENTS)
        # A plain tag has no attribute the parser reads, nor an entity that could spell one.
        # On a page without the words of exclusions, only `a` tags may be permalinks.
        self.tokens = tokens(r"[^>]*(?i:data-search-exclude|linenodiv|headerlink)")
        self.tokens_unexcluded = tokens(r"a[ \t\n\r\f][^>]*headerlink")


def _alternatives(names: frozenset[str]) -> str:
    """A pattern matching any of the names, as a tree by first letter (tried faster)."""
    first: dict[str, list[str]] = {}
    for name in sorted(names):
        first.setdefault(name[0], []).append(re.escape(name[1:]))
    branches = [letter + ("(?:" + "|".join(sorted(rests, key=len, reverse=True)) + ")"
                          if rests != [""] else "") for letter, rests in first.items()]
    return "(?:" + "|".join(branches) + ")"


# The words of exclusions (the first found quickly by its "-").
_EXCLUDE = re.compile("-search-exclude", re.IGNORECASE)
_LINENODIV = "linenodiv"



@cache
def _patterns(void: frozenset[str]) -> _Patterns:
    return _Patterns(void)


def scan(html: str, void: frozenset[str]) -> list[Section] | None:
    """The page's sections as Material's Parser makes them (`void`: its self-closing tags),
    or None when the HTML is not scanned (see the module's docstring)."""
    patterns = _patterns(void)
    sections = Sections(void)
    excluding = _LINENODIV in html or _EXCLUDE.search(html) is not None
    tokens = patterns.tokens if excluding else patterns.tokens_unexcluded
    try:
        for token in tokens.finditer(html):
            kind = token.lastgroup
            if kind == "run":
                _run(sections, token["run"], patterns)
            elif kind == "heading":
                _heading(sections, token)
            else:
                _event(sections, token)
    except NotScanned:
        return None
    return sections.sections


def _run(sections: Sections, html: str, patterns: _Patterns) -> None:
    if "<" not in html:
        sections.data(_text(html))
    elif not sections.plain_run(_RUN_TAG.split(html)):
        for token in patterns.events.finditer(html):
            _event(sections, token)


def _heading(sections: Sections, token: re.Match[str]) -> None:
    level, text = token["level"], token["heading_text"]
    sections.start(level, _parsed(token["heading_attributes"]))
    if text:
        sections.data(_text(text))
    if token["link_attributes"] is not None:
        sections.start("a", _parsed(token["link_attributes"]))
        if token["link_text"]:
            sections.data(_text(token["link_text"]))
        sections.end("a")
    sections.end(level)


def _event(sections: Sections, token: re.Match[str]) -> None:
    kind = token.lastgroup
    if kind == "text":
        sections.data(_text(token["text"]))
    elif kind == "leaf_text":
        tag, text = token["leaf"], token["leaf_text"]
        if tag in _UNSCANNED:
            raise NotScanned(tag)
        sections.start(tag, _parsed(token["leaf_attributes"]))
        if text:
            # Script and style text is raw (and skipped).
            sections.data(text if tag in ALWAYS_SKIPPED else _text(text))
        sections.end(tag)
    elif kind == "empty":
        tag = token["tag"].lower()
        if tag in _RAW or tag in _UNSCANNED:
            raise NotScanned(tag)
        sections.start(tag, _parsed(token["attributes"]))
        if token["empty"]:
            sections.end(tag)
    elif kind == "end":
        sections.end(token["end"].lower())
    else:
        raise NotScanned(token[0])


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
