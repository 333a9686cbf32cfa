"""Every rule fires on an account built for it and stays silent on one built against it.

Each case starts from the healthy account of conftest and changes one thing; the silent
cases are near misses where a threshold allows, so that a rule that fires too eagerly fails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from kam_review.review.explain import explanations
from kam_review.review.results import AccountResult
from kam_review.rulebook.loading import Rulebook
from kam_review.vocabulary import Kind

from .conftest import AS_OF, Account, quarters, variant

Change = Callable[[Account], Any]


def _set(path: str, value: Any) -> Change:
    """A change that sets a nested field: 'contacts.0.level'."""

    def change(account: Account) -> None:
        *parents, last = path.split(".")
        node: Any = account
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _history(intent_on: str) -> list[dict[str, str]]:
    """A stage history of the test account's deal: intent entered on the day given."""
    return [{"stage": "opportunity", "entered": "2026-01-05"},
            {"stage": "intent", "entered": intent_on}]


def _all(*changes: Change) -> Change:
    def change(account: Account) -> None:
        for one in changes:
            one(account)

    return change


def _drop(path: str) -> Change:
    def change(account: Account) -> None:
        *parents, last = path.split(".")
        node: Any = account
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return change


def _scores(axis: str, score: int) -> Change:
    def change(account: Account) -> None:
        scores = account["scores"][axis]
        for key in scores:
            scores[key] = score

    return change


def _score_list(axis: str, marks: list[int]) -> Change:
    """The axis scored with these marks, one per criterion in the file's order; criteria
    beyond them are left out (an input left out is left out of the average)."""
    def change(account: Account) -> None:
        scores = account["scores"][axis]
        account["scores"][axis] = dict(zip(scores, marks, strict=False))

    return change


# Weighted scores (every weight 1): attractiveness 3.5 and 3.33, relationship 3.5 and 3.44.
_ATTRACTIVE_AT_CUT = _score_list("attractiveness", [4, 4, 4, 3, 3, 3])
_ATTRACTIVE_BELOW_CUT = _score_list("attractiveness", [4, 4, 3, 3, 3, 3])
_STRONG_AT_CUT = _score_list("relationship", [4, 4, 4, 4, 3, 3, 3, 3])
_STRONG_BELOW_CUT = _score_list("relationship", [4, 4, 4, 4, 3, 3, 3, 3, 3])


def _resale(stock_units: float, margin: float = 0.2) -> Change:
    """The account resells our goods: in each of the last 4 quarters it sells 1,000 units for
    1M at its own `margin`, and holds `stock_units` at the quarter's end (turnover: 4,000
    units a year over the stock)."""
    def change(account: Account) -> None:
        for row in account["financials"][-4:]:
            row |= {"resale_revenue": 1_000_000, "resale_cost": round(1_000_000 * (1 - margin)),
                    "resale_units": 1_000, "inventory_units": stock_units}

    return change


def _stock_at_cost(inventory: float) -> Change:
    """Only the account's stock at cost, as files reported it before resale figures: our
    cost of goods is never set against it."""
    def change(account: Account) -> None:
        for row in account["financials"][-4:]:
            row["inventory"] = inventory

    return change


def _drop_quarter(quarter: str) -> Change:
    def change(account: Account) -> None:
        account["financials"] = [r for r in account["financials"] if r["quarter"] != quarter]

    return change


def _style_everywhere(style: str | None) -> Change:
    def change(account: Account) -> None:
        for contact in account["contacts"]:
            if style is None:
                contact.pop("style", None)
            else:
                contact["style"] = style

    return change


def _quality(day: str) -> dict[str, str]:
    """A quality complaint, resolved later the same month."""
    return {"date": day, "topic": "quality", "resolved_on": day[:-2] + "28"}


def _waiver(**fields: str) -> Change:
    """One waiver on the healthy account (owner Li Wei); a sound one unless fields say
    otherwise."""
    waiver = {"rule": "risk.complacency", "reason": "Quarterly visit booked for 2026-10-12",
              "until": "2026-12-31", "by": "Zhou Lan"} | fields
    return _set("waivers", [waiver])


def _action(**fields: str) -> Change:
    """One action in the healthy account's plan: open, due on the review date unless fields
    say otherwise."""
    action = {"what": "Call the CFO", "owner": "Li Wei", "due": "2026-09-30"} | fields
    return _set("plan.actions", [action])


def _owner_handed_over(days_ago: int) -> Change:
    """Our owner (Li Wei) took the account over from Zhou Lan `days_ago` days before AS_OF."""
    day = str(AS_OF - timedelta(days=days_ago))
    return _set("owner_history", [{"name": "Zhou Lan", "from": "2020-01-01", "to": day}])


def _evidence(*keys: str) -> Change:
    """The deal also shows these characteristics."""
    def change(account: Account) -> None:
        account["opportunities"][0]["evidence"].update(dict.fromkeys(keys, True))

    return change


# Seed 004's stage 4 (project initiated) and stage 7 (closed).
_INITIATED = ("company_recognised", "project_need", "initial_budget", "leadership_backing",
              "timeline_set", "third_parties_involved", "our_team_set_up")
