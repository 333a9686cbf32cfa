"""The durable-rules adapter against an independent oracle, and its behaviour across runs."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_review.review.evaluate import evaluate
from kam_review.rulebook.conditions import parse_condition
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
from .oracle import holds

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


def _agree(matcher: RuleMatcher, rules: Iterable[EngineRule],
           facts: list[dict[str, Any]]) -> None:
    for fact, names in zip(facts, matcher.matches(facts), strict=True):
        expected = {r.name for r in rules if r.fact_type == fact[FACT_TYPE]
                    and holds(r.condition, fact)}
        assert names == expected, fact


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=_ALL_FACTS)
def test_durable_rules_agrees_with_the_oracle(rulebook: Rulebook, facts: list[dict[str, Any]]
                                              ) -> None:
    _agree(_matcher(rulebook), _rulebook_rules(rulebook), facts)


def _rulebook_rules(rulebook: Rulebook) -> list[EngineRule]:
    return [EngineRule(r.id, r.on, r.when) for r in rulebook.rules]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_engine_agrees_with_the_oracle_on_extreme_numbers(rulebook: Rulebook,
                                                             data: st.DataObject) -> None:
    numbers = _extreme(constants_of(_rulebook_rules(rulebook)))
    facts = data.draw(st.lists(st.one_of(*[_facts(t, numbers) for t in sorted(FACT_TYPES)]),
                               max_size=40))
    _agree(_matcher(rulebook), _rulebook_rules(rulebook), facts)


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
]
_EXTREME_RULES = [EngineRule(f"extreme.{i}", "account", parse_condition(
    raw, FACT_TYPES["account"], _EXTREME_THRESHOLDS)) for i, raw in enumerate(_EXTREME_CONDITIONS)]
_EXTREME_FIELDS = ("growth_yoy", "share_of_wallet", "revenue_ttm", "lifetime_revenue",
                   "plan_growth_target", "industry_growth", "margin_change_pts")
_EXTREME_MATCHER: list[RuleMatcher] = []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=st.lists(_facts("account", _extreme(constants_of(_EXTREME_RULES)),
                             _EXTREME_FIELDS), max_size=40))
def test_constants_of_any_size_compare_as_the_oracle_says(facts: list[dict[str, Any]]) -> None:
    if not _EXTREME_MATCHER:  # one ruleset for the run: durable-rules cannot unregister one
        _EXTREME_MATCHER.append(RuleMatcher(_EXTREME_RULES, FACT_TYPE))
    _agree(_EXTREME_MATCHER[0], _EXTREME_RULES, facts)


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
    _agree(_EXTREME_MATCHER[0], _EXTREME_RULES, facts)


def test_nan_is_refused_not_misplaced(rulebook: Rulebook) -> None:
    """Facts never hold NaN (a ratio that has none is left out); should one come, the
    adapter says so rather than give it a place in the order."""
    with pytest.raises(EngineError, match="NaN"):
        _matcher(rulebook).matches([{FACT_TYPE: "account", "growth_yoy": math.nan}])


_MATCHERS: dict[int, RuleMatcher] = {}


def _matcher(rulebook: Rulebook) -> RuleMatcher:
    # One ruleset for the whole test run: durable-rules cannot unregister one.
    key = id(rulebook)
    if key not in _MATCHERS:
        _MATCHERS[key] = RuleMatcher(_rulebook_rules(rulebook), FACT_TYPE)
    return _MATCHERS[key]


def test_chunks_do_not_leak_state(rulebook: Rulebook) -> None:
    """More facts than one chunk, all alike: every one must match, none seen as a repeat."""
    fact = {FACT_TYPE: "account", "senior_contacts_current": 0, "contacts_current": 3}
    facts = [dict(fact) for _ in range(CHUNK_SIZE * 2 + 7)]
    got = _matcher(rulebook).matches(facts)
    assert all("risk.no-executive-access" in names for names in got)


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
