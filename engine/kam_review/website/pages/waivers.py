"""What the pages say of the waivers in the account files beyond the findings they silence: a
waiver in force that matches no finding silences nothing, while on the page it reads like one
that does, and the finding it was meant for stays open without a word. kam check finds them
(check_parts.waivers_matching_nothing); the pages mark them with its reasons. A waiver without
a subject silences every finding of its rule on the account: its entry says how many."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from kam_review.i18n import _, ngettext
from kam_review.output.check_parts import waivers_matching_nothing
from kam_review.output.markdown_text import esc
from kam_review.review.results import AccountResult, Result
from kam_review.source.model import Waiver
from kam_review.website.pages.common import account_link, rule_title_link
from kam_review.wording import counted, labelled

# A waiver that matches no finding, with its account and why.
Unmatched = tuple[AccountResult, Waiver, str]


def unmatched_in(items: Iterable[AccountResult], result: Result) -> list[Unmatched]:
    """The waivers in force of `items` that match no finding, each with why."""
    return [(item, waiver, why) for item in items
            for waiver, why in waivers_matching_nothing(item, result.rulebook, result.as_of)]


def unmatched_note(unmatched: Sequence[Unmatched], result: Result, prefix: str = "") -> list[str]:
    """The waivers that match no finding, named where findings and waivers are summed up,
    each with why (often the subject its rule's findings have, which it must name)."""
    if not unmatched:
        return []
    count = len(unmatched)
    lines = [ngettext("**{count} waiver matches no finding** (it silences nothing):",
                      "**{count} waivers match no finding** (they silence nothing):",
                      count).format(count=count), ""]
    for item, waiver, why in unmatched:
        named = rule_title_link(result.rulebook.rule(waiver.rule), prefix) + (
            _(", subject {subject}").format(subject=esc(waiver.subject))
            if waiver.subject else "")
        lines.append(f"- {labelled(labelled(account_link(item.account, prefix), named), esc(why))}")
    return [*lines, ""]


def waiver_subject(waiver: Waiver, item: AccountResult, unmatched: Mapping[Waiver, str]
                   ) -> str:
    """A waiver's subject in the account page's table of waivers (all: every finding of its
    rule), marked when the waiver matches no finding, with why."""
    why = unmatched.get(waiver)
    if why is not None:
        return esc(waiver.subject or _("all")) + "<br>" + _(
            "**matches no finding**: {why}").format(why=esc(why))
    if waiver.subject:
        return esc(waiver.subject)
    # Without a subject a waiver takes every finding of its rule here, and each one that
    # appears while it runs (a contact who leaves later): the count shows how far it reaches.
    covered = sum(finding.waiver == waiver for finding in item.findings)
    if covered > 1:
        return _("all ({findings} now, and any the rule finds here later)").format(
            findings=counted(covered, "finding"))
    return _("all")
