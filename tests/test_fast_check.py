"""The fast `kam check` (review/fast_check.py) against the plain path (KAM_FAST=0): byte for
byte the same output in every format, and the same exit code, on the sample portfolio, a
generated one and the hostile corpus; in worker processes, from its cache, and after a file,
a rule or the review date changed."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner

import kam_review.review.evaluate
import kam_review.review.fast_check as fast_check
from kam_review.cli import main
from kam_review.paths import display_path
from kam_review.review.fast_check import fast_review_in_batches
from kam_review.source.cache import AccountCache
from kam_review.source.fast_yaml import FAST_VARIABLE, fast_enabled
from kam_review.source.file_names import FileNames

from .conftest import ACCOUNTS, AS_OF, RULES, healthy_account, write_account

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).with_name("corpus")
FORMATS = ("text", "json", "markdown", "sarif", "junit")
T = TypeVar("T")


def _check(monkeypatch: pytest.MonkeyPatch, fast: bool, *args: str) -> tuple[int, str]:
    monkeypatch.setenv(FAST_VARIABLE, "1" if fast else "0")
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.stdout


def _same_everywhere(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    """Every format, fast cold, fast warm (from the cache) and plain: the same bytes."""
    for output in FORMATS:
        plain = _check(monkeypatch, False, "--format", output, "--no-cache", *args)
        assert _check(monkeypatch, True, "--format", output, *args) == plain, output
        assert _check(monkeypatch, True, "--format", output, *args) == plain, output
        assert _check(monkeypatch, True, "--format", output, "--no-cache", *args) == plain


@pytest.fixture
def in_workers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Small batches and chunks, every batch reviewed by the two worker processes."""
    monkeypatch.setattr(kam_review.review.evaluate, "BATCH_SIZE", 7)
    monkeypatch.setattr(fast_check, "PARALLEL_FROM", 1)
    monkeypatch.setattr(fast_check, "CHUNK", 3)
    monkeypatch.setattr(fast_check.os, "sched_getaffinity", lambda _: {0, 1})
    yield


def test_the_sample_is_the_same_fast_and_plain(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    _same_everywhere(monkeypatch, "--accounts", str(ACCOUNTS))
    _same_everywhere(monkeypatch, "--accounts", str(ACCOUNTS), "--redact-contacts",
                     "--currency", "CNY", "--show", "medium")
    # Some files only, as the pre-commit hook asks (one of them twice).
    named = [str(ACCOUNTS / name) for name in ("jiahe-home.yaml", "lanting-hotels.yaml",
                                               "jiahe-home.yaml")]
    _same_everywhere(monkeypatch, "--accounts", str(ACCOUNTS), *named)


def test_in_workers_and_batches_the_sample_is_the_same(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path, in_workers: None) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    _same_everywhere(monkeypatch, "--accounts", str(ACCOUNTS))


def test_a_generated_portfolio_is_the_same(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           in_workers: None) -> None:
    folder = tmp_path / "generated"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(folder), "40",
                    "--seed", "3"], check=True, capture_output=True)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    _same_everywhere(monkeypatch, "--accounts", str(folder), "--fail-on", "high")


def test_the_hostile_corpus_is_the_same(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        in_workers: None) -> None:
    """Every bad account file of the corpus in one folder, beside a valid account: the same
    errors (file, line, column, field), capped per file and sorted per batch, the same
    accounts and exit code 2."""
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, healthy_account())
    for case in sorted((CORPUS / "accounts").glob("*.yaml")):
        shutil.copy(case, folder / case.name)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    code, _ = _check(monkeypatch, True, "--accounts", str(folder), "--format", "json")
    assert code == 2
    _same_everywhere(monkeypatch, "--accounts", str(folder))


def test_a_file_the_schema_refuses_still_has_its_rule_ids_checked(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, in_workers: None) -> None:
    """A schema error, an answer to an unknown rule and a waiver of one, in one file: one
    run reports the three (the rule ids once the rest is fixed would take a second run), on
    every path alike."""
    account = healthy_account()
    account["financials"][0]["revenue"] = "1.2M"
    account["plan"]["actions"] = [{"what": "Call the CFO", "owner": "Li Wei",
                                   "answers": "risk.revenue-decline"}]
    account["waivers"] = [{"rule": "risk.single-thread", "reason": "A second contact is "
                           "being introduced this quarter", "until": "2026-12-31",
                           "by": "Zhou Lan"}]
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, account)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(FAST_VARIABLE, "1")
    run = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts", str(folder)])
    assert run.exit_code == 2
    found = [line.split(": ", 1)[1].split(" ", 1)[1] for line in run.stderr.splitlines()
             if "test-account.yaml:" in line]
    assert found == [
        "financials[0].revenue: expected a number, got '1.2M'",
        "plan.actions[0].answers: unknown rule 'risk.revenue-decline' (did you mean "
        "'risk.declining-revenue'?)",
        "waivers[0].rule: unknown rule 'risk.single-thread' (did you mean "
        "'risk.single-threaded'?)"], run.stderr
    _same_everywhere(monkeypatch, "--accounts", str(folder))


