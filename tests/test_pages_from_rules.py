"""The pages follow the rule files: a team's own class, focus cell, contact risk or deal check
is counted, shown and marked everywhere without a line of Python."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kam_review.review.evaluate import review, review_in_batches
from kam_review.review.explain import explain_all, explanations
from kam_review.review.results import Result
from kam_review.website.pages import render_pages

from .conftest import (
    AS_OF,
    RULES,
    Account,
    Reviewer,
    healthy_account,
    quarters,
    write_account,
)

TEAM_CLASS = """\
kind: class
rules:
  - id: class.strategic-partner
    title: Strategic partner
    precedence: 1
    severity: info
    source: ["003"]
    on: account
    when: customer_years >= 6
    message: "a customer for {customer_years:num} years"
    rationale: Six years and more of business together.
    action: Plan the next three years together with their management.
"""
TEAM_FOCUS = """\
kind: focus
rules:
  - id: focus.flagship
    title: Flagship
    precedence: 1
    severity: info
    source: ["001"]
    on: account
    when: attractiveness_score >= 4.5
    message: "attractiveness {attractiveness_score:num}"
    rationale: The most attractive accounts of all.
    action: Show them first at every trade fair.
"""
TEAM_RISKS = """\
kind: risk
rules:
  - id: risk.neutral-contact
    title: A contact sits on the fence
    severity: medium
    source: ["002"]
    on: contact
    marks: {contact-warning: undecided}
    when:
      all:
        - is_current == true
        - attitude == 'neutral'
    message: "{subject} is neutral"
    rationale: A neutral buying influence can be won by anyone.
    action: Find out what would win them over.
"""
TEAM_STAGES = """\
kind: stage
rules:
  - id: stage.big-deal
    title: A big deal
    severity: info
    source: ["004"]
    on: opportunity
    marks: {deal-at-risk: big <deal>}
    when: value >= 2000000
    message: "{name} is worth {value:money}"
    rationale: Big deals deserve a second look.
    action: Review it with the sales director.
"""


def _team_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    for name, text in (("team-classes", TEAM_CLASS), ("team-focus", TEAM_FOCUS),
                       ("team-risks", TEAM_RISKS), ("team-stages", TEAM_STAGES)):
        (rules / f"{name}.yaml").write_text(text, encoding="utf-8")
    return rules


def _accounts(tmp_path: Path, *accounts: Account) -> Path:
    folder = tmp_path / "accounts"
    folder.mkdir()
    for account in accounts:
        write_account(folder, account)
    return folder


def _younger() -> Account:
    """The healthy account as a customer of 4 years: loyal, not a strategic partner."""
    account = healthy_account()
    account["id"], account["name"], account["customer_since"] = "younger", "Younger", "2022-06-01"
    return account


def _glance(page: str, heading: str) -> list[tuple[str, str]]:
    """The rows of one table of the overview's "At a glance", e.g. Class: (label, count)."""
    table = page.split(f"| {heading} | Accounts |\n|---|---|\n", 1)[1].split("\n\n", 1)[0]
    return [tuple(cell.strip() for cell in row.strip("|").split("|"))  # type: ignore[misc]
            for row in table.splitlines()]


@pytest.fixture
def team_review(tmp_path: Path) -> Result:
    scores = healthy_account()
    scores["scores"]["attractiveness"] = dict.fromkeys(scores["scores"]["attractiveness"], 5)
    result = review(_accounts(tmp_path, scores, _younger()), _team_rules(tmp_path), AS_OF)
    assert not result.errors, [str(e) for e in result.errors]
    return result


def test_a_teams_class_and_focus_are_counted_in_rule_order(team_review: Result) -> None:
    assert team_review.account("test-account").klass == "strategic-partner"
    assert team_review.account("younger").klass == "loyal"
    overview = render_pages(team_review)["index.md"]
    # Classes and cells in the order their rules are tried (precedence, then id).
    assert _glance(overview, "Class") == [("strategic-partner", "1"), ("loyal", "1")]
    assert _glance(overview, "Focus") == [("flagship", "1"), ("key", "1")]
    owners = render_pages(team_review)["owners.md"]
    assert "| strategic-partner | flagship |" in owners


