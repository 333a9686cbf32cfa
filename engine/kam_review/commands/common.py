"""What the commands share: the exit codes, writing to standard output or a report file,
errors listed on stderr, and the files a command reads. Light to import: the CLI imports it
before any command runs."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from kam_review.output.output_folder import ReportFile

EXIT_FINDINGS = 1
EXIT_INVALID_INPUT = 2
EXIT_INTERNAL_ERROR = 3
# 128 + SIGPIPE, what a shell reports for a program whose reader went away (`| head`).
EXIT_CLOSED_PIPE = 141


def rules_folder(value: Path | None) -> Path:
    from kam_review.resources import default_rules_folder

    return value if value is not None else default_rules_folder(Path("."))


def refuse_no_accounts(accounts: Path, files: Iterable[Path] = ()) -> None:
    """Exit 2 with an error naming the folder when it holds no account file at all (nothing
    refused, nothing to read): a review of nothing would pass a CI gate green, and a
    mistyped --accounts would never be noticed. A folder that cannot be read, or files named
    on the command line, are left to the review, which reports them."""
    from kam_review.errors import InputError
    from kam_review.i18n import _
    from kam_review.paths import display_path
    from kam_review.source.account_paths import holds_nothing

    if not any(True for _ in files) and holds_nothing(accounts):
        show_errors([InputError(display_path(accounts), 1, 1, "", _(
            "no account files in this folder: an account file is NAME.yaml, and "
            "`kam new NAME` writes one"))])
        sys.exit(EXIT_INVALID_INPUT)


def inputs(accounts: Path, rules: Path | None, thresholds: Path | None,
           *files: Path) -> list[Path]:
    """What a command reads: none of its outputs may replace it, hold it or sit inside it."""
    return [accounts, rules_folder(rules), *([thresholds] if thresholds else []), *files]


@contextmanager
def report_file(path: Path | None, read: list[Path]) -> Iterator[ReportFile | None]:
    """With --output, the new report file, checked before the review runs and removed unless
    the command publishes it; without, None: the report goes to standard output."""
    if path is None:
        yield None
        return
    from kam_review.output.output_folder import ReportFile

    report = ReportFile(path, read)
    try:
        yield report
    finally:
        report.discard()


def show_errors(errors: Iterable[object]) -> None:
    """Every input error, one line each on stderr."""
    from kam_review.i18n import _

    for error in errors:
        click.echo(_("error: {error}").format(error=error), err=True)


def show_lines(lines: Iterable[str]) -> None:
    """Lines already worded (a lint's problems), one each on stderr."""
    for line in lines:
        click.echo(line, err=True)


def echo(text: str) -> None:
    try:
        click.echo(text, nl=False)
    except OSError as error:
        output_failed(error)


def flush_output() -> None:
    try:
        sys.stdout.flush()
    except OSError as error:
        output_failed(error)


def output_failed(error: OSError) -> NoReturn:
    """Standard output cannot be written: a closed pipe stops quietly with 141, never 0 or 1
    (which CI would read as a review); any other failure (a full disk) is one line and 2."""
    try:
        # Python flushes stdout again at exit, and a failure there would print a traceback
        # and exit 120: what is left goes nowhere instead.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # not a file (a test's captured output)
    if isinstance(error, BrokenPipeError):
        raise click.exceptions.Exit(EXIT_CLOSED_PIPE)
    from kam_review.errors import KamError

    raise KamError(f"cannot write the output: {error.strerror or error}") from None
