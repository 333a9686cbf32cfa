"""Counts with their nouns in the right number, and comparisons written from the labels kept
beside each fact and threshold: the pieces every page and message is worded with."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from kam_review.errors import RulebookError
from kam_review.formatting import fill
from kam_review.output.comment_size import fit_comment
from kam_review.rulebook.condition_parser import parse_condition
from kam_review.rulebook.conditions import walk
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.fact_words import doc_names, doc_words, leaf_words, outline_words
from kam_review.rulebook.loading import load_rulebook
from kam_review.wording import as_phrase, counted, key_words, noun_form, plural_of

from .conftest import RULES

ACCOUNT = FACT_TYPES["account"]
THRESHOLDS = {"fast_growing_min_growth": 0.2, "complacency_days": 90, "loyal_min_years": 2}


@pytest.mark.parametrize(("count", "noun", "expected"), [
    (0, "quarter", "0 quarters"), (1, "quarter", "1 quarter"), (2, "quarter", "2 quarters"),
    (1, "visit or meeting|visits or meetings", "1 visit or meeting"),
    (3, "visit or meeting|visits or meetings", "3 visits or meetings"),
    (1, "rule depends|rules depend", "1 rule depends"),
    (8, "rule depends|rules depend", "8 rules depend"),
    (2, "opportunity", "2 opportunities"), (2, "day", "2 days"), (2, "match", "2 matches"),
    (2, "quality complaint", "2 quality complaints"),
])
def test_a_count_takes_its_noun_in_the_right_number(count: int, noun: str,
                                                     expected: str) -> None:
    assert counted(count, noun) == expected


@pytest.mark.parametrize(("shown", "form"), [
    ("1", "year"), ("+1", "year"), ("0", "years"), ("1.5", "years"), ("1.0", "years"),
    ("0.62", "years"), ("-1", "years"), ("11", "years"),
])
def test_one_is_the_integer_one_as_shown(shown: str, form: str) -> None:
    assert noun_form(shown, "year") == form


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0 quarters in a row"), (1, "1 quarter in a row"), (2, "2 quarters in a row")])
def test_a_message_counts_with_its_noun(value: int, expected: str) -> None:
    assert fill("{zero_revenue_run:int quarter} in a row", {"zero_revenue_run": value}) \
        == expected


@pytest.mark.parametrize(("years", "expected"), [
    (0.62, "0.62 years ago"), (1.0, "1 year ago"), (0.999, "1 year ago"), (1.5, "1.5 years ago")])
def test_the_noun_follows_the_number_as_it_is_shown(years: float, expected: str) -> None:
    """0.999 is shown as 1, so it reads "1 year"; 1.5 is more than one."""
    assert fill("{buying_years:num year} ago", {"buying_years": years}) == expected


def test_keys_and_labels_read_as_words() -> None:
    assert key_words("budget_known") == "budget known"
    assert as_phrase("Growth over a year") == "growth over a year"
    assert as_phrase("GMROII") == "GMROII"
    assert plural_of("quarter") == "quarters"


def _leaf(text: str, fields: Any = ACCOUNT) -> Any:
    (leaf,) = walk(parse_condition(text, fields, THRESHOLDS))
    return leaf


@pytest.mark.parametrize(("growth", "expected"), [
    (0.19, "growth over a year: +19%, needs at least +20%"),   # the day before: fails
    (0.2, "growth over a year: +20%, needs at least +20%"),    # at the threshold: holds
    (0.21, "growth over a year: +21%, needs at least +20%"),
    (None, "growth over a year: unknown, needs at least +20%"),
])
def test_a_comparison_with_a_threshold_in_words(growth: float | None, expected: str) -> None:
    """The threshold is written in the unit of the fact it is compared with (a change)."""
    fact = {} if growth is None else {"growth_yearly": growth}
    assert leaf_words(_leaf("growth_yearly >= $fast_growing_min_growth"), ACCOUNT, fact) \
        == expected


@pytest.mark.parametrize(("text", "fact", "expected"), [
    ("days_since_visit > $complacency_days", {"days_since_visit": 91},
     "days since the last visit: 91 days, needs more than 90 days"),
    ("buying_years >= $loyal_min_years", {"buying_years": 1},
     "years buying from us: 1 year, needs at least 2 years"),
    ("plan_summary_present == false", {"plan_summary_present": True},
     "plan summary on file: yes, needs no"),
    ("plan_growth_target < industry_growth",
     {"plan_growth_target": 0.03, "industry_growth": 0.05},
     "planned growth: +3%, needs less than industry growth (+5%)"),
    ("growth_yoy is missing", {},
     "growth, last 4 quarters against the 4 before: unknown, needs it unknown"),
    ("relationship_stage in ['partnership', 'synergistic']", {"relationship_stage": "mid"},
     "relationship stage: mid, needs one of partnership, synergistic"),
])
def test_each_kind_of_comparison_in_words(text: str, fact: dict[str, Any],
                                          expected: str) -> None:
    assert leaf_words(_leaf(text), ACCOUNT, fact) == expected


def test_a_condition_without_an_account_reads_as_its_requirements() -> None:
    condition = parse_condition(
        {"any": ["buying_years < $loyal_min_years", "plan_present == false",
                 "growth_yoy is known"]}, ACCOUNT, THRESHOLDS)
    assert outline_words(condition, ACCOUNT) == [
        "any of:", "  years buying from us less than 2 years", "  plan on file: no",
        "  growth, last 4 quarters against the 4 before is known"]


def test_a_meaning_names_facts_by_label_and_file_fields_as_written() -> None:
    lead = ACCOUNT["growth_lead_pts"].doc
    assert doc_words(lead, ACCOUNT) == \
        "growth over a year minus industry growth compared with, in percentage points"
    assert doc_names(lead) == "`growth_yearly` minus `industry_growth_used`, in percentage points"
    wallet = ACCOUNT["share_of_wallet"].doc
    assert doc_words(wallet, ACCOUNT) == "revenue of the last 4 quarters against `market.wallet`"


def test_every_shipped_threshold_has_a_label() -> None:
    thresholds = load_rulebook(RULES).thresholds
    assert [name for name, threshold in thresholds.items() if not threshold.label] == []


def test_an_override_keeps_the_label(tmp_path: Path) -> None:
    overrides = tmp_path / "team.yaml"
    overrides.write_text("thresholds:\n  complacency_days: 30\n", encoding="utf-8")
    threshold = load_rulebook(RULES, overrides).thresholds["complacency_days"]
    assert (threshold.value, threshold.default) == (30, 90)
    assert threshold.label == "Days without a visit in person before it is complacency"


def test_a_blank_threshold_label_is_an_error_with_its_place(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    label: Days in one stage before a deal is stale\n",
                                 '    label: ""\n'), encoding="utf-8")
    with pytest.raises(RulebookError) as raised:
        load_rulebook(rules)
    (error,) = raised.value.errors
    assert error.file.endswith("thresholds.yaml") and error.field == \
        "thresholds.stage_stale_days.label"
    assert text.splitlines()[error.line - 1] == "    label: Days in one stage before a deal " \
        "is stale"


def test_a_cut_comment_says_how_many_lines_in_the_right_number() -> None:
    short = [f"line {i}" for i in range(5)]
    assert "cut here: 1 of its 6 lines is left out" in fit_comment([*short, "x" * 1000], 400)
    assert "cut here: 2 of its 7 lines are left out" in fit_comment(
        [*short, "x" * 1000, "y"], 400)