_CLOSED = ("contract_signed", "payment_received", "goods_shipped")
_EARLY_EVIDENCE = {"fits_target_profile": True, "basic_data_known": True,
                   "competitors_known": True, "needs_known": True, "budget_known": True,
                   "project_team_known": True, "interest_confirmed": True,
                   "leadership_backing": True, "timeline_set": True}
_FLAT = quarters("2024-Q4", [1_000_000] * 8)
# Six quarters: the last two 15% below the same two a year before, without two falls in a row.
_SHORT_FALL = quarters("2025-Q2", [1_000_000, 1_000_000, 1_200_000, 1_100_000, 850_000,
                                   850_000])
# Five quarters: it bought, then two quarters written with revenue 0.
_ZERO_AFTER_BUYING = quarters("2025-Q3", [1_000_000, 1_000_000, 1_000_000, 0, 0])
_STOPPED = quarters("2024-Q4", [1_000_000] * 6 + [0, 0])
# Parked: at its stage since 2026-04-01, 182 days before the review date (stale after 120).
_PARKED = _set("opportunities.0.stage_since", "2026-04-01")

# rule id -> (changes on which it fires, changes on which it stays silent)
CASES: dict[str, tuple[list[Change], list[Change]]] = {
    "class.dormant": (
        [_all(_set("financials", quarters("2024-Q4", [1_000_000] * 6 + [100_000, 100_000])),
              _set("opportunities", [])),
         _all(_set("financials", _STOPPED), _PARKED),
         _all(_set("financials", _STOPPED), _set("opportunities.0.expected_close", "2026-09-29")),
         _all(_set("financials", quarters("2025-Q3", [1_000_000] * 3 + [0, 0])), _PARKED)],
        # One step from firing: a deal that moved 120 days ago is live; 10.5% is not "almost
        # none"; one quarter without sales is a pause; two quarters without a row are unknown.
        [_all(_set("financials", _STOPPED), _set("opportunities.0.stage_since", "2026-06-02")),
         _all(_set("financials", quarters("2024-Q4", [1_000_000] * 6 + [105_000, 105_000])),
              _set("opportunities", [])),
         _all(_set("financials", quarters("2024-Q4", [1_000_000] * 7 + [0])), _PARKED),
         _all(_drop_quarter("2026-Q2"), _drop_quarter("2026-Q3"), _set("opportunities", []))],
    ),
    "class.nurture-new": (
        [_set("customer_since", "2025-09-30"),
         _all(_drop("customer_since"), _set("financials", quarters("2025-Q4", [200_000] * 4)))],
        [_set("customer_since", "2025-09-29"),
         _all(_drop("customer_since"), _set("financials", quarters("2025-Q3", [200_000] * 5)))],
    ),
    "class.fast-growing": (
        [_set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_300_000] * 4)),
         _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_200_000] * 4)),
         _set("financials", quarters("2025-Q2", [100_000, 150_000, 300_000, 500_000,
                                                 800_000, 1_000_000]))],
        [_set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_190_000] * 4)),
         _all(_set("market.industry_growth", 0.18),
              _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_320_000] * 4))),
         _set("financials", quarters("2025-Q2", [1_000_000] * 6))],
    ),
    "class.loyal": (
        [lambda a: None,
         _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_150_000] * 4))],
        [_set("customer_since", "2024-10-01"),
         _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_000_000] * 3 + [0])),
         _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_160_000] * 4))],
    ),
    "class.nurture": (
        [_set("market.wallet", 50_000_000), _set("customer_since", "2025-03-01")],
        [_set("financials", _FLAT)],
    ),
    # The cut is 3.5 on both axes: the neutral midpoint 3 is neither attractive nor strong.
    "focus.key": (
        [lambda a: None, _all(_ATTRACTIVE_AT_CUT, _STRONG_AT_CUT)],
        [_scores("relationship", 2), _drop("scores"), _all(_ATTRACTIVE_AT_CUT, _STRONG_BELOW_CUT),
         _all(_ATTRACTIVE_BELOW_CUT, _STRONG_AT_CUT),
         _all(_scores("attractiveness", 3), _scores("relationship", 3))],
    ),
    "focus.target": (
        [_scores("relationship", 2), _all(_ATTRACTIVE_AT_CUT, _STRONG_BELOW_CUT)],
        [lambda a: None, _all(_ATTRACTIVE_BELOW_CUT, _STRONG_BELOW_CUT),
         _all(_ATTRACTIVE_AT_CUT, _STRONG_AT_CUT)],
    ),
    "focus.maintain": (
        [_scores("attractiveness", 2), _scores("attractiveness", 3), _ATTRACTIVE_BELOW_CUT],
        [lambda a: None, _ATTRACTIVE_AT_CUT, _all(_ATTRACTIVE_BELOW_CUT, _STRONG_BELOW_CUT)],
    ),
    "focus.low-profile": (
        [_all(_scores("attractiveness", 2), _scores("relationship", 2)),
         _all(_scores("attractiveness", 3), _scores("relationship", 3))],
        [_scores("attractiveness", 2), _all(_ATTRACTIVE_BELOW_CUT, _STRONG_AT_CUT),
         _all(_ATTRACTIVE_AT_CUT, _STRONG_BELOW_CUT)],
    ),
    "risk.key-contact-left": (
        [_set("contacts.2.left_on", "2026-08-31"), _owner_handed_over(180),
         _owner_handed_over(0)],
        [_set("contacts.2.left_on", "2025-12-01"),
         _all(_set("contacts.2.left_on", "2026-08-31"), _set("contacts.2.roles", [])),
         _owner_handed_over(181), _owner_handed_over(-1)],
    ),
    "risk.single-threaded": (
        [_all(_set("contacts", [{"name": "Zhang Min", "level": "executive",
                                 "roles": ["decision_maker", "coach"]}]),
              _set("activities", [{"date": "2026-09-01", "kind": "visit"}])),
         _all(_set("contacts.0.level", "manager"), _set("contacts.2.level", "manager"))],
        [_set("contacts.2.level", "manager")],
    ),
    # Seed 001 counts senior management and directors: Chen Jun (director) alone is enough.
    "risk.no-executive-access": (
        [_all(_set("contacts.0.level", "manager"), _set("contacts.2.level", "manager")),
         _all(_set("contacts.0.level", "manager"), _set("contacts.2.left_on", "2026-09-01"))],
        [lambda a: None, _set("contacts.0.level", "manager"),
         _all(_set("contacts.0.level", "manager"), _set("contacts.2.left_on", "2026-10-01"))],
    ),
    # Seed 002's minefield: any of its four buying influences unidentified or never met.
    "risk.buying-role-gap": (
        [_set("contacts.1.roles", ["user", "coach"]),
         _set("contacts.0.roles", ["decision_owner"]),
         _set("contacts.0.left_on", "2026-09-30"),
         _all(_drop("contacts.1.last_contact"), _set("activities.1.kind", "call"),
              _set("activities.1.with", ["Zhang Min"]))],
        [lambda a: None, _drop("contacts.1.last_contact"),
         _set("contacts.1.roles", ["user", "coach", "technical", "influencer"]),
         _drop("contacts.2.last_contact")],
    ),
    "risk.opponent-decision-maker": (
        [_set("contacts.0.attitude", "opponent")],
        [_set("contacts.2.attitude", "opponent"),
         _all(_set("contacts.0.attitude", "opponent"), _set("contacts.0.left_on", "2026-09-01"))],
    ),
    "risk.quality-issues": (
        [_set("complaints", [{"date": "2026-09-01", "topic": "quality"}]),
         _set("complaints", [_quality("2026-02-01"), _quality("2026-08-01")])],
        [_set("complaints", [_quality("2025-02-01"), _quality("2026-08-01")])],
    ),
    "risk.silent-account": (
        [_set("complaints", []), _set("complaints.0.date", "2025-09-01")],
        [_set("complaints.0.date", "2025-10-15"),
         _all(_set("complaints", []), _set("customer_since", "2026-01-01"))],
    ),
    # One visit or meeting in person a month (seed 002): 3 in the last 92 days.
    "risk.complacency": (
        [_set("activities", []), _set("activities.2.kind", "call"),
         _set("activities.2.kind", "email"), _set("activities.2.date", "2026-06-30")],
        [lambda a: None, _set("activities.2.date", "2026-07-01"),
         _set("activities.2.kind", "demo")],
    ),
    "risk.contact-neglected": (
        [_set("contacts.2.last_contact", "2026-04-01")],
        [_set("contacts.2.last_contact", "2026-07-01"),
         _all(_set("contacts.2.last_contact", "2026-04-01"), _set("contacts.2.roles", []))],
    ),
    "risk.declining-revenue": (
        [_set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_200_000, 1_100_000,
                                                                  1_000_000, 950_000])),
         _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [850_000] * 4)),
         _set("financials", _SHORT_FALL),
         _set("financials", _ZERO_AFTER_BUYING)],
        [_set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_200_000, 1_100_000,
                                                                  1_000_000, 1_050_000])),
         _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [860_000] * 4)),
         _set("financials", _SHORT_FALL[:-1] + quarters("2026-Q3", [860_000])),
         _set("financials", _ZERO_AFTER_BUYING[:-1] + quarters("2026-Q3", [10])),
         _set("financials", _ZERO_AFTER_BUYING[:-1]),
         _set("financials", quarters("2025-Q3", [0] * 5))],
    ),
    "risk.margin-erosion": (
        [_set("financials", quarters("2024-Q4", [1_000_000] * 4, 0.3)
              + quarters("2025-Q4", [1_000_000] * 4, 0.25))],
        [_set("financials", quarters("2024-Q4", [1_000_000] * 4, 0.3)
              + quarters("2025-Q4", [1_000_000] * 4, 0.28))],
    ),
    "risk.low-inventory-turnover": (
        [_resale(1_001)],
        [_resale(1_000), _stock_at_cost(1_000_000), lambda a: None],
    ),
    "risk.low-gmroii": (
        [_resale(1_000, margin=0.19), _resale(1_001)],
        [_resale(1_000), _stock_at_cost(2_000_000)],
    ),
    "risk.relationship-stage-mismatch": (
        [_all(_set("relationship_stage", "partnership"), _set("contacts.0.level", "manager"),
              _set("contacts.2.level", "manager"))],
        [_set("relationship_stage", "partnership"),
         _all(_set("relationship_stage", "partnership"), _set("contacts.0.level", "manager")),
         _all(_set("relationship_stage", "mid"), _set("contacts.0.level", "manager"),
              _set("contacts.2.level", "manager"))],
    ),
    # A deal at a stage shows that stage's characteristics and those before (seed 004).
    "stage.skipped-evidence": (
        [_set("opportunities.0.evidence.budget_known", False),
         _drop("opportunities.0.evidence.needs_known"),
         _set("opportunities.0.evidence.interest_confirmed", False),
         _set("opportunities.0.stage", "initiated")],
        [lambda a: None, _set("opportunities.0.evidence.leadership_backing", False),
         _all(_set("opportunities.0.stage", "initiated"), _evidence(*_INITIATED)),
         _all(_set("opportunities.0.evidence.budget_known", False),
              _set("opportunities.0.stage", "closed"), _evidence(*_CLOSED))],
    ),
    # What lets a deal move on is the next stage's characteristics.
    "stage.ready-to-advance": (
        [_evidence(*_INITIATED),
         _all(_set("opportunities.0.stage", "initiated"), _evidence(*_INITIATED),
              _evidence("product_accepted", "shortlisted", "quote_submitted"))],
        [lambda a: None, _evidence(*_INITIATED[:-1]),
         _all(_evidence(*_INITIATED), _set("opportunities.0.evidence.budget_known", False)),
         _all(_evidence(*_INITIATED), _set("opportunities.0.stage", "lost"))],
    ),
    # Closed only when signed, paid and shipped (seed 004).
    "stage.closed-unpaid": (
        [_all(_set("opportunities.0.stage", "closed"), _evidence(*_CLOSED),
              _set("opportunities.0.evidence.payment_received", False)),
         _all(_set("opportunities.0.stage", "closed"), _evidence(*_CLOSED[:2])),
         _set("opportunities.0.stage", "closed")],
        [_all(_set("opportunities.0.stage", "closed"), _evidence(*_CLOSED)),
         _all(_set("opportunities.0.stage", "negotiation"), _evidence(*_CLOSED[:2]))],
    ),
    "stage.stale": (
        [_set("opportunities.0.stage_since", "2026-04-01"),
         # The stage history (kam import) says when the deal entered its stage: 121 days.
         _set("opportunities.0.stage_history", _history("2026-06-01"))],
        [_set("opportunities.0.stage_since", "2026-07-01"),
         _set("opportunities.0.stage_history", _history("2026-06-02")),  # 120 days
         # The history's latest entry is another stage: stage_since (2026-08-01) counts.
         _set("opportunities.0.stage_history", [{"stage": "opportunity",
                                                 "entered": "2026-01-05"}]),
         # An entry after the review date is not known yet: the intent entry counts.
         _set("opportunities.0.stage_history", [*_history("2026-06-02"),
                                                {"stage": "initiated",
                                                 "entered": "2026-10-01"}])],
    ),
    "stage.overdue": (
        [_set("opportunities.0.expected_close", "2026-09-01")],
        [_set("opportunities.0.expected_close", "2026-10-01"),
         _all(_set("opportunities.0.expected_close", "2026-09-01"),
              _set("opportunities.0.stage", "lost"))],
    ),
    "stage.probability-mismatch": (
        [_all(_set("opportunities.0.stage", "recognition"),
              _set("opportunities.0.evidence", _EARLY_EVIDENCE),
              _set("opportunities.0.probability", 0.3)),
         _all(_set("opportunities.0.stage", "negotiation"),
              _set("opportunities.0.probability", 0.7),
              _set("opportunities.0.expected_close", "2027-06-30")),
         _all(_set("opportunities.0.stage", "target"), _set("opportunities.0.probability", 0.7))],
        [_all(_set("opportunities.0.stage", "recognition"),
              _set("opportunities.0.probability", 0.6),
              _set("opportunities.0.expected_close", "2026-12-15")),
         _set("opportunities.0.probability", 0.7)],
    ),
    # "Can we compete?": a sole-source deal answers yes; a deal we cannot compete for, no.
    "stage.unqualified": (
        [_set("opportunities.0.qualification.win", "unsure"),
         _set("opportunities.0.qualification.real", False),
         _set("opportunities.0.qualification.can_compete", "no"),
         _all(_drop("opportunities.0.qualification.can_compete"),
              _set("opportunities.0.qualification.compete", False))],
        [lambda a: None, _set("opportunities.0.qualification.real", True),
         _all(_drop("opportunities.0.qualification.can_compete"),
              _set("opportunities.0.qualification.compete", "yes")),
         _drop("opportunities.0.qualification.can_compete")],
    ),
    "data.stale": (
        [_drop_quarter("2026-Q3"),
         _all(_set("financials", []), _set("customer_since", "2026-09-30"))],
        [_drop_quarter("2026-Q2"),
         _all(_set("financials", []), _set("customer_since", "2026-10-01"))],
    ),
    "data.gap": (
        [_drop_quarter("2026-Q2"), _drop_quarter("2025-Q1")],
        # The missing quarter is the 9th before the review's last, outside the window.
        [_drop_quarter("2026-Q3"), _set("financials", quarters("2024-Q2", [1_000_000]) + _FLAT)],
    ),
    # The industry grows 5%: a plan of exactly 5% is not below it, 4.9% is.
    "plan.below-industry-growth": (
        [_set("plan.growth_target", 0.03), _set("plan.growth_target", 0.049)],
        [lambda a: None, _drop("market"), _set("plan.growth_target", 0.05)],
    ),
    # One step from firing: a goal with a metric, a target and a due date and nothing else.
    "plan.goal-not-smart": (
        [_drop("plan.goals.0.due"), _drop("plan.goals.0.metric"), _drop("plan.goals.0.target")],
        [lambda a: None, _set("plan.goals", [{"text": "Grow", "metric": "revenue",
                                               "target": 1, "due": "2027-01-01"}])],
    ),
    # One step from firing: a single goal (even one that is not SMART, even without a
    # summary, which is plan.summary-missing's).
    "plan.missing": (
        [_set("plan.goals", []), _drop("plan")],
        [lambda a: None, _drop("plan.goals.0.due"), _drop("plan.summary"),
         _set("plan.goals", [{"text": "Grow", "metric": "revenue", "target": 1,
                              "due": "2027-01-01"}])],
    ),
    # A summary of blanks says nothing; one of a single word is a summary.
    "plan.summary-missing": (
        [_drop("plan.summary"), _drop("plan"), _set("plan.summary", "   ")],
        [lambda a: None, _set("plan.summary", "Grow."), _set("plan.goals", [])],
    ),
    # Overdue from the day after the due date: the due date itself (the review date) is not.
    "plan.action-overdue": (
        [_action(due="2026-09-29"), _action(due="2026-09-29", status="open"),
         _action(due="2025-01-01", answers="risk.complacency")],
        [_action(), _action(due="2026-10-01"), _action(due="2026-09-29", status="done"),
         _action(due="2026-09-29", status="dropped"), lambda a: None],
    ),
    "plan.waiver-expired": (
        [_set("waivers", [{"rule": "risk.complacency", "reason": "r", "until": "2026-06-30",
                           "by": "Zhou Lan"}])],
        [_set("waivers", [{"rule": "risk.complacency", "reason": "r", "until": "2026-12-31",
                           "by": "Zhou Lan"}])],
    ),
    # 2027-10-01 is 366 days after the review date, 2027-09-30 the horizon's last day.
    "plan.waiver-too-long": (
        [_waiver(until="2027-10-01"), _waiver(until="2099-12-31")],
        [_waiver(until="2027-09-30"), _waiver(until="2026-10-01")],
    ),
    "plan.waiver-weak-reason": (
        [_waiver(reason="n/a"), _waiver(reason="  TBD  "), _waiver(reason=" \u200b "),
         _waiver(reason="Visit planned!"),  # 14 characters
         _waiver(reason="Visit      soon")],  # 10 characters once blanks are collapsed
        [_waiver(reason="Visit planned!!"), _waiver(reason="  Visit planned!!  ")],
    ),
    "plan.waiver-unapproved": (
        [_waiver(rule="risk.key-contact-left", by="Li Wei"),
         _waiver(rule="risk.key-contact-left", by="  li   WEI "),
         _waiver(rule="risk.key-contact-left", by="Li\u200b Wei"),
         _waiver(rule="risk.key-contact-left", by="Li Wei\u034f")],  # a blank one is an error
        [_waiver(rule="risk.key-contact-left", by="Zhou Lan"),
         _waiver(rule="risk.complacency", by="Li Wei")],
    ),
}
for _style in ("analytical", "direct", "social", "conceptual"):
    CASES[f"advice.style-{_style}"] = (
        [_set("contacts.0.style", _style)],
        [_style_everywhere(None),
         _all(_style_everywhere(None), _set("contacts.0.style", _style),
              _set("contacts.0.left_on", "2026-09-01"))],
    )


