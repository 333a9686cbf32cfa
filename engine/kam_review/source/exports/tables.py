"""Export files read as tables: a header row, then rows of cells. CSV (UTF-8, with or without
a byte order mark, else the mapping's encoding: GB18030) and Excel .xlsx (openpyxl,
read-only, the values Excel last computed). Rows are streamed, never held whole."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kam_review.errors import InputError
from kam_review.paths import display_path

# What a cell holds: text from a CSV file; text, a number or a date from a worksheet.
Cell = str | int | float | date | None
# A spreadsheet cell can hold anything up to 32,767 characters; CSV's default field limit
# (131,072) is kept, so a runaway quoted field is an error, not the rest of the file.


@dataclass
class Table:
    file: str  # as shown in messages
    headers: list[str]
    rows: Iterator[tuple[int, tuple[Cell, ...]]]  # (row number, cells); the header is row 1


class TableError(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def open_table(path: Path, encoding: str = "utf-8-sig", sheet: str | None = None
               ) -> Iterator[Table]:
    """The table in path, open while the block runs; TableError for a file that is not one."""
    name = display_path(path)
    if path.suffix.lower() == ".xlsx":
        with _xlsx(path, name, sheet) as table:
            yield table
    elif path.suffix.lower() in (".csv", ".txt"):
        with _csv(path, name, encoding) as table:
            yield table
    else:
        raise TableError(InputError(name, 1, 1, "", "not a .csv or .xlsx file"))


def csv_encoding(path: Path, configured: str) -> str:
    """UTF-8 for a file whose bytes are UTF-8, whatever the mapping says (GB18030 reads any
    bytes, UTF-8 ones as other characters, without an error); else the mapping's encoding.
    So one import reads a CRM's UTF-8 export beside an ERP's GB18030 one. The file is read
    a block at a time, never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return configured
    except OSError:
        return configured  # reported when the file is opened
    return "utf-8-sig"


@contextmanager
def _csv(path: Path, name: str, encoding: str) -> Iterator[Table]:
    encoding = csv_encoding(path, encoding)
    try:
        handle = path.open(encoding=encoding, newline="")
    except OSError as error:
        raise TableError(InputError(name, 1, 1, "", f"cannot read the file: "
                                    f"{error.strerror or error}")) from None
    with handle:
        reader = csv.reader(handle)
        try:
            headers = [header.strip() for header in next(reader, [])]
        except (UnicodeDecodeError, csv.Error) as error:
            raise TableError(_unreadable(name, 1, error)) from None
        if not headers:
            raise TableError(InputError(name, 1, 1, "", "the file is empty: no header row"))
        yield Table(name, headers, _csv_rows(reader, name))


def _csv_rows(reader: Iterator[list[str]], name: str) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    number = 1
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as error:
            raise TableError(_unreadable(name, number, error)) from None
        if any(cell.strip() for cell in row):
            yield number, tuple(row)


def _unreadable(name: str, row: int, error: Exception) -> InputError:
    if isinstance(error, UnicodeDecodeError):
        return InputError(name, row, 1, "", f"the file is not {error.encoding} text (set the "
                          "mapping's encoding: utf-8 or gb18030)")
    return InputError(name, row, 1, "", f"not CSV: {error}")


@contextmanager
def _xlsx(path: Path, name: str, sheet: str | None) -> Iterator[Table]:
    # Imported here: openpyxl takes a while to import and only .xlsx files need it.
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is no workbook
        raise TableError(InputError(name, 1, 1, "", f"not an .xlsx workbook: {error}")
                         ) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise TableError(InputError(name, 1, 1, "", f"no worksheet '{sheet}'; it has: "
                                        + ", ".join(book.sheetnames)))
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise TableError(InputError(name, 1, 1, "", "the worksheet is empty: no header row"))
        headers = ["" if cell is None else str(cell).strip() for cell in first]
        yield Table(name, headers, _xlsx_rows(rows))
    finally:
        book.close()


def _xlsx_rows(rows: Iterator[tuple[object, ...]]) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    for number, row in enumerate(rows, start=2):
        cells = tuple(cell if isinstance(cell, str | int | float | date) else
                      None if cell is None else str(cell) for cell in row)
        if any(cell not in (None, "") for cell in cells):
            yield number, cells
