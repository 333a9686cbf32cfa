"""Many account files named at once: display_path's names with each folder resolved once."""

from __future__ import annotations

import os
from pathlib import Path

from kam_review.paths import display_path
from kam_review.text_safety import encodable


class FileNames:
    """display_path of many files, with each folder resolved once for all its files: a file
    that is no symbolic link resolves to its resolved folder and its own name."""

    def __init__(self) -> None:
        self._folders: dict[Path, str | None] = {}

    def __call__(self, path: Path) -> str:
        name = path.name
        if name in ("", ".", "..") or os.path.islink(path):
            return display_path(path)
        parent = path.parent
        folder = self._folders.get(parent, _UNSEEN)
        if folder is _UNSEEN:
            try:
                shown = parent.resolve().relative_to(Path.cwd().resolve())
            except ValueError:
                shown = None
            folder = self._folders[parent] = None if shown is None else str(shown)
        if folder is None:
            return encodable(str(path))
        return encodable(name if folder == "." else f"{folder}/{name}")


_UNSEEN = "\0"  # a folder not resolved yet (no folder is shown as this)