def _lines(we_sell: list[str], deal: str | None = None, stage: str = "intent") -> Change:
    """The account needs POS terminals and scanners, buys `we_sell`, and its deal (at
    `stage`) sells the line `deal`."""
    return _all(_set("whitespace", {"product_lines": ["POS terminals", "Scanners"],
                                    "we_sell": we_sell}),
                _set("opportunities.0.stage", stage),
                (_set("opportunities.0.product_line", deal) if deal else lambda a: None))


# One step from firing: the line not yet offered is sold by the deal, bought, or was lost.
CASES["advice.whitespace"] = (
    [_lines(["POS terminals"]), _lines([], deal="POS terminals"),
     _lines(["POS terminals"], deal="POS terminals")],
    [lambda a: None, _lines(["POS terminals"], deal="Scanners"),
     _lines(["POS terminals", "scanners"]), _lines(["POS terminals"], "Scanners", "lost"),
     _lines(["POS terminals"], "Scanners", "closed")],
)
# A goal measured on a custom figure recorded by hand: from 0 on 2026-06-02 to 100 by
# 2027-01-28, so that half its time is gone on the review date (120 of 240 days) and it is on
# track from a progress of 40% (tolerance 10 points).
_HALF_TIME = {"text": "Grow", "metric": "custom", "baseline": {"value": 0, "date": "2026-06-02"},
              "target": 100, "due": "2027-01-28"}


