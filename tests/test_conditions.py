"""The condition language: what its grammar reads, the tree it builds, the errors it gives
(with their offset, and their line and column in the rule file), and the walks over the tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_review.errors import RulebookError
from kam_review.review.evaluate import evaluate
from kam_review.review.explain import explain_text
from kam_review.rulebook.condition_parser import (
    EXAMPLES,
    GRAMMAR,
    MAX_NESTING,
    ConditionError,
    parse_condition,
)
from kam_review.rulebook.conditions import (
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Const,
    FieldRef,
    Not,
    Presence,
    ThresholdRef,
    fields_used,
    outline,
    thresholds_used,
    walk,
)
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.facts import FACT_TYPE
from kam_review.rulebook.loading import load_rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.source.text_positions import TextPositions
from kam_review.website.pages.catalogue import rules_page

from .conftest import ACCOUNTS, AS_OF, RULES

_FIELDS = FACT_TYPES["opportunity"]
_THRESHOLDS = {"five": 5, "late_stage_min_probability": 0.5}


def _read(raw: Any) -> Condition:
    return parse_condition(raw, _FIELDS, _THRESHOLDS)


def _problems(raw: Any) -> list[tuple[str, tuple[str | int, ...], int | None]]:
    with pytest.raises(ConditionError) as caught:
        _read(raw)
    return [(p.message, p.path, p.offset) for p in caught.value.problems]


@pytest.mark.parametrize(("written", "value"), [
    ("5", 5), ("-2", -2), (".5", 0.5), ("-.5", -0.5), ("0.25", 0.25), ("1e-3", 0.001),
    ("2.5E6", 2_500_000), ("1E+2", 100), ("0", 0), ("5e-324", 5e-324)])
def test_numbers(written: str, value: float) -> None:
    condition = _read(f"value > {written}")
    assert condition == Compare("value", ">", Const(value), f"value > {written}")
    assert isinstance(condition, Compare) and isinstance(condition.operand, Const)
    # Integers stay integers (exact), the rest are floats.
    assert type(condition.operand.value) is (int if written.lstrip("-").isdigit() else float)


@pytest.mark.parametrize(("written", "value"), [
    ("'a, b'", "a, b"), ('"a, b"', "a, b"), ("'it\\'s'", "it's"), ('"say \\"hi\\""', 'say "hi"'),
    ("'[x], (y) or z'", "[x], (y) or z"), ("'back\\\\slash'", "back\\slash"), ("''", ""),
    ('"it\'s"', "it's"), ("'x == \"y\"'", 'x == "y"')])
def test_quoted_text(written: str, value: str) -> None:
    assert _read(f"name == {written}") == Compare("name", "==", Const(value),
                                                  f"name == {written}")


def test_an_in_list_holds_quoted_commas_and_brackets() -> None:
    text = "name in ['a, b', \"c]\", '', 'd']"
    assert _read(text) == Compare("name", "in", Const(("a, b", "c]", "", "d")), text)


@pytest.mark.parametrize(("text", "expected"), [
    ("is_open == true", Compare("is_open", "==", Const(True), "is_open == true")),
    ("is_open != false", Compare("is_open", "!=", Const(False), "is_open != false")),
    ("value>=$five", Compare("value", ">=", ThresholdRef("five", 5), "value>=$five")),
    ("value > -2", Compare("value", ">", Const(-2), "value > -2")),
    ("value>-2", Compare("value", ">", Const(-2), "value>-2")),
    ("weighted_value < value", Compare("weighted_value", "<", FieldRef("value"),
                                       "weighted_value < value")),
    ("  value  is  missing ", Presence("value", True, "value  is  missing")),
    ("value is known", Presence("value", False, "value is known")),
])
def test_tests(text: str, expected: Condition) -> None:
    assert _read(text) == expected


def _leaf(name: str) -> Compare:
    return Compare(name, ">", Const(1), f"{name} > 1")


V, P, D = _leaf("value"), _leaf("probability"), _leaf("days_to_close")


@pytest.mark.parametrize(("text", "expected"), [
    ("value > 1 or probability > 1 and days_to_close > 1", AnyOf((V, AllOf((P, D))))),
    ("value > 1 and probability > 1 or days_to_close > 1", AnyOf((AllOf((V, P)), D))),
    ("(value > 1 or probability > 1) and days_to_close > 1", AllOf((AnyOf((V, P)), D))),
    ("not value > 1 and probability > 1", AllOf((Not(V), P))),
    ("not (value > 1 and probability > 1)", Not(AllOf((V, P)))),
    ("not not value > 1", Not(Not(V))),
    ("value > 1 and probability > 1 and days_to_close > 1", AllOf((V, P, D))),
    ("value > 1 or probability > 1 or days_to_close > 1", AnyOf((V, P, D))),
    ("((value > 1))", V),
    ("not(value > 1)or(probability > 1)", AnyOf((Not(V), P))),
])
def test_precedence_not_and_or(text: str, expected: Condition) -> None:
    assert _read(text) == expected


def test_yaml_lists_and_not_hold_texts() -> None:
    raw = {"all": ["value > 1", {"not": {"any": ["probability > 1 or days_to_close > 1"]}}]}
    assert _read(raw) == AllOf((V, Not(AnyOf((AnyOf((P, D)),)))))


@pytest.mark.parametrize(("text", "message", "offset"), [
    ("valu > 1", "unknown fact 'valu' (did you mean 'value'?)", 0),
    ("value > $fiv", "unknown threshold 'fiv' (did you mean 'five'?)", 8),
    ("value > valu", "unknown fact 'valu' (did you mean 'value'?)", 8),
    ("value =~ 1", "unknown operator '=~' (operators: == != < <= > >= in, is missing, "
                   "is known)", 6),
    ("value = 1", "unknown operator '=' (did you mean '=='? operators:", 6),
    ("value => 1", "did you mean '>='?", 6),
    ("value=-2", "unknown operator '=' (did you mean '=='?", 5),
    ("value > 1 && days_to_close > 1", "cannot read '&&': write and", 10),
    ("value > 1 || days_to_close > 1", "cannot read '||': write or", 10),
    ("value >", "expected a value after '>': a number, quoted text, true, false, a $threshold "
                "or a fact name, got the end of the condition", 7),
    ("value > and", "expected a value after '>'", 8),
    ("value > 1 and", "expected a fact name, 'not' or '(', got the end of the condition", 13),
    ("value 1", "expected an operator after 'value'", 6),
    ("(value > 1", "the '(' opened here is not closed", 0),
    ("(value > 1 probability", "expected and, or or ')', got 'probability'", 11),
    ("value > 1)", "')' without a matching '('", 9),
    ("value > 1 probability > 1", "expected and, or or the end of the condition, got "
                                  "'probability'", 10),
    ("value > 1 AND value < 2", "got 'AND' (keywords are written in lower case)", 10),
    ("name == 'abc", "the quoted text opened with ' is not closed", 8),
    ('name == "abc\'', 'the quoted text opened with " is not closed', 8),
    ("name == 'a\\n'", "unknown escape '\\n' in quoted text", 10),
    ("value > 1.", "cannot read the number '1.'", 8),
    ("value > 1e", "cannot read the number '1e'", 8),
    ("value > 1.2.3", "cannot read the number '1.2.3'", 8),
    ("value > 5kg", "cannot read the number '5kg'", 8),
    ("value > $", "a threshold is written $name", 8),
    ("value # 5", "cannot read '#' here", 6),
    ("value in []", "an `in` list needs at least one value", 10),
    ("value in [1,]", "expected a value in a list: a number, quoted text, true or false, "
                      "got ']'", 12),
    ("value in [1 2]", "expected ',' or ']' in the list, got '2'", 12),
    ("value in [$five]", "expected a value in a list", 10),
    ("value == [1]", "a list of values goes with `in`, not `==`", 6),
    ("value in 5", "`in` needs a list of values like ['a', 'b']", 9),
    ("value is gone", "expected missing or known after 'is', got 'gone'", 9),
    ("stage > 'a'", "'stage' is text: it can only be tested with == or !=", 6),
    ("value == 'a'", "'value' is number, compared with text", 9),
    ("value in [1, 'a']", "'value' is number, compared with text", 9),
    ("is_open == 1", "'is_open' is bool, compared with number", 11),
    ("name == value", "'name' is text, compared with number", 8),
    ("value > 1e-400", "1e-400 is closer to 0 than kam-review computes with", 8),
    ("value > 1e400", "1e400 is beyond the largest number kam-review computes with", 8),
    ("value > " + "9" * 400, "is beyond the largest number", 8),
    ("", "expected a fact name, 'not' or '(', got the end of the condition", 0),
    ("and", "expected a fact name, 'not' or '(', got 'and'", 0),
])
def test_errors_say_what_and_where(text: str, message: str, offset: int) -> None:
    (found,) = [problem for problem in _problems(text) if message in problem[0]]
    assert found[2] == offset, found


def test_a_tiny_number_that_is_zero_is_fine() -> None:
    assert _read("value > 0.0e-400") == Compare("value", ">", Const(0.0), "value > 0.0e-400")


def test_every_unknown_name_of_a_text_is_reported() -> None:
    assert _problems("valu > 1 and stag == 'a' or value > $fiv") == [
        ("unknown fact 'valu' (did you mean 'value'?)", (), 0),
        ("unknown fact 'stag' (did you mean 'stage'?)", (), 13),
        ("unknown threshold 'fiv' (did you mean 'five'?)", (), 36)]


def test_every_item_of_a_list_is_checked() -> None:
    raw = {"all": ["valu > 1", {"not": ["value > 1"]}, "value > 1", {"any": ["stage >"]}, 5]}
    assert [(path, offset) for _, path, offset in _problems(raw)] == [
        (("all", 0), 0), (("all", 1, "not"), None), (("all", 3, "any", 0), 7), (("all", 4), None)]


@pytest.mark.parametrize("raw", [None, 5, True, [], {}, {"all": []}, {"any": "value > 1"},
                                 {"all": ["value > 1"], "any": ["value > 1"]}, {"none": ["x"]}])
def test_structures_that_are_not_conditions(raw: Any) -> None:
    (problem,) = _problems(raw)
    assert problem[0].startswith("a condition is text like 'growth_yoy >= $name', `all:` or "
                                 "`any:` with a non-empty list of conditions, or `not:`")


@pytest.mark.parametrize("opener", ["not ", "(", "not ("])
def test_nesting_is_bounded(opener: str) -> None:
    def nested(depth: int) -> str:
        closer = ")" * opener.count("(")
        return opener * depth + "value > 1" + closer * depth

    assert MAX_NESTING == 32
    _read(nested(32 // len(opener.split())))
    too_deep = nested(32 // len(opener.split()) + 1)
    (problem,) = _problems(too_deep)
    assert problem[0] == "nested deeper than 32 levels of parentheses and `not`"
    assert _problems(nested(5000))[0][0] == problem[0]  # no RecursionError


_PIECES = st.sampled_from([
    "value", "stage", "probability", "valu", "$five", "$", "and", "or", "not", "in", "is",
    "missing", "known", "true", "(", ")", "[", "]", ",", "'", '"', "\\", "==", "!=", "<",
    ">=", "=", "&&", "5", "-2", ".5", "1e-3", "1e400", "1.", "'a, b'", " ", "  ", "\t", "#",
    "\u00e9", "\u202e"])


@settings(max_examples=400, deadline=None)
@given(text=st.lists(_PIECES, max_size=12).map("".join))
def test_any_text_reads_or_fails_with_its_offset(text: str) -> None:
    try:
        _read(text)
    except ConditionError as error:
        assert error.problems
        assert all(p.offset is not None and 0 <= p.offset <= len(text) for p in error.problems)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(_PIECES, min_size=1, max_size=12).map("".join))
def test_errors_in_any_text_point_into_its_line(tmp_path: Path, text: str) -> None:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    for name in ("thresholds.yaml", "funnel.yaml"):
        shutil.copy(RULES / name, rules / name)
    line = f"    when: {json.dumps(text)}"  # a YAML double-quoted scalar
    (rules / "bad.yaml").write_text(_GRAMMAR_RULES.replace(
        "    when: plan_growth_target is missing and not (customer_years < 1)", line),
        encoding="utf-8")
    try:
        load_rulebook(rules)
    except RulebookError as error:
        for found in (e for e in error.errors if e.field == "rules[0].when"):
            assert (found.line, found.file.endswith("bad.yaml")) == (8, True), found
            assert 11 <= found.column <= len(line) + 1, (found, line)


def test_walks_reach_every_leaf() -> None:
    condition = _read({"any": ["not (weighted_value < value) and stage is missing",
                               {"not": "probability > $late_stage_min_probability"}]})
    assert [leaf.text for leaf in walk(condition)] == [
        "weighted_value < value", "stage is missing",
        "probability > $late_stage_min_probability"]
    assert fields_used(condition) == {"weighted_value", "value", "stage", "probability"}
    assert thresholds_used(condition) == ["late_stage_min_probability"]


def test_outline_shows_negations_readably() -> None:
    condition = _read({"all": [
        "not value > 1", "not (value > 1 or probability > 1)", "not (value > 1 and stage is known)",
        "not not value > 1", "value is missing"]})
    assert outline(condition) == [
        "all of:",
        "  not (value > 1)",
        "  none of:", "    value > 1", "    probability > 1",
        "  not all of:", "    value > 1", "    stage is known",
        "  not:", "    not (value > 1)",
        "  value is missing"]


def test_the_documented_examples_are_valid() -> None:
    for example in EXAMPLES:
        assert any(_parses(example, fields) for fields in FACT_TYPES.values()), example


def _parses(text: str, fields: Any) -> bool:
    try:
        parse_condition(text, fields, {"fast_growing_min_growth_yoy": 0.25})
    except ConditionError:
        return False
    return True


def test_positions_inside_yaml_text(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "a: x > 1 and y\n"
        "b: 'it''s x > 1'\n"
        "c: \"say \\\"x\\\" y\"\n"
        "d: >-\n  first line\n  second line\n"
        "e:\n  - [one, \"two three\"]\n", encoding="utf-8")
    positions = TextPositions(path)
    assert positions.position(("a",), 0) == (1, 4)
    assert positions.position(("a",), 10) == (1, 14)
    assert positions.position(("a",), 11) == (1, 15)  # the end of the text
    assert positions.position(("b",), 5) == (2, 11)  # after '' (one quote in the value)
    assert positions.position(("c",), 4) == (3, 10)  # at the escaped quote's character
    assert positions.position(("c",), 8) == (3, 15)
    assert positions.position(("c",), 9) == (3, 16)  # the end: the closing quote
    assert positions.position(("d",), 11) == (6, 3)  # folded: "second" on the next line
    assert positions.position(("e", 0, 1), 4) == (8, 16)
    assert positions.position(("a",), 12) is None
    assert positions.position(("x",), 0) is None
    assert positions.position(("e",), 0) is None
    path.write_bytes("a: 1\r\nb: >-\r\n  \u00e9 > 1\r\n  and yy\r\n".encode())
    assert TextPositions(path).position(("b",), 10) == (4, 7)  # CRLF lines, characters


_GRAMMAR_RULES = """\
kind: risk
rules:
  - id: risk.no-growth-target
    title: No growth target
    severity: low
    source: ["001"]
    on: account
    when: plan_growth_target is missing and not (customer_years < 1)
    message: "no growth target after {customer_years:num} years"
    rationale: Why it matters.
    action: What to do.
  - id: risk.quiet-or-unknown
    title: Quiet, or never measured
    severity: low
    source: ["001"]
    on: account
    when:
      not:
        any:
          - days_since_activity is missing
          - days_since_activity <= 60
    message: "quiet"
    rationale: Why it matters.
    action: What to do.
