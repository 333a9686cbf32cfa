"""Running rule tests: each case's fixture account reviewed with the rules folder, and every
expectation of the case judged, with the facts the rule saw when one fails.

A rule fires on an account as the rule catalogue says: a warning or advice where it has a
finding, a class or focus rule where its condition holds (whether or not an earlier rule
assigned first), a verdict rule where it decides the verdict. Cases are reviewed together,
one engine pass per review date, each account under an id of its own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kam_review.errors import InputError
from kam_review.review.evaluate import evaluate
from kam_review.review.explain import explain_all
from kam_review.review.results import AccountResult, Result
from kam_review.review.rule_cases import RuleCase, read_cases
from kam_review.review.verdict import verdict_facts
from kam_review.rulebook.conditions import walk
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.fact_words import leaf_words
from kam_review.rulebook.facts import FACT_TYPE, plain_fact
from kam_review.rulebook.loading import Rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.source.schema_errors import did_you_mean_rule
from kam_review.vocabulary import Kind

_CASE_NAMES = {"fires": "a firing case", "silent": "a silent case"}


@dataclass(frozen=True)
class Outcome:
    """One expectation of one case: a rule fires, stays silent, or its message holds a text."""

    case: RuleCase
    rule: str
    expects: str  # "fires", "silent" or "message"
    passed: bool
    problem: str = ""  # what went wrong, when it failed
    facts: tuple[str, ...] = ()  # what the rule saw, when it failed
    # A silent case's rule that was not evaluated (the case leaves it without data it
    # needs): silent, but not because its condition is false; what it needed.
    unevaluated: str = ""


@dataclass
class RuleTestRun:
    """The outcomes of every case, the errors of unreadable cases, and each rule's coverage."""

    rules: tuple[str, ...]
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def of_rule(self, rule_id: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.rule == rule_id]

    def cases_of(self, rule_id: str, kind: str) -> int:
        """How many cases fire the rule (a message that must hold a text is a finding: its
        case fires the rule) or leave it silent."""
        kinds = ("fires", "message") if kind == "fires" else (kind,)
        return len({o.case for o in self.of_rule(rule_id) if o.expects in kinds})

    def unevaluated_of(self, rule_id: str) -> int:
        """How many of the rule's silent cases pass only as the rule was not evaluated."""
        return sum(1 for o in self.of_rule(rule_id) if o.unevaluated)

    def untested(self) -> list[tuple[str, str]]:
        """Rules without a firing case or without a silent one, with what they lack."""
        lacking = []
        for rule_id in self.rules:
            missing = [name for kind, name in _CASE_NAMES.items()
                       if not self.cases_of(rule_id, kind)]
            if missing:
                lacking.append((rule_id, " and ".join(missing)))
        return lacking

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failures


def run_rule_tests(rulebook: Rulebook) -> RuleTestRun:
    """Read the tests of the rulebook's folder and run every case."""
    cases, errors = read_cases(rulebook.folder)
    return run_cases(rulebook, cases, errors)


def run_cases(rulebook: Rulebook, cases: Sequence[RuleCase],
              errors: Sequence[InputError] = ()) -> RuleTestRun:
    """Run the cases with the rulebook; `errors` are those found reading them."""
    run = RuleTestRun(tuple(r.id for r in sorted(rulebook.rules, key=lambda r: r.id)),
                      errors=list(errors))
    known = {r.id for r in rulebook.rules}
    runnable = []
    for case in cases:
        unknown = [r for r in (*case.fires, *case.silent, *case.messages) if r not in known]
        run.errors.extend(InputError(case.file, case.line, 1, "", f"case '{case.name}' names "
                                     f"an unknown rule '{rule_id}'"
                                     + did_you_mean_rule(rule_id, sorted(known)))
                          for rule_id in unknown)
        if not unknown:
            runnable.append(case)
    cases = runnable
    for as_of in sorted({c.as_of for c in cases}):
        run.outcomes.extend(_run_cases([c for c in cases if c.as_of == as_of], rulebook,
                                       run.errors))
    return run


