"""Where the values a valid account keeps stand in its file, found from the lines alone.

The fast reader (fast_yaml.py) has a file's value but no positions. A valid account keeps only
a few (account_builder._kept_locations): where the document and each list item up to three
levels deep start, and where each `rule:` and `answers:` key stands. They are found here by
following the value through the file's lines in block style, where indentation says what
belongs to what: each key must stand, as written in the value, at its mapping's column, each
list item's `-` at its list's column, and every line between two of them must be blank, a
comment or indented further (the previous value's). A flow collection must close on its line
with one entry for each of the value's. Anything else (a key in quotes, a duplicate key that
py-yaml12 dropped, a collection where the value has none) returns None, and the file is read
strictly. The positions are those libyaml's node marks give: a key's first character, a list
item's first character after `- `, a flow item's first character.
"""

from __future__ import annotations

from typing import Any

import yaml

from kam_review.source.model import FieldPath

Locations = dict[FieldPath, tuple[int, int]]
# The strict reader's libyaml, for block scalars (see _Walk._block).
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NotFound(Exception):
    """The lines do not hold the value the way this reading expects."""


def kept_locations(text: str, value: Any, blocks: bool = False) -> Locations | None:
    """The kept locations, in the order the strict reader records them (a walk of the value
    in document order); None where the lines cannot be read this way. With `blocks` (the
    text may hold block scalars, `key: |`), each block scalar is read again by libyaml and
    must be the same text."""
    lines = text.split("\n")
    # Each line's indentation; -1 for a line that holds nothing (blank or a comment).
    indents = [-1 if not body or body[0] == "#" else len(line) - len(body)
               for line in lines for body in (line.lstrip(" "),)]
    walk = _Walk(lines, indents, {}, blocks)
    try:
        first = walk.after(-1, 0)
        if first is None:
            raise _NotFound
        end = walk.node(value, (), first, indents[first])
        if walk.after(end, 0) is not None:
            raise _NotFound
    except _NotFound:
        return None
    return walk.found


# The keys whose own location is kept, at any depth.
_KEPT_KEYS = ("rule", "answers")
_COLLECTIONS = (dict, list)


def _kept(path: FieldPath) -> bool:
    # As account_builder._kept_locations keeps them.
    return (len(path) <= 3 and (isinstance(path[-1], int) if path else True)) \
        or (bool(path) and path[-1] in _KEPT_KEYS)


