"""How one YAML value is read and judged for the strict reader (yamlsource.py): a scalar's
tag and text checked and converted, numbers in a YAML 1.1 form told in words, and anchors
found, which the reader refuses."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kam_review.i18n import _
from kam_review.source.model import clip

STANDARD = "tag:yaml.org,2002:"
# An anchor by the line, column and kind of the node it marks.
Anchors = dict[tuple[int, int, type[Node]], str]
ALIAS_MESSAGE = ("anchors and aliases (*name) are not supported: this value is used again "
                 "through an alias; write it out")

_SCALAR_TAGS = {f"{STANDARD}{name}" for name in ("str", "int", "float", "bool", "null")}
_TIMESTAMP_TAG = f"{STANDARD}timestamp"
# Used only for its scalar converters, which keep no state between calls.
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Where an anchor (&name) may start: at the start of a line, after a blank or a flow
# indicator. Only a file that has one is parsed a second time, into events, to find them.
_MAYBE_ANCHOR = re.compile(r"(?:^|[\s\[{,])&", re.MULTILINE)
# No figure needs more characters than this. Python refuses to read (and to print) an integer
# of more than 4,300 digits; a thousand hexadecimal digits are about 1,200 decimal ones.
_MAX_NUMBER_TEXT = 1000
# The kind of node each event starts.
_EVENT_NODES: dict[type[yaml.Event], type[Node]] = {
    yaml.ScalarEvent: ScalarNode, yaml.SequenceStartEvent: SequenceNode,
    yaml.MappingStartEvent: MappingNode}
_TYPED_TAGS = {f"{STANDARD}{name}" for name in ("int", "float", "bool", "null")}
_NUMBER_TAGS = {f"{STANDARD}int", f"{STANDARD}float"}
# How YAML writes infinity and not-a-number (.inf, -.Inf, .NaN; `!!float inf` too).
_INFINITE = re.compile("inf|nan", re.IGNORECASE)
_NULLS = ("", "~", "null", "Null", "NULL")
# Number forms that YAML 1.2 and JSON read otherwise or not at all: a leading 0 (octal), 0b,
# 0x, a colon (base 60), an underscore.
_YAML11_FORMS = {f"{STANDARD}int": re.compile("[_:]|^[-+]?0."),
                 f"{STANDARD}float": re.compile("[_:]")}


def anchor_message(anchor: str) -> str:
    return (f"the anchor &{clip(anchor)} is not supported (anchors and aliases are not): "
            "remove it, and write the value out wherever it is used")


def anchors(text: str, loader: Any) -> Anchors:
    """Every anchor (&name) in the text, by the line, column and kind of the node it marks
    (a mapping and its first key may start at one place). The composed nodes do not keep
    anchors, the parser's events do, and start where the nodes start."""
    if not _MAYBE_ANCHOR.search(text):
        return {}
    return {(mark.line + 1, mark.column + 1, _EVENT_NODES[type(event)]): event.anchor
            for event in yaml.parse(text, Loader=loader)
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None
            and type(event) in _EVENT_NODES
            for mark in [event.start_mark] if mark is not None}


def first_alias(text: str, loader: Any) -> tuple[int, int] | None:
    """Where the text's first alias (*name) stands: the composed nodes do not say (an alias
    hands out its anchor's node, marks and all), the parser's events do. Asked only once an
    alias is found, so the text is parsed again only then."""
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return event.start_mark.line + 1, event.start_mark.column + 1
    except yaml.YAMLError:
        return None
    return None


def is_typed(node: ScalarNode) -> bool:
    """Whether YAML read the value as a number, a boolean or null rather than as text."""
    return node.tag in _TYPED_TAGS


def in_yaml11_form(node: ScalarNode) -> bool:
    """Whether a number is written in a form only YAML 1.1 reads (0250000, 1:30, 0x1F,
    1_000), which the schema check refuses."""
    forms = _YAML11_FORMS.get(node.tag)
    return forms is not None and forms.search(node.value) is not None


def yaml_reading(text: str, value: Any) -> str:
    """How YAML read a plain value, in words: "the boolean false", "the octal number 86016"."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("the boolean {value}").format(value=str(value).lower())
    digits = text.lstrip("+-")
    if ":" in digits:
        kind = _("the sexagesimal (base 60) number {number}")
    elif digits[:2] == "0b":
        kind = _("the binary number {number}")
    elif digits[:2] == "0x":
        kind = _("the hexadecimal number {number}")
    elif isinstance(value, int) and len(digits) > 1 and digits[0] == "0" and "_" not in digits:
        kind = _("the octal number {number}")
    else:
        kind = _("the number {number}")
    return kind.format(number=clip(str(value)))


def yaml11_advice(text: str, value: Any) -> str:
    """What to write instead of a YAML 1.1 number form."""
    digits = text.lstrip("+-")
    sign = "-" if text.startswith("-") else ""
    if isinstance(value, int) and digits[:1] == "0" and digits[:2] not in ("0b", "0x") \
            and ":" not in digits:
        # A leading zero is almost always meant as decimal: 0250000 is 250000.
        return _("write the decimal number {number}").format(
            number=clip(sign + str(int(digits.replace('_', ''), 10))))
    shown = str(value) if isinstance(value, int) else repr(value)
    return _("write the decimal number {number}").format(number=clip(shown))


def read_scalar(node: ScalarNode, error: Callable[[str], None]) -> Any:
    """The value of a scalar node; None, with a call of `error`, when it cannot be read."""
    if node.tag == _TIMESTAMP_TAG:
        # Dates stay text here; the schema checks them, so 2026-02-30 is reported, not raised.
        return node.value
    if node.tag not in _SCALAR_TAGS:
        error(f"unsupported YAML tag {node.tag}")
        return None
    if node.tag == f"{STANDARD}null" and node.value not in _NULLS:
        error(f"{clip(repr(node.value))} is not null: remove the tag !!null")  # else it is lost
        return None
    if node.tag in _NUMBER_TAGS and len(node.value) > _MAX_NUMBER_TEXT:
        error(f"{clip(repr(node.value))} is a number {len(node.value):,} characters long, too "
              "long to read: no figure needs more than a few digits")
        return None
    try:
        value = _CONSTRUCTOR.yaml_constructors[node.tag](_CONSTRUCTOR, node)
    except (ValueError, LookupError, yaml.YAMLError) as exc:  # an explicit tag on odd text
        error(f"cannot read the value {clip(repr(node.value))}: {clip(str(exc), 200)}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        if _INFINITE.search(node.value):
            error(f"{clip(repr(node.value))} is not a finite number: write a figure in digits")
        else:  # 1e400: finite as written, but beyond the largest number a float holds
            error(f"{clip(repr(node.value))} is too large to read as a number")
        return None
    return value
