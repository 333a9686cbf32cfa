"""Setting one field of an account file's document: a new value where the export's differs,
a new key in its place in the account format's order (after the nearest key before it that
the file has), and lists and dates in the style the file already uses."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from kam_review.output.importing.roundtrip import insert_key

# The account format's order of keys, as `kam new` writes them: a key added goes after the
# nearest one before it in these lists that the file has.
ACCOUNT_ORDER = ("id", "name", "owner", "owner_history", "team", "industry", "customer_since",
                 "currency", "external_ids", "financials", "market", "whitespace", "scores",
                 "relationship_stage", "contacts", "activities", "complaints", "plan",
                 "opportunities", "waivers")
QUARTER_ORDER = ("quarter", "revenue", "cost", "units", "inventory", "inventory_units",
                 "resale_revenue", "resale_cost", "resale_units")
CONTACT_ORDER = ("name", "title", "level", "roles", "style", "attitude", "last_contact",
                 "left_on")
DEAL_ORDER = ("id", "name", "stage", "stage_since", "stage_history", "value", "expected_close",
              "probability", "closed_on", "lost_on", "loss_reason", "product_line", "evidence",
              "qualification")
ACTIVITY_ORDER = ("date", "kind", "with", "summary")


def flow_list(items: list[Any]) -> CommentedSeq:
    """A short list written on one line, [a, b], as the account files write roles."""
    value = CommentedSeq(items)
    value.fa.set_flow_style()
    return value


def as_yaml(value: Any) -> Any:
    """A value as the document holds it: lists of text in flow style, lists of mappings as
    block lists of one-line mappings (a stage history), and text that YAML 1.1 would read as
    something else quoted (a key No, a code 0123)."""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return CommentedSeq([flow_map(item) for item in value])
        return flow_list([as_yaml(item) for item in value])
    return quoted_if_needed(value)


def quoted_if_needed(value: Any) -> Any:
    """Text as it must be written to be read back as the same text by every YAML reader:
    quoted where a YAML 1.1 reader (as kam-review's checks read) would take it for a boolean,
    a number, a date or nothing (No, 0123, 2026-01-01, ~)."""
    if not isinstance(value, str):
        return value
    try:
        read = yaml.safe_load(value)
    except yaml.YAMLError:
        return DoubleQuotedScalarString(value)
    return value if read == value and isinstance(read, str) else DoubleQuotedScalarString(value)


def flow_map(values: dict[str, Any]) -> CommentedMap:
    mapping = CommentedMap({key: as_yaml(item) for key, item in values.items()})
    mapping.fa.set_flow_style()
    return mapping


def same(old: Any, new: Any) -> bool:
    """Equal as values: 450000 and 450000.0, a date and the same date, [a] and [a]."""
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, date) or isinstance(new, date):
        return isinstance(old, date) and isinstance(new, date) and old == new
    return bool(old == new)


def set_field(mapping: CommentedMap, key: str, value: Any, order: tuple[str, ...]) -> bool:
    """Give key the value; False when it already has it (nothing is touched)."""
    if key in mapping:
        if same(mapping[key], value):
            return False
        mapping[key] = as_yaml(value)
        return True
    before = order[:order.index(key)] if key in order else order
    after = next((k for k in reversed(before) if k in mapping), None)
    if after is None:
        mapping.insert(0, key, as_yaml(value))  # before every key the file has
        return True
    insert_key(mapping, after, key, as_yaml(value))
    return True


def new_map(values: dict[str, Any], order: tuple[str, ...]) -> CommentedMap:
    ordered = sorted(values, key=lambda k: order.index(k) if k in order else len(order))
    return CommentedMap((key, as_yaml(values[key])) for key in ordered)
