"""Whether an account file is unchanged since its review was cached, told from its status
alone (size, mtime_ns, inode, ctime_ns), as git, mypy and ruff tell it, so that a warm run
neither reads nor hashes it.

A cached review keeps, with the hash of the bytes it was made from, the status the file had
when those bytes were read (taken from the open file before reading it) and the clock at
that moment: its stamp. A later run trusts the hash without reading the file only when the
file's status is the same and the file had last changed well before the stamp was taken.

Why that is safe: writing a file sets its mtime and ctime to the clock of that moment, and
nobody can set a ctime back (a tool that restores the mtime, as `touch -d` or an editor
keeping times does, sets the ctime to now). So an edit after the bytes were read gives the
file a ctime at or after the read, which differs from the stamped one. The one edit a status
cannot show is one made in the same clock tick as the change before it, before the read:
git's "racily clean" file. Hence the margin: a file whose mtime or ctime is not older than
the stamp's clock by RACY_MARGIN_NS (file systems keep coarse times, some to 2 s) is always
read and hashed again; once it is old enough, a run that reads it stamps it anew.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from time import time_ns

from kam_review.source.yamlsource import MAX_FILE_BYTES

# How much older than the stamp's clock a file's last change must be for its status to be
# trusted: more than the coarsest file time (FAT keeps 2 s) and a coarse clock's lag.
RACY_MARGIN_NS = 3_000_000_000


def stamp_text(digest: bytes, status: os.stat_result, clock_ns: int) -> str:
    """The stamp of bytes hashed to `digest`, read from a file of this status at this clock."""
    return (f"{digest.hex()} {status.st_size} {status.st_mtime_ns} {status.st_ino} "
            f"{status.st_ctime_ns} {clock_ns}")


def trusted_digest(stamp: str, path: Path) -> bytes | None:
    """The hash of the file's bytes as the stamp keeps it, if the file's status shows it
    unchanged since (see the module's docstring); None: read the file."""
    pieces = stamp.split(" ")
    if len(pieces) != 6:
        return None
    try:
        status = os.stat(path)
        digest, size, mtime, inode, ctime, clock = pieces[0], *map(int, pieces[1:])
    except (OSError, ValueError):
        return None
    if not (stat.S_ISREG(status.st_mode) and status.st_size == size
            and status.st_mtime_ns == mtime and status.st_ino == inode
            and status.st_ctime_ns == ctime):
        return None
    if max(mtime, ctime) >= clock - RACY_MARGIN_NS:
        return None  # racily clean (read_stamped stamps no such file: a stamp of another)
    try:
        return bytes.fromhex(digest)
    except ValueError:
        return None


def read_stamped(path: Path) -> tuple[bytes | None, bytes, str]:
    """The file's bytes as the loader reads them (None when it cannot: the loader, reading it
    again, says why), their hash and their stamp (b"" and "" with no bytes; "" too for a file
    changed too recently to be trusted by its status next time)."""
    clock = time_ns()
    try:
        with open(path, "rb") as stream:
            status = os.fstat(stream.fileno())
            if status.st_size > MAX_FILE_BYTES:
                return None, b"", ""
            content = stream.read()
    except OSError:
        return None, b"", ""
    digest = hashlib.sha256(content).digest()
    settled = max(status.st_mtime_ns, status.st_ctime_ns) < clock - RACY_MARGIN_NS
    return content, digest, stamp_text(digest, status, clock) if settled else ""