"""
_GRAMMAR_CLASS = """\
kind: class
rules:
  - id: class.unmeasured
    title: Not measured
    severity: info
    source: ["001"]
    on: account
    precedence: 1
    when: growth_yoy is missing and not (lifetime_revenue > 0.5e12)
    message: "no growth figure"
    rationale: Why it matters.
    action: What to do.
"""


def test_a_rules_folder_written_with_the_grammar(tmp_path: Path) -> None:
    """Rules using `is missing`, `not`, `not:`, numbers like 0.5e12: the engine fires each
    exactly where the documented meaning says, explanations and the catalogue show them."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "grammar-risks.yaml").write_text(_GRAMMAR_RULES, encoding="utf-8")
    (rules / "grammar-classes.yaml").write_text(_GRAMMAR_CLASS, encoding="utf-8")
    result = evaluate(load_portfolio(ACCOUNTS), load_rulebook(rules), AS_OF)
    fired = {rule: set() for rule in ("risk.no-growth-target", "risk.quiet-or-unknown")}
    expected: dict[str, set[str]] = {rule: set() for rule in fired}
    for item in result.accounts:
        for finding in item.findings:
            fired.get(finding.rule, set()).add(item.account.id)
        fact = next(f for f in item.facts if f[FACT_TYPE] == "account")
        years, days = fact.get("customer_years"), fact.get("days_since_activity")
        if "plan_growth_target" not in fact and (years is None or not years < 1):
            expected["risk.no-growth-target"].add(item.account.id)
        if days is not None and not days <= 60:
            expected["risk.quiet-or-unknown"].add(item.account.id)
        growth_missing = "growth_yoy" not in fact
        applies = growth_missing and not fact.get("lifetime_revenue", 0) > 0.5e12
        # class.dormant shares precedence 1 and comes first by id: where it applies, it wins.
        if item.klass != "dormant":
            assert (item.klass == "unmeasured") == applies, item.account.id
    assert fired == expected
    assert all(expected.values()) and any(a.klass == "unmeasured" for a in result.accounts)
    unmeasured = next(a for a in result.accounts if a.klass == "unmeasured")
    text = explain_text(unmeasured, result)
    assert "class.unmeasured: applies" in text
    assert "    all of:\n      yes growth, last 4 quarters against the 4 before: unknown, " \
        "needs it unknown\n          growth_yoy is missing  (growth_yoy = absent: " in text
    # A comparison under `not` is shown failing under its own head: the rule applies.
    assert "      not:\n        no  lifetime revenue: " in text
    assert "no  lifetime revenue: " in text
    assert "\n            lifetime_revenue > 0.5e12  (lifetime_revenue = " in text
    page = rules_page(result)
    assert "## How conditions are written" in page
    assert "\n".join(f"    {line}" for line in GRAMMAR.splitlines()) in page
    assert all(f"- `{example}`" in page for example in EXAMPLES)
    assert "    all of:\n      plan_growth_target is missing\n      not (customer_years < 1)" \
        in page
    assert "    none of:\n      days_since_activity is missing\n      days_since_activity " \
        "<= 60" in page
