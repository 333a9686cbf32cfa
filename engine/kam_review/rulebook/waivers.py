"""When a waiver silences a finding: in force on the review date and, for a high finding,
approved by someone other than the account's owner.

The waiver rules in rules/plans.yaml report what is wrong with a waiver; this module holds
the two conditions that decide whether a waiver applies at all, so that no rule folder (a
team's own one included) can let an owner silence a high finding on their own say-so.
"""

from __future__ import annotations

import unicodedata
from datetime import date

from kam_review.source.model import Account, Waiver
from kam_review.source.names import normalise_name, without_invisible
from kam_review.vocabulary import Severity

# Severities whose waiver needs an approver other than the account's owner.
NEEDS_APPROVAL = (Severity.HIGH,)


def visible_text(text: str | None) -> str:
    """Text as a reader sees it: Unicode-normalised, invisible characters removed as names.py
    removes them, blanks collapsed, nothing around it; so a reason padded with blanks or made
    of invisible characters is as short as it looks."""
    plain = unicodedata.normalize("NFC", without_invisible(text or ""))
    return " ".join(plain.split())


def person_key(name: str | None) -> str:
    """A name as it is compared, as names.py compares every name ("  li  WEI" is "Li Wei")."""
    return normalise_name(name or "")


def has_approver(waiver: Waiver) -> bool:
    return bool(person_key(waiver.by))


def approved_by_owner(waiver: Waiver, account: Account) -> bool:
    return has_approver(waiver) and person_key(waiver.by) == person_key(account.owner)


def independently_approved(waiver: Waiver, account: Account) -> bool:
    """The waiver names an approver, and it is not the account's owner."""
    return has_approver(waiver) and not approved_by_owner(waiver, account)


def names_no_subject(waiver: Waiver, subject: str | None) -> bool:
    """Whether the waiver accepts a finding on `subject` without naming it: it waives the
    rule on every subject (plan.waiver-unnamed), this one among them."""
    return bool(subject) and not waiver.subject


def in_force(waiver: Waiver, as_of: date) -> bool:
    return waiver.until is not None and waiver.until >= as_of


def applies(waiver: Waiver, account: Account, severity: Severity, as_of: date) -> bool:
    """Whether the waiver silences a finding of this severity on the review date."""
    if not in_force(waiver, as_of):
        return False
    return severity not in NEEDS_APPROVAL or independently_approved(waiver, account)
