"""The facts the rules can test: every field of every fact type, its kind and meaning.

Rule files are checked against this catalogue when they load, so a misspelt fact is an error
with a suggestion, never a condition that silently never matches. A fact is absent (not
zero) when the account's data cannot give it; a condition on an absent fact is false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["number", "bool", "text"]


@dataclass(frozen=True)
class FactField:
    kind: FieldKind
    doc: str


def _fields(**specs: tuple[FieldKind, str]) -> dict[str, FactField]:
    return {name: FactField(kind, doc) for name, (kind, doc) in specs.items()}


_COMMON = _fields(
    account=("text", "the account's id"),
    subject=("text", "the contact's name, the opportunity's id, the goal's text or the "
             "waived rule (with the waiver's subject)"),
)

FACT_TYPES: dict[str, dict[str, FactField]] = {
    "account": _COMMON | _fields(
        quarters=("number", "quarters from the first row of figures to the last complete quarter"),
        last_quarter=("text", "the last complete quarter as of the review date"),
        revenue_last_quarter=("number", "revenue in the last complete quarter"),
        revenue_ttm=("number", "revenue of the last 4 quarters (needs 4 quarters of figures)"),
        revenue_prev_ttm=("number", "revenue of the 4 quarters before those (needs 8 quarters)"),
        growth_yoy=("number", "revenue of the last 4 quarters against the 4 before, as a "
                    "fraction (needs 8 quarters of figures and revenue in the earlier 4)"),
        growth_qoq=("number", "last quarter's revenue against the quarter before"),
        revenue_decline_streak=("number", "how many quarters in a row revenue fell, up to the "
                                "last quarter"),
        revenue_trail=("text", "revenue of the last quarters, oldest first: the falling ones, "
                       "at least 4"),
        quarters_with_revenue_last_4=("number", "of the last 4 quarters, how many had revenue"),
        recent_revenue_ratio=("number", "average revenue of the last 2 quarters against the "
                              "average of the 4 before (needs 6 quarters, revenue in those 4)"),
        lifetime_revenue=("number", "all revenue on file up to the last complete quarter"),
        gross_margin_ttm=("number", "gross margin of the last 4 quarters (needs their cost)"),
        gross_margin_prev_ttm=("number", "gross margin of the 4 quarters before those"),
        margin_change_pts=("number", "change of gross margin, last 4 quarters against the 4 "
                           "before, in percentage points"),
        share_of_wallet=("number", "revenue of the last 4 quarters against market.wallet"),
        industry_growth=("number", "market.industry_growth"),
        plan_growth_target=("number", "plan.growth_target"),
        customer_years=("number", "years since customer_since"),
        open_opportunities=("number", "opportunities neither closed nor lost"),
        open_pipeline_value=("number", "value of the open opportunities"),
        contacts_current=("number", "contacts who have not left"),
        levels_current=("number", "distinct levels among the current contacts"),
        executives_current=("number", "current contacts at executive level"),
        decision_makers_current=("number", "current contacts with the decision_maker role"),
        coaches_current=("number", "current contacts with the coach role"),
        roles_missing=("text", "buying roles no current contact holds"),
        activities_recorded=("number", "visits, calls and meetings on file up to the review date"),
        days_since_activity=("number", "days since the last visit, call or meeting"),
        complaints_recorded=("number", "complaints on file up to the review date"),
        days_since_feedback=("number", "days since the last complaint or feedback"),
        unresolved_quality_complaints=("number", "quality complaints without resolved_on"),
        quality_complaints_last_year=("number", "quality complaints in the last 365 days"),
        relationship_stage=("text", "relationship_stage as the owner judges it"),
        relationship_stage_index=("number", "relationship stage, 1 (gestation) to 5 "
                                  "(synergistic)"),
        attractiveness_score=("number", "weighted average of scores.attractiveness, 1 to 5"),
        relationship_score=("number", "weighted average of scores.relationship, 1 to 5"),
        plan_present=("bool", "the account has a plan section"),
        plan_summary_present=("bool", "the plan has a summary"),
        goals_count=("number", "goals in the plan"),
        holds_stock=("bool", "figures report the account's inventory of our goods"),
        inventory_turnover=("number", "cost of goods of the last 4 quarters against the average "
                            "inventory at cost, per year"),
        days_of_supply=("number", "latest inventory against weekly cost of goods, in working "
                        "days (6 a week)"),
        gmroii=("number", "gross margin return on inventory investment: margin x turnover / "
                "(1 - margin)"),
        roi=("number", "gross profit of the last 4 quarters against market.investment"),
    ),
    "contact": _COMMON | _fields(
        title=("text", "the contact's title"),
        level=("text", "executive, director, manager or staff"),
        roles=("text", "the contact's buying roles, comma-separated"),
        style=("text", "interpersonal style"),
        attitude=("text", "supporter, neutral or opponent"),
        is_current=("bool", "the contact has not left"),
        has_buying_role=("bool", "the contact holds at least one buying role"),
        is_decider=("bool", "the contact is a decision maker or decision owner"),
        left_on=("text", "the date the contact left"),
        left_days_ago=("number", "days since the contact left"),
        last_contact=("text", "the date of the last contact"),
        days_since_contact=("number", "days since the last contact"),
    ),
    "opportunity": _COMMON | _fields(
        name=("text", "the opportunity's name"),
        stage=("text", "the funnel stage"),
        stage_index=("number", "the stage's position in the funnel, 1 to 7 (lost: 0)"),
        is_open=("bool", "neither closed nor lost"),
        days_in_stage=("number", "days since stage_since"),
        expected_close=("text", "the expected close date"),
        days_to_close=("number", "days from the review date to expected_close (negative: past)"),
        forecast_bucket=("text", "closed, overdue, 0-3 months, 3-6 months, 6-9 months, "
                         "9-12 months, later or no close date (lost: empty)"),
        days_overdue=("number", "days since expected_close passed (only once it has)"),
        probability=("number", "the chance to win, 0 to 1"),
        value=("number", "the opportunity's value"),
        weighted_value=("number", "value x probability"),
        prior_unmet=("number", "exit criteria of earlier stages that are false or not recorded"),
        prior_unmet_list=("text", "those criteria"),
        exit_unmet=("number", "exit criteria of the current stage not yet true"),
        exit_unmet_list=("text", "those criteria"),
        qualification_doubts=("number", "qualification questions answered no or unsure"),
        qualification_doubts_list=("text", "those questions with their answers"),
    ),
    "goal": _COMMON | _fields(
        has_metric=("bool", "the goal names a metric"),
        has_target=("bool", "the goal has a target figure"),
        has_due=("bool", "the goal has a due date"),
        missing_parts=("text", "what the goal lacks to be measurable and time-bound"),
    ),
    "waiver": _COMMON | _fields(
        rule=("text", "the waived rule"),
        until=("text", "the waiver's end date"),
        by=("text", "who granted the waiver"),
        days_past_until=("number", "days since the waiver ended (negative: still running)"),
        days_remaining=("number", "days from the review date to the waiver's end (negative: "
                        "ended)"),
        owner=("text", "the account's owner"),
        reason=("text", "the waiver's reason, blanks collapsed"),
        reason_key=("text", "the reason as compared with placeholders: blanks collapsed, "
                    "lower case"),
        reason_length=("number", "characters of the reason, blanks around it not counted"),
        has_approver=("bool", "`by` names someone (is not blank)"),
        approved_by_owner=("bool", "`by` is the account's owner (compared ignoring case, "
                           "blanks and invisible characters)"),
        waived_severity=("text", "the severity of the waived rule (absent: unknown rule)"),
    ),
}
