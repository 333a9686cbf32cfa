"""A finding never contradicts itself: its condition holds on its fact (by the oracle, which
shares nothing with the product's condition parser), and its message cites no figure of a
comparison that did not hold ("0 unresolved quality complaints" on a rule that requires
more than 0), on the sample portfolio and on every firing case of the rule tests (rules/tests)."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from kam_review.formatting import fill
from kam_review.review.evaluate import review
from kam_review.review.message_parts import clauses, fired_template
from kam_review.review.results import AccountResult, Finding, Result
from kam_review.rulebook.conditions import AllOf, AnyOf, Compare, Const, Not, ThresholdRef
from kam_review.rulebook.loading import Rulebook

from .conftest import ACCOUNTS, AS_OF, RULES, healthy_account
from .oracle import holds
from .test_rule_cases import firing_cases


def _raw_rules(folder: Path) -> dict[str, dict[str, Any]]:
    """Each rule as written (BaseLoader: a condition is its text), by id."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        found |= {rule["id"]: rule for rule in data.get("rules", [])}
    return found


RAW = _raw_rules(RULES)


def _leaves(when: Any) -> list[str]:
    """The comparisons of a condition written as all:/any:/not: lists of comparisons."""
    if isinstance(when, str):
        return [when]
    (_, inner), = when.items()
    items = inner if isinstance(inner, list) else [inner]
    return [leaf for item in items for leaf in _leaves(item)]


def _cited(template: str) -> list[tuple[str, str, str, str]]:
    """(field, spec, the literal text before it and after it, up to the next field or the
    clause's end)."""
    parts = list(string.Formatter().parse(template))
    cited = []
    for (before, name, spec, _), (after, _, _, _) in zip(
            parts, [*parts[1:], ("", None, "", "")], strict=True):
        if name is not None and not name.startswith("$"):
            cited.append((name, spec or "", before.split("; ")[-1], after.split("; ")[0]))
    return cited


def _fact(item: AccountResult, finding: Finding, on: str) -> dict[str, Any]:
    matching = [fact for fact in item.facts
                if fact["type"] == on and str(fact.get("subject", "")) == finding.subject]
    assert len(matching) == 1, (finding.rule, finding.subject)
    return matching[0]


def contradictions(item: AccountResult, thresholds: dict[str, float]) -> list[str]:
    """What the account's findings say that their own conditions deny."""
    found = []
    for finding in item.findings:
        rule = RAW[finding.rule]
        fact = _fact(item, finding, rule["on"])
        if not holds(rule["when"], fact, thresholds):
            found.append(f"{finding.rule}: fired, but its condition does not hold")
        failing: dict[str, bool] = {}
        for leaf in _leaves(rule["when"]):
            field = leaf.split()[0]
            failing[field] = failing.get(field, True) and not holds(leaf, fact, thresholds)
        for field, spec, before, after in _cited(" ".join(rule["message"].split())):
            # Filled as the product fills one field: a count with its noun as well.
            phrase = before + fill(f"{{value:{spec}}}", {"value": fact.get(field)}) + after
            if failing.get(field) and phrase in finding.message:
                found.append(f"{finding.rule}: cites {phrase!r}, a comparison that failed")
    return found


@pytest.fixture(scope="module")
def sample() -> Result:
    return review(ACCOUNTS, RULES, AS_OF)


def test_sample_findings_agree_with_their_conditions(sample: Result) -> None:
    thresholds = sample.rulebook.threshold_values()
    assert [(a.account.id, c) for a in sample.accounts for c in contradictions(a, thresholds)
            ] == []


@pytest.mark.parametrize(("rule_id", "account"), [
    pytest.param(rule_id, account, id=f"{rule_id}-{i}")
    for i, (rule_id, account) in enumerate(firing_cases())])
def test_firing_case_agrees_with_its_condition(rule_id: str, account: dict[str, Any],
                                               review_one: Any, rulebook: Rulebook) -> None:
    item = review_one(account)
    assert contradictions(item, rulebook.threshold_values()) == []


