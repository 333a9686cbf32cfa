"""The vocabulary: severities and kinds in their order, statuses, marks and windows, defined
once and used as defined (the boundaries of the windows are pinned here)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from kam_review.output.report import as_text, expiring_waivers
from kam_review.review.results import Result
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.subject_facts import forecast_bucket
from kam_review.source.model import OPPORTUNITY_STAGES, Opportunity
from kam_review.vocabulary import (
    WAIVER_NOTICE_DAYS,
    GoalStatus,
    Health,
    Kind,
    Mark,
    Severity,
    Status,
)

from .conftest import AS_OF, Reviewer, healthy_account

PACKAGE = Path(__file__).parents[1] / "engine" / "kam_review"


def test_severities_most_severe_first() -> None:
    assert [s.value for s in Severity] == ["high", "medium", "low", "info"]
    assert [s.rank for s in Severity] == [0, 1, 2, 3]


@pytest.mark.parametrize(("severity", "floor", "expected"), [
    (Severity.HIGH, Severity.HIGH, True),
    (Severity.MEDIUM, Severity.HIGH, False),
    (Severity.HIGH, Severity.INFO, True),
    (Severity.LOW, Severity.MEDIUM, False),
    (Severity.MEDIUM, Severity.LOW, True),
    (Severity.INFO, Severity.LOW, False),
    (Severity.INFO, Severity.INFO, True),
])
def test_at_least(severity: Severity, floor: Severity, expected: bool) -> None:
    assert severity.at_least(floor) is expected


def test_worst() -> None:
    assert Severity.worst([Severity.LOW, Severity.INFO, Severity.MEDIUM]) == Severity.MEDIUM
    assert Severity.worst([Severity.INFO]) == Severity.INFO
    assert Severity.worst([]) is None


def test_a_severity_is_its_text() -> None:
    """Rule files, JSON and pages hold the text; the enum must compare, hash and print as it."""
    assert Severity("medium") is Severity.MEDIUM
    by_text: dict[str, int] = {Severity.LOW: 2}
    assert {"high": 1}[Severity.HIGH] == 1 and by_text["low"] == 2
    assert f"{Severity.INFO}" == "info" and json.dumps([Severity.HIGH]) == '["high"]'


def test_kinds_in_order_and_what_they_do() -> None:
    assert [k.value for k in Kind] == ["class", "focus", "risk", "stage", "plan", "data",
                                       "advice", "verdict"]
    assert {k for k in Kind if k.assigns} == {Kind.CLASS, Kind.FOCUS}
    assert {k for k in Kind if k.warns} == {Kind.RISK, Kind.STAGE, Kind.PLAN, Kind.DATA}
    assert Kind.DATA.heading == "Data completeness"
    assert not Kind.ADVICE.assigns and not Kind.ADVICE.warns
    assert Kind.ADVICE.heading == "Working with the buying team"
    # The verdict rules give a label, as the class rules do, but raise no finding.
    assert {k for k in Kind if k.gives_label} == {Kind.CLASS, Kind.FOCUS, Kind.VERDICT}
    assert {k for k in Kind if not k.finds} == {Kind.VERDICT}


def test_verdicts_and_goal_statuses() -> None:
    """Listed worst first, as the pages group them; shown in words."""
    assert [h.value for h in Health] == ["at-risk", "watch", "not-enough-data", "healthy"]
    assert Health.NOT_ENOUGH_DATA.shown == "not enough data"
    assert [s.value for s in GoalStatus] == ["missed", "behind", "on track", "achieved",
                                             "cannot be measured"]
    assert {s for s in GoalStatus if s.off_track} == {GoalStatus.MISSED, GoalStatus.BEHIND}


def test_statuses_of_the_funnel_stages() -> None:
    statuses = {stage: Status.of_stage(stage) for stage in OPPORTUNITY_STAGES}
    assert statuses.pop("closed") == Status.CLOSED
    assert statuses.pop("lost") == Status.LOST
    assert set(statuses.values()) == {Status.OPEN}


def test_each_mark_marks_a_fact_type() -> None:
    assert {mark.subject for mark in Mark} <= set(FACT_TYPES)


@pytest.mark.parametrize(("days", "bucket"), [
    (-1, "overdue"), (0, "0-3 months"), (92, "0-3 months"), (93, "3-6 months"),
    (183, "3-6 months"), (184, "6-9 months"), (275, "6-9 months"), (276, "9-12 months"),
    (366, "9-12 months"), (367, "later"), (None, "no close date"),
])
def test_forecast_windows(days: int | None, bucket: str, rulebook: Rulebook) -> None:
    close = None if days is None else AS_OF + timedelta(days=days)
    deal = Opportunity(id="d", name="d", stage="intent", expected_close=close)
    assert forecast_bucket(deal, AS_OF, rulebook.stages) == bucket


_SIGNED_PAID_SHIPPED = {"contract_signed": True, "payment_received": True,
                        "goods_shipped": True}


@pytest.mark.parametrize(("stage", "bucket"), [("closed", "closed"), ("lost", "")])
def test_ended_deals_have_no_window(stage: str, bucket: str, rulebook: Rulebook) -> None:
    deal = Opportunity(id="d", name="d", stage=stage, expected_close=AS_OF,
                       evidence=_SIGNED_PAID_SHIPPED)
    assert forecast_bucket(deal, AS_OF, rulebook.stages) == bucket


@pytest.mark.parametrize("missing", ["contract_signed", "payment_received", "goods_shipped"])
@pytest.mark.parametrize("written", [False, None])
def test_a_deal_is_closed_only_when_signed_paid_and_shipped(
        missing: str, written: bool | None, rulebook: Rulebook) -> None:
    """Seed 004: 完成销售成交 = contract signed, paid as the contract says, goods shipped."""
    evidence = {key: ok for key, ok in _SIGNED_PAID_SHIPPED.items() if key != missing}
    if written is not None:
        evidence[missing] = written
    deal = Opportunity(id="d", name="d", stage="closed", expected_close=AS_OF,
                       evidence=evidence)
    assert forecast_bucket(deal, AS_OF, rulebook.stages) == \
        "closed, awaiting signature, payment or shipment"


def _with_waiver(review_accounts: Reviewer, until: date) -> Result:
    account = healthy_account()
    account["waivers"] = [{"rule": "risk.complacency", "reason": "Quarterly review booked",
                           "until": until.isoformat(), "by": "Zhou Lan"}]
    return review_accounts(account)


def test_waivers_ending_soon_boundary(review_accounts: Reviewer) -> None:
    last = AS_OF + timedelta(days=WAIVER_NOTICE_DAYS)
    assert expiring_waivers(_with_waiver(review_accounts, last))
    assert expiring_waivers(_with_waiver(review_accounts, AS_OF))
    assert not expiring_waivers(_with_waiver(review_accounts, last + timedelta(days=1)))


def test_show_hides_findings_below_the_severity(review_accounts: Reviewer) -> None:
    account = healthy_account()
    account["contacts"][1]["last_contact"] = "2025-01-01"  # risk.contact-neglected: low
    account["activities"] = [a for a in account["activities"]  # no later contact with them
                             if account["contacts"][1]["name"] not in a["with"]]
    result = review_accounts(account)
    assert "LOW    risk.contact-neglected" in as_text(result, Severity.LOW)
    assert "risk.contact-neglected" not in as_text(result, Severity.MEDIUM)
    assert "INFO   class.loyal" in as_text(result) and "class.loyal" not in as_text(
        result, Severity.LOW)


def test_no_severity_list_or_index_arithmetic_outside_the_vocabulary() -> None:
    spelled = re.compile(r"""["']high["'],\s*["']medium["']|\b(SEVERITIES|KIND_ORDER|KINDS)\b""")
    found = [f"{path.relative_to(PACKAGE)}:{number}"
             for path in sorted(PACKAGE.rglob("*.py")) if path.name != "vocabulary.py"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if spelled.search(line)]
    assert found == []
