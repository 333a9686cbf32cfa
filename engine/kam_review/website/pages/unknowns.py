"""The pages' account of rules not evaluated: an account page's section, and the notes that
say which class or focus could not be evaluated and what it needs."""

from __future__ import annotations

from kam_review.i18n import _
from kam_review.output.markdown_text import esc, esc_code, table
from kam_review.review.results import AccountResult, Result
from kam_review.vocabulary import Kind
from kam_review.website.pages.common import rule_title_link
from kam_review.website.pages.plain import subject_words
from kam_review.wording import counted


def not_evaluated_section(item: AccountResult, result: Result, prefix: str) -> list[str]:
    """Every rule not evaluated on the account, by its title, with what it needs."""
    if not item.not_evaluated:
        return []
    rules = result.rulebook
    rows = [[rule_title_link(rules.rule(n.rule), prefix),
             esc(subject_words(item, rules.rule(n.rule), n.subject)), esc_code(n.needs)]
            for n in item.not_evaluated]
    return [f"## {_('Not evaluated')}", "",
            _("{rules} on a fact the data does not give: neither fired nor clear, and not "
              "findings.").format(rules=counted(len(rows), 'rule depends|rules depend')), "",
            table(["Rule", "Subject", "Needs"], rows), ""]


def assigning_notes(item: AccountResult, result: Result) -> list[str]:
    """For a class or focus rule tried before the one that applies but not evaluated: the
    label stays what fired, and this says which label could not be evaluated and why."""
    lines = []
    for entry in item.not_evaluated:
        rule = result.rulebook.rule(entry.rule)
        if rule.kind in (Kind.CLASS, Kind.FOCUS) and item.assigned_by(rule.kind) is not None:
            lines.append(f"**{esc(rule.shown_label)}** " + _(
                "could not be evaluated ({kind} tried first): {needs}.").format(
                    kind=_(rule.kind), needs=esc_code(entry.needs)))
    return [*lines, ""] if lines else []
