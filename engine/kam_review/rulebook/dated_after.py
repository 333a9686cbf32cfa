"""The dates an account file records after the review date: what the file says happened
later than the day the review judges it on. A done action dated next year, a quarter of
revenue that has not begun, a deal won next month: a typing slip, or a file edited after
the review, and either way the review would count as done, earned or won what it cannot
know yet (data.after-review-date).

Only dates of what has happened are read: a due date, an expected close, a waiver's end or
a contact's announced departure may lie ahead. Each is one the files as of an earlier day
(source/earlier_state.py) leave out, so a previous review rebuilt from the files never
finds one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kam_review.source.model import Account, Quarter, format_path


def dates_after(account: Account, as_of: date) -> list[str]:
    """Each date after `as_of`, as the file names its field, with the date:
    "plan.actions[2].done_on 2027-09-28", "financials 2026-Q4"."""
    this_quarter = Quarter.containing(as_of).index
    found = [f"financials {row.quarter}" for row in account.financials
             if row.quarter.index > this_quarter]
    found += [f"{format_path(path)} {day.isoformat()}" for path, day in _happened(account)
              if day > as_of]
    return found


def _happened(account: Account) -> Iterator[tuple[tuple[str | int, ...], date]]:
    """Every date of something that has happened, with where the file holds it."""
    for i, activity in enumerate(account.activities):
        yield ("activities", i, "date"), activity.date
    for i, complaint in enumerate(account.complaints):
        yield ("complaints", i, "date"), complaint.date
        if complaint.resolved_on is not None:
            yield ("complaints", i, "resolved_on"), complaint.resolved_on
    for i, contact in enumerate(account.contacts):
        if contact.last_contact is not None:
            yield ("contacts", i, "last_contact"), contact.last_contact
    for i, deal in enumerate(account.opportunities):
        for name in ("stage_since", "closed_on", "lost_on"):
            day = getattr(deal, name)
            if day is not None:
                yield ("opportunities", i, name), day
        for entry in deal.stage_history:  # (kept oldest first, not in the file's order)
            yield ("opportunities", i, "stage_history"), entry.entered
    for i, action in enumerate(account.plan.actions if account.plan else ()):
        if action.done_on is not None:
            yield ("plan", "actions", i, "done_on"), action.done_on
    for i, owner in enumerate(account.owner_history):
        yield ("owner_history", i, "to"), owner.to
