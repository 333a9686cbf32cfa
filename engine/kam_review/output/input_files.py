"""Writing an input file on purpose (`kam new`; later `kam import --write`, `kam init`): only a
new file, only directly inside its intended folder, never through a symbolic link.

The folder itself may not be a symbolic link (whatever it leads to), nor lie under one that
leads out of the git repository holding it (else the working folder): the file lands where
the path says, in the repository the user is working in."""

from __future__ import annotations

import os
from pathlib import Path

from kam_review.errors import KamError
from kam_review.output.output_folder import WriteRefused
from kam_review.paths import is_within, real, repository_holding, shown


def create_input_file(folder: Path, name: str, text: str) -> Path:
    """Write `text` to a new file `name` directly in `folder` (created if missing) and return
    its path. An existing file, a symbolic link in its place (one leading nowhere included),
    a name that is not a plain file name, a folder that is a symbolic link, and one under a
    link that leads out of its repository are refused before anything is written."""
    path = folder / name
    if name in ("", ".", "..") or "/" in name or "\0" in str(path) or name.startswith("."):
        raise WriteRefused(f"refusing to write {name!r}: it is not a plain file name")
    _check_no_link(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        directory = os.open(real(folder), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        raise KamError(f"could not write into {shown(folder)}/: {error.strerror}") from error
    try:
        handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666,
                         dir_fd=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
        except (OSError, UnicodeError):
            os.unlink(name, dir_fd=directory)  # the file this call created, half written
            raise
    except FileExistsError:
        raise WriteRefused(f"refusing to write {shown(path)}: it already exists (or a symbolic "
                           "link is in its place); it is never replaced") from None
    except (OSError, UnicodeError) as error:
        raise KamError(f"could not write {shown(path)}: {error}") from error
    finally:
        os.close(directory)
    return path


def _check_no_link(folder: Path) -> None:
    if folder.is_symlink():
        raise WriteRefused(f"refusing to write into {shown(folder)}/: it is a symbolic link (to "
                           f"{real(folder)}), and input files are never written through one; "
                           "name the folder itself")
    absolute = Path(os.path.abspath(folder))
    cwd = Path(os.path.abspath(Path.cwd()))
    root = repository_holding(absolute) or (cwd if absolute.is_relative_to(cwd) else None)
    if root is None:
        return  # a folder named outside any repository and the working folder: as given
    for part in reversed(absolute.parents):
        if part.is_relative_to(root) and part != root and part.is_symlink() \
                and not is_within(part, root):
            raise WriteRefused(f"refusing to write into {shown(folder)}/: {shown(part)} is a "
                               f"symbolic link to {real(part)}, outside {shown(root)}/")
    if not is_within(folder, root):  # a `..` after a link
        raise WriteRefused(f"refusing to write into {shown(folder)}/: it leads to "
                           f"{real(folder)}, outside {shown(root)}/")


def replace_input_file(path: Path, text: str) -> None:
    """Replace the existing file at path with `text` at once (`kam import --write`): written
    under a temporary name beside it, then renamed over it, keeping its mode; a reader sees
    the old file or the new one, never half of one. A symbolic link is refused."""
    _check_no_link(path.parent)
    if path.is_symlink() or not path.is_file():
        raise WriteRefused(f"refusing to replace {shown(path)}: it is not a plain file")
    mode = path.stat().st_mode & 0o7777
    temporary = path.with_name(f".{path.name}.kam-import.tmp")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except FileExistsError:
        raise WriteRefused(f"refusing to write {shown(temporary)}: it already exists (an "
                           "import that stopped half way?); remove it and run again") from None
    except OSError as error:
        raise KamError(f"could not write {shown(path)}: {error.strerror or error}") from error
