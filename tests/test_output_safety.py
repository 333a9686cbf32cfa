"""No destructive writes: `kam build`, report files (`--output`) and `kam new` refuse every
destination that is not theirs, leave the file system exactly as it was when they refuse, and
replace only their own earlier output, whole."""

from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kam_review.cli import main
from kam_review.output import output_folder
from kam_review.output.input_files import create_input_file
from kam_review.output.output_folder import MARKER, MARKER_TEXT, WriteRefused

from .conftest import AS_OF, healthy_account, write_account


def snapshot(root: Path) -> dict[str, str | bytes]:
    """Every entry below root: a file's bytes, a link's target, a folder's mark."""
    entries: dict[str, str | bytes] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                entries[key] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                entries[key] = "folder"
            else:
                entries[key] = path.read_bytes()
    return entries


def kam(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository of accounts, the working folder, with a few folders that are not outputs."""
    root = tmp_path / "repo"
    for folder in (".git", "accounts", "notes", "empty", "data/accounts", "vendor/lib/.git",
                   "marked-by-someone"):
        (root / folder).mkdir(parents=True)
    write_account(root / "accounts", healthy_account())
    write_account(root / "data" / "accounts", healthy_account())
    (root / "notes" / "todo.txt").write_text("keep me\n", encoding="utf-8")
    (root / "team-thresholds.yaml").write_text("thresholds:\n  complacency_days: 20\n",
                                               encoding="utf-8")
    (root / "marked-by-someone" / MARKER).write_text("not ours\n", encoding="utf-8")
    (root / "marked-by-someone" / "x.md").write_text("x\n", encoding="utf-8")
    (root / "link-to-empty").symlink_to(root / "empty")
    (root / "dangling").symlink_to(root / "nowhere")
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(root)
    return root


def build(target: str, *extra: str) -> Result:
    return kam("build", target, "--as-of", str(AS_OF), "--thresholds", "team-thresholds.yaml",
               *extra)


REFUSED_FOLDERS = [
    (".", "refusing to write into ./: it is the root of a git repository"),
    ("..", "refusing to write into ../: it holds the working folder"),
    ("accounts", "refusing to write into accounts/: it is an input folder"),
    ("accounts/", "refusing to write into accounts/: it is an input folder"),
    ("./accounts/../accounts", "refusing to write into accounts/: it is an input folder"),
    ("accounts/pages", "refusing to write into accounts/pages/: it is inside the input folder "
     "accounts/"),
    ("team-thresholds.yaml", "refusing to write team-thresholds.yaml: it is an existing file"),
    ("notes", "refusing to write into notes/: it is not empty and kam-review did not create "
     "it (it has no .kam-review-output file); name a new or empty folder"),
    ("notes/todo.txt", "refusing to write notes/todo.txt: it is an existing file"),
    ("marked-by-someone", "refusing to write into marked-by-someone/: it is not empty"),
    (".git/pages", "refusing to write into .git/pages/: it is inside a git repository's .git "
     "folder"),
    ("vendor/lib", "refusing to write into vendor/lib/: it is the root of a git repository"),
    ("link-to-empty", "refusing to write into link-to-empty/: it is a symbolic link"),
    ("dangling", "refusing to write into dangling/: it is a symbolic link"),
]


@pytest.mark.parametrize(("target", "message"), REFUSED_FOLDERS,
                         ids=[t for t, _ in REFUSED_FOLDERS])
def test_build_refuses_what_is_not_its_own(repo: Path, target: str, message: str) -> None:
    before = snapshot(repo.parent)
    run = build(target)
    assert run.exit_code == 2
    assert message in run.stderr, run.stderr
    assert snapshot(repo.parent) == before


def test_build_refuses_a_folder_holding_an_input(repo: Path) -> None:
    before = snapshot(repo.parent)
    run = build("data", "--accounts", "data/accounts")
    assert run.exit_code == 2
    assert "refusing to write into data/: it holds the input data/accounts/" in run.stderr
    assert snapshot(repo.parent) == before


def test_build_refuses_the_working_folder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "empty")
    before = snapshot(repo.parent)
    run = kam("build", ".", "--accounts", "../accounts", "--as-of", str(AS_OF))
    assert run.exit_code == 2
    assert "refusing to write into ./: it is the working folder" in run.stderr
    assert snapshot(repo.parent) == before


@pytest.mark.parametrize("target", ["out", "empty", "build/site/pages"])
def test_build_writes_a_new_or_empty_folder_and_marks_it(repo: Path, target: str) -> None:
    run = build(target)
    assert run.exit_code == 0, run.output
    assert (repo / target / "index.md").is_file()
    assert (repo / target / "accounts" / "test-account.md").is_file()
    assert (repo / target / MARKER).read_text(encoding="utf-8") == MARKER_TEXT


def test_build_replaces_its_own_output_whole(repo: Path) -> None:
    assert build("out").exit_code == 0
    (repo / "out" / "stale.md").write_text("from an earlier build\n", encoding="utf-8")
    before = {k: v for k, v in snapshot(repo).items() if not k.startswith("out")}
    assert build("out").exit_code == 0
    assert not (repo / "out" / "stale.md").exists()
    assert (repo / "out" / "index.md").is_file()
    # Nothing beside it: no staging folder, no old copy left behind.
    assert {k: v for k, v in snapshot(repo).items() if not k.startswith("out")} == before


def test_a_marker_that_is_a_link_does_not_count(repo: Path) -> None:
    (repo / "real-marker").write_text(MARKER_TEXT, encoding="utf-8")
    (repo / "notes" / MARKER).symlink_to(repo / "real-marker")
    run = build("notes")
    assert run.exit_code == 2
    assert (repo / "notes" / "todo.txt").is_file()


# Report files: --output FILE on kam check.
CHECK = ("check", "--as-of", str(AS_OF), "--no-cache", "--thresholds", "team-thresholds.yaml")


@pytest.mark.parametrize("output", ["text", "json", "markdown", "sarif", "junit"])
def test_a_report_file_holds_what_standard_output_would(repo: Path, output: str) -> None:
    printed = kam(*CHECK, "--format", output)
    written = kam(*CHECK, "--format", output, "--output", "reports/ci/kam.out")
    assert written.exit_code == printed.exit_code == 0
    assert written.stdout == ""
    assert (repo / "reports/ci/kam.out").read_text(encoding="utf-8") == printed.stdout
    assert (repo / "reports/ci/kam.out").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in (repo / "reports/ci").iterdir()) == ["kam.out"]


@pytest.fixture(params=[0o077, 0o027, 0o022, 0o002], ids=lambda mask: f"umask-{mask:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under this umask, and put the process's own back after it."""
    before = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_report_file_has_the_mode_the_umask_gives(repo: Path, umask: int) -> None:
    """With umask 077 a report holding contact names is the user's alone; with 022 it is as
    readable as any file the shell writes (it was 644 whatever the umask)."""
    run = kam(*CHECK, "--format", "json", "--output", "reports/kam.json")
    assert run.exit_code == 0, run.output
    assert _mode(repo / "reports" / "kam.json") == 0o666 & ~umask
    assert _mode(repo / "reports") == 0o777 & ~umask


def test_build_output_has_the_modes_the_umask_gives(repo: Path, umask: int) -> None:
    """The top folder too (it was 700 whatever the umask), also when a build replaces it."""
    for _ in range(2):
        run = kam("build", "site-out", "--as-of", str(AS_OF))
        assert run.exit_code == 0, run.output
        top = repo / "site-out"
        folders = [top, *(p for p in top.rglob("*") if p.is_dir())]
        files = [p for p in top.rglob("*") if p.is_file()]
        assert len(folders) > 1 and len(files) > 5
        assert {_mode(p) for p in folders} == {0o777 & ~umask}
        assert {_mode(p) for p in files} == {0o666 & ~umask}


def test_a_report_with_input_errors_is_still_written(repo: Path) -> None:
    (repo / "accounts" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    run = kam(*CHECK, "--format", "json", "--output", "kam.json")
    assert run.exit_code == 2
    assert '"file": "accounts/broken.yaml"' in (repo / "kam.json").read_text(encoding="utf-8")


REFUSED_REPORTS: list[tuple[str, Callable[[Path], object], str]] = [
    ("kam.sarif", lambda r: (r / "kam.sarif").write_text("old\n", encoding="utf-8"),
     "refusing to write kam.sarif: it already exists (a report file is never replaced: remove "
     "it or name a new file)"),
    ("kam.sarif", lambda r: (r / "kam.sarif").symlink_to(r.parent / "outside" / "victim"),
     "refusing to write kam.sarif: it is a symbolic link"),
    ("kam.sarif", lambda r: (r / "kam.sarif").symlink_to(r / "notes" / "todo.txt"),
     "refusing to write kam.sarif: it is a symbolic link"),
    ("notes", lambda r: None, "refusing to write notes: it already exists"),
    ("accounts/kam.sarif", lambda r: None, "refusing to write accounts/kam.sarif: accounts/ is "
     "an input folder"),
    ("accounts/reports/kam.sarif", lambda r: None, "refusing to write "
     "accounts/reports/kam.sarif: it would be inside the input folder accounts/"),
    ("team-thresholds.yaml", lambda r: None, "it already exists"),
    (".git/kam.sarif", lambda r: None, "it is inside a git repository's .git folder"),
    (".", lambda r: None, "it is not a file name"),
    ("..", lambda r: None, "it is not a file name"),
]


@pytest.mark.parametrize(("target", "prepare", "message"), REFUSED_REPORTS,
                         ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(REFUSED_REPORTS)])
def test_a_report_file_refuses_what_is_not_new(repo: Path, target: str,
                                               prepare: Callable[[Path], object],
                                               message: str) -> None:
    prepare(repo)
    before = snapshot(repo.parent)
    run = kam(*CHECK, "--format", "sarif", "--output", target)
    assert run.exit_code == 2
    assert message in run.stderr, run.stderr
    assert snapshot(repo.parent) == before


def test_a_failed_run_publishes_no_report(repo: Path) -> None:
    (repo / "rules").mkdir()
    (repo / "rules" / "bad.yaml").write_text("rules: [\n", encoding="utf-8")
    before = snapshot(repo.parent)
    run = kam(*CHECK, "--rules", "rules", "--format", "sarif", "--output", "kam.sarif")
    assert run.exit_code == 2
    assert "bad.yaml" in run.output
    assert snapshot(repo.parent) == before  # no report, no temporary file


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_under_a_report_file_is_an_error_not_a_crash(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(handle: int, *args: object, **kwargs: object) -> _FullDisk:
        os.close(handle)
        return _FullDisk()

    monkeypatch.setattr(output_folder.os, "fdopen", full)
    before = snapshot(repo.parent)
    run = kam(*CHECK, "--format", "json", "--output", "kam.json")
    assert run.exit_code == 2
    assert "could not write kam.json: No space left on device" in run.stderr
    assert snapshot(repo.parent) == before  # no report, no temporary file


def test_diff_writes_its_report_file_and_refuses_an_existing_one(repo: Path) -> None:
    for args in (["init", "-q", "-b", "main"], ["add", "accounts"],
                 ["-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    printed = kam("diff", "main", "--as-of", str(AS_OF), "--format", "markdown")
    assert printed.exit_code == 0, printed.output
    written = kam("diff", "main", "--as-of", str(AS_OF), "--format", "markdown", "--output",
                  "changes.md")
    assert written.exit_code == 0 and written.stdout == ""
    assert (repo / "changes.md").read_text(encoding="utf-8") == printed.stdout
    again = kam("diff", "main", "--as-of", str(AS_OF), "--output", "changes.md")
    assert again.exit_code == 2 and "changes.md: it already exists" in again.stderr
    assert (repo / "changes.md").read_text(encoding="utf-8") == printed.stdout


# kam new: writes an input on purpose, only a new file, never through a link.
def test_new_never_replaces_a_file(repo: Path) -> None:
    write_account(repo / "accounts", healthy_account() | {"id": "acme"})
    before = snapshot(repo.parent)
    run = kam("new", "acme")
    assert run.exit_code == 2
    assert "refusing to write accounts/acme.yaml: it already exists" in run.stderr
    assert snapshot(repo.parent) == before


@pytest.mark.parametrize("target", ["outside/victim.yaml", "outside/missing/x.yaml",
                                    "repo/notes/todo.txt"])
def test_new_never_writes_through_a_link(repo: Path, target: str) -> None:
    victim = repo.parent / target
    if victim.name == "victim.yaml":
        victim.write_text("untouched\n", encoding="utf-8")
    (repo / "accounts" / "acme.yaml").symlink_to(victim)
    before = snapshot(repo.parent)
    run = kam("new", "acme")
    assert run.exit_code == 2
    assert "refusing to write accounts/acme.yaml: it already exists (or a symbolic link is " \
           "in its place)" in run.stderr
    assert snapshot(repo.parent) == before


@pytest.mark.parametrize(("link", "target"), [("linked", "outside"),
                                              ("team-accounts", "repo/data/accounts"),
                                              ("dangling-accounts", "repo/nowhere")])
def test_new_refuses_an_accounts_folder_that_is_a_link(repo: Path, link: str,
                                                       target: str) -> None:
    """Never through a symbolic link, wherever it leads (within the repository too): the file
    lands where the path says. A link inside the repository used to be followed."""
    (repo / link).symlink_to(repo.parent / target)
    before = snapshot(repo.parent)
    run = kam("new", "acme", "--accounts", link)
    assert run.exit_code == 2
    assert f"refusing to write into {link}/: it is a symbolic link (to " \
           f"{repo.parent / target}), and input files are never written through one" \
           in run.stderr
    assert snapshot(repo.parent) == before


@pytest.mark.parametrize("accounts", ["linked/accounts", "linked/../accounts",
                                      "notes/../linked/new"])
def test_new_refuses_a_path_through_a_link_leading_out_of_the_repository(
        repo: Path, accounts: str) -> None:
    (repo / "linked").symlink_to(repo.parent / "outside")
    before = snapshot(repo.parent)
    run = kam("new", "acme", "--accounts", accounts)
    assert run.exit_code == 2
    assert f"refusing to write into {accounts}/: " in run.stderr
    assert f"outside {repo}/" in run.stderr or "outside ./" in run.stderr, run.stderr
    assert snapshot(repo.parent) == before


def test_new_follows_a_link_above_the_folder_that_stays_in_the_repository(repo: Path) -> None:
    (repo / "data-link").symlink_to(repo / "data")
    run = kam("new", "acme", "--accounts", "data-link/accounts")
    assert run.exit_code == 0, run.output
    assert (repo / "data" / "accounts" / "acme.yaml").is_file()


def test_new_creates_a_missing_folder(repo: Path) -> None:
    assert kam("new", "acme", "--accounts", "fresh/accounts").exit_code == 0
    assert (repo / "fresh" / "accounts" / "acme.yaml").is_file()


@pytest.mark.parametrize("name", ["", ".", "..", "../acme.yaml", "sub/acme.yaml", ".hidden.yaml",
                                  "acme\0.yaml"])
def test_an_input_file_name_is_a_plain_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(WriteRefused, match="it is not a plain file name"):
        create_input_file(tmp_path / "accounts", name, "text\n")
    assert list(tmp_path.iterdir()) == []
