"""The review's vocabulary, defined once: severities and kinds in their order, what a finding
marks on the pages, opportunity statuses, health verdicts, goal statuses, and the review's
windows (waivers ending soon, forecast buckets).

Severities, kinds and marks are text enums: each member is the very string the rule files,
the JSON output and the pages use, so it is written, compared and hashed as that string.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kam_review.i18n import _


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
    # Weighs what the other kinds found and gives each account one health verdict (Health).
    VERDICT = "verdict"

    @property
    def rank(self) -> int:
        return _KIND_RANK[self]

    @property
    def heading(self) -> str:
        """How the pages title the findings or rules of this kind."""
        return _(_KIND_HEADINGS[self])

    @property
    def heading_id(self) -> str:
        """The id of the English heading ("Failure risks" -> failure-risks), which links to
        the kind's section keep in every language."""
        return _KIND_HEADINGS[self].lower().replace(" ", "-")

    @property
    def assigns(self) -> bool:
        """Its rules give the account one label (its class, its focus cell): the first rule
        that fires by precedence decides, and its finding is not a warning."""
        return self in (Kind.CLASS, Kind.FOCUS)

    @property
    def warns(self) -> bool:
        """Its findings are warnings: the risk register and the owners' counts list them."""
        return self in (Kind.RISK, Kind.STAGE, Kind.PLAN, Kind.DATA)

    @property
    def finds(self) -> bool:
        """Its rules raise findings: every kind but the verdict, whose rules weigh the
        findings of the others and give the account its verdict instead."""
        return self != Kind.VERDICT

    @property
    def gives_label(self) -> bool:
        """Its rules give the account one label, the first that fires by precedence: a
        class, a focus cell (assigns) or a verdict."""
        return self.assigns or self == Kind.VERDICT


_KIND_RANK = {kind: rank for rank, kind in enumerate(Kind)}
_KIND_HEADINGS = {
    Kind.CLASS: "Classification", Kind.FOCUS: "Strategic focus", Kind.RISK: "Failure risks",
    Kind.STAGE: "Sales funnel", Kind.PLAN: "Plan checks", Kind.DATA: "Data completeness",
    Kind.ADVICE: "Working with the buying team", Kind.VERDICT: "Verdict",
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


class Health(StrEnum):
    """An account's health verdict, one per account, given by the verdict rules; declared in
    the order the pages list them, the accounts that need the meeting first. An account no
    verdict rule decides has not enough data."""

    AT_RISK = "at-risk"
    WATCH = "watch"
    NOT_ENOUGH_DATA = "not-enough-data"
    HEALTHY = "healthy"

    @property
    def shown(self) -> str:
        """As pages and reports write it: "at risk"."""
        return _(self.value.replace("-", " "))


class GoalStatus(StrEnum):
    """Where a plan goal stands as of the review date (rulebook/goals.py says how each is
    decided); declared in the order the pages list them."""

    MISSED = "missed"
    BEHIND = "behind"
    ON_TRACK = "on track"
    ACHIEVED = "achieved"
    UNMEASURED = "cannot be measured"

    @property
    def shown(self) -> str:
        """As pages and reports write it, in the active language."""
        return _(self.value)

    @property
    def off_track(self) -> bool:
        """Behind, or past its date and not achieved: what plan.goal-behind reports."""
        return self in (GoalStatus.MISSED, GoalStatus.BEHIND)


# `kam check` lists the waivers that end within this many days of the review date.
WAIVER_NOTICE_DAYS = 30

# Seed 004's forecast buckets of an open deal by its expected close: (last day counted from
# the review date, name); after the last one it is `later`.
FORECAST_WINDOWS = ((92, "0-3 months"), (183, "3-6 months"), (275, "6-9 months"),
                    (366, "9-12 months"))
# A deal marked closed that is not yet signed, paid and shipped (seed 004): not forecast as
# closed.
BUCKET_CLOSED_UNCONFIRMED = "closed, awaiting signature, payment or shipment"
BUCKET_OVERDUE = "overdue"
BUCKET_LATER = "later"
BUCKET_NO_CLOSE_DATE = "no close date"
# Seed 004's forecast by commitment (按销售预测, rulebook/commitment.py): a won deal, the open
# deals of the review's quarter and the next by how sure they are, every other deal with a
# confirmed intent; open deals past their close date and deals before intent are not forecast.
COMMIT_WON = "won"
COMMIT_GUARANTEED = "guaranteed this quarter"
COMMIT_LIKELY_THIS = "likely this quarter"
COMMIT_LIKELY_NEXT = "likely next quarter"
COMMIT_INTENT = "intent"
COMMIT_BEFORE_INTENT = "before intent"
# The funnel stages (funnel.yaml ids) a deal is forecast from, and guaranteed from: confirmed
# intent, and negotiation (we are the sole or a shortlisted vendor, with a timetable to sign).
COMMIT_FORECAST_FROM = "intent"
COMMIT_GUARANTEED_FROM = "negotiation"
COMMIT_ORDER = (COMMIT_WON, BUCKET_CLOSED_UNCONFIRMED, COMMIT_GUARANTEED, COMMIT_LIKELY_THIS,
                COMMIT_LIKELY_NEXT, COMMIT_INTENT, BUCKET_OVERDUE, COMMIT_BEFORE_INTENT)
# Every bucket in the order the funnel page lists them; a won deal's bucket is `closed`.
BUCKET_ORDER = (Status.CLOSED.value, BUCKET_CLOSED_UNCONFIRMED, BUCKET_OVERDUE,
                *(name for _, name in FORECAST_WINDOWS), BUCKET_LATER, BUCKET_NO_CLOSE_DATE)

# The git tags that mark a review (shell-style), for finding the previous one by default.
REVIEW_TAGS = "review-*"
