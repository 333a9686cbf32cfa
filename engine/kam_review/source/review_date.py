"""The review date: read from the command line or the site's settings, and kept to years in
which a review's date arithmetic (a year back, a quarter back, 30 days ahead) stays inside the
calendar."""

from __future__ import annotations

import re
from datetime import date

# Python's dates end at 0001-01-01 and 9999-12-31; a review date near either end would make
# "a year before" or "30 days after" impossible. No real review is dated outside these.
EARLIEST = date(1900, 1, 1)
LATEST = date(9000, 12, 31)
# Python's date.fromisoformat also reads 20260930 and 2026-W40-3; a review date is written
# one way only.
_WRITTEN = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_review_date(text: str) -> date:
    """The date written YYYY-MM-DD; ValueError with a message a user can act on otherwise."""
    wrong = ValueError(f"expected a date YYYY-MM-DD, got {text!r}")
    if not _WRITTEN.fullmatch(text):
        raise wrong
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise wrong from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{day} is not a review date kam-review accepts: use a date from "
                         f"{EARLIEST} to {LATEST}")
    return day
