"""The pages' account of rules not evaluated: an account page's section, and the notes that
say which class or focus could not be evaluated and what it needs."""

from __future__ import annotations

from kam_review.output.markdown_text import esc, table
from kam_review.review.results import AccountResult, Result
from kam_review.vocabulary import Kind
from kam_review.website.pages.common import rule_link


def not_evaluated_section(item: AccountResult, result: Result, prefix: str) -> list[str]:
    """Every rule not evaluated on the account, with its title and what it needs."""
    if not item.not_evaluated:
        return []
    rows = [[rule_link(n.rule, prefix), esc(n.title), esc(n.subject), esc(n.needs)]
            for n in item.not_evaluated]
    return ["## Not evaluated", "",
            f"{len(rows)} rule(s) depend on a fact the data does not give: neither fired nor "
            "clear, and not findings.", "",
            table(["Rule", "Title", "Subject", "Needs"], rows), ""]


def assigning_notes(item: AccountResult, result: Result) -> list[str]:
    """For a class or focus rule tried before the one that applies but not evaluated: the
    label stays what fired, and this says which label could not be evaluated and why."""
    lines = []
    for entry in item.not_evaluated:
        rule = result.rulebook.rule(entry.rule)
        if rule.kind in (Kind.CLASS, Kind.FOCUS) and item.assigned_by(rule.kind) is not None:
            lines.append(f"**{esc(rule.shown_label)}** could not be evaluated ({rule.kind} "
                         f"tried first): {esc(entry.needs)}.")
    return [*lines, ""] if lines else []
