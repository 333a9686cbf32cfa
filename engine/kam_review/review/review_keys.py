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
from kam_review.rulebook.rule_files import RuleFiles
from kam_review.source.cache import digest_key


def rules_key(files: RuleFiles, as_of: date, formats: LocaleFormat, redact: bool) -> bytes:
    """What, beside the file, decides an account's review: the names and bytes of the files
    the rules are loaded from (every threshold's value is read from one of them: the folder's
    thresholds.yaml or the thresholds file given), the review date, the formats, redaction,
    the working folder (file names are shown relative to it) and kam-review's version; its
    code is in digest_key."""
    digest = files.digest([__version__, as_of.isoformat(), formats.locale, formats.currency,
                           redact, os.getcwd()], unreadable=b"\0unreadable")
    assert digest is not None  # an unreadable file is counted by those bytes
    return digest


def file_key(context: bytes, path: Path, name: str, digest: bytes) -> bytes:
    """The key of a file's review: the run's rules_key, the file's path and name as shown,
    and the SHA-256 of its bytes (with kam-review's code: digest_key)."""
    return hashlib.sha256(
        context + json.dumps([str(path), name]).encode("utf-8", "surrogatepass")
        + digest_key(digest)).digest()
