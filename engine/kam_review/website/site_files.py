"""The files a review's site is built from, as one pure function of the review: the pages,
their CSV files, the rule-writing guide the catalogue links to and the stylesheet and scripts
the pages use.

`kam build DIR` writes exactly these, and the MkDocs plugin hands exactly these to MkDocs,
so that another generator (plain MkDocs, Zensical, a plain-HTML front end) is fed the same
sources by pointing it at the folder. The guide and the assets are the site's own where its
folders already have them (a site may edit its guide or restyle its pages); the pages and CSV
files are always the review's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kam_review.resources import bundled_guide, bundled_overrides_folder
from kam_review.review.movement import Movement
from kam_review.review.results import Result
from kam_review.source.rates import Rates
from kam_review.website.pages import render_pages
from kam_review.website.pages.rule_reference import OWN_RULES_GUIDE

STYLESHEETS = ("assets/kam-review.css",)
SCRIPTS = ("assets/vendor/tablesort/tablesort.min.js",
           "assets/vendor/tablesort/tablesort.number.min.js", "assets/kam-review.js")
# Files every site gets unless its own folders have one of the same name.
DEFAULTS = (OWN_RULES_GUIDE, *STYLESHEETS, *SCRIPTS)


def site_files(result: Result, movement: Movement | None = None,
               rates: Rates | None = None, workers: int = 1,
               meanwhile: Callable[[], None] | None = None) -> dict[str, str]:
    """Every file of the site the review decides (path -> text), in path order (account
    pages written in `workers` processes, while this process writes the portfolio's and
    then calls `meanwhile`)."""
    files = render_pages(result, movement, rates, workers, meanwhile)
    files[OWN_RULES_GUIDE] = _text(bundled_guide(OWN_RULES_GUIDE))
    for asset in (*STYLESHEETS, *SCRIPTS):
        files[asset] = _text(bundled_overrides_folder() / asset)
    return dict(sorted(files.items()))


def _text(path: Path) -> str:
    # As the file is, line endings included: the site serves its bytes.
    return path.read_bytes().decode("utf-8")
