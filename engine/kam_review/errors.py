"""The errors kam-review reports. Input problems are values, collected and reported together;
only a problem that stops the whole run is raised."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass
from pathlib import PurePath

import click

from kam_review.text_safety import encodable, terminal_text
from kam_review.wording import counted


@dataclass(frozen=True, order=True)
class InputError:
    """One problem in a file the user wrote: an account file, a rule file or a thresholds file."""

    file: str
    line: int
    column: int
    field: str
    message: str
    more: int = 0  # the "... and N more errors in this file" note stands for N errors

    def __str__(self) -> str:
        """One line for the terminal: control, escape and bidi characters in a file name or a
        quoted value are shown as escapes (\\x1b, \\u202e), never sent."""
        where = f"{self.file}:{self.line}:{self.column}"
        if self.field:
            return terminal_text(f"{where}: {self.field}: {self.message}")
        return terminal_text(f"{where}: {self.message}")

    def as_dict(self) -> dict[str, str | int]:
        return {
            "file": encodable(self.file),
            "line": self.line,
            "column": self.column,
            "field": encodable(self.field),
            "message": encodable(self.message),
        }


# Errors shown per file: past this many, one line says how many more there are, so that a
# file of thousands of mistakes cannot bury the others (or a pull-request comment).
MAX_ERRORS_PER_FILE = 20


def capped(errors: Iterable[InputError]) -> list[InputError]:
    """The errors in the order given, at most MAX_ERRORS_PER_FILE per file; past that, one
    "... and N more errors in this file", placed after the file's last error shown."""
    kept: list[InputError] = []
    shown: Counter[str] = Counter()
    last: dict[str, int] = {}
    more: dict[str, list[InputError]] = {}
    for error in errors:
        if shown[error.file] < MAX_ERRORS_PER_FILE:
            shown[error.file] += 1
            last[error.file] = len(kept)
            kept.append(error)
        else:
            more.setdefault(error.file, []).append(error)
    notes = {last[file]: InputError(file, rest[0].line, rest[0].column, "",
                                    f"... and {len(rest)} more errors in this file", len(rest))
             for file, rest in more.items()}
    result: list[InputError] = []
    for i, error in enumerate(kept):
        result.append(error)
        if i in notes:
            result.append(notes[i])
    return result


def error_count(errors: Iterable[InputError]) -> int:
    """How many errors there were, counting those a capped list leaves out."""
    return sum(error.more or 1 for error in errors)


class KamError(click.ClickException):
    """Raised when the run cannot go on at all (no rules could be loaded, a bad option value,
    an unknown git revision). Being a ClickException, it prints as one clean line at the
    command line, and exits 2: invalid input or usage, never mistaken for findings (1)."""

    exit_code = 2

    def format_message(self) -> str:
        # The message may quote a file name or a value from a file.
        return terminal_text(self.message, multiline=True)


class RulebookError(KamError):
    """Raised by the rule loader when the rule files have errors; carries every one of them."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = capped(errors)
        lines = "\n".join(str(error) for error in self.errors)
        super().__init__(f"{lines}\nAborted with {counted(len(errors), 'rule file error')}.")


# Account files: an account's id is its file's name without this (source/consistency.py).
_ACCOUNT_SUFFIXES = (".yaml", ".yml")


def unreviewed_files(errors: Iterable[InputError], reviewed: Set[str]) -> list[str]:
    """The account files the errors name whose account is not in the review (`reviewed`:
    the ids reviewed), sorted: an error that leaves its account reviewed (a waiver naming an
    unknown rule) is not among them."""
    return sorted({error.file for error in errors
                   if error.file.endswith(_ACCOUNT_SUFFIXES)
                   and PurePath(error.file).stem not in reviewed})