def _goal(**fields: Any) -> Change:
    """The plan's one goal: the half-time goal with these fields changed; `actual=40` records
    an actual of 40 on the review date."""
    goal = _HALF_TIME | fields
    if isinstance(goal.get("actual"), int | float):
        goal["actual"] = {"value": goal["actual"], "date": str(AS_OF)}
    return _set("plan.goals", [goal])


# A yearly revenue goal on the healthy account: 4M over the 4 quarters to 2025-Q3, 4.25M
# over the 4 to 2026-Q3; half its two years are gone on the review date.
_REVENUE_GOAL = {"text": "Grow", "metric": "revenue", "period": "trailing",
                 "baseline": {"value": 4_000_000, "date": "2025-09-30"}, "due": "2027-09-30"}


def _revenue_goal(target: int) -> Change:
    return _set("plan.goals", [_REVENUE_GOAL | {"target": target}])


# Two medium warnings on the healthy account's deal: parked in its stage, and overdue.
_TWO_MEDIUM = _all(_PARKED, _set("opportunities.0.expected_close", "2026-09-01"))
_CONTACT_LEFT = _set("contacts.2.left_on", "2026-08-31")  # a high warning
_LEFT_AND_WAIVED = _all(_CONTACT_LEFT, _waiver(rule="risk.key-contact-left"))

