"""The durable-rules adapter against an independent oracle, and its behaviour across runs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_review.accounts import load_portfolio
from kam_review.durable_engine import CHUNK_SIZE, EngineRule, RuleMatcher
from kam_review.evaluate import evaluate
from kam_review.fact_fields import FACT_TYPES
from kam_review.facts import FACT_TYPE
from kam_review.rulebook import Rulebook

from .conftest import ACCOUNTS, AS_OF
from .oracle import holds

_ENUMS = {"stage": ["target", "opportunity", "intent", "initiated", "recognition",
                    "negotiation", "closed", "lost"],
          "style": ["analytical", "direct", "social", "conceptual"],
          "attitude": ["supporter", "neutral", "opponent"],
          "relationship_stage": ["gestation", "early", "mid", "partnership", "synergistic"]}


def _value(name: str, kind: str) -> st.SearchStrategy[Any]:
    if kind == "bool":
        return st.booleans()
    if kind == "text":
        return st.sampled_from(_ENUMS.get(name, ["a", "b"]))
    # Numbers near the thresholds matter most: small integers, ratios, and exact boundaries.
    return st.one_of(st.integers(-5, 400),
                     st.sampled_from([0, 0.1, 0.15, 0.25, 0.3, 0.5, -0.1, -0.15, -3, 3, 4, 92]),
                     st.floats(-2, 10, allow_nan=False).map(lambda x: round(x, 3)))


def _facts(fact_type: str) -> st.SearchStrategy[dict[str, Any]]:
    fields = FACT_TYPES[fact_type]
    return st.fixed_dictionaries({FACT_TYPE: st.just(fact_type)}, optional={
        name: _value(name, spec.kind) for name, spec in fields.items()
        if name not in ("account", "subject")})


_ALL_FACTS = st.lists(st.one_of(*[_facts(t) for t in sorted(FACT_TYPES)]), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=_ALL_FACTS)
def test_durable_rules_agrees_with_the_oracle(rulebook: Rulebook, facts: list[dict[str, Any]]
                                              ) -> None:
    matcher = _matcher(rulebook)
    got = matcher.matches(facts)
    for fact, names in zip(facts, got, strict=True):
        expected = {r.id for r in rulebook.rules
                    if r.on == fact[FACT_TYPE] and holds(r.when, fact)}
        assert names == expected, fact


_MATCHERS: dict[int, RuleMatcher] = {}


def _matcher(rulebook: Rulebook) -> RuleMatcher:
    # One ruleset for the whole test run: durable-rules cannot unregister one.
    key = id(rulebook)
    if key not in _MATCHERS:
        _MATCHERS[key] = RuleMatcher([EngineRule(r.id, r.on, r.when) for r in rulebook.rules],
                                     FACT_TYPE)
    return _MATCHERS[key]


def test_chunks_do_not_leak_state(rulebook: Rulebook) -> None:
    """More facts than one chunk, all alike: every one must match, none seen as a repeat."""
    fact = {FACT_TYPE: "account", "executives_current": 0, "contacts_current": 3}
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

    _matcher(rulebook).matches([{FACT_TYPE: "account", "executives_current": 0}])
    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert timers == []
