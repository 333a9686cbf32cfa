"""Many account files named at once: display_path's names with each folder resolved once."""

from __future__ import annotations

from pathlib import Path

from kam_review.paths import display_path
from kam_review.text_safety import encodable


class FileNames:
    """display_path of many files, with each folder resolved once for all its files: a file
    that is no symbolic link resolves to its resolved folder and its own name."""

    def __init__(self) -> None:
        self._folders: dict[Path, str | None] = {}

    def __call__(self, path: Path) -> str:
        if path.is_symlink() or path.name in ("", ".", ".."):
            return display_path(path)
        if path.parent not in self._folders:
            try:
                shown = path.parent.resolve().relative_to(Path.cwd().resolve())
            except ValueError:
                shown = None
            self._folders[path.parent] = None if shown is None else str(shown)
        folder = self._folders[path.parent]
        if folder is None:
            return encodable(str(path))
        return encodable(path.name if folder == "." else f"{folder}/{path.name}")

