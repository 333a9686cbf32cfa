"""The durable-rules adapter against an independent oracle, and its behaviour across runs."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_review.review.evaluate import evaluate
from kam_review.review.leaves import not_evaluated
from kam_review.rulebook import engine as engine_module
from kam_review.rulebook.condition_parser import parse_condition
from kam_review.rulebook.conditions import fields_used
from kam_review.rulebook.engine import (
    CHUNK_SIZE,
    EngineError,
    EngineRule,
    RuleMatcher,
    constants_of,
)
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.facts import FACT_TYPE
from kam_review.rulebook.loading import Rulebook
from kam_review.source.accounts import load_portfolio

from .conftest import ACCOUNTS, AS_OF
from .oracle import Predicate, predicate, rule_predicates

_ENUMS = {"stage": ["target", "opportunity", "intent", "initiated", "recognition",
                    "negotiation", "closed", "lost"],
          "style": ["analytical", "direct", "social", "conceptual"],
          "attitude": ["supporter", "neutral", "opponent"],
          "relationship_stage": ["gestation", "early", "mid", "partnership", "synergistic"]}


# Numbers near the thresholds matter most: small integers, ratios, and exact boundaries.
_NEAR_THRESHOLDS = st.one_of(
    st.integers(-5, 400),
    st.sampled_from([0, 0.1, 0.15, 0.25, 0.3, 0.5, -0.1, -0.15, -3, 3, 4, 92]),
    st.floats(-2, 10, allow_nan=False).map(lambda x: round(x, 3)))


def _value(name: str, kind: str, numbers: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    if kind == "bool":
        return st.booleans()
    if kind == "text":
        return st.sampled_from(_ENUMS.get(name, ["a", "b"]))
    return numbers


def _facts(fact_type: str, numbers: st.SearchStrategy[Any] = _NEAR_THRESHOLDS,
           only: Iterable[str] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    fields = FACT_TYPES[fact_type]
    names = [name for name in (only or fields) if name not in ("account", "subject")]
    return st.fixed_dictionaries({FACT_TYPE: st.just(fact_type)}, optional={
        name: _value(name, fields[name].kind, numbers) for name in names})


_ALL_FACTS = st.lists(st.one_of(*[_facts(t) for t in sorted(FACT_TYPES)]), max_size=40)


def _around(values: Iterable[Any]) -> list[Any]:
    """Each number with its nearest neighbours: the next floats either side, and for an
    integer the integers either side."""
    found: list[Any] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        found += [value, math.nextafter(float(value), -math.inf),
                  math.nextafter(float(value), math.inf)]
        if isinstance(value, int):
            found += [value - 1, value + 1]
    return found


def _extreme(constants: Iterable[Any]) -> st.SearchStrategy[Any]:
    """Numbers of every size the engine cannot take as they are, and the neighbours of every
    constant the rules compare with; small pools, so that two fields are often equal."""
    edges = [0, -0.0, 5e-324, -5e-324, 1e-05, 0.0001, 0.00003, 1e15, 1e16, 2.4e9 + 0.5,
             2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30, 1e300, -1e300,
             1.7976931348623157e308]
    return st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                     st.integers(-(2**80), 2**80),
                     st.sampled_from(_around([*constants, *edges])))


def _agree(matcher: RuleMatcher, rules: Sequence[EngineRule], facts: list[dict[str, Any]],
           oracle: Mapping[str, Predicate], unknown: bool = False) -> None:
    """The engine matches each fact with exactly the rules the oracle says are true on it
    (not false, not unknown); with `unknown`, the rules found not evaluated on it (judged
    comparison by comparison in the engine) are exactly those the oracle says are unknown."""
    matched = matcher.matches(facts)
    for fact, names in zip(facts, matched, strict=True):
        expected = {r.name for r in rules if r.fact_type == fact[FACT_TYPE]
                    and oracle[r.name](fact) is True}
        assert names == expected, fact
    if not unknown:
        return
    for fact, found in zip(facts, not_evaluated(rules, facts, matched), strict=True):
        expected = {r.name for r in rules if r.fact_type == fact[FACT_TYPE]
                    and oracle[r.name](fact) is None}
        assert set(found) == expected, fact
        for name, fields in found.items():  # what it needs is absent, and used by the rule
            rule = next(r for r in rules if r.name == name)
            assert fields and all(fact.get(f) is None for f in fields), (fact, name)
            assert set(fields) <= fields_used(rule.condition), (fact, name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=_ALL_FACTS)
def test_durable_rules_agrees_with_the_oracle(rulebook: Rulebook, facts: list[dict[str, Any]]
                                              ) -> None:
    _agree(_matcher(rulebook), _rulebook_rules(rulebook), facts, _rulebook_oracle(rulebook),
           unknown=True)


def _rulebook_rules(rulebook: Rulebook) -> list[EngineRule]:
    return [EngineRule(r.id, r.on, r.when) for r in rulebook.rules]


_ORACLES: dict[int, dict[str, Predicate]] = {}


def _rulebook_oracle(rulebook: Rulebook) -> dict[str, Predicate]:
    key = id(rulebook)
    if key not in _ORACLES:
        _ORACLES[key] = rule_predicates(rulebook.folder, rulebook.threshold_values())
    return _ORACLES[key]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_engine_agrees_with_the_oracle_on_extreme_numbers(rulebook: Rulebook,
                                                             data: st.DataObject) -> None:
    numbers = _extreme(constants_of(_rulebook_rules(rulebook)))
    facts = data.draw(st.lists(st.one_of(*[_facts(t, numbers) for t in sorted(FACT_TYPES)]),
                               max_size=40))
    _agree(_matcher(rulebook), _rulebook_rules(rulebook), facts, _rulebook_oracle(rulebook))


# Rules whose constants durable-rules would reject or mishandle as they are: floats written
# in exponent form, integers beyond 2**53 and 2**63, and thresholds of any size.
_EXTREME_THRESHOLDS = {"tiny": 0.00001, "vast": 1e300, "huge_int": 10**25}
_EXTREME_CONDITIONS: list[Any] = [
    "growth_yoy > 0.00001", "growth_yoy <= 0.0001", "share_of_wallet < $tiny",
    "revenue_ttm >= 10000000000000000", "revenue_ttm > 2400000000.5", "revenue_ttm < $vast",
    "lifetime_revenue == 9007199254740993", "lifetime_revenue != 9007199254740992",
    "lifetime_revenue > 99999999999999999999999", "lifetime_revenue <= $huge_int",
    "plan_growth_target < industry_growth", "plan_growth_target == industry_growth",
    "industry_growth >= revenue_ttm", "margin_change_pts >= -0.0001",
    "revenue_ttm in [0, 0.5, 1000000000000000000000]",
    {"all": ["growth_yoy > 0", "growth_yoy < 0.0001"]},
    {"any": ["revenue_ttm <= -1", "industry_growth != 0"]},
    # Exponent forms as the grammar reads them: JSON would write some of these as 1e-05.
    "growth_yoy > 1e-5", "revenue_ttm >= 1E16", "not (share_of_wallet < 2.5e-7)",
    "lifetime_revenue in [1e300, -1e-5] or growth_yoy is missing",
]
_EXTREME_RULES = [EngineRule(f"extreme.{i}", "account", parse_condition(
    raw, FACT_TYPES["account"], _EXTREME_THRESHOLDS)) for i, raw in enumerate(_EXTREME_CONDITIONS)]
_EXTREME_ORACLE = {f"extreme.{i}": predicate(raw, _EXTREME_THRESHOLDS)
                   for i, raw in enumerate(_EXTREME_CONDITIONS)}
_EXTREME_FIELDS = ("growth_yoy", "share_of_wallet", "revenue_ttm", "lifetime_revenue",
                   "plan_growth_target", "industry_growth", "margin_change_pts")
_EXTREME_MATCHER: list[RuleMatcher] = []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=st.lists(_facts("account", _extreme(constants_of(_EXTREME_RULES)),
                             _EXTREME_FIELDS), max_size=40))
def test_constants_of_any_size_compare_as_the_oracle_says(facts: list[dict[str, Any]]) -> None:
    if not _EXTREME_MATCHER:  # one ruleset for the run: durable-rules cannot unregister one
        _EXTREME_MATCHER.append(RuleMatcher(_EXTREME_RULES, FACT_TYPE))
    _agree(_EXTREME_MATCHER[0], _EXTREME_RULES, facts, _EXTREME_ORACLE)


def test_a_chunk_of_extreme_numbers_matches_each_fact_alone() -> None:
    """The codes of one chunk are numbered together; a fact's matches must not depend on
    the other facts in its chunk."""
    if not _EXTREME_MATCHER:
        _EXTREME_MATCHER.append(RuleMatcher(_EXTREME_RULES, FACT_TYPE))
    values = _around([0, 0.00001, 0.0001, 2**53 + 1, 10**25, 1e300, 2.4e9 + 0.5])
    facts = [{FACT_TYPE: "account", "growth_yoy": v, "revenue_ttm": v, "lifetime_revenue": v,
              "plan_growth_target": v, "industry_growth": w}
             for v in values for w in values[::7]]
    together = _EXTREME_MATCHER[0].matches(facts)
    assert together == [_EXTREME_MATCHER[0].matches([fact])[0] for fact in facts]
    _agree(_EXTREME_MATCHER[0], _EXTREME_RULES, facts, _EXTREME_ORACLE)


def test_nan_is_refused_not_misplaced(rulebook: Rulebook) -> None:
    """Facts never hold NaN (a ratio that has none is left out); should one come, the
    adapter says so rather than give it a place in the order."""
    with pytest.raises(EngineError, match="NaN"):
        _matcher(rulebook).matches([{FACT_TYPE: "account", "growth_yearly": math.nan}])


_MATCHERS: dict[int, RuleMatcher] = {}


def _matcher(rulebook: Rulebook) -> RuleMatcher:
    # One ruleset for the whole test run: durable-rules cannot unregister one.
    key = id(rulebook)
    if key not in _MATCHERS:
        _MATCHERS[key] = RuleMatcher(_rulebook_rules(rulebook), FACT_TYPE)
    return _MATCHERS[key]


def test_chunks_do_not_leak_state(rulebook: Rulebook) -> None:
    """More facts than one chunk, each asserted (they differ in a field a rule tests), all
    matching the same rule: every one must match, none seen as a repeat by the engine."""
    facts = [{FACT_TYPE: "account", "senior_contacts_current": 0, "contacts_current": 3 + i}
             for i in range(CHUNK_SIZE * 2 + 7)]
    got = _matcher(rulebook).matches(facts)
    assert all("risk.no-executive-access" in names for names in got)


_FLAG_RULES = [EngineRule(rule_id, "contact", parse_condition(text, FACT_TYPES["contact"], {}))
               for rule_id, text in (("flag-true", "is_current == true"),
                                     ("count-one", "days_since_contact == 1"))]
_FLAG_MATCHER: list[RuleMatcher] = []


def _flag_matcher() -> RuleMatcher:
    if not _FLAG_MATCHER:  # one ruleset for the run: durable-rules cannot unregister one
        _FLAG_MATCHER.append(RuleMatcher(_FLAG_RULES, FACT_TYPE))
    return _FLAG_MATCHER[0]


def _asserted(matcher: RuleMatcher, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of facts given to the engine, per batch, from now on."""
    sizes: list[int] = []
    real = RuleMatcher._chunk

    def counted(self: RuleMatcher, slims: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        sizes.append(len(slims))
        return real(self, slims)

    monkeypatch.setattr(RuleMatcher, "_chunk", counted)
    return sizes


def test_a_fact_given_as_before_is_not_asserted_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts that differ only in fields no rule tests are one fact to the engine: asserted
    once, in one call or the next, and each gets its own set of the same matches."""
    matcher = _flag_matcher()
    sizes = _asserted(matcher, monkeypatch)
    alike = [{FACT_TYPE: "contact", "is_current": True, "name": name} for name in "abc"]
    first = matcher.matches(alike)
    assert first == [{"flag-true"}] * 3 and sizes == [1]
    first[0].add("changed")  # a caller's set is its own
    assert matcher.matches(alike[:1]) == [{"flag-true"}] and sizes == [1]


def test_values_equal_in_python_but_not_to_the_rules_stay_apart(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """1, 1.0 and True are equal (and hash alike) in Python; to the rules True is a truth
    value and 1 a number. Each is asserted and matched for what it is, in either order."""
    matcher = _flag_matcher()
    sizes = _asserted(matcher, monkeypatch)
    for values in ([True, 1, 1.0], [1.0, 1, True]):
        facts = [{FACT_TYPE: "contact", "is_current": v, "days_since_contact": v}
                 for v in values]
        expected = [{"flag-true"} if v is True else {"count-one"} for v in values]
        assert matcher.matches(facts) == expected
    assert sizes[0] == 3


def test_nan_is_refused_however_often_it_comes(rulebook: Rulebook) -> None:
    """A fact holding the same NaN object twice, in one call or in two, is refused each
    time: it is never taken for a fact met before."""
    nan = math.nan
    fact = {FACT_TYPE: "account", "growth_yearly": nan}
    for facts in ([fact, dict(fact)], [fact]):
        with pytest.raises(EngineError, match="NaN"):
            _matcher(rulebook).matches(facts)


def test_a_matcher_that_keeps_many_facts_starts_afresh(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """The facts a matcher keeps are bounded: past the bound it forgets them, and the
    matches stay right."""
    monkeypatch.setattr(engine_module, "_KNOWN_MOST", 3)
    matcher = _flag_matcher()
    facts = [{FACT_TYPE: "contact", "days_since_contact": n} for n in range(10)]
    for _ in range(2):
        assert matcher.matches(facts) == [{"count-one"} if n == 1 else set()
                                          for n in range(10)]
        assert len(vars(matcher)["_known"]) <= 10
    matcher.matches(facts[:1])
    assert len(vars(matcher)["_known"]) == 1


def test_same_findings_in_the_same_order_twice_in_one_process(rulebook: Rulebook) -> None:
    first = evaluate(load_portfolio(ACCOUNTS), rulebook, AS_OF)
    second = evaluate(load_portfolio(ACCOUNTS), rulebook, AS_OF)
    assert [a.findings for a in first.accounts] == [a.findings for a in second.accounts]
    assert sum(len(a.findings) for a in first.accounts) > 50


def test_no_background_threads_race_the_engine(rulebook: Rulebook) -> None:
    """Regression: durable-rules' Host dispatches every ruleset from two timer threads; on a
    slow run (a progress bar on a terminal) they raced the main thread's batch and the engine
    failed with error 307. The adapter's host starts none."""
    import threading

    _matcher(rulebook).matches([{FACT_TYPE: "account", "senior_contacts_current": 0}])
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert timers == []


# -- generated conditions: the whole grammar, over facts with absent fields ------------------

_GRAMMAR_FIELDS = {"number": ["value", "probability", "days_to_close"],
                   "text": ["name", "stage"], "bool": ["is_open"]}
_GRAMMAR_THRESHOLDS = {"half": 0.5, "milli": 0.001, "big": 2500000, "minus": -2}
# Each constant with ways to write it: `.5`, `1e-3` and `2.5E6` among them.
_WRITTEN_NUMBERS: dict[int | float, list[str]] = {
    -2: ["-2", "-2.0", "-2e0"], 0: ["0", "0.0", ".0"], 0.5: [".5", "0.5", "5e-1", "5E-1"],
    0.25: ["0.25", ".25", "2.5e-1"], 0.001: ["1e-3", "0.001", ".001", "1E-3"],
    5: ["5", "5.0", "5e0"], 2500000: ["2.5E6", "2500000", "2.5e+6"]}
_TEXTS = ["a", "a, b", "it's", 'say "hi"', "[x]", "(p) or q", "", "back\\slash", "x == 'y'"]
_OR, _AND, _NOT, _LEAF = range(4)  # how tightly a piece of text binds


def _quoted(text: str, quote: str) -> str:
    return quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


@st.composite
def _constant(draw: st.DrawFn, kind: str) -> str:
    if kind == "number":
        return draw(st.sampled_from(_WRITTEN_NUMBERS[draw(st.sampled_from(
            list(_WRITTEN_NUMBERS)))]))
    if kind == "text":
        return _quoted(draw(st.sampled_from(_TEXTS)), draw(st.sampled_from(["'", '"'])))
    return draw(st.sampled_from(["true", "false"]))


@st.composite
def _grammar_leaf(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(list(_GRAMMAR_FIELDS)))
    field = draw(st.sampled_from(_GRAMMAR_FIELDS[kind]))
    form = draw(st.sampled_from(["compare", "field", "in", "presence"]))
    if form == "presence":
        return f"{field} is {draw(st.sampled_from(['missing', 'known']))}"
    if form == "in" and kind != "bool":
        values = draw(st.lists(_constant(kind), min_size=1, max_size=3))
        return f"{field} in [{', '.join(values)}]"
    ops = ["==", "!="] + (["<", "<=", ">", ">="] if kind == "number" else [])
    op = draw(st.sampled_from(ops))
    if form == "field":
        operand = draw(st.sampled_from(_GRAMMAR_FIELDS[kind]))
    elif kind == "number" and draw(st.booleans()):
        operand = "$" + draw(st.sampled_from(sorted(_GRAMMAR_THRESHOLDS)))
    else:
        operand = draw(_constant(kind))
    space = draw(st.sampled_from([" ", "", "  "]))
    return f"{field}{space}{op}{space}{operand}"


@st.composite
def _grammar_text(draw: st.DrawFn, depth: int = 0) -> tuple[str, int]:
    """A condition's text and how tightly it binds; parentheses where the precedence needs
    them, and now and then where it does not."""
    shape = draw(st.sampled_from(["leaf", "not", "and", "or"])) if depth < 3 else "leaf"
    if shape == "leaf":
        return draw(_grammar_leaf()), _LEAF
    if shape == "not":
        text, binds = draw(_grammar_text(depth + 1))
        return "not " + _wrapped(draw, text, binds < _NOT), _NOT
    own = _AND if shape == "and" else _OR
    parts = [draw(_grammar_text(depth + 1)) for _ in range(draw(st.integers(2, 3)))]
    return f" {shape} ".join(_wrapped(draw, text, binds < own) for text, binds in parts), own


def _wrapped(draw: st.DrawFn, text: str, needed: bool) -> str:
    return f"({text})" if needed or draw(st.integers(0, 4)) == 0 else text


@st.composite
def _grammar_condition(draw: st.DrawFn, depth: int = 0) -> Any:
    """A `when:` as a rule file holds it: text, or `all:` / `any:` / `not:` over conditions."""
    if depth >= 2 or draw(st.booleans()):
        return draw(_grammar_text())[0]
    key = draw(st.sampled_from(["all", "any", "not"]))
    if key == "not":
        return {"not": draw(_grammar_condition(depth + 1))}
    return {key: draw(st.lists(_grammar_condition(depth + 1), min_size=1, max_size=3))}


# The constants themselves half of the time: a boundary is where an operator's opposite errs.
_GRAMMAR_NUMBERS = st.one_of(st.sampled_from(list(_WRITTEN_NUMBERS)), st.sampled_from(
    [*_around(_WRITTEN_NUMBERS), 3, 0.3, 1e-4, 10**6]))
_GRAMMAR_FACTS = st.fixed_dictionaries({FACT_TYPE: st.just("opportunity")}, optional={
    **{name: _GRAMMAR_NUMBERS for name in _GRAMMAR_FIELDS["number"]},
    **{name: st.sampled_from(_TEXTS) for name in _GRAMMAR_FIELDS["text"]},
    "is_open": st.booleans()})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conditions=st.lists(_grammar_condition(), min_size=1, max_size=8),
       facts=st.lists(_GRAMMAR_FACTS, min_size=1, max_size=25))
