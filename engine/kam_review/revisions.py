"""Reading a folder as it was at a git revision, straight from git: no checkout, nothing of the
user's working tree touched."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path, PurePosixPath

from .errors import KamError

WORKING_TREE = "WORKTREE"


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        run = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise KamError("git is not installed") from None
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KamError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return run.stdout


def repository_root(start: Path) -> Path:
    return Path(_git(["rev-parse", "--show-toplevel"], start.resolve()).decode().strip())


def export_folder(revision: str, folder: Path, target: Path) -> Path:
    """Write `folder` (a path in the working tree) as it was at `revision` into `target`, and
    return where it now is. A folder that did not exist at that revision comes out empty."""
    folder = folder.resolve()
    root = repository_root(folder if folder.is_dir() else folder.parent)
    relative = PurePosixPath(folder.relative_to(root).as_posix())
    _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    destination = target / relative.name
    destination.mkdir(parents=True, exist_ok=True)
    listing = _git(["ls-tree", "-r", "--name-only", revision, "--", f"{relative}/"], root)
    if not listing.strip():
        return destination
    archive = _git(["archive", "--format=tar", revision, "--", str(relative)], root)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            inside = PurePosixPath(member.name).relative_to(relative)
            if ".." in inside.parts:
                continue
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            path = destination / inside
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(extracted.read())
    return destination
