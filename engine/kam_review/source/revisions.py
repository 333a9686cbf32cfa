"""Reading a folder as it was at a git revision, straight from git: no checkout, nothing of the
user's working tree touched."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from kam_review.errors import KamError

WORKING_TREE = "WORKTREE"


def _git(args: list[str], cwd: Path) -> bytes:
    if not cwd.is_dir():
        raise KamError(f"{cwd} is not a folder")
    try:
        run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise KamError("git is not installed") from None
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KamError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return run.stdout


def repository_root(start: Path) -> Path:
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], start.resolve()).decode().strip())
    except KamError as error:
        if "not a git repository" not in error.message:
            raise
        raise KamError(f"{start} is not in a git repository: kam diff reads the revisions it "
                       "compares from git") from None


def check_revision(revision: str, root: Path) -> None:
    """Raise a KamError that says what to do when `revision` names no commit in the
    repository at `root`: a shallow clone (CI checks out one commit by default) lacks the
    history, and no name starting with '-' reaches git, which would read it as an option."""
    if revision.startswith("-"):
        raise KamError(f"'{revision}' is not a git revision (it starts with '-')")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    except KamError:
        message = f"unknown git revision '{revision}': no commit, branch or tag of that name"
        if _git(["rev-parse", "--is-shallow-repository"], root).strip() == b"true":
            message += (" in this shallow clone, which holds only the latest commits. Fetch "
                        "the history with `git fetch --unshallow` (in GitHub Actions: "
                        "`fetch-depth: 0` on actions/checkout)")
        else:
            message += "; a branch of a remote is named like origin/main (`git fetch` first)"
        raise KamError(message) from None


def folder_commit(folder: Path, files: Sequence[Path]) -> dict[str, Any]:
    """The last commit that changed `folder`, for outputs to say which rules they used, and
    whether `files` (the files in it the rules are read from) are exactly as committed:
    {"commit": hash or None, "dirty": True if any of them is untracked, ignored, changed or
    marked unchanged in the index, or a committed rule file is gone (None: not in git),
    "note": why, or None}. Git is asked about exactly those files."""
    names = sorted(path.name for path in files)
    try:
        root = folder.resolve()
        last = _git(["log", "-1", "--format=%H", "--", "."], root).decode().strip()
        # Literal names: a file may be called `*.yaml`. Paths are relative to the folder.
        listed = _git(["--literal-pathspecs", "ls-files", "-v", "-z", "--", "."], root)
        status = _git(["--literal-pathspecs", "status", "--porcelain", "-z", "--ignored",
                       "--untracked-files=all", "--", *names], root) if names else b""
    except KamError:
        return {"commit": None, "dirty": None, "note": "the rules folder is not in a git "
                "repository (or git is not installed)"}
    if not last:
        return {"commit": None, "dirty": True, "note": "the rules folder is not committed"}
    problems = _uncommitted(names, listed, status)
    if problems:
        return {"commit": last, "dirty": True,
                "note": "the rules are read from files not as committed: " + ", ".join(
                    f"{name} ({why})" for name, why in sorted(problems.items()))}
    return {"commit": last, "dirty": False, "note": None}


def _uncommitted(names: list[str], listed: bytes, status: bytes) -> dict[str, str]:
    """What keeps each file the rules are read from from being the committed one."""
    problems = {}
    states = {"??": "not committed", "!!": "ignored by git"}
    for entry in filter(None, status.split(b"\0")):
        state, name = entry[:2].decode("ascii", "replace"), PurePosixPath(
            os.fsdecode(entry[3:])).name
        if name in names:
            problems[name] = states.get(state, "changed since the commit")
    tags = {}  # `ls-files -v`: H tracked, lowercase assumed unchanged, S skip-worktree
    for entry in filter(None, listed.split(b"\0")):
        tags[os.fsdecode(entry[2:])] = entry[:1].decode("ascii", "replace")
    for name in names:
        if name not in tags:
            problems.setdefault(name, "not committed")
        elif tags[name] != "H":
            problems[name] = "marked unchanged in git's index, so its changes are not seen"
    for name in tags:
        if "/" not in name and name.endswith(".yaml") and name not in names:
            problems[name] = "committed, but not read"
    return problems


def export_folder(revision: str, folder: Path, target: Path) -> Path:
    """Write `folder` (a path in the working tree) as it was at `revision` into `target`, and
    return where it now is. A folder that did not exist at that revision comes out empty."""
    folder = folder.resolve()
    root = repository_root(folder if folder.is_dir() else folder.parent)
    try:
        relative = PurePosixPath(folder.relative_to(root).as_posix())
    except ValueError:
        raise KamError(f"{folder} is not inside the git repository {root}") from None
    check_revision(revision, root)
    destination = target / relative.name
    destination.mkdir(parents=True, exist_ok=True)
    listing = _git(["ls-tree", "-r", "--name-only", revision, "--", f"{relative}/"], root)
    if not listing.strip():
        return destination
    archive = _git(["archive", "--format=tar", revision, "--", str(relative)], root)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            inside = PurePosixPath(member.name).relative_to(relative)
            if ".." in inside.parts:
                continue
            path = destination / inside
            if member.issym():
                # Kept as the link it was, so that the loader refuses one leading outside the
                # folder at that revision exactly as it does in the working tree.
                path.parent.mkdir(parents=True, exist_ok=True)
                path.symlink_to(member.linkname)
                continue
            if not member.isfile():
                continue
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(extracted.read())
    return destination
