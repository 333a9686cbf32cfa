"""Reading a YAML file strictly, remembering where every value stands.

PyYAML's loaders keep the last of two duplicate keys, expand aliases without limit and
forget line numbers. Account and rule files are written by hand, so this reader composes
the node tree with the safe loader and builds plain values itself: duplicate keys, aliases,
non-standard tags and non-finite numbers become errors with their line and column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InputError
from .model import FieldPath, format_path
from .text_safety import encodable

# Account files are small (a large account is well under 100 KiB); anything larger is refused
# before parsing, so a huge or hostile file cannot use up time or memory.
MAX_FILE_BYTES = 2 * 1024 * 1024

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD}{name}" for name in ("str", "int", "float", "bool", "null")}
_TIMESTAMP_TAG = f"{_STANDARD}timestamp"


# Used only for its scalar converters, which keep no state between calls.
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# LibYAML's composer when PyYAML has it (it does in the wheels on PyPI): it is five times
# faster than the pure-Python one. Both build the same node tree.
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALIAS_MESSAGE = ("anchors and aliases (*name) are not supported: this value is used again "
                  "through an alias; write it out")


@dataclass
class YamlDocument:
    """A file's plain value, where each value stands, and the problems found on the way."""

    value: Any
    locations: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder where possible. Bytes
    of a file name that are not UTF-8 (which Linux allows) show as escapes (\\udcff), so that
    the name can be printed, and stored as a key of the account cache."""
    try:
        return encodable(str(path.resolve().relative_to(Path.cwd().resolve())))
    except ValueError:
        return encodable(str(path))


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
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = error.problem or "malformed YAML"
        if error.context:
            problem = f"{error.context}: {problem}"
        return _failed(name, line, column, f"malformed YAML: {problem}")
    except yaml.YAMLError as error:
        return _failed(name, 1, 1, f"malformed YAML: {error}")
    if root is None:
        return _failed(name, 1, 1, "the file holds no YAML document")
    document = YamlDocument(value=None)
    try:
        document.value = _build(root, (), document, name, set())
    except _AliasFound:
        document.value = None
    return document


class _AliasFound(Exception):
    """Raised inside the walk at the first aliased node; the error is already recorded."""


def _failed(name: str, line: int, column: int, message: str) -> YamlDocument:
    return YamlDocument(value=None, errors=[InputError(name, line, column, "", message)])


def _build(node: Node, path: FieldPath, document: YamlDocument, name: str,
           seen: set[int]) -> Any:
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    document.locations[path] = (line, column)

    def error(message: str) -> None:
        document.errors.append(
            InputError(name, line, column, format_path(path) if path else "", message)
        )

    # An alias makes the composer hand out the same node twice. Account files have no use
    # for aliases, and nested ones are how a small file expands into gigabytes (the "billion
    # laughs"): the walk stops at the first node it meets again.
    if id(node) in seen:
        error(_ALIAS_MESSAGE)
        raise _AliasFound
    seen.add(id(node))

    if isinstance(node, ScalarNode):
        return _scalar(node, error)
    if isinstance(node, SequenceNode):
        if node.tag != f"{_STANDARD}seq":
            error(f"unsupported YAML tag {node.tag}")
            return None
        return [_build(item, (*path, i), document, name, seen)
                for i, item in enumerate(node.value)]
    if isinstance(node, MappingNode):
        if node.tag != f"{_STANDARD}map":
            error(f"unsupported YAML tag {node.tag}")
            return None
        return _mapping(node, path, document, name, seen)
    error("unsupported YAML node")
    return None


def _mapping(node: MappingNode, path: FieldPath, document: YamlDocument, name: str,
             seen: set[int]) -> Any:
    result: dict[str, Any] = {}
    first_seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        # Keys are taken as written: YAML 1.1 would turn a key `on:` or `no:` into a boolean.
        if not isinstance(key_node, ScalarNode) or key_node.tag == f"{_STANDARD}merge":
            document.errors.append(
                InputError(name, key_line, key_column, format_path(path),
                           "keys must be plain names")
            )
            continue
        key = key_node.value
        key_path = (*path, key)
        if key in first_seen:
            document.errors.append(
                InputError(
                    name,
                    key_line,
                    key_column,
                    format_path(key_path),
                    f"duplicate key '{key}' (first on line {first_seen[key]}); "
                    "YAML would silently keep only the last one",
                )
            )
            continue
        first_seen[key] = key_line
        result[key] = _build(value_node, key_path, document, name, seen)
        # Point at the key: that is where an editor should jump for this field.
        document.locations[key_path] = (key_line, key_column)
    return result


def _scalar(node: ScalarNode, error: Any) -> Any:
    if node.tag == _TIMESTAMP_TAG:
        # Dates stay text here; the schema checks them, so 2026-02-30 is reported, not raised.
        return node.value
    if node.tag not in _SCALAR_TAGS:
        error(f"unsupported YAML tag {node.tag}")
        return None
    try:
        value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except (ValueError, yaml.YAMLError) as exc:
        error(f"cannot read the value {node.value!r}: {exc}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        error(f"{node.value!r} is not a finite number")
        return None
    return value
