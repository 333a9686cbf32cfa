"""Evaluating a portfolio: accounts -> facts -> durable-rules -> findings, classes, waivers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import InputError, capped
from kam_review.formatting import fill
from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.paths import display_path
from kam_review.progress import Progress, silent
from kam_review.review.actions import answer_errors
from kam_review.review.leaves import matcher, needs_text, not_evaluated
from kam_review.review.message_parts import fired_template
from kam_review.review.redact import redact_portfolio
from kam_review.review.results import (
    UNCLASSIFIED,
    AccountResult,
    Finding,
    NotEvaluated,
    Result,
    impact,
)
from kam_review.review.rule_references import (
    refused_file_errors,
    waivable,
    waiver_rule_problem,
)
from kam_review.review.verdict import with_verdicts
from kam_review.rulebook.engine import EngineRule
from kam_review.rulebook.facts import FACT_TYPE, SOURCE_PATH, Fact, account_facts
from kam_review.rulebook.figures import revenue_series
from kam_review.rulebook.loading import Rule, Rulebook, load_rulebook
from kam_review.rulebook.waivers import applies
from kam_review.source.accounts import Portfolio, account_files, load_files, load_portfolio
from kam_review.source.cache import AccountCache
from kam_review.source.model import Account, Waiver
from kam_review.vocabulary import Kind


def review(
    accounts_folder: Path,
    rules_folder: Path,
    as_of: date,
    thresholds_file: Path | None = None,
    only: Sequence[Path] = (),
    progress: Progress = silent,
    cache: AccountCache | None = None,
    redact: bool = False,
    formats: LocaleFormat = ENGLISH,
    warned_before: Mapping[str, frozenset[str]] | None = None,
) -> Result:
    """Load, check and evaluate a portfolio: the one call behind every command and the site.
    With `redact`, contact names are replaced by pseudonyms before anything is evaluated;
    `formats` is how messages write figures (locale, the default currency); `warned_before`
    the previous review's high warnings by account, when there is one."""
    rulebook = load_rulebook(rules_folder, thresholds_file)
    portfolio = load_portfolio(accounts_folder, only, progress, cache)
    if redact:
        portfolio = redact_portfolio(portfolio)
    return evaluate(portfolio, rulebook, as_of, progress, warned_before, formats)


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
    warned_before: Mapping[str, frozenset[str]] | None = None,
    formats: LocaleFormat = ENGLISH,
) -> Iterator[Result]:
    """The review of a portfolio as consecutive Results of up to BATCH_SIZE accounts each, in
    file order; the first also carries the folder's own errors. The rules are loaded (and
    a RulebookError raised) before this returns, so nothing is written before that."""
    rulebook = load_rulebook(rules_folder, thresholds_file)
    paths, folder_errors = account_files(accounts_folder, only)
    return _batches(paths, folder_errors, rulebook, as_of, progress, cache, redact,
                    warned_before, formats)


def _batches(paths: list[Path], folder_errors: list[InputError], rulebook: Rulebook,
             as_of: date, progress: Progress, cache: AccountCache | None,
             redact: bool, warned_before: Mapping[str, frozenset[str]] | None,
             formats: LocaleFormat) -> Iterator[Result]:
    batch: list[Path] = []
    errors = folder_errors
    for number, path in enumerate(progress(paths, len(paths), "reviewing accounts"), start=1):
        batch.append(path)
        if len(batch) == BATCH_SIZE or number == len(paths):
            portfolio = load_files(batch, silent, cache)
            if redact:
                portfolio = redact_portfolio(portfolio)
            portfolio.errors[:0], errors, batch = errors, [], []
            yield evaluate(portfolio, rulebook, as_of, warned_before=warned_before,
                           formats=formats)
    if not paths:
        yield Result(as_of, (), tuple(folder_errors), rulebook, formats)


