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

The key of an entry is public (anyone can hash a file), so an entry is also sealed with an
HMAC under a secret key kept in the cache folder, readable by its owner only: an entry
written by anything but kam-review with that key is a miss. As ssh does with its files, the
cache is used only when its folder and files belong to the user and nobody else may write
them, and a KAM_CACHE_DIR inside the accounts folder, the rules or the repository holding
the accounts is not used (cache_trust.py); either way one line on stderr says why, and the
run goes on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import platformdirs

from kam_review.errors import InputError
from kam_review.paths import real
from kam_review.source.cache_trust import (
    FOLDER_VARIABLE,
    Distrusted,
    check_file,
    check_owner,
    check_place,
    read_secret,
)
from kam_review.source.model import Account, FieldPath
from kam_review.text_safety import terminal_text, unencodable

CacheEntry = tuple[Account | None, list[InputError]]
_APP = "kam-review"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS entries "
           "(path TEXT PRIMARY KEY, key TEXT, entry TEXT, mac TEXT)")
# Read as the UTF-8 its seal covers; sized by its bytes first (counting characters reads all).
_READ = "key, CAST(entry AS BLOB), mac"
_FITS = "(length(CAST(entry AS BLOB)) <= ?1 OR length(entry) <= ?1)"
# An entry is about as large as its file, and files are refused above 2 MiB.
_MAX_ENTRY_CHARS = 8 * 1024 * 1024


@dataclass(frozen=True)
class StoredAccount:
    """A cache entry as read back: a valid file's plain value and where its values stand.
    Only its shape is checked here; the loader checks the rest."""

    value: dict[str, Any]
    locations: dict[FieldPath, tuple[int, int]]


# What decides a cached value besides its input: the code, schemas and word catalogues.
_FINGERPRINTED = (".py", ".json", ".po")


def fingerprinted_files() -> list[Path]:
    """Every file of the kam_review package a cached value depends on. The whole package,
    not a list of the loader's modules: the review caches (review/fast_check.py,
    review/previous.py) key on it too, and a list goes stale when code moves, so that a
    stale key would serve old results."""
    package = Path(__file__).parent.parent
    return sorted(path for path in package.rglob("*")
                  if path.suffix in _FINGERPRINTED and path.is_file())


@cache
def _loader_fingerprint() -> bytes:
    digest = hashlib.sha256()
    package = Path(__file__).parent.parent
    for path in fingerprinted_files():
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def content_key(content: bytes) -> bytes:
    """What a cache entry is valid for: these bytes, read by this version of the loader."""
    return hashlib.sha256(_loader_fingerprint() + content).digest()


