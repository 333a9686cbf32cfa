"""`kam import`: CRM and ERP exports into the account files. A dry run by default (the diff
per file and a summary); --write applies it, one file at a time, each replaced at once.
Exit codes as `kam check`: 2 when a row, a file or the mapping could not be read (the other
rows still import), 1 when a closed quarter's figure conflicts with the file, else 0."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.errors import capped
from kam_review.output.importing.merge import Settings
from kam_review.output.importing.plan import ImportPlan, plan_import
from kam_review.output.importing.report import markdown_summary, text_summary, unified_diff
from kam_review.output.input_files import create_input_file, replace_input_file
from kam_review.source.exports.mapper import read_exports
from kam_review.source.exports.mapping import load_mapping
from kam_review.text_safety import terminal_text


def import_(exports: tuple[Path, ...], mapping: Path, accounts: Path, write: bool,
            overwrite: bool, as_of: date, summary_markdown: bool) -> None:
    rules, errors = load_mapping(mapping)
    if rules is None:
        common.show_errors(errors)
        sys.exit(common.EXIT_INVALID_INPUT)
    data = read_exports(exports, rules)
    plan = plan_import(data, accounts, Settings(rules.system, rules.currency, as_of, overwrite))
    if summary_markdown:
        common.echo(terminal_text(markdown_summary(plan, rules.system, data.rows),
                                  multiline=True))
    else:
        for change in plan.files:
            common.echo(terminal_text(unified_diff(change), multiline=True))
        common.echo(text_summary(plan, data.rows, write))
    if write:
        _write(plan)
    common.show_errors(capped(plan.errors))
    if plan.errors:
        sys.exit(common.EXIT_INVALID_INPUT)
    if plan.conflicts:
        sys.exit(common.EXIT_FINDINGS)


def _write(plan: ImportPlan) -> None:
    for change in plan.files:
        if change.before is None:
            create_input_file(change.path.parent, change.path.name, change.after)
        else:
            replace_input_file(change.path, change.after)
