"""The fact types of what an account holds: its contacts, opportunities, goals and waivers.

One frozen dataclass each, declaring the fields a rule `on:` that subject may test. Fields
are declared in the order facts are computed, which is the order `kam explain` lists them
in; fact_types.py puts these types in the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kam_review.rulebook.fact_fields import FactType, fact_field


@dataclass(frozen=True, kw_only=True)
class ContactFacts(FactType):
    """One per contact on file, current or gone; and one for our own account owner when the
    file names an earlier owner (owner_history): a change of key people on our side."""

    fact_type: ClassVar[str] = "contact"
    subject: str = fact_field("text", "Contact", "the contact's name", known=True)
    roles: str = fact_field(
        "text", "Buying roles",
        "the contact's buying roles as words (decision maker, not decision_maker), "
        "comma-separated", known=True)
    is_current: bool = fact_field("yes/no", "Current", "the contact has not left", known=True)
    has_buying_role: bool = fact_field(
        "yes/no", "Has a buying role", "the contact holds at least one buying role", known=True)
    is_decider: bool = fact_field(
        "yes/no", "Decides", "the contact is a decision maker or decision owner", known=True)
    title: str | None = fact_field("text", "Title", "the contact's title")
    level: str | None = fact_field("text", "Level", "executive, director, manager or staff")
    style: str | None = fact_field("text", "Style", "interpersonal style")
    attitude: str | None = fact_field("text", "Attitude", "supporter, neutral or opponent")
    left_on: str | None = fact_field(
        "date", "Left on", "the date the contact left (only once it has passed)")
    left_days_ago: int | None = fact_field("days", "Days since leaving",
                                           "days since the contact left")
    last_contact: str | None = fact_field(
        "date", "Last contact",
        "the date of the last contact: last_contact, or a later activity with them up to the "
        "review date")
    days_since_contact: int | None = fact_field("days", "Days since the last contact",
                                                "days since the last contact")
    is_owner: bool = fact_field(
        "yes/no", "Our account owner",
        "the person is our own key account manager, not one of the customer's contacts",
        known=True)
    took_over_on: str | None = fact_field(
        "date", "Took over on",
        "the day the owner took the account over: the latest `to` of owner_history (only "
        "once it has passed)")
    took_over_days_ago: int | None = fact_field(
        "days", "Days since taking over", "days since the owner took the account over")
    key_change: str | None = fact_field(
        "text", "Change of key people",
        "what changed and when: the contact left, or the owner took over from an earlier one")


@dataclass(frozen=True, kw_only=True)
class OpportunityFacts(FactType):
    """One per opportunity in the sales funnel, lost and closed ones included."""

    fact_type: ClassVar[str] = "opportunity"
    subject: str = fact_field("text", "Opportunity", "the opportunity's id", known=True)
    name: str = fact_field("text", "Name", "the opportunity's name", known=True)
    stage: str = fact_field("text", "Stage", "the funnel stage's id", known=True)
    stage_name: str = fact_field(
        "text", "Stage name", "the funnel stage's name (Confirmed intent; lost: lost)",
        known=True)
    is_open: bool = fact_field("yes/no", "Open", "neither closed nor lost", known=True)
    stage_index: int = fact_field(
        "position", "Stage number", "the stage's position in the funnel, 1 to 7 (lost: 0)",
        known=True, high=7)
    days_in_stage: int | None = fact_field(
        "days", "Days in stage",
        "days since the deal entered its stage (its stage_history, else stage_since)")
    expected_close: str | None = fact_field("date", "Expected close", "the expected close date")
    days_to_close: int | None = fact_field(
        "days", "Days to close", "days from the review date to expected_close (negative: past)")
    days_overdue: int | None = fact_field(
        "days", "Days overdue", "days since expected_close passed (only once it has)")
    forecast_bucket: str = fact_field(
        "text", "Forecast", "closed (signed, paid and shipped), closed but awaiting "
        "signature, payment or shipment, overdue, 0-3 months, 3-6 months, 6-9 months, "
        "9-12 months, later or no close date (lost: empty)", known=True)
    probability: float | None = fact_field("fraction", "Probability",
                                           "the chance to win, 0 to 1", low=0, high=1)
    value: float | None = fact_field("money", "Value", "the opportunity's value")
    weighted_value: float | None = fact_field(
        "money", "Weighted value", "value x probability (needs both)")
    characteristics_unmet: int | None = fact_field(
        "count", "Characteristics not shown",
        "characteristics (seed 004) of this stage and of every stage before it that are "
        "false or not recorded (absent: the deal is lost, out of the funnel)")
    characteristics_unmet_list: str | None = fact_field(
        "text", "Characteristics not shown, listed", "those characteristics, with their stage")
    stage_unmet: int | None = fact_field(
        "count", "Own characteristics not shown",
        "characteristics of this stage alone that are false or not recorded (absent: lost)")
    stage_unmet_list: str | None = fact_field(
        "text", "Own characteristics not shown, listed", "those characteristics")
    next_stage: str | None = fact_field(
        "text", "Next stage", "the id of the stage after this one (absent: closed or lost)")
    next_stage_name: str | None = fact_field(
        "text", "Next stage's name", "the name of the stage after this one")
    next_unmet: int | None = fact_field(
        "count", "Next stage's characteristics not shown",
        "characteristics of the next stage not yet true: what keeps the deal from moving on "
        "(absent: no next stage)")
    next_unmet_list: str | None = fact_field(
        "text", "Next stage's characteristics not shown, listed", "those characteristics")
    qualification_doubts: int = fact_field(
        "count", "Qualification doubts", "qualification questions answered no or unsure",
        known=True)
    qualification_doubts_list: str = fact_field(
        "text", "Qualification doubts, listed", "those questions with their answers",
        known=True)
    # Seed 004's forecast by commitment, and a decided deal's day (rulebook/commitment.py).
    commit_category: str = fact_field(
        "text", "Commitment",
        "won, closed but awaiting signature, payment or shipment, guaranteed this quarter, "
        "likely this quarter, likely next quarter, intent, overdue or before intent (lost: "
        "empty)",
        known=True)
    closed_on: str | None = fact_field(
        "date", "Won on",
        "the day a deal at stage closed was won: closed_on, else the day it reached the stage")
    lost_on: str | None = fact_field(
        "date", "Lost on",
        "the day a deal at stage lost was lost: lost_on, else the day it reached the stage")
    is_history: bool = fact_field(
        "yes/no", "History",
        "won or lost before the review's quarter began: not counted in the current funnel",
        known=True)
    loss_reason: str | None = fact_field(
        "text", "Loss reason", "why the deal was lost (loss_reason)")
    product_line: str | None = fact_field(
        "text", "Product line", "the product line the deal sells (product_line)")


@dataclass(frozen=True, kw_only=True)
class GoalFacts(FactType):
    """One per goal of the account plan."""

    fact_type: ClassVar[str] = "goal"
    subject: str = fact_field("text", "Goal", "the goal's text", known=True)
    has_metric: bool = fact_field("yes/no", "Has a metric", "the goal names a metric",
                                  known=True)
    has_target: bool = fact_field("yes/no", "Has a target", "the goal has a target figure",
                                  known=True)
    has_due: bool = fact_field("yes/no", "Has a due date", "the goal has a due date",
                               known=True)
    missing_parts: str = fact_field(
        "text", "Missing", "what the goal lacks to be measurable and time-bound", known=True)
    metric: str | None = fact_field("text", "Metric", "the goal's metric, as written")
    status: str = fact_field(
        "text", "Status", "where the goal stands as of the review date: achieved, on track, "
        "behind, missed or cannot be measured (rulebook/goals.py)", known=True)
    unmeasured_reason: str | None = fact_field(
        "text", "Why it cannot be measured",
        "what the goal lacks, or the data its metric needs (absent once it is measured)")
    unmeasured_for_data: bool = fact_field(
        "yes/no", "Unmeasured for want of data",
        "the goal cannot be measured for data the file lacks (a quarter's row), not for how "
        "it is written", known=True)
    basis: str | None = fact_field(
        "text", "Measured", "what the actual was read from, and as of when (the due date once "
        "it has passed)")
    actual_shown: str | None = fact_field(
        "text", "Actual", "the metric's value as measured, written in its unit")
    target_shown: str | None = fact_field("text", "Target", "the target, written in its unit")
    baseline_shown: str | None = fact_field(
        "text", "Baseline", "the baseline's value, in its unit, and its date")
    progress: float | None = fact_field(
        "fraction", "Progress",
        "(actual - baseline) / (target - baseline): the share of the way from the baseline to "
        "the target covered (absent without a baseline, or with a target equal to it)")
    elapsed_share: float | None = fact_field(
        "fraction", "Time gone",
        "the share of the time from the baseline's date to the due date gone by the review "
        "date, 0 to 1 (absent without a baseline or a due date)", low=0, high=1)
    on_track_from: float | None = fact_field(
        "fraction", "On track from",
        "the least progress on track: the time gone less goal_on_track_tolerance")
    standing: str | None = fact_field(
        "text", "Standing", "what the status is measured against: the least progress on "
        "track while the goal runs, how long ago its due date passed once missed")
    due: str | None = fact_field("date", "Due", "the goal's due date")


@dataclass(frozen=True, kw_only=True)
class WaiverFacts(FactType):
    """One per waiver on file, in force or ended."""

    fact_type: ClassVar[str] = "waiver"
    subject: str = fact_field(
        "text", "Waiver", "the waived rule, with the waiver's subject in brackets", known=True)
    rule: str = fact_field("text", "Rule", "the waived rule's id", known=True)
    rule_title: str = fact_field(
        "text", "Rule title", "the waived rule's title (its id when no rule has it)",
        known=True)
    owner: str = fact_field("text", "Account owner", "the account's owner", known=True)
    reason: str = fact_field("text", "Reason", "the waiver's reason, blanks collapsed",
                             known=True)
    reason_key: str = fact_field(
        "text", "Reason as compared",
        "the reason as compared with placeholders: blanks collapsed, lower case", known=True)
    reason_length: int = fact_field(
        "characters", "Reason length",
        "characters of the reason, blanks around it not counted and a wide (Chinese) "
        "character counted as two: it says about as much as two letters", known=True)
    has_approver: bool = fact_field(
        "yes/no", "Has an approver", "by names someone (is not blank)", known=True)
    approved_by_owner: bool = fact_field(
        "yes/no", "Approved by the owner",
        "by is the account's owner (compared ignoring case, blanks and invisible characters)",
        known=True)
    by: str | None = fact_field("text", "Approved by", "who granted the waiver")
    waived_subject: str | None = fact_field(
        "text", "Waived rule's subjects",
        "what the waived rule's findings are each on, in words (contact, opportunity, goal, "
        "action; absent: the whole account, or an unknown rule)")
    waives_unnamed: bool = fact_field(
        "yes/no", "Waives every subject",
        "the waiver names no subject and its rule is raised on each contact, deal, goal or "
        "action: it accepts the rule's finding on every one of them, those raised after it "
        "was written included", known=True)
    waived_severity: str | None = fact_field(
        "text", "Waived severity", "the severity of the waived rule (absent: unknown rule)")
    until: str | None = fact_field("date", "Until", "the waiver's end date")
    days_past_until: int | None = fact_field(
        "days", "Days past the end", "days since the waiver ended (negative: still running)")
    days_remaining: int | None = fact_field(
        "days", "Days remaining",
        "days from the review date to the waiver's end (negative: ended)")
