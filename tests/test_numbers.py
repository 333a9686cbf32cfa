"""Figures are never altered for the rule engine: billions and tiny ratios are shown as the
file gives them, in `kam check` and on the pages, and boundaries a rule states are met
exactly. (The engine adapter's own handling of numbers is tested in test_engine.py.)"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.formatting import money, number, pct
from kam_review.rulebook.facts import account_facts
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.source.accounts import load_portfolio

from .conftest import AS_OF, RULES, Account, healthy_account, quarters, write_account


def _account(account_id: str, revenues: list[float], **changes: Any) -> Account:
    account = healthy_account() | {"id": account_id, **changes}
    account["financials"] = quarters("2024-Q4", revenues)
    return account


# 600 million a quarter, one quarter written with a fraction: a 2.4 billion year.
BIG = _account("big-year", [400_000_000] * 4 + [600_000_000, 600_000_000.5, 600_000_000,
                                                600_000_000])
HUGE = _account("huge-year", [100_000_000_000_000.0] * 4 + [250_000_000_000_000.0] * 4)
# A new customer with a share of wallet of 0.003% and growth of 0.003% year on year.
TINY = _account("tiny-share", [750_000] * 7 + [750_090], customer_since="2025-06-01",
                market={"industry_growth": 0.05, "wallet": 100_003_000_000})


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    for account in (BIG, HUGE, TINY):
        write_account(accounts, account)
    return accounts


def _messages(folder: Path) -> dict[str, list[str]]:
    result = CliRunner().invoke(main, ["check", "--accounts", str(folder), "--rules", str(RULES),
                                       "--as-of", str(AS_OF), "--format", "json"])
    assert result.exit_code == 0, result.output
    return {a["id"]: [f["message"] for f in a["findings"]]
            for a in json.loads(result.stdout)["accounts"]}


def test_billions_and_tiny_ratios_are_exact_in_the_facts(folder: Path,
                                                         rulebook: Rulebook) -> None:
    facts = {a.id: account_facts(a, AS_OF, rulebook)[0]
             for a in load_portfolio(folder).accounts}
    assert facts["big-year"]["revenue_ttm"] == 2_400_000_000.5
    assert facts["big-year"]["growth_yoy"] == float(Fraction(800_000_000.5) / 1_600_000_000)
    assert facts["huge-year"]["revenue_ttm"] == 1e15
    assert facts["huge-year"]["lifetime_revenue"] == 1.4e15
    assert facts["tiny-share"]["share_of_wallet"] == 0.00003
    assert facts["tiny-share"]["growth_yoy"] == 0.00003


def test_billions_and_tiny_ratios_are_shown_in_check_output(folder: Path) -> None:
    messages = _messages(folder)
    assert "revenue of the last 4 quarters CN¥2.4B, +50% over a year (the last 4 quarters " \
        "against the 4 before; 8 quarters), +45 pp above the industry's 5% (fast-growing " \
        "from +15 pp above, and at least 20%)" in messages["big-year"]
    assert "revenue of the last 4 quarters CN¥1000T, +150% over a year (the last 4 " \
        "quarters against the 4 before; 8 quarters), +145 pp above the industry's 5% " \
        "(fast-growing from +15 pp above, and at least 20%)" in messages["huge-year"]
    assert "buying from us for 1.33 years; share of wallet 0.003%; revenue +0.003% over a year" \
        in messages["tiny-share"]


def test_billions_and_tiny_ratios_are_shown_on_the_account_pages(folder: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "pages"
    result = CliRunner().invoke(main, ["build", str(out), "--accounts", str(folder),
                                       "--rules", str(RULES), "--as-of", str(AS_OF)])
    assert result.exit_code == 0, result.output
    page = (out / "accounts" / "big-year.md").read_text(encoding="utf-8")
    assert "| Revenue, last 4 quarters | CN¥2.4B (+50% over a year) |" in page
    assert "| 2026-Q2 | CN¥600M |" in page
    page = (out / "accounts" / "huge-year.md").read_text(encoding="utf-8")
    assert "| Revenue, last 4 quarters | CN¥1000T (+150% over a year) |" in page
    page = (out / "accounts" / "tiny-share.md").read_text(encoding="utf-8")
    assert "| Share of wallet | 0.003% |" in page
    assert "(+0.003% over a year)" in page


def test_a_boundary_a_rule_states_is_met_exactly(review_one: Any) -> None:
    # Margins of 34.3% and 37.3%: exactly 3 points less. (0.343 - 0.373) * 100 in floats is
    # -2.9999999999999973, which `margin_change_pts <= -3` would miss.
    account = healthy_account()
    account["financials"] = [
        {**row, "revenue": 1_000_000, "cost": 627_000 if i < 4 else 657_000}
        for i, row in enumerate(quarters("2024-Q4", [0] * 8))]
    result = review_one(account)
    (finding,) = [f for f in result.findings if f.rule == "risk.margin-erosion"]
    assert finding.message == ("gross margin 34.3% over the last 4 quarters against 37.3% "
                               "the 4 before (-3 pp)")
    # Growth of exactly 20%, exactly 15 points above the industry's 5%, is fast-growing.
    account["financials"] = quarters("2024-Q4", [1_000_000] * 4 + [1_200_000] * 4)
    assert review_one(account).klass == "fast-growing"


def test_thresholds_of_any_plain_size_reach_the_engine(tmp_path: Path) -> None:
    """1e-05 and 1e+16 used to be refused because durable-rules rejects them; the adapter
    now passes every number it places, so only numbers beyond a float are refused."""
    overrides = tmp_path / "thresholds.yaml"
    overrides.write_text("thresholds:\n  fast_growing_min_growth: 0.00001\n"
                         "  fast_growing_min_lead_pts: -10\n"
                         "  nurture_max_share_of_wallet: 0.00004\n", encoding="utf-8")
    rulebook = load_rulebook(RULES, overrides)
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    write_account(accounts, TINY)
    result = CliRunner().invoke(main, ["check", "--accounts", str(accounts), "--rules",
                                       str(RULES), "--thresholds", str(overrides),
                                       "--as-of", str(AS_OF), "--format", "json"])
    assert result.exit_code == 0, result.output
    (account,) = json.loads(result.stdout)["accounts"]
    assert account["class"] == "fast-growing"
    assert "revenue of the last 4 quarters CN¥3M, +0.003% over a year (the last 4 quarters " \
        "against the 4 before; 8 quarters), -5 pp above the industry's 5% (fast-growing " \
        "from -10 pp above, and at least 0.001%)" in [f["message"] for f in
                                                          account["findings"]]
    assert rulebook.thresholds["nurture_max_share_of_wallet"].value == 0.00004


def test_a_threshold_beyond_a_float_is_one_error(tmp_path: Path) -> None:
    overrides = tmp_path / "thresholds.yaml"
    overrides.write_text("thresholds:\n  stage_stale_days: 1" + "0" * 400 + "\n",
                         encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--rules", str(RULES), "--thresholds",
                                       str(overrides), "--as-of", str(AS_OF)])
    assert result.exit_code == 2
    assert "thresholds.yaml:2:1: thresholds.stage_stale_days: 1" in result.output
    assert "is beyond the largest number kam-review computes with" in result.output


@pytest.mark.parametrize(("value", "shown"), [
    (2_400_000_000.5, "2.4B"), (1e15, "1000T"), (600_000_000.5, "600M"), (-2.5e12, "-2.5T"),
    (0.4, "0"),
])
def test_money(value: float, shown: str) -> None:
    assert money(value) == shown


@pytest.mark.parametrize(("value", "signed", "shown"), [
    (0.00003, False, "0.003%"), (0.00003, True, "+0.003%"), (-0.00003, True, "-0.003%"),
    (0.0005, False, "0.1%"), (0.000499, False, "0.05%"), (0.0, True, "+0%"), (-0.0, False, "0%"),
    (0.183, False, "18.3%"), (1e-300, False, "1.0E-298%"), (12.5, True, "+1,250%"),
])
def test_percentages_never_show_a_nonzero_ratio_as_zero(value: float, signed: bool,
                                                        shown: str) -> None:
    assert pct(value, signed) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (0.00003, "0.00003"), (0.004, "0.004"), (0.005, "0.01"), (2.345, "2.35"), (-0.0, "0"),
    (2_400_000_000.5, "2,400,000,000.5"), (7, "7"), (5e-324, "4.9E-324"),
])
def test_plain_numbers(value: float, shown: str) -> None:
    assert number(value) == shown
