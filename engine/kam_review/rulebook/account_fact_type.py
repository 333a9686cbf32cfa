"""The account fact type: the fields a rule on an account as a whole (`on: account`) may test.

Fields are declared in the order facts are computed, which is the order `kam explain` lists
them in; fact_types.py puts this type in the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kam_review.rulebook.fact_fields import FactType, fact_field


@dataclass(frozen=True, kw_only=True)
class AccountFacts(FactType):
    """One per account: its figures, buying team, feedback, scores and plan, as a whole."""

    fact_type: ClassVar[str] = "account"
    subject: str = fact_field("text", "Subject", "empty: the fact is the account itself",
                              known=True)
    quarters: int = fact_field(
        "quarters", "Quarters on file",
        "quarters from the first row of figures to the last complete quarter", known=True)
    last_quarter: str = fact_field(
        "text", "Last complete quarter", "the last complete quarter as of the review date",
        known=True)
    latest_quarter: str = fact_field(
        "text", "Latest quarter on file",
        "the latest quarter with a row of figures, up to the last complete quarter (none: no "
        "row)", known=True)
    quarters_unreported: int | None = fact_field(
        "quarters", "Quarters not on file",
        "complete quarters at the end without a row: after the latest quarter on file, or, "
        "without any row, since customer_since's quarter (unknown without either)")
    gap_quarters: int = fact_field(
        "quarters", "Gaps in the figures",
        "quarters without a row between the first and the latest quarter on file, within the "
        "last 8 complete quarters", known=True)
    gap_list: str = fact_field("text", "Gaps, listed", "those quarters (none: no gap)",
                               known=True)
    revenue_last_quarter: float | None = fact_field(
        "money", "Revenue, last quarter", "revenue in the last complete quarter")
    lifetime_revenue: float | None = fact_field(
        "money", "Lifetime revenue", "all revenue on file up to the last complete quarter")
    growth_qoq: float | None = fact_field(
        "change", "Growth quarter on quarter",
        "last quarter's revenue against the quarter before (needs revenue in that one)")
    revenue_decline_streak: int | None = fact_field(
        "quarters", "Quarters of falling revenue",
        "how many quarters in a row revenue fell, up to the last quarter; stops at a quarter "
        "without a row (unknown when the last quarter has none)")
    revenue_trail: str | None = fact_field(
        "text", "Revenue trail",
        "revenue of the last quarters, oldest first: the falling ones, at least 4 (no row: "
        "a gap)")
    revenue_ttm: float | None = fact_field(
        "money", "Revenue, last 4 quarters",
        "revenue of the last 4 quarters (needs a row for each of them)")
    quarters_with_revenue_last_4: int | None = fact_field(
        "quarters", "Quarters with revenue, last 4",
        "of the last 4 quarters, how many had revenue (needs a row for each of them)")
    zero_revenue_quarters_last_4: int | None = fact_field(
        "quarters", "Quarters without sales, last 4",
        "of the last 4 quarters, how many have a row with revenue 0 (a quarter without a row "
        "is not counted; unknown when none of them has a row)")
    share_of_wallet: float | None = fact_field(
        "fraction", "Share of wallet", "revenue of the last 4 quarters against market.wallet",
        low=0)
    gross_margin_ttm: float | None = fact_field(
        "fraction", "Gross margin, last 4 quarters",
        "gross margin of the last 4 quarters (needs their cost)", high=1)
    roi: float | None = fact_field(
        "fraction", "ROI",
        "gross profit of the last 4 quarters against market.investment (needs their cost)")
    holds_stock: bool | None = fact_field(
        "yes/no", "Holds our stock",
        "figures of the last 4 quarters report the account's stock of our goods (no: none "
        "reports it, and each has a row or ended before the account became a customer)")
    resale_revenue_ttm: float | None = fact_field(
        "money", "Account's sales of our goods, last 4 quarters",
        "the account's own sales of our products in the last 4 quarters (resale_revenue)")
    resale_margin_ttm: float | None = fact_field(
        "fraction", "Account's gross margin on our goods",
        "the account's own gross margin on our products, last 4 quarters: resale_revenue "
        "against resale_cost (seed 000; never our margin)", high=1)
    inventory_measure: str | None = fact_field(
        "text", "Stock counted in",
        "units (resale_units against inventory_units, seed 000's formulas) or cost "
        "(resale_cost against inventory at cost, where units are not reported)")
    inventory_turnover: float | None = fact_field(
        "times a year", "Inventory turnover (per year)",
        "the account's sales of our goods in the last 4 quarters against its average stock of "
        "them (seed 000: annual unit sales / stock)")
    days_of_supply: float | None = fact_field(
        "working days", "Days of supply (working days)",
        "the account's latest stock of our goods against its weekly sales of them, in working "
        "days (seed 000: stock / weekly unit sales x 6)")
    gmroii: float | None = fact_field(
        "ratio", "GMROII",
        "the account's gross margin return on its stock of our goods: margin x turnover / "
        "(1 - margin), from its own margin (seed 000)")
    revenue_prev_ttm: float | None = fact_field(
        "money", "Revenue, 4 quarters before",
        "revenue of the 4 quarters before the last 4 (needs 8 quarters)")
    growth_yoy: float | None = fact_field(
        "change", "Growth, last 4 quarters against the 4 before",
        "revenue of the last 4 quarters against the 4 before, as a fraction (needs 8 quarters "
        "of figures and revenue in the earlier 4)")
    gross_margin_prev_ttm: float | None = fact_field(
        "fraction", "Gross margin, 4 quarters before",
        "gross margin of the 4 quarters before the last 4 (needs their cost)", high=1)
    margin_change_pts: float | None = fact_field(
        "percentage points", "Change of gross margin",
        "change of gross margin, last 4 quarters against the 4 before, in percentage points")
    recent_revenue_ratio: float | None = fact_field(
        "fraction", "Recent revenue against the quarters before",
        "average revenue of the last 2 quarters against the average of the 4 before, over "
        "those on file (needs the last quarter, and revenue in one of the 4)", low=0)
    recent_revenue_quarters: int | None = fact_field(
        "quarters", "Recent quarters on file",
        "how many of the last 2 quarters have a row: the quarters the recent average is "
        "taken over")
    earlier_revenue_quarters: int | None = fact_field(
        "quarters", "Earlier quarters on file",
        "how many of the 4 quarters before the last 2 have a row: the quarters the recent "
        "average is compared with")
    recent_revenue_trail: str | None = fact_field(
        "text", "Recent revenue",
        "revenue of the last 6 quarters on file, oldest first (no row: a gap)")
    zero_revenue_run: int | None = fact_field(
        "quarters", "Quarters in a row without sales",
        "quarters in a row, up to the last one, with revenue 0; stops at a quarter without a "
        "row (unknown when the last quarter has none)")
    growth_yearly: float | None = fact_field(
        "change", "Growth over a year",
        "from the quarters on file: the last 4 quarters against the 4 before, else those of "
        "the last 4 whose quarter a year before is on file against those, else the trend of "
        "the last 4 (the last 2 against the 2 before, compounded to a year); unknown when the "
        "last quarter has no row")
    growth_basis_quarters: int | None = fact_field(
        "quarters", "Growth based on", "how many quarters growth_yearly was computed from")
    growth_basis: str | None = fact_field(
        "text", "Growth computed as", "how growth_yearly was computed")
    growth_needs: str | None = fact_field(
        "text", "Growth needs", "the data growth_yearly lacks, when it is unknown")
    industry_growth: float | None = fact_field(
        "change", "Industry growth", "market.industry_growth")
    industry_growth_used: float | None = fact_field(
        "change", "Industry growth compared with",
        "market.industry_growth, or the threshold default_industry_growth where the file "
        "does not give it")
    growth_lead_pts: float | None = fact_field(
        "percentage points", "Growth above the industry",
        "growth_yearly minus industry_growth_used, in percentage points")
    plan_growth_target: float | None = fact_field(
        "change", "Planned growth", "plan.growth_target")
    customer_years: float | None = fact_field(
        "years", "Years as a customer", "years since customer_since")
    buying_years: float | None = fact_field(
        "years", "Years buying from us",
        "years since customer_since; without it, the quarters from the first quarter with "
        "revenue to the last complete one, four to a year")
    first_order: str | None = fact_field(
        "text", "First order", "customer_since, or the first quarter with revenue on file")
    open_opportunities: int = fact_field(
        "count", "Open opportunities", "opportunities neither closed nor lost", known=True)
    live_opportunities: int = fact_field(
        "count", "Live opportunities",
        "open opportunities that are neither parked (in one stage for more than "
        "stage_stale_days) nor overdue (expected close passed)", known=True)
    open_pipeline_value: float = fact_field(
        "money", "Open pipeline value", "value of the open opportunities", known=True)
    # Cross-selling (seeds 001, 002): the account's whitespace (rulebook/whitespace.py).
    product_lines: int = fact_field(
        "count", "Product lines needed",
        "whitespace.product_lines: our product lines the account needs (0: none listed)",
        known=True)
    lines_bought: int = fact_field(
        "count", "Product lines bought",
        "those it buys from us (we_sell) or in which a deal was won", known=True)
    lines_in_funnel: int = fact_field(
        "count", "Product lines in the funnel", "those an open opportunity sells", known=True)
    lines_not_offered: int = fact_field(
        "count", "Product lines not yet offered",
        "those neither bought nor sold by any opportunity, open, won or lost", known=True)
    lines_not_offered_list: str = fact_field(
        "text", "Product lines not yet offered, listed", "those lines (none: every line is "
        "offered, or none is listed)", known=True)
    contacts_current: int = fact_field(
        "count", "Current contacts", "contacts who have not left", known=True)
    levels_current: int = fact_field(
        "count", "Levels covered", "distinct levels among the current contacts", known=True)
    executives_current: int = fact_field(
        "count", "Executives", "current contacts at executive level", known=True)
    decision_makers_current: int = fact_field(
        "count", "Decision makers", "current contacts with the decision_maker role", known=True)
    coaches_current: int = fact_field(
        "count", "Coaches", "current contacts with the coach role", known=True)
    roles_missing: str = fact_field(
        "text", "Buying roles missing", "buying roles no current contact holds", known=True)
    activities_recorded: int = fact_field(
        "count", "Activities on file",
        "visits, calls and meetings on file up to the review date", known=True)
    last_activity: str | None = fact_field(
        "date", "Last activity", "the date of the last visit, call or meeting")
    days_since_activity: int | None = fact_field(
        "days", "Days since the last activity", "days since the last visit, call or meeting")
    complaints_recorded: int = fact_field(
        "count", "Complaints on file", "complaints on file up to the review date", known=True)
    days_since_feedback: int | None = fact_field(
        "days", "Days since the last feedback", "days since the last complaint or feedback")
    unresolved_quality_complaints: int = fact_field(
        "count", "Unresolved quality complaints", "quality complaints without resolved_on",
        known=True)
    quality_complaints_last_year: int = fact_field(
        "count", "Quality complaints, last year", "quality complaints in the last 365 days",
        known=True)
    relationship_stage: str | None = fact_field(
        "text", "Relationship stage", "relationship_stage as the owner judges it")
    relationship_stage_index: int | None = fact_field(
        "position", "Relationship stage number", "relationship stage, 1 (gestation) to 5 "
        "(synergistic)", low=1, high=5)
    attractiveness_score: float | None = fact_field(
        "score", "Attractiveness", "weighted average of scores.attractiveness, 1 to 5")
    relationship_score: float | None = fact_field(
        "score", "Relationship", "weighted average of scores.relationship, 1 to 5")
    plan_present: bool = fact_field(
        "yes/no", "Plan on file", "the account has a plan section", known=True)
    plan_summary_present: bool = fact_field(
        "yes/no", "Plan summary on file", "the plan has a summary", known=True)
    goals_count: int = fact_field("count", "Goals", "goals in the plan", known=True)
    # The warnings seeds 001 and 002 name: decline on short histories, senior access, the
    # buying influences met, the visit rhythm (rulebook/warning_facts.py).
    zero_revenue_quarters: int | None = fact_field(
        "quarters", "Quarters at zero after buying",
        "quarters in a row, up to the last complete quarter, written with revenue 0 after a "
        "quarter with revenue (unknown when the last complete quarter has no row)")
    same_quarters_compared: int = fact_field(
        "quarters", "Quarters compared a year apart",
        "of the last 4 complete quarters, those with a row whose quarter a year before has a "
        "row too", known=True)
    same_quarters_revenue: float | None = fact_field(
        "money", "Revenue, quarters compared",
        "revenue of the quarters compared a year apart (needs at least 2 of them)")
    same_quarters_revenue_before: float | None = fact_field(
        "money", "Revenue, the same quarters a year before",
        "revenue of the same quarters a year before (needs at least 2 of them)")
    same_quarters_growth: float | None = fact_field(
        "change", "Growth against the same quarters a year before",
        "revenue of the quarters compared against the same quarters a year before (needs at "
        "least 2 quarters compared, and revenue a year before)")
    senior_contacts_current: int = fact_field(
        "count", "Senior contacts",
        "current contacts at executive or director level (seed 001: senior management and "
        "directors)", known=True)
    buying_influences_uncovered: int = fact_field(
        "count", "Buying influences not covered",
        "seed 002's four buying influences (user, technical gatekeeper, coach, decision "
        "maker): roles no current contact holds, and current holders never met (no "
        "last_contact and no activity with them up to the review date)", known=True)
    buying_influences_uncovered_list: str = fact_field(
        "text", "Buying influences not covered, listed", "those roles and contacts",
        known=True)
    visits_last_3_months: int = fact_field(
        "count", "Visits, last 3 months",
        "activities met in person (visit, meeting, demo, event; not calls or e-mails) in the "
        "92 days up to the review date", known=True)
    days_since_visit: int | None = fact_field(
        "days", "Days since the last visit",
        "days since the last activity met in person (visit, meeting, demo or event)")
    # What the previous review raised (review/previous.py passes it in), for rules on what
    # a review had already warned about.
    high_warnings_before: int | None = fact_field(
        "count", "High warnings at the previous review",
        "high warnings open (not waived) on the account at the previous review (unknown "
        "without a previous review, or for an account it did not review)")
    high_warnings_before_list: str | None = fact_field(
        "text", "High warnings at the previous review, listed",
        "their rule ids (none: no such warning)")
    warned_unplanned: int = fact_field(
        "count", "Warnings of the previous review with nothing planned",
        "high warnings open at the previous review that no action of the plan answers, open "
        "or done within warned_answered_days of the review date (0 without a previous "
        "review: none has warned yet)", known=True)
    warned_unplanned_list: str = fact_field(
        "text", "Warnings of the previous review with nothing planned, listed",
        "their rules' titles (none: every one has an action)", known=True)
    # A file `kam new` wrote and nobody filled in: its owner is "Your Name".
    template_texts: int = fact_field(
        "count", "Template texts left in the file",
        "fields that still hold a placeholder of the account template (Your Name, First "
        "Contact ...)", known=True)
    template_text_fields: str = fact_field(
        "text", "Template texts left in the file, listed",
        "those fields, as the file names them (none: every one is filled in)", known=True)
    dates_after_review: int = fact_field(
        "count", "Dates after the review date",
        "dates the file records of what has happened (an activity, a complaint, a last "
        "contact, a deal's stage, win or loss, an action done, an owner's handover) that lie "
        "after the review date, and quarters of revenue that begin after it", known=True)
    dates_after_review_list: str = fact_field(
        "text", "Dates after the review date, listed",
        "those dates, each after its field as the file names it (none: no such date)",
        known=True)
