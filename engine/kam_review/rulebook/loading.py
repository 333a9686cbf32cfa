"""Loading the rules: rule files, named thresholds and the funnel table, all checked at load.

The folder holds `thresholds.yaml` (named, documented defaults), `funnel.yaml` (the seven
stages and the characteristics of a deal at each) and any number of rule files. A portfolio
may override thresholds and scorecard weights with a file of its own. Every problem in every
file is collected and reported together, with its file and line. The folder's files are found
as account files are (account_paths.find_rule_files): a link leading out of it is never read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kam_review.errors import InputError, RulebookError
from kam_review.formatting import FORMAT_SPECS, template_fields
from kam_review.paths import display_path
from kam_review.rulebook.condition_parser import ConditionError, parse_condition
from kam_review.rulebook.conditions import (
    TOO_LARGE,
    Condition,
    thresholds_used,
    within_float_range,
)
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.source.account_paths import find_rule_files
from kam_review.source.model import OPPORTUNITY_STAGES, FieldPath, format_path
from kam_review.source.schema_errors import make_validator, schema_errors
from kam_review.source.text_positions import TextPositions
from kam_review.source.yamlsource import YamlDocument, read_yaml
from kam_review.vocabulary import MARK_WORD_MAX, Kind, Mark, Severity, Status

THRESHOLDS_FILE = "thresholds.yaml"
FUNNEL_FILE = "funnel.yaml"
SCORECARD = {
    "attractiveness": ("growth", "size", "competition", "profitability", "need", "strategic"),
    "relationship": ("frequency", "knowledge", "relationship", "contacts", "range", "price",
                     "reputation", "finance", "service"),
}

_TEXT = {"type": "string", "minLength": 1}
_RULE_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "rules"],
    "properties": {
        "kind": {"enum": [kind.value for kind in Kind]},
        "rules": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "title", "severity", "source", "on", "when", "message",
                         "rationale", "action"],
            "properties": {
                # \Z, not $: Python's $ matches before a final newline ("risk.x\n").
                "id": {"type": "string", "pattern": "^[a-z]+\\.[a-z0-9-]+\\Z"},
                "title": _TEXT,
                "severity": {"enum": [severity.value for severity in Severity]},
                "source": {"type": "array", "minItems": 1, "items": {"enum": [
                    "000", "001", "002", "003", "004"]}},
                "on": {"enum": sorted(FACT_TYPES)},
                "when": {},
                "message": _TEXT,
                "rationale": _TEXT,
                "action": _TEXT,
                "precedence": {"type": "integer", "minimum": 1, "maximum": 100},
                # A class or focus rule may give the label of another (class.nurture-new
                # assigns nurture), shown with its variant: "nurture: new account".
                "label": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "variant": {"type": "string", "minLength": 1, "maxLength": MARK_WORD_MAX},
                "marks": {"type": "object", "additionalProperties": False, "minProperties": 1,
                          "properties": {mark.value: {"type": "string", "maxLength": MARK_WORD_MAX}
                                         for mark in Mark}},
            },
        }},
    },
}
_NUMBER = {"type": "number"}
# Each threshold is checked on its own, so that one bad threshold is one error and the
# others still load.
_THRESHOLD_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["value", "unit", "doc"],
    "properties": {
        "value": _NUMBER,
        "unit": {"enum": ["ratio", "days", "count", "score", "points", "years", "times"]},
        "doc": _TEXT,
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
_FUNNEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source", "stages"],
    "properties": {
        "source": {"type": "string"},
        "stages": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "owner", "characteristics"],
            "properties": {
                "id": {"type": "string"}, "name": _TEXT, "owner": _TEXT,
                "characteristics": {"type": "object", "minProperties": 1,
                                    "additionalProperties": {"type": "string"}},
            }}},
    },
}


@dataclass(frozen=True)
class Threshold:
    name: str
    value: float
    unit: str
    doc: str
    default: float
    line: int


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    owner: str
    # What is true of a deal at this stage (seed 004): evidence key -> what it means.
    characteristics: dict[str, str]
    index: int  # 1-based position in the funnel


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    title: str
    severity: Severity
    source: tuple[str, ...]
    on: str
    when: Condition
    message: str
    rationale: str
    action: str
    file: str
    line: int
    precedence: int = 0
    # What the rule's findings mark on the pages, with the word shown (see vocabulary.Mark).
    marks: Mapping[Mark, str] = field(default_factory=dict, hash=False)
    assigns: str | None = None  # the rule file's `label`, when it is not the id's own
    variant: str | None = None

    @property
    def label(self) -> str:
        """What a class or focus rule assigns: class.fast-growing -> fast-growing, unless
        the rule names another label (class.nurture-new -> nurture)."""
        return self.assigns or self.id.split(".", 1)[1]

    @property
    def shown_label(self) -> str:
        """The label as pages and reports show it, with the variant: "nurture: new account"."""
        return f"{self.label}: {self.variant}" if self.variant else self.label

    @property
    def thresholds(self) -> list[str]:
        seen = thresholds_used(self.when)
        seen += [name[1:] for name, _ in template_fields(self.message) if name.startswith("$")]
        return list(dict.fromkeys(seen))

    def __repr__(self) -> str:
        return f"Rule({self.id!r})"


@dataclass(frozen=True)
class Rulebook:
    rules: tuple[Rule, ...]
    thresholds: dict[str, Threshold]
    stages: tuple[Stage, ...]
    weights: dict[str, dict[str, float]]
    folder: Path

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def by_kind(self, kind: Kind) -> list[Rule]:
        """The rules of a kind in the order they are tried and listed: by precedence (class
        and focus rules), then id."""
        return sorted((r for r in self.rules if r.kind == kind),
                      key=lambda r: (r.precedence, r.id))

    def labels(self, kind: Kind) -> list[str]:
        """The labels the rules of an assigning kind give (classes, focus cells), each once,
        in the order they are tried; a label several rules give stands where the rule named
        after it does (nurture where class.nurture is tried, not class.nurture-new)."""
        rules = self.by_kind(kind)
        place: dict[str, int] = {}
        for i, rule in enumerate(rules):
            place.setdefault(rule.label, i)
        for i, rule in enumerate(rules):
            if rule.id.split(".", 1)[1] == rule.label:
                place[rule.label] = i
        return sorted(place, key=place.__getitem__)

    def threshold_values(self) -> dict[str, float]:
        return {name: t.value for name, t in self.thresholds.items()}


def load_rulebook(folder: Path, overrides: Path | None = None) -> Rulebook:
    """Load and check every file of a rules folder; raises RulebookError listing all problems."""
    if not folder.is_dir():
        raise RulebookError([InputError(display_path(folder), 1, 1, "", "no such rules folder")])
    found, errors = find_rule_files(folder)
    thresholds, weights, unread = _load_thresholds(_wanted(folder, THRESHOLDS_FILE, found),
                                                   errors)
    if overrides is not None:
        _apply_overrides(overrides, thresholds, weights, errors, unread)
    stages = _load_funnel(_wanted(folder, FUNNEL_FILE, found), errors)
    rules: list[Rule] = []
    rule_files = [p for p in found if p.name not in (THRESHOLDS_FILE, FUNNEL_FILE)]
    if not rule_files and not errors:
        errors.append(InputError(display_path(folder), 1, 1, "", "no rule files (*.yaml) found"))
    values: Mapping[str, float] = _EveryName() if unread is None else (
        {name: t.value for name, t in thresholds.items()} | dict.fromkeys(unread, 0.0))
    for path in rule_files:
        rules.extend(_load_rule_file(path, values, errors))
    _check_unique(rules, errors)
    if errors:
        raise RulebookError(sorted(set(errors)))
    return Rulebook(tuple(rules), thresholds, stages, weights, folder)


def rulebook_files(folder: Path) -> list[Path]:
    """The files load_rulebook reads from a rules folder (see account_paths)."""
    return find_rule_files(folder)[0]


def _wanted(folder: Path, name: str, found: list[Path]) -> Path | None:
    """The folder's file `name` if it is to be read: found, or missing (reading says so); None
    when it is there but refused (a link leading out of the folder), with its error."""
    path = folder / name
    return path if path in found or not os.path.lexists(path) else None


def _read_checked(
    path: Path, schema: dict[str, Any], errors: list[InputError]
) -> tuple[Any, YamlDocument, str]:
    name = display_path(path)
    document = read_yaml(path, shown_as=name)
    errors.extend(document.errors)
    if document.errors:
        return None, document, name
    found = schema_errors(make_validator(schema), document.value, name, document)
    errors.extend(found)
    return (None if found or document.errors else document.value), document, name


def _load_thresholds(
    path: Path | None, errors: list[InputError]
) -> tuple[dict[str, Threshold], dict[str, dict[str, float]], list[str] | None]:
    """The thresholds that are well written, the scorecard weights, and the names of the
    thresholds that are not (None: the file could not be read at all). Rules may use an
    unread threshold without an error of their own: its error is already reported."""
    thresholds: dict[str, Threshold] = {}
    weights: dict[str, dict[str, float]] = {axis: dict.fromkeys(names, 1.0)
                                            for axis, names in SCORECARD.items()}
    if path is None:
        return thresholds, weights, None
    value, document, name = _read_checked(path, _THRESHOLDS_SCHEMA, errors)
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
        thresholds[key] = Threshold(key, spec["value"], spec["unit"], spec["doc"], spec["value"],
                                    line)
    for axis, given in value.get("scorecard_weights", {}).items():
        weights[axis].update(given)
    return thresholds, weights, unread


class _EveryName(dict[str, float]):
    """The thresholds when their file could not be read: every name counts as known, so that
    the rules are still checked without an "unknown threshold" error at each use."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> float:
        return 0.0


