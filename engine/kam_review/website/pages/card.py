"""The header card that opens an account page: the answer to "how does this account stand?"
in one laptop screen, and at the top of the printed page.

It holds the verdict (the class when no verdict rule ran), the class, focus and owner, the
executive summary, the revenue trend and the three findings that matter most, each with its
action and the open action of the plan that answers it. Long texts are clamped on screen
(kam-review.css, kam-review.js); the whole text is one click away: the summary opens in
place, a finding's title leads to its row in the findings. Everything else follows in
sections, listed for screens too narrow for the table of contents (`jump_list`).
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown.extensions.toc import slugify

from kam_review.i18n import _
from kam_review.output.markdown_text import esc
from kam_review.review.actions import ReviewedAction, open_actions, planned_for
from kam_review.review.results import AccountResult, Finding, Result
from kam_review.website.pages.actions import due_text
from kam_review.website.pages.answers import finding_anchor
from kam_review.website.pages.common import severity_badge
from kam_review.website.pages.movement import revenue_trend
from kam_review.website.pages.plain import subject_words
from kam_review.website.pages.summary import summary_section
from kam_review.website.pages.verdict import verdict_header
from kam_review.wording import counted, labelled

TOP = 3


def top_findings(item: AccountResult) -> list[Finding]:
    """The account's open warnings that matter most, ranked as its headline is (by severity
    and the money at stake). Advice (a contact's style) and the class and focus are below,
    with every finding: they are not what the meeting acts on first."""
    return sorted((f for f in item.open_findings if f.warns), key=Finding.sort_key)[:TOP]


def header_card(item: AccountResult, result: Result, prefix: str) -> list[str]:
    return ['<div class="kam-card" markdown>', "", *_headline(item, result, prefix),
            '<div class="kam-card-body" markdown>', "",
            '<div class="kam-card-summary" markdown>', "", *summary_section(item.account),
            "</div>", "",
            '<div class="kam-card-trend" markdown>', "", *revenue_trend(item, result.as_of),
            "</div>", "", "</div>", "", *_findings(item, result), "</div>", ""]


def _headline(item: AccountResult, result: Result, prefix: str) -> list[str]:
    """The verdict with the rule that decided it and its reasons, then class, focus and
    owner on one line."""
    account = item.account
    strategy = [_("Class **{klass}**").format(klass=esc(_(result.class_shown(item))))]
    if item.focus is not None:
        strategy.append(_("Focus **{focus}**").format(focus=esc(_(item.focus))))
    team = _(" ({team})").format(team=esc(account.team)) if account.team else ""
    strategy.append(_("Owner **{owner}**").format(owner=esc(account.owner)) + team)
    return [*verdict_header(item, result, prefix), " · ".join(strategy),
            "{: .kam-card-strategy }", ""]


# The account page's findings heading, named in every language (the Chinese heading's own
# id would be made of nothing it could keep): the card links to it.
FINDINGS_ANCHOR = "findings"


def _findings(item: AccountResult, result: Result) -> list[str]:
    top = top_findings(item)
    if not top:  # what the list below holds is advice and information only: it says so
        below = (_(" The {findings} below are for information.").format(
            findings=f'<a href="#{FINDINGS_ANCHOR}">'
                     f'{counted(len(item.open_findings), "finding")}</a>')
            if item.open_findings else "")
        return [f'<p class="kam-summary-label">{_("Findings")}</p>',
                '<p class="kam-card-none">' + _("No open warning.") + below + "</p>", ""]
    shown = len(item.open_findings) - sum(1 for f in item.open_findings if f.kind.assigns)
    label = _("Top findings") if shown > len(top) else _("Findings")
    # The list below holds the class and focus rows too: the link counts what it leads to.
    more = (f' <a href="#{FINDINGS_ANCHOR}">' + _("all {findings} below").format(
        findings=counted(len(item.open_findings), "open finding")) + "</a>"
            if shown > len(top) else "")
    lines = [f'<p class="kam-summary-label">{label}{more}</p>']
    waiting = open_actions([item], result.as_of)
    items = [_finding_item(f, item, result, waiting) for f in top]
    return [*lines, '<ol class="kam-card-findings">', *items, "</ol>", ""]


def _finding_item(finding: Finding, item: AccountResult, result: Result,
                  waiting: Sequence[ReviewedAction]) -> str:
    """One finding as raw HTML: its severity, title and message, its action, and the plan's
    open action that answers it (a warning nothing answers says so)."""
    rule = result.rulebook.rule(finding.rule)
    found = planned_for(finding, item, rule.on, result.as_of, waiting)
    answer, done = found.open, found.done
    if answer is not None:
        planned = _("Planned ({owner}, due {due}): {what}").format(
            owner=esc(answer.action.owner), due=due_text(answer), what=esc(answer.action.what))
    elif found.wanted:
        planned = _("No open action of the plan answers it.") if done is None else _(
            "Done ({owner}): {what}; no open action of the plan answers it now.").format(
                owner=esc(done.action.owner), what=esc(done.action.what))
    else:
        planned = ""
    return "".join([
        "<li>",
        f'<p class="kam-clamp">{severity_badge(finding.severity)} '
        f'<a href="#{finding_anchor(finding.rule)}">{esc(rule.title)}</a>'
        # The subject for paper, which leaves the message out (the message names it).
        + (f'<span class="kam-card-subject"> [{esc(subject_words(item, rule, finding.subject))}]'
           "</span>" if finding.subject else "")
        + f'<span class="kam-card-message">{_(": ")}{esc(finding.message)}</span></p>',
        '<p class="kam-clamp kam-card-action">' + _("Action: {action}").format(
            action=esc(finding.action)) + "</p>",
        f'<p class="kam-clamp kam-card-plan">{planned}</p>' if planned else "",
        "</li>"])


def jump_list(lines: Sequence[str]) -> list[str]:
    """The page's sections as links, for a screen without the table of contents beside the
    page (a phone, a narrow window); CSS hides it where the table of contents shows."""
    links = []
    for line in lines:
        if not line.startswith("## "):
            continue
        title, _sep, rest = line[3:].partition(" {#")
        target = rest.rstrip("}") if rest else slugify(title, "-")
        links.append(f'<a href="#{target}">{title}</a>')
    if not links:
        return []
    on_page = _("On this page")
    lead = labelled(on_page, "").rstrip()
    return [f'<nav class="kam-jump" aria-label="{on_page}"><span>{lead}</span> '
            + " · ".join(links) + "</nav>", ""]

