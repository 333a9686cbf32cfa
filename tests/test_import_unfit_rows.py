"""`kam import` and a row whose values read well but which the account file cannot hold: a
name of invisible characters, an activity with someone who is not a contact, lines that sum
past the format's limit. The error names the export's file, row and column, never a line of a
file that was not written; what the row brings is left out and the rest of its account is
written."""

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
    _write(folder, "contacts.csv", "Code,Name,Title\nC1,Li Na,Buyer\nC1,\u200b,Ghost\n")
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-03,900000000000000,1\n"
                                "C1,2026-11-04,900000000000000,1\n")
    run = kam_import(folder, "contacts.csv", "lines.csv", mapping=CONTACTS,
                     extra=("--as-of", "2026-12-01"))
    assert run.exit_code == 2
    errors = _errors(run.stderr, folder)
    assert not [line for line in errors if "acme.yaml:" in line], errors
    assert any(line.startswith(f"error: {folder / 'contacts.csv'}:3:2: Name: '\\u200b' "
                               "shows nothing") for line in errors), errors
    assert any(line.startswith(f"error: {folder / 'lines.csv'}:2:3: Net: must be at most "
                               "1,000,000,000,000,000, got 1800000000000000") and
               "the figures of 2026-Q4 of account C1" in line for line in errors), errors


def test_a_contact_spelled_otherwise_is_the_files_contact(folder: Path) -> None:
    # CRMs and people write names in other cases and spacings: ZHANG WEI is the file's
    # Zhang Wei (as the file's duplicate check compares names), updated under the file's
    # spelling; two rows of the export that spell one new person two ways are one contact.
    (folder / "accounts" / "acme.yaml").write_text(WITH_CONTACT, encoding="utf-8")
    _write(folder, "contacts.csv", "Code,Name,Title\nC1,ZHANG  WEI,Boss\nC1,Li Na,Buyer\n"
                                   "C1,LI NA,Buyer\n")
    run = kam_import(folder, "contacts.csv", mapping=CONTACTS, extra=("--write",))
    assert run.exit_code == 0, run.stderr
    text = (folder / "accounts" / "acme.yaml").read_text(encoding="utf-8")
    assert "  - name: Zhang Wei\n    title: Boss\n" in text
    assert text.count("name: Li Na") == 1 and "LI NA" not in text and "ZHANG" not in text
    assert "1 contact added" in run.stdout


def test_an_activity_with_someone_not_a_contact_is_named_at_its_with_cell(
        folder: Path) -> None:
    _write(folder, "activities.csv", "Code,Day,Kind,With\nC1,2026-11-05,call,Nobody\n")
    run = kam_import(folder, "activities.csv", mapping=ACTIVITIES)
    assert run.exit_code == 2
    assert re.search(r"activities\.csv:2:4: With: 'Nobody' is not one of the contacts \(in "
                     r"\S*acme\.yaml after the import\); left out of the import: the call of "
                     r"2026-11-05 of account C1\n", run.stderr), run.stderr


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


def test_the_rest_of_the_account_is_written_without_what_a_bad_row_brings(
        folder: Path) -> None:
    (folder / "accounts" / "acme.yaml").write_text(WITH_CONTACT, encoding="utf-8")
    mapping = (CONTACTS + ACTIVITIES.removeprefix(MAPPING)).replace(
        "title: Title}", "title: Title, roles: Roles}")
    _write(folder, "contacts.csv", "Code,Name,Title,Roles\nC1,Li Na,Buyer,\n"
                                   "C1,Zhao Min,Boss,coach;coach\nC2,Wang Fang,CFO,\n")
    _write(folder, "activities.csv", "Code,Day,Kind,With\nC1,2026-11-03,visit,Li Na\n"
                                     "C1,2026-11-05,call,Zhao Min\n")
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-03,900000000000000,1\n"
                                "C1,2026-11-04,900000000000000,1\nC1,2027-01-05,40,10\n")
    _write(folder, "accounts.csv", "Code,Customer,Manager\nC2,Beta,Zhou Lan\n")
    run = kam_import(folder, "contacts.csv", "activities.csv", "lines.csv", "accounts.csv",
                     mapping=mapping, extra=("--as-of", "2026-12-01", "--write"))
    assert run.exit_code == 2
    errors = _errors(run.stderr, folder)
    assert len(errors) == 3, errors
    # The contact refused, the activity with them goes too, found once it is left out.
    assert "contacts.csv:3:4: Roles: " in errors[1] and errors[1].endswith(
        "left out of the import: the contact 'Zhao Min' of account C1"), errors
    assert re.search(r"activities\.csv:3:4: With: 'Zhao Min' is not one of the contacts .*"
                     r"left out of the import: the call of 2026-11-05 of account C1$",
                     errors[2]), errors
    acme = _acme(folder)
    assert acme == WITH_CONTACT.replace(
        "  - {quarter: 2026-Q3, revenue: 120, cost: 80}\n",
        "  - {quarter: 2026-Q3, revenue: 120, cost: 80}\n"
        "  - {quarter: 2027-Q1, revenue: 40, cost: 10}\n") + (
        "  - name: Li Na\n    title: Buyer\nactivities:\n  - date: 2026-11-03\n"
        "    kind: visit\n    with: [Li Na]\n")
    # The quarter whose sum the file cannot hold stays unknown: no smaller figure is written.
    assert "2026-Q4" not in acme and "Zhao Min" not in acme
    assert "name: Wang Fang" in (folder / "accounts" / "erp-c2.yaml").read_text(encoding="utf-8")


def test_a_new_account_whose_owner_the_file_cannot_hold_is_not_created(folder: Path) -> None:
    _write(folder, "accounts.csv", "Code,Customer,Manager\nC1,Acme,Zhou \u202eLan\n"
                                   "C9,Nine Ltd,Zhou \u202eLan\n")
    run = kam_import(folder, "accounts.csv", extra=("--write",))
    assert run.exit_code == 2
    errors = _errors(run.stderr, folder)
    assert errors[0].endswith("left out of the import: the fields this row gives account C1 "
                              "(name, owner)"), errors
    assert "accounts.csv:3:3: Manager: 'Zhou \\u202eLan' holds the bidirectional" in errors[1]
    assert errors[1].endswith("account C9 is not imported: a new file starts from the name "
                              "and owner this row gives"), errors
    assert _acme(folder) == ACCOUNT
    assert sorted(p.name for p in (folder / "accounts").iterdir()) == ["acme.yaml"]
