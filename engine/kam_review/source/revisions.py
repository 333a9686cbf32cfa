"""Reading a folder as it was at a git revision, straight from git: no checkout, nothing of the
user's working tree touched."""

from __future__ import annotations

import io
import subprocess
import tarfile
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


def folder_commit(folder: Path) -> dict[str, Any]:
    """The last commit that changed `folder`, for outputs to say which rules they used:
    {"commit": hash or None, "dirty": uncommitted changes or None, "note": why, or None}."""
    try:
        root = folder.resolve()
        last = _git(["log", "-1", "--format=%H", "--", "."], root).decode().strip()
        changed = _git(["status", "--porcelain", "--", "."], root).strip()
    except KamError:
        return {"commit": None, "dirty": None, "note": "the rules folder is not in a git "
                "repository (or git is not installed)"}
    if not last:
        return {"commit": None, "dirty": True, "note": "the rules folder is not committed"}
    if changed:
        return {"commit": last, "dirty": True,
                "note": "the rules folder has changes not committed since this commit"}
    return {"commit": last, "dirty": False, "note": None}


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
