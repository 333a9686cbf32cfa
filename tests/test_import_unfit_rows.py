"""`kam import` and a row whose values read well but which the account file cannot hold: a
name of invisible characters, a contact already in the file under another spelling, an
activity with someone who is not a contact, lines that sum past the format's limit. The
error names the export's file, row and column, never a line of a file that was not written."""

from __future__ import annotations

import re
from pathlib import Path

from .test_import_exports import ACCOUNT, MAPPING, _acme, _with_table, _write, folder, kam_import

__all__ = ["folder"]  # the fixture, used by name

CONTACTS = _with_table("contacts.csv", "contacts", "{account: Code, name: Name, title: Title}")
ACTIVITIES = _with_table("activities.csv", "activities",
                         "{account: Code, date: Day, kind: Kind, with: With}")
WITH_CONTACT = ACCOUNT + "contacts:\n  - name: Zhang Wei\n    title: CTO\n"


def _errors(run_stderr: str, folder: Path) -> list[str]:
    return run_stderr.replace(str(folder.resolve()), str(folder)).splitlines()


def test_a_row_the_file_cannot_hold_is_named_by_export_row_and_column(folder: Path) -> None:
    (folder / "accounts" / "acme.yaml").write_text(WITH_CONTACT, encoding="utf-8")
    _write(folder, "contacts.csv", "Code,Name,Title\nC1,Li Na,Buyer\nC1,ZHANG WEI,Boss\n"
                                   "C1,\u200b,Ghost\n")
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-03,900000000000000,1\n"
                                "C1,2026-11-04,900000000000000,1\n")
    run = kam_import(folder, "contacts.csv", "lines.csv", mapping=CONTACTS,
                     extra=("--as-of", "2026-12-01"))
    assert run.exit_code == 2
    errors = _errors(run.stderr, folder)
    assert not [line for line in errors if "acme.yaml:" in line], errors
    account = folder / "accounts" / "acme.yaml"
    assert (f"error: {folder / 'contacts.csv'}:3:2: Name: duplicate name 'ZHANG WEI' (also "
            "contacts[0] 'Zhang Wei': names are compared ignoring case, spacing, invisible "
            f"characters and Unicode normal form) (in {account} after the import): the "
            "contact 'ZHANG WEI' of account C1 ") in run.stderr.replace(
                str(folder.resolve()), str(folder))
    assert any(line.startswith(f"error: {folder / 'contacts.csv'}:4:2: Name: '\\u200b' "
                               "shows nothing") for line in errors), errors
    assert any(line.startswith(f"error: {folder / 'lines.csv'}:2:3: Net: must be at most "
                               "1,000,000,000,000,000, got 1800000000000000") and
               "the figures of 2026-Q4 of account C1" in line for line in errors), errors


def test_an_activity_with_someone_not_a_contact_is_named_at_its_with_cell(
        folder: Path) -> None:
    _write(folder, "activities.csv", "Code,Day,Kind,With\nC1,2026-11-05,call,Nobody\n")
    run = kam_import(folder, "activities.csv", mapping=ACTIVITIES)
    assert run.exit_code == 2
    assert re.search(r"activities\.csv:2:4: With: 'Nobody' is not one of the contacts \(in "
                     r"\S*acme\.yaml after the import\): the call of 2026-11-05 of account C1 ",
                     run.stderr), run.stderr


def test_a_file_with_errors_of_its_own_is_named_where_they_are(folder: Path) -> None:
    (folder / "accounts" / "acme.yaml").write_text(
        WITH_CONTACT + "    level: boss\n", encoding="utf-8")
    _write(folder, "contacts.csv", "Code,Name,Title\nC1,Zhang Wei,CEO\n")
    run = kam_import(folder, "contacts.csv", mapping=CONTACTS, extra=("--write",))
    assert run.exit_code == 2
    assert "acme.yaml:12:5: contacts[0].level: not updated by the import:" in run.stderr
    assert "contacts.csv" not in run.stderr
    assert "title: CTO" in _acme(folder)


def test_a_value_no_row_can_be_blamed_for_names_the_account_row(folder: Path) -> None:
    mapping = MAPPING.replace("{key: Code, name:", "{key: Code, id: Slug, name:")
    _write(folder, "accounts.csv", "Code,Slug,Customer,Manager\n"
                                   f"C9,{'n' * 90},Nine Ltd,Zhou Lan\n")
    run = kam_import(folder, "accounts.csv", mapping=mapping)
    assert run.exit_code == 2
    assert ("accounts.csv:2:1: Code: account C9 is not imported: " in run.stderr
            and "would not be valid, id: " in run.stderr), run.stderr
