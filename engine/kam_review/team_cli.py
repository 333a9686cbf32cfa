"""`kam rules test|lint|impact` and `kam init`: a team's rules folder tested, checked and
previewed like code, and a team's repository to start from. The options are parsed here and
the command modules (commands/rules.py, commands/init.py) imported inside the callbacks, as
in cli.py, which adds these commands to `kam`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kam_review.cli import REPORT_OPTION, _Command, _parse_date
from kam_review.exit_codes import WRITE_EXIT_CODES


@click.group(cls=click.Group)
def rules() -> None:
    """Test, check and preview a rules folder: its tests, its mistakes, its effect."""


RULES_DIR = click.argument("rules_dir", required=False, type=click.Path(path_type=Path))


RULE_TEST_EXIT_CODES = """\b
Exit codes:
  0  every case passed (and, with --require-coverage, every rule has both cases)
  1  a case failed, or with --require-coverage a rule lacks a firing or a silent case
  2  invalid input: the rules or a case cannot be read (each error with its file and line)
  3  internal error: one line on stderr, the traceback in the log file it names"""


@rules.command("test", cls=_Command, epilog=RULE_TEST_EXIT_CODES)
@RULES_DIR
@click.option("--format", "output", type=click.Choice(["text", "json", "junit"]),
              default="text", show_default=True, help="How to print the result.")
@click.option("--require-coverage", is_flag=True,
              help="Fail on a rule without both a firing and a silent case.")
@REPORT_OPTION
def rules_test(**options: Any) -> None:
    """Run the rule tests in RULES_DIR/tests (default: ./rules, else the bundled rules): each
    case's account must fire and leave silent the rules it names. Exit 1 on a failure."""
    from kam_review.commands.rules import rules_test as run

    run(**options)


RULE_LINT_EXIT_CODES = """\b
Exit codes:
  0  no error (warnings are advice)
  2  an error: the rules do not load, or the lint found one (each with its file and line)
  3  internal error: one line on stderr, the traceback in the log file it names"""


@rules.command("lint", cls=_Command, epilog=RULE_LINT_EXIT_CODES)
@RULES_DIR
@click.option("--accounts", "accounts", type=click.Path(path_type=Path),
              default=Path("accounts"), show_default=True,
              help="The account files whose waivers must name rules of the folder.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the problems.")
@click.option("--thresholds", "thresholds", type=click.Path(path_type=Path), default=None,
              help="A file overriding named thresholds and weights.")
def rules_lint(**options: Any) -> None:
    """Check a rules folder (default: ./rules, else the bundled rules) for what loading does
    not refuse: conditions never or always true, a class rule that can never win, unused
    thresholds, placeholder texts, waivers naming a rule the folder no longer has."""
    from kam_review.commands.rules import rules_lint as run

    run(**options)


RULE_IMPACT_EXIT_CODES = """\b
Exit codes:
  0  the impact is written
  2  invalid input or usage: a side's rules do not load, or REV names no commit
  3  internal error: one line on stderr, the traceback in the log file it names"""


@rules.command("impact", cls=_Command, epilog=RULE_IMPACT_EXIT_CODES)
@RULES_DIR
@click.option("--base", "base", required=True, metavar="REV",
              help="The git revision whose rules the working tree's are compared with.")
@click.option("--accounts", "accounts", type=click.Path(path_type=Path),
              default=Path("accounts"), show_default=True, help="The folder of account files.")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
              help="The review date (default: today).")
@click.option("--thresholds", "thresholds", type=click.Path(path_type=Path), default=None,
              help="A file overriding named thresholds and weights.")
@click.option("--format", "output", type=click.Choice(["text", "markdown"]), default="text",
              show_default=True, help="Text, or Markdown sized for a pull-request comment.")
@REPORT_OPTION
def rules_impact(**options: Any) -> None:
    """What changing the rules does: the accounts reviewed with RULES_DIR (default: ./rules)
    as it was at REV and as it is now, per rule the accounts it newly fires on and stops
    firing on, the accounts whose class, verdict or focus changes, the biggest changes."""
    from kam_review.commands.rules import rules_impact as run

    run(**options)


@click.command(cls=_Command, epilog=WRITE_EXIT_CODES)
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--as-of", "as_of", callback=_parse_date, metavar="YYYY-MM-DD",
              help="The day the example account's dates are written around (default: "
                   "today), as kam new writes them.")
def init(**options: Any) -> None:
    """Start a team's accounts repository in FOLDER (default: here): an example account, the
    rules with an example of the team's own and its tests, a thresholds override, mkdocs.yml,
    the pre-commit hook and CI for GitHub Actions and GitLab CI. Never replaces a file."""
    from kam_review.commands.init import init as run

    run(**options)
