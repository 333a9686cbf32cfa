"""The files a rulebook is loaded from, read once: their names and bytes, hashed into the keys
that must change when the rules do (the lint's seal, rulebook/lint_seal.py, and the reviews'
cache key, review/review_keys.py). A run that needs both reads the files once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kam_review.source.account_paths import find_rule_files


@dataclass(frozen=True)
class RuleFiles:
    """A rules folder's files as load_rulebook reads them (see account_paths), with the
    thresholds file given (`overrides`), and each one's bytes (None: it could not be read)."""

    folder: Path
    overrides: Path | None
    found: tuple[Path, ...]
    refused: bool  # an entry of the folder (or the folder itself) is not read: an error
    contents: tuple[bytes | None, ...]  # of found, then of overrides

    def digest(self, context: list[object], unreadable: bytes | None) -> bytes | None:
        """SHA-256 of `context`, the folder, the thresholds file, the files' names and their
        bytes, an unreadable file's bytes counted as `unreadable`; None when there is one and
        `unreadable` is None."""
        digest = hashlib.sha256(json.dumps(
            [*context, str(self.folder),
             None if self.overrides is None else str(self.overrides),
             [str(path) for path in self.found]]).encode("utf-8", "surrogatepass"))
        for content in self.contents:
            if content is None:
                if unreadable is None:
                    return None
                content = unreadable
            digest.update(len(content).to_bytes(8, "big") + content)
        return digest.digest()


def read_rule_files(folder: Path, overrides: Path | None) -> RuleFiles:
    """The files load_rulebook(folder, overrides) reads, and their bytes."""
    found, problems = find_rule_files(folder)
    return RuleFiles(folder, overrides, tuple(found), bool(problems), tuple(
        _read(path) for path in [*found, *([overrides] if overrides is not None else [])]))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