def _apply_overrides(
    path: Path,
    thresholds: dict[str, Threshold],
    weights: dict[str, dict[str, float]],
    errors: list[InputError],
    unread: list[str] | None,
) -> None:
    value, document, name = _read_checked(path, _OVERRIDES_SCHEMA, errors)
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
        old = thresholds[key]
        thresholds[key] = Threshold(key, number, old.unit, old.doc, old.default, old.line)
    for axis, given in value.get("scorecard_weights", {}).items():
        weights[axis].update(given)


def _check_engine_number(
    value: float, name: str, path: FieldPath, line: int, errors: list[InputError]
) -> None:
    # Any size the engine adapter can place is fine (1e-05 and 1e+16 included); a number
    # beyond a float's range could not be formatted or compared with the figures.
    if not within_float_range(value):
        errors.append(InputError(name, line, 1, format_path(path), f"{value} is {TOO_LARGE}"))


def _load_funnel(path: Path | None, errors: list[InputError]) -> tuple[Stage, ...]:
    if path is None:
        return ()
    value, document, name = _read_checked(path, _FUNNEL_SCHEMA, errors)
    if value is None:
        return ()
    stages = tuple(
        Stage(s["id"], s["name"], s["owner"], dict(s["characteristics"]), i)
        for i, s in enumerate(value["stages"], start=1)
    )
    expected = [s for s in OPPORTUNITY_STAGES if s != Status.LOST]
    if [s.id for s in stages] != expected:
        errors.append(InputError(name, document.locations.get(("stages",), (1, 1))[0], 1,
                                 "stages", f"the funnel's stages must be, in order: "
                                 f"{', '.join(expected)}"))
    return stages


