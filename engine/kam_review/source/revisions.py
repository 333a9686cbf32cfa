"""Reading a folder as it was at a git revision, straight from git: no checkout, nothing of the
user's working tree touched."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any

from kam_review.errors import KamError


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
    return where it now is. A folder that did not exist at that revision comes out empty.

    The committed blobs are copied byte for byte (git ls-tree, then git cat-file): never
    through `git archive`, whose .gitattributes (export-subst, export-ignore) would rewrite
    or leave out committed files. A symbolic link is recreated as the link it was, so that
    the loader refuses one leading outside the folder exactly as in the working tree; a
    submodule comes out as an empty folder, which the loader reports."""
    folder = folder.resolve()
    root = repository_root(folder if folder.is_dir() else folder.parent)
    try:
        relative = PurePosixPath(folder.relative_to(root).as_posix())
    except ValueError:
        raise KamError(f"{folder} is not inside the git repository {root}") from None
    check_revision(revision, root)
    destination = target / relative.name
    destination.mkdir(parents=True, exist_ok=True)
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", revision, "--", f"{relative}/"], root)
    blobs: list[tuple[Path, bytes, bool]] = []
    for record in filter(None, listing.split(b"\0")):
        meta, _, name = record.partition(b"\t")
        mode, _, object_id = meta.split(b" ")
        inside = PurePosixPath(os.fsdecode(name)).relative_to(relative)
        if ".." in inside.parts or not inside.parts:
            continue
        path = destination / inside
        path.parent.mkdir(parents=True, exist_ok=True)
        if mode == _SUBMODULE:
            path.mkdir(exist_ok=True)
        else:
            blobs.append((path, object_id, mode == _LINK))
    _write_blobs(root, blobs)
    return destination


_LINK, _SUBMODULE = b"120000", b"160000"
# A link whose committed target no file system can hold (a NUL in it) leads nowhere.
_NOWHERE = ".kam-review-no-such-target"


def _write_blobs(root: Path, blobs: list[tuple[Path, bytes, bool]]) -> None:
    """Write each blob (path, object id, is a link) from one `git cat-file --batch`, a blob
    at a time: request one, read it, write it (no blob is held whole beyond one file)."""
    if not blobs:
        return
    try:
        with subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as git:
            assert git.stdin is not None and git.stdout is not None
            for path, object_id, is_link in blobs:
                git.stdin.write(object_id + b"\n")
                git.stdin.flush()
                header = git.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob":
                    raise KamError(f"git cat-file: cannot read {object_id.decode()} "
                                   f"({b' '.join(header).decode(errors='replace')})")
                size = int(header[2])
                if is_link:
                    _make_link(path, git.stdout.read(size))
                else:
                    with path.open("wb") as stream:
                        _copy(git.stdout, size, stream)
                git.stdout.read(1)  # the newline after the content
            git.stdin.close()
    except FileNotFoundError:
        raise KamError("git is not installed") from None
    except (OSError, ValueError) as error:
        raise KamError(f"git cat-file: {error}") from None


def _make_link(path: Path, target: bytes) -> None:
    try:
        path.symlink_to(os.fsdecode(target))
    except ValueError:  # a NUL in the target
        path.symlink_to(_NOWHERE)


def _copy(source: IO[bytes], size: int, stream: IO[bytes]) -> None:
    while size:
        chunk = source.read(min(size, 1 << 20))
        if not chunk:
            raise ValueError("git cat-file ended early")
        stream.write(chunk)
        size -= len(chunk)