class _Walk:
    def __init__(self, lines: list[str], indents: list[int], found: Locations,
                 blocks: bool) -> None:
        self.lines = lines
        self.indents = indents
        self.found = found
        self.blocks = blocks

    def after(self, line: int, column: int) -> int | None:
        """The next line after `line` indented `column` or less, skipping the lines that hold
        nothing and those indented further (they belong to the value before); None at the
        end of the file."""
        indents = self.indents
        for i in range(line + 1, len(indents)):
            if 0 <= indents[i] <= column:
                return i
        return None

    def node(self, value: Any, path: FieldPath, line: int, column: int) -> int:
        """Follow a value that starts at (line, column); the last line where one of its
        entries starts."""
        if _kept(path):  # a key's location is its own, recorded before (see _mapping)
            self.found.setdefault(path, (line + 1, column + 1))
        start = self.lines[line][column]
        if start in "[{":
            return self._flow(value, path, line, column)
        if isinstance(value, dict):
            return self._mapping(value, path, line, column)
        if isinstance(value, list):
            return self._sequence(value, path, line, column)
        return line

    def _next(self, line: int, column: int) -> int:
        """The line of the next entry of a mapping or list at `column`, after its entry on
        `line` (usually the very next line)."""
        indents = self.indents
        following = line + 1
        if following < len(indents) and indents[following] == column:
            return following
        found = self.after(line, column)
        if found is None or indents[found] != column:
            raise _NotFound
        return found

    def _mapping(self, value: dict[str, Any], path: FieldPath, line: int, column: int) -> int:
        lines, indents = self.lines, self.indents
        count = len(indents)
        first = True
        for key, item in value.items():
            if first:
                first = False
            elif line + 1 < count and indents[line + 1] == column:
                line += 1  # the usual case, without a call: the next key on the next line
            else:
                line = self._next(line, column)
            text = lines[line]
            end = column + len(key)
            # `key: ` or `key:` ending the line, as written in the value.
            if not (text.startswith(key, column) and (text.startswith(": ", end) or (
                    len(text) == end + 1 and text[end] == ":"))):
                raise _NotFound
            if key in _KEPT_KEYS:
                self.found[(*path, key)] = (line + 1, column + 1)
                line = self._value(item, (*path, key), line, end + 1, column)
            elif type(item) in _COLLECTIONS:  # the fast reader's values are plain
                line = self._value(item, (*path, key), line, end + 1, column)
            elif self.blocks and text[end + 1:].lstrip(" ")[:1] in ("|", ">"):
                self._block(item, line, column)
            # A text, number or null: its further lines, if any, are indented further.
        ends = self.after(line, column)
        if ends is not None and self.indents[ends] == column:
            raise _NotFound  # a key the value does not have: a duplicate, or a misreading
        return line

    def _sequence(self, value: list[Any], path: FieldPath, line: int, column: int) -> int:
        lines = self.lines
        # Items whose place is kept, and collections, are followed; a text or a number deeper
        # down holds nothing to find (its further lines are indented further).
        follow_all = len(path) < 3 or self.blocks
        for i, item in enumerate(value):
            if i:
                line = self._next(line, column)
            text = lines[line]
            if text[column:column + 2] != "- " and text[column:] != "-":
                raise _NotFound
            if follow_all or isinstance(item, (dict, list)):
                line = self._value(item, (*path, i), line, column + 1, column)
        ends = self.after(line, column)
        if ends is not None and self.indents[ends] == column and \
                lines[ends][column:column + 2].rstrip() == "-":
            raise _NotFound  # an item the value does not have
        return line

    def _value(self, item: Any, path: FieldPath, line: int, after: int, owner: int) -> int:
        """Follow the value of a key or list item whose indicator (`:` or `-`) ends at column
        `after` of `line`, in a mapping or list at column `owner`."""
        text = self.lines[line]
        rest = text[after:].lstrip(" ")
        if rest and rest[0] != "#":
            if self.blocks and rest[0] in "|>":
                self._block(item, line, owner)
            column = len(text) - len(rest)
            if isinstance(item, (dict, list)) and rest[0] not in "[{" and \
                    not (path and isinstance(path[-1], int)):
                raise _NotFound  # a key's collection on its own line, or a misreading
            return self.node(item, path, line, column)
        if not isinstance(item, (dict, list)):
            if _kept(path):  # an empty item or a value on the next lines
                raise _NotFound
            return line
        # The collection starts on the next line holding something; a list may stand at its
        # key's column, anything else further in.
        following = next((i for i in range(line + 1, len(self.indents))
                          if self.indents[i] >= 0), None)
        if following is None:
            raise _NotFound
        column = self.indents[following]
        if column < owner or (column == owner and not (
                isinstance(item, list) and path and isinstance(path[-1], str)
                and self.lines[following][column] == "-")):
            raise _NotFound
        return self.node(item, path, following, column)

    def _block(self, item: Any, line: int, owner: int) -> None:
        """A block scalar (`key: |` or `- >-`) of a mapping or list at column `owner`, read by
        libyaml where it stands (its lines, at their columns), must be the text py-yaml12
        read: the two read some (an empty one) differently."""
        lines = self.lines
        ends = self.after(line, owner)
        head = [" " * owner + lines[line][owner:]]
        snippet = "\n".join(head + lines[line + 1:]) if ends is None else \
            "\n".join(head + lines[line + 1:ends]) + "\n"
        try:
            loaded = yaml.load(snippet, Loader=_LOADER)
        except yaml.YAMLError:
            raise _NotFound from None
        read = list(loaded.values()) if isinstance(loaded, dict) else loaded
        if read != [item] or not isinstance(item, str):
            raise _NotFound

    def _flow(self, value: Any, path: FieldPath, line: int, column: int) -> int:
        """A flow collection ([a, b] or {k: v}) on one line, the rest of which is empty or a
        comment."""
        text = self.lines[line]
        end = self._flow_at(value, path, text, line, column)
        rest = text[end:].lstrip(" ")
        if rest and rest[0] != "#":
            raise _NotFound
        return line

    def _flow_at(self, value: Any, path: FieldPath, text: str, line: int, at: int) -> int:
        """Follow a flow collection opening at column `at`: one entry for each of the value's
        (py-yaml12 keeps the last of two equal keys, so a duplicate shows here), each key
        written as it reads, collections inside where the value has them; the column after
        its closing bracket."""
        mapping = text[at] == "{"
        if not isinstance(value, dict if mapping else list):
            raise _NotFound
        close = "}" if mapping else "]"
        at = _skip(text, at + 1)
        if not value:
            if text[at:at + 1] != close:
                raise _NotFound
            return at + 1
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for n, (key, item) in enumerate(items):
            if n:
                if text[at:at + 1] != ",":
                    raise _NotFound
                at = _skip(text, at + 1)
            if _kept((*path, key)):
                self.found[(*path, key)] = (line + 1, at + 1)
            if mapping:
                end = at + len(key)
                if not text.startswith(key, at) or text[end:end + 2] != ": ":
                    raise _NotFound
                at = _skip(text, end + 2)
            if isinstance(item, (dict, list)):
                if text[at:at + 1] not in ("[", "{"):
                    raise _NotFound
                at = _skip(text, self._flow_at(item, (*path, key), text, line, at))
            else:
                at = _scalar_end(text, at)
        if text[at:at + 1] != close:
            raise _NotFound
        return at + 1


def _skip(text: str, at: int) -> int:
    """The first column from `at` that is not a space."""
    return len(text) - len(text[at:].lstrip(" "))


def _scalar_end(text: str, at: int) -> int:
    """Where a scalar inside a flow collection ends: at the comma or bracket after it."""
    if text[at:at + 1] in ("'", '"'):
        quote = text[at]
        at = text.find(quote, at + 1)
        while quote == "'" and at >= 0 and text[at + 1:at + 2] == "'":  # '' is a quote
            at = text.find(quote, at + 2)
        if at < 0:
            raise _NotFound
        return _skip(text, at + 1)
    found = at
    while found < len(text) and text[found] not in ",[]{}#":
        found += 1
    if found == at or found == len(text) or text[found] in "[{#":
        raise _NotFound
    return found
