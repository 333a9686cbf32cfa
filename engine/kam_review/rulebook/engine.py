"""The engine adapter: the one module that talks to durable-rules.

It compiles conditions into durable-rules rulesets and tells, for each fact, which rules
match it. The shape avoids the engine's known traps:
- facts, not events: an event is consumed by the first rule it matches;
- every fact gets a collision-free id (its position in the chunk), and the session state is
  deleted after every chunk, so nothing counts as "already seen" in the next one;
- a catch-all rule matches every fact, because a batch with an unmatched fact raises;
- `cap` hands each action all of a chunk's matches at once (the largest speed lever);
- matches are collected into sets, because an `$or` fires once per true branch;
- actions only record; nothing they do can raise into the engine, which would swallow it;
- one Host per process, never shared between threads, and without the background threads
  that would otherwise dispatch the ruleset while a batch is being asserted;
- no number reaches the engine as it is (see NumberCodes): it rejects floats that JSON writes
  in exponent form (1e-05, 1e+16) and mishandles integers beyond 64 bits, while facts hold
  exact figures of any size;
- it has no negation: `not` is pushed down to the leaves when a condition is compiled;
- one engine rule holds at most 15 `$and` / `$or`: a larger condition is matched in parts.
The conditions are compiled in engine_compile.py, which only this module imports.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable.engine

from kam_review.rulebook.conditions import Compare, Condition, FieldRef, fields_used, walk
from kam_review.rulebook.engine_compile import (
    NumberCodes,
    compile_condition,
    flat,
    groups,
    is_number,
)

# Facts per engine session; measured in bench/ (larger chunks grow the engine's state).
CHUNK_SIZE = 500
_TYPE_FIELD = "t"
_ID_FIELD = "id"
_CATCH_ALL = "seen"
# `$and` and `$or` in one engine rule: each adds two entries to the rule's expression
# sequence, which holds at most 31 (a larger rule fails with error 113); measured.
_MAX_GROUPS = 15
_PART = "\x00part"  # names of the engine rules a split rule is made of
# Facts whose matches a matcher keeps (RuleMatcher.matches). An account's fact is seldom met
# again and is the largest (a few KiB): this bounds a matcher's memory to some MiB.
_KNOWN_MOST = 4096

_host: durable.engine.Host | None = None
_host_thread: int | None = None
_names = itertools.count(1)


class EngineError(RuntimeError):
    """Raised when durable-rules refuses a ruleset or a batch of facts; a programming error in
    kam-review, never a problem of the user's files (those are rejected before)."""


@dataclass(frozen=True)
class EngineRule:
    """What the engine needs of a rule: a name, the fact type it tests, its condition."""

    name: str
    fact_type: str
    condition: Condition


class _SynchronousHost(durable.engine.Host):  # type: ignore[misc]
    """A host without its background dispatch threads.

    durable-rules' Host starts two timer threads that dispatch every ruleset every 0.2 s. They
    serve timers and asynchronous actions, which kam-review does not use, and they race with
    a batch being asserted on the main thread: on a slow run the engine then fails with
    "Could not complete and start action" (error 307). Facts asserted without a callback run
    their actions before `assert_facts` returns, so no thread is needed."""

    def _run(self) -> None:
        pass


def _the_host() -> durable.engine.Host:
    # A ruleset used from two threads can crash the process: one host per process, used
    # from the thread that made it.
    global _host, _host_thread
    if _host is None:
        _host = _SynchronousHost()
        _host_thread = threading.get_ident()
    elif _host_thread != threading.get_ident():
        raise EngineError("the rule engine is used from one thread only")
    return _host


def _placeable(value: Any) -> Any:
    if value != value:  # NaN has no place in an order; facts never hold one
        raise EngineError("a fact or constant is NaN, which no comparison can place")
    return value


def constants_of(rules: Iterable[EngineRule]) -> list[Any]:
    """Every constant and threshold value the rules compare a field with."""
    found: list[Any] = []
    for rule in rules:
        for leaf in walk(rule.condition):
            if isinstance(leaf, Compare) and not isinstance(leaf.operand, FieldRef):
                value = leaf.operand.value
                found.extend(value if isinstance(value, tuple) else (value,))
    return found


# A rule split into parts: a part's engine rule name, or all / any of parts.
_Parts = str | tuple[str, list["_Parts"]]


def _matched(parts: _Parts, names: set[str]) -> bool:
    if isinstance(parts, str):
        return parts in names
    how, items = parts
    return (all if how == "all" else any)(_matched(item, names) for item in items)


