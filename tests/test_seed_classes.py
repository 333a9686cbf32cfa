"""Every account gets the class the seed would give it (issue 11, item 2).

Each case is a small account written from the seeds' own words, with the seed's quote beside
the class it must get: seed 003's four classes (IBM: 忠诚型, 快速增长型, 睡眠型, 值得培养) and
seed 004's new customers (不断变化的新客户). The review date is 2026-09-30; its last complete
quarter is 2026-Q3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kam_review.review.evaluate import evaluate
from kam_review.review.explain import class_needs, explain_all, verdict
from kam_review.review.results import Result
from kam_review.rulebook.loading import load_rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.vocabulary import Kind
from kam_review.website.pages.account import account_page

from .conftest import AS_OF, RULES, Account, quarters, write_account

LOYAL = "忠诚型客户:对公司产品忠诚,但是销售成长不大。(seed 003)"
FAST = "快速增长型客户:销售增长非常快。(seed 003)"
INDUSTRY = ("行业对明年预测表明:明年行业销售平均增长为18%。IBM明年的销售计划不能低于18%,一般按25%为"
            "基础做计划,以便确保明年的市场份额。(seed 003: 25% is the plan to keep one's share, "
            "not fast growth)")
DORMANT = "睡眠型客户:曾经是公司的客户,但是现在没有新的业务和增长。(seed 003)"
NURTURE = "值得培养和重视的客户。对策:积极跟进,确保将信息和服务及时通告对方。(seed 003)"
SMALL = "重要客户的五个类型 … 第四类:有成长潜力的小客户。(seed 004)"
NEW = ("第五类:不断变化的新客户 … 不能为了一个还不定性的新客户大量投入资源去维护,也不能忽视很可能"
       "成长起来的新客户。(seed 004)")


def _account(name: str, revenue: list[float], first: str, **fields: Any) -> Account:
    """A key account with quarterly revenue from quarter `first` on; nothing else is needed
    to classify it."""
    return {"id": name, "name": name.replace("-", " ").title(), "owner": "Li Wei",
            "financials": quarters(first, revenue),
            "market": {"industry_growth": 0.05, "wallet": 20_000_000}} | fields


def _deal(stage_since: str, expected_close: str) -> dict[str, Any]:
    return {"id": "next-phase", "name": "Next phase", "stage": "negotiation",
            "stage_since": stage_since, "expected_close": expected_close, "value": 900_000,
            "probability": 0.6}


def _without(account: Account, *quarter_names: str) -> Account:
    account["financials"] = [r for r in account["financials"]
                             if r["quarter"] not in quarter_names]
    return account


@dataclass(frozen=True)
class Case:
    quote: str
    expected: str  # the class as the pages show it
    account: Account


CASES = [
    Case(LOYAL, "loyal", _account(
        "loyal-flat-ten-quarters", [800_000, 820_000, 790_000, 810_000, 800_000, 830_000,
                                    805_000, 815_000, 810_000, 820_000], "2024-Q2",
        customer_since="2018-03-01")),
    Case(LOYAL, "loyal", _account(
        "loyal-flat-eight-quarters-no-start-date", [500_000] * 8, "2024-Q4")),
    Case(FAST, "fast-growing", _account(
        "fast-six-quarters-tenfold", [100_000, 150_000, 300_000, 500_000, 800_000, 1_000_000],
        "2025-Q2", customer_since="2025-04-10")),
    Case(FAST, "fast-growing", _account(
        "fast-six-quarters-tenfold-no-start-date",
        [100_000, 150_000, 300_000, 500_000, 800_000, 1_000_000], "2025-Q2")),
    Case(f"{FAST} {INDUSTRY}", "fast-growing", _account(
        "fast-well-above-industry", [1_000_000] * 4 + [1_450_000] * 4, "2024-Q4",
        customer_since="2020-01-01", market={"industry_growth": 0.18, "wallet": 20_000_000})),
    Case(INDUSTRY, "nurture", _account(
        "growing-at-the-planning-base", [1_000_000] * 4 + [1_250_000] * 4, "2024-Q4",
        customer_since="2020-01-01", market={"industry_growth": 0.18, "wallet": 20_000_000})),
    Case(INDUSTRY, "nurture", _account(
        "high-growth-below-industry-plus-margin", [1_000_000] * 4 + [1_320_000] * 4,
        "2024-Q4", customer_since="2020-01-01",
        market={"industry_growth": 0.18, "wallet": 20_000_000})),
    Case(DORMANT, "dormant", _account(
        "stopped-with-a-parked-deal", [900_000] * 6 + [0, 0], "2024-Q4",
        customer_since="2019-01-01", opportunities=[_deal("2026-02-01", "2026-12-31")])),
    Case(DORMANT, "dormant", _account(
        "stopped-with-an-overdue-deal", [900_000] * 6 + [0, 0], "2024-Q4",
        customer_since="2019-01-01", opportunities=[_deal("2026-09-01", "2026-08-31")])),
    Case(DORMANT, "dormant", _account(
        "dormant-on-five-quarters", [600_000, 700_000, 650_000, 0, 0], "2025-Q3",
        customer_since="2025-06-15")),
    Case(DORMANT, "dormant", _account(
        "almost-nothing-lately", [900_000] * 6 + [40_000, 30_000], "2024-Q4",
        customer_since="2019-01-01")),
    Case(NEW, "nurture: new account", _account(
        "new-this-year", [150_000, 300_000], "2026-Q2", customer_since="2026-03-01")),
    Case(NEW, "nurture: new account", _account(
        "new-and-growing-fast", [50_000, 200_000, 600_000], "2026-Q1",
        customer_since="2025-12-01")),
    Case(NEW, "nurture: new account", _account(
        "new-by-its-first-quarter", [0, 0, 120_000, 150_000, 180_000, 240_000], "2025-Q2")),
    Case(f"{NURTURE} {SMALL}", "nurture", _account(
        "small-but-growing", [100_000, 104_000, 108_000, 112_000, 116_000, 120_000,
                              124_000], "2025-Q1", customer_since="2024-12-01",
        market={"industry_growth": 0.05, "wallet": 5_000_000})),
    Case(f"{NURTURE} A live deal is new business: the account is not dormant.", "nurture",
         _account("stopped-with-a-live-deal", [900_000] * 6 + [0, 0], "2024-Q4",
                  customer_since="2019-01-01",
                  opportunities=[_deal("2026-08-15", "2026-12-31")])),
    # A quarter without a row is unknown, not a quarter without sales.
    Case(LOYAL, "loyal", _without(_account(
        "loyal-with-a-gap", [800_000] * 8, "2024-Q4", customer_since="2018-03-01"),
        "2026-Q2")),
    Case(LOYAL, "loyal", _without(_account(
        "loyal-with-a-gap-a-year-back", [800_000] * 8, "2024-Q4",
        customer_since="2018-03-01"), "2025-Q3")),
]


@dataclass(frozen=True)
class Undecided:
    account: Account
    needs: str  # what the page says would decide the class


UNDECIDED = [
    # Stale: the last two quarters have no row. Not dormant: nobody knows what it bought.
    Undecided(_without(_account("stale-two-quarters", [800_000] * 8, "2024-Q4",
                                customer_since="2018-03-01"), "2026-Q2", "2026-Q3"),
              "needs revenue of 2026-Q2, 2026-Q3 to measure its growth over a year."),
    # A long-standing customer whose figures only started to be kept.
    Undecided(_account("three-quarters-on-file", [800_000] * 3, "2026-Q1",
                       customer_since="2018-03-01"),
              "needs 1 more quarter of revenue (a yearly trend needs 4, 3 on file) to "
              "measure its growth over a year."),
]


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Result:
    folder = tmp_path_factory.mktemp("seed-classes")
    for case in CASES:
        write_account(folder, case.account)
    for undecided in UNDECIDED:
        write_account(folder, undecided.account)
    result = evaluate(load_portfolio(folder), load_rulebook(RULES), AS_OF)
    assert not result.errors, [str(e) for e in result.errors]
    return result


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.account["id"])
def test_the_seed_decides_the_class(case: Case, portfolio: Result) -> None:
    item = portfolio.account(case.account["id"])
    assert portfolio.class_shown(item) == case.expected, case.quote


@pytest.mark.parametrize("undecided", UNDECIDED, ids=lambda u: u.account["id"])
def test_unclassified_only_where_the_data_cannot_decide(undecided: Undecided,
                                                        portfolio: Result) -> None:
    explained = dict(zip((a.account.id for a in portfolio.accounts), explain_all(portfolio),
                         strict=True))
    item = portfolio.account(undecided.account["id"])
    assert item.klass == "unclassified"
    needs = class_needs(item, explained[item.account.id], portfolio.rulebook)
    assert needs is not None and f"{needs}." == undecided.needs
    page = account_page(item, portfolio, explained[item.account.id])
    assert "**Unclassified**: the data cannot decide the class yet; it " + undecided.needs \
        in page


def test_a_stale_account_gets_a_data_finding_not_a_revenue_alarm(portfolio: Result) -> None:
    item = portfolio.account("stale-two-quarters")
    rules = {f.rule for f in item.findings}
    assert "data.stale" in rules
    assert not rules & {"class.dormant", "risk.declining-revenue"}


def test_the_new_account_strategy_is_seed_004s(portfolio: Result) -> None:
    item = portfolio.account("new-and-growing-fast")
    rule = portfolio.rulebook.rule(item.assigned_by(Kind.CLASS) or "")
    assert rule.id == "class.nurture-new"
    assert "Neither over-invest nor ignore" in rule.action
    explained = explain_all(portfolio)[portfolio.accounts.index(item)]
    page = account_page(item, portfolio, explained)
    assert f"**nurture: new account**: {rule.action}" in page


def test_cases_cover_every_class(portfolio: Result) -> None:
    shown = {case.expected for case in CASES}
    assert shown == {"loyal", "fast-growing", "nurture", "dormant", "nurture: new account"}


def test_a_label_two_rules_give_is_counted_once_where_its_own_rule_stands(
        portfolio: Result) -> None:
    rulebook = portfolio.rulebook
    assert [r.id for r in rulebook.by_kind(Kind.CLASS)] == [
        "class.dormant", "class.nurture-new", "class.fast-growing", "class.loyal",
        "class.nurture"]
    assert rulebook.labels(Kind.CLASS) == ["dormant", "fast-growing", "loyal", "nurture"]
    assert rulebook.rule("class.nurture-new").label == "nurture"


def test_only_the_rule_that_assigns_the_class_speaks(portfolio: Result) -> None:
    item = portfolio.account("new-by-its-first-quarter")
    assert [f.rule for f in item.findings if f.kind == Kind.CLASS] == ["class.nurture-new"]
    explained = explain_all(portfolio)[portfolio.accounts.index(item)]
    verdicts = {e.rule: verdict(e, item, portfolio.rulebook) for e in explained}
    assert verdicts["class.nurture-new"] == "applies"
    # Growing fast and worth nurturing too, but a new account first.
    assert verdicts["class.fast-growing"] == "applies, but nurture: new account comes first"
    assert verdicts["class.nurture"] == "applies, but nurture: new account comes first"
