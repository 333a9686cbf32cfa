"""The fact type the verdict rules test: what the other rules found on an account, weighed.

One verdict fact per account, made after every other rule has run (review/verdict.py): its
open warnings by severity once waivers apply, the high findings waived, its class, its goals
by status and how fresh its figures are. Only the verdict rules (`kind: verdict`) test it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kam_review.rulebook.fact_fields import FactType, fact_field


@dataclass(frozen=True, kw_only=True)
class VerdictFacts(FactType):
    """One per account, from the findings of every other rule: what the verdict rules weigh
    (rules/verdict.yaml). A warning is a risk, funnel, plan or data finding; "open" means no
    waiver covers it."""

    fact_type: ClassVar[str] = "verdict"
    subject: str = fact_field("text", "Subject", "empty: the verdict is the account's",
                              known=True)
    account_class: str = fact_field(
        "text", "Class", "the class its class rules gave (unclassified when none did)",
        known=True)
    high_warnings: int = fact_field("count", "Open high warnings",
                                    "open warnings of severity high", known=True)
    high_warning_list: str = fact_field(
        "text", "Open high warnings, listed", "their rules, with the subject in brackets",
        known=True)
    medium_warnings: int = fact_field(
        "count", "Open medium warnings",
        "open warnings of severity medium, but those of a goal off track (goals_off_track "
        "counts them)", known=True)
    medium_warning_list: str = fact_field(
        "text", "Open medium warnings, listed", "their rules, with the subject in brackets",
        known=True)
    low_warnings: int = fact_field("count", "Open low warnings",
                                   "open warnings of severity low", known=True)
    waived_high: int = fact_field("count", "High findings waived",
                                  "high findings a waiver accepts for now", known=True)
    waived_high_list: str = fact_field(
        "text", "High findings waived, listed", "their rules, with the subject in brackets",
        known=True)
    goals: int = fact_field("count", "Goals", "goals in the account plan", known=True)
    goals_achieved: int = fact_field("count", "Goals achieved", "goals achieved", known=True)
    goals_on_track: int = fact_field("count", "Goals on track", "goals on track", known=True)
    goals_off_track: int = fact_field(
        "count", "Goals behind or missed", "goals behind, or missed (past their date)",
        known=True)
    goals_off_track_list: str = fact_field(
        "text", "Goals behind or missed, listed", "each goal with its status", known=True)
    goals_unmeasured: int = fact_field(
        "count", "Goals not measured", "goals that cannot be measured", known=True)
    latest_quarter: str = fact_field(
        "text", "Latest quarter on file", "the latest quarter with a row (none without one)",
        known=True)
    quarters_unreported: int | None = fact_field(
        "quarters", "Quarters behind",
        "complete quarters at the end without a row (as the account fact; absent when the "
        "file has no row and no customer_since)")
    rules_not_evaluated: int = fact_field(
        "count", "Rules not evaluated", "rules the account's data could not decide",
        known=True)
