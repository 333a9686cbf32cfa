"""What an import read from its exports, per account: the fields, contacts, deals, figures per
quarter and activities the export owns. Only what a mapped column said is here: a field the
export has no column for is never touched in an account file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kam_review.errors import InputError
from kam_review.source.model import Quarter

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A key as an id of the account format: 0065g00000AbC -> 0065g00000abc."""
    return _NOT_SLUG.sub("-", text.casefold()).strip("-")


def activity_key(activity: Mapping[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """What makes an activity the same one in an export and in a file: its day, its kind and
    the people it was with (an activity imported again is not added twice)."""
    return (str(activity.get("date")), str(activity.get("kind")),
            tuple(sorted(str(person) for person in activity.get("with") or ())))


@dataclass
class AccountData:
    key: str
    where: tuple[str, int]  # the first row that named the account: (file, row)
    # How many rows of each file name it: what is left out with it, if it cannot be imported.
    rows: dict[str, int] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    deals: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    quarters: dict[Quarter, dict[str, float]] = field(default_factory=dict)
    activities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StageRow:
    """One row of a stage history, held until every deal of the import is known."""

    opportunity: str
    stage: str
    entered: date
    file: str
    row: int
    column: int
    header: str


@dataclass
class ExportData:
    accounts: dict[str, AccountData] = field(default_factory=dict)  # by key
    errors: list[InputError] = field(default_factory=list)
    rows: int = 0  # rows read, good and bad
    # A deal's key in the system -> (account key, deal id in the account file)
    deal_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    stage_rows: list[StageRow] = field(default_factory=list)
    # Where each export's mapped columns stand: file -> field -> (column, header), so that
    # a problem found after the rows were read still names the cell it came from.
    columns: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)
    # The row that set each field of an account, contact or deal (and the first row of a
    # contact, deal or activity, under its "name", "key" or activity key): (what, field) ->
    # (file, row), so that a later row saying otherwise, or a file that cannot hold the
    # value, is named with it.
    origins: dict[tuple[Any, ...], tuple[str, int]] = field(default_factory=dict)
    # The rows of each quarter of an account: (account key, quarter) -> [(table kind, file,
    # row)]; and the quarters not imported, for rows that contradict each other.
    quarter_rows: dict[tuple[str, Quarter], list[tuple[str, str, int]]] = field(
        default_factory=dict)
    refused_quarters: set[tuple[str, Quarter]] = field(default_factory=set)
    # The first revenue line that could not be read, by its account key and quarter (None:
    # not read either): its quarter's sum would be short. Kept with the file, row, column
    # and header of its first unreadable cell.
    unread_lines: dict[tuple[str | None, Quarter | None], tuple[str, int, int, str]] = field(
        default_factory=dict)
    # The deals left out for their row's errors, by key: (file, row) of the first such row,
    # so that their stage history is said to be left out with them.
    left_out_deals: dict[str, tuple[str, int]] = field(default_factory=dict)

    def account(self, key: str, file: str, row: int) -> AccountData:
        found = self.accounts.get(key)
        if found is None:
            found = self.accounts[key] = AccountData(key, (file, row))
        found.rows[file] = found.rows.get(file, 0) + 1
        return found

    def cell(self, origin: tuple[str, int], *fields: str) -> tuple[str, int, int, str]:
        """The file, row, column and header of an error about a row: the column of the first
        of `fields` its file maps (else the row's first column)."""
        file, row = origin
        columns = self.columns.get(file, {})
        column, header = next((columns[name] for name in fields if name in columns), (1, ""))
        return file, row, column, header


def stage_history(rows: list[StageRow]) -> list[dict[str, Any]]:
    """The rows of one deal as entries oldest first, a run of rows of one stage (a history
    row is written for every change of amount or date, too) as one entry."""
    entries: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: r.entered):
        if not entries or entries[-1]["stage"] != row.stage:
            entries.append({"stage": row.stage, "entered": row.entered})
    return entries
