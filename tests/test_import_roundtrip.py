"""`kam import` keeps what people wrote: every sample account round-trips byte for byte, an
update's diff is exactly the new data, and an item added to a list lands after the last one
with the comments and blank line that followed it still after it."""

from __future__ import annotations

import difflib
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap

from kam_review.output.importing import roundtrip
from kam_review.output.importing.merge import Settings, merge
from kam_review.output.importing.plan import plan_import
from kam_review.source.exports.mapper import read_exports
from kam_review.source.exports.mapping import load_mapping
from kam_review.source.exports.records import AccountData
from kam_review.source.model import Quarter

from .conftest import ACCOUNTS, REPO

PRESETS = REPO / "examples" / "imports"
SAMPLES = sorted(ACCOUNTS.glob("*.yaml"))
AFTER_Q3 = date(2026, 10, 9)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_account_round_trips_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    trip = roundtrip.load(text)
    assert trip is not None
    assert trip.dump() == text


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([line[2:] for line in diff if line.startswith("- ")],
            [line[2:] for line in diff if line.startswith("+ ")])


def _salesforce_plan(accounts: Path) -> dict[str, tuple[str | None, str]]:
    mapping, errors = load_mapping(PRESETS / "salesforce" / "mapping.yaml")
    assert mapping is not None, errors
    exports = sorted((PRESETS / "salesforce").glob("*.csv")) + sorted(
        (PRESETS / "salesforce").glob("*.xlsx"))
    plan = plan_import(read_exports(exports, mapping), accounts,
                       Settings("salesforce", "CNY", AFTER_Q3, overwrite=False))
    assert plan.errors == [] and plan.conflicts == []
    return {change.path.name: (change.before, change.after) for change in plan.files}