def test_generated_conditions_agree_with_the_oracle(conditions: list[Any],
                                                    facts: list[dict[str, Any]]) -> None:
    """Any condition the grammar allows (not, is missing, and/or, parentheses, quoted text
    with commas, .5 and 1e-3) matches in durable-rules exactly the facts the oracle's own
    reading of the same text says, absent fields included."""
    rules = [EngineRule(f"g{i}", "opportunity", parse_condition(
        raw, FACT_TYPES["opportunity"], _GRAMMAR_THRESHOLDS)) for i, raw in enumerate(conditions)]
    oracle = {f"g{i}": predicate(raw, _GRAMMAR_THRESHOLDS) for i, raw in enumerate(conditions)}
    _agree(RuleMatcher(rules, FACT_TYPE), rules, facts, oracle, unknown=True)


_BOUNDARY_OPS = ["==", "!=", "<", "<=", ">", ">="]
_BOUNDARY_RULES = [EngineRule(f"{form}:{op}", "opportunity", parse_condition(
    text.format(op=op), FACT_TYPES["opportunity"], {"five": 5}))
    for op in _BOUNDARY_OPS for form, text in (
        ("constant", "not (value {op} 5)"), ("threshold", "not value {op} $five"),
        ("field", "not (value {op} probability)"), ("plain", "value {op} 5"))]
