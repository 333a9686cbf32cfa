"""Reading a rule's `when:` into a condition tree, checked against the facts and thresholds.

The text is cut into tokens (condition_tokens.py) and read by a recursive-descent parser with
one function per precedence level (or < and < not < a single test). It is written by hand
rather than with a parser library: the language is a dozen tokens, and a hand-written parser
says exactly what it expected at the column where it stopped ("expected a value after '>'"),
without a dependency. A syntax error stops the reading of that text; unknown facts and
thresholds and type mismatches are all collected, so that one run reports every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kam_review.rulebook.condition_checks import Names, Problem, Where
from kam_review.rulebook.condition_tokens import (
    COMPARISONS,
    KEYWORDS,
    SyntaxProblem,
    Token,
    tokens,
)
from kam_review.rulebook.conditions import (
    TOO_LARGE,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    Const,
    FieldRef,
    Not,
    Operand,
    Presence,
    Scalar,
    ThresholdRef,
    within_float_range,
)
from kam_review.rulebook.fact_fields import FactField

# The grammar as the rule catalogue page and the README show it.
GRAMMAR = """\
condition  = either ;
either     = both { "or" both } ;
both       = negation { "and" negation } ;
negation   = "not" negation | "(" condition ")" | test ;
test       = fact ( "is" ( "missing" | "known" )
                  | ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) operand
                  | "in" "[" constant { "," constant } "]" ) ;
operand    = constant | "$" threshold | fact ;
constant   = number | text | "true" | "false" ;
number     = [ "-" ] ( digits [ "." digits ] | "." digits )
             [ ( "e" | "E" ) [ "+" | "-" ] digits ] ;
text       = "'" { character | "\\'" | "\\\\" } "'"
           | '"' { character | '\\"' | "\\\\" } '"' ;
fact       = name ;  threshold = name ;  (* "$" and the name are written together *)
name       = ( letter | "_" ) { letter | digit | "_" } ;  (* not a keyword *)"""

EXAMPLES = (
    "growth_yoy >= $fast_growing_min_growth_yoy",
    "share_of_wallet < .5 and growth_yoy > 1e-3",
    "stage in ['recognition', 'negotiation']",
    "name == 'Beds, tables and chairs'",
    "not (days_to_close < 0) or expected_close is missing",
    "has_buying_role == true and (left_days_ago <= 90 or attitude == \"opponent\")",
)

# Parentheses and `not`s inside one another: real conditions need a few; the limit keeps the
# parser's recursion bounded whatever the file holds.
MAX_NESTING = 32
_TOO_DEEP = f"nested deeper than {MAX_NESTING} levels of parentheses and `not`"
_VALUE = "a number, quoted text, true, false, a $threshold or a fact name"
_STRUCTURE = ("a condition is text like 'growth_yoy >= $name', `all:` or `any:` with a "
              "non-empty list of conditions, or `not:` with one condition")


class ConditionError(ValueError):
    """Raised by parse_condition with every problem of one rule's condition; the rule loader
    turns each into an error with the rule file's line and column."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


def parse_condition(
    raw: Any, fields: Mapping[str, FactField], thresholds: Mapping[str, float]
) -> Condition:
    """Read a condition written in a rule file, checking every fact and threshold it names."""
    problems: list[Problem] = []
    condition = _structure(raw, (), Names(fields, thresholds, problems))
    if problems or condition is None:
        raise ConditionError(problems or [Problem(_STRUCTURE)])
    return condition


def _structure(raw: Any, path: Where, names: Names) -> Condition | None:
    if isinstance(raw, str):
        return _text(raw, path, names)
    if isinstance(raw, dict) and len(raw) == 1:
        ((key, inner),) = raw.items()
        if key in ("all", "any") and isinstance(inner, list) and inner:
            items = [_structure(item, (*path, key, i), names) for i, item in enumerate(inner)]
            done = tuple(item for item in items if item is not None)
            if len(done) < len(items):
                return None
            return AllOf(done) if key == "all" else AnyOf(done)
        if key == "not" and isinstance(inner, list):
            names.problems.append(Problem("`not:` takes one condition, not a list (for none of "
                                          "several, write `not:` over `any:`)", (*path, key)))
            return None
        if key == "not":
            item = _structure(inner, (*path, key), names)
            return None if item is None else Not(item)
    names.problems.append(Problem(_STRUCTURE, path))
    return None


def _text(text: str, path: Where, names: Names) -> Condition | None:
    names.path = path
    try:
        reader = _Reader(text, tokens(text), names)
        condition = reader.either(0)
        reader.finish()
        return condition
    except SyntaxProblem as problem:
        names.problems.append(Problem(str(problem), path, problem.at))
        return None


