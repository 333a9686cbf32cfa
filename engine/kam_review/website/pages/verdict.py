"""The health verdict on the pages: at the top of each account page with its reasons, the
portfolio's accounts by verdict on the overview, and each owner's accounts by verdict."""

from __future__ import annotations

from collections.abc import Sequence

from kam_review.i18n import _
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import AccountResult, Result
from kam_review.vocabulary import Health
from kam_review.website.pages.common import account_link, rule_title_link
from kam_review.wording import bracketed, labelled


def verdict_badge(health: Health) -> str:
    return f'<span class="kam-verdict kam-verdict-{health.value}">{health.shown}</span>'


def verdict_cell(item: AccountResult) -> str:
    """The verdict in a table cell: sorted and filtered by its words."""
    return "—" if item.verdict is None else verdict_badge(item.verdict.health)


def verdict_header(item: AccountResult, result: Result, prefix: str) -> list[str]:
    """The verdict at the top of the account page: the verdict rule that decided it and its
    reasons (the findings, goals, class or data that made it)."""
    verdict = item.verdict
    if verdict is None:
        return []
    if verdict.rule is None:
        decided = _("no verdict rule could decide; what they needed:")
    else:
        rule = result.rulebook.rule(verdict.rule)
        decided = _("by the rule {rule}, because:").format(rule=rule_title_link(rule, prefix))
    lines = ["**" + _("Verdict: {badge}").format(badge=verdict_badge(verdict.health))
             + f"** {decided}", ""]
    return [*lines, *(f"- {esc(reason)}" for reason in verdict.reasons), ""]


def _by_verdict(items: Sequence[AccountResult]) -> dict[Health, list[AccountResult]]:
    """The accounts of each verdict, in the order verdicts are listed, by name."""
    grouped: dict[Health, list[AccountResult]] = {health: [] for health in Health}
    for item in sorted(items, key=lambda i: i.account.name.lower()):
        if item.verdict is not None:
            grouped[item.verdict.health].append(item)
    return {health: found for health, found in grouped.items() if found}


def verdict_overview(result: Result) -> list[str]:
    """The overview's accounts by verdict: how many of each, then each group with every
    account's reasons."""
    grouped = _by_verdict(result.accounts)
    if not grouped:
        return []
    lines = [f"## {_('Accounts by verdict')}", "",
             _("One health verdict per account, decided by the [verdict rules](rules.md#verdict) "
               "from its open warnings, goals, class and data freshness."), ""]
    lines.append(table(["Verdict", "Accounts"], [
        [verdict_badge(health), str(len(items))] for health, items in grouped.items()]))
    for health, items in grouped.items():
        lines += [f"### {bracketed(health.shown.capitalize(), str(len(items)))}", ""]
        lines += ["- " + labelled(bracketed(account_link(item.account),
                                            esc(item.account.owner)),
                                  esc(_("; ").join(item.verdict.reasons)))
                  for item in items if item.verdict is not None]
        lines.append("")
    return lines


def owner_verdicts(items: Sequence[AccountResult]) -> list[str]:
    """One owner's accounts by verdict, a line a verdict."""
    return [*(f"- {verdict_badge(health)} " + _(", ").join(account_link(i.account)
                                                           for i in found)
              for health, found in _by_verdict(items).items()), ""]
