"""Every generated output (`kam build`'s pages, report files, the MkDocs site) is written through
this module: it refuses a destination that holds inputs or that kam-review did not create, and
replaces its own earlier output whole.

Refused for a folder: a symbolic link, an existing file, anything in or at the root of a git
repository's `.git`, the working folder or a folder holding it, an input (accounts, rules,
thresholds, site sources) or a folder holding one or inside one, and a non-empty folder
without the marker file this module writes into every folder it creates. A report file must
not exist yet and is published whole: written beside its destination under a temporary name,
then renamed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from kam_review.errors import KamError
from kam_review.paths import is_within, real, shown

MARKER = ".kam-review-output"
MARKER_TEXT = "Written by kam-review: this folder is replaced whole by its next build.\n"
# Longest file name most file systems take, in bytes.
_NAME_BYTES = 255


class WriteRefused(KamError):
    """Raised before anything is written when a destination is not kam-review's to write."""

    exit_code = 2  # invalid input or usage


def _umask() -> int:
    # Reading the umask means setting it: set it back at once (the CLI runs one thread).
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _as_created(path: Path, mode: int) -> None:
    """Give `path`, made private by mkstemp or mkdtemp, the mode the umask gives to what the
    user's programs create (0o666 or 0o777 without the umask's bits): a report is as
    readable, or as private, as any file the shell writes."""
    os.chmod(path, mode & ~_umask())


def _refused(path: Path, why: str, *, folder: bool = True) -> WriteRefused:
    where = f"into {shown(path).rstrip('/')}/" if folder else shown(path)
    return WriteRefused(f"refusing to write {where}: {why}")


def check_output_folder(folder: Path, inputs: Iterable[Path],
                        accept: Callable[[Path], bool] | None = None) -> Path:
    """The real path of `folder` if kam-review may replace it with its output, else
    WriteRefused. `accept` lets a caller take over a foreign folder it recognises (the
    MkDocs plugin: MkDocs' own earlier output)."""
    _check_nul(folder)
    if folder.is_symlink():
        raise _refused(folder, "it is a symbolic link")
    target = real(folder)
    if target.exists() and not target.is_dir():
        raise _refused(folder, "it is an existing file", folder=False)
    _check_place(folder, target, inputs)
    if (target.is_dir() and not is_marked(target) and not _is_empty(target)
            and not (accept is not None and accept(target))):
        raise _refused(folder, f"it is not empty and kam-review did not create it (it has no "
                               f"{MARKER} file); name a new or empty folder")
    return target


def _is_empty(folder: Path) -> bool:
    try:
        return not any(folder.iterdir())
    except OSError:
        return False  # unreadable: treated as holding something


def _check_nul(path: Path) -> None:
    # No file system takes one, and Python raises ValueError on it, not OSError.
    if "\0" in str(path):
        raise WriteRefused(f"refusing to write {str(path)!r}: the path holds a NUL character")


def _check_place(given: Path, target: Path, inputs: Iterable[Path]) -> None:
    """Refuse a folder that holds, or is, what kam-review reads or the user works in."""
    if ".git" in target.parts:
        raise _refused(given, "it is inside a git repository's .git folder")
    if os.path.lexists(target / ".git"):
        raise _refused(given, "it is the root of a git repository")
    cwd = real(Path.cwd())
    if target == cwd:
        raise _refused(given, "it is the working folder")
    if is_within(cwd, target):
        raise _refused(given, "it holds the working folder")
    for source in inputs:
        where = real(source)
        if where == target:
            raise _refused(given, "it is an input folder")
        if is_within(where, target):
            raise _refused(given, f"it holds the input {_named(source)}")
        if is_within(target, where):
            raise _refused(given, f"it is inside the input folder {_named(source)}")


def _named(source: Path) -> str:
    return f"{shown(source).rstrip('/')}/" if source.is_dir() else shown(source)


def is_marked(folder: Path) -> bool:
    """Whether `folder` carries the marker of a folder kam-review created."""
    marker = folder / MARKER
    try:
        return (not marker.is_symlink() and marker.is_file()
                and marker.stat().st_size == len(MARKER_TEXT)
                and marker.read_text(encoding="utf-8") == MARKER_TEXT)
    except (OSError, UnicodeError):
        return False


