"""What an action answers, shown as a link to it: the finding on the account page, the
opportunity's stage checklist there, or the plan's goals. The account page gives each rule's
first finding and each opportunity an anchor for these links."""

from __future__ import annotations

from collections.abc import Sequence

from kam_review.i18n import _
from kam_review.output.markdown_text import esc
from kam_review.review.actions import ReviewedAction
from kam_review.review.results import AccountResult, Finding
from kam_review.rulebook.loading import Rulebook
from kam_review.source.actions import goal_answered, read_answer
from kam_review.website.pages.common import (
    ACCOUNTS_DIR,
    anchor,
    rule_title_link,
    severity_badge,
)
from kam_review.website.pages.plain import finding_cells
from kam_review.wording import bracketed

# The account page's plan section, where its goals are, named apart from the findings'
# "Plan checks" heading.
PLAN_ANCHOR = "account-plan"


def finding_anchor(rule_id: str) -> str:
    return f"finding-{anchor(rule_id)}"


def opportunity_anchor(opportunity_id: str) -> str:
    return f"opportunity-{opportunity_id}"


def anchored_finding_rows(found: Sequence[Finding], item: AccountResult, rulebook: Rulebook,
                          prefix: str) -> list[list[str]]:
    """The account page's finding rows, the first of each rule carrying its anchor."""
    rows, seen = [], set()
    for finding in found:
        row = [severity_badge(finding.severity), *finding_cells(finding, item, rulebook, prefix)]
        if finding.rule not in seen:
            seen.add(finding.rule)
            row[1] = f'<span id="{finding_anchor(finding.rule)}"></span>{row[1]}'
        rows.append(row)
    return rows


def answer_link(reviewed: ReviewedAction, rulebook: Rulebook, prefix: str,
                on_account_page: bool) -> str:
    """The action's answer as a link: to the finding when the review raises it on the
    account (else to the rule in the catalogue), the opportunity or the plan's goals. `prefix`
    leads from the page to the site's root."""
    text = reviewed.action.answers
    if text is None:
        return "—"
    account = reviewed.item.account
    page = "" if on_account_page else f"{prefix}{ACCOUNTS_DIR}/{account.id}.md"
    answer = read_answer(text)
    if answer.kind == "rule":
        rule = rulebook.find(answer.key)
        if rule is None:  # reported as an input error; shown as written
            return esc(answer.key)
        raised = any(answer.names_finding(f.rule, f.subject) for f in reviewed.item.findings)
        link = f"[{esc(rule.title)}]({page}#{finding_anchor(answer.key)})" if raised \
            else rule_title_link(rule, prefix)
        if answer.subject is not None:
            link = bracketed(link, esc(answer.subject))
        return link if raised else link + _(" (not raised in this review)")
    if answer.kind == "opportunity":
        deal = next((o for o in account.opportunities if o.id == answer.key), None)
        name = deal.name if deal else answer.key
        return "[" + _("opportunity: {name}").format(name=esc(name)) + (
            f"]({page}#{opportunity_anchor(answer.key)})")
    goals = account.plan.goals if account.plan else ()
    index = goal_answered(answer, goals)
    if index is None:
        return _("goal {key}").format(key=esc(answer.key))
    return "[" + _("goal {number}: {text}").format(number=index + 1, text=esc(
        goals[index].text)) + f"]({page}#{PLAN_ANCHOR})"
