"""Export rows mapped to account data: each cell read as its field's value, every bad cell an
error naming the file, row, column and value (its row is skipped, the others still import),
invoice or order lines summed per quarter, stage history rows tied to their deals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.source.exports import cells
from kam_review.source.exports.cell_readers import Reader, reader
from kam_review.source.exports.mapping import FIELDS, REQUIRED, Mapping, TableSpec, resolve_columns
from kam_review.source.exports.records import (
    ExportData,
    StageRow,
    activity_key,
    slug,
    stage_history,
)
from kam_review.source.exports.sums import check_sums, drop_unsure_quarters
from kam_review.source.exports.tables import Cell, TableError, open_table
from kam_review.source.model import Quarter
from kam_review.source.names import normalise_name

# Deals and accounts first: stage history and the other tables refer to them.
_ORDER = ("accounts", "opportunities", "stage_history", "contacts", "quarters",
          "revenue_lines", "activities")


def read_exports(paths: Iterable[Path], mapping: Mapping) -> ExportData:
    data = ExportData()
    matched: list[tuple[int, Path, TableSpec]] = []
    for path in dict.fromkeys(paths):  # a file named twice is read once
        spec = mapping.spec_for(path)
        if spec is None:
            data.errors.append(InputError(str(path), 1, 1, "", "no table of the mapping "
                                          "matches this file's name (tables[].file)"))
        else:
            matched.append((_ORDER.index(spec.kind), path, spec))
    for _, path, spec in sorted(matched, key=lambda item: item[0]):
        _read_table(path, spec, mapping, data)
    _attach_stage_history(data)
    drop_unsure_quarters(data)
    check_sums(data)
    return data


def _read_table(path: Path, spec: TableSpec, mapping: Mapping, data: ExportData) -> None:
    try:
        with open_table(path, mapping.encoding, spec.sheet) as table:
            columns, errors = resolve_columns(spec, table.headers, table.file)
            data.errors.extend(errors)
            if errors:
                return
            readers = {name: reader(name, mapping, spec.kind) for name in columns}
            data.columns[table.file] = {name: (index + 1, table.headers[index])
                                        for name, index in columns.items()}
            for number, row in table.rows:
                data.rows += 1
                _read_row(data, spec.kind, readers, columns, table.headers, table.file,
                          number, row)
    except TableError as error:
        data.errors.append(error.error)


def _read_row(data: ExportData, kind: str, readers: dict[str, Reader], columns: dict[str, int],
              headers: list[str], file: str, number: int, row: tuple[Cell, ...]) -> None:
    values: dict[str, Any] = {}
    errors: list[InputError] = []
    for name, index in columns.items():
        cell = row[index] if index < len(row) else None
        if cells.text(cell) == "":
            if name in REQUIRED[kind]:
                errors.append(InputError(file, number, index + 1, headers[index],
                                         f"{name} is empty"))
            continue
        try:
            values[name] = readers[name](cell)
        except ValueError as problem:
            errors.append(InputError(file, number, index + 1, headers[index],
                                     f"{problem}, got '{cells.text(cell)[:80]}'"))
    data.errors.extend(errors)
    key = values.get("key")  # before _deal_row takes it
    found = None if errors else _ADD[kind](data, values, file, number)
    if found:
        data.errors.append(InputError(*data.cell((file, number), found[0]), found[1]))
    if errors or found:
        _left_out(data, kind, key, values, errors, (file, number))


def _left_out(data: ExportData, kind: str, key: Any, values: dict[str, Any],
              errors: list[InputError], row: tuple[str, int]) -> None:
    """What a row not imported leaves out: its deal, unless another row brought it (its
    stage history goes with it); a revenue line that could not be read, its quarter's sum."""
    if kind == "opportunities" and isinstance(key, str) and key not in data.deal_keys:
        data.left_out_deals.setdefault(key, row)
    if kind == "revenue_lines" and errors:
        when = values.get("date")
        data.unread_lines.setdefault(
            (values.get("account"), None if when is None else Quarter.containing(when)),
            (*row, errors[0].column, errors[0].field))


# Each table kind's rows added to the data; a problem is (field, message).
Problem = tuple[str, str] | None


def _merged(data: ExportData, what: tuple[str, ...], target: dict[str, Any],
            values: dict[str, Any], file: str, row: int) -> Problem:
    """The row's values into `target` (an account's fields, a contact, a deal), unless an
    earlier row gave one of them another value: the row is then not imported, and the
    problem names that row (a file exported twice, or two records of one key)."""
    for name, value in values.items():
        if name in target and target[name] != value:
            earlier = data.origins.get((*what, name), ("", 0))
            return name, (f"{name} is '{value}' here but '{target[name]}' on "
                          f"{earlier[0]}:{earlier[1]} for the same {' '.join(what)}: the row "
                          "is not imported")
    target.update(values)
    for name in values:
        data.origins.setdefault((*what, name), (file, row))
    return None