def _load_rule_file(
    path: Path, thresholds: Mapping[str, float], errors: list[InputError]
) -> list[Rule]:
    value, document, name = _read_checked(path, _RULE_FILE_SCHEMA, errors)
    if value is None:
        return []
    kind = Kind(value["kind"])
    rules = []
    positions = TextPositions(path)
    for i, raw in enumerate(value["rules"]):
        base: FieldPath = ("rules", i)
        rule = _build_rule(raw, kind, name, base, document, thresholds, errors, positions)
        if rule is not None:
            rules.append(rule)
    return rules


def _build_rule(
    raw: dict[str, Any],
    kind: Kind,
    name: str,
    base: FieldPath,
    document: YamlDocument,
    thresholds: Mapping[str, float],
    errors: list[InputError],
    positions: TextPositions,
) -> Rule | None:
    def error(path: FieldPath, message: str, offset: int | None = None) -> None:
        # A problem inside a condition's text points at its character in the file.
        at = None if offset is None else positions.position((*base, *path), offset)
        line, column = at or _locate(document, (*base, *path))
        errors.append(InputError(name, line, column, format_path((*base, *path)), message))

    count = len(errors)
    if not raw["id"].startswith(kind + "."):
        error(("id",), f"a rule in a file of kind '{kind}' has an id starting '{kind}.'")
    if kind == Kind.CLASS and "precedence" not in raw:
        error(("id",), "a class rule needs a precedence (1 is checked first)")
    for key in ("label", "variant"):
        if key in raw and not kind.assigns:
            error((key,), f"only class and focus rules assign a label; a {kind} rule has no "
                  f"{key}")
    marks = {Mark(name): word for name, word in raw.get("marks", {}).items()}
    for mark, word in marks.items():
        if mark.subject != raw["on"]:
            error(("marks", mark.value), f"a {mark.value} mark needs a rule on "
                  f"{mark.subject}; this rule tests each {raw['on']}")
        if not word.strip():
            error(("marks", mark.value), "blank: write the word the mark shows")
    fields = FACT_TYPES[raw["on"]]
    try:
        when = parse_condition(raw["when"], fields, thresholds)
    except ConditionError as condition_errors:
        for problem in condition_errors.problems:
            error(("when", *problem.path), problem.message, problem.offset)
        return None
    try:
        referenced = template_fields(raw["message"])
    except ValueError as problem:
        error(("message",), f"malformed message template: {problem}")
        return None
    for field_name, spec in referenced:
        if field_name.startswith("$"):
            if field_name[1:] not in thresholds:
                error(("message",), f"unknown threshold '{field_name[1:]}' in the message")
        elif field_name not in fields:
            error(("message",), f"unknown fact '{field_name}' in the message; facts of "
                  f"'{raw['on']}': {', '.join(sorted(fields))}")
        if spec not in FORMAT_SPECS:
            error(("message",), f"unknown format ':{spec}' (known: "
                  f"{', '.join(s for s in FORMAT_SPECS if s)})")
    if len(errors) > count:
        return None
    return Rule(
        id=raw["id"], kind=kind, title=raw["title"], severity=Severity(raw["severity"]),
        source=tuple(raw["source"]), on=raw["on"], when=when, message=raw["message"].strip(),
        rationale=" ".join(raw["rationale"].split()), action=" ".join(raw["action"].split()),
        file=name, line=_locate(document, base)[0], precedence=raw.get("precedence", 0),
        marks=marks, assigns=raw.get("label"), variant=raw.get("variant"),
    )


def _locate(document: YamlDocument, path: FieldPath) -> tuple[int, int]:
    while path and path not in document.locations:
        path = path[:-1]
    return document.locations.get(path, (1, 1))


def _check_unique(rules: list[Rule], errors: list[InputError]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            errors.append(InputError(rule.file, rule.line, 1, "id", f"duplicate rule id "
                                     f"'{rule.id}' (first in {first.file}:{first.line})"))
        else:
            seen[rule.id] = rule
