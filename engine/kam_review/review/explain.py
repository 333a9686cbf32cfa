"""Explaining a result on demand: an account's facts, the rules that fired, and why it got its
class and focus, comparison by comparison."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kam_review.formatting import format_value
from kam_review.i18n import _
from kam_review.locale_format import LocaleFormat
from kam_review.review.leaves import FROM_REVENUE, leaf_name, leaf_rules, matcher
from kam_review.review.results import UNCLASSIFIED, AccountResult, Check, Explanation, Result
from kam_review.rulebook.conditions import (
    AllOf,
    Compare,
    FieldRef,
    Leaf,
    Presence,
    ThresholdRef,
    fields_used,
    leaf_known,
    operand_value,
    outline,
    walk,
)
from kam_review.rulebook.engine import EngineRule
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.fact_words import doc_words, fact_phrase, leaf_words
from kam_review.rulebook.facts import FACT_TYPE, SOURCE_PATH, Fact
from kam_review.rulebook.loading import Rule, Rulebook
from kam_review.text_safety import terminal_text
from kam_review.text_width import pad
from kam_review.vocabulary import Kind


def explain_all(result: Result) -> list[tuple[Explanation, ...]]:
    """Why each account of the result got its class and focus (see explanations), in the
    order of result.accounts, judged in one pass of the engine."""
    return explain_some(result.accounts, result.rulebook)


def explanations(item: AccountResult, rulebook: Rulebook) -> tuple[Explanation, ...]:
    """Why the account got its class and focus: every class and focus rule, comparison by
    comparison, judged by the engine as it judges whole rules, on the account's first fact of
    the type the rule tests."""
    return explain_some([item], rulebook)[0]


def explain_some(items: Sequence[AccountResult], rulebook: Rulebook
                 ) -> list[tuple[Explanation, ...]]:
    """The explanations of each of `items`, in their order, judged in one pass of the
    engine."""
    rules = [rule for rule in rulebook.rules if rule.kind.assigns]
    whole = [EngineRule(rule.id, rule.on, rule.when) for rule in rules]
    engine_rules = [part for rule in whole for part in (rule, *leaf_rules(rule))]
    tested: list[dict[str, Fact]] = []  # per account: the fact of each type the rules test
    for item in items:
        first: dict[str, Fact] = {}
        for fact in item.facts:
            first.setdefault(fact[FACT_TYPE], fact)
        tested.append({rule.on: first[rule.on] for rule in rules if rule.on in first})
    flat = [fact for facts in tested for fact in facts.values()]
    matched = iter(matcher(tuple(engine_rules)).matches(flat))
    found = []
    for item, facts in zip(items, tested, strict=True):
        names = {fact_type: next(matched) for fact_type in facts}
        found.append(tuple(_explanation(rule, facts.get(rule.on, {}),
                                        names.get(rule.on, set()), item.formats)
                           for rule in rules))
    return found


def _explanation(rule: Rule, fact: Fact, names: set[str],
                 formats: LocaleFormat) -> Explanation:
    """How each comparison of a class or focus rule turned out on the account's fact, its
    money in the account's currency."""
    fields = FACT_TYPES[rule.on]
    checks = tuple(Check(compare.text, leaf_name(rule.id, i) in names,
                         _compared_values(compare, fact), leaf_known(compare, fact),
                         leaf_words(compare, fields, fact, formats))
                   for i, compare in enumerate(walk(rule.when)))
    return Explanation(rule.id, rule.id in names, checks)


def grouped_checks(rule: Rule, checks: Sequence[Check]) -> list[tuple[int, str | Check]]:
    """The checks of a rule in its condition's groups, each at its depth: a group's head
    ("any of:") as text in the active language, a comparison as its Check. A condition that
    is one comparison, or all of plain comparisons, is the checks alone; any other says
    which of them it needs (a ✘ under "any of:" does not stop the rule applying)."""
    when = rule.when
    if isinstance(when, Compare | Presence) or (
            isinstance(when, AllOf) and all(isinstance(i, Compare | Presence)
                                            for i in when.items)):
        return [(0, check) for check in checks]
    found = iter(checks)
    grouped: list[tuple[int, str | Check]] = []
    for line in outline(when, leaf_text=lambda _leaf: _LEAF):
        text = line.lstrip(" ")
        depth = (len(line) - len(text)) // 2
        if text == f"not ({_LEAF})":  # a negated comparison: under its own head
            grouped += [(depth, _("not:")), (depth + 1, next(found))]
        else:
            grouped.append((depth, next(found) if text == _LEAF else _(text)))
    return grouped


# Where outline writes a comparison, for grouped_checks to put its Check.
_LEAF = "\0"


def _compared_values(compare: Leaf, fact: Fact) -> tuple[tuple[str, Any], ...]:
    values: list[tuple[str, Any]] = [(compare.field, fact.get(compare.field))]
    # `is missing` / `is known` test the field alone.
    operand = compare.operand if isinstance(compare, Compare) else None
    if isinstance(operand, FieldRef):
        values.append((operand.name, operand_value(operand, fact)))
    elif isinstance(operand, ThresholdRef):
        values.append((f"${operand.name}", operand.value))
    return tuple(values)


