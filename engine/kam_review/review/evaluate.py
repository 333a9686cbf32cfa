"""Evaluating a portfolio: accounts -> facts -> durable-rules -> findings, classes, waivers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from kam_review.errors import InputError, capped
from kam_review.formatting import fill
from kam_review.paths import display_path
from kam_review.progress import Progress, silent
from kam_review.review.redact import redact_portfolio
from kam_review.review.results import (
    UNCLASSIFIED,
    AccountResult,
    Check,
    Explanation,
    Finding,
    Result,
)
from kam_review.rulebook.conditions import (
    Compare,
    FieldRef,
    Leaf,
    ThresholdRef,
    operand_value,
    walk,
)
from kam_review.rulebook.engine import EngineRule, RuleMatcher
from kam_review.rulebook.facts import FACT_TYPE, SOURCE_PATH, Fact, account_facts
from kam_review.rulebook.loading import Rule, Rulebook, load_rulebook
from kam_review.rulebook.waivers import applies
from kam_review.source.accounts import Portfolio, account_files, load_files, load_portfolio
from kam_review.source.cache import AccountCache
from kam_review.source.model import Account, Waiver

# Class and focus rules are also evaluated comparison by comparison, so that a page can say
# which condition kept an account out of a class.
_EXPLAINED_KINDS = ("class", "focus")
_PART = "#"


def review(
    accounts_folder: Path,
    rules_folder: Path,
    as_of: date,
    thresholds_file: Path | None = None,
    only: Sequence[Path] = (),
    progress: Progress = silent,
    cache: AccountCache | None = None,
    explain: bool = False,
    redact: bool = False,
) -> Result:
    """Load, check and evaluate a portfolio: the one call behind every command and the site.
    With `explain`, class and focus rules are also judged comparison by comparison (for the
    site and `kam explain`; `kam check` does without). With `redact`, contact names are
    replaced by pseudonyms before anything is evaluated."""
    rulebook = load_rulebook(rules_folder, thresholds_file)
    portfolio = load_portfolio(accounts_folder, only, progress, cache)
    if redact:
        portfolio = redact_portfolio(portfolio)
    return evaluate(portfolio, rulebook, as_of, progress, explain)


# Accounts evaluated at a time when a portfolio is reviewed in batches (`kam check`): memory
# then holds one batch, not the portfolio.
BATCH_SIZE = 2000


def review_in_batches(
    accounts_folder: Path,
    rules_folder: Path,
    as_of: date,
    thresholds_file: Path | None = None,
    only: Sequence[Path] = (),
    progress: Progress = silent,
    cache: AccountCache | None = None,
    redact: bool = False,
) -> Iterator[Result]:
    """The review of a portfolio as consecutive Results of up to BATCH_SIZE accounts each, in
    file order; the first also carries the folder's own errors. The rules are loaded (and
    a RulebookError raised) before this returns, so nothing is written before that."""
    rulebook = load_rulebook(rules_folder, thresholds_file)
    paths, folder_errors = account_files(accounts_folder, only)
    return _batches(paths, folder_errors, rulebook, as_of, progress, cache, redact)


def _batches(paths: list[Path], folder_errors: list[InputError], rulebook: Rulebook,
             as_of: date, progress: Progress, cache: AccountCache | None,
             redact: bool) -> Iterator[Result]:
    batch: list[Path] = []
    errors = folder_errors
    for number, path in enumerate(progress(paths, len(paths), "reviewing accounts"), start=1):
        batch.append(path)
        if len(batch) == BATCH_SIZE or number == len(paths):
            portfolio = load_files(batch, silent, cache)
            if redact:
                portfolio = redact_portfolio(portfolio)
            portfolio.errors[:0], errors, batch = errors, [], []
            yield evaluate(portfolio, rulebook, as_of)
    if not paths:
        yield Result(as_of, (), tuple(folder_errors), rulebook)


def evaluate(portfolio: Portfolio, rulebook: Rulebook, as_of: date,
             progress: Progress = silent, explain: bool = False) -> Result:
    accounts = portfolio.accounts
    facts_by_account = [account_facts(a, as_of, rulebook)
                        for a in progress(accounts, len(accounts), "computing facts")]
    flat = [fact for facts in facts_by_account for fact in facts]
    matched = _matcher(_engine_rules(rulebook, explain)).matches(flat)
    # The thresholds as message templates name them (`{$name}`), once per evaluation.
    thresholds = {f"${name}": value for name, value in rulebook.threshold_values().items()}
    results, errors = [], list(portfolio.errors)
    position = 0
    for account, facts in zip(portfolio.accounts, facts_by_account, strict=True):
        matches = matched[position:position + len(facts)]
        position += len(facts)
        results.append(_account_result(account, facts, matches, rulebook, as_of, explain,
                                       thresholds))
        errors.extend(_waiver_errors(account, rulebook))
    return Result(as_of, tuple(results), tuple(capped(sorted(set(errors)))), rulebook)


def _engine_rules(rulebook: Rulebook, explain: bool = False) -> tuple[EngineRule, ...]:
    rules = [EngineRule(r.id, r.on, r.when) for r in rulebook.rules]
    for rule in rulebook.rules:
        if explain and rule.kind in _EXPLAINED_KINDS:
            rules += [EngineRule(f"{rule.id}{_PART}{i}", rule.on, compare)
                      for i, compare in enumerate(walk(rule.when))]
    return tuple(rules)


@lru_cache(maxsize=8)
def _matcher(rules: tuple[EngineRule, ...]) -> RuleMatcher:
    # A ruleset cannot be unregistered from durable-rules; the same rules reuse one ruleset.
    return RuleMatcher(rules, FACT_TYPE)


def _account_result(
    account: Account,
    facts: list[Fact],
    matches: Sequence[set[str]],
    rulebook: Rulebook,
    as_of: date,
    explain: bool,
    thresholds: dict[str, float],
) -> AccountResult:
    findings: list[Finding] = []
    fired: dict[str, list[Fact]] = {}
    for fact, names in zip(facts, matches, strict=True):
        for name in names:
            if _PART not in name:
                fired.setdefault(name, []).append(fact)
    first_of_type: dict[str, tuple[Fact, frozenset[str]]] = {}
    for fact, names in zip(facts, matches, strict=True):
        first_of_type.setdefault(fact[FACT_TYPE], (fact, frozenset(names)))
    tested = tuple((rule, *first_of_type.get(rule.on, ({}, frozenset())))
                   for rule in rulebook.rules if explain and rule.kind in _EXPLAINED_KINDS)
    klass = _assigned(rulebook.by_kind("class"), fired) or UNCLASSIFIED
    focus = _assigned(rulebook.by_kind("focus"), fired)
    for rule in rulebook.rules:
        if rule.kind in _EXPLAINED_KINDS and rule.label not in (klass, focus):
            continue
        for fact in fired.get(rule.id, ()):
            message = fill(rule.message, {**fact, **thresholds})
            subject = str(fact.get("subject", ""))
            findings.append(Finding(
                account=account.id, rule=rule.id, kind=rule.kind, severity=rule.severity,
                subject=subject, message=message, action=rule.action,
                waiver=_waiver_for(account, rule, subject, as_of),
                line=account.line_of(fact[SOURCE_PATH]),
            ))
    findings.sort(key=Finding.sort_key)
    # The facts stay with the result only for pages and explanations, which show them.
    return AccountResult(account, klass, focus, tuple(findings),
                         tuple(facts) if explain else (), tested)


def _assigned(rules: list[Rule], fired: dict[str, list[Fact]]) -> str | None:
    """The label of the first fired rule by precedence (then id), or None."""
    for rule in sorted(rules, key=lambda r: (r.precedence, r.id)):
        if rule.id in fired:
            return rule.label
    return None


def explanations(result: AccountResult) -> tuple[Explanation, ...]:
    """Why the account got its class and focus: every class and focus rule, comparison by
    comparison, as the engine judged each one. Needs a result evaluated with `explain`."""
    if not result.tested:
        raise ValueError(f"{result.account.id} was evaluated without explanations")
    return tuple(_explain(rule, fact, names) for rule, fact, names in result.tested)


def _explain(rule: Rule, fact: Fact, names: frozenset[str]) -> Explanation:
    """How each comparison of a class or focus rule turned out on the account's fact."""
    checks = []
    for i, compare in enumerate(walk(rule.when)):
        checks.append(Check(compare.text, f"{rule.id}{_PART}{i}" in names,
                            _compared_values(compare, fact)))
    return Explanation(rule.id, rule.id in names, tuple(checks))


