"""`kam rules test`, `kam rules lint` and `kam rules impact`: a team's rules folder tested,
checked and previewed like code."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.output.impact_report import impact_markdown, impact_text
from kam_review.output.rule_test_report import tests_json, tests_junit, tests_text
from kam_review.paths import display_path
from kam_review.review.rule_impact import rules_impact as rules_impact_of
from kam_review.review.rule_tests import run_rule_tests
from kam_review.rulebook.loading import load_rulebook
from kam_review.rulebook.rule_lint import lint_folder
from kam_review.wording import counted

# Exit 1 when a rule test fails, as a test runner does; 2 when the rules or a case cannot be
# read (invalid input, as for every command).
EXIT_TEST_FAILED = 1


def rules_test(rules_dir: Path | None, output: str, require_coverage: bool,
               report_path: Path | None) -> None:
    folder = common.rules_folder(rules_dir)
    with common.report_file(report_path, [folder]) as report:
        run = run_rule_tests(load_rulebook(folder))
        writers = {"text": lambda: tests_text(run, require_coverage),
                   "json": lambda: tests_json(run),
                   "junit": lambda: tests_junit(run, require_coverage)}
        (report.write if report else common.echo)(writers[output]())
        if report:
            report.publish()
    if run.errors:
        sys.exit(common.EXIT_INVALID_INPUT)
    if run.failures or (require_coverage and run.untested()):
        sys.exit(EXIT_TEST_FAILED)


def rules_lint(rules_dir: Path | None, accounts: Path, thresholds: Path | None,
               output: str = "text") -> None:
    """Text: every problem on stderr, one line each, and a count; JSON: both on stdout. Exit
    2 on an error, 0 with warnings alone."""
    folder = common.rules_folder(rules_dir)
    problems = lint_folder(folder, thresholds, accounts)
    errors = sum(p.level == "error" for p in problems)
    if output == "json":
        common.echo(json.dumps({"rules": display_path(folder), "errors": errors,
                                "warnings": len(problems) - errors,
                                "problems": [{"level": p.level, **p.error.as_dict()}
                                             for p in problems]}, indent=2) + "\n")
    else:
        common.show_lines([str(p) for p in problems])
        common.echo(f"{display_path(folder)}: {counted(errors, 'error')}, "
                    f"{counted(len(problems) - errors, 'warning')}\n")
    if errors:
        sys.exit(common.EXIT_INVALID_INPUT)


def rules_impact(rules_dir: Path | None, base: str, accounts: Path, as_of: date,
                 thresholds: Path | None, output: str, report_path: Path | None) -> None:
    folder = common.rules_folder(rules_dir)
    with common.report_file(report_path, common.inputs(accounts, folder, thresholds)) as report:
        impact = rules_impact_of(base, folder, accounts, as_of, thresholds)
        text = impact_markdown(impact) if output == "markdown" else impact_text(impact)
        (report.write if report else common.echo)(text)
        if report:
            report.publish()
