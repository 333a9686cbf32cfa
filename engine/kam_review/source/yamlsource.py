"""Reading a YAML file strictly, remembering where every value stands.

PyYAML's loaders keep the last of two duplicate keys, expand aliases without limit and
forget line numbers. Account and rule files are written by hand, so this reader composes
the node tree with the safe loader and builds plain values itself: duplicate keys, anchors and
aliases, non-standard tags, non-finite or unreadably long numbers and nesting deeper than any
account needs become errors with their line and column. It also remembers what was written
wherever YAML read something other than text (`No` as false, `0250000` as the octal 86016),
so that messages can say so. Single values are read and judged in yaml_values.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kam_review.errors import InputError
from kam_review.paths import display_path
from kam_review.source.model import FieldPath, clip, format_path
from kam_review.source.yaml_values import (
    ALIAS_MESSAGE,
    STANDARD,
    Anchors,
    anchor_message,
    anchors,
    first_alias,
    in_yaml11_form,
    is_typed,
    read_scalar,
)

# Account files are small (a large account is well under 100 KiB); anything larger is refused
# before parsing, so a huge or hostile file cannot use up time or memory.
MAX_FILE_BYTES = 2 * 1024 * 1024

# LibYAML's composer when PyYAML has it (it does in the wheels on PyPI): it is five times
# faster than the pure-Python one. Both build the same node tree.
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Lists and mappings inside one another: an account needs fewer than 10 levels, a rule's
# condition a few more. Deeper input is refused where it passes the limit, so that neither
# this walk nor the schema check recurses without bound (500 brackets fit in 1 KB).
MAX_DEPTH = 32
_TOO_DEEP = (f"nested deeper than {MAX_DEPTH} levels (lists and mappings inside one another); "
             "an account file needs fewer than 10, a rule file a few more")
# Line breaks as YAML counts lines.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# Errors of a construct that the parser notices only where it expected the construct's end.
_BEGUN = frozenset(("while scanning a simple key", "while parsing a flow sequence",
                    "while parsing a flow mapping", "while scanning a quoted scalar"))


@dataclass
class YamlDocument:
    """A file's plain value, where each value stands, and the problems found on the way.
    `written` holds the text as written of every value YAML read as a number, a boolean or
    null; `yaml11` the values written in a number form only YAML 1.1 reads (0250000, 1:30,
    0x1F, 1_000), which the schema check refuses; `line_breaks` the style of each text that
    holds a line break (| or > for a block scalar, which keeps its final newline unless
    written |- or >-; a quote or None otherwise); `unread` the values refused here (an
    infinite number, a tag on odd text), about which the schema check says nothing more;
    `encodable` that every text is known to be writable as UTF-8 (read from UTF-8 with no
    escape that could make half a character), so the check for such texts is spared."""

    value: Any
    locations: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    written: dict[FieldPath, str] = field(default_factory=dict)
    yaml11: list[FieldPath] = field(default_factory=list)
    line_breaks: dict[FieldPath, str | None] = field(default_factory=dict)
    unread: set[FieldPath] = field(default_factory=set)
    encodable: bool = False

    def locate(self, path: FieldPath) -> tuple[int, int]:
        """Where a value stands (line, column), or its nearest parent that the file has: a
        missing field is reported where its mapping is."""
        while path and path not in self.locations:
            path = path[:-1]
        return self.locations.get(path, (1, 1))

    def at(self, path: FieldPath) -> Any:
        """The value at a path the walk recorded."""
        value = self.value
        for part in path:
            value = value[part]
        return value


def read_yaml(path: Path, *, shown_as: str | None = None,
              content: bytes | None = None) -> YamlDocument:
    """Read one YAML file (or its bytes, already read). On any error the value is None or
    partial; errors say why."""
    name = shown_as or display_path(path)
    try:
        size = len(content) if content is not None else path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _failed(name, 1, 1, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        raw = content if content is not None else path.read_bytes()
    except OSError as error:
        return _failed(name, 1, 1, f"cannot read the file: {error.strerror or error}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return _failed(name, line, column, "the file is not UTF-8 text")
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> YamlDocument:
    if not text.strip():
        return _failed(name, 1, 1, "the file is empty")
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as error:
        line, column, problem = _placed(error)
        if "maximum nesting depth" in problem:  # LibYAML stops at 1,000 levels
            return _failed(name, *_within(text, line, column), _TOO_DEEP)
        return _failed(name, *_within(text, line, column), f"malformed YAML: {problem}")
    except yaml.reader.ReaderError as error:
        line, column = _reader_position(text, error.position)
        return _failed(name, line, column, f"malformed YAML: {error.reason} "
                       f"(character U+{_code(error.character):04X})")
    except yaml.YAMLError as error:
        return _failed(name, 1, 1, f"malformed YAML: {error}")
    except RecursionError:  # only PyYAML's pure-Python composer recurses
        return _failed(name, 1, 1, _TOO_DEEP)
    if root is None:
        return _failed(name, 1, 1, "the file holds no YAML document")
    document = YamlDocument(value=None)
    walk = _Walk(name, anchors(text, _COMPOSER), text)
    try:
        document.value = _build(root, (), document, walk)
    except _AliasFound:
        document.value = None
    _keep_inside(document, text)
    return document


def _placed(error: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """Where a syntax error is, and what it is. The parser notices an unfinished key, flow
    collection or quoted text only where it expected its end, often on a later line: the
    error is placed where that construct begins, and says where it was noticed."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or "malformed YAML"
    if not error.context:
        return line, column, problem
    problem = f"{error.context}: {problem}"
    begun = error.context_mark
    if begun is not None and error.context in _BEGUN and begun.line + 1 < line:
        return (begun.line + 1, begun.column + 1,
                f"{problem} (noticed at line {line}, column {column})")
    return line, column, problem


