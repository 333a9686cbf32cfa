"""How wide text is on a terminal: East Asian wide and fullwidth characters (汉字, ＡＢ) take
two columns, combining marks none, every other character one; padding a column counts
columns, not code points, so that Chinese words line up with the rows below them."""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """The columns `text` takes on a terminal."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` columns (as f"{text:<width}" does
    for text one column a character)."""
    return text + " " * max(0, width - display_width(text))
