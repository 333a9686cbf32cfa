"""The review's pages: a pure function from a Result to Markdown files (path -> text).

MkDocs gets these through the plugin; `kam build` writes them to a folder, so the generator
does not depend on MkDocs and can feed another static site generator. One module a kind of
page; `common` holds what they share. The CSV files a reader downloads (the risk register)
come with the pages, from the same Result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from kam_review.output.csv_export import exports
from kam_review.output.output_folder import write_output_folder
from kam_review.review.movement import Movement
from kam_review.review.results import Result
from kam_review.source.rates import Rates
from kam_review.website.pages.account_workers import account_pages
from kam_review.website.pages.catalogue import rules_page
from kam_review.website.pages.movement import CHANGES_PAGE, changes_page
from kam_review.website.pages.owners import owners_page
from kam_review.website.pages.portfolio import (
    funnel_page,
    overview_page,
    risks_page,
)
from kam_review.website.pages.totals import Totals

__all__ = ["account_pages", "portfolio_pages", "render_pages", "write_pages"]


def render_pages(result: Result, movement: Movement | None = None,
                 rates: Rates | None = None, workers: int = 1,
                 meanwhile: Callable[[], None] | None = None) -> dict[str, str]:
    """Every page of the review and its CSV files; with `movement`, also what moved since the
    previous review (on the overview, each account page and a changes page of its own, which
    says so when there was no previous review to compare with); with `rates`, portfolio
    totals converted into its base currency; with `workers`, the account pages are written in
    that many forked processes (account_workers.py), and the portfolio's meanwhile, then
    whatever else `meanwhile` does."""
    pages: dict[str, str] = {}

    def portfolio_then_meanwhile() -> None:
        pages.update(portfolio_pages(result, movement, rates))
        if meanwhile is not None:
            meanwhile()

    accounts = account_pages(result, movement, workers, meanwhile=portfolio_then_meanwhile)
    pages.update(accounts)
    return pages


def portfolio_pages(result: Result, movement: Movement | None = None,
                    rates: Rates | None = None,
                    made: Callable[[str, str], None] | None = None) -> dict[str, str]:
    """The pages and CSV files about the whole portfolio: every page but the accounts';
    `made` is told each (path, text) as soon as it is made."""
    totals = Totals(result.formats, rates)
    pages: dict[str, str] = {}

    def add(path: str, text: str) -> None:
        pages[path] = text
        if made is not None:
            made(path, text)

    add("index.md", overview_page(result, totals, movement))
    add("risks.md", risks_page(result))
    add("funnel.md", funnel_page(result, totals))
    add("owners.md", owners_page(result))
    add("rules.md", rules_page(result))
    if movement is not None:
        add(CHANGES_PAGE, changes_page(result, movement))
    for path, text in exports(result).items():
        add(path, text)
    return pages


def write_pages(pages: dict[str, str], folder: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the pages into folder, replacing it whole only once every page is written. The
    folder must be new, empty or an earlier output of kam-review, and hold none of `inputs`;
    a page path that would leave the folder is refused (see output_folder)."""
    write_output_folder(folder, pages, inputs)