def test_an_update_changes_exactly_the_new_data(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    before, after = _salesforce_plan(accounts)["xinyuan-foods.yaml"]
    assert before == (ACCOUNTS / "xinyuan-foods.yaml").read_text(encoding="utf-8")
    removed, added = _changed_lines(before, after)
    assert removed == ["    title: Production IT Manager",
                       "    stage: intent", "    stage_since: 2026-07-05",
                       "    value: 750000", "    probability: 0.3"]
    assert added == ["    title: Head of Production IT",
                     "  - name: Zhao Min", "    title: Finance Director",
                     "    level: director", "    roles: [decision_owner]",
                     "    stage: initiated", "    stage_since: 2026-10-06",
                     "      - {stage: initiated, entered: 2026-10-06}",
                     "    value: 780000", "    probability: 0.4"]
    # The new contact comes after the last one, the blank line before `activities` kept.
    assert "    roles: [decision_owner]\n\nactivities:\n" in after


def test_a_quarter_added_to_a_file_without_an_external_id(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    before, after = _salesforce_plan(accounts)["beichen-education.yaml"]
    assert before is not None
    removed, added = _changed_lines(before, after)
    assert removed == []
    assert added == ["external_ids: {salesforce: 0015g00000Bch02AAB}",
                     "  - quarter: 2026-Q3", "    revenue: 240000", "    cost: 158000"]
    assert "currency: CNY\nexternal_ids: {salesforce: 0015g00000Bch02AAB}\n\nfinancials:" \
        in after
    assert "    cost: 150000\n  - quarter: 2026-Q3\n    revenue: 240000\n    cost: 158000\n\n" \
           "market:" in after


TRAILING = """\
id: acme
financials:
  - quarter: 2026-Q2
    revenue: 100  # preliminary
    cost: 70  # from the ERP
  # Q3 comes from the October export

market:
  wallet: 5
"""


def test_an_appended_item_keeps_the_trailing_comment_and_blank_line_after_it() -> None:
    trip = roundtrip.load(TRAILING)
    assert trip is not None
    roundtrip.append(trip.document["financials"],
                     CommentedMap(quarter="2026-Q3", revenue=120, cost=80))
    assert trip.dump() == TRAILING.replace(
        "    cost: 70  # from the ERP\n",
        "    cost: 70  # from the ERP\n  - quarter: 2026-Q3\n    revenue: 120\n    cost: 80\n")


def test_an_appended_item_follows_its_one_line_neighbours() -> None:
    text = ("id: acme\nactivities:\n  - {date: 2026-09-01, kind: visit}   # the last\n"
            "\nplan: {}\n")
    trip = roundtrip.load(text)
    assert trip is not None
    roundtrip.append(trip.document["activities"],
                     CommentedMap(date=date(2026, 10, 2), kind="call"))
    assert trip.dump() == ("id: acme\nactivities:\n  - {date: 2026-09-01, kind: visit}   # the "
                           "last\n  - {date: 2026-10-02, kind: call}\n\nplan: {}\n")


def test_a_key_added_after_one_followed_by_a_blank_line() -> None:
    text = "id: acme\ncurrency: CNY\n\nfinancials: []\n"
    trip = roundtrip.load(text)
    assert trip is not None
    roundtrip.insert_key(trip.document, "currency", "team", "North")
    assert trip.dump() == "id: acme\ncurrency: CNY\nteam: North\n\nfinancials: []\n"


def test_a_key_added_after_a_comment_that_runs_on_several_lines() -> None:
    text = ("currency: CNY    # ISO 4217 code; without it, the\n"
            "                 # site's option is assumed\n"
            "# team: Your Team\n\nfinancials: []\n")
    trip = roundtrip.load(text)
    assert trip is not None
    roundtrip.insert_key(trip.document, "currency", "external_ids", "x")
    assert trip.dump() == text.replace("assumed\n", "assumed\nexternal_ids: x\n")


def test_a_file_with_windows_line_ends_keeps_them() -> None:
    text = ("id: acme  # ours\r\nfinancials:\r\n  - {quarter: 2026-Q2, revenue: 1}\r\n\r\n"
            "plan: {}\r\n")
    trip = roundtrip.load(text)
    assert trip is not None
    roundtrip.append(trip.document["financials"], CommentedMap(quarter="2026-Q3", revenue=2))
    assert trip.dump() == text.replace("revenue: 1}\r\n", "revenue: 1}\r\n"
                                       "  - {quarter: 2026-Q3, revenue: 2}\r\n")


def test_a_file_no_setting_writes_back_unchanged_is_left_alone(tmp_path: Path) -> None:
    # Indented by three: no writer setting reproduces it, so it is not rewritten.
    assert roundtrip.load("id: acme\nfinancials:\n   -   quarter: 2026-Q2\n"
                          "       revenue: 1\n") is None


QUARTER_FIGURES = st.dictionaries(
    st.integers(2023 * 4, 2027 * 4 + 3).map(Quarter.from_index),
    st.fixed_dictionaries({"revenue": st.integers(0, 10**9)},
                          optional={"cost": st.integers(0, 10**9)}),
    max_size=6)


@settings(max_examples=30, deadline=None)
@given(QUARTER_FIGURES)
def test_merged_figures_land_in_order_and_a_second_merge_changes_nothing(
        figures: dict[Quarter, dict[str, int]]) -> None:
    text = (ACCOUNTS / "xinyuan-foods.yaml").read_text(encoding="utf-8")
    settings_ = Settings("salesforce", "CNY", date(2023, 1, 1), overwrite=False)
    trip = roundtrip.load(text)
    assert trip is not None
    data = AccountData("0015g00000XyfA1AAJ", ("x.csv", 2), quarters=dict(figures))
    merge(trip.document, data, settings_)
    after = trip.dump()
    again = roundtrip.load(after)
    assert again is not None
    changes = merge(again.document, data, settings_)
    assert again.dump() == after
    assert not (changes.quarters_added or changes.figures_changed or changes.conflicts)
    quarters = [row["quarter"] for row in again.document["financials"]]
    assert quarters == sorted(quarters, key=lambda q: Quarter.parse(q).index)
    # Only financials rows changed: every other line is as it was, in its order.
    removed, _ = _changed_lines(text, after)
    assert all(line.startswith(("    revenue:", "    cost:")) for line in removed), removed
