"""`kam build`: the review's Markdown pages written to a folder, without MkDocs."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.output.output_folder import check_output_folder
from kam_review.review.evaluate import review
from kam_review.text_safety import terminal_text
from kam_review.website.pages import render_pages, write_pages
from kam_review.wording import counted


def build(output: Path, as_of: date, accounts: Path, rules: Path | None,
          thresholds: Path | None, redact: bool) -> None:
    read = common.inputs(accounts, rules, thresholds)
    check_output_folder(output, read)  # refused before the review runs
    result = review(accounts, common.rules_folder(rules), as_of, thresholds, redact=redact)
    common.show_errors(result.errors)
    pages = render_pages(result)
    write_pages(pages, output, read)
    common.echo(f"wrote {counted(len(pages), 'page')} to {terminal_text(str(output))}\n")
    if result.errors:
        sys.exit(common.EXIT_INVALID_INPUT)