class RuleMatcher:
    """A compiled set of rules. `matches(facts)` tells which rules match each fact."""

    def __init__(self, rules: Sequence[EngineRule], type_field: str) -> None:
        self._rules = list(rules)
        self._type_field = type_field
        self._name = f"kam_review_{next(_names)}"
        # The fields each fact type must carry into the engine: only those the rules test.
        self._fields: dict[str, set[str]] = {}
        for rule in self._rules:
            self._fields.setdefault(rule.fact_type, set()).update(fields_used(rule.condition))
        self._collected: list[tuple[int, str]] | None = None
        # The matches of each fact as the engine was given it (see matches).
        self._known: dict[Hashable, frozenset[str]] = {}
        self._codes = NumberCodes(map(_placeable, constants_of(self._rules)))
        self._definition: dict[str, Any] = {}
        # Rules too large for one engine rule, matched from the parts the engine matched.
        self._split: list[tuple[str, _Parts]] = []
        for rule in self._rules:
            parts = self._register(rule.name, rule.fact_type, flat(
                compile_condition(rule.condition, self._codes)))
            if parts != rule.name:
                self._split.append((rule.name, parts))
        self._definition[_CATCH_ALL] = {
            "all": [{"m": {"$ex": {_TYPE_FIELD: 1}}}], "run": _ignore, "cap": CHUNK_SIZE}
        try:
            _the_host().register_rulesets({self._name: self._definition})
        except Exception as error:  # the engine raises bare Exceptions with a code
            raise EngineError(f"durable-rules refused the rules: {error}") from error

    def _register(self, name: str, fact_type: str, expression: dict[str, Any]) -> _Parts:
        """Define an engine rule for the expression, and-ed with its fact type test (so that
        no lone $nex can loop); an expression with more `$and`/`$or` than the engine takes
        in one rule becomes one engine rule per item, combined when the facts are matched."""
        test = flat({"$and": [{_TYPE_FIELD: fact_type}, expression]})
        (key, items), = expression.items()
        if groups(test) > _MAX_GROUPS and key in ("$and", "$or"):
            parts = [self._register(f"{_PART}{next(_names)}", fact_type, item) for item in items]
            return ("all" if key == "$and" else "any", parts)
        self._definition[f"r{len(self._definition)}"] = {
            "all": [{"m": test}], "run": self._recorder(name), "cap": CHUNK_SIZE}
        return name

    def __repr__(self) -> str:
        return f"RuleMatcher({self._name!r}, {len(self._rules)} rules)"

    def _recorder(self, rule_name: str) -> Callable[[Any], None]:
        def record(c: Any) -> None:
            collected = self._collected
            if collected is None:  # a late call for a chunk that already failed
                return
            for match in c.m:
                collected.append((int(match[_ID_FIELD]), rule_name))
        return record

    def _slim(self, fact: Mapping[str, Any]) -> dict[str, Any]:
        """What the engine is given of a fact: its type and the fields the rules test."""
        fact_type = fact[self._type_field]
        slim = {name: fact[name] for name in self._fields.get(fact_type, ()) if name in fact}
        slim[_TYPE_FIELD] = fact_type
        return slim

    def _chunk(self, slims: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The facts as the engine gets them: each with its id, numbers as codes (one
        numbering for the whole chunk, so that fields compare with each other)."""
        chunk = [slim | {_ID_FIELD: str(position)} for position, slim in enumerate(slims)]
        # The numbers found in one pass over every field of every fact, not one to code
        # them and another to replace them.
        numbers = [(slim, name, value) for slim in chunk for name, value in slim.items()
                   if is_number(value)]
        codes = self._codes.of_values(_placeable(value) for _, _, value in numbers)
        for slim, name, value in numbers:
            slim[name] = codes[value]
        return chunk

    def matches(self, facts: Sequence[Mapping[str, Any]]) -> list[set[str]]:
        """For each fact, in order, the names of the rules whose condition it meets.

        Each rule tests one fact, so what a fact matches depends on what the engine is given
        of it alone: a fact the engine is given as it was given one before (same fields,
        same values of the same types) is not asserted again but takes that one's matches.
        Many are: contacts alike in what the rules test, and most facts where only a few
        fields are tested (the comparisons of rules not evaluated, the verdicts)."""
        slims = [self._slim(fact) for fact in facts]
        keys = [_key(slim) for slim in slims]
        known = self._known
        if len(known) > _KNOWN_MOST:  # a long run: start afresh rather than grow
            known.clear()
        fresh: dict[Hashable, dict[str, Any]] = {}  # in order, each fact the engine is given
        for key, slim in zip(keys, slims, strict=True):
            if key not in known and key not in fresh:
                fresh[key] = slim
        for key, names in zip(fresh, self._matched(list(fresh.values())), strict=True):
            known[key] = frozenset(names)
        return [set(known[key]) for key in keys]

    def _matched(self, slims: Sequence[dict[str, Any]]) -> list[set[str]]:
        """For each fact as the engine is given it, the names of the rules it matches."""
        found: list[set[str]] = [set() for _ in slims]
        host = _the_host()
        for start in range(0, len(slims), CHUNK_SIZE):
            chunk = self._chunk(slims[start:start + CHUNK_SIZE])
            self._collected = []
            try:
                host.assert_facts(self._name, chunk)
                for position, rule_name in self._collected:
                    found[start + position].add(rule_name)
            except Exception as error:
                raise EngineError(f"durable-rules failed on a batch of facts: {error}") from error
            finally:
                self._collected = None
                host.delete_state(self._name, None)
        for names in found if self._split else ():
            whole = [name for name, parts in self._split if _matched(parts, names)]
            names.difference_update([name for name in names if name.startswith(_PART)])
            names.update(whole)
        return found


def _key(slim: Mapping[str, Any]) -> Hashable:
    """A fact as the engine is given it, as a key: each value with its type, so that 1, 1.0
    and True (equal in Python, not to the rules) stay apart. A fact holding NaN is refused
    at its first coming (_chunk), and nothing of a batch refused is kept."""
    return tuple((name, type(value), value) for name, value in slim.items())


def _ignore(c: Any) -> None:
    """The catch-all rule's action: the rule exists so that no fact goes unmatched."""

