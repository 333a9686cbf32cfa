"""A content-hash cache of loaded account files, as linters keep: a file whose bytes have not
changed since the last run is not parsed again.

The cache holds plain data only, never code or pickled objects: for each valid account file,
its value as JSON (what the YAML said) and where the values stand in the file. Reading an
entry checks its shape here; the loader then rebuilds the Account through the same checks
and builder a parsed file goes through, so an entry that does not pass them is a miss.

Entries live in one SQLite file per accounts folder, named by a hash of the folder's real
path, in the user's cache folder (KAM_CACHE_DIR overrides it), never in the repository. Each
entry holds the hash of the file's bytes together with the loader's own code and schema, so
a changed file, a changed schema or a new kam-review version all miss. New entries are
written in one transaction at the end of a run. The cache only saves time: a damaged,
foreign, locked or unwritable cache is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

from kam_review.errors import InputError
from kam_review.source.model import Account, FieldPath

CacheEntry = tuple[Account | None, list[InputError]]
FOLDER_VARIABLE = "KAM_CACHE_DIR"
_APP = "kam-review"
_SCHEMA = "CREATE TABLE IF NOT EXISTS accounts (path TEXT PRIMARY KEY, key TEXT, entry TEXT)"
# An entry is about as large as its file, and files are refused above 2 MiB.
_MAX_ENTRY_CHARS = 8 * 1024 * 1024


@dataclass(frozen=True)
class StoredAccount:
    """A cache entry as read back: a valid file's plain value and where its values stand.
    Only its shape is checked here; the loader checks the rest."""

    value: dict[str, Any]
    locations: dict[FieldPath, tuple[int, int]]


@cache
def _loader_fingerprint() -> bytes:
    # Every source file of the package, not a list of the loader's modules: a list goes
    # stale when a check moves into a new module, and a stale key would serve old results.
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.digest()


def content_key(content: bytes) -> bytes:
    """What a cache entry is valid for: these bytes, read by this version of the loader."""
    return hashlib.sha256(_loader_fingerprint() + content).digest()


def cache_folder() -> Path:
    """Where cache files go: $KAM_CACHE_DIR, else the user's cache folder for kam-review."""
    chosen = os.environ.get(FOLDER_VARIABLE)
    return Path(chosen) if chosen else platformdirs.user_cache_path(_APP, appauthor=False)


def entry_text(value: Any, locations: Mapping[FieldPath, tuple[int, int]]) -> str | None:
    """A valid account file's entry as JSON text; None when the value is not plain data."""
    try:
        return json.dumps({"value": value,
                           "locations": [[list(path), *where] for path, where in
                                         locations.items()]},
                          ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return None


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is not a finite number")
    return number


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _read_entry(text: Any) -> StoredAccount | None:
    """An entry's JSON text back as plain data, or None unless it has exactly the shape
    entry_text writes."""
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or set(data) != {"value", "locations"}:
        return None
    value, rows = data["value"], data["locations"]
    if not isinstance(value, dict) or not isinstance(rows, list):
        return None
    locations: dict[FieldPath, tuple[int, int]] = {}
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], list)
                and all(_is_position(n) for n in row[1:])
                and all(isinstance(part, str) or _is_index(part) for part in row[0])):
            return None
        locations[tuple(row[0])] = (row[1], row[2])
    return StoredAccount(value, locations)


def _is_index(part: Any) -> bool:
    return isinstance(part, int) and not isinstance(part, bool) and part >= 0


def _is_position(number: Any) -> bool:
    return _is_index(number) and number >= 1


class AccountCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pending: list[tuple[str, str, str]] = []

    @classmethod
    def for_accounts(cls, accounts_folder: Path, folder: Path | None = None) -> AccountCache:
        """The cache of one accounts folder, known by its real path, in `folder` (default:
        cache_folder())."""
        real = os.fsencode(accounts_folder.resolve())
        name = f"accounts-{hashlib.sha256(real).hexdigest()[:32]}.sqlite"
        return cls((folder if folder is not None else cache_folder()) / name)

    def __repr__(self) -> str:
        return f"AccountCache({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is None:
            try:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._connection = sqlite3.connect(self.path, timeout=1)
                self._connection.execute(_SCHEMA)
            except (OSError, sqlite3.Error):
                return None
        return self._connection

    def get(self, shown_as: str, key: bytes) -> StoredAccount | None:
        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute(
                "SELECT entry FROM accounts WHERE path = ? AND key = ? AND length(entry) <= ?",
                (shown_as, key.hex(), _MAX_ENTRY_CHARS)).fetchone()
        except sqlite3.Error:
            return None
        return None if row is None else _read_entry(row[0])

    def put(self, shown_as: str, key: bytes, text: str) -> None:
        self._pending.append((shown_as, key.hex(), text))

    def flush(self) -> None:
        """Write the entries of this run (or batch), all in one transaction, and close."""
        pending, self._pending = self._pending, []
        connection = self._connect() if pending else self._connection
        if connection is None:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO accounts (path, key, entry) VALUES (?, ?, ?)",
                    pending)
        except sqlite3.Error:
            pass
        finally:
            connection.close()
            self._connection = None
