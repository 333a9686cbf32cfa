"""The review's tables as CSV files, for a spreadsheet: built with the site, same bytes for
the same review.

Each file is UTF-8 with a byte order mark, which Excel needs to read anything but ASCII
(names such as 海尔 or José), and rows end in CRLF as RFC 4180 has them. A cell of text that
a spreadsheet would run as a formula (it starts with =, +, -, @, or a tab or carriage return
that some read past) gets a leading apostrophe, which shows it as the text it is: account
files are written by many hands, and a name like `=HYPERLINK(...)` must not become a link
in the reader's sheet. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import partial

from kam_review.i18n import _
from kam_review.output.kept_parts import keeping, part
from kam_review.review.actions import planned_for, reviewed_actions
from kam_review.review.results import AccountResult, Finding, Result

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def inert_cell(value: Cell) -> str | int | float:
    """A cell as written to the file: text that could start a formula is kept text."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A whole CSV file: the byte order mark, the header row (in the active language),
    then every row."""
    return BOM + _lines([[_(h) for h in headers]]) + _lines(rows)


def _lines(rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [inert_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


Rows = Callable[[], Iterable[Sequence[Cell]]]


def kept_csv_text(name: str, headers: Sequence[str],
                  groups: Iterable[tuple[tuple[object, ...], Rows]]) -> str:
    """csv_text of the rows of every group in turn, each group's lines kept under its
    owners (kept_parts.py) while `kam serve` keeps parts."""
    if not keeping():
        return csv_text(headers, (row for _owners, rows in groups for row in rows()))
    head = csv_text(headers, ())
    return head + "".join(part(name, owners, None, _group_lines, rows)
                          for owners, rows in groups)


def _group_lines(rows: Rows) -> str:
    return _lines(rows())


RISK_REGISTER_HEADERS = ("Account id", "Account", "Owner", "Severity", "Kind", "Rule",
                         "Subject", "Finding", "Action", "Waived", "Waiver", "Team", "Planned")


def risk_register_csv(result: Result) -> str:
    """Every warning of the portfolio, in the risk register's order: most severe first."""
    items = {item.account.id: item for item in result.accounts}
    return kept_csv_text("risks.csv", RISK_REGISTER_HEADERS, (
        ((finding, account), partial(_risk_rows, finding, items[account.id], result))
        for finding, account in result.warnings()))


def _risk_rows(finding: Finding, item: AccountResult, result: Result) -> list[list[Cell]]:
    account = item.account
    return [[account.id, account.name, account.owner, finding.severity.value,
             finding.kind.value, finding.rule, finding.subject, finding.message, finding.action,
             _yes_no(finding.waived), finding.waiver_note, account.team or "",
             _planned(finding, item, result)]]


def _planned(finding: Finding, item: AccountResult, result: Result) -> str:
    """What the plan does about the warning, as the register's Planned column says it."""
    planned = planned_for(finding, item, result.rulebook.rule(finding.rule).on, result.as_of)
    answer, done = planned.open, planned.done
    if answer is not None:
        due = answer.action.due
        return (_("{what} ({owner}, due {due})").format(
            what=answer.action.what, owner=answer.action.owner, due=due.isoformat())
                if due else f"{answer.action.what} ({answer.action.owner})")
    if not planned.wanted:
        return ""
    if done is not None:
        return _("done: {what} ({owner})").format(what=done.action.what,
                                                  owner=done.action.owner)
    return _("nothing planned")


ACTIONS_HEADERS = ("Account id", "Account", "What", "Owner", "Due", "Status", "Outcome",
                   "Answers", "Overdue", "Done on")


def actions_csv(result: Result) -> str:
    """Every action of every account's plan, account by account in the file's order; due
    dates as ISO dates, which every spreadsheet reads, and whether an open one is overdue as
    of the review date."""
    return kept_csv_text("actions.csv", ACTIONS_HEADERS, (
        ((item,), partial(_action_rows, item, result.as_of)) for item in result.accounts))


def _action_rows(item: AccountResult, as_of: date) -> list[list[Cell]]:
    return [[item.account.id, item.account.name, a.action.what, a.action.owner,
             a.action.due.isoformat() if a.action.due else None, a.action.status,
             a.action.outcome, a.action.answers, _yes_no(a.overdue),
             a.action.done_on.isoformat() if a.action.done_on else None]
            for a in reviewed_actions(item, as_of)]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


# The files built with the site, by name: one function from the Result to CSV text each.
EXPORTS: dict[str, Callable[[Result], str]] = {
    "risks.csv": risk_register_csv,
    "actions.csv": actions_csv,
}


def exports(result: Result) -> dict[str, str]:
    """Every CSV file of the review: file name -> text."""
    return {name: make(result) for name, make in EXPORTS.items()}
