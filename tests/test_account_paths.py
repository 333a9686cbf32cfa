"""Which files are read as accounts: everything that looks like an account file but is not read
gets an error naming it, nothing outside the accounts folder is ever read, and the full run and
the pre-commit hook (`kam check FILE...`) agree. These are file system cases, so each builds
its tree in a temporary folder rather than living in tests/corpus."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.source.accounts import account_files, load_portfolio

from .conftest import AS_OF, REPO, RULES, healthy_account, write_account

GOOD = yaml.safe_dump(healthy_account(), sort_keys=False)
# Text that must never reach any output: it sits in files outside the accounts folder.
SECRET = "canary-5f3e9a"
OUTSIDE_ACCOUNT = GOOD.replace("id: test-account", f"id: {SECRET}").replace(
    "name: Test Account Ltd", f"name: {SECRET}")
PASSWD = f"root:x:0:0:{SECRET}:/root:/bin/bash\ndaemon:x:1:1:{SECRET}:/usr/sbin\n"

Make = Callable[[Path, Path], None]  # (accounts folder, a folder outside it)


def _file(name: str, text: str = GOOD) -> Make:
    return lambda accounts, outside: (accounts / name).write_text(text, encoding="utf-8")


def _link(name: str, to: str) -> Make:
    """A symbolic link in the accounts folder; `to` starting with `out:` is outside it."""
    def make(accounts: Path, outside: Path) -> None:
        (outside / "secret.yaml").write_text(OUTSIDE_ACCOUNT, encoding="utf-8")
        (outside / "passwd").write_text(PASSWD, encoding="utf-8")
        target = outside / to.removeprefix("out:") if to.startswith("out:") else Path(to)
        (accounts / name).symlink_to(target)
    return make


def _folder(name: str) -> Make:
    def make(accounts: Path, outside: Path) -> None:
        (accounts / name).mkdir()
        write_account(accounts / name, healthy_account() | {"id": "nested"})
    return make


def _fifo(name: str) -> Make:
    return lambda accounts, outside: os.mkfifo(accounts / name)


# The entry added beside a valid account, and the error it must get (file name: message).
CASES: list[tuple[str, Make, str]] = [
    ("upper-suffix", _file("acme.YAML"), "acme.YAML: account files end in .yaml: rename it to "
     "acme.yaml"),
    ("mixed-suffix", _file("acme.Yaml"), "acme.Yaml: account files end in .yaml: rename it to "
     "acme.yaml"),
    ("yml", _file("acme.yml"), "acme.yml: account files end in .yaml: rename it to acme.yaml"),
    ("upper-yml", _file("acme.YML"), "account files end in .yaml: rename it to acme.yaml"),
    ("trailing-space", _file("acme.yaml "), "the name 'acme.yaml ' ends in spaces, dots or "
     "invisible characters: rename it to acme.yaml"),
    ("trailing-spaces-and-tab", _file("acme.yaml \t "), "rename it to acme.yaml"),
    ("trailing-dot", _file("acme.yaml."), "the name 'acme.yaml.' ends in spaces"),
    ("zero-width-end", _file("acme.yaml\u200b"), "'acme.yaml\\u200b' ends in spaces, dots or "
     "invisible characters"),
    # Invisible as names count it (source/names.py), not only format characters: a combining
    # grapheme joiner and a variation selector are not Cf.
    ("grapheme-joiner-end", _file("acme.yaml\u034f"), "ends in spaces, dots or invisible "
     "characters: rename it to acme.yaml"),
    ("variation-selector-end", _file("acme.yaml\ufe0f"), "ends in spaces, dots or invisible "
     "characters: rename it to acme.yaml"),
    ("hidden", _file(".acme.yaml"), ".acme.yaml: hidden files are not read: rename it to "
     "acme.yaml"),
    ("folder-named-like-a-file", _folder("acme.yaml"), "acme.yaml: it is a folder: account "
     "files sit directly in the accounts folder, so nothing in it is read"),
    ("nested-folder", _folder("archive"), "archive: it is a folder"),
    ("fifo", _fifo("acme.yaml"), "acme.yaml: it is not a regular file (a pipe, socket or "
     "device): it is not read"),
    ("link-to-outside-account", _link("acme.yaml", "out:secret.yaml"),
     "acme.yaml: it is a symbolic link to {outside}/secret.yaml, outside the accounts folder: "
     "it is not read"),
    ("link-to-passwd", _link("passwd.yaml", "out:passwd"), "passwd.yaml: it is a symbolic "
     "link to {outside}/passwd, outside"),
    ("link-any-name-outside", _link("notes.txt", "out:passwd"), "notes.txt: it is a symbolic "
     "link to {outside}/passwd, outside"),
    ("link-to-outside-folder", _link("shared", "out:"), "shared: it is a symbolic link to "
     "{outside}, outside"),
    ("link-up-and-back", _link("acme.yaml", "../outside/secret.yaml"), "acme.yaml: it is a "
     "symbolic link to {outside}/secret.yaml, outside"),
    ("dangling-link", _link("acme.yaml", "missing.yaml"), "acme.yaml: it is a symbolic link "
     "to nothing"),
    ("dangling-link-outside", _link("acme.yaml", "out:missing.yaml"), "acme.yaml: it is a "
     "symbolic link to {outside}/missing.yaml, outside"),
    ("link-loop", _link("acme.yaml", "acme.yaml"), "acme.yaml: it cannot be read: Too many "
     "levels of symbolic links"),
]


def _tree(tmp_path: Path, make: Make) -> tuple[Path, Path]:
    accounts, outside = tmp_path / "accounts", tmp_path / "outside"
    accounts.mkdir()
    outside.mkdir()
    write_account(accounts, healthy_account())
    make(accounts, outside)
    return accounts, outside


def _check(*args: str) -> tuple[int, str, str]:
    run = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--rules", str(RULES),
                                    "--no-cache", *args], catch_exceptions=False)
    return run.exit_code, run.stdout, run.stderr


@pytest.mark.parametrize(("make", "expected"), [(m, e) for _, m, e in CASES],
                         ids=[case for case, _, _ in CASES])
def test_an_entry_not_read_gets_an_error(tmp_path: Path, make: Make, expected: str) -> None:
    accounts, outside = _tree(tmp_path, make)
    portfolio = load_portfolio(accounts)
    assert [a.id for a in portfolio.accounts] == ["test-account"]
    errors = [str(e) for e in portfolio.errors]
    assert len(errors) == 1, errors
    file, _, message = errors[0].partition(":1:1: ")
    assert file.startswith(f"{accounts}/"), file
    assert expected.format(outside=outside) in f"{Path(file).name}: {message}", errors
    assert SECRET not in errors[0]


@pytest.mark.parametrize("name", ["README.md", "notes.txt", ".gitkeep", ".DS_Store",
                                  ".acme.yaml.swp", "acme.yaml~", "acme.yaml.bak"])
def test_entries_that_do_not_look_like_accounts_are_left_alone(tmp_path: Path,
                                                                name: str) -> None:
    accounts, _ = _tree(tmp_path, _file(name, "anything"))
    portfolio = load_portfolio(accounts)
    assert [a.id for a in portfolio.accounts] == ["test-account"]
    assert portfolio.errors == []


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    accounts, _ = _tree(tmp_path, _link("other.yaml", "test-account.yaml"))
    paths, errors = account_files(accounts)
    assert [p.name for p in paths] == ["other.yaml", "test-account.yaml"]
    assert errors == []


def test_a_folder_of_accounts_that_links_outside_is_not_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.yaml").write_text(OUTSIDE_ACCOUNT, encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "accounts").symlink_to(elsewhere)
    portfolio = load_portfolio(repo / "accounts")
    assert portfolio.accounts == []
    (error,) = [str(e) for e in portfolio.errors]
    assert error == (f"{repo}/accounts:1:1: the accounts folder is a symbolic link to "
                     f"{elsewhere}, outside the folder that holds it: nothing in it is read")


@pytest.mark.parametrize("output", ["text", "json", "markdown", "sarif", "junit"])
def test_what_a_link_leads_to_appears_in_no_output(tmp_path: Path, output: str) -> None:
    accounts, outside = _tree(tmp_path, _link("acme.yaml", "out:secret.yaml"))
    (accounts / "passwd.yaml").symlink_to(outside / "passwd")
    code, stdout, stderr = _check("--accounts", str(accounts), "--format", output)
    assert code == 2
    assert SECRET not in stdout + stderr
    assert "acme.yaml" in stdout + stderr and "passwd.yaml" in stdout + stderr
    assert "1 account" in stdout if output == "markdown" else "test-account" in stdout


def test_what_a_link_leads_to_appears_in_no_page(tmp_path: Path) -> None:
    accounts, _ = _tree(tmp_path, _link("acme.yaml", "out:secret.yaml"))
    run = CliRunner().invoke(main, ["build", str(tmp_path / "pages"), "--accounts",
                                    str(accounts), "--as-of", str(AS_OF)],
                             catch_exceptions=False)
    assert run.exit_code == 2
    assert "acme.yaml:1:1: it is a symbolic link to" in run.stderr
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "pages").rglob("*.md"))
    assert "test-account" in pages
    assert SECRET not in pages + run.output


# Files as the pre-commit hook names them, relative to the repository (the working folder).
NAMED: list[tuple[str, str]] = [
    ("accounts/acme.YAML", "accounts/acme.YAML:1:1: account files end in .yaml: rename it to "
     "acme.yaml"),
    ("accounts/acme.yml", "accounts/acme.yml:1:1: account files end in .yaml"),
    ("accounts/.acme.yaml", "accounts/.acme.yaml:1:1: hidden files are not read"),
    ("accounts/archive/old.yaml", "accounts/archive/old.yaml:1:1: it is in a folder inside "
     "accounts, and account files sit directly in accounts: it is not read"),
    ("other/acme.yaml", "other/acme.yaml:1:1: it is not in the accounts folder accounts: it "
     "is not read (name its folder with --accounts)"),
    ("outside/secret.yaml", "outside/secret.yaml:1:1: it is not in the accounts folder"),
    ("accounts/link.yaml", "accounts/link.yaml:1:1: it is a symbolic link to "),
    ("accounts/README.md", "accounts/README.md:1:1: it is not an account file: account files "
     "end in .yaml"),
    ("accounts/gone.yaml", "accounts/gone.yaml:1:1: it cannot be read: No such file or "
     "directory"),
]


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An accounts folder holding one of each kind of entry, with the working folder above."""
    accounts, outside = tmp_path / "accounts", tmp_path / "outside"
    for folder in (accounts, outside, accounts / "archive", tmp_path / "other"):
        folder.mkdir()
    write_account(accounts, healthy_account())
    for name in ("acme.YAML", "acme.yml", ".acme.yaml", "archive/old.yaml", "README.md"):
        (accounts / name).write_text(GOOD, encoding="utf-8")
    (tmp_path / "other" / "acme.yaml").write_text(GOOD, encoding="utf-8")
    (outside / "secret.yaml").write_text(OUTSIDE_ACCOUNT, encoding="utf-8")
    (accounts / "link.yaml").symlink_to(outside / "secret.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("named", "expected"), NAMED, ids=[n for n, _ in NAMED])
def test_a_named_file_gets_the_same_checks(repository: Path, named: str,
                                           expected: str) -> None:
    code, stdout, _ = _check("--format", "json", named, "accounts/test-account.yaml")
    assert code == 2
    data = json.loads(stdout)
    assert [a["id"] for a in data["accounts"]] == ["test-account"]
    errors = [f"{e['file']}:{e['line']}:{e['column']}: {e['message']}" for e in data["errors"]]
    assert len(errors) == 1 and expected in errors[0], errors
    assert SECRET not in stdout


def test_a_file_named_twice_or_by_a_roundabout_path_is_read_once(repository: Path) -> None:
    code, stdout, _ = _check("--format", "json", "accounts/test-account.yaml",
                             "accounts/../accounts/test-account.yaml",
                             f"{repository}/accounts/test-account.yaml")
    assert code == 0
    assert [a["id"] for a in json.loads(stdout)["accounts"]] == ["test-account"]


def test_the_full_run_and_the_hook_agree(repository: Path) -> None:
    """The hook is given the files that its pattern in .pre-commit-hooks.yaml matches (git
    tracks files and links, never folders): it reads the same files as the full run, and
    each look-alike gets the same error; a file in a nested folder gets an error of its own,
    as the folder does in the full run."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [hook for hook in hooks if hook["id"] == "kam-check"]
    pattern = re.compile(hook["files"])
    accounts = repository / "accounts"
    (accounts / "acme.yaml ").write_text(GOOD, encoding="utf-8")
    whole_paths, whole_errors = account_files(accounts)
    tracked = [p.relative_to(repository) for p in accounts.rglob("*")
               if not p.is_dir() or p.is_symlink()]
    named = [p for p in tracked if pattern.search(p.as_posix())]
    assert Path("accounts/README.md") not in named
    hook_paths, hook_errors = account_files(Path("accounts"), named)
    assert [p.name for p in hook_paths] == [p.name for p in whole_paths] == ["test-account.yaml"]
    by_file = {e.file: e.message for e in whole_errors}
    by_named = {e.file: e.message for e in hook_errors}
    assert by_named.pop("accounts/archive/old.yaml").startswith("it is in a folder inside")
    assert by_file.pop("accounts/archive").startswith("it is a folder")
    assert by_named == by_file
    assert {"accounts/acme.YAML", "accounts/acme.yaml ", "accounts/.acme.yaml",
            "accounts/link.yaml"} <= set(by_file)