_BOUNDARY_MATCHER: list[RuleMatcher] = []


def test_negated_comparisons_at_their_boundaries() -> None:
    """`not (value < 5)` is `value >= 5` when value is known, and unknown (so never matched)
    when it is absent; each operator's opposite is pinned on both sides of the boundary and on
    it."""
    if not _BOUNDARY_MATCHER:
        _BOUNDARY_MATCHER.append(RuleMatcher(_BOUNDARY_RULES, FACT_TYPE))
    values: list[Any] = [4, 5, 5.0, 6, None]
    facts = [{FACT_TYPE: "opportunity", **({} if v is None else {"value": v}),
              **({} if p is None else {"probability": p})} for v in values for p in values]
    compare = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
               ">": operator.gt, ">=": operator.ge}
    for fact, names in zip(facts, _BOUNDARY_MATCHER[0].matches(facts), strict=True):
        value, other = fact.get("value"), fact.get("probability")
        for op in _BOUNDARY_OPS:
            held = value is not None and compare[op](value, 5)
            assert (f"plain:{op}" in names) == held, (fact, op)
            known = value is not None
            assert (f"constant:{op}" in names) == (known and not held), (fact, op)
            assert (f"threshold:{op}" in names) == (known and not held), (fact, op)
            both = known and other is not None
            held_both = both and compare[op](value, other)
            assert (f"field:{op}" in names) == (both and not held_both), (fact, op)
