"""`kam diff`: what changed in the review between two git revisions, as text, JSON or
Markdown."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.i18n import locale_name
from kam_review.locale_format import LocaleFormat
from kam_review.output.diff_report import diff_json, diff_markdown, diff_text
from kam_review.output.impact_report import rule_impact_section
from kam_review.output.report import rules_source
from kam_review.review.diff import diff_revisions, own_rules_folder


def diff(base: str, head: str | None, as_of: date, accounts: Path, rules: Path | None,
         thresholds: Path | None, base_as_of: date | None, own_rules: bool,
         output: str, report_path: Path | None, currency: str | None = None) -> None:
    with common.report_file(report_path, common.inputs(accounts, rules, thresholds)) as report:
        folder = own_rules_folder(accounts, rules) if own_rules else common.rules_folder(rules)
        result = diff_revisions(base, head, accounts, folder, as_of, base_as_of, own_rules,
                                thresholds, LocaleFormat(locale_name(), currency))
        # The base side's errors too: an account the base cannot read would otherwise show
        # as added, with nothing to say why.
        errors = (*result.base_result.errors, *result.head_result.errors)
        common.show_errors(errors)
        if output == "json":
            text = diff_json(result, rules_source(None if own_rules else folder, thresholds))
        else:
            text = {"text": diff_text, "markdown": diff_markdown}[output](result)
        if output == "markdown":
            text += rule_impact_section(base, head, folder, accounts, as_of, thresholds)
        (report.write if report else common.echo)(text)
        if report:
            report.publish()
    if errors:
        sys.exit(common.EXIT_INVALID_INPUT)