def test_a_contradiction_is_caught(review_one: Any, rulebook: Rulebook) -> None:
    """The check itself can fail: a quality finding that cites its unresolved complaints when
    none is unresolved (the message as it was before only the fired parts were shown)."""
    item = review_one(healthy_account() | {"complaints": [
        {"date": "2026-02-01", "topic": "quality", "resolved_on": "2026-02-28"},
        {"date": "2026-08-01", "topic": "quality", "resolved_on": "2026-08-28"}]})
    finding = next(f for f in item.findings if f.rule == "risk.quality-issues")
    assert finding.message == "2 quality complaints in the last year"
    forged = Finding(**{**finding.__dict__, "message": "0 unresolved quality complaints; "
                        + finding.message})
    forged_item = AccountResult(item.account, item.klass, item.focus, (forged,), item.facts)
    assert contradictions(forged_item, rulebook.threshold_values()) == [
        "risk.quality-issues: cites '0 unresolved quality complaints', a comparison that failed"]


def _gt(field: str, value: float) -> Compare:
    return Compare(field, ">", Const(value), f"{field} > {value}")


def test_clauses_split_outside_parentheses_only() -> None:
    assert clauses("{a} ({t}; roles: {r}); {b} x; c") == ["{a} ({t}; roles: {r})", "{b} x", "c"]
    # Chinese: the full-width semicolon and parentheses.
    assert clauses("{a}（{t}；角色：{r}）；{b}个；丙") == ["{a}（{t}；角色：{r}）", "{b}个", "丙"]
    # Either width of parenthesis keeps its clause whole; one separator per template.
    assert clauses("{a} (x；y); {b}") == ["{a} (x；y)", "{b}"]


def test_a_chinese_message_keeps_only_the_alternatives_that_held() -> None:
    condition = AnyOf((_gt("a", 0), _gt("b", 0)))
    template = "连续下降{a}次；连续{b}个季度没有销售；其他{c}"
    assert fired_template(template, condition, {"a": 0, "b": 2}) == \
        "连续{b}个季度没有销售；其他{c}"
    assert fired_template(template, condition, {"a": 3, "b": 2}) == template


@pytest.mark.parametrize(("fact", "shown"), [
    ({"a": 1, "b": 0}, "{a} a; {c} c"),
    ({"a": 0, "b": 1}, "{b} b; {c} c"),
    ({"a": 1, "b": 1}, "{a} a; {b} b; {c} c"),
])
def test_only_the_alternatives_that_held_are_shown(fact: dict[str, int], shown: str) -> None:
    condition = AnyOf((_gt("a", 0), _gt("b", 0)))
    assert fired_template("{a} a; {b} b; {c} c", condition, fact) == shown


def test_a_clause_citing_a_limit_is_kept_only_where_that_limit_was_broken() -> None:
    """One figure, two limits: "probability 60%, above the 50% an early stage can claim" is
    never said of a deal that fired on the other limit."""
    low = Compare("p", "<", ThresholdRef("least", 0.5), "p < $least")
    high = Compare("p", ">", ThresholdRef("most", 0.4), "p > $most")
    condition = AnyOf((AllOf((_gt("late", 0), low)), AllOf((_gt("early", 0), high))))
    template = "{p} below {$least}; {p} above {$most}; {c}"
    assert fired_template(template, condition, {"late": 1, "early": 0, "p": 0.3}) == \
        "{p} below {$least}; {c}"
    assert fired_template(template, condition, {"late": 0, "early": 1, "p": 0.6}) == \
        "{p} above {$most}; {c}"


def test_a_part_under_not_speaks_when_it_fails() -> None:
    # not (a > 0 and b > 0), with a = 0: a's failure fired the rule, b held but decided nothing.
    condition = Not(AllOf((_gt("a", 0), _gt("b", 0))))
    assert fired_template("{a} a; {b} b", condition, {"a": 0, "b": 5}) == "{a} a"


def test_an_all_of_that_failed_inside_an_any_shows_nothing() -> None:
    # any(all(s > 0, p > 5), d > 9): fired by d; p held but its `all` failed.
    condition = AnyOf((AllOf((_gt("s", 0), _gt("p", 5))), _gt("d", 9)))
    assert fired_template("{p} p; {d} d", condition, {"s": 0, "p": 6, "d": 10}) == "{d} d"


def test_unknown_figures_do_not_speak_and_nothing_left_keeps_all() -> None:
    condition = AnyOf((_gt("a", 0), _gt("b", 0)))
    assert fired_template("{a} a; {b} b", condition, {"a": None, "b": 2}) == "{b} b"
    assert fired_template("{a} a; {b} b", condition, {"a": 0, "b": 0}) == "{a} a; {b} b"
