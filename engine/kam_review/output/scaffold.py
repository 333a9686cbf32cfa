"""`kam new`: a valid, commented account file to start from."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from string import Template

from kam_review.errors import KamError
from kam_review.output.input_files import create_input_file
from kam_review.source.accounts import SCHEMA_FILE, account_files
from kam_review.source.model import clip
from kam_review.text_safety import terminal_text

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

TEMPLATE = Path(__file__).with_name("account-template.yaml")
# The first line of an account file that names its schema for editors.
SCHEMA_LINE = "# yaml-language-server: $schema="
# The team repository's copy of the schema, at its root (kam init writes it).
TEAM_SCHEMA = "account.schema.json"


def new_account(account_id: str, folder: Path, today: date) -> Path:
    # fullmatch: `$` would let a final newline through, into the file's name.
    if not _SLUG.fullmatch(account_id):
        raise KamError(f"'{clip(terminal_text(account_id))}' is not a valid id: use lowercase "
                       "letters, digits and single dashes, like hanhai-retail")
    schema = schema_reference(folder)
    text = Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        schema=schema, account_id=account_id, name=account_id.replace("-", " ").title(),
        today=today.isoformat(), quarter=f"{today.year}-Q{(today.month - 1) // 3 + 1}",
        year=today.year,
        due=date(today.year + 1, 6, 30).isoformat(),
        action_due=(today + timedelta(days=30)).isoformat())
    return create_input_file(folder, f"{account_id}.yaml", text)


def schema_reference(folder: Path) -> str:
    """The schema a new account file in `folder` names for editors, as a committed file must
    name it to work on every teammate's machine and in CI: as the folder's files name it;
    else relative to the folder, the team's copy (kam init writes it at the repository's
    root) in the folder or a folder above it; else, with neither, the published schema's
    own file, which only this machine can open."""
    named = folder_schema(folder)
    if named is not None:
        return named
    where = folder.resolve()
    for above in (where, *where.parents):
        if (above / TEAM_SCHEMA).is_file():
            return Path(os.path.relpath(above / TEAM_SCHEMA, where)).as_posix()
    return SCHEMA_FILE.resolve().as_uri()


def folder_schema(folder: Path) -> str | None:
    """The schema the folder's account files name (the first that names one), if any."""
    paths, _ = account_files(folder) if folder.is_dir() else ([], [])
    for path in paths:
        try:
            with path.open(encoding="utf-8") as handle:
                line = handle.readline(500).strip()
        except (OSError, UnicodeError):
            continue
        if line.startswith(SCHEMA_LINE) and len(line) > len(SCHEMA_LINE):
            return line.removeprefix(SCHEMA_LINE)
    return None