CASES.update({
    # Behind: progress below the time gone less 10 points (a target below the baseline is
    # approached from above: 40 down to 0, at 25 is 37.5% of the way); missed: past the due
    # date, not met. One step from firing: at 40% with half the time gone, on the due date
    # itself, achieved, or a goal that cannot be measured.
    "plan.goal-behind": (
        [_goal(actual=39), _goal(actual=94, due="2026-09-29"), _revenue_goal(4_700_000),
         _goal(actual=25, target=0, baseline={"value": 40, "date": "2026-06-02"})],
        [_goal(actual=40), _goal(actual=95, due="2026-09-30"), _revenue_goal(4_500_000),
         _goal(actual=100, due="2026-09-29"), _goal(), _goal(metric="contract_value"),
         _goal(actual=24, target=0, baseline={"value": 40, "date": "2026-06-02"})],
    ),
    # The verdict: at risk on an open high warning or a dormant class; not enough data on
    # stale figures; watch on two medium warnings, a goal off track or a high finding
    # waived; healthy otherwise. Each silent case is one step from its verdict.
    "verdict.at-risk": (
        [_CONTACT_LEFT, _all(_set("financials", quarters("2024-Q4", [1_000_000] * 6
                                                         + [100_000, 100_000])),
                             _set("opportunities", []))],
        [_LEFT_AND_WAIVED, lambda a: None],
    ),
    "verdict.not-enough-data": (
        [_drop_quarter("2026-Q3"), _all(_set("financials", []),
                                        _set("customer_since", "2026-09-30"))],
        [_drop_quarter("2026-Q2"), _all(_drop_quarter("2026-Q3"), _CONTACT_LEFT)],
    ),
    "verdict.watch": (
        [_TWO_MEDIUM, _goal(actual=39), _LEFT_AND_WAIVED],
        [_PARKED, _goal(actual=40), _all(_TWO_MEDIUM, _CONTACT_LEFT)],
    ),
    "verdict.healthy": (
        [lambda a: None, _PARKED, _goal(actual=40), _drop_quarter("2026-Q2")],
        [_TWO_MEDIUM, _goal(actual=39), _LEFT_AND_WAIVED, _drop_quarter("2026-Q3")],
    ),
})


