"""`kam check`: the rules over every account (or only some files), the findings printed as
text, JSON, Markdown, SARIF or JUnit, and the exit code CI reads. With `--since`, text and
JSON also say what moved since the previous review."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import date
from functools import partial
from pathlib import Path

from kam_review.commands import common
from kam_review.frozen_heap import frozen_heap
from kam_review.i18n import locale_name
from kam_review.locale_format import LocaleFormat
from kam_review.output.check_parts import parts_text, read_parts
from kam_review.output.movement_report import stage_names
from kam_review.output.report import Tally, rules_source, write_check
from kam_review.progress import on_terminal, silent
from kam_review.review.evaluate import review, review_in_batches
from kam_review.review.fast_check import (
    WrittenBatch,
    fast_review,
    fast_written_batches,
)
from kam_review.review.fast_worker import Parts
from kam_review.review.movement import Movement
from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.since import movement_since, previous_review_of
from kam_review.review.snapshot import AccountSnapshot, Snapshot, account_snapshot
from kam_review.rulebook.lint_seal import checked_rulebook
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.rule_files import read_rule_files
from kam_review.rulebook.rule_lint import refuse_lint_errors
from kam_review.source.cache import AccountCache
from kam_review.source.fast_yaml import fast_enabled
from kam_review.vocabulary import REVIEW_TAGS, Severity

# `--since auto`: the previous review found as the site finds it (review/previous.py).
AUTO = "auto"


def check(files: tuple[Path, ...], as_of: date, accounts: Path, rules: Path | None,
          thresholds: Path | None, output: str, fail_on: Severity | None, show: Severity,
          quiet: bool, no_cache: bool, report_path: Path | None, redact: bool,
          since: str | None = None, since_pattern: str = REVIEW_TAGS,
          currency: str | None = None) -> None:
    common.refuse_no_accounts(accounts, files)
    read = common.inputs(accounts, rules, thresholds, *files)
    formats = LocaleFormat(locale_name(), currency)
    with common.report_file(report_path, read) as report:
        write = report.write if report else common.echo
        progress = silent if quiet else on_terminal
        folder = common.rules_folder(rules)
        # The fast path keeps each file's review; --since needs the facts, so it reads as the
        # site does (review/fast_check.py).
        fast = since is None and fast_enabled()
        cache = None if no_cache else AccountCache.for_accounts(accounts, inputs=[folder])
        if fast and cache is not None:
            cache = AccountCache.for_accounts(accounts, inputs=[folder], kind="reviews-fast",
                                              name="review cache")
        # The fast path remembers that the rules passed the lint, and loads them only to
        # review a file; the plain one lints them on every run.
        rule_files = read_rule_files(folder, thresholds) if fast else None
        rulebook = (refuse_lint_errors(folder, thresholds) if rule_files is None
                    else checked_rulebook(rule_files, cache))
        # Each account's text and JSON, made where it is reviewed and cached with its review
        # whatever the format, so that a warm text or JSON run only joins them.
        parts = Parts(partial(parts_text, as_of=as_of), read_parts)
        # With --since, the previous review's high warnings are known to the rules (as on
        # the site: a warning left without an action is found), whatever the format.
        comparison, previous = (None, None) if since is None else previous_review_of(
            accounts, folder, as_of, thresholds,
            Since(None if since == AUTO else since, since_pattern, cache=not no_cache),
            files, cache, redact)
        warned = None if previous is None else previous.high_warnings()
        if output in ("text", "json"):
            # Written batch by batch: memory holds one batch, however large the portfolio.
            kept: list[AccountSnapshot] = []
            batches: Iterable[Result | WrittenBatch] = fast_written_batches(
                accounts, folder, as_of, parts, thresholds, files, progress, cache, redact,
                formats, rulebook=rulebook, rule_files=rule_files) if fast else review_in_batches(
                accounts, folder, as_of, thresholds, files, progress, cache, redact, warned,
                formats)

            def movement() -> Movement:
                assert comparison is not None
                return movement_since(previous, Snapshot(as_of, tuple(kept)), comparison,
                                      files)

            # The stages in the movement's text by their names in the funnel, as on the site
            # (--since reviews on the plain path, whose rules are loaded already).
            stages = stage_names(rulebook) if isinstance(rulebook, Rulebook) else None
            # What lives now (modules, the rules, the files listed) lives to the end of the
            # run: frozen, it is not scanned again by each full collection as the batches
            # come, which made the cost per account grow with the portfolio.
            with frozen_heap():
                tally = write_check(
                    _keeping(batches, kept) if since else batches, output, show, as_of, write,
                    rules_source(folder, thresholds) if output == "json" else None,
                    movement if since else None, one_sided=since is None, stages=stages)
        else:
            # Here only: a text or JSON run does not load Markdown and what the CI formats use.
            from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
            result = fast_review(
                accounts, folder, as_of, thresholds, files, progress, cache, redact=redact,
                formats=formats, parts=parts, rulebook=rulebook, rule_files=rule_files
            ) if fast else review(
                accounts, folder, as_of, thresholds, files, progress, cache, redact=redact,
                formats=formats, warned_before=warned)
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


def _keeping(results: Iterable[Result | WrittenBatch], kept: list[AccountSnapshot]
             ) -> Iterator[Result | WrittenBatch]:
    """The results as they come, keeping each account's snapshot for the movement (--since
    reviews on the plain path: only Results come)."""
    for result in results:
        assert isinstance(result, Result), "--since reviews with the facts"
        kept.extend(account_snapshot(item, result) for item in result.accounts)
        yield result
