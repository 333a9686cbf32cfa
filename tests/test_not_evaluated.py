"""Three-valued rule results: a rule whose condition depends on an unknown fact is "not
evaluated", listed with what it needs, counted in every output, and never a finding."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from itertools import product
from pathlib import Path

import pytest

from kam_review.output.ci_formats import check_markdown
from kam_review.output.report import as_json, as_text
from kam_review.review.explain import explain_all
from kam_review.review.leaves import not_evaluated
from kam_review.review.results import AccountResult
from kam_review.rulebook.condition_parser import parse_condition
from kam_review.rulebook.conditions import AllOf, AnyOf, Condition, Leaf, Not, Presence, truth
from kam_review.rulebook.engine import EngineRule
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.facts import FACT_TYPE
from kam_review.website.pages.account import account_page
from kam_review.website.pages.portfolio import overview_page

from .conftest import AS_OF, REPO, Account, Reviewer, quarters, variant, write_account

# Leaves named after the truth each test gives them: T true, F false, U unknown.
T, F, U = (Presence(name, False, f"{name} is known") for name in ("t", "f", "u"))
_VALUES: dict[str, bool | None] = {"t": True, "f": False, "u": None}


def _truth(condition: Condition) -> bool | None:
    def leaf(item: Leaf) -> bool | None:
        return _VALUES[item.field]
    return truth(condition, leaf)


def test_not_turns_true_and_false_round_and_keeps_unknown() -> None:
    assert (_truth(Not(T)), _truth(Not(F)), _truth(Not(U))) == (False, True, None)
    assert _truth(Not(Not(U))) is None


# Kleene's strong tables, written out: (left, right) -> any, all.
_TABLE = {
    (T, T): (True, True), (T, F): (True, False), (T, U): (True, None),
    (F, T): (True, False), (F, F): (False, False), (F, U): (None, False),
    (U, T): (True, None), (U, F): (None, False), (U, U): (None, None),
}


@pytest.mark.parametrize(("left", "right"), list(product((T, F, U), repeat=2)))
def test_any_and_all_follow_the_three_valued_tables(left: Leaf, right: Leaf) -> None:
    """In `any` a part that holds decides, in `all` a part that fails decides; only when no
    known part decides is the whole unknown."""
    expected_any, expected_all = _TABLE[(left, right)]
    assert _truth(AnyOf((left, right))) is expected_any
    assert _truth(AllOf((left, right))) is expected_all


@pytest.mark.parametrize(("condition", "expected"), [
    (AnyOf((AllOf((U, F)), T)), True),     # the true branch decides over an unknown one
    (AnyOf((AllOf((U, T)), F)), None),     # no known branch decides
    (AllOf((AnyOf((U, F)), T)), None),
    (AllOf((AnyOf((U, T)), F)), False),
    (Not(AllOf((U, F))), True),            # not of a decided false
    (Not(AnyOf((U, F))), None),
    (AllOf((Not(U), Not(T))), False),      # a negated true part fails the all
    (AnyOf((Not(U), Not(F))), True),
    (AllOf((T, T, U)), None),
    (AnyOf((F, F, U)), None),
])
def test_nested_conditions(condition: Condition, expected: bool | None) -> None:
    assert _truth(condition) is expected


def _gap_last(account: Account) -> None:
    account["financials"].pop()  # 2026-Q3, the last complete quarter, has no row


def _gap_inside(account: Account) -> None:
    account["financials"].pop(5)  # 2026-Q1 has no row


def _ids(item: AccountResult) -> dict[str, str]:
    return {entry.rule: entry.needs for entry in item.not_evaluated}


def test_a_gap_leaves_rules_not_evaluated_and_the_data_evaluates_them(
        review_one: Callable[[Account], AccountResult]) -> None:
    healthy = review_one(variant(lambda a: None))
    assert healthy.klass == "loyal" and healthy.not_evaluated == ()
    stale = review_one(variant(_gap_last))
    needs = _ids(stale)
    # Growth over a year needs the last quarter: no class rule can be told, and the page
    # says which quarter would decide.
    assert stale.klass == "unclassified"
    assert needs["class.loyal"] == "needs growth over a year: revenue of 2026-Q3"
    assert needs["risk.margin-erosion"] == "needs change of gross margin: no row for 2026-Q3"
    assert "risk.declining-revenue" in needs
    fired = {f.rule for f in stale.findings}
    assert not fired & set(needs), "a rule not evaluated is never a finding too"
    inside = review_one(variant(_gap_inside))
    assert inside.klass == "loyal"  # a year against a year is still known
    assert _ids(inside) == {
        "risk.margin-erosion": "needs change of gross margin: no row for 2026-Q1",
        "risk.low-inventory-turnover": "needs holds our stock: no row for 2026-Q1; "
                                       "inventory turnover (per year): no row for 2026-Q1",
        "risk.low-gmroii": "needs holds our stock: no row for 2026-Q1; GMROII: the account's "
                           "gross margin return on its stock of our goods: margin x turnover "
                           "/ (1 - margin), from its own margin (seed 000)"}


def test_the_quarters_named_are_those_of_the_last_four_without_a_row(
        review_one: Callable[[Account], AccountResult]) -> None:
    """2025-Q3 has no row either, but the figures of the last 4 quarters do not read it."""
    def gaps(account: Account) -> None:
        for index in (6, 5, 3):  # 2026-Q2, 2026-Q1, 2025-Q3
            account["financials"].pop(index)

    needs = _ids(review_one(variant(gaps)))
    assert needs["risk.margin-erosion"] == (
        "needs change of gross margin: no row for 2026-Q1, 2026-Q2")


def test_a_fact_no_rule_reads_is_never_not_evaluated() -> None:
    """A rules folder of a team's own may have no rule on some kind of fact (waivers, say)."""
    rule = EngineRule("own.growth", "account",
                      parse_condition("growth_yoy > 0", FACT_TYPES["account"], {}))
    facts = [{FACT_TYPE: "waiver"}, {FACT_TYPE: "account"}]
    assert not_evaluated([rule], facts, [set(), set()]) == [{}, {"own.growth": ["growth_yoy"]}]