def _fired(result: AccountResult, rule_id: str, rulebook: Rulebook) -> bool:
    """A verdict rule fires where it decides the verdict; a class or focus rule where its
    condition holds, whether or not it assigns."""
    if rulebook.rule(rule_id).kind == Kind.VERDICT:
        return result.verdict is not None and result.verdict.rule == rule_id
    explained = {e.rule: e.fired for e in explanations(result, rulebook)}
    if rule_id in explained:
        return explained[rule_id]
    return any(f.rule == rule_id for f in result.findings)


def _cases(which: int) -> list[Any]:
    return [pytest.param(rule_id, change, id=f"{rule_id}-{i}")
            for rule_id, pair in CASES.items() for i, change in enumerate(pair[which])]


# Rules whose cases need more than an account file, tested in their own files.
CASES_ELSEWHERE = {
    # needs the previous review's warnings: tests/test_actions.py
    "plan.warned-nothing-planned",
}


def test_every_rule_has_cases(rulebook: Rulebook) -> None:
    assert set(CASES) | CASES_ELSEWHERE == {rule.id for rule in rulebook.rules}
    for rule_id, (fires, silent) in CASES.items():
        assert fires and silent, rule_id


@pytest.mark.parametrize(("rule_id", "change"), _cases(0))
def test_rule_fires(rule_id: str, change: Change, review_one: Any, rulebook: Rulebook) -> None:
    assert _fired(review_one(variant(change)), rule_id, rulebook)


@pytest.mark.parametrize(("rule_id", "change"), _cases(1))
def test_rule_stays_silent(rule_id: str, change: Change, review_one: Any,
                           rulebook: Rulebook) -> None:
    assert not _fired(review_one(variant(change)), rule_id, rulebook)


def test_healthy_account_raises_no_warning(review_one: Any) -> None:
    result = review_one(variant(lambda a: None))
    assert result.klass == "loyal"
    assert result.focus == "key"
    assert [f.rule for f in result.findings if f.kind in ("risk", "stage", "plan")] == []