def evaluate(portfolio: Portfolio, rulebook: Rulebook, as_of: date,
             progress: Progress = silent,
             warned_before: Mapping[str, frozenset[str]] | None = None,
             formats: LocaleFormat = ENGLISH, rebuilt: bool = False) -> Result:
    """The review of a loaded portfolio: each account's facts, class, focus and findings,
    its messages written in `formats` (in the account's own currency, if it names one).
    Why an account got its class is worked out on demand (review.explain). `warned_before`
    holds, per account, the high warnings open at the previous review (Snapshot.high_warnings),
    for the facts. A `rebuilt` portfolio is the files as they tell an earlier day
    (source/earlier_state.py), for which review_errors leaves the answers' subjects alone."""
    accounts = portfolio.accounts
    before = warned_before or {}
    facts_by_account = [account_facts(a, as_of, rulebook, before.get(a.id),
                                      formats.in_currency(a.currency))
                        for a in progress(accounts, len(accounts), "computing facts")]
    flat = [fact for facts in facts_by_account for fact in facts]
    rules = engine_rules(rulebook)
    matched = matcher(rules).matches(flat)
    unknown = not_evaluated(rules, flat, matched)
    # The thresholds as message templates name them (`{$name}`), once per evaluation.
    thresholds = {f"${name}": value for name, value in rulebook.threshold_values().items()}
    results, errors = [], list(portfolio.errors)
    if not rebuilt:  # (a portfolio rebuilt as of an earlier day is made of accounts alone)
        for path in portfolio.refused:
            errors.extend(refused_file_errors(path, None, rulebook))
    position = 0
    for account, facts in zip(portfolio.accounts, facts_by_account, strict=True):
        matches = matched[position:position + len(facts)]
        needs = unknown[position:position + len(facts)]
        position += len(facts)
        item = _account_result(account, facts, matches, rulebook, as_of, thresholds,
                               formats.in_currency(account.currency))
        results.append(_with_not_evaluated(item, needs, rulebook, as_of))
        errors.extend(review_errors(account, rulebook, subjects=not rebuilt))
    return Result(as_of, tuple(with_verdicts(results, rulebook)),
                  tuple(capped(sorted(set(errors)))), rulebook, formats)


def engine_rules(rulebook: Rulebook) -> tuple[EngineRule, ...]:
    """What the engine is given of the rules: each rule whole, but the verdict rules, which
    weigh what the others found (review/verdict.py)."""
    return tuple(EngineRule(r.id, r.on, r.when) for r in rulebook.rules if r.kind.finds)


def _with_not_evaluated(item: AccountResult, needs: Sequence[dict[str, list[str]]],
                        rulebook: Rulebook, as_of: date) -> AccountResult:
    """The result with the rules not evaluated on the account's facts. A class or focus rule
    tried after the one that assigned could not change the label, so it is not listed; one
    tried before is (the label stays what fired, and the page says what would decide)."""
    after: set[str] = set()
    for kind in (Kind.CLASS, Kind.FOCUS):
        chosen = item.assigned_by(kind)
        ids = [rule.id for rule in rulebook.by_kind(kind)]
        after.update(ids[ids.index(chosen) + 1:] if chosen in ids else ())
    unmeasured = _unmeasured_goals(item, rulebook)
    if not any(needs) and not unmeasured:  # every rule was evaluated
        return item
    series = revenue_series(item.account, as_of)[-4:]
    missing = [str(quarter) for quarter, revenue, _ in series if revenue is None]
    listed = [
        NotEvaluated(rule_id, rulebook.rule(rule_id).title, str(fact.get("subject", "")),
                     needs_text(fact, names, missing))
        for fact, unknown in zip(item.facts, needs, strict=True)
        for rule_id, names in sorted(unknown.items()) if rule_id not in after]
    return replace(item, not_evaluated=tuple(listed) + unmeasured)


