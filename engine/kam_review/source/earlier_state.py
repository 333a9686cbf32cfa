"""An account as its file stood on an earlier day: what a review held that day could know.

When no earlier review is tagged and git holds no earlier state, the previous review is the
same files reviewed as of the end of the previous quarter. Most facts already look only at
what is dated on or before the review date (figures of complete quarters, activities,
complaints, contacts who had left); this leaves out, or takes back, what the file dates
after the day, so that nothing later shows in the earlier review:

- quarters of figures that end after the day;
- activities and complaints dated after it; a complaint resolved after it was open then;
- a contact who left after it was still there; a last contact after it becomes the latest
  activity with them on or before the day (unknown without one);
- an owner who took the account over after it: the earlier owner held it then;
- a deal whose stage changed after it (its stage_since or an entry of its stage_history is
  later) had the stage its history gives for the day, entered when the history says (a
  deal won or lost since was neither then); without an entry on or before the day, the file
  does not say which stage it was in, so it keeps the stage it has now but not the date it
  reached it (its time in the stage is unknown, and a day it was won or lost after the day
  is left out), and the movement lists it as moved on that date from a stage not on file.

What the file does not date stays as it is: contacts and deals added since, values,
probabilities and close dates of deals, the plan and the waivers. An account with no quarter
of figures by the day and no customer_since on or before it was not yet an account then.
An action of the plan marked done with a due date after the day was still open then (the
format records no day an action was done: its due date stands for it).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kam_review.source.model import Account, Activity, Contact, Opportunity, PastOwner
from kam_review.source.names import normalise_name
from kam_review.source.stage_history import known_history, stage_on


def account_on(account: Account, day: date) -> Account | None:
    """The account as its file stood on `day`, or None when it was not yet an account."""
    financials = tuple(row for row in account.financials if row.quarter.last_day <= day)
    since = account.customer_since
    if not financials and (since is None or since > day):
        return None
    activities = tuple(a for a in account.activities if a.date <= day)
    owner, history = _owner_on(account, day)
    return replace(
        account,
        owner=owner,
        owner_history=history,
        financials=financials,
        activities=activities,
        complaints=tuple(
            replace(c, resolved_on=None if c.resolved_on and c.resolved_on > day
                    else c.resolved_on)
            for c in account.complaints if c.date <= day),
        contacts=tuple(_contact_on(c, activities, day) for c in account.contacts),
        opportunities=tuple(_deal_on(o, day) for o in account.opportunities),
        plan=None if account.plan is None else replace(account.plan, actions=tuple(
            replace(a, status="open", outcome=None, done_on=None)
            if a.status == "done" and a.finished_on is not None and a.finished_on > day else a
            for a in account.plan.actions)),
    )


def stage_unknown(opportunity: Opportunity, day: date) -> bool:
    """Whether the file cannot say the deal's stage on `day`: it moved after the day, and
    its history has no entry on or before it."""
    return _moved_after(opportunity, day) and stage_on(opportunity, day) is None


def _moved_after(opportunity: Opportunity, day: date) -> bool:
    since = opportunity.stage_since
    return (since is not None and since > day) or any(
        entry.entered > day for entry in opportunity.stage_history)


def _deal_on(opportunity: Opportunity, day: date) -> Opportunity:
    if not _moved_after(opportunity, day):
        return opportunity
    then = stage_on(opportunity, day)
    if then is None:
        # The stage it has now, but not the day it reached it: neither the day it moved
        # nor the day it was won or lost, when that is later.
        return replace(opportunity, stage_since=None, stage_history=(),
                       closed_on=_by(opportunity.closed_on, day),
                       lost_on=_by(opportunity.lost_on, day))
    earlier = replace(opportunity, stage=then.stage, stage_since=then.entered,
                      stage_history=known_history(opportunity, day))
    if then.stage == opportunity.stage:
        return earlier
    # The day it was won or lost, and why, came with the stage it has now.
    return replace(earlier, closed_on=None, lost_on=None, loss_reason=None)


def _by(day: date | None, limit: date) -> date | None:
    """A day on or before `limit`; None for a later one (or none)."""
    return day if day is not None and day <= limit else None


def _contact_on(contact: Contact, activities: tuple[Activity, ...], day: date) -> Contact:
    left = contact.left_on if contact.left_on is not None and contact.left_on <= day else None
    last = contact.last_contact
    if last is not None and last > day:
        name = normalise_name(contact.name)
        met = [a.date for a in activities
               if any(normalise_name(who) == name for who in a.with_)]
        last = max(met, default=None)
    return replace(contact, left_on=left, last_contact=last)


def _owner_on(account: Account, day: date) -> tuple[str, tuple[PastOwner, ...]]:
    """Who owned the account on `day`, and the handovers before it: an owner who handed
    over after the day still held the account then."""
    later = sorted((h for h in account.owner_history if h.to > day), key=lambda h: h.to)
    kept = tuple(h for h in account.owner_history if h.to <= day)
    return (later[0].name if later else account.owner), kept
