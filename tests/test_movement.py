"""What moved between two reviews of the same accounts: classes, findings new and resolved,
key figures with arrow and delta, deals that moved stage; and the snapshot a review is kept
as, read back exactly or not at all."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date

import pytest

from kam_review.output.movement_report import (
    account_lines,
    change_text,
    finding_text,
    movement_dict,
    summary,
)
from kam_review.review.movement import (
    FILES,
    Comparison,
    FigureMove,
    StageMove,
    compare,
    ended_because,
)
from kam_review.review.snapshot import (
    Presence,
    Snapshot,
    snapshot_from_json,
    snapshot_json,
    snapshot_of,
)
from kam_review.vocabulary import Severity
from kam_review.website.pages.movement import changes_page

from .conftest import Reviewer, healthy_account, quarters, variant

THEN = date(2026, 6, 30)
COMPARISON = Comparison(FILES, THEN, why="no earlier review is tagged (review-*)")


def _snapshots(review_accounts: Reviewer, before: list[dict[str, object]],
               after: list[dict[str, object]]) -> tuple[Snapshot, Snapshot]:
    return (snapshot_of(review_accounts(*before, as_of=THEN)),
            snapshot_of(review_accounts(*after)))


def test_class_findings_figures_and_deals_that_moved(review_accounts: Reviewer) -> None:
    was = variant(lambda a: a.update(financials=quarters(
        "2024-Q4", [1_000_000] * 4 + [1_020_000, 1_050_000, 1_080_000])))
    now = variant(lambda a: (a.update(financials=quarters("2024-Q4", [1_000_000] * 4 + [
        1_020_000, 1_050_000, 1_400_000, 1_800_000])), a["contacts"][2].update(
            left_on="2026-09-01"), a["opportunities"][0].update(stage="initiated")))
    previous, current = _snapshots(review_accounts, [was], [now])
    (moved,) = compare(previous, current, COMPARISON).accounts
    assert moved.before is not None
    assert (moved.before.class_shown, moved.after.class_shown) == ("loyal", "fast-growing")
    assert moved.class_changed and not moved.focus_changed
    # A contact who left: a new high finding, and their style advice no longer applies (not
    # resolved: nothing was done about it).
    assert [(f.rule, f.subject, f.severity) for f in moved.new_findings][:1] == [
        ("risk.key-contact-left", "Chen Jun", Severity.HIGH)]
    assert [f.rule for f in moved.new_high] == ["risk.key-contact-left"]
    assert ("advice.style-direct", "Chen Jun") in {(f.rule, f.subject) for f in moved.ended}
    assert "Chen Jun" not in {f.subject for f in moved.resolved}
    assert ended_because(moved.after.presence, "Chen Jun") == "Chen Jun left on Sep 1, 2026"
    assert [line for line in account_lines(moved) if line.startswith("no longer applies")] == [
        f"no longer applies: {finding_text(f)} (Chen Jun left on Sep 1, 2026)"
        for f in moved.ended]
    # --show high lists the high ones only, in the movement as in the findings above it.
    high = account_lines(moved, show=Severity.HIGH)
    assert any(line.startswith("new finding: HIGH risk.key-contact-left") for line in high)
    assert not any(" INFO " in line or " MEDIUM " in line or " LOW " in line for line in high)
    assert any(line.startswith("no longer applies: INFO") for line in account_lines(moved))
    (data,) = movement_dict(compare(previous, current, COMPARISON))["accounts"]
    assert {(f["rule"], f["why"]) for f in data["ended_findings"]} >= {
        ("advice.style-direct", "Chen Jun left on Sep 1, 2026")}
    figures = {m.name: (m.before, m.after, change_text(m)) for m in moved.figures}
    assert figures["revenue_last_quarter"] == (1_080_000, 1_800_000, "▲ +720K")
    assert figures["contacts_current"] == (3, 2, "▼ -1")
    assert figures["open_opportunities"] == (1, 1, "=")
    # The deal's stage as both sides have it (from git, both known), and the day it reached
    # it, which lies after the previous review.
    assert moved.stages == (StageMove("pos-refresh", "POS refresh", "intent", "initiated",
                                      date(2026, 8, 1)),)


@pytest.mark.parametrize(("name", "before", "after", "shown"), [
    ("revenue_ttm", 5_200_000, 5_200_000, "="),
    ("revenue_ttm", 5_200_000, 5_199_999, "▼ -1"),
    ("revenue_ttm", 1_000_000, 1_400_000.5, "▲ +400K"),
    ("gross_margin_ttm", 0.3, 0.325, "▲ +2.5 pp"),
    ("gross_margin_ttm", 0.3, 0.3, "="),
    # Two percentages that read the same (24.9%) are unchanged as shown; one step of the
    # shown precision is a change.
    ("gross_margin_ttm", 0.24864, 0.2495, "="),
    ("gross_margin_ttm", 0.249, 0.25, "▲ +0.1 pp"),
    # Percentages that read one step apart change by that step, not by the exact figures'
    # few thousandths of a point.
    ("gross_margin_ttm", 0.23751, 0.23749, "▼ -0.1 pp"),
    ("share_of_wallet", 0.281, 0.16, "▼ -12.1 pp"),
    ("growth_yearly", -0.1, 0.1, "▲ +20 pp"),
    ("open_opportunities", 2, 3, "▲ +1"),
    ("revenue_ttm", None, 5_000_000, "new"),
    ("revenue_ttm", 5_000_000, None, "unknown now"),
])
def test_a_figures_change_has_its_arrow_and_delta(name: str, before: float | None,
                                                  after: float | None, shown: str) -> None:
    """Money as money, a ratio in percentage points, exactly (0.3 to 0.325 is 2.5 points,
    not 2.4999...)."""
    assert change_text(FigureMove(name, before, after)) == shown


def test_deals_new_removed_and_whose_earlier_stage_is_not_on_file(
        review_accounts: Reviewer) -> None:
    was = healthy_account()
    now = variant(lambda a: a["opportunities"].append(
        copy.deepcopy(a["opportunities"][0]) | {"id": "second", "name": "Second",
                                                "stage_since": "2026-09-01"}))
    previous, current = _snapshots(review_accounts, [was], [now])
    # As the files-as-of view keeps it: the deal reached its stage after the day.
    (account,) = previous.accounts
    unknown = replace(account, deals=tuple(replace(d, stage=None) for d in account.deals))
    (moved,) = compare(replace(previous, accounts=(unknown,)), current, COMPARISON).accounts
    assert moved.stages == (
        StageMove("pos-refresh", "POS refresh", None, "intent", date(2026, 8, 1)),
        StageMove("second", "Second", "", "intent", date(2026, 9, 1)))
    lines = account_lines(moved)
    assert "deal POS refresh (pos-refresh): moved to intent on 2026-08-01 (the stage before " \
           "is not on file)" in lines
    assert "deal Second (second): new since the last review, at intent on 2026-09-01" in lines
    gone = replace(current, accounts=(replace(current.accounts[0], deals=()),))
    (moved,) = compare(previous, gone, COMPARISON).accounts
    assert moved.stages == (StageMove("pos-refresh", "POS refresh", "intent", "", None),)


def test_accounts_new_and_no_longer_reviewed(review_accounts: Reviewer) -> None:
    other = healthy_account() | {"id": "other", "name": "Other"}
    newco = healthy_account() | {"id": "newco", "name": "NewCo"}
    previous, current = _snapshots(review_accounts, [healthy_account(), other],
                                   [healthy_account(), newco])
    movement = compare(previous, current, COMPARISON)
    assert [m.id for m in movement.added] == ["newco"]
    assert [a.id for a in movement.removed] == ["other"]
    assert account_lines(movement.added[0]) == ["new since the last review"]
    # Only some files reviewed (kam check FILE): the others are not called removed.
    assert compare(previous, current, COMPARISON, partial=True).removed == ()
    data = movement_dict(movement)
    assert data["comparison"] == {
        "source": "files", "as_of": "2026-06-30", "name": None, "commit": None,
        "note": "compared with the files as of 2026-06-30: no earlier review is tagged "
                "(review-*)"}
    assert data["removed"] == ["other"]
    assert [a["id"] for a in data["accounts"] if a["new"]] == ["newco"]


# Four falls in a row from 2025-Q3 to 2026-Q3: risk.declining-revenue (high); without the
# last quarter, too short a history to tell.
_FALLING = [1_650_000, 1_580_000, 1_420_000, 1_300_000, 1_180_000]


def _falling(quarter_count: int, account_id: str = "test-account") -> dict[str, object]:
    return variant(lambda a: a.update(id=account_id, financials=quarters(
        "2025-Q3", _FALLING[:quarter_count])))


def test_a_finding_whose_data_is_gone_is_no_longer_evaluated_not_resolved(
        review_accounts: Reviewer) -> None:
    """The last quarter's row deleted: the rule that found the decline cannot tell now. That
    is said apart (text, JSON, the summary), never counted as resolved."""
    previous, current = (snapshot_of(review_accounts(_falling(5))),
                         snapshot_of(review_accounts(_falling(4))))
    assert ("risk.declining-revenue", "") in current.accounts[0].unknown
    movement = compare(previous, current, COMPARISON)
    (moved,) = movement.accounts
    assert [f.rule for f in moved.unevaluated] == ["risk.declining-revenue"]
    assert "risk.declining-revenue" not in {f.rule for f in moved.resolved}
    lines = account_lines(moved)
    assert any(line.startswith("no longer evaluated: HIGH risk.declining-revenue: ")
               for line in lines), lines
    assert not any("resolved: HIGH risk.declining-revenue" in line for line in lines)
    (moved_data,) = movement_dict(movement)["accounts"]
    assert [f["rule"] for f in moved_data["unevaluated_findings"]] == ["risk.declining-revenue"]
    assert summary(movement).endswith("; 1 finding no longer evaluated")
    # Where the quarters are on file and revenue rose, the decline is resolved.
    rose = variant(lambda a: a.update(financials=quarters(
        "2024-Q4", [1_000_000] * 4 + [1_100_000, 1_200_000, 1_300_000, 1_400_000])))
    (moved,) = compare(previous, snapshot_of(review_accounts(rose)), COMPARISON).accounts
    assert "risk.declining-revenue" in {f.rule for f in moved.resolved}
    assert moved.unevaluated == ()
    assert "no longer evaluated" not in summary(compare(
        previous, snapshot_of(review_accounts(rose)), COMPARISON))


def test_a_snapshot_is_read_back_exactly_or_not_at_all(review_accounts: Reviewer) -> None:
    snapshot = snapshot_of(review_accounts(healthy_account(), variant(
        lambda a: (a.update(id="other", name="Other"), a.pop("plan"),
                   a["contacts"][2].update(left_on="2026-09-01"))), _falling(4, "short")))
    assert len(snapshot.accounts) == 3 and snapshot.errors == 0
    assert snapshot.account("short").unknown  # rules not evaluated are kept too
    other = snapshot.account("other").presence  # and what findings can be on, who left
    assert other.left == (("Chen Jun", date(2026, 9, 1)),) and other.subjects is not None
    assert {"Zhang Min", "Chen Jun", "pos-refresh"} <= other.subjects
    text = snapshot_json(snapshot)
    assert text is not None and snapshot_from_json(text) == snapshot
    data = json.loads(text)
    # Kept by a version that did not keep them: not known, so no finding counts as gone.
    for account in data["accounts"]:
        del account["subjects"], account["left"]
    older = snapshot_from_json(json.dumps(data))
    assert older is not None and older.account("other").presence == Presence()
    assert not Presence().has_gone("Chen Jun")
    data["accounts"][0]["findings"][0][2] = "urgent"  # no such severity
    assert snapshot_from_json(json.dumps(data)) is None
    for damaged in ("", "[]", "{}", text[:-1], text.replace('"errors": 0', '"errors": -1'),
                    text.replace('"deals": [[', '"deals": [[1, ')):
        assert damaged != text and snapshot_from_json(damaged) is None, damaged
    assert snapshot_from_json(None) is None


def test_the_high_warnings_a_review_raised_are_kept_for_the_next(
        review_accounts: Reviewer) -> None:
    left = variant(lambda a: a["contacts"][2].update(left_on="2026-09-01"))
    waived = variant(lambda a: (a.update(id="waived", name="Waived"),
                                a["contacts"][2].update(left_on="2026-09-01"),
                                a.update(waivers=[{
                                    "rule": "risk.key-contact-left", "subject": "Chen Jun",
                                    "reason": "Successor introduced, handover in October",
                                    "until": "2026-12-31", "by": "Zhou Lan"}])))
    snapshot = snapshot_of(review_accounts(left, waived))
    assert snapshot.high_warnings() == {"test-account": frozenset({"risk.key-contact-left"}),
                                        "waived": frozenset()}
    # This review's facts say what the previous review had warned about.
    result = review_accounts(left, warned_before=snapshot.high_warnings())
    assert result.accounts[0].facts[0]["high_warnings_before"] == 1
    assert result.accounts[0].facts[0]["high_warnings_before_list"] == "risk.key-contact-left"
    assert "high_warnings_before" not in review_accounts(left).accounts[0].facts[0]


def test_a_new_finding_a_waiver_accepts_is_marked_on_the_changes_page(
        review_accounts: Reviewer) -> None:
    """The changes page marks a new finding that comes waived, as the overview leaves it out
    of the new high findings."""
    now = variant(lambda a: (a["contacts"][2].update(left_on="2026-09-01"), a.update(waivers=[
        {"rule": "risk.key-contact-left", "subject": "Chen Jun", "reason": "successor met "
         "twice already", "until": "2026-12-31", "by": "Zhou Lan"}])))
    result = review_accounts(now)
    previous = snapshot_of(review_accounts(variant(lambda a: None), as_of=THEN))
    movement = compare(previous, snapshot_of(result), COMPARISON)
    (moved,) = movement.accounts
    assert [f.waived for f in moved.new_findings if f.rule == "risk.key-contact-left"] == [True]
    assert moved.new_high == ()
    (row,) = [line for line in changes_page(result, movement).splitlines()
              if "A key person changed" in line]
    assert row.rstrip(" |").endswith("(waived)"), row