def digest_key(digest: bytes) -> bytes:
    """content_key of bytes known by their SHA-256 (file_stamps.py): a file whose status
    shows it unchanged is keyed without reading it."""
    return hashlib.sha256(_loader_fingerprint() + b"\0sha256\0" + digest).digest()


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
    def __init__(self, path: Path, outside: Sequence[Path] = (),
                 max_entry_chars: int = _MAX_ENTRY_CHARS, name: str = "account cache") -> None:
        """The cache file `path`; its folder is not used if it lies in one of the folders
        `outside` or in a git repository holding one of them."""
        self.path = path
        self._outside = tuple(outside)
        self._max_entry_chars = max_entry_chars
        self._name = name  # how the one line saying it is not used names it
        self._connection: sqlite3.Connection | None = None
        self._secret = b""
        self._distrusted = False
        self._pending: list[tuple[str, str, str]] = []
        self._rows: dict[str, tuple[Any, Any, Any]] | None = None  # see preload

    @classmethod
    def for_accounts(cls, accounts_folder: Path, folder: Path | None = None,
                     inputs: Sequence[Path] = (), kind: str = "accounts",
                     max_entry_chars: int = _MAX_ENTRY_CHARS,
                     name: str = "account cache") -> AccountCache:
        """The cache of one accounts folder, known by its real path, in `folder` (default:
        cache_folder()). A folder chosen by the user must lie outside the accounts folder,
        the `inputs` (the rules) and the repository holding them; the user's own cache
        folder is kam-review's. `kind` names the file: the parsed files ("accounts") or
        another result kept for the folder ("reviews": see review/previous.py)."""
        digest = hashlib.sha256(os.fsencode(real(accounts_folder))).hexdigest()[:32]
        chosen = folder if folder is not None else cache_folder()
        outside = (accounts_folder, *inputs) if (
            folder is not None or os.environ.get(FOLDER_VARIABLE)) else ()
        return cls(chosen / f"{kind}-{digest}.sqlite", outside, max_entry_chars, name)

    def __repr__(self) -> str:
        return f"AccountCache({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is None and not self._distrusted:
            try:
                self._connection = self._open()
            except Distrusted as problem:
                # Once per run: later batches find the cache closed.
                self._distrusted = True
                sys.stderr.write(terminal_text(f"kam: the {self._name} is not used: {problem}")
                                 + "\n")
            except (OSError, sqlite3.Error):
                return None
        return self._connection

    def _open(self) -> sqlite3.Connection:
        folder = self.path.parent
        check_place(folder, self._outside)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        check_owner(folder, folder.stat())
        self._secret = read_secret(folder)
        if not check_file(self.path):
            # Created private: SQLite gives its journal files the database's mode.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                             0o600))
        connection = sqlite3.connect(self.path, timeout=1)
        try:
            connection.execute(_SCHEMA)
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _seal(self, shown_as: str, key: str, text: str | bytes) -> str:
        """The entry's MAC under this folder's secret, over its path, key and text's UTF-8."""
        pieces: list[bytes] = []
        for part in (shown_as, key, text):
            data = part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
            pieces += (len(data).to_bytes(8, "big"), data)  # the entry is not copied twice
        return hmac.digest(self._secret, b"".join(pieces), "sha256").hex()

    def get(self, shown_as: str, key: bytes) -> StoredAccount | None:
        return _read_entry(self.get_text(shown_as, key))

    def preload(self, names: Sequence[str] | None = None) -> None:
        """Read every entry now (or the entries of the files `names`, in place of those read
        before), in one query (per 500 names): a run that looks up most of them (the fast
        `kam check`) then makes no query per file, and one that goes batch by batch holds a
        batch's entries only. Entries are checked when looked up."""
        connection = self._connect()
        if connection is None:
            return
        query = f"SELECT path, {_READ} FROM entries WHERE {_FITS}"
        try:
            if names is None:
                rows = connection.execute(query, (self._max_entry_chars,)).fetchall()
            else:
                rows = []
                # A name UTF-8 cannot write is never kept (put).
                names = [name for name in names if unencodable(name) is None]
                for start in range(0, len(names), 500):
                    part = names[start:start + 500]
                    rows += connection.execute(
                        f"{query} AND path IN ({', '.join('?' * len(part))})",
                        (self._max_entry_chars, *part)).fetchall()
            self._rows = {path: (key, entry, mac) for path, key, entry, mac in rows}
        except sqlite3.Error:
            self._rows = {}

    def stamp(self, shown_as: str) -> str:
        """The stamp kept with the file's entry (see put; "": none), not yet checked: only
        get_text checks it, with the entry, once a key made from it finds the entry."""
        found = self._rows.get(shown_as) if self._rows is not None else None
        return found[0].partition(" ")[2] if found is not None and isinstance(found[0], str) \
            else ""

    def get_text(self, shown_as: str, key: bytes) -> str | None:
        """The entry's text, once its seal shows kam-review wrote it; None on a miss."""
        if self._rows is not None:
            found = self._rows.get(shown_as)
        else:
            connection = self._connect()
            if connection is None:
                return None
            try:
                found = connection.execute(
                    f"SELECT {_READ} FROM entries WHERE {_FITS} AND path = ?",
                    (self._max_entry_chars, shown_as)).fetchone()
            except sqlite3.Error:
                return None
        if found is None or [type(part) for part in found] != [str, bytes, str]:
            return None
        stored, data, mac = found
        if stored.partition(" ")[0] != key.hex():
            return None
        expected = self._seal(shown_as, stored, data)
        if not hmac.compare_digest(mac.encode("utf-8", "surrogatepass"), expected.encode()):
            return None  # not written by kam-review with this folder's secret
        return str(data.decode("utf-8"))  # as kam-review wrote it: UTF-8

    def put(self, shown_as: str, key: bytes, text: str, stamp: str = "") -> None:
        """Keep `text` for the file under `key`, and with it the file's stamp, if any
        (file_stamps.py): sealed together, so a stamp is as trusted as its entry. Not kept:
        what UTF-8 cannot write (from a file name that is not UTF-8; SQLite would refuse it)."""
        if unencodable(shown_as) is not None or unencodable(text) is not None:
            return
        self._pending.append((shown_as, f"{key.hex()} {stamp}" if stamp else key.hex(), text))

    def flush(self) -> None:
        """Write the entries of this run (or batch), all in one transaction, and close."""
        pending, self._pending = self._pending, []
        connection = self._connect() if pending else self._connection
        if connection is None:
            return
        try:
            with connection:
                connection.executemany(
                    "INSERT OR REPLACE INTO entries (path, key, entry, mac) VALUES (?, ?, ?, ?)",
                    [(path, key, text, self._seal(path, key, text))
                     for path, key, text in pending])
        except sqlite3.Error:
            pass
        finally:
            connection.close()
            self._connection = None
