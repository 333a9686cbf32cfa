"""Every action of every account's plan as a CSV file built with the site (actions.csv):
one row an action, in the files' order, with whether an open one is overdue as of the
review date, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

from kam_review.output.csv_export import ACTIONS_HEADERS, BOM, actions_csv, exports
from kam_review.review.results import Result
from kam_review.website.pages import render_pages

from .conftest import AS_OF, Reviewer, healthy_account


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(BOM) and text.endswith("\r\n")
    header, *rows = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""))
    assert tuple(header) == ACTIONS_HEADERS
    return [dict(zip(header, row, strict=True)) for row in rows]


def _account(actions: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    account = healthy_account() | fields
    account["plan"]["actions"] = actions
    return account


def test_every_action_of_the_sample_is_a_row(site_review: Result) -> None:
    text = actions_csv(site_review)
    assert text == actions_csv(site_review) == exports(site_review)["actions.csv"]
    assert render_pages(site_review)["actions.csv"] == text
    rows = _rows(text)
    plans = [(item.account, item.account.plan) for item in site_review.accounts]
    expected = [(account.id, action.what) for account, plan in plans if plan
                for action in plan.actions]
    assert [(row["Account id"], row["What"]) for row in rows] == expected
    assert {row["Status"] for row in rows} == {"open", "done", "dropped"}
    meet = next(row for row in rows if row["What"].startswith("Meet Zhu Hai"))
    assert meet == {
        "Account id": "guoneng-energy", "Account": "Guoneng Wind Power Services",
        "What": "Meet Zhu Hai on the 2027 offshore-farm plans and ask to meet his "
                "maintenance managers",
        "Owner": "Li Wei", "Due": "2026-08-31", "Status": "open", "Outcome": "",
        "Answers": "risk.single-threaded", "Overdue": "yes", "Done on": ""}
    visit = next(row for row in rows if row["What"].startswith("Visit the Nanjing flagship"))
    assert (visit["Status"], visit["Done on"]) == ("done", "2026-09-21")


def test_overdue_from_the_day_after_the_due_date(review_accounts: Reviewer) -> None:
    """Overdue as plan.action-overdue has it: an open action due before the review date;
    due on the day is not overdue, and a done one never is."""
    actions = [
        {"what": "Day before", "owner": "Li Wei", "due": "2026-09-29"},
        {"what": "On the day", "owner": "Li Wei", "due": "2026-09-30"},
        {"what": "Day after", "owner": "Li Wei", "due": "2026-10-01"},
        {"what": "Done late", "owner": "Li Wei", "due": "2026-09-01", "status": "done",
         "outcome": "Signed"},
        {"what": "Undated", "owner": "Li Wei", "status": "dropped", "outcome": "No budget"},
    ]
    result = review_accounts(_account(actions), as_of=AS_OF)
    assert str(AS_OF) == "2026-09-30"
    rows = _rows(actions_csv(result))
    assert [(r["What"], r["Due"], r["Status"], r["Overdue"]) for r in rows] == [
        ("Day before", "2026-09-29", "open", "yes"),
        ("On the day", "2026-09-30", "open", "no"),
        ("Day after", "2026-10-01", "open", "no"),
        ("Done late", "2026-09-01", "done", "no"),
        ("Undated", "", "dropped", "no")]
    assert rows[3]["Outcome"] == "Signed" and rows[4]["Outcome"] == "No budget"


def test_hostile_actions_stay_text_in_a_spreadsheet(review_accounts: Reviewer) -> None:
    actions = [{"what": '=HYPERLINK("http://evil","海尔")', "owner": "-Li Wei",
                "due": "2026-10-15", "outcome": "@SUM(A1)", "answers": "goal:1"}]
    result = review_accounts(_account(actions, name="+Haier José"))
    assert not result.errors, [str(e) for e in result.errors]
    (row,) = _rows(actions_csv(result))
    assert row["What"] == "'=HYPERLINK(\"http://evil\",\"海尔\")"
    assert row["Owner"] == "'-Li Wei" and row["Account"] == "'+Haier José"
    assert row["Outcome"] == "'@SUM(A1)" and row["Answers"] == "goal:1"


def test_a_portfolio_without_actions_is_the_header(review_accounts: Reviewer) -> None:
    result = review_accounts(_account([]))
    assert _rows(actions_csv(result)) == []
