"""Whether the account cache's folder and files can be trusted, as ssh judges its own files,
and the secret that seals the cache's entries.

The cache is used only when its folder and files belong to the user and nobody else may write
them, and a KAM_CACHE_DIR inside the accounts folder, the rules or the repository holding the
accounts is not used. Each check raises Distrusted with the line the user is shown."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

from kam_review.paths import is_within, real, repository_holding

FOLDER_VARIABLE = "KAM_CACHE_DIR"
# The secret that seals the entries of every cache file in its folder.
SECRET_FILE = "secret.key"
_SECRET_BYTES = 32


class Distrusted(Exception):
    """Why the cache is not used this run: one line for the user, never an error."""


def check_owner(path: Path, status: os.stat_result, *, private: bool = False) -> None:
    """Like ssh's StrictModes: the user's own, and nobody else may write it (with `private`,
    nor read it)."""
    owner = os.geteuid() if hasattr(os, "geteuid") else status.st_uid
    if status.st_uid != owner:
        raise Distrusted(f"{path} belongs to another user")
    if status.st_mode & (0o077 if private else 0o022):
        others = "others than its owner may read or write it" if private else \
            "its group or others may write it"
        fix = "600" if private else "go-w"
        raise Distrusted(f"{path}: {others} (chmod {fix} {path})")


def check_file(path: Path, *, private: bool = False) -> bool:
    """Whether `path` exists, once known to be a plain file of the user's own."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(status.st_mode):
        raise Distrusted(f"{path} is not a regular file (a symbolic link, folder or device)")
    check_owner(path, status, private=private)
    return True


def read_secret(folder: Path) -> bytes:
    """The folder's secret, created on first use: random, and readable by its owner only."""
    path = folder / SECRET_FILE
    if not check_file(path, private=True):
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            pass  # another run created it a moment ago: read theirs
        else:
            with os.fdopen(handle, "wb") as stream:
                stream.write(secrets.token_bytes(_SECRET_BYTES))
        check_file(path, private=True)
    with open(path, "rb") as stream:
        secret = stream.read(_SECRET_BYTES + 1)
    if len(secret) != _SECRET_BYTES:
        raise Distrusted(f"{path} is not a key kam-review wrote (remove it)")
    return secret


def check_place(folder: Path, inputs: Sequence[Path]) -> None:
    """A cache folder chosen with KAM_CACHE_DIR must lie outside what is reviewed: the
    accounts, the rules and the repository holding the accounts (a cache file there would be
    committed, and anyone who can commit could plant entries)."""
    where = real(folder)
    for source in inputs:
        if is_within(where, source):
            raise Distrusted(f"{folder} is inside {source}, an input of the review; choose "
                             f"a {FOLDER_VARIABLE} outside the repository")
        repository = repository_holding(real(source))
        if repository is not None and is_within(where, repository):
            raise Distrusted(f"{folder} is inside the git repository {repository}; choose a "
                             f"{FOLDER_VARIABLE} outside it")
