"""Line breaks in the fields that hold one line of text: ids, names, titles, dates, choices.

A YAML block scalar (`name: |`) keeps its final newline unless written `|-`, and a quoted
value may hold one as an escape ("CNY\\n"), so "Acme\\n" can reach a field meant for one
line, and the schema's patterns let it through (Python's `$` matches before a final newline).
Every line break YAML knows (also U+0085, U+2028 and U+2029) is refused in such a field, with
the field and its line. Which fields hold one line is read from the schema: text with a
pattern, a format or a fixed set of values, or limited to 200 characters."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.source.model import FieldPath, clip, format_path
from kam_review.source.yamlsource import YamlDocument
from kam_review.wording import counted

# Longer text (summaries, reasons, goals) may run over several lines.
ONE_LINE_MAX = 200

# A field's place in the schema; None stands for every item of a list.
FieldPattern = tuple[str | None, ...]


def one_line_fields(schema: Mapping[str, Any]) -> set[FieldPattern]:
    """Every field of the schema that holds one line of text."""
    found: set[FieldPattern] = set()

    def walk(node: Mapping[str, Any], where: FieldPattern) -> None:
        kind = node.get("type")
        choices = node.get("enum")
        # A field may take text or a number (a period: 2026 or 2026-Q4).
        text = kind == "string" or (isinstance(kind, list) and "string" in kind)
        if text or (choices and all(isinstance(c, str) for c in choices)):
            if ("pattern" in node or "format" in node or choices
                    or node.get("maxLength", ONE_LINE_MAX + 1) <= ONE_LINE_MAX):
                found.add(where)
        elif kind == "object":
            for key, child in node.get("properties", {}).items():
                walk(child, (*where, key))
        elif kind == "array" and isinstance(node.get("items"), Mapping):
            walk(node["items"], (*where, None))

    walk(schema, ())
    return found


def line_break_errors(document: YamlDocument, fields: Collection[FieldPattern],
                      file: str) -> list[InputError]:
    """An error for each one-line field whose text holds a line break."""
    errors = []
    for path, style in document.line_breaks.items():
        if tuple(None if isinstance(part, int) else part for part in path) in fields:
            line, column = document.locations.get(path, (1, 1))
            errors.append(InputError(file, line, column, format_path(path),
                                     _message(path, document.at(path), style)))
    return errors


def _message(path: FieldPath, text: str, style: str | None) -> str:
    name = path[-1] if isinstance(path[-1], str) else _("this item")
    shown = clip(repr(text))
    if style in ("|", ">") and text.endswith("\n") and "\n" not in text[:-1] \
            and "\r" not in text:
        return _("{text} ends with a line break, which a block scalar (|) keeps: write {field} "
                 "on one line, or use |- to drop the final newline").format(text=shown,
                                                                             field=name)
    breaks = sum(1 for piece in text.splitlines(keepends=True) if piece.splitlines() != [piece])
    has = _("a line break") if breaks == 1 else counted(breaks, "line break")
    return _("holds one line of text, but {text} has {breaks}: write {field} on one "
             "line").format(text=shown, breaks=has, field=name)