def _run_cases(cases: Sequence[RuleCase], rulebook: Rulebook,
               errors: list[InputError]) -> list[Outcome]:
    ids = [f"case-{i + 1}" for i in range(len(cases))]
    with tempfile.TemporaryDirectory(prefix="kam-rule-tests-") as folder:
        for case_id, case in zip(ids, cases, strict=True):
            account = case.account | {"id": case_id}
            (Path(folder) / f"{case_id}.yaml").write_text(
                yaml.safe_dump(account, sort_keys=False, allow_unicode=True), encoding="utf-8")
        portfolio = load_portfolio(Path(folder))
        warned = {i: c.warned_before for i, c in zip(ids, cases, strict=True) if c.warned_before}
        result = evaluate(portfolio, rulebook, cases[0].as_of, warned_before=warned)
    by_id = {item.account.id: item for item in result.accounts}
    explained = dict(zip((item.account.id for item in result.accounts), explain_all(result),
                         strict=True))
    outcomes = []
    for case_id, case in zip(ids, cases, strict=True):
        problems = [e for e in result.errors if Path(e.file).stem == case_id]
        if problems or case_id not in by_id:
            errors.extend(InputError(case.file, case.line, 1, "", f"case '{case.name}': the "
                                     f"fixture account is not valid: {e.field}: {e.message}")
                          for e in problems or [InputError("", 0, 0, "", "not read")])
            continue
        item = by_id[case_id]
        fired = _fired(item, {e.rule for e in explained[case_id] if e.fired})
        outcomes.extend(_judge(case, item, fired, result))
    return outcomes


def _fired(item: AccountResult, holding: set[str]) -> set[str]:
    """The rules that fire on the account (see the module's docstring)."""
    fired = {f.rule for f in item.findings if not f.kind.assigns} | holding
    if item.verdict is not None and item.verdict.rule:
        fired.add(item.verdict.rule)
    return fired


def _judge(case: RuleCase, item: AccountResult, fired: set[str],
           result: Result) -> list[Outcome]:
    outcomes = []
    for rule_id in case.fires:
        ok = rule_id in fired
        outcomes.append(Outcome(case, rule_id, "fires", ok, "" if ok else "did not fire",
                                () if ok else saw(rule_id, item, result)))
    for rule_id in case.silent:
        ok = rule_id not in fired
        # A rule that fired is shown on the subjects it fired on.
        on = {f.subject for f in item.findings if f.rule == rule_id}
        unknown = "; ".join(dict.fromkeys(n.needs for n in item.not_evaluated
                                          if n.rule == rule_id))
        outcomes.append(Outcome(case, rule_id, "silent", ok, "" if ok else "fired",
                                () if ok else saw(rule_id, item, result, on),
                                unknown if ok else ""))
    for rule_id, texts in case.messages.items():
        messages = _messages(rule_id, item)
        lacking = [t for t in texts if not any(t in m for m in messages)]
        problem = (f"no message holds {', '.join(repr(t) for t in lacking)}; the messages: "
                   + ("; ".join(repr(m) for m in messages) or "none")) if lacking else ""
        outcomes.append(Outcome(case, rule_id, "message", not lacking, problem,
                                saw(rule_id, item, result) if lacking else ()))
    return outcomes


def _messages(rule_id: str, item: AccountResult) -> list[str]:
    found = [f.message for f in item.findings if f.rule == rule_id]
    if item.verdict is not None and item.verdict.rule == rule_id:
        found.append("; ".join(item.verdict.reasons))
    return found


def saw(rule_id: str, item: AccountResult, result: Result,
        subjects: set[str] | None = None) -> tuple[str, ...]:
    """What the rule saw on the account: each fact of the type it tests (of these subjects,
    if given), comparison by comparison in words, with its figure and what the rule needs."""
    rule = result.rulebook.rule(rule_id)
    fields = FACT_TYPES[rule.on]
    if rule.kind == Kind.VERDICT:
        facts = [plain_fact(verdict_facts(item, result.rulebook))]
    else:
        facts = [f for f in item.facts if f.get(FACT_TYPE) == rule.on
                 and (not subjects or str(f.get("subject", "")) in subjects)]
    if not facts:
        return (f"no {rule.on} fact on the account (nothing for the rule to test)",)
    lines = []
    for fact in facts:
        subject = fact.get("subject")
        lines.append(f"{rule.on} {subject}:" if subject else f"the {rule.on}'s facts:")
        lines += [f"  {leaf_words(leaf, fields, fact)}" for leaf in walk(rule.when)]
    return tuple(lines)
