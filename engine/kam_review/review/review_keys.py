"""What a cached review of an account file (review/fast_check.py) is keyed by: the rules and
everything else of the run that decides the review, the file's name and its bytes' hash."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

from kam_review import __version__
from kam_review.locale_format import LocaleFormat
from kam_review.rulebook.loading import rulebook_files
from kam_review.source.cache import digest_key


def rules_key(rules_folder: Path, thresholds_file: Path | None,
              as_of: date, formats: LocaleFormat, redact: bool) -> bytes:
    """What, beside the file, decides an account's review: the names and bytes of the files
    the rules are loaded from (every threshold's value is read from one of them: the folder's
    thresholds.yaml or the thresholds file given), the review date, the formats, redaction,
    the working folder (file names are shown relative to it) and kam-review's version; its
    code is in digest_key."""
    files = [*rulebook_files(rules_folder), *([thresholds_file] if thresholds_file else [])]
    digest = hashlib.sha256(json.dumps(
        [__version__, as_of.isoformat(), formats.locale, formats.currency, redact,
         os.getcwd(), str(rules_folder), None if thresholds_file is None
         else str(thresholds_file), [str(path) for path in files]]
    ).encode("utf-8", "surrogatepass"))
    for path in files:
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\0unreadable"
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.digest()


def file_key(context: bytes, path: Path, name: str, digest: bytes) -> bytes:
    """The key of a file's review: the run's rules_key, the file's path and name as shown,
    and the SHA-256 of its bytes (with kam-review's code: digest_key)."""
    return hashlib.sha256(
        context + json.dumps([str(path), name]).encode("utf-8", "surrogatepass")
        + digest_key(digest)).digest()
