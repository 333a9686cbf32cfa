"""A content-hash cache of loaded account files, as linters keep: a file whose bytes have not
changed since the last run is not parsed or validated again.

Each entry is keyed by the file's path and holds the hash of its bytes and of the loader's
own code and schema, so a changed file, a changed schema or a new kam-review version all
miss. Entries are written atomically; a damaged entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

from .errors import InputError
from .model import Account

CacheEntry = tuple[Account | None, list[InputError]]
DEFAULT_FOLDER = Path(".kam-cache")
_LOADER_MODULES = ("accounts.py", "yamlsource.py", "schema_errors.py", "model.py",
                   "account.schema.json", "cache.py")


@cache
def _loader_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for name in _LOADER_MODULES:
        digest.update((Path(__file__).with_name(name)).read_bytes())
    return digest.digest()


class AccountCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder / "accounts"

    def __repr__(self) -> str:
        return f"AccountCache({str(self.folder)!r})"

    def _entry(self, shown_as: str) -> Path:
        return self.folder / (hashlib.sha256(shown_as.encode()).hexdigest()[:32] + ".pickle")

    @staticmethod
    def _key(content: bytes) -> bytes:
        return hashlib.sha256(_loader_fingerprint() + content).digest()

    def get(self, shown_as: str, content: bytes) -> CacheEntry | None:
        try:
            with self._entry(shown_as).open("rb") as stream:
                key, entry = pickle.load(stream)
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
            return None
        return entry if key == self._key(content) else None

    def put(self, shown_as: str, content: bytes, entry: CacheEntry) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                pickle.dump((self._key(content), entry), stream, pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self._entry(shown_as))
        except OSError:
            pass  # a cache that cannot be written only costs time
