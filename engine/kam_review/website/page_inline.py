"""The inline Markdown of the generated pages as the HTML Python-Markdown makes of it.

The page generators write a small, fixed inline dialect: user text escaped into entities
(output/markdown_text.py), code spans, links to pages and anchors, `**strong**`, `*em*`,
and raw inline tags (`<span ...>`, `<br>`, `<del>`). This module turns that dialect into
HTML pieces, with Python-Markdown's order of patterns (code spans first, then links, then
raw HTML and entities, then emphasis) and its escaping. Anything outside the dialect (a
backslash escape, an underscore, a stray bracket or asterisk, an autolink, a hard line
break) raises Unsupported, and the page is converted by Python-Markdown instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.etree.ElementTree import Element

from markdown.inlinepatterns import ENTITY_RE, HTML_RE
from markdown.serializers import RE_AMP
from markdown.util import BLOCK_LEVEL_ELEMENTS

# A piece of inline HTML: finished text, or an element (a, strong, em, code) whose text and
# tail are finished HTML.
Piece = str | Element


# A link's target, marked to be resolved as MkDocs resolves it once the page is written.
LINK_MARK = "\x01"
# A raw block kept as written (Python-Markdown's placeholder paragraph, replaced by it).
RAW = "\0raw"


class Unsupported(Exception):
    """The page uses Markdown this emitter does not write; it is converted instead."""


_BACKTICKS = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# A link, and the one attribute attr_list may give it (`{download="name.csv"}`).
_LINK = re.compile(r"\[([^\[\]]*)\]\(([-A-Za-z0-9._~/#%:?=+]+)\)"
                   r"(?:\{([a-z]+)=\"([^\"{}<>&\\]*)\"\})?")
_TAG = re.compile(HTML_RE, re.DOTALL)
# Text without these is the same text in HTML (but for >).
_SPECIAL = re.compile(r"[`\[\]<&*_{}\\!\x00\x02\x03]|  \n")
# Text without these holds no code span, link, tag or emphasis.
_STRUCTURE = re.compile(r"[`\[\]<*]")
_ENTITY = re.compile(ENTITY_RE)
_TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
BLOCK_TAGS = frozenset(BLOCK_LEVEL_ELEMENTS)
# What the dialect never writes outside code spans and tags: Python-Markdown would read it
# as an escape, attributes, emphasis (an underscore inside a word is none), an image, an
# autolink or a hard line break.
_REFUSED = re.compile(r"[\\{}\x00\x01\x02\x03]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|!\[|  \n"
                      r"|<[A-Za-z][A-Za-z0-9+.-]*://|<[^<> !]+@")


def cdata(text: str) -> str:
    """Text as Python-Markdown's serializer writes it."""
    if "&" in text:
        text = RE_AMP.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def attribute(text: str) -> str:
    """An attribute value as Python-Markdown's serializer writes it."""
    return cdata(text).replace('"', "&quot;")


def code_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline(text: str) -> list[Piece]:
    """A paragraph's, a cell's or a heading's text as HTML pieces."""
    if not _SPECIAL.search(text):
        return [text.replace(">", "&gt;")]
    if not _STRUCTURE.search(text):
        # Entities only: kept as the serializer keeps them, the rest escaped.
        if _REFUSED.search(text):
            raise Unsupported(f"inline: {text[:80]!r}")
        return [cdata(text)]
    pieces: list[Piece] = []
    start = 0
    for match in _BACKTICKS.finditer(text):
        pieces += _links(text[start:match.start()])
        if _TAG_LIKE.search(match.group(2)):
            # md_in_html reads a tag even there, before code spans are known.
            raise Unsupported("a tag in a code span")
        code = Element("code")
        code.text = code_escape(match.group(2).strip())
        pieces.append(code)
        start = match.end()
    pieces += _links(text[start:])
    return _emphasis(pieces)


def _links(text: str) -> list[Piece]:
    if "[" not in text:  # most texts: no link to look for
        return _atoms(text)
    pieces: list[Piece] = []
    start = 0
    for match in _LINK.finditer(text):
        if text[match.start() - 1:match.start()] == "!":
            raise Unsupported("an image")
        pieces += _atoms(text[start:match.start()])
        link = Element("a", {"href": LINK_MARK + match.group(2) + LINK_MARK})
        if match.group(3):
            link.set(match.group(3), match.group(4))
        _attach(link, _emphasis(_atoms(match.group(1))))
        pieces.append(link)
        start = match.end()
    return pieces + _atoms(text[start:])


