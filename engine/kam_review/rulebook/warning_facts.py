"""The account facts behind the warnings seeds 001 and 002 name, for the accounts they mean.

Revenue at zero after buying and a fall against the same quarters a year before (read from
the rows on file, so a quarter without a row is never taken for a quarter without sales),
access to senior management and directors, seed 002's four buying influences identified and
met, and the rhythm of visits. Pure functions of (account, review date, the account's
quarterly series); facts.py adds them to the account's facts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TypedDict

from kam_review.i18n import _, listed
from kam_review.rulebook.figures import SeriesQuarter, days_between, growth, total
from kam_review.rulebook.history import same_quarters_a_year_apart, zero_run_after_buying
from kam_review.rulebook.subject_facts import activities_met
from kam_review.source.model import Account, Contact
from kam_review.source.names import normalise_name

# Seed 001 asks for access to senior management and directors (高层管理人员和总监).
SENIOR_LEVELS = ("executive", "director")
# Seed 002's four buying influences, in its order, with the words a message uses.
BUYING_INFLUENCES = {"user": "user", "technical": "technical gatekeeper", "coach": "coach",
                     "decision_maker": "decision maker"}
# Seed 002 measures visits (拜访); what counts is meeting the customer in person, so calls and
# e-mails are left out.
VISIT_KINDS = ("visit", "meeting", "demo", "event")
# The window the visits are counted in: three months, as the forecast's first window.
VISIT_WINDOW_DAYS = 92
# One quarter against the one a year before is the timing of an order, not a trend.
MIN_SAME_QUARTERS = 2


class WarningFacts(TypedDict):
    zero_revenue_quarters: int | None
    same_quarters_compared: int
    same_quarters_revenue: float | None
    same_quarters_revenue_before: float | None
    same_quarters_growth: float | None
    senior_contacts_current: int
    buying_influences_uncovered: int
    buying_influences_uncovered_list: str
    visits_last_3_months: int
    days_since_visit: int | None


def warning_facts(account: Account, as_of: date, series: list[SeriesQuarter]) -> WarningFacts:
    pairs = same_quarters_a_year_apart(series)
    now = before = None
    if len(pairs) >= MIN_SAME_QUARTERS:
        now, before = total(r for r, _ in pairs), total(b for _, b in pairs)
    current = [c for c in account.contacts if c.left_on is None or c.left_on > as_of]
    gaps = uncovered_influences(account, current, as_of)
    visits = [a.date for a in account.activities if a.kind in VISIT_KINDS and a.date <= as_of]
    return WarningFacts(
        zero_revenue_quarters=zero_run_after_buying(series),
        same_quarters_compared=len(pairs),
        same_quarters_revenue=now,
        same_quarters_revenue_before=before,
        same_quarters_growth=None if now is None or before is None else growth(now, before),
        senior_contacts_current=sum(1 for c in current if c.level in SENIOR_LEVELS),
        buying_influences_uncovered=len(gaps),
        buying_influences_uncovered_list=listed(gaps, "; "),
        visits_last_3_months=sum(1 for day in visits
                                 if (as_of - day).days < VISIT_WINDOW_DAYS),
        days_since_visit=days_between(as_of, max(visits, default=None)),
    )


def uncovered_influences(account: Account, current: list[Contact], as_of: date) -> list[str]:
    """Seed 002's minefield: each buying influence no current contact holds, then each
    current holder of one who was never met, with their roles."""
    met = activities_met(account, as_of)
    unmet = [c for c in current if not _met(c, met, as_of)]
    gaps = [_("{label}: nobody holds the role").format(label=_(label))
            for role, label in BUYING_INFLUENCES.items()
            if not any(role in c.roles for c in current)]
    for contact in unmet:
        roles = [_(label) for role, label in BUYING_INFLUENCES.items() if role in contact.roles]
        if roles:
            gaps.append(_("{name} ({roles}): never met").format(name=contact.name,
                                                                 roles=listed(roles)))
    return gaps


def _met(contact: Contact, met: Mapping[str, date], as_of: date) -> bool:
    seen = contact.last_contact is not None and contact.last_contact <= as_of
    return seen or normalise_name(contact.name) in met