def value_text(value: Any) -> str:
    return _("absent") if value is None else format_value(value, "")


def check_text(check: Check, fact_type: str) -> str:
    """`growth_yoy >= $fast_growing_min_growth_yoy  (growth_yoy = 0.12, $... = 0.25)`; an absent
    fact says what it would need."""
    fields = FACT_TYPES[fact_type]
    values = ", ".join(
        f"{name} = absent: {fields[name].doc}" if value is None and name in fields
        else f"{name} = {value_text(value)}" for name, value in check.values)
    return f"{check.text}  ({values})"


def verdict(explanation: Explanation, item: AccountResult, rulebook: Rulebook) -> str:
    chosen = item.assigned_by(rulebook.rule(explanation.rule).kind)
    if not explanation.fired:
        unknown = any(entry.rule == explanation.rule for entry in item.not_evaluated)
        return _("not evaluated") if unknown else _("does not apply")
    if chosen is None or explanation.rule == chosen:
        return _("applies")
    return _("applies, but {label} comes first").format(label=rulebook.rule(chosen).shown_label)


def class_needs(item: AccountResult, explained: Sequence[Explanation], rulebook: Rulebook
                ) -> str | None:
    """For an unclassified account, which data would decide its class: what its growth
    lacks, and every other fact a class rule compared that the data does not give."""
    if item.klass != UNCLASSIFIED:
        return None
    fact = item.facts[0]
    growth_needs = fact.get("growth_needs")
    covered = set(FROM_REVENUE) if growth_needs else set()
    if growth_needs and "revenue_ttm" not in fact:
        covered.add("share_of_wallet")
    absent = dict.fromkeys(
        name for explanation in explained
        if rulebook.rule(explanation.rule).kind == Kind.CLASS
        for check in explanation.checks for name, value in check.values
        if value is None and not name.startswith("$") and name not in covered)
    needs = [_("{needs} to measure its growth over a year").format(needs=growth_needs)
             ] if growth_needs else []
    fields = FACT_TYPES["account"]
    needs += [f"{fact_phrase(fields[name])} ({doc_words(fields[name].doc, fields)})"
              for name in absent if name in fields]
    if not needs:
        return _("no class rule applies to the figures on file")
    return _("needs {what}").format(what=_("; ").join(needs))


def fact_title(fact: dict[str, Any]) -> str:
    subject = fact.get("subject")
    return f"{fact[FACT_TYPE]} {subject}" if subject else str(fact[FACT_TYPE])


def shown_fields(fact: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in fact.items()
            if k not in (FACT_TYPE, SOURCE_PATH, "account", "subject")]


def explain_text(result: AccountResult, review: Result) -> str:
    account, rulebook = result.account, review.rulebook
    explained = explanations(result, rulebook)
    needs = class_needs(result, explained, rulebook)
    lines = [_("{id}: {name}, as of {day}").format(id=account.id, name=account.name,
                                                    day=review.as_of),
             _("class: {shown}").format(shown=review.class_shown(result))
             + (f" ({needs})" if needs else ""),
             _("focus: {shown}").format(shown=_(result.focus or "none (no scorecard)"))]
    if result.verdict is not None:
        lines.append(_("verdict: {shown}").format(shown=result.verdict.text))
    lines += ["", _("Facts")]
    for fact in result.facts:
        lines.append(f"  {fact_title(fact)}")
        lines += [f"    {name} = {value_text(value)}" for name, value in shown_fields(fact)]
    lines += ["", _("Rules that fired")]
    facts_by_subject = {(f[FACT_TYPE], str(f.get("subject", ""))): f for f in result.facts}
    for finding in result.findings:
        rule = rulebook.rule(finding.rule)
        fact = facts_by_subject[(rule.on, finding.subject)]
        waived = _(" (waived)") if finding.waived else ""
        subject = f" [{finding.subject}]" if finding.subject else ""
        lines.append(f"  {pad(_(finding.severity).upper(), 6)} {finding.rule}{subject}{waived}: "
                     f"{finding.message}")
        values = ", ".join(f"{name} = {value_text(fact.get(name))}"
                           for name in sorted(fields_used(rule.when)))
        lines.append("         " + _("when {values}").format(values=values))
    lines += ["", _("Rules not evaluated (a fact they need is unknown)")]
    lines += [f"  {entry.rule}{f' [{entry.subject}]' if entry.subject else ''}: {entry.needs}"
              for entry in result.not_evaluated] or ["  " + _("none")]
    for kind in (Kind.CLASS, Kind.FOCUS):
        lines += ["", _("Why this {kind}").format(kind=_(kind))]
        for explanation in explained:
            if rulebook.rule(explanation.rule).kind != kind:
                continue
            lines.append(f"  {explanation.rule}: {verdict(explanation, result, rulebook)}")
            rule = rulebook.rule(explanation.rule)
            for depth, item in grouped_checks(rule, explanation.checks):
                indent = "    " + "  " * depth
                if isinstance(item, str):
                    lines.append(indent + item)
                    continue
                lines.append(f"{indent}{pad(_(item.mark), 3)} {item.words}")
                lines.append(f"{indent}    {check_text(item, rule.on)}")
    return "\n".join(terminal_text(line) for line in lines) + "\n"
