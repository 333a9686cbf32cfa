"""An independent evaluator of rule conditions, in plain Python, for differential tests.

It reads the conditions as the rule files write them (text, `all:`, `any:`, `not:`) with a
scanner and parser of its own: nothing of kam-review's condition parser or tree is used, so
a mistake there shows up as a disagreement. It gives the meaning the rule language documents,
in three values (True, False, None = not evaluated), written out here on its own, not
Kleene's tables from the product: a comparison with an absent fact is None, `x is missing`
is true when x is absent (never None), `not` turns True and False round and keeps None, an
`or` with a True part is True, an `and` with a False part is False, and otherwise a None
part makes either None; `not` binds tighter than `and`, `and` tighter than `or`.
It assumes valid conditions (the product's loader rejects the others).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

Fact = Mapping[str, Any]
Truth = bool | None
Predicate = Callable[[Fact], Truth]

_SCAN = re.compile(r"""\s*(?:
    (?P<number>-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<text>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<threshold>\$[A-Za-z_]\w*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<mark>[()\[\],])
)""", re.VERBOSE)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge}


def holds(raw: Any, fact: Fact, thresholds: Mapping[str, float]) -> bool:
    """Whether the rule fires: its condition is true (not false, not unknown)."""
    return predicate(raw, thresholds)(fact) is True


def _not(value: Truth) -> Truth:
    return None if value is None else not value


def _any(values: Iterable[Truth]) -> Truth:
    seen = list(values)
    if True in seen:
        return True
    return None if None in seen else False


def _all(values: Iterable[Truth]) -> Truth:
    seen = list(values)
    if False in seen:
        return False
    return None if None in seen else True


def predicate(raw: Any, thresholds: Mapping[str, float]) -> Predicate:
    """The condition as a Python function of a fact."""
    if isinstance(raw, str):
        return _Text(raw, thresholds).read()
    (key, inner), = raw.items()
    if key == "not":
        part = predicate(inner, thresholds)
        return lambda fact: _not(part(fact))
    parts = [predicate(item, thresholds) for item in inner]
    if key == "all":
        return lambda fact: _all(p(fact) for p in parts)
    assert key == "any", raw
    return lambda fact: _any(p(fact) for p in parts)


def _scan(text: str) -> list[tuple[str, str]]:
    found, at = [], 0
    while text[at:].strip():
        match = _SCAN.match(text, at)
        assert match and match.lastgroup, f"oracle cannot read {text[at:]!r}"
        found.append((match.lastgroup, match.group(match.lastgroup)))
        at = match.end()
    return found


def _unquote(written: str) -> str:
    return re.sub(r"\\(.)", r"\1", written[1:-1])


def _number(written: str) -> int | float:
    return float(written) if re.search("[.eE]", written) else int(written)


class _Text:
    def __init__(self, text: str, thresholds: Mapping[str, float]) -> None:
        self.items = _scan(text)
        self.thresholds = thresholds
        self.at = 0

    def read(self) -> Predicate:
        result = self.any_of()
        assert self.at == len(self.items), self.items[self.at:]
        return result

    def look(self) -> str:
        return self.items[self.at][1] if self.at < len(self.items) else ""

    def next(self) -> tuple[str, str]:
        self.at += 1
        return self.items[self.at - 1]

    def any_of(self) -> Predicate:
        return self.chain("or", self.all_of, _any)

    def all_of(self) -> Predicate:
        return self.chain("and", self.unary, _all)

    def chain(self, word: str, part: Callable[[], Predicate],
              combine: Callable[[Iterable[Truth]], Truth]) -> Predicate:
        parts = [part()]
        while self.look() == word:
            self.next()
            parts.append(part())
        return lambda fact: combine(p(fact) for p in parts)

    def unary(self) -> Predicate:
        if self.look() == "not":
            self.next()
            part = self.unary()
            return lambda fact: _not(part(fact))
        if self.look() == "(":
            self.next()
            inner = self.any_of()
            assert self.next()[1] == ")"
            return inner
        return self.leaf()

    def leaf(self) -> Predicate:
        name = self.next()[1]
        kind, word = self.next()
        if word == "is":
            wants_missing = self.next()[1] == "missing"
            return lambda fact: (fact.get(name) is None) == wants_missing
        if word == "in":
            assert self.next()[1] == "["
            values = [self.value()]
            while self.next()[1] == ",":
                values.append(self.value())
            return lambda fact: None if fact.get(name) is None else any(
                fact[name] == v for v in values)
        assert kind == "op", word
        compare = _OPS[word]
        right = self.operand()
        return lambda fact: _both(fact.get(name), right(fact), compare)

    def operand(self) -> Callable[[Fact], Any]:
        kind, written = self.items[self.at]
        if kind == "threshold":
            self.next()
            value = self.thresholds[written[1:]]
            return lambda fact: value
        if kind == "word" and written not in ("true", "false"):
            self.next()
            return lambda fact: fact.get(written)
        constant = self.value()
        return lambda fact: constant

    def value(self) -> Any:
        kind, written = self.next()
        if kind == "number":
            return _number(written)
        if kind == "text":
            return _unquote(written)
        assert written in ("true", "false"), written
        return written == "true"


def _both(left: Any, right: Any, compare: Callable[[Any, Any], bool]) -> Truth:
    if left is None or right is None:
        return None
    return bool(compare(left, right))


def rule_predicates(folder: Path, thresholds: Mapping[str, float]) -> dict[str, Predicate]:
    """Each rule's condition in a rules folder, read from the files by this oracle."""
    found: dict[str, Predicate] = {}
    for path in sorted(folder.glob("*.yaml")):
        # The base loader keeps every scalar as written: a condition is its text.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        for rule in data.get("rules", []):
            found[rule["id"]] = predicate(rule["when"], thresholds)
    return found
