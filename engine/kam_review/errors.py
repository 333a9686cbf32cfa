"""The errors kam-review reports. Input problems are values, collected and reported together;
only a problem that stops the whole run is raised."""

from __future__ import annotations

from dataclasses import dataclass

import click

from .text_safety import encodable, terminal_text


@dataclass(frozen=True, order=True)
class InputError:
    """One problem in a file the user wrote: an account file, a rule file or a thresholds file."""

    file: str
    line: int
    column: int
    field: str
    message: str

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


class KamError(click.ClickException):
    """Raised when the run cannot go on at all (no rules could be loaded, a bad option value).
    Being a ClickException, it prints as one clean line at the command line."""

    def format_message(self) -> str:
        # The message may quote a file name or a value from a file.
        return terminal_text(self.message, multiline=True)


class RulebookError(KamError):
    """Raised by the rule loader when the rule files have errors; carries every one of them."""

    exit_code = 2  # invalid input, as for account files

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        lines = "\n".join(str(error) for error in errors)
        super().__init__(f"{lines}\nAborted with {len(errors)} rule file error(s).")
