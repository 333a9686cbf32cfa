"""`kam build`: the files the review's site is built from written to a folder, without MkDocs:
the same Markdown pages, CSV files, guide and assets the MkDocs plugin hands MkDocs
(website/site_files.py), by default with what moved since the previous review."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.i18n import locale_name
from kam_review.locale_format import LocaleFormat
from kam_review.output.output_folder import check_output_folder
from kam_review.review.evaluate import review
from kam_review.review.fast_check import worker_count
from kam_review.review.previous import Since
from kam_review.review.site_review import reviewer
from kam_review.source.fast_yaml import fast_enabled
from kam_review.source.rates import load_rates
from kam_review.text_safety import terminal_text
from kam_review.vocabulary import REVIEW_TAGS
from kam_review.website.pages import write_pages
from kam_review.website.site_files import site_files
from kam_review.wording import counted


def build(output: Path, as_of: date, accounts: Path, rules: Path | None,
          thresholds: Path | None, redact: bool, since: str = "auto",
          since_pattern: str = REVIEW_TAGS, no_cache: bool = False,
          currency: str | None = None, rates: Path | None = None) -> None:
    common.refuse_no_accounts(accounts)
    read = common.inputs(accounts, rules, thresholds, *([rates] if rates else []))
    check_output_folder(output, read)  # refused before the review runs
    conversion = load_rates(rates) if rates else None
    folder, formats = common.rules_folder(rules), LocaleFormat(locale_name(), currency)
    if since == "none":
        result = review(accounts, folder, as_of, thresholds, redact=redact, formats=formats)
        movement = None
    else:
        result, movement = reviewer(worker_count())(
            accounts, folder, as_of, thresholds,
            Since(None if since == "auto" else since, since_pattern, cache=not no_cache),
            redact=redact, formats=formats)
    common.show_errors(result.errors)
    pages = site_files(result, movement, conversion,
                       worker_count() if fast_enabled() else 1)
    write_pages(pages, output, read)
    common.echo(f"wrote {counted(len(pages), 'file')} to {terminal_text(str(output))}\n")
    if result.errors:
        sys.exit(common.EXIT_INVALID_INPUT)
