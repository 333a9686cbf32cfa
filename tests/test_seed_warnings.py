"""Warnings written straight from the seeds' own words: each case quotes the seed beside the
finding it expects, on the healthy account with the one thing the quote is about changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import Account, quarters, variant

_MINEFIELD = ("只要有一个或一个以上的买者身份不明晰，或者从未拜访过，"
              "销售人员就极有可能陷入销售雷区 (if even one buyer is unidentified or was never "
              "visited, the seller is in a minefield)")
_KEY_PEOPLE = ("关键人员的人事变动是最常见的失败原因。……这些问题通常是双向的。 (a change of key "
               "people is the most common cause of failure; these problems usually go both ways)")
_SENIOR = "你是否可以接近高层管理人员和总监等? (can you reach senior management and directors?)"
_VISITS = "每月（每周）拜访次数 (visits per month, or per week)"
_CLOSED = ("完成销售成交:指客户与我们完成合同签定并依合同支付了相应款项,产品发货 (closed: the "
           "contract is signed, paid as it says, and the goods shipped)")
_INITIATED = ("符合立项的项目资格的特征: 客户已有初步的项目预算 "
              "(a project initiated has an initial budget, among its characteristics)")
_COMPETE = "第二步：是不是存在竞争 (step two: is there competition?)"
_SUNSET = ("你的地位如日落西山,因为他们不再需要你的服务了 (your position is setting like the sun: "
           "they no longer need your service)")


@dataclass(frozen=True)
class Case:
    seed: str
    quote: str
    story: str
    change: Callable[[Account], Any]
    rule: str
    subjects: tuple[str, ...]  # the findings expected: () when the rule stays silent


def _deal(**fields: Any) -> Callable[[Account], None]:
    def change(account: Account) -> None:
        deal = account["opportunities"][0]
        for name, value in fields.items():
            if name == "evidence":
                deal["evidence"] |= value
            else:
                deal[name] = value

    return change


def _contact(index: int, **fields: Any) -> Callable[[Account], None]:
    def change(account: Account) -> None:
        account["contacts"][index] |= fields

    return change


def _activities(*rows: tuple[str, str]) -> Callable[[Account], None]:
    def change(account: Account) -> None:
        account["activities"] = [{"date": day, "kind": kind} for day, kind in rows]

    return change


def _both(*changes: Callable[[Account], Any]) -> Callable[[Account], None]:
    def change(account: Account) -> None:
        for one in changes:
            one(account)

    return change


def _never_met_user(account: Account) -> None:
    account["contacts"].append({"name": "Zhao Ling", "title": "Cashier Team Lead",
                                "level": "staff", "roles": ["user"]})


def _owner_changed(account: Account) -> None:
    account["owner_history"] = [{"name": "Zhou Lan", "from": "2019-06-01", "to": "2026-08-31"}]


def _stopped_buying(account: Account) -> None:
    account["financials"] = quarters("2025-Q3", [900_000, 950_000, 1_000_000, 0, 0])


_SIGNED_SHIPPED = {"contract_signed": True, "goods_shipped": True}
_STAGE_4 = dict.fromkeys(("company_recognised", "project_need", "initial_budget",
                          "leadership_backing", "timeline_set", "third_parties_involved",
                          "our_team_set_up"), True)

CASES = [
    Case("001", _KEY_PEOPLE, "our own account manager took over a month ago", _owner_changed,
         "risk.key-contact-left", ("Li Wei",)),
    Case("001", _KEY_PEOPLE, "the customer's procurement director left",
         _contact(2, left_on="2026-09-15"), "risk.key-contact-left", ("Chen Jun",)),
    Case("001", _SENIOR, "no executive, but a procurement director", _contact(0, level="manager"),
         "risk.no-executive-access", ()),
    Case("001", _SENIOR, "neither an executive nor a director",
         _both(_contact(0, level="staff"), _contact(2, level="manager")),
         "risk.no-executive-access", ("",)),
    Case("002", _MINEFIELD, "nobody is the technical gatekeeper",
         _contact(1, roles=["user", "coach"]), "risk.buying-role-gap", ("",)),
    Case("002", _MINEFIELD, "a user on file whom nobody ever visited", _never_met_user,
         "risk.buying-role-gap", ("",)),
    Case("002", _VISITS, "an e-mail every week, a call a month, no visit",
         _activities(*[(f"2026-{m:02}-{d:02}", "email") for m in (7, 8, 9) for d in (3, 17)],
                     ("2026-09-20", "call")),
         "risk.complacency", ("",)),
    Case("002", _VISITS, "a visit or meeting every month",
         _activities(("2026-07-08", "visit"), ("2026-08-12", "meeting"), ("2026-09-09", "visit")),
         "risk.complacency", ()),
    Case("004", _CLOSED, "closed: signed and shipped, not yet paid",
         _deal(stage="closed", evidence=_SIGNED_SHIPPED | {"payment_received": False}),
         "stage.closed-unpaid", ("pos-refresh",)),
    Case("004", _CLOSED, "closed: signed, paid and shipped",
         _deal(stage="closed", evidence=_SIGNED_SHIPPED | {"payment_received": True}),
         "stage.closed-unpaid", ()),
    Case("004", _INITIATED, "placed at project initiated, no project budget yet",
         _deal(stage="initiated", evidence=_STAGE_4 | {"initial_budget": False}),
         "stage.skipped-evidence", ("pos-refresh",)),
    Case("004", _INITIATED, "at confirmed intent, already showing all of project initiation",
         _deal(evidence=_STAGE_4), "stage.ready-to-advance", ("pos-refresh",)),
    Case("002", _COMPETE, "a sole-source deal: no competition, so we can compete",
         _deal(qualification={"real": "yes", "can_compete": "yes", "win": "yes",
                              "worth": "yes"}), "stage.unqualified", ()),
    Case("002", _COMPETE, "the incumbent has the deal locked: we cannot compete",
         _deal(qualification={"real": "yes", "can_compete": "no", "win": "yes",
                              "worth": "yes"}), "stage.unqualified", ("pos-refresh",)),
    Case("001", _SUNSET, "five quarters on file, the last two written 0", _stopped_buying,
         "risk.declining-revenue", ("",)),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.seed}-{c.rule}-{c.story}")
                                  for c in CASES])
def test_the_seed_says(case: Case, review_one: Any) -> None:
    result = review_one(variant(case.change))
    found = tuple(f.subject for f in result.findings if f.rule == case.rule)
    assert found == case.subjects, f"seed {case.seed}: {case.quote}"
