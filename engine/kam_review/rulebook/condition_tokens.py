"""Cutting a condition's text into tokens, each with its offset in the text.

Tokens: names (facts and keywords), `$threshold`, numbers (`5`, `-2`, `.5`, `0.25`, `1e-3`,
`2.5E6`), quoted text ('...' or "..." with \\', \\" and \\\\ inside), the operators
== != < <= > >=, and ( ) [ ] ,. Anything else is a SyntaxProblem at its offset, with a hint
where one helps (`=` -> `==`, `&&` -> `and`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kam_review.source.model import clip

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
KEYWORDS = frozenset({"and", "or", "not", "in", "is", "missing", "known", "true", "false"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
# What follows a number when it is not one: `1.`, `1.2.3`, `5kg`, `1e`.
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]+")
_SYMBOLS = re.compile(r"[=!<>~&|^%*/+:;-]+")
_PUNCTUATION = frozenset("()[],")
_ESCAPED = frozenset("\\'\"")
_HINTS = {"=": "==", "=<": "<=", "=>": ">=", "<>": "!=", "&&": "and", "&": "and",
          "||": "or", "|": "or", "!": "not"}


class SyntaxProblem(Exception):
    """A condition's text cannot be read at `at` (an offset in the text, from 0)."""

    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True)
class Token:
    kind: str  # name, threshold, number, text, operator, punctuation or end
    text: str  # as written
    at: int  # offset of its first character
    value: str | int | float = ""  # a number's value, a quoted text's content

    @property
    def end(self) -> int:
        return self.at + len(self.text)

    def shown(self) -> str:
        return "the end of the condition" if self.kind == "end" else f"'{clip(self.text)}'"


def tokens(text: str) -> list[Token]:
    """The tokens of a condition's text, ending with an `end` token at its length."""
    found: list[Token] = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        token = _token(text, at)
        found.append(token)
        at = token.end
    found.append(Token("end", "", len(text)))
    return found


def _token(text: str, at: int) -> Token:
    char = text[at]
    if char in _PUNCTUATION:
        return Token("punctuation", char, at)
    if char in "'\"":
        return _quoted(text, at)
    if char == "$":
        name = _NAME.match(text, at + 1)
        if name is None:
            raise SyntaxProblem("a threshold is written $name, e.g. $complacency_days", at)
        return Token("threshold", text[at:name.end()], at, name.group())
    if (number := _NUMBER.match(text, at)) is not None:
        return _number(text, number.group(), at)
    if (name := _NAME.match(text, at)) is not None:
        return Token("name", name.group(), at)
    if (symbols := _SYMBOLS.match(text, at)) is not None:
        return _operator(symbols.group(), at)
    raise SyntaxProblem(f"cannot read '{char}' here", at)


def _number(text: str, written: str, at: int) -> Token:
    tail = _NUMBER_TAIL.match(text, at + len(written))
    if tail is not None:
        raise SyntaxProblem(f"cannot read the number '{clip(written + tail.group())}'", at)
    is_int = not any(mark in written for mark in ".eE")
    return Token("number", written, at, int(written) if is_int else float(written))


def _operator(written: str, at: int) -> Token:
    if len(written) > 1 and written.endswith("-"):
        written = written[:-1]  # `x>-2`: an operator right before a negative number
    if written in COMPARISONS:
        return Token("operator", written, at)
    hint = _HINTS.get(written)
    if hint in KEYWORDS:
        raise SyntaxProblem(f"cannot read '{written}': write {hint}", at)
    advice = f"did you mean '{hint}'? " if hint else ""
    raise SyntaxProblem(f"unknown operator '{clip(written)}' ({advice}operators: "
                        f"{' '.join(COMPARISONS)} in, is missing, is known)", at)


def _quoted(text: str, at: int) -> Token:
    quote, content, index = text[at], [], at + 1
    while index < len(text) and text[index] != quote:
        if text[index] == "\\":
            escaped = text[index + 1:index + 2]
            if escaped not in _ESCAPED:
                raise SyntaxProblem(f"unknown escape '\\{escaped}' in quoted text: inside "
                                    "quotes write \\' \\\" or \\\\ (a backslash)", index)
            index += 1
        content.append(text[index])
        index += 1
    if index == len(text):
        raise SyntaxProblem(f"the quoted text opened with {quote} is not closed", at)
    return Token("text", text[at:index + 1], at, "".join(content))
