"""The review's pages: a pure function from a Result to Markdown files (path -> text).

MkDocs gets these through the plugin; `kam build` writes them to a folder, so the generator
does not depend on MkDocs and can feed another static site generator. One module a kind of
page; `common` holds what they share.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kam_review.output.output_folder import write_output_folder
from kam_review.review.diff import Diff
from kam_review.review.explain import explain_all
from kam_review.review.results import Result
from kam_review.website.pages.account import account_page
from kam_review.website.pages.catalogue import rules_page
from kam_review.website.pages.changes import account_changes_section, changes_page
from kam_review.website.pages.common import ACCOUNTS_DIR
from kam_review.website.pages.portfolio import (
    funnel_page,
    overview_page,
    owners_page,
    risks_page,
)

__all__ = ["render_pages", "write_pages"]


def render_pages(result: Result, changes: Diff | None = None) -> dict[str, str]:
    """Every page of the review; with `changes`, also what changed since the base review."""
    pages = {
        "index.md": overview_page(result),
        "risks.md": risks_page(result),
        "funnel.md": funnel_page(result),
        "owners.md": owners_page(result),
        "rules.md": rules_page(result),
    }
    for account, explained in zip(result.accounts, explain_all(result), strict=True):
        page = account_page(account, result, explained)
        if changes is not None:
            page += "\n" + account_changes_section(changes, account.account.id)
        pages[f"{ACCOUNTS_DIR}/{account.account.id}.md"] = page
    if changes is not None:
        pages["changes.md"] = changes_page(changes)
    return pages


def write_pages(pages: dict[str, str], folder: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the pages into folder, replacing it whole only once every page is written. The
    folder must be new, empty or an earlier output of kam-review, and hold none of `inputs`;
    a page path that would leave the folder is refused (see output_folder)."""
    write_output_folder(folder, pages, inputs)