def mark(folder: Path) -> None:
    """Create `folder` if need be and mark it as kam-review's output (after check_output_folder
    accepted it), for a writer that fills the folder itself, as MkDocs does."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not is_marked(folder):
            (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except OSError as error:
        raise KamError(f"could not write into {shown(folder)}/: {error.strerror}") from error


def write_output_folder(folder: Path, files: Mapping[str, str], inputs: Iterable[Path]) -> None:
    """Write `files` (relative path -> text) as the whole content of `folder`: every path is
    checked, the folder too, then the files are written into a new folder beside it, which
    replaces the old one only once every file is written."""
    names = checked_names(files)
    target = check_output_folder(folder, inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
        try:
            for name in names:
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("x", encoding="utf-8", newline="") as stream:
                    stream.write(files[name])
            (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
            _as_created(staging, 0o777)
            _swap(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except (OSError, UnicodeError) as error:
        raise KamError(f"could not write {shown(folder)}: {error}") from error


def _swap(new: Path, target: Path) -> None:
    """Put `new` in the place of `target`: two renames in one folder, so a reader sees the old
    tree or the new one, and a failure leaves the old one."""
    if not target.exists():
        os.rename(new, target)
        return
    # A fresh, empty folder reserves a name nobody else uses; rename replaces an empty folder.
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    os.replace(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old)


def checked_names(files: Iterable[str]) -> list[str]:
    """The relative paths of files to write, in order, once each is known to stay inside its
    folder: plain relative paths of visible names, none of them also the folder of another."""
    names = sorted(files)
    for name in names:
        problem = _name_problem(name)
        if problem is not None:
            raise WriteRefused(f"refusing to write a file named {name!r}: {problem}")
    as_set = set(names)
    for name in names:
        parts = name.split("/")
        for end in range(1, len(parts)):
            if "/".join(parts[:end]) in as_set:
                raise WriteRefused(f"refusing to write a file named {name!r}: "
                                   f"{'/'.join(parts[:end])!r} is a file too")
    return names


def _name_problem(name: str) -> str | None:
    if not name:
        return "it is empty"
    if name.startswith("/"):
        return "it is an absolute path"
    for part in name.split("/"):
        if part in ("", ".", ".."):
            return "each part of the path must be a name (no '', '.' or '..')"
        if part.startswith("."):
            return "hidden names are not written"
        if "\\" in part or any(unicodedata.category(c) in ("Cc", "Cs") for c in part):
            return "it holds a backslash, a control character or a lone surrogate"
        if len(part.encode("utf-8")) > _NAME_BYTES:
            return f"a name is longer than {_NAME_BYTES} bytes"
    return None


def looks_like_mkdocs_site(folder: Path) -> bool:
    """Whether `folder` looks like a site an earlier MkDocs build wrote, before this plugin
    marked its folders: a sitemap.xml or 404.html at the top, and no source file anywhere
    (Markdown, YAML, a git repository), so that a folder of inputs never passes for one."""
    if not ((folder / "sitemap.xml").is_file() or (folder / "404.html").is_file()):
        return False
    for _, folders, names in os.walk(folder):
        if ".git" in folders or ".git" in names:
            return False
        if any(name.lower().endswith((".md", ".yaml", ".yml")) for name in names):
            return False
    return True


def check_report_file(path: Path, inputs: Iterable[Path]) -> Path:
    """The real folder a new report file `path` goes into, or WriteRefused: the file must not
    exist yet, and its folder must not be, or be inside, an input folder or `.git`."""
    _check_nul(path)
    if path.name in ("", ".", ".."):
        raise _refused(path, "it is not a file name", folder=False)
    if path.is_symlink():
        raise _refused(path, "it is a symbolic link", folder=False)
    if os.path.lexists(path):
        raise _refused(path, "it already exists (a report file is never replaced: remove it "
                             "or name a new file)", folder=False)
    parent = real(path.parent)
    if ".git" in parent.parts:
        raise _refused(path, "it is inside a git repository's .git folder", folder=False)
    for source in inputs:
        if parent == real(source):
            raise _refused(path, f"{_named(source)} is an input folder", folder=False)
        if is_within(parent, source):
            raise _refused(path, f"it would be inside the input folder {_named(source)}",
                           folder=False)
    return parent


class ReportFile:
    """A report file written under a temporary name beside its destination and published whole
    by `publish`; `discard` (a no-op once published) removes the temporary file."""

    def __init__(self, path: Path, inputs: Iterable[Path]) -> None:
        self.path = path
        folder = check_report_file(path, inputs)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp",
                                                 dir=folder)
        except OSError as error:
            raise KamError(f"could not write {shown(path)}: {error}") from error
        self._temporary = Path(temporary)
        self._stream = os.fdopen(handle, "w", encoding="utf-8")

    def write(self, text: str) -> None:
        try:
            self._stream.write(text)
        except OSError as error:  # a full disk: the run's problem, not a crash
            raise KamError(f"could not write {shown(self.path)}: {error.strerror}") from error

    def publish(self) -> None:
        try:
            self._stream.close()
        except OSError as error:
            raise KamError(f"could not write {shown(self.path)}: {error.strerror}") from error
        try:
            # Claims the name first: an existing file or link there is never replaced.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                             0o600))
        except FileExistsError:
            raise _refused(self.path, "it already exists (a report file is never replaced)",
                           folder=False) from None
        except OSError as error:
            raise KamError(f"could not write {shown(self.path)}: {error}") from error
        try:
            _as_created(self._temporary, 0o666)
            os.replace(self._temporary, self.path)
        except OSError as error:
            self.path.unlink(missing_ok=True)  # the empty file claimed above
            raise KamError(f"could not write {shown(self.path)}: {error}") from error

    def discard(self) -> None:
        self._stream.close()
        self._temporary.unlink(missing_ok=True)
