"""Where a character inside a YAML text value stands in its file (line and column).

A rule's condition is text inside YAML: an error at the 20th character of
`when: growth_yoy > .5 and revenu_ttm > 1e-3` should point at that character in the file,
and so it must for a value in quotes (the quote and escapes come before it) or folded over
several lines. The file is read again only when such an error is reported, so loading a
valid file costs nothing more.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kam_review.source.model import FieldPath

# Line breaks as YAML counts lines.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


class TextPositions:
    """Positions inside the text values of one YAML file, read once, on the first question."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._read = False
        self._text = ""
        self._root: Node | None = None

    def position(self, field: FieldPath, offset: int) -> tuple[int, int] | None:
        """The line and column (from 1) of the character at `offset` in the text value at
        `field` (the end of the value for an offset at its length); None if the file no
        longer holds such a value."""
        if not self._read:
            self._read = True
            try:
                self._text = self._path.read_text(encoding="utf-8")
                # The pure-Python composer's marks count characters, as `offset` does.
                self._root = yaml.compose(self._text, Loader=yaml.SafeLoader)
            except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
                self._root = None
        node = _find(self._root, field)
        if not isinstance(node, ScalarNode) or not 0 <= offset <= len(node.value):
            return None
        return self._line_and_column(node, offset)

    def _line_and_column(self, node: ScalarNode, offset: int) -> tuple[int, int]:
        start = node.start_mark.index
        written = self._text[start:node.end_mark.index]
        # Walk the value and its written form together: what the value does not hold
        # (quotes, escapes' backslashes, indentation, folded line breaks) is skipped.
        at = 0
        for char in node.value[:offset]:
            found = written.find(char, at)
            at = found + 1 if found >= 0 else at
        if offset < len(node.value):
            found = written.find(node.value[offset], at)
            at = found if found >= 0 else at
        before = _LINE_BREAK.split(written[:at])
        if len(before) == 1:
            return node.start_mark.line + 1, node.start_mark.column + 1 + at
        return node.start_mark.line + len(before), len(before[-1]) + 1


def _find(node: Node | None, field: FieldPath) -> Node | None:
    for part in field:
        if isinstance(node, MappingNode):
            node = next((value for key, value in node.value
                         if isinstance(key, ScalarNode) and key.value == part), None)
        elif isinstance(node, SequenceNode) and isinstance(part, int) and \
                0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node