def test_a_changed_file_rule_or_date_is_reviewed_again(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    accounts, rules = tmp_path / "accounts", tmp_path / "rules"
    shutil.copytree(ACCOUNTS, accounts)
    shutil.copytree(RULES, rules)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    args = ("--accounts", str(accounts), "--rules", str(rules), "--format", "json")
    before = _check(monkeypatch, True, *args)  # the cache is filled
    # One account's latest quarter is gone: its review changes (data.stale and more).
    path = accounts / "jiahe-home.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("quarter: 2026-Q3", "quarter: 2025-Q1", 1), encoding="utf-8")
    edited = _check(monkeypatch, True, *args)
    assert edited != before
    assert edited == _check(monkeypatch, False, *args, "--no-cache")
    # Every account becomes a new account: the rules and thresholds are in the key.
    thresholds = rules / "thresholds.yaml"
    thresholds.write_text(thresholds.read_text(encoding="utf-8").replace(
        "value: 1\n    unit: years", "value: 40\n    unit: years", 1), encoding="utf-8")
    moved = _check(monkeypatch, True, *args)
    assert moved != edited
    assert moved == _check(monkeypatch, False, *args, "--no-cache")
    later = _check(monkeypatch, True, *args, "--as-of", "2026-12-31")
    assert later != moved
    assert later == _check(monkeypatch, False, *args, "--as-of", "2026-12-31", "--no-cache")


def test_the_fast_path_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in (("0", False), ("off", False), ("No", False), ("1", True),
                            ("", True)):
        monkeypatch.setenv(FAST_VARIABLE, value)
        assert fast_enabled() is expected
    monkeypatch.delenv(FAST_VARIABLE)
    assert fast_enabled()


def _entries(cache: Path) -> list[tuple[str, str, str]]:
    (database,) = cache.glob("reviews-fast-*.sqlite")
    with sqlite3.connect(database) as connection:
        rows: list[tuple[str, str, str]] = connection.execute(
            "SELECT path, key, entry FROM entries").fetchall()
    connection.close()
    return rows


@pytest.mark.parametrize("sealed", [False, True])
def test_a_changed_cache_entry_is_a_miss(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         sealed: bool) -> None:
    """An entry changed after kam-review wrote it (its seal no longer fits), or one sealed
    right but of another shape, is reviewed again from the file: never trusted, never a
    crash."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    args = ("--accounts", str(ACCOUNTS), "--format", "json")
    plain = _check(monkeypatch, False, *args, "--no-cache")
    assert _check(monkeypatch, True, *args) == plain
    (database,) = cache.glob("reviews-fast-*.sqlite")
    for path, key, entry in _entries(cache):
        changed = entry.replace("jiahe", "forged") if not sealed else '{"errors": 7}'
        if sealed:
            store = AccountCache(database)
            key, _, stamp = key.partition(" ")  # the file's stamp, kept with its key
            store.put(path, bytes.fromhex(key), changed, stamp)
            store.flush()
        else:
            with sqlite3.connect(database) as connection:
                connection.execute("UPDATE entries SET entry = ? WHERE path = ?",
                                   (changed, path))
            connection.close()
    assert _check(monkeypatch, True, *args) == plain
    assert all("forged" not in entry and entry != '{"errors": 7}'
               for _, _, entry in _entries(cache))  # written again from the files


def test_a_cache_folder_others_may_write_is_not_used(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts",
                                       str(ACCOUNTS), "--format", "json"])
    assert "kam: the review cache is not used:" in result.stderr
    assert "its group or others may write it" in result.stderr
    assert not list(cache.glob("reviews-fast-*"))


def test_file_names_are_shown_as_the_plain_path_shows_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The fast path resolves each folder once; a name is still display_path's: inside the
    working folder and outside it, through a linked folder and for a linked file."""
    work, outside = tmp_path / "work", tmp_path / "outside"
    (work / "accounts").mkdir(parents=True)
    outside.mkdir()
    (work / "linked").symlink_to(outside)
    (work / "accounts" / "a.yaml").write_text("id: a\n", encoding="utf-8")
    (outside / "b.yaml").write_text("id: b\n", encoding="utf-8")
    (work / "accounts" / "c.yaml").symlink_to(outside / "b.yaml")
    monkeypatch.chdir(work)
    names = FileNames()
    for path in (Path("accounts/a.yaml"), work / "accounts" / "a.yaml", Path("a.yaml"),
                 Path("linked/b.yaml"), outside / "b.yaml", Path("accounts/c.yaml"),
                 Path("accounts/../accounts/a.yaml"), Path("/b.yaml")):
        assert names(path) == display_path(path), path


def test_the_progress_counts_every_file_once(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path, in_workers: None) -> None:
    seen: list[tuple[int, str, int]] = []

    def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
        count = 0
        for item in items:
            count += 1
            yield item
        seen.append((total, label, count))

    results = list(fast_review_in_batches(ACCOUNTS, RULES, AS_OF, progress=progress))
    files = len(list(ACCOUNTS.glob("*.yaml")))
    assert seen == [(files, "reviewing accounts", files)]
    assert sum(len(result.accounts) for result in results) == files
