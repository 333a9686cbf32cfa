"""Named thresholds and scorecard weights: the defaults of a rules folder (`thresholds.yaml`)
and a portfolio's own overrides, each threshold checked on its own."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import ENGLISH, LANGUAGES, language, pick
from kam_review.rulebook.conditions import TOO_LARGE, within_float_range
from kam_review.rulebook.rule_schema import TEXT, read_checked
from kam_review.source.model import FieldPath, format_path
from kam_review.source.schema_errors import make_validator, schema_errors

THRESHOLDS_FILE = "thresholds.yaml"
SCORECARD = {
    "attractiveness": ("growth", "size", "competition", "profitability", "need", "strategic"),
    "relationship": ("frequency", "knowledge", "relationship", "contacts", "range", "price",
                     "reputation", "finance", "service"),
}
Weights = dict[str, dict[str, float]]

_NUMBER = {"type": "number"}
# Each threshold is checked on its own, so that one bad threshold is one error and the
# others still load.
_THRESHOLD_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["value", "unit", "doc"],
    "properties": {
        "value": _NUMBER,
        "unit": {"enum": ["ratio", "days", "count", "score", "points", "years", "times"]},
        "doc": TEXT,
        # For readers: what the threshold is, in words (optional: its name stands in).
        "label": TEXT,
        # The label and meaning in another language (i18n.py): `zh: {label: ..., doc: ...}`.
        **{lang: {"type": "object", "additionalProperties": False,
                  "properties": {"label": TEXT, "doc": TEXT}}
           for lang in LANGUAGES if lang != ENGLISH},
    }}
_THRESHOLDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "thresholds": {"type": "object"},
        "scorecard_weights": {"type": "object", "additionalProperties": False, "properties": {
            axis: {"type": "object", "additionalProperties": False, "properties": {
                name: {"type": "number", "minimum": 0, "maximum": 100} for name in names}}
            for axis, names in SCORECARD.items()}},
    },
}
_OVERRIDES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "thresholds": {"type": "object"},
        "scorecard_weights": _THRESHOLDS_SCHEMA["properties"]["scorecard_weights"],
    },
}


# The thresholds the facts read themselves (facts.py, commitment.py, subject_facts.py), not
# a rule's condition or message: none of them is unused while no rule names it.
READ_BY_THE_FACTS = frozenset({
    "default_industry_growth", "stage_stale_days", "commit_guaranteed_min_probability",
    "commit_likely_min_probability", "goal_on_track_tolerance"})


@dataclass(frozen=True)
class Threshold:
    name: str
    value: float
    unit: str
    doc: str
    default: float
    line: int
    label: str = ""

    @property
    def shown_label(self) -> str:
        """How pages name the threshold: its label, else its name as words."""
        return self.label or self.name.replace("_", " ")


def load_thresholds(
    path: Path | None, errors: list[InputError]
) -> tuple[dict[str, Threshold], Weights, list[str] | None]:
    """The thresholds that are well written, the scorecard weights, and the names of the
    thresholds that are not (None: the file could not be read at all). Rules may use an
    unread threshold without an error of their own: its error is already reported."""
    thresholds: dict[str, Threshold] = {}
    weights: Weights = {axis: dict.fromkeys(names, 1.0) for axis, names in SCORECARD.items()}
    if path is None:
        return thresholds, weights, None
    value, document, name = read_checked(path, _THRESHOLDS_SCHEMA, errors)
    if value is None:
        return thresholds, weights, None
    unread = []
    for key, spec in value.get("thresholds", {}).items():
        field_path: FieldPath = ("thresholds", key)
        found = schema_errors(make_validator(_THRESHOLD_SCHEMA), spec, name, document,
                              field_path)
        if found:
            errors.extend(found)
            unread.append(key)
            continue
        line = document.locations.get(field_path, (1, 1))[0]
        _check_engine_number(spec["value"], name, field_path, line, errors)
        own = spec.get(language(), {})
        label = pick(spec.get("label", ""), {language(): own.get("label")})
        doc = pick(spec["doc"], {language(): own.get("doc")})
        thresholds[key] = Threshold(key, spec["value"], spec["unit"], doc, spec["value"],
                                    line, label)
    for axis, given in value.get("scorecard_weights", {}).items():
        weights[axis].update(given)
    return thresholds, weights, unread


class EveryName(dict[str, float]):
    """The thresholds when their file could not be read: every name counts as known, so that
    the rules are still checked without an "unknown threshold" error at each use."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> float:
        return 0.0


def apply_overrides(
    path: Path,
    thresholds: dict[str, Threshold],
    weights: Weights,
    errors: list[InputError],
    unread: list[str] | None,
) -> None:
    """A portfolio's own file of threshold values and weights, applied over the defaults."""
    value, document, name = read_checked(path, _OVERRIDES_SCHEMA, errors)
    if value is None:
        return
    for key, number in value.get("thresholds", {}).items():
        field_path: FieldPath = ("thresholds", key)
        line, column = document.locations.get(field_path, (1, 1))
        if unread is None or key in unread:
            continue  # its definition has an error of its own
        if key not in thresholds:
            known = ", ".join(sorted(thresholds))
            errors.append(InputError(name, line, column, format_path(field_path),
                                     f"unknown threshold '{key}'; known: {known}"))
            continue
        found = schema_errors(make_validator(_NUMBER), number, name, document, field_path)
        if found:
            errors.extend(found)
            continue
        _check_engine_number(number, name, field_path, line, errors)
        thresholds[key] = replace(thresholds[key], value=number)
    for axis, given in value.get("scorecard_weights", {}).items():
        weights[axis].update(given)


def _check_engine_number(
    value: float, name: str, path: FieldPath, line: int, errors: list[InputError]
) -> None:
    # Any size the engine adapter can place is fine (1e-05 and 1e+16 included); a number
    # beyond a float's range could not be formatted or compared with the figures.
    if not within_float_range(value):
        errors.append(InputError(name, line, 1, format_path(path), f"{value} is {TOO_LARGE}"))