def _account_row(data: ExportData, values: dict[str, Any], file: str, row: int) -> Problem:
    key = values.pop("key")
    return _merged(data, ("account", key), data.account(key, file, row).fields, values, file,
                   row)


def _contact_row(data: ExportData, values: dict[str, Any], file: str, row: int) -> Problem:
    account = data.account(values.pop("account"), file, row)
    name = _first_spelling(account.contacts, values.pop("name"))
    contact = account.contacts.get(name, {})
    what = ("contact", name, "of account", account.key)
    problem = _merged(data, what, contact, values, file, row)
    if problem is None:
        data.origins.setdefault((*what, "name"), (file, row))
        account.contacts[name] = contact
    return problem


def _first_spelling(contacts: dict[str, Any], name: str) -> str:
    """The name as the export first spelled this person: rows that spell one person two
    ways (Zhang Wei, ZHANG WEI) are one contact, as the account file compares names."""
    if name in contacts or not isinstance(name, str):
        return name
    same = normalise_name(name)
    return next((known for known in contacts if normalise_name(known) == same), name)


def _deal_row(data: ExportData, values: dict[str, Any], file: str, row: int) -> Problem:
    key = values.pop("key")
    account = data.account(values.pop("account"), file, row)
    deal_id = values.pop("id", None) or slug(key)
    if not deal_id:
        return "key", f"the key '{key}' gives no id: map an id column"
    earlier = data.deal_keys.get(key)
    if earlier is not None and earlier != (account.key, deal_id):
        return "key", f"the deal '{key}' is listed twice, under other accounts or ids"
    deal = account.deals.get(deal_id, {})
    problem = _merged(data, ("deal", key), deal, values, file, row)
    if problem is None:
        data.origins.setdefault(("deal", key, "key"), (file, row))
        data.deal_keys[key] = (account.key, deal_id)
        account.deals[deal_id] = deal
    return problem


def _stage_row(data: ExportData, values: dict[str, Any], file: str, row: int) -> Problem:
    _, _, column, header = data.cell((file, row), "opportunity")
    data.stage_rows.append(StageRow(values["opportunity"], values["stage"], values["entered"],
                                    file, row, column, header))
    return None


def _figures_row(data: ExportData, values: dict[str, Any], file: str, row: int) -> Problem:
    """A quarter's figures (a quarters table's row), or a line added to them (revenue
    lines). A quarter given twice by a quarters table, or by both kinds of table, is not
    imported: added up, its figures would count the same revenue twice."""
    account = data.account(values.pop("account"), file, row)
    kind = "quarters" if "quarter" in values else "revenue_lines"
    when = values.pop("quarter", None)
    if when is None:
        when = Quarter.containing(values.pop("date"))
    rows = data.quarter_rows.setdefault((account.key, when), [])
    clash = next(((f, r) for k, f, r in rows if "quarters" in (k, kind)), None)
    rows.append((kind, file, row))
    figures = account.quarters.setdefault(when, {})
    for name, amount in values.items():
        figures[name] = cells.tidy(figures.get(name, 0) + amount)
    if clash is None:
        return None
    data.refused_quarters.add((account.key, when))
    return ("quarter" if kind == "quarters" else "date"), (
        f"{when} of account {account.key} is also on {clash[0]}:{clash[1]}: a quarters "
        "table gives a quarter once, and not beside revenue lines; the quarter is not "
        "imported")


def _activity_row(data: ExportData, values: dict[str, Any], file: str, row: int) -> Problem:
    account = data.account(values.pop("account"), file, row)
    account.activities.append(values)
    data.origins.setdefault(("activity", account.key, *activity_key(values)), (file, row))
    return None


_ADD: dict[str, Callable[[ExportData, dict[str, Any], str, int], Problem]] = {
    "accounts": _account_row, "contacts": _contact_row, "opportunities": _deal_row,
    "stage_history": _stage_row, "revenue_lines": _figures_row, "quarters": _figures_row,
    "activities": _activity_row,
}
assert set(_ADD) == set(FIELDS) == set(_ORDER)


def _attach_stage_history(data: ExportData) -> None:
    by_deal: dict[str, list[StageRow]] = {}
    for row in data.stage_rows:
        if row.opportunity in data.deal_keys:
            by_deal.setdefault(row.opportunity, []).append(row)
            continue
        left_out = data.left_out_deals.get(row.opportunity)
        data.errors.append(InputError(row.file, row.row, row.column, row.header, (
            f"no deal '{row.opportunity}' in the import's opportunities: import the stage "
            "history with the opportunities it belongs to") if left_out is None else (
            f"the deal '{row.opportunity}' is not imported ({left_out[0]}:{left_out[1]} has "
            "errors), so its stage history is left out with it")))
    for key, rows in by_deal.items():
        account_key, deal_id = data.deal_keys[key]
        data.accounts[account_key].deals[deal_id]["stage_history"] = stage_history(rows)
