"""What changed since the last review, in words: the changes page and each account's section.

The base revision is named exactly as the user gave it, in a code span (which shows its text
as written: `HEAD~1`, never an entity); rules are named by their titles, opportunities and
stages by their names; counts take the right number.
"""

from __future__ import annotations

from kam_review.output.diff_report import change_title
from kam_review.output.markdown_text import code, esc, table
from kam_review.review.diff import Change, Diff
from kam_review.review.results import AccountResult
from kam_review.rulebook.loading import Rulebook
from kam_review.website.pages.common import (
    WIDE_PAGE,
    account_link,
    filterable,
    severity_badge,
)
from kam_review.website.pages.plain import subject_words
from kam_review.wording import counted


def changes_page(changes: Diff) -> str:
    base, head = changes.base_result, changes.head_result
    lines = [WIDE_PAGE + "# Changes since the last review", "",
             f"From {code(changes.base)} (reviewed as of {base.as_of}) to this review "
             f"(as of {head.as_of}): {counted(len(changes.changes), 'change')}.", ""]
    if not changes.changes:
        return "\n".join([*lines, "Nothing changed.", ""])
    accounts = {a.account.id: a.account for a in head.accounts}
    rows = []
    for change in changes.changes:
        account = accounts.get(change.account)
        name = account_link(account) if account else esc(change.account)
        before, after = _values(change, changes)
        rows.append([name, change_title(change.kind),
                     severity_badge(change.severity) if change.severity else "",
                     esc(_subject(change, changes)), esc(before), esc(after)])
    lines.append(filterable(table(["Account", "Change", "Severity", "Subject", "Before",
                                   "After"], rows), ["Change", "Severity"]))
    return "\n".join(lines)


def account_changes_section(changes: Diff, account_id: str) -> str:
    found = changes.for_account(account_id)
    lines = ["## Changes since the last review", "",
             f"Compared with {code(changes.base)} as of {changes.base_result.as_of}.", ""]
    if not found:
        return "\n".join([*lines, "No change.", ""])
    lines += [f"- {esc(_change_words(change, changes))}" for change in found]
    return "\n".join([*lines, ""])


def _change_words(change: Change, changes: Diff) -> str:
    """A change as one line: "new finding: Stale deal, Tablets for smart classrooms: ..."."""
    subject = _subject(change, changes)
    before, after = _values(change, changes)
    head = change_title(change.kind) + (f" ({change.severity})" if change.severity else "")
    head += f": {subject}" if subject else ""
    if before and after:
        return f"{head}: {before} -> {after}"
    return f"{head}: {after or before}"


def _sides(change: Change, changes: Diff) -> list[tuple[AccountResult, Rulebook]]:
    """The account as reviewed on each side that has it, this review first, with that
    side's rules."""
    return [(item, result.rulebook) for result in (changes.head_result, changes.base_result)
            for item in result.accounts if item.account.id == change.account]


def _subject(change: Change, changes: Diff) -> str:
    """What the change is about: a rule by its title and its subject by its name, an
    opportunity by its name ("Tablets for smart classrooms (forward)", "... probability")."""
    sides = _sides(change, changes)
    if change.rule:
        for item, rulebook in sides:
            rule = next((r for r in rulebook.rules if r.id == change.rule), None)
            if rule is not None:
                return f"{rule.title}, {subject_words(item, rule, change.subject)}".strip(", ")
        return f"{change.rule} {change.subject}".strip()
    first, _, rest = change.subject.partition(" ")
    names = {o.id: o.name for item, _ in reversed(sides) for o in item.account.opportunities}
    return f"{names[first]} {rest}".strip() if first in names else change.subject



def _values(change: Change, changes: Diff) -> tuple[str, str]:
    """Before and after; a funnel stage by its name."""
    if change.kind not in ("stage", "opportunity-added", "opportunity-removed"):
        return change.before, change.after
    names = {s.id: s.name for result in (changes.base_result, changes.head_result)
             for s in result.rulebook.stages}
    return names.get(change.before, change.before), names.get(change.after, change.after)