# What the finding of a firing case says, figures included: (rule id, change, message).
MESSAGES: list[tuple[str, Change, str]] = [
    ("risk.key-contact-left", _set("contacts.2.left_on", "2026-08-31"),
     "Chen Jun (Procurement Director; roles: influencer) left on Aug 31, 2026, 30 days ago"),
    ("risk.key-contact-left", _owner_handed_over(180),
     "Li Wei (our key account manager; roles: account owner) took the account over from "
     "Zhou Lan on Apr 3, 2026, 180 days ago"),
    # One contact, on one level: each count in the singular.
    ("risk.single-threaded",
     _all(_set("contacts", [{"name": "Zhang Min", "level": "executive",
                             "roles": ["decision_maker", "coach"]}]),
          _set("activities", [{"date": "2026-09-01", "kind": "visit"}])),
     "1 current contact; the current contacts are on 1 level of the customer's organisation"),
    ("risk.quality-issues", _set("complaints", [{"date": "2026-09-01", "topic": "quality"}]),
     "1 unresolved quality complaint"),
    ("stage.stale", _set("opportunities.0.stage_history", _history("2026-06-01")),
     "POS refresh has been at stage Confirmed intent for 121 days (more than 120 days)"),
    ("risk.no-executive-access",
     _all(_set("contacts.0.level", "manager"), _set("contacts.2.left_on", "2026-09-01")),
     "none of the 2 current contacts is at executive or director level"),
    ("risk.buying-role-gap", _set("contacts.1.roles", ["user"]),
     "2 of seed 002's buying influences not covered: technical gatekeeper: nobody holds the "
     "role; coach: nobody holds the role"),
    ("risk.buying-role-gap",
     _all(_drop("contacts.1.last_contact"), _set("activities.1.with", ["Zhang Min"])),
     "1 of seed 002's buying influences not covered: Wang Fang (user, technical gatekeeper, "
     "coach): never met"),
    ("risk.complacency", _set("activities.2.kind", "call"),
     "2 visits or meetings in person in the last 3 months (at least 3 expected: one a "
     "month)"),
    # 3 visits and meetings within 3 months, the last 91 days ago: only the days are cited.
    ("risk.complacency",
     _all(_set("activities.0.date", "2026-07-01"), _set("activities.2.date", "2026-07-01"),
          _set("activities.3.date", "2026-07-01")),
     "the last visit or meeting in person was 91 days ago"),
    ("risk.declining-revenue", _set("financials", _ZERO_AFTER_BUYING),
     "revenue by quarter, latest last: CN¥1M -> CN¥1M -> CN¥0 -> CN¥0; 2 quarters in a row "
     "without sales"),
    ("risk.declining-revenue",
     _set("financials", quarters("2024-Q4", [1_000_000] * 4 + [1_200_000, 1_100_000,
                                                              1_000_000, 950_000])),
     "revenue by quarter, latest last: CN¥1.2M -> CN¥1.1M -> CN¥1M -> CN¥950K; 3 falls in a "
     "row up to the last quarter"),
    ("risk.declining-revenue", _set("financials", _SHORT_FALL),
     "revenue by quarter, latest last: CN¥1.2M -> CN¥1.1M -> CN¥850K -> CN¥850K; against the "
     "same quarters a year before: -15% (2 quarters compared)"),
    ("stage.skipped-evidence", _set("opportunities.0.stage", "initiated"),
     "POS refresh is at stage Project initiated, but does not show 7 characteristics of that "
     "stage or an earlier one: Project initiated: company recognised: not recorded, project "
     "need: not recorded, initial budget: not recorded, leadership backing: not recorded, "
     "timeline set: not recorded, third parties involved: not recorded, our team set up: not "
     "recorded"),
    ("stage.skipped-evidence",
     _all(_set("opportunities.0.evidence.budget_known", False),
          _drop("opportunities.0.evidence.interest_confirmed")),
     "POS refresh is at stage Confirmed intent, but does not show 2 characteristics of that "
     "stage or an earlier one: Potential opportunity: budget known: no; Confirmed intent: "
     "interest confirmed: not recorded"),
    # One characteristic missing: the singular.
    ("stage.skipped-evidence", _set("opportunities.0.evidence.budget_known", False),
     "POS refresh is at stage Confirmed intent, but does not show 1 characteristic of that "
     "stage or an earlier one: Potential opportunity: budget known: no"),
    ("stage.ready-to-advance", _evidence(*_INITIATED),
     "POS refresh shows every characteristic of its stage (Confirmed intent) and of the next "
     "one, Project initiated"),
    ("stage.closed-unpaid",
     _all(_set("opportunities.0.stage", "closed"), _evidence(*_CLOSED),
          _set("opportunities.0.evidence.payment_received", False)),
     'POS refresh is marked closed, but not shown: payment received: no; its CN¥2M is '
     'forecast as "closed, not yet signed, paid and shipped", not as closed'),
    ("stage.unqualified",
     _all(_drop("opportunities.0.qualification.can_compete"),
          _set("opportunities.0.qualification.compete", False),
          _set("opportunities.0.qualification.win", "unsure")),
     "POS refresh: can we compete? no, can we win? unsure"),
]


