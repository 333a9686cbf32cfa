"""The `kam` command line: parses the options and calls the command (commands/), one module
each. The commands are imported inside the callbacks, so that `kam --help` stays instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from kam_review import __version__
from kam_review.commands.common import EXIT_INTERNAL_ERROR, flush_output, output_failed
from kam_review.exit_codes import (
    DIFF_EXIT_CODES,
    EXIT_CODES,
    IMPORT_EXIT_CODES,
    WRITE_EXIT_CODES,
)
from kam_review.text_safety import terminal_text
from kam_review.vocabulary import REVIEW_TAGS, Severity

SEVERITY_CHOICE = click.Choice([severity.value for severity in Severity])
REDACT_OPTION = click.option(
    "--redact-contacts", "redact", is_flag=True,
    help='Show contact names as "Contact 3 (director)" (privacy laws: PIPL, GDPR).')


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


def _currency(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from kam_review.locale_format import check_currency

    try:
        return None if value is None else check_currency(value)
    except ValueError as problem:
        raise click.BadParameter(terminal_text(str(problem))) from None


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Sets the language everything is written in, before any other option is read."""
    from kam_review.i18n import set_language

    try:
        set_language(value)
    except ValueError as problem:
        raise click.BadParameter(terminal_text(str(problem))) from None


LANG_OPTION = click.option(
    "--lang", "lang", callback=_language, is_eager=True, expose_value=False, envvar="KAM_LANG",
    metavar="LANG", help="The language of the output: en (default) or zh.")


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


# Typed, so that team_cli.py (imported at the end, in a cycle) can use it.
REPORT_OPTION: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--output", "report_path", type=click.Path(), default=None, metavar="FILE",
    callback=_report_path,
    help="Write the report to FILE, a new file, instead of standard output (-).")