def _compared_values(compare: Leaf, fact: Fact) -> tuple[tuple[str, Any], ...]:
    values: list[tuple[str, Any]] = [(compare.field, fact.get(compare.field))]
    # `is missing` / `is known` test the field alone.
    operand = compare.operand if isinstance(compare, Compare) else None
    if isinstance(operand, FieldRef):
        values.append((operand.name, operand_value(operand, fact)))
    elif isinstance(operand, ThresholdRef):
        values.append((f"${operand.name}", operand.value))
    return tuple(values)


def _waiver_for(account: Account, rule: Rule, subject: str, as_of: date) -> Waiver | None:
    for waiver in account.waivers:
        if waiver.rule != rule.id or (waiver.subject and waiver.subject != subject):
            continue
        if applies(waiver, account, rule.severity, as_of):
            return waiver
    return None


def _waiver_errors(account: Account, rulebook: Rulebook) -> list[InputError]:
    known = {rule.id for rule in rulebook.rules}
    errors = []
    for i, waiver in enumerate(account.waivers):
        if waiver.rule not in known:
            line, column = account.locations.get(("waivers", i, "rule"), (1, 1))
            errors.append(InputError(display_path(account.source), line, column,
                                     f"waivers[{i}].rule", f"unknown rule '{waiver.rule}'"))
    return errors
