"""The `kam` command line: parses options, runs the review, hands the result to a writer.
Heavier modules are imported inside the commands, so that `kam --help` stays instant."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kam_review import __version__
from kam_review.text_safety import terminal_text
from kam_review.vocabulary import Severity

if TYPE_CHECKING:
    from kam_review.output.output_folder import ReportFile

SEVERITY_CHOICE = click.Choice([severity.value for severity in Severity])
REDACT_OPTION = click.option(
    "--redact-contacts", "redact", is_flag=True,
    help='Show contact names as "Contact 3 (director)" (privacy laws: PIPL, GDPR).')
EXIT_FINDINGS = 1
EXIT_INVALID_INPUT = 2
EXIT_INTERNAL_ERROR = 3
# 128 + SIGPIPE, what a shell reports for a program whose reader went away (`| head`).
EXIT_CLOSED_PIPE = 141
EXIT_CODES = """\b
Exit codes:
  0  every input is valid and no finding is at or above --fail-on
  1  a finding at or above --fail-on
  2  invalid input or usage: every problem is listed, every valid account still reviewed
  3  internal error: one line on stderr, the traceback in the log file it names
  141  the output's reader went away (a closed pipe): the output is incomplete"""


def _severity(ctx: click.Context, param: click.Parameter, value: str | None
              ) -> Severity | None:
    return None if value is None else Severity(value)


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date:
    from kam_review.source.review_date import parse_review_date

    if value is None:
        return date.today()
    try:
        return parse_review_date(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from None


def _rules_folder(value: Path | None) -> Path:
    from kam_review.resources import default_rules_folder

    return value if value is not None else default_rules_folder(Path("."))


def _rules_source(folder: Path | None, thresholds: Path | None) -> dict[str, Any]:
    """Which rules a JSON output was made with (folder None: each side's own)."""
    from kam_review.output.report import rules_source

    return rules_source(folder, thresholds)


def _inputs(accounts: Path, rules: Path | None, thresholds: Path | None,
            *files: Path) -> list[Path]:
    """What a command reads: none of its outputs may replace it, hold it or sit inside it."""
    return [accounts, _rules_folder(rules), *([thresholds] if thresholds else []), *files]


def _report_file(path: Path | None, inputs: list[Path]) -> ReportFile | None:
    """With --output, the new report file, checked before the review runs and removed unless
    the command publishes it; without, None: the report goes to standard output."""
    if path is None:
        return None
    from kam_review.output.output_folder import ReportFile

    report = ReportFile(path, inputs)
    click.get_current_context().call_on_close(report.discard)
    return report


def _echo(text: str) -> None:
    try:
        click.echo(text, nl=False)
    except OSError as error:
        _output_failed(error)


def _flush_output() -> None:
    try:
        sys.stdout.flush()
    except OSError as error:
        _output_failed(error)


def _output_failed(error: OSError) -> NoReturn:
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


def _report_path(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """`-` is standard output; a value that looks like an option (`--output --as-of ...`) is
    an option the user forgot the file name before, never a file to create. (The value is
    judged as typed: a Path would read ./-x as -x.)"""
    if value is None or value == "-":
        return None
    if value.startswith("-"):
        raise click.BadParameter(f"'{terminal_text(value)}' looks like an option, not a file "
                                 "name: give the file after --output (./-x for a file named -x)")
    return Path(value)


REPORT_OPTION = click.option(
    "--output", "report_path", type=click.Path(), default=None, metavar="FILE",
    callback=_report_path,
    help="Write the report to FILE, a new file, instead of standard output (-).")


def review_options(command: click.decorators.FC) -> click.decorators.FC:
    """The options every command that evaluates a portfolio takes."""
    options = [
        click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
                     help="The review date (default: today)."),
        click.option("--accounts", "accounts", type=click.Path(path_type=Path),
                     default=Path("accounts"), show_default=True,
                     help="The folder of account files."),
        click.option("--rules", "rules", type=click.Path(path_type=Path), default=None,
                     help="The folder of rule files (default: ./rules, else the bundled ones)."),
        click.option("--thresholds", "thresholds", type=click.Path(path_type=Path),
                     default=None, help="A file overriding named thresholds and weights."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


class _Command(click.Command):
    """A `kam` command: its help ends with the exit codes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)


class _Kam(click.Group):
    """The `kam` command group. An unexpected exception in a command exits 3 with one line
    on stderr, so that CI can tell a crash from invalid input (2) and from findings (1)."""

    command_class = _Command

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError as error:  # --help or --version into a closed pipe
            _output_failed(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                _flush_output()  # a closed pipe or a full disk shows here, not at exit
        except BrokenPipeError as error:  # written by click or a library, not by _echo
            _output_failed(error)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click reports these itself
        except Exception as error:
            from kam_review.crash import crash_report

            click.echo(crash_report(error), err=True)
            ctx.exit(EXIT_INTERNAL_ERROR)


@click.group(cls=_Kam, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="kam-review")
def main() -> None:
    """Review key accounts: declarative rules over account files."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@review_options
@click.option("--format", "output",
              type=click.Choice(["text", "json", "markdown", "sarif", "junit"]), default="text",
              show_default=True, help="How to print the result.")
@click.option("--fail-on", type=SEVERITY_CHOICE, default=None, callback=_severity,
              help="Exit 1 when an unwaived finding is at or above this severity.")
@click.option("--show", type=SEVERITY_CHOICE, default="info", show_default=True,
              callback=_severity,
              help="Text output: hide findings below this severity.")
@click.option("--quiet", is_flag=True, help="No progress bar, even on a terminal.")
@click.option("--no-cache", is_flag=True,
              help="Parse every file: neither read nor write the cache of unchanged files "
                   "(kept in the user's cache folder, or $KAM_CACHE_DIR).")
@REPORT_OPTION
@REDACT_OPTION
def check(files: tuple[Path, ...], as_of: date, accounts: Path, rules: Path | None,
          thresholds: Path | None, output: str, fail_on: Severity | None, show: Severity,
          quiet: bool, no_cache: bool, report_path: Path | None, redact: bool) -> None:
    """Evaluate the rules over every account (or only FILES) and print the findings."""
    from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
    from kam_review.output.report import Tally, write_check
    from kam_review.progress import on_terminal, silent
    from kam_review.review.evaluate import review, review_in_batches
    from kam_review.source.cache import AccountCache

    report = _report_file(report_path, _inputs(accounts, rules, thresholds, *files))
    write = report.write if report else _echo
    progress = silent if quiet else on_terminal
    cache = None if no_cache else AccountCache.for_accounts(accounts,
                                                            inputs=[_rules_folder(rules)])
    if output in ("text", "json"):
        # Written batch by batch: memory holds one batch, however large the portfolio.
        rules_folder = _rules_folder(rules)
        batches = review_in_batches(accounts, rules_folder, as_of, thresholds, files,
                                    progress, cache, redact)
        tally = write_check(batches, output, show, as_of, write,
                            _rules_source(rules_folder, thresholds) if output == "json" else None)
    else:
        result = review(accounts, _rules_folder(rules), as_of, thresholds, files, progress,
                        cache, redact=redact)
        writers = {"markdown": lambda: check_markdown(result),
                   "sarif": lambda: check_sarif(result),
                   "junit": lambda: check_junit(result, fail_on)}
        write(writers[output]())
        tally = Tally()
        tally.add(result)
    if report:
        report.publish()
    if output == "text":
        for error in tally.errors:
            click.echo(f"error: {error}", err=True)
    if tally.errors:
        sys.exit(EXIT_INVALID_INPUT)
    worst = tally.worst
    if fail_on and worst and worst.at_least(fail_on):
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.argument("account_id")
@review_options
def explain(account_id: str, as_of: date, accounts: Path, rules: Path | None,
            thresholds: Path | None) -> None:
    """Show why one account got its class, focus and findings: its facts, every rule that
    fired with its figures, and the conditions that kept it out of the other classes."""
    from kam_review.errors import KamError
    from kam_review.review.evaluate import review
    from kam_review.review.explain import explain_text

    result = review(accounts, _rules_folder(rules), as_of, thresholds)
    known = [a.account.id for a in result.accounts]
    if account_id not in known:
        errors = [str(e) for e in result.errors if Path(e.file).stem == account_id]
        detail = "\n".join(errors) or f"known accounts: {', '.join(known)}"
        raise KamError(f"no valid account '{account_id}'\n{detail}")
    _echo(explain_text(result.account(account_id), result))
    # The account asked about is explained, and the run still says what else is broken.
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    if result.errors:
        sys.exit(EXIT_INVALID_INPUT)


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@review_options
@REDACT_OPTION
def build(output: Path, as_of: date, accounts: Path, rules: Path | None,
          thresholds: Path | None, redact: bool) -> None:
    """Write the review's Markdown pages to OUTPUT (a folder), without MkDocs."""
    from kam_review.output.output_folder import check_output_folder
    from kam_review.review.evaluate import review
    from kam_review.website.pages import render_pages, write_pages

    inputs = _inputs(accounts, rules, thresholds)
    check_output_folder(output, inputs)  # refused before the review runs
    result = review(accounts, _rules_folder(rules), as_of, thresholds, redact=redact)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    pages = render_pages(result)
    write_pages(pages, output, inputs)
    _echo(f"wrote {len(pages)} pages to {terminal_text(str(output))}\n")
    if result.errors:
        sys.exit(EXIT_INVALID_INPUT)


@main.command()
@click.argument("base")
@click.argument("head", required=False)
@review_options
@click.option("--base-as-of", callback=lambda c, p, v: _parse_date(c, p, v) if v else None,
              metavar="YYYY-MM-DD", help="Review the base at its own date (quarter over quarter).")
@click.option("--own-rules", is_flag=True,
              help="Evaluate each side with the rules of the repository under review (its "
              "rules/, or --rules inside it) as they were at its revision.")
@click.option("--format", "output", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@REPORT_OPTION
def diff(base: str, head: str | None, as_of: date, accounts: Path, rules: Path | None,
         thresholds: Path | None, base_as_of: date | None, own_rules: bool,
         output: str, report_path: Path | None) -> None:
    """What changed between git revision BASE and HEAD (default: the working tree): accounts,
    classes, focus, findings, stage moves and figures. Reads revisions straight from git."""
    from kam_review.output.diff_report import diff_json, diff_markdown, diff_text
    from kam_review.review.diff import diff_revisions, own_rules_folder

    report = _report_file(report_path, _inputs(accounts, rules, thresholds))
    folder = own_rules_folder(accounts, rules) if own_rules else _rules_folder(rules)
    result = diff_revisions(base, head, accounts, folder, as_of, base_as_of, own_rules,
                            thresholds)
    # The base side's errors too: an account the base cannot read would otherwise show as
    # added, with nothing to say why.
    errors = (*result.base_result.errors, *result.head_result.errors)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    if output == "json":
        text = diff_json(result, _rules_source(None if own_rules else folder, thresholds))
    else:
        text = {"text": diff_text, "markdown": diff_markdown}[output](result)
    (report.write if report else _echo)(text)
    if report:
        report.publish()
    if errors:
        sys.exit(EXIT_INVALID_INPUT)


@main.command()
@click.argument("account_id")
@click.option("--accounts", "accounts", type=click.Path(path_type=Path),
              default=Path("accounts"), show_default=True, help="Where to write the file.")
def new(account_id: str, accounts: Path) -> None:
    """Write a valid, commented account file ACCOUNT_ID.yaml to start from."""
    from kam_review.output.scaffold import new_account

    path = new_account(account_id, accounts, date.today())
    _echo(f"wrote {terminal_text(str(path))}\n")