def _atoms(text: str) -> list[Piece]:
    """Raw tags and entities kept as written (marked by a leading NUL), the rest as text."""
    if "[" in text or "]" in text or "`" in text or _REFUSED.search(text):
        raise Unsupported(f"inline: {text[:80]!r}")
    pieces: list[Piece] = []
    start = 0
    for match in _TAG.finditer(text):
        name = _TAG_NAME.match(match.group(0))
        if name is not None and name.group(1).lower() in BLOCK_TAGS:
            raise Unsupported("a block tag inside text")
        pieces += _entities(text[start:match.start()])
        pieces.append("\0" + match.group(0))
        start = match.end()
    pieces += _entities(text[start:])
    return pieces


def _entities(text: str) -> list[Piece]:
    if "<" in text:
        raise Unsupported("a < that is no tag")
    pieces: list[Piece] = []
    start = 0
    for match in _ENTITY.finditer(text):
        pieces.append(text[start:match.start()])
        pieces.append("\0" + match.group(0))
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def _emphasis(pieces: list[Piece]) -> list[Piece]:
    """`**strong**` and `*em*` over the pieces (a delimiter only in plain text), then the
    plain text escaped."""
    flat: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and not piece.startswith("\0") and "*" in piece:
            flat += [part for part in re.split(r"(\*+)", piece) if part]
        else:
            flat.append(piece)
    out: list[Piece] = []
    index = 0
    while index < len(flat):
        piece = flat[index]
        if isinstance(piece, str) and piece.startswith("*"):
            index = _delimited(flat, index, out)
            continue
        out.append(_finished(piece))
        index += 1
    return out


def _delimited(flat: list[Piece], index: int, out: list[Piece]) -> int:
    """The emphasis opened at flat[index], appended to out; the index after its closing."""
    run = flat[index]
    assert isinstance(run, str)
    if len(run) > 2:
        raise Unsupported("a run of asterisks")
    close = next((i for i in range(index + 1, len(flat)) if isinstance(flat[i], str)
                  and str(flat[i]).startswith("*")), None)
    if close is None or flat[close] != run or close == index + 1:
        raise Unsupported("unpaired emphasis")
    first, last = flat[index + 1], flat[close - 1]
    if (isinstance(first, str) and first[:1].isspace()) or (
            isinstance(last, str) and last[-1:].isspace()):
        raise Unsupported("emphasis next to a space")
    element = Element("strong" if run == "**" else "em")
    _attach(element, [_finished(piece) for piece in flat[index + 1:close]])
    out.append(element)
    return close + 1


def _finished(piece: Piece) -> Piece:
    if isinstance(piece, str):
        return piece[1:] if piece.startswith("\0") else cdata(piece)
    return piece


def _attach(parent: Element, pieces: list[Piece]) -> None:
    """Pieces as the text, children and tails of parent."""
    last: Element | None = None
    for piece in pieces:
        if isinstance(piece, Element):
            parent.append(piece)
            last = piece
        elif last is None:
            parent.text = (parent.text or "") + piece
        else:
            last.tail = (last.tail or "") + piece


def attach(parent: Element, text: str) -> None:
    """Text's inline HTML into parent (which has no content yet)."""
    _attach(parent, inline(text))


# Table cells repeat within a page and across pages (labels, dashes, stages, owners).
@lru_cache(maxsize=8192)
def inline_html(text: str) -> str:
    """Text's inline HTML, written."""
    out: list[str] = []
    for piece in inline(text):
        if isinstance(piece, str):
            out.append(piece)
        else:
            write(piece, out)
    return "".join(out)


def write(element: Element, out: list[str]) -> None:
    """Python-Markdown's serializer, for a tree whose text is finished HTML."""
    if element.tag == RAW:
        # Python-Markdown ends a raw block with a line break of its own.
        out.append((element.text or "") + "\n")
    else:
        out.append("<" + element.tag)
        for key, value in sorted(element.items()):
            out.append(f' {key}="{attribute(value)}"')
        out.append(">" + (element.text or ""))
        for child in element:
            write(child, out)
        out.append(f"</{element.tag}>")
    out.append(element.tail or "")