class _Reader:
    """The parser proper: one method per precedence level, reading `tokens` left to right."""

    def __init__(self, text: str, found: list[Token], names: Names) -> None:
        self.text, self.tokens, self.names, self.next = text, found, names, 0

    def peek(self) -> Token:
        return self.tokens[self.next]

    def take(self) -> Token:
        token = self.tokens[self.next]
        self.next += 1
        return token

    def keyword(self, word: str) -> bool:
        if self.peek().kind == "name" and self.peek().text == word:
            self.next += 1
            return True
        return False

    def finish(self) -> None:
        token = self.peek()
        if token.kind == "end":
            return
        if token.text == ")":
            raise SyntaxProblem("')' without a matching '('", token.at)
        hint = " (keywords are written in lower case)" if token.text.lower() in KEYWORDS else ""
        raise SyntaxProblem(f"expected and, or or the end of the condition, got "
                            f"{token.shown()}{hint}", token.at)

    def either(self, depth: int) -> Condition:
        items = [self.both(depth)]
        while self.keyword("or"):
            items.append(self.both(depth))
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def both(self, depth: int) -> Condition:
        items = [self.negation(depth)]
        while self.keyword("and"):
            items.append(self.negation(depth))
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def negation(self, depth: int) -> Condition:
        token = self.peek()
        if depth >= MAX_NESTING and (token.text in ("not", "(")):
            raise SyntaxProblem(_TOO_DEEP, token.at)
        if self.keyword("not"):
            return Not(self.negation(depth + 1))
        if token.text == "(" and token.kind == "punctuation":
            self.take()
            inner = self.either(depth + 1)
            if self.peek().text != ")":
                self.finish_group(token)
            self.take()
            return inner
        return self.test()

    def finish_group(self, opened: Token) -> None:
        token = self.peek()
        if token.kind == "end":
            raise SyntaxProblem("the '(' opened here is not closed", opened.at)
        raise SyntaxProblem(f"expected and, or or ')', got {token.shown()}", token.at)

    def test(self) -> Condition:
        start = self.take()
        if start.kind != "name" or start.text in KEYWORDS:
            raise SyntaxProblem(f"expected a fact name, 'not' or '(', got {start.shown()}",
                                start.at)
        spec = self.names.fact(start)
        if self.keyword("is"):
            word = self.take()
            if word.text not in ("missing", "known"):
                raise SyntaxProblem(f"expected missing or known after 'is', got {word.shown()}",
                                    word.at)
            return Presence(start.text, word.text == "missing", self.span(start, word))
        op = self.take()
        if op.kind != "operator" and op.text != "in":
            raise SyntaxProblem(f"expected an operator after '{start.text}' ("
                                f"{' '.join(COMPARISONS)} in, is missing, is known), got "
                                f"{op.shown()}", op.at)
        operand_at = self.peek().at
        operand = self.operand(op)
        if spec is not None:
            self.names.check_types(start.text, spec, op, operand, operand_at)
        return Compare(start.text, op.text, operand, self.span(start, self.tokens[self.next - 1]))

    def span(self, first: Token, last: Token) -> str:
        return self.text[first.at:last.end]

    def operand(self, op: Token) -> Operand:
        token = self.peek()
        if token.text == "[" and token.kind == "punctuation":
            values = self.constants()
            if op.text != "in":
                self.names.problem(f"a list of values goes with `in`, not `{op.text}`", op.at)
            return Const(values)
        if op.text == "in":
            raise SyntaxProblem("`in` needs a list of values like ['a', 'b']", token.at)
        self.take()
        if token.kind == "threshold":
            return ThresholdRef(str(token.value), self.names.threshold(token))
        if token.kind == "name" and token.text not in ("true", "false"):
            if token.text in KEYWORDS:
                raise SyntaxProblem(f"expected a value after '{op.text}': {_VALUE}, got "
                                    f"{token.shown()}", token.at)
            self.names.fact(token)
            return FieldRef(token.text)
        return Const(self.constant(token, f"after '{op.text}'"))

    def constants(self) -> tuple[Scalar, ...]:
        self.take()  # [
        values: list[Scalar] = []
        while True:
            token = self.take()
            if token.text == "]" and not values:
                raise SyntaxProblem("an `in` list needs at least one value", token.at)
            values.append(self.constant(token, "in a list"))
            separator = self.take()
            if separator.text == "]":
                return tuple(values)
            if separator.text != ",":
                raise SyntaxProblem(f"expected ',' or ']' in the list, got {separator.shown()}",
                                    separator.at)

    def constant(self, token: Token, where: str) -> Scalar:
        if token.kind == "name" and token.text in ("true", "false"):
            return token.text == "true"
        if token.kind == "text":
            return str(token.value)
        if token.kind == "number":
            return self.number(token)
        what = _VALUE if where.startswith("after") else "a number, quoted text, true or false"
        raise SyntaxProblem(f"expected a value {where}: {what}, got {token.shown()}", token.at)

    def number(self, token: Token) -> int | float:
        value = token.value
        assert isinstance(value, int | float)
        if not within_float_range(value):
            self.names.problem(f"{token.text} is {TOO_LARGE}", token.at)
        elif value == 0 and re.search("[1-9]", re.split("[eE]", token.text)[0]):
            self.names.problem(f"{token.text} is closer to 0 than kam-review computes with "
                               "(about 5e-324); write 0", token.at)
        return value
