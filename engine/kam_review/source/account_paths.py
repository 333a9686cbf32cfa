"""Which entries of the accounts folder are account files, and an error for each one that is not
read but looks as if it were meant to be. The rules folder's files are found the same way.

The full run (every entry of the folder) and `kam check FILE...` (the pre-commit hook, which
names files) decide with the same function, so both read the same files:

- a file whose name ends in exactly `.yaml`, directly in the folder, is read;
- a symbolic link is followed only when it leads to a place inside the folder; one leading
  out of it is an error naming the link, whatever its name, and is never opened;
- a folder inside the accounts folder is an error (its files are not read);
- a name that looks like an account file but is not read gets an error: another case or
  suffix (`x.YAML`, `x.yml`), trailing spaces or dots (`x.yaml `), a hidden name (`.x.yaml`),
  something other than a regular file (a pipe, a device, a link to nothing);
- other hidden entries (`.gitkeep`, editor files) and other names (`README.md`) are left alone,
  unless named on the command line: a named file that is not read is always an error.

The rule loader finds its files with find_rule_files, by the same checks: a link in `rules/`
leading out of it is never opened, so nothing it points at can appear in an error. Its one
folder, `tests/`, holds the rules' tests and is left to their runner.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.paths import escaping_link, is_within, real, shown
from kam_review.source.names import is_invisible

ACCOUNT_SUFFIX = ".yaml"
RULE_TESTS_FOLDER = "tests"
_LOOK_ALIKE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class _Kind:
    """How the errors name a folder of YAML files and the files it holds."""

    files: str
    folder: str


_ACCOUNTS = _Kind("account files", "the accounts folder")
_RULES = _Kind("rule files", "the rules folder")


def find_account_files(folder: Path, only: Sequence[Path] = ()
                       ) -> tuple[list[Path], list[InputError]]:
    """The account files to read, in order, and what keeps the other entries from being read:
    the files in `only` (named on the command line), else every entry of `folder`."""
    problem = _folder_problem(folder, _ACCOUNTS)
    if problem is not None:
        errors = [InputError(shown(folder), 1, 1, "", problem)]
        unread = _("not read: the accounts folder {folder} cannot be read (see its error)"
                   ).format(folder=shown(folder))
        return [], errors + [_error(p, unread) for p in _unique(only)]
    if only:
        verdicts = [_named_file(p, folder) for p in _unique(only)]
    else:
        verdicts = _every_entry(folder, _ACCOUNTS)
    return _split(verdicts)


def find_rule_files(folder: Path) -> tuple[list[Path], list[InputError]]:
    """The YAML files of a rules folder the rule loader reads, in order, and an error for each
    entry that is not read but looks as if it were meant to be (as for account files)."""
    problem = _folder_problem(folder, _RULES)
    if problem is not None:
        return [], [InputError(shown(folder), 1, 1, "", problem)]
    # `tests/` holds the rules' own tests (`kam rules test`), read by their runner.
    return _split([verdict for verdict in _every_entry(folder, _RULES)
                   if not _is_rule_tests(folder, verdict)])


def _is_rule_tests(folder: Path, verdict: Verdict) -> bool:
    tests = folder / RULE_TESTS_FOLDER
    return (verdict[1] is not None and verdict[1].file == shown(tests) and tests.is_dir()
            and not tests.is_symlink())


Verdict = tuple[Path | None, InputError | None]


def _every_entry(folder: Path, kind: _Kind) -> list[Verdict]:
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    return [_listed(folder, entry, kind) for entry in entries]


def _listed(folder: Path, entry: os.DirEntry[str], kind: _Kind) -> Verdict:
    # A regular file (no link) under its proper name is read, as _entry would decide: known
    # from the listing itself, without asking the file system about each file again.
    if entry.is_file(follow_symlinks=False) and not entry.name.startswith(".") \
            and _proper_name(entry.name) == entry.name:
        return folder / entry.name, None
    return _entry(folder / entry.name, False, kind)


def holds_nothing(folder: Path) -> bool:
    """Whether find_account_files(folder) would find no file to read and nothing to report:
    a folder that exists and holds no account file. Stops at the first entry that counts,
    so a full folder is not listed twice."""
    if _folder_problem(folder, _ACCOUNTS) is not None:
        return False
    with os.scandir(folder) as listing:
        return all(_listed(folder, entry, _ACCOUNTS) == (None, None) for entry in listing)


def _split(verdicts: list[Verdict]) -> tuple[list[Path], list[InputError]]:
    paths = sorted(path for path, error in verdicts if path is not None)
    return paths, [error for _, error in verdicts if error is not None]


def _folder_problem(folder: Path, kind: _Kind) -> str | None:
    target = escaping_link(folder)
    if target is not None:
        return _("{folder} is a symbolic link to {target}, outside the folder that holds "
                 "it: nothing in it is read").format(folder=_(kind.folder), target=target)
    if folder.is_file():  # `--accounts accounts/acme.yaml`, say
        return (_("this is a file, not a folder of account files: name the folder (a file "
                  "to check alone goes after the options: kam check accounts/NAME.yaml)")
                if kind is _ACCOUNTS else _("this is a file, not a folder of {files}").format(
                    files=_(kind.files)))
    if not folder.is_dir():
        return _("no such folder of {files}").format(files=_(kind.files))
    return None


def _unique(only: Sequence[Path]) -> list[Path]:
    seen: dict[tuple[Path, str], Path] = {}
    for path in sorted(only):
        seen.setdefault((real(path.parent), path.name), path)
    return list(seen.values())


def _named_file(path: Path, folder: Path) -> Verdict:
    """A file named on the command line: it must sit directly in the accounts folder."""
    where = real(path.parent)
    if where != real(folder):
        if is_within(where, folder):
            why = _("it is in a folder inside {folder}, and account files sit directly in "
                    "{folder}: it is not read").format(folder=shown(folder))
        else:
            why = _("it is not in the accounts folder {folder}: it is not read (name its "
                    "folder with --accounts)").format(folder=shown(folder))
        return None, _error(path, why)
    return _entry(path, True, _ACCOUNTS)


def _entry(path: Path, named: bool, kind: _Kind) -> Verdict:
    """Whether one entry of the folder is read; `named` if the user named it."""
    name = path.name
    proper = _proper_name(name)
    if name.startswith("."):
        if proper is not None:
            return None, _error(path, _("hidden files are not read: rename it to {name}")
                                .format(name=proper))
        return None, _error(path, _not_an_account()) if named else None
    target = escaping_link(path)
    if target is not None:
        return None, _error(path, _("it is a symbolic link to {target}, outside {folder}: "
                                    "it is not read").format(target=target,
                                                             folder=_(kind.folder)))
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if proper is None and not named:
            return None, None
        why = (_("it is a symbolic link to nothing") if isinstance(error, FileNotFoundError)
               and path.is_symlink() else _("it cannot be read: {reason}").format(
                   reason=error.strerror))
        return None, _error(path, why)
    if stat.S_ISDIR(mode):
        return None, _error(path, _("it is a folder: {files} sit directly in {folder}, so "
                                    "nothing in it is read").format(files=_(kind.files),
                                                                    folder=_(kind.folder)))
    if proper is None:
        return None, _error(path, _not_an_account()) if named else None
    if not stat.S_ISREG(mode):
        return None, _error(path, _("it is not a regular file (a pipe, socket or device): "
                                    "it is not read"))
    if name == proper:
        return path, None
    if _trimmed(name) != name:
        return None, _error(path, _("the name {name} ends in spaces, dots or invisible "
                                    "characters: rename it to {proper}").format(
                                        name=repr(name), proper=proper))
    return None, _error(path, _("{files} end in {suffix}: rename it to {proper}").format(
        files=_(kind.files), suffix=ACCOUNT_SUFFIX, proper=proper))


def _not_an_account() -> str:
    return _("it is not an account file: account files end in {suffix}").format(
        suffix=ACCOUNT_SUFFIX)


def _proper_name(name: str) -> str | None:
    """The name an account file that `name` looks like would have (`X.YML ` -> `X.yaml`),
    or None if it does not look like one."""
    trimmed = _trimmed(name).lstrip(".")
    for suffix in _LOOK_ALIKE_SUFFIXES:
        if trimmed[-len(suffix):].lower() == suffix and len(trimmed) > len(suffix):
            return trimmed[:-len(suffix)] + ACCOUNT_SUFFIX
    return None


def _trimmed(name: str) -> str:
    """The name without what a person does not see at its end: spaces, dots, invisible
    format characters."""
    end = len(name)
    while end and (name[end - 1].isspace() or name[end - 1] == "."
                   or is_invisible(name[end - 1])):
        end -= 1
    return name[:end]


def _error(path: Path, message: str) -> InputError:
    return InputError(shown(path), 1, 1, "", message)