def test_a_contact_without_a_style_leaves_its_advice_not_evaluated(
        review_one: Callable[[Account], AccountResult]) -> None:
    item = review_one(variant(lambda a: a["contacts"][0].pop("style")))
    listed = {(e.rule, e.subject, e.needs) for e in item.not_evaluated}
    assert ("advice.style-analytical", "Zhang Min", "needs style: interpersonal style") in listed
    assert {e.subject for e in item.not_evaluated} == {"Zhang Min"}


def test_our_account_manager_gets_no_advice_on_a_style_nobody_records(
        review_one: Callable[[Account], AccountResult]) -> None:
    """The owner who took over is ours, not a contact whose style the file should give."""
    item = review_one(variant(lambda a: a.update(owner_history=[
        {"name": "Sun Yue", "from": "2022-03-01", "to": "2026-07-31"}])))
    assert any(f.rule == "risk.key-contact-left" for f in item.findings)
    assert not [e for e in item.not_evaluated if e.rule.startswith("advice.style")]


def test_a_focus_rule_a_known_fact_decides_is_not_listed(
        review_one: Callable[[Account], AccountResult]) -> None:
    """Without relationship scores, key and target (attractive accounts) cannot be told
    apart; maintain and low-profile need low attractiveness, which the known scores rule
    out, so they are clear, not "not evaluated"."""
    item = review_one(variant(lambda a: a["scores"].pop("relationship")))
    focus = {e.rule for e in item.not_evaluated if e.rule.startswith("focus.")}
    assert item.focus is None
    assert focus == {"focus.key", "focus.target"}
    healthy = review_one(variant(lambda a: None))
    assert healthy.focus == "key"
    assert not [e for e in healthy.not_evaluated if e.rule.startswith("focus.")]