def _unmeasured_goals(item: AccountResult, rulebook: Rulebook) -> tuple[NotEvaluated, ...]:
    """A goal that cannot be measured for data the file lacks (a quarter without a row)
    leaves the rules that read its status without what they judge: not evaluated, with why,
    never "not behind" (deleting a quarter would otherwise resolve a goal that was behind)."""
    return tuple(
        NotEvaluated(rule.id, rule.title, str(fact["subject"]), _(
            "needs the goal measured: {reason}").format(reason=fact.get("unmeasured_reason")))
        # unmeasured_for_data holds only where the goal cannot be measured (its status).
        for fact in item.facts if fact[FACT_TYPE] == "goal" and fact.get("unmeasured_for_data")
        for rule in rulebook.goal_status_rules)


def _account_result(
    account: Account,
    facts: list[Fact],
    matches: Sequence[set[str]],
    rulebook: Rulebook,
    as_of: date,
    thresholds: dict[str, float],
    formats: LocaleFormat,
) -> AccountResult:
    findings: list[Finding] = []
    fired: dict[str, list[Fact]] = {}
    for fact, names in zip(facts, matches, strict=True):
        for name in names:
            fired.setdefault(name, []).append(fact)
    class_rule = _assigned(rulebook.by_kind(Kind.CLASS), fired)
    focus_rule = _assigned(rulebook.by_kind(Kind.FOCUS), fired)
    klass = UNCLASSIFIED if class_rule is None else class_rule.label
    focus = None if focus_rule is None else focus_rule.label
    # What a message is filled from: a fired fact and the thresholds, made once per fact (the
    # account fact fires many rules).
    values: dict[int, dict[str, Any]] = {}
    for rule in rulebook.rules:
        # Of the class and focus rules, only the one that assigns speaks: two rules may give
        # the same label (class.nurture-new and class.nurture).
        if rule.kind.assigns and rule not in (class_rule, focus_rule):
            continue
        for fact in fired.get(rule.id, ()):
            known = values.get(id(fact))
            if known is None:
                known = values[id(fact)] = {**fact, **thresholds}
            message = fill(fired_template(rule.message, rule.when, fact), known, formats)
            subject = str(fact.get("subject", ""))
            findings.append(Finding(
                account=account.id, rule=rule.id, kind=rule.kind, severity=rule.severity,
                subject=subject, message=message, action=rule.action,
                waiver=_waiver_for(account, rule, subject, as_of),
                line=account.line_of(fact[SOURCE_PATH]), impact=impact(fact, facts[0]),
            ))
    findings.sort(key=Finding.sort_key)
    return AccountResult(account, klass, focus, tuple(findings), tuple(facts), formats=formats)


def _assigned(rules: list[Rule], fired: dict[str, list[Fact]]) -> Rule | None:
    """The first fired rule, in the order they are tried (by_kind), or None."""
    return next((rule for rule in rules if rule.id in fired), None)


def _waiver_for(account: Account, rule: Rule, subject: str, as_of: date) -> Waiver | None:
    if not waivable(rule):
        return None
    for waiver in account.waivers:
        if waiver.rule != rule.id or (waiver.subject and waiver.subject != subject):
            continue
        if applies(waiver, account, rule.severity, as_of):
            return waiver
    return None


def review_errors(account: Account, rulebook: Rulebook, subjects: bool = True
                  ) -> list[InputError]:
    """The errors in an account file that only its review finds: waivers and actions that
    name a rule the rulebook does not have, and (`subjects`) actions that answer a finding on
    a subject the rule is not raised on. The subjects are left alone in the files as they
    tell an earlier day: the owner then, or a contact not yet met, is not the file's
    mistake."""
    return _waiver_errors(account, rulebook) + answer_errors(account, rulebook, subjects)


def _waiver_errors(account: Account, rulebook: Rulebook) -> list[InputError]:
    known = {rule.id: rule for rule in rulebook.rules}
    errors = []
    for i, waiver in enumerate(account.waivers):
        message = waiver_rule_problem(waiver.rule, known)
        if message is None:
            continue
        line, column = account.locations.get(("waivers", i, "rule"), (1, 1))
        errors.append(InputError(display_path(account.source), line, column,
                                 f"waivers[{i}].rule", message))
    return errors
