"""The plan's actions on an account page: the open ones, overdue first, each with its owner,
due date and what it answers; then the completed ones with their outcome, and those dropped.
`due_text` writes an action's due date the same way on every page."""

from __future__ import annotations

from collections.abc import Sequence

from kam_review.formatting import format_value
from kam_review.i18n import _
from kam_review.output.markdown_text import esc, table
from kam_review.review.actions import ReviewedAction, open_actions, reviewed_actions
from kam_review.review.results import AccountResult, Result
from kam_review.website.pages.answers import answer_link
from kam_review.website.pages.cells import date_key, sorted_by
from kam_review.website.pages.printing import screen_only
from kam_review.wording import bracketed, counted, labelled


def due_text(reviewed: ReviewedAction) -> str:
    """The due date as the reader reads it (sorting as a date) and, for an open action, how
    it stands: overdue (marked), due today, or how many days are left."""
    due, days = reviewed.action.due, reviewed.days_past_due
    if due is None or days is None:
        return _("no due date")
    day = reviewed.item.formats.date(due)
    if not reviewed.is_open:
        shown = day
    elif days > 0:
        shown = ('<span class="kam-overdue">' + _("{due}: {days} overdue").format(
            due=day, days=format_value(days, "days")) + "</span>")
    elif days == 0:
        shown = _("{due}: due today").format(due=day)
    else:
        shown = _("{due}: in {days}").format(due=day, days=format_value(-days, "days"))
    return sorted_by(shown, date_key(due))


def account_actions_section(item: AccountResult, result: Result) -> list[str]:
    lines = [f"## {_('Actions')}", ""]
    everything = reviewed_actions(item, result.as_of)
    if not everything:
        return [*lines, _("No actions on file: the plan's `actions` say who does what by when."),
                ""]
    waiting = open_actions([item], result.as_of)
    if waiting:
        overdue = sum(1 for a in waiting if a.overdue)
        lines += [_("{actions}, {overdue} overdue as of {date}; the earliest due first.").format(
            actions=counted(len(waiting), "open action"), overdue=overdue,
            date=item.formats.date(result.as_of)), ""]
        lines.append(table(["What", "Action owner", "Due", "Answers"], [
            [esc(a.action.what), esc(a.action.owner), due_text(a),
             answer_link(a, result.rulebook, "../", True)]
            for a in waiting]))
    else:
        lines += [_("No open action."), ""]
    # Done and dropped actions are looked up on screen; the printed page keeps the open ones.
    return lines + screen_only(_closed_actions(everything))


def _closed_actions(everything: Sequence[ReviewedAction]) -> list[str]:
    lines: list[str] = []
    done = [a for a in everything if a.action.status == "done"]
    if done:
        lines += [f"### {_('Completed')}", ""]
        lines += [f"- ✔ {esc(a.action.what)} ("
                  + (_("{owner}, done on {day}").format(
                      owner=esc(a.action.owner), day=a.item.formats.date(a.action.done_on))
                     if a.action.done_on else
                     _("{owner}, due {due}").format(owner=esc(a.action.owner), due=_day(a)))
                  + "): " + (esc(a.action.outcome) if a.action.outcome
                             else _("*no outcome recorded*"))
                  for a in done]
        lines.append("")
    dropped = [a for a in everything if a.action.status == "dropped"]
    if dropped:
        lines += [f"### {_('Dropped')}", ""]
        lines += ["- " + (labelled(bracketed(esc(a.action.what), esc(a.action.owner)),
                                   esc(a.action.outcome)) if a.action.outcome
                          else bracketed(esc(a.action.what), esc(a.action.owner)))
                  for a in dropped]
        lines.append("")
    return lines


def _day(reviewed: ReviewedAction) -> str:
    due = reviewed.action.due
    return "—" if due is None else reviewed.item.formats.date(due)
