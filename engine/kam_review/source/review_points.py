"""Where the previous review stands in git: the review tags, the state of the accounts at an
earlier day, and whether the working tree has moved on from a commit.

Dates are the committer's dates, each in the time zone it was committed in, so that a
commit's day is the same on every machine. Every function raises KamError when git cannot
answer (no repository, git not installed); the caller decides what that means.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from kam_review.source.revisions import _git, repository_root

# Fields of one `git for-each-ref` line, apart.
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Commit:
    """A commit as a previous review: its hash, the day it was committed, and the tag (or
    revision) it was found by ("" when found by its date)."""

    commit: str
    day: date
    name: str = ""


def _day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).date()


def review_tags(folder: Path, pattern: str) -> list[Commit]:
    """The tags whose name matches `pattern` (shell-style: `review-*`) on commits HEAD
    holds, newest commit first; of tags on one commit, the newest tag first."""
    root = repository_root(folder)
    lines = _git(["for-each-ref", "--merged", "HEAD", "--format=" + _SEPARATOR.join((
        "%(refname:strip=2)", "%(objectname)", "%(*objectname)", "%(committerdate:iso-strict)",
        "%(*committerdate:iso-strict)", "%(creatordate:unix)")), "refs/tags"], root)
    found = []
    for line in lines.decode("utf-8", "replace").splitlines():
        name, direct, peeled, date_direct, date_peeled, created = line.split(_SEPARATOR)
        stamp = date_peeled or date_direct
        if not fnmatch.fnmatchcase(name, pattern) or not stamp:
            continue  # a tag of a tree or a blob has no commit date
        found.append((datetime.fromisoformat(stamp), int(created or 0), name,
                      Commit(peeled or direct, _day(stamp), name)))
    found.sort(key=lambda item: item[:3], reverse=True)
    return [commit for *_, commit in found]


def head(folder: Path) -> str:
    return _git(["rev-parse", "HEAD"], repository_root(folder)).decode().strip()


def unchanged(folder: Path) -> bool:
    """Whether `folder` in the working tree is exactly as HEAD has it: nothing changed,
    added or removed, untracked files included."""
    status = _git(["status", "--porcelain", "--untracked-files=all", "--", "."],
                  folder.resolve())
    return not status.strip()


def commit_on_or_before(folder: Path, day: date) -> Commit | None:
    """The newest commit of HEAD's own line (first parents: what the main line held, not a
    branch merged later) committed on or before `day`; None when history does not reach
    back so far (a shallow clone, or a repository started later)."""
    # A day of slack either way for time zones; the commit's own day decides below.
    before = date.fromordinal(day.toordinal() + 2).isoformat()
    log = _git(["log", "--first-parent", f"--before={before}T00:00:00Z",
                "--format=%H %cI", "HEAD"], repository_root(folder))
    for line in log.decode().splitlines():
        commit, stamp = line.split(" ", 1)
        if _day(stamp) <= day:
            return Commit(commit, _day(stamp))
    return None


def commit_of(revision: str, folder: Path) -> Commit:
    """The commit a revision names, with its day (check_revision first)."""
    line = _git(["log", "-1", "--format=%H %cI", f"{revision}^{{commit}}", "--"],
                repository_root(folder)).decode().strip()
    commit, stamp = line.split(" ", 1)
    return Commit(commit, _day(stamp), revision)


def holds_folder(commit: str, folder: Path) -> bool:
    """Whether the commit holds anything in `folder` (the accounts folder)."""
    root = repository_root(folder)
    relative = PurePosixPath(folder.resolve().relative_to(root).as_posix())
    listing = _git(["ls-tree", "--name-only", commit, "--", f"{relative}/"], root)
    return bool(listing.strip())
