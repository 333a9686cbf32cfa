"""What an import would change: each account of the export found by its key in the account
files (external_ids.<system>, else its mapped id), merged into its file's document, written
back and checked as `kam check` reads it. Nothing is written here; only files whose text
changes are listed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedSeq

from kam_review.errors import InputError
from kam_review.output.importing import roundtrip
from kam_review.output.importing.merge import Changes, Conflict, Settings, merge
from kam_review.output.importing.traced import Part, trace
from kam_review.output.scaffold import SCHEMA_LINE, folder_schema
from kam_review.paths import display_path
from kam_review.source.accounts import account_files, load_account, load_account_value
from kam_review.source.exports.records import AccountData, ExportData, slug
from kam_review.wording import counted

_BEFORE_LISTS = re.compile(r"\n(?=(?:financials|contacts|activities|opportunities):\n)")
NEW_FILE_NOTE = ("Created by kam import from {system}. The export owns the fields it has "
                 "columns for;\nthe plan, scores, actions and waivers are yours to write.")


@dataclass
class FileChange:
    path: Path
    account: str
    before: str | None  # None: a new file
    after: str
    changes: Changes


@dataclass
class ImportPlan:
    files: list[FileChange] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


def plan_import(data: ExportData, folder: Path, settings: Settings) -> ImportPlan:
    plan = ImportPlan(errors=list(data.errors))
    by_key, by_id = _index(folder, settings.system)
    taken: dict[Path, str] = {}  # each file is changed for one account of the export
    for key in sorted(data.accounts):
        account = data.accounts[key]
        path = by_key.get(key) or by_id.get(str(account.fields.get("id", "")))
        merged = partial(_merged, folder, path, account, settings, plan)
        change = merged()
        if change is None:
            continue
        if change.path in taken or (change.before is None and change.path.exists()):
            file, row = account.where
            plan.errors.append(InputError(
                file, row, 1, "", f"account {key} would change {display_path(change.path)}, "
                + (f"which account {taken[change.path]} changes too" if change.path in taken
                   else "which holds another account") + ": give it its own id"))
            continue
        taken[change.path] = key
        change, sound = _without_unfit_parts(change, merged, account, data, plan)
        plan.conflicts.extend(change.changes.conflicts)
        if sound and change.after != change.before:
            plan.files.append(change)
    return plan


def _merged(folder: Path, path: Path | None, account: AccountData, settings: Settings,
            plan: ImportPlan) -> FileChange | None:
    """The account merged into its file, or into a new one."""
    return (_update(path, account, settings, plan) if path is not None
            else _create(folder, account, settings, plan))


def _index(folder: Path, system: str) -> tuple[dict[str, Path], dict[str, Path]]:
    """The account files by their key in the system and by their id. Read with PyYAML's
    quick loader: only the two fields are wanted, and most files will not change."""
    by_key: dict[str, Path] = {}
    by_id: dict[str, Path] = {}
    paths, _ = account_files(folder) if folder.is_dir() else ([], [])
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in paths:
        try:
            value = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except (OSError, UnicodeError, yaml.YAMLError):
            continue  # `kam check` reports it; an import does not touch it
        if not isinstance(value, dict):
            continue
        ids = value.get("external_ids")
        if isinstance(ids, dict) and ids.get(system) is not None:
            by_key.setdefault(str(ids[system]), path)
        by_id.setdefault(str(value.get("id")), path)
    return by_key, by_id


def _update(path: Path, account: AccountData, settings: Settings, plan: ImportPlan
            ) -> FileChange | None:
    name = display_path(path)
    with path.open(encoding="utf-8", newline="") as handle:  # line ends as written
        text = handle.read()
    trip = roundtrip.load(text)
    if trip is None:
        plan.errors.append(InputError(name, 1, 1, "", "not updated: no YAML writer setting "
                                      "gives this file back byte for byte (its indentation "
                                      "or line ends are unusual), and rewriting it would "
                                      "change what people wrote"))
        return None
    held = trip.document.get("currency")
    if settings.currency and held and str(held) != settings.currency and _has_money(account):
        file, row = account.where
        plan.errors.append(InputError(file, row, 1, "", f"account {account.key}: the export's "
                                      f"money is in {settings.currency}, {name} in {held}: "
                                      "not updated"))
        return None
    changes = merge(trip.document, account, settings)
    return FileChange(path, str(trip.document.get("id")), text, trip.dump(), changes)


def _has_money(account: AccountData) -> bool:
    return bool(account.quarters) or any("value" in deal for deal in account.deals.values())


def _create(folder: Path, account: AccountData, settings: Settings, plan: ImportPlan
            ) -> FileChange | None:
    fields = account.fields
    missing = [name for name in ("name", "owner") if name not in fields]
    if missing:
        file, row = account.where
        left_out = ", ".join(f"{counted(rows, 'row')} of {name}"
                             for name, rows in account.rows.items())
        plan.errors.append(InputError(
            file, row, 1, "", f"account {account.key} is in no account file (as external_ids."
            f"{settings.system}, or by its mapped id) and the export gives no "
            f"{' and '.join(missing)} to start one (import its accounts table too); left out "
            f"with it: {left_out}"))
        return None
    account_id = fields.get("id") or slug(f"{settings.system}-{account.key}")
    start: dict[str, Any] = {"id": account_id, "name": fields["name"], "owner": fields["owner"]}
    if settings.currency and "currency" not in fields:
        start["currency"] = settings.currency
    trip = roundtrip.new_document(start)
    trip.document["financials"] = CommentedSeq()
    trip.document.yaml_set_start_comment(_first_line(folder)
                                         + NEW_FILE_NOTE.format(system=settings.system))
    changes = merge(trip.document, account, settings)
    changes.created = True
    # A blank line before each list, as the sample files and `kam new` write them.
    text = _BEFORE_LISTS.sub("\n\n", trip.dump())
    return FileChange(folder / f"{account_id}.yaml", account_id, None, text, changes)


def _first_line(folder: Path) -> str:
    """The editor's schema line of the folder's account files (the first that has one), so
    that a new file is checked and completed as they are; else nothing."""
    named = folder_schema(folder)
    return "" if named is None else f"{SCHEMA_LINE}{named}".removeprefix("# ") + "\n"


def _without_unfit_parts(change: FileChange, merged: Callable[[], FileChange | None],
                         account: AccountData, data: ExportData, plan: ImportPlan
                         ) -> tuple[FileChange, bool]:
    """The change, less each part of the export that its file cannot hold. The new text is
    read as `kam check` reads it; each error is named at the export row and column that
    brought the value, that part (a quarter, a contact, a deal, an activity, an account
    row) is left out and the account merged again without it, until the text is valid. The
    rest of the account is sound on its own: the file's every other value passed the check.
    An error no part of the export gave, or the file's own, leaves the file as it was
    (False), and says so."""
    name = display_path(change.path)
    while change.after != change.before:
        (_, errors), value = load_account_value(change.path, change.after.encode("utf-8"))
        if not errors:
            break
        own = [] if change.before is None else load_account(change.path,
                                                            change.before.encode("utf-8"))[1]
        if own:
            plan.errors.extend(InputError(e.file, e.line, e.column, e.field,
                                          f"not updated by the import: {e.message}")
                               for e in own)
            return change, False
        traced = [(error, trace(error.field, value, account, data)) for error in errors]
        parts = dict.fromkeys(found.part for _, found in traced if found is not None)
        if not parts:
            plan.errors.extend(InputError(
                *data.cell(account.where, "account", "key"),
                f"account {account.key} is not imported: {name} would not be valid, "
                f"{error.field}: {error.message}") for error in errors)
            return change, False
        # A new file starts from the account's name and owner: without them, none is written.
        needed = {part for part in parts if change.before is None and part.kind == "row"
                  and {"name", "owner"} & set(part.key)}
        for error, found in traced:
            if found is None:
                continue
            plan.errors.append(InputError(
                *data.cell(found.origin, *found.fields),
                f"{error.message} (in {name} after the import); "
                + _outcome(found.part, needed, account.key)))
        if needed:
            return change, False
        for part in parts:
            part.leave_out(account)
        again = merged()
        if again is None:
            return change, False
        change = again
    return change, True


def _outcome(part: Part, needed: set[Part], account: str) -> str:
    """What becomes of a part the file cannot hold: left out, or, where a new file would
    lack its name or owner (`needed`), the whole account with it."""
    if not needed:
        return f"left out of the import: {part.label}"
    if part in needed:
        return (f"account {account} is not imported: a new file starts from the name and "
                "owner this row gives")
    return f"account {account} is not imported"