def test_outputs_list_and_count_rules_not_evaluated(review_accounts: Reviewer) -> None:
    result = review_accounts(variant(_gap_last), variant(lambda a: a.update(id="other")))
    listed = {a["id"]: a["not_evaluated"] for a in json.loads(as_json(result))["accounts"]}
    assert listed["other"] == []
    assert {"rule": "risk.margin-erosion", "subject": "",
            "needs": "needs change of gross margin: no row for 2026-Q3"} in listed["test-account"]
    count = len(listed["test-account"])
    text = as_text(result)
    assert f"(unclassified, focus key; owner Li Wei; not evaluated: {count} rules)" in text
    assert f"not evaluated: {count} rules on 1 account" in text.splitlines()[-1]
    item = result.account("test-account")
    (explained, _) = explain_all(result)
    page = account_page(item, result, explained)
    assert "## Not evaluated" in page
    (row,) = [line for line in page.splitlines() if "(../rules.md#risk-margin-erosion)" in line
              and "needs" in line]
    assert row.startswith("| [Margin erosion](../rules.md#risk-margin-erosion) |")
    assert row.endswith("| needs change of gross margin: no row for 2026-Q3 |")
    assert f"not evaluated: {count} rules on 1 account" in check_markdown(result)
    overview = overview_page(result)
    assert "Rules not evaluated" in overview
    assert f"Not evaluated: {count} rules on 1 account," in overview


def _new_account_behind(account: Account) -> None:
    """A new account (first order in 2026-Q1), no deal open, its 2026-Q3 not on file."""
    account["customer_since"] = "2026-01-05"
    account["financials"] = quarters("2026-Q1", [300_000, 400_000])
    account["opportunities"] = []


def test_a_class_tried_first_and_not_evaluated_leaves_the_class_that_fired(
        review_accounts: Reviewer) -> None:
    """Dormant is tried first and cannot be told without 2026-Q3; the new-account class
    fires, stays, and the page says dormant could not be evaluated and what it needs. The
    classes tried after it could not change the class and are not listed."""
    result = review_accounts(variant(_new_account_behind))
    item = result.accounts[0]
    assert result.class_shown(item) == "nurture: new account"
    needs = _ids(item)
    assert needs["class.dormant"] == ("needs recent revenue against the quarters before: no row "
                                      "for 2026-Q3; quarters in a row without sales: no row for "
                                      "2026-Q3")
    assert not {"class.fast-growing", "class.loyal", "class.nurture"} & set(needs)
    page = account_page(item, result, explain_all(result)[0])
    assert ("**dormant** could not be evaluated (class tried first): needs recent revenue "
            "against the quarters before: no row for 2026-Q3; quarters in a row without "
            "sales: no row for 2026-Q3.") in page


def test_fail_on_ignores_rules_not_evaluated(tmp_path: Path) -> None:
    """risk.declining-revenue is high and not evaluated on a stale account: not a finding,
    so --fail-on high passes, while the medium data finding fails --fail-on medium."""
    write_account(tmp_path, variant(_gap_last))

    def check(level: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kam_review", "check", "--accounts", str(tmp_path),
             "--as-of", str(AS_OF), "--fail-on", level, "--format", "json", "--no-cache"],
            capture_output=True, text=True, cwd=REPO, check=False)

    high = check("high")
    assert high.returncode == 0, high.stderr
    (account,) = json.loads(high.stdout)["accounts"]
    assert "risk.declining-revenue" in {e["rule"] for e in account["not_evaluated"]}
    assert check("medium").returncode == 1


def test_a_fact_whose_meaning_repeats_its_name_says_it_is_not_on_file(
        review_one: Callable[[Account], AccountResult]) -> None:
    def unmet(account: Account) -> None:
        account["contacts"][0].pop("last_contact")
        account["activities"] = [a for a in account["activities"]
                                 if account["contacts"][0]["name"] not in a.get("with", [])]
    item = review_one(variant(unmet))
    needs = {e.needs for e in item.not_evaluated if e.rule == "risk.contact-neglected"}
    assert needs == {"needs days since the last contact: not on file"}
