"""A content-hash cache of loaded account files, as linters keep: a file whose bytes have not
changed since the last run is not parsed or validated again.

Entries live in one SQLite file, keyed by the file's path; each holds the hash of the file's
bytes together with the loader's own code and schema, so a changed file, a changed schema or
a new kam-review version all miss. New entries are written in one transaction at the end of
a run. The cache only saves time: a damaged, locked or unwritable cache is a miss, never an
error.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from functools import cache
from pathlib import Path

from .errors import InputError
from .model import Account

CacheEntry = tuple[Account | None, list[InputError]]
DEFAULT_FOLDER = Path(".kam-cache")
_LOADER_FILES = ("accounts.py", "yamlsource.py", "schema_errors.py", "model.py",
                 "account.schema.json", "cache.py")
_SCHEMA = "CREATE TABLE IF NOT EXISTS accounts (path TEXT PRIMARY KEY, key BLOB, entry BLOB)"


@cache
def _loader_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for name in _LOADER_FILES:
        digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.digest()


def content_key(content: bytes) -> bytes:
    """What a cache entry is valid for: these bytes, read by this version of the loader."""
    return hashlib.sha256(_loader_fingerprint() + content).digest()


class AccountCache:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "accounts.sqlite"
        self._connection: sqlite3.Connection | None = None
        self._pending: list[tuple[str, bytes, bytes]] = []

    def __repr__(self) -> str:
        return f"AccountCache({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._connection = sqlite3.connect(self.path, timeout=1)
                self._connection.execute(_SCHEMA)
            except (OSError, sqlite3.Error):
                return None
        return self._connection

    def get(self, shown_as: str, key: bytes) -> CacheEntry | None:
        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT key, entry FROM accounts WHERE path = ?",
                                     (shown_as,)).fetchone()
            if row is None or row[0] != key:
                return None
            entry: CacheEntry = pickle.loads(row[1])
        except (sqlite3.Error, pickle.PickleError, EOFError, ValueError, TypeError,
                AttributeError):
            return None
        return entry

    def put(self, shown_as: str, key: bytes, entry: CacheEntry) -> None:
        self._pending.append((shown_as, key, pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)))

    def flush(self) -> None:
        """Write the entries of this run, all in one transaction."""
        connection = self._connect()
        pending, self._pending = self._pending, []
        if connection is None or not pending:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO accounts (path, key, entry) VALUES (?, ?, ?)",
                    pending)
        except sqlite3.Error:
            pass
