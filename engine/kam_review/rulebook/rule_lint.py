"""`kam rules lint`: the mistakes a rules folder can hold that loading it does not refuse.

Loading already refuses what cannot run (load_rulebook): a malformed condition, an unknown
fact or threshold (with a did-you-mean), a duplicate id, a missing text. The lint adds what
runs but is wrong: a condition that can never be true or a comparison that always is (within
a fact's declared range), a class, focus or verdict rule that can never win given the
precedence, a threshold defined but read by no rule, a blank or placeholder text, and, over
an accounts folder, a waiver naming a rule id the folder no longer has (a renamed or removed
rule). Errors make `kam check` refuse the rules folder (exit 2); warnings are advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kam_review.errors import InputError, RulebookError
from kam_review.paths import display_path
from kam_review.rulebook.condition_spans import (
    always_true,
    conjunctions,
    contradictions,
    implies,
)
from kam_review.rulebook.conditions import Leaf
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.loading import Rule, Rulebook, load_rulebook
from kam_review.rulebook.thresholds import READ_BY_THE_FACTS, THRESHOLDS_FILE
from kam_review.source.accounts import load_portfolio
from kam_review.source.schema_errors import did_you_mean_rule
from kam_review.vocabulary import Kind

Level = Literal["error", "warning"]
# A text left as a placeholder says nothing to the reader.
_PLACEHOLDER = re.compile(r"(todo|tbd|fixme|xxx|n/?a|\.+|-+|\?+)?", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class LintProblem:
    error: InputError
    level: Level = "error"

    def __str__(self) -> str:
        return f"{self.level}: {self.error}"


def lint_folder(folder: Path, overrides: Path | None = None,
                accounts: Path | None = None) -> list[LintProblem]:
    """Every problem of the rules folder: what loading refuses, else the lint of the rules
    and (with an accounts folder) of the waivers that name them."""
    try:
        rulebook = load_rulebook(folder, overrides)
    except RulebookError as refused:
        return [LintProblem(error) for error in refused.errors]
    found = lint_rulebook(rulebook)
    if accounts is not None and accounts.is_dir():
        found += lint_waivers(rulebook, accounts)
    return found


def lint_rulebook(rulebook: Rulebook) -> list[LintProblem]:
    found: list[LintProblem] = []
    for rule in rulebook.rules:
        found += _condition_problems(rule)
        found += _text_problems(rule)
    found += _never_win(rulebook)
    found += _unused_thresholds(rulebook)
    return sorted(found)


def refuse_lint_errors(folder: Path, overrides: Path | None = None) -> Rulebook:
    """What `kam check` asks before a review: a rules folder with a lint error is refused as
    one that does not load is (RulebookError: invalid input, exit 2). The rulebook linted is
    returned, for the review not to load it again."""
    rulebook = load_rulebook(folder, overrides)
    errors = [p.error for p in lint_rulebook(rulebook) if p.level == "error"]
    if errors:
        raise RulebookError(errors)
    return rulebook


def _at(rule: Rule, field: str, message: str, level: Level = "error") -> LintProblem:
    return LintProblem(InputError(rule.file, rule.line, 1, f"{rule.id}.{field}", message), level)


def _condition_problems(rule: Rule) -> list[LintProblem]:
    fields = FACT_TYPES[rule.on]
    found = []
    groups = list(conjunctions(rule.when))
    for group in groups:
        for name, leaves in contradictions(group, fields):
            found.append(_never_true(rule, name, leaves, len(groups) == 1))
    for group in groups:
        for leaf in group:
            if always_true(leaf, fields):
                field = fields[leaf.field]
                found.append(_at(rule, "when", f"{leaf.text!r} is always true where "
                                 f"{leaf.field} is known: its declared range is "
                                 f"{_range_words(field.low, field.high)}", "warning"))
    return found


def _never_true(rule: Rule, name: str, leaves: list[Leaf], whole: bool) -> LintProblem:
    field = FACT_TYPES[rule.on].get(name)
    bounds = "" if field is None or (field.low is None and field.high is None) else (
        f" within its declared range ({_range_words(field.low, field.high)})")
    what = "the rule can never fire" if whole else "a part of the condition can never hold"
    shown = " and ".join(repr(leaf.text) for leaf in leaves)
    verb = "leaves" if len(leaves) == 1 else "leave"
    return _at(rule, "when", f"{what}: {shown} {verb} no value of {name}{bounds}")


def _range_words(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} to {high:g}"
    return f"at least {low:g}" if low is not None else f"at most {high:g}"


def _text_problems(rule: Rule) -> list[LintProblem]:
    texts = {"title": rule.title, "rationale": rule.rationale, "action": rule.action,
             "message": rule.message}
    found = [_at(rule, key, f"the {key} is {'blank' if not text.strip() else 'a placeholder'}"
                 f" ({text.strip()!r}): write it for the reader")
             for key, text in texts.items() if _PLACEHOLDER.fullmatch(text.strip())]
    if not rule.source:
        found.append(_at(rule, "source", "no seed source: name the document the rule comes "
                                         "from"))
    return found


def _never_win(rulebook: Rulebook) -> list[LintProblem]:
    """A rule of an assigning kind whose condition makes an earlier rule's hold: the earlier
    rule is tried first and always assigns instead."""
    found = []
    for kind in Kind:
        if not kind.gives_label:
            continue
        rules = rulebook.by_kind(kind)
        for j, rule in enumerate(rules):
            first = next((earlier for earlier in rules[:j] if earlier.label != rule.label
                          and earlier.on == rule.on and implies(rule.when, earlier.when)), None)
            if first is not None:
                found.append(_at(rule, "precedence", f"this {kind} rule can never win: "
                                 f"whenever it holds, {first.id} (precedence "
                                 f"{first.precedence}) holds too and is tried first"))
    return found


def _unused_thresholds(rulebook: Rulebook) -> list[LintProblem]:
    used = {name for rule in rulebook.rules for name in rule.thresholds} | READ_BY_THE_FACTS
    file = display_path(rulebook.folder / THRESHOLDS_FILE)
    return [LintProblem(InputError(file, threshold.line, 1, f"thresholds.{name}",
                                   "defined but read by no rule: remove it, or use it"),
                        "warning")
            for name, threshold in sorted(rulebook.thresholds.items()) if name not in used]


def lint_waivers(rulebook: Rulebook, accounts: Path) -> list[LintProblem]:
    """Waivers naming a rule id the rulebook does not have: a renamed or removed rule, whose
    waivers no longer silence anything."""
    known = sorted(rule.id for rule in rulebook.rules)
    found = []
    for account in load_portfolio(accounts).accounts:
        for i, waiver in enumerate(account.waivers):
            if waiver.rule in known:
                continue
            line, column = account.locations.get(("waivers", i, "rule"), (1, 1))
            by = f" (approved by {waiver.by})" if waiver.by else ""
            found.append(LintProblem(InputError(
                display_path(account.source), line, column, f"waivers[{i}].rule",
                f"the waiver of {account.id}{by} names rule '{waiver.rule}', which this rules "
                f"folder does not have: was it renamed or removed?"
                f"{did_you_mean_rule(waiver.rule, known)}")))
    return found
