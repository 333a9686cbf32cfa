"""Loading the rules: rule files, named thresholds and the funnel table, all checked at load.

The folder holds `thresholds.yaml` (named, documented defaults), `funnel.yaml` (the seven
stages and the characteristics of a deal at each) and any number of rule files. A portfolio
may override thresholds and scorecard weights with a file of its own. Every problem in every
file is collected and reported together, with its file and line. The folder's files are found as
account files are (account_paths.find_rule_files): a link leading out of it is never read.
Thresholds and weights are read by thresholds.py, the funnel by funnel.py, and every file is
checked against its schema (rule_schema.py); this module reads the rules themselves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from kam_review.errors import InputError, RulebookError
from kam_review.formatting import COUNTING_SPECS, FORMAT_SPECS, split_spec, template_fields
from kam_review.i18n import ENGLISH, LANGUAGES, _, language, pick
from kam_review.paths import display_path
from kam_review.rulebook.condition_parser import ConditionError, parse_condition
from kam_review.rulebook.conditions import Condition, fields_used, thresholds_used
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.funnel import FUNNEL_FILE, load_funnel
from kam_review.rulebook.funnel import Stage as Stage  # imported from here by subject_facts
from kam_review.rulebook.rule_schema import RULE_FILE_SCHEMA, read_checked
from kam_review.rulebook.thresholds import (
    THRESHOLDS_FILE,
    EveryName,
    Threshold,
    apply_overrides,
    load_thresholds,
)
from kam_review.source.account_paths import find_rule_files
from kam_review.source.model import FieldPath, format_path
from kam_review.source.schema_errors import did_you_mean
from kam_review.source.text_positions import TextPositions
from kam_review.source.yamlsource import YamlDocument
from kam_review.vocabulary import Health, Kind, Mark, Severity
from kam_review.wording import labelled


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
        shown = _(self.label)
        return labelled(shown, self.variant) if self.variant else shown

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

    def find(self, rule_id: str) -> Rule | None:
        """The rule of this id, or None (an id a file or an earlier review names that this
        rulebook does not have)."""
        return next((r for r in self.rules if r.id == rule_id), None)

    @cached_property
    def titles(self) -> dict[str, str]:
        """Each rule's title by its id, built once: facts and pages name rules by title."""
        return {r.id: r.title for r in self.rules}

    @cached_property
    def deal_rules(self) -> frozenset[str]:
        """The ids of the rules on opportunities, whose findings' subject is a deal's id."""
        return frozenset(r.id for r in self.rules if r.on == "opportunity")

    @cached_property
    def subject_kinds(self) -> dict[str, str]:
        """The rules whose findings each name a contact, deal, goal or action (a waiver
        check's name its waiver, which an action does not answer), each with that fact type."""
        return {r.id: r.on for r in self.rules
                if r.on in ("contact", "opportunity", "goal", "action")}

    @cached_property
    def goal_status_rules(self) -> tuple[Rule, ...]:
        """The finding rules that judge a goal by its status (behind or missed): a goal that
        cannot be measured leaves them not evaluated (review/evaluate.py)."""
        return tuple(r for r in self.rules if r.on == "goal" and r.kind.finds
                     and "status" in fields_used(r.when))

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
    thresholds, weights, unread = load_thresholds(_wanted(folder, THRESHOLDS_FILE, found),
                                                  errors)
    if overrides is not None:
        apply_overrides(overrides, thresholds, weights, errors, unread)
    stages = load_funnel(_wanted(folder, FUNNEL_FILE, found), errors)
    rules: list[Rule] = []
    rule_files = [p for p in found if p.name not in (THRESHOLDS_FILE, FUNNEL_FILE)]
    if not rule_files and not errors:
        errors.append(InputError(display_path(folder), 1, 1, "", "no rule files (*.yaml) found"))
    values: Mapping[str, float] = EveryName() if unread is None else (
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


def _load_rule_file(
    path: Path, thresholds: Mapping[str, float], errors: list[InputError]
) -> list[Rule]:
    value, document, name = read_checked(path, RULE_FILE_SCHEMA, errors)
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
        line, column = at or document.locate((*base, *path))
        errors.append(InputError(name, line, column, format_path((*base, *path)), message))

    count = len(errors)
    if not raw["id"].startswith(kind + "."):
        error(("id",), f"a rule in a file of kind '{kind}' has an id starting '{kind}.'")
    if kind in (Kind.CLASS, Kind.VERDICT) and "precedence" not in raw:
        error(("id",), f"a {kind} rule needs a precedence (1 is checked first)")
    for key in ("label", "variant"):
        if key in raw and not kind.gives_label:
            error((key,), f"only class, focus and verdict rules assign a label; a {kind} rule "
                  f"has no {key}")
    for path, text in _verdict_problems(raw, kind):
        error(path, text)
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
    for lang, texts in _translations(raw):
        if "message" in texts:
            _check_template(texts["message"], (lang, "message"), raw["on"], thresholds, error)
    _check_template(raw["message"], ("message",), raw["on"], thresholds, error)
    if len(errors) > count:
        return None
    shown = in_language(raw)
    marks |= {Mark(name): word for name, word
              in raw.get(language(), {}).get("marks", {}).items() if word.strip()}
    return Rule(
        id=raw["id"], kind=kind, title=shown("title"), severity=Severity(raw["severity"]),
        source=tuple(raw["source"]), on=raw["on"], when=when, message=shown("message").strip(),
        rationale=" ".join(shown("rationale").split()), action=" ".join(shown("action").split()),
        file=name, line=document.locate(base)[0], precedence=raw.get("precedence", 0),
        marks=marks, assigns=raw.get("label"), variant=shown("variant") or None,
    )


def _translations(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The rule's texts in each other language it is translated into."""
    return [(lang, raw[lang]) for lang in LANGUAGES if lang != ENGLISH and lang in raw]


def in_language(raw: dict[str, Any]) -> Callable[[str], str]:
    """A rule file entry's text by key in the active language: its translation under the
    language's key (`zh: {title: ...}`), else the English text."""
    def text(key: str) -> str:
        return pick(raw.get(key) or "", {language(): raw.get(language(), {}).get(key, "")})
    return text


def _check_template(template: str, path: FieldPath, on: str, thresholds: Mapping[str, float],
                    error: Callable[[FieldPath, str], None]) -> None:
    """A message template names known facts and thresholds, in known formats."""
    fields = FACT_TYPES[on]
    try:
        referenced = template_fields(template)
    except ValueError as problem:
        error(path, f"malformed message template: {problem}")
        return
    for field_name, spec in referenced:
        if field_name.startswith("$"):
            if field_name[1:] not in thresholds:
                error(path, f"unknown threshold '{field_name[1:]}' in the message"
                      + did_you_mean(field_name[1:], list(thresholds)))
        elif field_name not in fields:
            # A near name is the likely fix; without one, the facts to choose from.
            hint = did_you_mean(field_name, list(fields)) or (
                f"; facts of '{on}': {', '.join(sorted(fields))}")
            error(path, f"unknown fact '{field_name}' in the message{hint}")
        base_spec, noun = split_spec(spec)
        if base_spec not in FORMAT_SPECS:
            error(path, f"unknown format ':{base_spec}' (known: "
                  f"{', '.join(s for s in FORMAT_SPECS if s)})")
        elif noun and base_spec not in COUNTING_SPECS:
            error(path, f"'{{{field_name}:{spec}}}': a noun follows a count "
                  f"(:int or :num), as in {{goals_count:int goal}}")


def _verdict_problems(raw: dict[str, Any], kind: Kind) -> list[tuple[FieldPath, str]]:
    """A verdict rule tests the verdict fact, made once every other rule has run, and gives
    one of the verdicts; no other rule tests that fact."""
    if kind != Kind.VERDICT:
        return [(("on",), "only verdict rules test the verdict fact: it is made after every "
                          "other rule has run")] if raw["on"] == Kind.VERDICT else []
    problems: list[tuple[FieldPath, str]] = []
    if raw["on"] != Kind.VERDICT:
        problems.append((("on",), "a verdict rule tests the verdict fact: write on: verdict"))
    label = raw.get("label", raw["id"].split(".", 1)[1])
    if label not in list(Health):
        problems.append((("label" if "label" in raw else "id",),
                         f"a verdict rule gives one of {', '.join(Health)}, not '{label}'"))
    return problems


def _check_unique(rules: list[Rule], errors: list[InputError]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            errors.append(InputError(rule.file, rule.line, 1, "id", f"duplicate rule id "
                                     f"'{rule.id}' (first in {first.file}:{first.line})"))
        else:
            seen[rule.id] = rule
