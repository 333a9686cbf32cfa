"""Making user text inert for each kind of output: the terminal, XML, and one line of page text.

Account and rule files may hold any Unicode, written raw or as YAML escapes ("\\e", "\\u202e"):
control and escape sequences that would drive a terminal, bidirectional controls that show
text in another order than it is stored, characters XML cannot hold, lone surrogates that
cannot be written as UTF-8 at all. Every writer passes user text through the one function
for its context here; Markdown and HTML escaping (markdown_text.py) starts from `one_line`.
"""

from __future__ import annotations

import re
import unicodedata

# Embeddings and overrides (closed by U+202C) and isolates (closed by U+2069).
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
_ISOLATES = frozenset("\u2066\u2067\u2068")
_PDF, _PDI = "\u202c", "\u2069"
# Every bidirectional control, the three marks (ALM, LRM, RLM) included.
BIDI_CONTROLS = frozenset({*_EMBEDDINGS, *_ISOLATES, _PDF, _PDI, "\u061c", "\u200e", "\u200f"})
_BIDI_OPENER = re.compile("[\u202a\u202b\u202d\u202e\u2066\u2067\u2068]")
# Controls, format characters (zero-width, bidi, tags ...), surrogates and line separators:
# on a terminal each of them is shown as its escape, never sent.
_HIDDEN_ON_TERMINAL = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# In page text: characters that are no text at all (controls, surrogates, U+FFFE and U+FFFF);
# format characters stay, as joiners and bidi marks are part of some scripts' spelling.
_NOT_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What XML 1.0 cannot hold (section 2.2, Char).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escaped(char: str) -> str:
    """One character as the escape a reader can type back: \\x1b, \\u202e, \\U000e0041."""
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def terminal_text(text: str, multiline: bool = False) -> str:
    """Text safe to print: every control, escape, format or bidi character shown as its escape
    (a newline is kept where the output has several lines of one text)."""
    if text.isprintable():  # the common case, decided in C
        return text
    return "".join(char if char.isprintable() or (multiline and char == "\n")
                   or unicodedata.category(char) not in _HIDDEN_ON_TERMINAL
                   else escaped(char) for char in text)


def balanced_bidi(text: str) -> str:
    """The text with every embedding, override or isolate it opens closed at its end, so that
    it cannot reorder what a page shows after it. Nothing the user wrote is removed."""
    if not _BIDI_OPENER.search(text):
        return text
    still_open: list[str] = []
    for char in text:
        if char in _EMBEDDINGS:
            still_open.append(_PDF)
        elif char in _ISOLATES:
            still_open.append(_PDI)
        elif char == _PDF and still_open[-1:] == [_PDF]:
            still_open.pop()
        elif char == _PDI and _PDI in still_open:  # closes its isolate and all inside it
            del still_open[len(still_open) - 1 - still_open[::-1].index(_PDI):]
    return text + "".join(reversed(still_open))


def one_line(text: str) -> str:
    """User text for one line of a page: white space collapsed, controls shown as escapes,
    bidi runs closed. Markdown and HTML escaping come after this."""
    text = _NOT_TEXT.sub(lambda match: escaped(match.group()), " ".join(text.split()))
    return balanced_bidi(text)


def xml_text(text: str) -> str:
    """Text an XML 1.0 document (or a SARIF log that a code host shows) can carry: characters
    XML forbids removed, bidi runs closed."""
    return balanced_bidi(_NOT_XML.sub("", text))


def unencodable(text: str) -> str | None:
    """The first lone surrogate in text (half of a character: it cannot be written as UTF-8,
    yet a YAML escape or a file name that is not UTF-8 can hold one), else None."""
    # Encoding fails exactly where a lone surrogate is, and is many times faster than the
    # search on a text without one (a page's HTML on its way into the page cache).
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        match = _SURROGATE.search(text)
        return match.group() if match else None
    return None


def encodable(text: str) -> str:
    """The text with each lone surrogate shown as its escape, so that it can be written."""
    return _SURROGATE.sub(lambda match: escaped(match.group()), text)
