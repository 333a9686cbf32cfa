"""The quarters an import read, checked before they are written: those whose rows contradict
each other or may lack a line are not imported, nor those whose lines sum below zero."""

from __future__ import annotations

from kam_review.errors import InputError
from kam_review.source.exports.records import ExportData


def drop_unsure_quarters(data: ExportData) -> None:
    """The quarters whose rows contradict each other (refused where found), and those a
    revenue line that could not be read may belong to, are not imported: a sum without
    that line would be short. A line whose account or date could not be read may belong to
    any account, or any quarter of its account, of its file."""
    for refused_key, refused in data.refused_quarters:
        data.accounts[refused_key].quarters.pop(refused, None)
    for (key, when), (file, row, column, header) in data.unread_lines.items():
        for account in data.accounts.values():
            if key is not None and account.key != key:
                continue
            dropped = [quarter for quarter in sorted(account.quarters, key=lambda q: q.index)
                       if (when is None or quarter == when) and any(
                           kind == "revenue_lines" and (key is not None or f == file)
                           for kind, f, _r in data.quarter_rows.get((account.key, quarter),
                                                                    ()))]
            for quarter in dropped:
                del account.quarters[quarter]
            if dropped:
                data.errors.append(InputError(
                    file, row, column, header, f"account {account.key}: the revenue lines of "
                    + ", ".join(map(str, dropped)) + " are not imported: this line may be one "
                    "of them, and could not be read"))


def check_sums(data: ExportData) -> None:
    """A quarter whose lines sum below zero (more credit notes than invoices) is an error,
    named at the quarter's first line and the column of the figure: the account format's
    figures are at least 0."""
    for account in data.accounts.values():
        for when, figures in list(account.quarters.items()):
            negative = [name for name, value in figures.items() if value < 0]
            if negative:
                _, file, row = data.quarter_rows[(account.key, when)][0]
                data.errors.append(InputError(
                    *data.cell((file, row), negative[0]),
                    f"account {account.key}: the lines of {when} sum to "
                    + ", ".join(f"{name} {figures[name]}" for name in negative)
                    + ", below zero: the quarter is not imported"))
                del account.quarters[when]