def test_a_teams_class_shows_on_the_account_page(team_review: Result) -> None:
    page = render_pages(team_review)["accounts/test-account.md"]
    assert "| Class | **strategic-partner**: Plan the next three years together" in page
    assert "| Focus | **flagship**: Show them first at every trade fair. |" in page
    assert "- [Strategic partner](../rules.md#class-strategic-partner): applies" in page
    assert "- [Loyal account](../rules.md#class-loyal): applies, but strategic-partner comes " \
           "first" in page
    # The rules' ids, in the technical detail only.
    assert "- `class.strategic-partner`: applies" in page


def test_a_teams_contact_risk_flags_the_contact(team_review: Result) -> None:
    page = render_pages(team_review)["accounts/test-account.md"]
    assert "Chen Jun ⚠" in page  # the buying-team grid
    assert "Zhang Min ⚠" not in page and "Wang Fang ⚠" not in page
    chen = next(line for line in page.splitlines() if line.startswith("| Chen Jun |"))
    assert "| undecided |" in chen  # the Warnings column
    assert "[A contact sits on the fence](rules.md#risk-neutral-contact)" in \
        render_pages(team_review)["risks.md"]


def test_a_teams_deal_mark_shows_in_the_funnel_escaped(team_review: Result) -> None:
    funnel = render_pages(team_review)["funnel.md"]
    rows = [line for line in funnel.splitlines() if "POS refresh" in line]
    assert len(rows) == 2 and all(row.endswith("| big &lt;deal&gt; |") for row in rows)


def test_every_mark_of_a_deal_shows(tmp_path: Path) -> None:
    """A deal both stuck and overdue carries both words (one of them used to be lost)."""
    account = healthy_account()
    account["opportunities"][0] |= {"stage_since": "2025-01-01", "expected_close": "2026-09-01"}
    result = review(_accounts(tmp_path, account), RULES, AS_OF)
    assert {f.rule for f in result.accounts[0].findings} >= {"stage.stale", "stage.overdue"}
    (row,) = [line for line in render_pages(result)["funnel.md"].splitlines()
              if "POS refresh" in line]
    assert row.endswith("| overdue, stale |")


def test_unmarked_rules_mark_nothing(tmp_path: Path) -> None:
    """Without `marks`, a contact risk is listed as a finding but flags no contact."""
    rules = _team_rules(tmp_path)
    team = rules / "team-risks.yaml"
    team.write_text(team.read_text(encoding="utf-8").replace(
        "    marks: {contact-warning: undecided}\n", ""), encoding="utf-8")
    result = review(_accounts(tmp_path, healthy_account()), rules, AS_OF)
    page = render_pages(result)["accounts/test-account.md"]
    assert "risk.neutral-contact" in page and "⚠" not in page


def test_a_result_of_kam_check_explains_like_any_other(tmp_path: Path) -> None:
    """One result shape: the batches `kam check` writes from hold the facts, and are explained
    and rendered exactly like a whole review."""
    folder = _accounts(tmp_path, healthy_account(), _younger())
    whole = review(folder, RULES, AS_OF)
    (batch,) = review_in_batches(folder, RULES, AS_OF)
    assert [a.facts for a in batch.accounts] == [a.facts for a in whole.accounts]
    assert explain_all(batch) == explain_all(whole)
    assert render_pages(batch) == render_pages(whole)


