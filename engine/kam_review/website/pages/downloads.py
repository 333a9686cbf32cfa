"""Links to the CSV files built with the site (output.csv_export), for a spreadsheet."""

from __future__ import annotations

from datetime import date

from kam_review.i18n import _
from kam_review.website.pages.printing import screen_only


def download(file: str, what: str, as_of: date) -> list[str]:
    """A link to one of the CSV files, saved under a name that carries the review date; on
    screen only (a link means nothing on paper)."""
    saved = f"{file.removesuffix('.csv')}-{as_of.isoformat()}.csv"
    link = f'[{file}]({file}){{download="{saved}"}}'
    return screen_only([_("Download {what} for a spreadsheet: {link} (CSV, UTF-8).").format(
        what=what, link=link), ""])