MESSAGES += [
    ("plan.below-industry-growth", _set("plan.growth_target", 0.049),
     "planned growth 4.9% is below the industry's expected 5%"),
    ("plan.missing", _set("plan.goals", []), "0 goals in the account plan"),
    ("plan.summary-missing", _drop("plan.summary"),
     "plan summary present: no; the account page opens without the account manager's short "
     "account of the situation"),
    ("plan.action-overdue", _action(due="2026-09-29"),
     '"Call the CFO" (owner Li Wei) was due on 2026-09-29: 1 day overdue'),
    ("plan.action-overdue", _action(what="Send the SLA draft", owner="Zhou Lan",
                                    due="2026-06-30", answers="goal:1"),
     '"Send the SLA draft" (owner Zhou Lan) was due on 2026-06-30: 92 days overdue'),
    # 250k of the 700k from the baseline is 35.7%; on track from 50% - 10 points.
    ("plan.goal-behind", _revenue_goal(4_700_000),
     '"Grow" is behind: 4.25M against a target of 4.7M due 2027-09-30 (revenue of the last 4 '
     "quarters to 2026-Q3); 35.7% of the way from the baseline 4M on 2025-09-30 with 50% of "
     "the time gone (on track from 40%)"),
    ("plan.goal-behind", _goal(actual=94, due="2026-09-29"),
     '"Grow" is missed: 94 against a target of 100 due 2026-09-29 (recorded by hand on '
     "2026-09-30); 94% of the way from the baseline 0 on 2026-06-02 with 100% of the time "
     "gone (1 day past the due date)"),
]


# The classes and data findings: rule id -> (a change on which it fires, the figures its
# message must give).
_MESSAGES_BY_RULE: dict[str, tuple[Change, str]] = {
    "class.dormant": (
        _all(_set("financials", quarters("2025-Q3", [1_000_000] * 3 + [0, 0])), _PARKED),
        "revenue by quarter, latest last: CN¥1M -> CN¥1M -> CN¥1M -> CN¥0 -> CN¥0; the last 2 "
        "quarters average 0% of the 4 before; 2 quarters in a row without sales; no live "
        "opportunity (1 open, none moved within 120 days or before its close date)"),
    # A neutral scorecard (3 everywhere) is neither attractive nor strong.
    "focus.low-profile": (
        _all(_scores("attractiveness", 3), _scores("relationship", 3)),
        "attractiveness 3, relationship 3: less attractive, weak position"),
    "focus.key": (
        _all(_ATTRACTIVE_AT_CUT, _STRONG_AT_CUT),
        "attractiveness 3.5, relationship 3.5: attractive and strong"),
    "class.nurture-new": (
        _set("customer_since", "2026-01-01"),
        "first order Jan 1, 2026, 0.74 years ago (at most 1 year is new)"),
    # (800k + 1M) / (100k + 150k) = 7.2: +620%, 615 percentage points above the industry's 5%.
    "class.fast-growing": (
        _set("financials", quarters("2025-Q2", [100_000, 150_000, 300_000, 500_000, 800_000,
                                                1_000_000])),
        "revenue of the last 4 quarters CN¥2.6M, +620% over a year (2 of the last 4 quarters "
        "against the same quarters a year before; 4 quarters), +615 pp above the "
        "industry's 5% (fast-growing from +15 pp above, and at least 20%)"),
    "class.loyal": (
        lambda a: None,
        "buying from us for 6.75 years, every quarter of the last 4 on file; revenue +6.2% "
        "over a year (the last 4 quarters against the 4 before)"),
    "class.nurture": (
        _set("customer_since", "2025-03-01"),
        "buying from us for 1.58 years; revenue +6.2% over a year"),
    # 4,000 units a year over 1,250 in stock; 1,250 / (4,000 / 52) x 6 working days.
    "risk.low-inventory-turnover": (
        _resale(1_250),
        "the account's stock of our goods turns 3.2 times a year, counted in units (at least 4 "
        "expected); 97.5 working days of supply"),
    # 0.19 x 4 / 0.81, from the account's own margin; ours (30%) never enters it.
    "risk.low-gmroii": (
        _resale(1_000, margin=0.19),
        "GMROII 0.94 (at least 1 expected): the account's own gross margin on our goods 19%, "
        "its stock turning 4 times a year"),
    "data.stale": (
        _drop_quarter("2026-Q3"),
        "no row of figures for the last 1 complete quarter (latest on file 2026-Q2, last "
        "complete quarter 2026-Q3); growth and recent revenue are unknown, not zero"),
    "data.gap": (
        _all(_drop_quarter("2026-Q1"), _drop_quarter("2026-Q2")),
        "no row for 2026-Q1, 2026-Q2 (2 quarters inside the history, latest on file "
        "2026-Q3); figures that need those quarters are unknown"),
}

MESSAGES += [(rule, change, text) for rule, (change, text) in _MESSAGES_BY_RULE.items()]
MESSAGES.append(("advice.whitespace", _lines([], deal="POS terminals"),
                 "1 of the 2 product lines it needs not yet offered: Scanners"))


@pytest.mark.parametrize(("rule_id", "change", "message"), [
    pytest.param(*case, id=f"{case[0]}-{i}") for i, case in enumerate(MESSAGES)])
def test_message_gives_the_figures(rule_id: str, change: Change, message: str,
                                   review_one: Any) -> None:
    result = review_one(variant(change))
    assert [f.message for f in result.findings if f.rule == rule_id] == [message]