def test_explanations_judge_each_comparison(tmp_path: Path) -> None:
    result = review(_accounts(tmp_path, _younger()), RULES, AS_OF)
    item = result.accounts[0]
    explained = {e.rule: e for e in explanations(item, result.rulebook)}
    assert list(explained) == [r.id for r in result.rulebook.rules if r.kind.assigns]
    loyal, fast = explained["class.loyal"], explained["class.fast-growing"]
    assert loyal.fired and all(check.held for check in loyal.checks)
    assert not fast.fired and [c.held for c in fast.checks] == [False, False]
    growth, _ = fast.checks
    assert growth.text == "growth_yearly >= $fast_growing_min_growth"
    assert re.fullmatch(r"0\.\d+", str(dict(growth.values)["growth_yearly"]))


def test_why_this_class_writes_money_in_the_account_s_currency(
        review_accounts: Reviewer) -> None:
    """The reasoning behind the class names each figure as the rest of the page does: in
    the account's own currency, not as a bare number."""
    account = healthy_account() | {"currency": "USD"}
    result = review_accounts(account)
    page = render_pages(result)["accounts/test-account.md"]
    line = next(line for line in page.splitlines() if "lifetime revenue:" in line)
    assert "lifetime revenue: $" in line and "needs more than $0" in line, line


@pytest.mark.parametrize(("rows", "start", "mark"), [
    # Two years on file: a year against a year, no mark.
    ([1_000_000] * 4 + [1_100_000] * 4, "2024-Q4", None),
    # Five quarters: only the last has its quarter a year before on file.
    ([1_000_000] + [1_100_000] * 4, "2025-Q3", "(1 of 4 quarters)"),
    # Four quarters: no quarter a year before, the trend of the four.
    ([1_000_000] * 2 + [1_100_000] * 2, "2025-Q4", "(trend)"),
])
def test_the_overview_says_what_each_growth_is_read_from(
        review_accounts: Reviewer, rows: list[int], start: str, mark: str | None) -> None:
    """Growth over a year is read from fewer quarters on a short history: the overview's
    cell says from what, and the line under the table says what the marks mean."""
    account = healthy_account() | {"financials": quarters(start, rows)}
    page = render_pages(review_accounts(account))["index.md"]
    accounts = page.split("\n## Accounts\n", 1)[1].split("\n## ", 1)[0]
    (row,) = [line for line in accounts.splitlines() if line.startswith("| [Test Account Ltd]")]
    cell = row.split(" | ")[6]
    assert cell.endswith("</span>" if mark is None else f"</span> {mark}"), cell
    assert "Growth over a year is the last 4 quarters against the 4 before;" in page


def test_an_unknown_gross_profit_is_not_ranked_as_zero(review_accounts: Reviewer) -> None:
    """An account whose cost is not on file has no gross profit to rank: the Pareto of gross
    profit leaves it out and names it, as the one of revenue does an unknown revenue."""
    costed = healthy_account()
    uncosted = healthy_account() | {"id": "no-cost", "name": "No Cost Ltd"}
    uncosted["financials"] = [{k: v for k, v in row.items() if k != "cost"}
                              for row in uncosted["financials"]]
    page = render_pages(review_accounts(costed, uncosted))["index.md"]
    assert ("Not ranked by gross profit, their cost of the last 4 quarters unknown: "
            "No Cost Ltd.") in page
    charts = page.split("## Pareto (ABC) analysis", 1)[1].split("\n## ", 1)[0]
    revenue, profit = charts.split("Gross profit, last 4 quarters", 1)
    assert "No Cost Ltd" in revenue and "No Cost Ltd" not in profit
    assert "Test Account Ltd" in profit


def test_the_trend_is_titled_by_the_quarters_it_shows(review_accounts: Reviewer) -> None:
    """A short history draws fewer than 8 quarters, and its chart says how many."""
    short = healthy_account() | {"financials": quarters("2026-Q1", [100_000] * 3),
                                 "customer_since": "2026-01-05"}
    page = render_pages(review_accounts(short))["accounts/test-account.md"]
    assert 'aria-label="Revenue, last 3 quarters: ' in page
    assert "last 8 quarters" not in page
