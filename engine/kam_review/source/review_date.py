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
        # Written as asked, but no day of the calendar: say which part is wrong.
        year, month, day_number = (int(part) for part in text.split("-"))
        why = "there is no year 0" if year == 0 else "there is no month {month}" \
            if not 1 <= month <= 12 else "{name} {year} has no day {day}"
        raise ValueError(f"{text!r} is not a real date: " + why.format(
            month=month, year=year, day=day_number,
            name=date(2000, month, 1).strftime("%B") if 1 <= month <= 12 else "")) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{day} is not a review date kam-review accepts: use a date from "
                         f"{EARLIEST} to {LATEST}")
    return day
