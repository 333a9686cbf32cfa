"""Explaining one account's result: its facts, the rules that fired and why it got its class."""

from __future__ import annotations

from typing import Any

from kam_review.formatting import format_value
from kam_review.review.evaluate import explanations
from kam_review.review.results import AccountResult, Check, Explanation, Result
from kam_review.rulebook.conditions import fields_used
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.facts import FACT_TYPE, SOURCE_PATH
from kam_review.rulebook.loading import Rulebook
from kam_review.text_safety import terminal_text


def value_text(value: Any) -> str:
    return "absent" if value is None else format_value(value, "")


def check_text(check: Check, fact_type: str) -> str:
    """`growth_yoy >= $fast_growing_min_growth_yoy  (growth_yoy = 0.12, $... = 0.25)`; an absent
    fact says what it would need."""
    fields = FACT_TYPES[fact_type]
    values = ", ".join(
        f"{name} = absent: {fields[name].doc}" if value is None and name in fields
        else f"{name} = {value_text(value)}" for name, value in check.values)
    return f"{check.text}  ({values})"


def verdict(explanation: Explanation, chosen: str | None, rulebook: Rulebook) -> str:
    rule = rulebook.rule(explanation.rule)
    if not explanation.fired:
        return "does not apply"
    return "applies" if rule.label == chosen else f"applies, but {chosen} comes first"


def fact_title(fact: dict[str, Any]) -> str:
    subject = fact.get("subject")
    return f"{fact[FACT_TYPE]} {subject}" if subject else str(fact[FACT_TYPE])


def shown_fields(fact: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in fact.items()
            if k not in (FACT_TYPE, SOURCE_PATH, "account", "subject")]


def explain_text(result: AccountResult, review: Result) -> str:
    account, rulebook = result.account, review.rulebook
    lines = [f"{account.id}: {account.name}, as of {review.as_of}",
             f"class: {result.klass}", f"focus: {result.focus or 'none (no scorecard)'}", "",
             "Facts"]
    for fact in result.facts:
        lines.append(f"  {fact_title(fact)}")
        lines += [f"    {name} = {value_text(value)}" for name, value in shown_fields(fact)]
    lines += ["", "Rules that fired"]
    facts_by_subject = {(f[FACT_TYPE], str(f.get("subject", ""))): f for f in result.facts}
    for finding in result.findings:
        rule = rulebook.rule(finding.rule)
        fact = facts_by_subject[(rule.on, finding.subject)]
        waived = " (waived)" if finding.waived else ""
        subject = f" [{finding.subject}]" if finding.subject else ""
        lines.append(f"  {finding.severity.upper():<6} {finding.rule}{subject}{waived}: "
                     f"{finding.message}")
        values = ", ".join(f"{name} = {value_text(fact.get(name))}"
                           for name in sorted(fields_used(rule.when)))
        lines.append(f"         when {values}")
    for kind, chosen in (("class", result.klass), ("focus", result.focus)):
        lines += ["", f"Why this {kind}"]
        for explanation in explanations(result):
            if rulebook.rule(explanation.rule).kind != kind:
                continue
            lines.append(f"  {explanation.rule}: {verdict(explanation, chosen, rulebook)}")
            for check in explanation.checks:
                mark = "yes" if check.held else "no "
                lines.append(f"    {mark} {check_text(check, rulebook.rule(explanation.rule).on)}")
    return "\n".join(terminal_text(line) for line in lines) + "\n"
