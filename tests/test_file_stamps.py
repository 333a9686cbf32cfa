"""The fast `kam check` trusts an account file's status (size, mtime_ns, inode, ctime_ns) for
the hash of its bytes, as git does, only when that is safe (source/file_stamps.py): an
unchanged file is not read, an edited one always is, even one that keeps its size and mtime,
and a file changed too close to the moment it was read is read again on every run."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import kam_review.review.fast_check as fast_check
from kam_review.cli import main
from kam_review.source import file_stamps
from kam_review.source.fast_yaml import FAST_VARIABLE
from kam_review.source.file_stamps import (
    RACY_MARGIN_NS,
    read_stamped,
    stamp_text,
    trusted_digest,
)

from .conftest import ACCOUNTS, AS_OF

SECOND = 1_000_000_000
EDITED = "jiahe-home.yaml"


def _later(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Files are read `seconds` after now by the stamps' clock: a file just written is old
    enough for its status to be trusted (or, with 0, too young)."""
    now = file_stamps.time_ns
    monkeypatch.setattr(file_stamps, "time_ns", lambda: now() + seconds * SECOND)


def test_an_old_unchanged_file_is_trusted_by_its_status(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")
    _later(monkeypatch, 10)
    content, digest, stamp = read_stamped(path)
    assert content == b"id: a\n" and stamp.startswith(digest.hex() + " ")
    assert trusted_digest(stamp, path) == digest


def test_an_edit_keeping_size_and_mtime_is_seen(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The edit restores the file's mtime, as `touch -d` or a tool keeping times does: the
    size and mtime are the stamped ones, but setting a time sets the ctime to now, which
    nobody can set back, so the status differs and the file is read."""
    path = tmp_path / "a.yaml"
    path.write_bytes(b"revenue: 100\n")
    before = os.stat(path)
    _later(monkeypatch, 10)
    _, digest, stamp = read_stamped(path)
    path.write_bytes(b"revenue: 900\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert after.st_ctime_ns != before.st_ctime_ns
    assert trusted_digest(stamp, path) is None
    assert read_stamped(path)[1] != digest


@pytest.mark.parametrize("seconds_after_change", [-1, 0, 1, 2.9, 3, 3.1])
def test_a_racily_clean_file_is_not_trusted(tmp_path: Path, seconds_after_change: float) -> None:
    """An edit in the same clock tick as the change before it, before the read, leaves the
    status as it was: so a stamp taken less than RACY_MARGIN_NS after the file last changed
    is never trusted (git's racily clean file), and read_stamped does not even write one."""
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")
    status = os.stat(path)
    changed = max(status.st_mtime_ns, status.st_ctime_ns)
    clock = changed + int(seconds_after_change * SECOND)
    stamp = stamp_text(b"\1" * 32, status, clock)
    trusted = clock - changed > RACY_MARGIN_NS
    assert (trusted_digest(stamp, path) is not None) is trusted
    assert RACY_MARGIN_NS == 3 * SECOND  # the boundary the cases above stand around


def test_a_file_just_written_gets_no_stamp(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")
    content, digest, stamp = read_stamped(path)
    assert content is not None and digest and stamp == ""


@pytest.mark.parametrize("stamp", ["", "zz", "00 1 2 3 4", "00 1 2 3 4 x"])
def test_a_stamp_of_another_shape_is_not_trusted(tmp_path: Path, stamp: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"id: a\n")
    assert trusted_digest(stamp, path) is None


def _check(monkeypatch: pytest.MonkeyPatch, accounts: Path, fast: bool = True,
           *args: str) -> str:
    monkeypatch.setenv(FAST_VARIABLE, "1" if fast else "0")
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts",
                                       str(accounts), "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the fast check reads."""
    read: list[str] = []

    def counted(path: Path) -> tuple[bytes | None, bytes, str]:
        read.append(path.name)
        return read_stamped(path)
    monkeypatch.setattr(fast_check, "read_stamped", counted)
    return read


def test_a_warm_run_reads_only_the_edited_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               reads: list[str]) -> None:
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    _later(monkeypatch, 10)
    first = _check(monkeypatch, accounts)
    assert _check(monkeypatch, accounts) == first
    count = len(list(accounts.glob("*.yaml")))
    assert len(reads) == count  # the cold run only
    path = accounts / EDITED
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Jiahe Home Centers", "name: Jiahe Home Centres"),
                    encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    edited = _check(monkeypatch, accounts)
    assert reads[count:] == [EDITED]
    assert "Jiahe Home Centres" in edited and edited != first
    assert edited == _check(monkeypatch, accounts, False, "--no-cache")


def test_a_forged_stamp_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       reads: list[str]) -> None:
    """The stamp is sealed with its entry: a stamp rewritten to fit an edited file's status,
    so that the review of its old bytes would be taken, makes the entry a miss."""
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    cache = tmp_path / "cache"
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    _later(monkeypatch, 10)
    first = _check(monkeypatch, accounts)
    path = accounts / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace(
        "name: Jiahe Home Centers", "name: Jiahe Home Centres"), encoding="utf-8")
    (database,) = cache.glob("reviews-fast-*.sqlite")
    with sqlite3.connect(database) as connection:
        ((key,),) = connection.execute("SELECT key FROM entries WHERE path LIKE ?",
                                       (f"%{EDITED}",)).fetchall()
        key_hex, digest, *_, clock = key.split(" ")
        forged = stamp_text(bytes.fromhex(digest), os.stat(path), int(clock) + 10 * SECOND)
        connection.execute("UPDATE entries SET key = ? WHERE path LIKE ?",
                           (f"{key_hex} {forged}", f"%{EDITED}"))
    connection.close()
    reads.clear()
    edited = _check(monkeypatch, accounts)
    assert reads == [EDITED]
    assert "Jiahe Home Centres" in edited and edited != first