def _keep_inside(document: YamlDocument, text: str) -> None:
    """Node marks of an empty value at the end of the input (`---` alone) stand on a line
    after the last one: every location is kept inside the file."""
    last = text.count("\n") + 1
    if all(line <= last for line, _ in document.locations.values()) and all(
            error.line <= last for error in document.errors):
        return  # the usual case: nothing to move; the exact check below splits the text
    document.locations = {path: _within(text, *where)
                          for path, where in document.locations.items()}
    document.errors = [replace(error, line=moved[0], column=moved[1])
                       for error in document.errors
                       for moved in [_within(text, error.line, error.column)]]


def _within(text: str, line: int, column: int) -> tuple[int, int]:
    """A position inside the text: the parser puts an error at the end of the input on a
    line after the last one."""
    lines = _LINE_BREAK.split(text)
    if line <= len(lines):
        return line, column
    return len(lines), len(lines[-1]) + 1


def _reader_position(text: str, position: int) -> tuple[int, int]:
    # LibYAML counts the position in UTF-8 bytes, PyYAML's own reader in characters.
    if _COMPOSER is not yaml.SafeLoader:
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    before = _LINE_BREAK.split(text[:position])
    return len(before), len(before[-1]) + 1


def _code(character: Any) -> int:
    return character if isinstance(character, int) else ord(str(character)[:1] or "?")


class _AliasFound(Exception):
    """Raised inside the walk at the first aliased node; the error is already recorded."""


@dataclass
class _Walk:
    """What the walk over one file's nodes keeps: the file's name, the nodes met so far (an
    alias hands out a node again) and the anchors, by the position and kind of their node."""

    name: str
    anchors: Anchors
    text: str = ""
    seen: set[int] = field(default_factory=set)


def _failed(name: str, line: int, column: int, message: str) -> YamlDocument:
    return YamlDocument(value=None, errors=[InputError(name, line, column, "", message)])


def _build(node: Node, path: FieldPath, document: YamlDocument, walk: _Walk) -> Any:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    document.locations[path] = (line, column)

    def error(message: str) -> None:
        document.errors.append(
            InputError(walk.name, line, column, format_path(path) if path else "", message)
        )

    if len(path) >= MAX_DEPTH and not isinstance(node, ScalarNode):
        error(_TOO_DEEP)
        return None

    # An alias makes the composer hand out the same node twice. Account files have no use
    # for aliases, and nested ones are how a small file expands into gigabytes (the "billion
    # laughs"): the walk stops at the first node it meets again, which the document's first
    # alias handed out (the walk follows the document's order). The node's marks are its
    # anchor's: the error names where the alias stands.
    if id(node) in walk.seen:
        line, column = first_alias(walk.text, _COMPOSER) or (line, column)
        document.locations[path] = (line, column)
        error(ALIAS_MESSAGE)
        raise _AliasFound
    walk.seen.add(id(node))
    anchor = walk.anchors.get((line, column, type(node))) if walk.anchors else None
    if anchor is not None:
        error(anchor_message(anchor))

    if isinstance(node, ScalarNode):
        found = len(document.errors)
        value = read_scalar(node, error)
        if len(document.errors) > found:
            document.unread.add(path)  # its error says all there is to say about it
        elif is_typed(node):
            document.written[path] = node.value
            if in_yaml11_form(node):
                document.yaml11.append(path)
        elif not node.value.isprintable() and _LINE_BREAK.search(node.value):
            document.line_breaks[path] = node.style
        return value
    if isinstance(node, SequenceNode):
        if node.tag != f"{STANDARD}seq":
            error(f"unsupported YAML tag {node.tag}")
            return None
        return [_build(item, (*path, i), document, walk)
                for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        if node.tag != f"{STANDARD}map":
            error(f"unsupported YAML tag {node.tag}")
            return None
        return _mapping(node, path, document, walk)
    error("unsupported YAML node")
    return None


def _mapping(node: MappingNode, path: FieldPath, document: YamlDocument, walk: _Walk) -> Any:
    name = walk.name
    result: dict[str, Any] = {}
    first_seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        # Keys are taken as written: YAML 1.1 would turn a key `on:` or `no:` into a boolean.
        if not isinstance(key_node, ScalarNode) or key_node.tag == f"{STANDARD}merge":
            document.errors.append(
                InputError(name, key_line, key_column, format_path(path),
                           "keys must be plain names")
            )
            continue
        key = key_node.value
        key_path = (*path, key)
        anchor = walk.anchors.get((key_line, key_column, type(key_node))) if walk.anchors else None
        if anchor is not None:
            document.errors.append(InputError(name, key_line, key_column,
                                              format_path(key_path), anchor_message(anchor)))
        if key in first_seen:
            document.errors.append(
                InputError(
                    name,
                    key_line,
                    key_column,
                    format_path(key_path),
                    f"duplicate key '{clip(key)}' (first on line {first_seen[key]}); "
                    "YAML would silently keep only the last one",
                )
            )
            continue
        first_seen[key] = key_line
        result[key] = _build(value_node, key_path, document, walk)
        # Point at the key: that is where an editor should jump for this field.
        document.locations[key_path] = (key_line, key_column)
    return result
