"""The review's vocabulary, defined once: severities and kinds in their order, what a finding
marks on the pages, opportunity statuses, and the review's windows (waivers ending soon,
forecast buckets).

Severities, kinds and marks are text enums: each member is the very string the rule files,
the JSON output and the pages use, so it is written, compared and hashed as that string.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Severity(StrEnum):
    """How much a finding matters; declared most severe first."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for the most severe, counting up."""
        return _SEVERITY_RANK[self]

    def at_least(self, floor: Severity) -> bool:
        """As severe as `floor` or more: HIGH is at least MEDIUM, INFO is not."""
        return self.rank <= floor.rank

    @classmethod
    def worst(cls, severities: Iterable[Severity]) -> Severity | None:
        """The most severe of `severities`, None when there is none."""
        return min(severities, key=_SEVERITY_RANK.__getitem__, default=None)


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(Severity)}


class Kind(StrEnum):
    """What a rule is about, one kind a rule file; declared in the order findings and pages
    list them."""

    CLASS = "class"
    FOCUS = "focus"
    RISK = "risk"
    STAGE = "stage"
    PLAN = "plan"
    DATA = "data"  # the account's figures are stale or have gaps: what the review cannot judge
    ADVICE = "advice"

    @property
    def rank(self) -> int:
        return _KIND_RANK[self]

    @property
    def heading(self) -> str:
        """How the pages title the findings or rules of this kind."""
        return _KIND_HEADINGS[self]

    @property
    def assigns(self) -> bool:
        """Its rules give the account one label (its class, its focus cell): the first rule
        that fires by precedence decides, and its finding is not a warning."""
        return self in (Kind.CLASS, Kind.FOCUS)

    @property
    def warns(self) -> bool:
        """Its findings are warnings: the risk register and the owners' counts list them."""
        return self in (Kind.RISK, Kind.STAGE, Kind.PLAN, Kind.DATA)


_KIND_RANK = {kind: rank for rank, kind in enumerate(Kind)}
_KIND_HEADINGS = {
    Kind.CLASS: "Classification", Kind.FOCUS: "Strategic focus", Kind.RISK: "Failure risks",
    Kind.STAGE: "Sales funnel", Kind.PLAN: "Plan", Kind.DATA: "Data completeness",
    Kind.ADVICE: "Working with the buying team",
}


class Mark(StrEnum):
    """What a rule's finding marks on the pages besides its own row, written in a rule's
    `marks:` with the short word shown (`marks: {contact-warning: left}`)."""

    CONTACT_WARNING = "contact-warning"  # the contact in the account page's buying team
    DEAL_AT_RISK = "deal-at-risk"  # the opportunity in the funnel page's list of deals

    @property
    def subject(self) -> str:
        """The fact type a rule must test to carry this mark: the thing marked."""
        return _MARK_SUBJECTS[self]


_MARK_SUBJECTS = {Mark.CONTACT_WARNING: "contact", Mark.DEAL_AT_RISK: "opportunity"}
# The longest word a mark shows: it sits in a table cell beside others.
MARK_WORD_MAX = 40


class Status(StrEnum):
    """Where an opportunity stands: in the funnel, won (stage `closed`) or lost (`lost`)."""

    OPEN = "open"
    CLOSED = "closed"
    LOST = "lost"

    @classmethod
    def of_stage(cls, stage: str) -> Status:
        return cls(stage) if stage in (cls.CLOSED, cls.LOST) else cls.OPEN


# `kam check` lists the waivers that end within this many days of the review date.
WAIVER_NOTICE_DAYS = 30

# Seed 004's forecast buckets of an open deal by its expected close: (last day counted from
# the review date, name); after the last one it is `later`.
FORECAST_WINDOWS = ((92, "0-3 months"), (183, "3-6 months"), (275, "6-9 months"),
                    (366, "9-12 months"))
# A deal marked closed that is not yet signed, paid and shipped (seed 004): not forecast as
# closed.
BUCKET_CLOSED_UNCONFIRMED = "closed, not yet signed, paid and shipped"
BUCKET_OVERDUE = "overdue"
BUCKET_LATER = "later"
BUCKET_NO_CLOSE_DATE = "no close date"
# Every bucket in the order the funnel page lists them; a won deal's bucket is `closed`.
BUCKET_ORDER = (Status.CLOSED.value, BUCKET_CLOSED_UNCONFIRMED, BUCKET_OVERDUE,
                *(name for _, name in FORECAST_WINDOWS), BUCKET_LATER, BUCKET_NO_CLOSE_DATE)

# The git tags that mark a review (shell-style), for finding the previous one by default.
REVIEW_TAGS = "review-*"
