"""Where a path really leads: the checks that reading inputs and writing outputs share."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from kam_review.text_safety import encodable


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder where possible. Bytes
    of a file name that are not UTF-8 (which Linux allows) show as escapes (\\udcff), so that
    the name can be printed, and stored as a key of the account cache."""
    try:
        return encodable(str(path.resolve().relative_to(_working_folder(os.getcwd()))))
    except ValueError:
        return encodable(str(path))


@lru_cache(maxsize=4)
def _working_folder(cwd: str) -> Path:
    # Resolved once per working folder, not once per file shown.
    return Path(cwd).resolve()


def real(path: Path) -> Path:
    """The path with every symbolic link followed and every `..` applied, absolute."""
    return Path(os.path.realpath(path))


def named_real(path: Path) -> Path:
    """The path absolute, with every symbolic link on the way to it followed but the path
    itself not: a link is named where it is, never by its target."""
    return real(path) if path.name in ("", "..") else real(path.parent) / path.name


def is_within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies inside it; both are compared as real paths."""
    inner, outer = real(path), real(folder)
    return inner == outer or outer in inner.parents


def escaping_link(path: Path) -> Path | None:
    """If `path` is a symbolic link that leads out of the folder holding it, where it leads;
    else None. A link within its own folder reads nothing the folder does not hold."""
    if not path.is_symlink():
        return None
    target = real(path)
    return None if is_within(target, path.parent) else target


def shown(path: Path) -> str:
    """A path as the user would type it, naming a symbolic link itself, never its target."""
    if not path.name:  # "." or "/"
        return display_path(path)
    parent = display_path(path.parent)
    return path.name if parent == "." else str(Path(parent) / path.name)


def repository_holding(path: Path) -> Path | None:
    """The root of the git repository (work tree) that holds `path`, or None; read from the
    file system, without asking git."""
    for folder in (path, *path.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None
