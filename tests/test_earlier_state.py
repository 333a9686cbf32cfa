"""An account as its file stood on an earlier day: what the file dates after the day is left
out or taken back, the day itself counts, and what the file does not date stays."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kam_review.rulebook.dated_after import dates_after
from kam_review.source.accounts import load_portfolio
from kam_review.source.earlier_state import account_on, stage_unknown
from kam_review.source.model import Account

from .conftest import healthy_account, quarters, write_account

DAY = date(2026, 6, 30)


def _loaded(tmp_path: Path, change: object = None) -> Account:
    account = healthy_account()
    if callable(change):
        change(account)
    write_account(tmp_path, account)
    (loaded,) = load_portfolio(tmp_path).accounts
    return loaded


def test_quarters_activities_and_complaints_after_the_day_are_left_out(tmp_path: Path) -> None:
    def dated(account: dict[str, object]) -> None:
        account["activities"] = [
            {"date": "2026-06-29", "kind": "visit", "with": ["Zhang Min"]},
            {"date": "2026-06-30", "kind": "call", "with": ["Wang Fang"]},
            {"date": "2026-07-01", "kind": "visit", "with": ["Chen Jun"]}]
        account["complaints"] = [
            {"date": "2026-06-30", "topic": "quality", "resolved_on": "2026-06-30"},
            {"date": "2026-06-01", "topic": "quality", "resolved_on": "2026-07-01"},
            {"date": "2026-07-01", "topic": "delivery"}]

    then = account_on(_loaded(tmp_path, dated), DAY)
    assert then is not None
    # 2024-Q4 to 2026-Q2 on file that day; 2026-Q3 (ending 2026-09-30) is left out.
    assert [str(row.quarter) for row in then.financials][-1] == "2026-Q2"
    assert len(then.financials) == 7
    assert [a.date for a in then.activities] == [date(2026, 6, 29), DAY]
    # Resolved on the day: resolved then; resolved the day after: still open then.
    assert [(c.date, c.resolved_on) for c in then.complaints] == [
        (DAY, DAY), (date(2026, 6, 1), None)]


def test_without_figures_customer_since_decides_whether_it_was_an_account() -> None:
    account = Account("a", "A", "Li Wei", (), Path("a.yaml"))
    assert account_on(account, DAY) is None  # no figures and no customer_since: not yet
    assert account_on(replace(account, customer_since=DAY), DAY) is not None
    assert account_on(replace(account, customer_since=date(2026, 7, 1)), DAY) is None


@pytest.mark.parametrize(("left_on", "left_then"), [
    ("2026-06-30", date(2026, 6, 30)), ("2026-07-01", None)])
def test_a_contact_who_left_after_the_day_was_still_there(
        tmp_path: Path, left_on: str, left_then: date | None) -> None:
    def leaves(account: dict[str, object]) -> None:
        account["contacts"][2]["left_on"] = left_on  # type: ignore[index]

    then = account_on(_loaded(tmp_path, leaves), DAY)
    assert then is not None and then.contacts[2].left_on == left_then


def test_a_last_contact_after_the_day_becomes_the_last_activity_with_them_before_it(
        tmp_path: Path) -> None:
    def met(account: dict[str, object]) -> None:
        account["contacts"][0]["last_contact"] = "2026-09-01"  # type: ignore[index]
        account["contacts"][1]["last_contact"] = "2026-09-10"  # type: ignore[index]
        account["contacts"][2]["last_contact"] = "2026-06-30"  # type: ignore[index]
        account["activities"] = [
            {"date": "2026-05-12", "kind": "visit", "with": ["ZHANG  MIN"]},
            {"date": "2026-07-15", "kind": "meeting", "with": ["Zhang Min"]}]

    then = account_on(_loaded(tmp_path, met), DAY)
    assert then is not None
    # Met on 2026-05-12 (the name as names compare it); never met by the day: unknown; the
    # day itself is kept.
    assert [c.last_contact for c in then.contacts] == [date(2026, 5, 12), None, DAY]


def test_an_owner_who_took_over_after_the_day_was_not_the_owner_then(tmp_path: Path) -> None:
    def handed(account: dict[str, object]) -> None:
        account["owner_history"] = [
            {"name": "Sun Yue", "from": "2022-01-01", "to": "2025-03-31"},
            {"name": "Zhao Lei", "from": "2025-04-01", "to": "2026-07-31"}]

    now = _loaded(tmp_path, handed)
    then = account_on(now, DAY)
    assert then is not None
    assert (now.owner, then.owner) == ("Li Wei", "Zhao Lei")
    assert [h.name for h in then.owner_history] == ["Sun Yue"]
    # Handed over on the day itself: the new owner held it that day.
    assert account_on(now, date(2026, 7, 31)).owner == "Li Wei"  # type: ignore[union-attr]


@pytest.mark.parametrize(("since", "unknown"), [("2026-06-30", False), ("2026-07-01", True)])
def test_a_deal_that_reached_its_stage_after_the_day_keeps_it_without_its_date(
        tmp_path: Path, since: str, unknown: bool) -> None:
    def moved(account: dict[str, object]) -> None:
        account["opportunities"][0]["stage_since"] = since  # type: ignore[index]

    now = _loaded(tmp_path, moved)
    then = account_on(now, DAY)
    assert then is not None
    deal = then.opportunities[0]
    assert stage_unknown(now.opportunities[0], DAY) is unknown
    assert deal.stage == now.opportunities[0].stage
    assert deal.stage_since == (None if unknown else DAY)
    # What the file does not date stays: value, probability, close date.
    assert (deal.value, deal.probability, deal.expected_close) == (
        now.opportunities[0].value, now.opportunities[0].probability,
        now.opportunities[0].expected_close)


def test_a_deal_lost_after_the_day_without_a_history_keeps_its_stage_not_its_day(
        tmp_path: Path) -> None:
    """Lost on 2026-08-20, with no stage history: the files do not say its stage on the day,
    nor was it lost by then; what they date later (its lost_on) is not there, so a review
    rebuilt as of the day finds no date after it (data.after-review-date)."""
    def lost(account: dict[str, object]) -> None:
        account["opportunities"][0].update(  # type: ignore[index]
            stage="lost", stage_since="2026-08-20", lost_on="2026-08-20", loss_reason="price")

    now = _loaded(tmp_path, lost)
    then = account_on(now, DAY)
    assert then is not None
    deal = then.opportunities[0]
    assert (deal.stage, deal.stage_since, deal.lost_on) == ("lost", None, None)
    assert dates_after(then, DAY) == []
    assert {"opportunities[0].stage_since 2026-08-20",
            "opportunities[0].lost_on 2026-08-20"} <= set(dates_after(now, DAY))


def test_a_deal_that_moved_after_the_day_had_the_stage_its_history_gives(
        tmp_path: Path) -> None:
    def recorded(account: dict[str, object]) -> None:
        account["opportunities"][0] |= {  # type: ignore[index]
            "stage_since": "2026-07-05", "stage_history": [
                {"stage": "target", "entered": "2026-02-10"},
                {"stage": "opportunity", "entered": "2026-04-02"},
                {"stage": "opportunity", "entered": "2026-05-20"},
                {"stage": "intent", "entered": "2026-07-05"}]}
        won = copy.deepcopy(account["opportunities"][0])  # type: ignore[index]
        won |= {"id": "won", "stage": "closed", "stage_since": "2026-08-18",
                "closed_on": "2026-08-18", "stage_history": [
                    {"stage": "negotiation", "entered": "2026-06-01"},
                    {"stage": "closed", "entered": "2026-08-18"}]}
        later = copy.deepcopy(account["opportunities"][0])  # type: ignore[index]
        later |= {"id": "later", "stage_history": [{"stage": "intent", "entered": "2026-07-05"}]}
        del later["stage_since"]
        account["opportunities"] += [won, later]  # type: ignore[operator]

    now = _loaded(tmp_path, recorded)
    then = account_on(now, DAY)
    assert then is not None
    deal, won, later = then.opportunities
    # In the stage since its first entry of the run; the entries after the day left out.
    assert (deal.stage, deal.stage_since) == ("opportunity", date(2026, 4, 2))
    assert [e.entered for e in deal.stage_history] == [
        date(2026, 2, 10), date(2026, 4, 2), date(2026, 5, 20)]
    assert not stage_unknown(now.opportunities[0], DAY)
    # Not yet won then: the day it was won came with its stage.
    assert (won.stage, won.stage_since, won.closed_on) == (
        "negotiation", date(2026, 6, 1), None)
    # The history begins after the day: the stage then is not on file.
    assert stage_unknown(now.opportunities[2], DAY)
    assert (later.stage, later.stage_since, later.stage_history) == ("intent", None, ())


def test_an_account_whose_figures_start_later_was_not_yet_an_account(tmp_path: Path) -> None:
    def later(account: dict[str, object]) -> None:
        account["financials"] = quarters("2026-Q3", [500_000])
        account["customer_since"] = "2026-07-01"

    assert account_on(_loaded(tmp_path, later), DAY) is None

    def on_the_day(account: dict[str, object]) -> None:
        account["financials"] = quarters("2026-Q2", [0, 500_000])

    # A quarter ending on the day is on file that day (a quarter without sales counts).
    then = account_on(_loaded(tmp_path, on_the_day), DAY)
    assert then is not None and [str(r.quarter) for r in then.financials] == ["2026-Q2"]


@pytest.mark.parametrize(("due", "done_on", "open_then"), [
    ("2026-06-15", "2026-07-02", True),   # due before the day, done after it: still open then
    ("2026-07-15", "2026-06-30", False),  # done on the day, ahead of its due date
    ("2026-07-15", None, True),           # no day done: its due date stands for it
])
def test_an_action_done_after_the_day_was_open_then(
        tmp_path: Path, due: str, done_on: str | None, open_then: bool) -> None:
    def done(account: dict[str, object]) -> None:
        action = {"what": "Visit", "owner": "Li Wei", "due": due, "status": "done",
                  "outcome": "Visited"}
        if done_on:
            action["done_on"] = done_on
        account["plan"]["actions"] = [action]  # type: ignore[index]

    then = account_on(_loaded(tmp_path, done), DAY)
    assert then is not None and then.plan is not None
    (action,) = then.plan.actions
    assert (action.status == "open", action.done_on is None) == (open_then, open_then
                                                                  or done_on is None)
