"""`kam check`: the rules over every account (or only some files), the findings printed as
text, JSON, Markdown, SARIF or JUnit, and the exit code CI reads."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.locale_format import LocaleFormat
from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
from kam_review.output.report import Tally, rules_source, write_check
from kam_review.progress import on_terminal, silent
from kam_review.review.evaluate import review, review_in_batches
from kam_review.source.cache import AccountCache
from kam_review.vocabulary import Severity


def check(files: tuple[Path, ...], as_of: date, accounts: Path, rules: Path | None,
          thresholds: Path | None, output: str, fail_on: Severity | None, show: Severity,
          quiet: bool, no_cache: bool, report_path: Path | None, redact: bool,
          currency: str | None = None) -> None:
    read = common.inputs(accounts, rules, thresholds, *files)
    formats = LocaleFormat(currency=currency)
    with common.report_file(report_path, read) as report:
        write = report.write if report else common.echo
        progress = silent if quiet else on_terminal
        folder = common.rules_folder(rules)
        cache = None if no_cache else AccountCache.for_accounts(accounts, inputs=[folder])
        if output in ("text", "json"):
            # Written batch by batch: memory holds one batch, however large the portfolio.
            batches = review_in_batches(accounts, folder, as_of, thresholds, files, progress,
                                        cache, redact, formats)
            tally = write_check(batches, output, show, as_of, write,
                                rules_source(folder, thresholds) if output == "json" else None)
        else:
            result = review(accounts, folder, as_of, thresholds, files, progress, cache,
                            redact=redact, formats=formats)
            writers = {"markdown": lambda: check_markdown(result),
                       "sarif": lambda: check_sarif(result),
                       "junit": lambda: check_junit(result, fail_on)}
            write(writers[output]())
            tally = Tally()
            tally.add(result)
        if report:
            report.publish()
    if output == "text":
        common.show_errors(tally.errors)
    if tally.errors:
        sys.exit(common.EXIT_INVALID_INPUT)
    worst = tally.worst
    if fail_on and worst and worst.at_least(fail_on):
        sys.exit(common.EXIT_FINDINGS)