SINCE_PATTERN_OPTION = click.option(
    "--since-pattern", "since_pattern", default=REVIEW_TAGS, show_default=True,
    metavar="PATTERN", help="The git tags that mark a review (shell-style), for --since auto.")


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
        click.option("--currency", "currency", callback=_currency, metavar="CODE",
                     help="The currency of accounts whose file names none (ISO 4217: CNY, "
                          "HKD, USD ...)."),
        LANG_OPTION,
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
            output_failed(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                flush_output()  # a closed pipe or a full disk shows here, not at exit
        except BrokenPipeError as error:  # written by click or a library, not by echo
            output_failed(error)
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
@click.option("--since", "since", metavar="REV|auto", default=None,
              help="Compare with the previous review, as the site does: its high warnings "
                   "left without an action are found, and text and JSON also show what "
                   "moved since. A git revision, or auto: the newest review tag, else the "
                   "accounts in git a quarter back, else the files as of the previous "
                   "quarter's end.")
@SINCE_PATTERN_OPTION
def check(**options: Any) -> None:
    """Evaluate the rules over every account (or only FILES) and print the findings."""
    from kam_review.commands.check import check as run

    run(**options)


@main.command()
@click.argument("account_id", metavar="ACCOUNT_ID|RULE_ID")
@review_options
def explain(**options: Any) -> None:
    """Show why one account got its class, focus and findings: its facts, every rule that
    fired with its figures, and the conditions that kept it out of the other classes. Given a
    rule id (risk.single-threaded), show what the rule checks, its thresholds and the
    accounts it fires on."""
    from kam_review.commands.explain import explain as run

    run(**options)


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@review_options
@REDACT_OPTION
@click.option("--since", "since", metavar="REV|auto|none", default="auto", show_default=True,
              help="What the pages compare with: a git revision, auto (the newest review "
                   "tag, else the accounts in git a quarter back, else the files as of the "
                   "previous quarter's end), or none.")
@SINCE_PATTERN_OPTION
@click.option("--no-cache", is_flag=True,
              help="Evaluate the previous review again: neither read nor keep its result.")
@click.option("--rates", "rates", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="Exchange rates that convert the portfolio's totals into one currency.")
def build(**options: Any) -> None:
    """Write the files the review's site is built from to OUTPUT (a folder), without MkDocs:
    its Markdown pages, CSV files, guide and assets, as the site's plugin hands them to
    MkDocs, for any generator to build."""
    from kam_review.commands.build import build as run

    run(**options)


def _optional_date(ctx: click.Context, param: click.Parameter, value: str | None
                   ) -> date | None:
    return None if value is None else _parse_date(ctx, param, value)


@main.command()
@click.option("-f", "--config-file", "config_file", type=click.Path(path_type=Path),
              default=Path("mkdocs.yml"), show_default=True, help="The site's MkDocs config.")
@click.option("-a", "--dev-addr", "dev_addr", default="127.0.0.1:8000", show_default=True,
              metavar="HOST:PORT", help="Where to serve the site.")
@click.option("--accounts", type=click.Path(path_type=Path), default=None,
              help="The folder of account files (default: the plugin's in mkdocs.yml).")
@click.option("--rules", type=click.Path(path_type=Path), default=None,
              help="The folder of rule files (default: the plugin's in mkdocs.yml).")
@click.option("--thresholds", type=click.Path(path_type=Path), default=None,
              help="A file overriding named thresholds and weights.")
@click.option("--as-of", "as_of", callback=_optional_date, metavar="YYYY-MM-DD",
              help="The review date (default: the plugin's, else today).")
@click.option("--currency", "currency", callback=_currency, metavar="CODE",
              help="The currency of accounts whose file names none.")
@click.option("--lang", "lang", type=click.Choice(["en", "zh"]), default=None,
              help="The site's language (default: the theme's in mkdocs.yml).")
def serve(**options: Any) -> None:
    """Build the site, serve it on localhost and rebuild it as its files change: an edited
    account file rebuilds its own page and the portfolio's pages only; open pages reload."""
    from kam_review.commands.serve import serve as run

    run(**options)


@main.command(epilog=DIFF_EXIT_CODES)
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
def diff(**options: Any) -> None:
    """What changed between git revision BASE and HEAD (default: the working tree): accounts,
    classes, focus, findings, stage moves and figures. Reads revisions straight from git."""
    from kam_review.commands.diff import diff as run

    run(**options)


@main.command(epilog=WRITE_EXIT_CODES)
@click.argument("account_id")
@click.option("--accounts", "accounts", type=click.Path(path_type=Path),
              default=Path("accounts"), show_default=True, help="Where to write the file.")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
              help="The day the file's example dates are written around (default: today): "
                   "the review date it will be checked at.")
def new(**options: Any) -> None:
    """Write a valid, commented account file ACCOUNT_ID.yaml to start from."""
    from kam_review.commands.new import new as run

    run(**options)




@main.command("import", epilog=IMPORT_EXIT_CODES)
@click.argument("exports", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping", required=True, metavar="MAPPING.yaml",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Which file and column is what (examples/imports/<preset>/mapping.yaml).")
@click.option("--accounts", "accounts", type=click.Path(path_type=Path),
              default=Path("accounts"), show_default=True, help="The folder of account files.")
@click.option("--dry-run/--write", "dry_run", default=True,
              help="Print the changes (default), or write them: each file replaced at once, "
                   "only files that change.")
@click.option("--overwrite", is_flag=True,
              help="Replace a closed quarter's figures that differ from the export's "
                   "(else each is a conflict, reported and kept).")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
              help="The day of the import (default: today): quarters ended before it are "
                   "closed.")
@click.option("--summary-markdown", is_flag=True,
              help="Print a Markdown summary (a pull request's body) instead of the diffs.")
def import_(dry_run: bool, **options: Any) -> None:
    """Create or update account files from CRM and ERP exports (CSV, .xlsx): EXPORTS read
    through the mapping. Hand-written fields, comments and layout are kept byte for byte."""
    from kam_review.commands.import_ import import_ as run

    run(write=not dry_run, **options)

# `kam rules` and `kam init` (a team's rules tested like code), on top of the options above.
from kam_review.team_cli import init, rules  # noqa: E402

main.add_command(rules)
main.add_command(init)
