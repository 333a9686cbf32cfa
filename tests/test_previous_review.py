"""Which previous review a review compares with, found without any flag: the newest review tag
HEAD holds, else git history a quarter back, else the files as of the previous quarter's end,
else none; and its result computed once and kept. Every repository is built here, with its
own tags and dates: nothing depends on the tags of the clone the tests run in."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import kam_review.review.previous as previous_module
from kam_review.errors import KamError
from kam_review.review.movement import FILES, HISTORY, NAMED, NONE, TAG, Comparison
from kam_review.review.previous import Since, find_comparison, previous_quarter_end, review_day
from kam_review.review.since import review_since
from kam_review.source.accounts import load_portfolio

from .conftest import AS_OF, RULES, healthy_account, quarters, write_account
from .git_support import git, new_repository


def commit(repo: Path, message: str, when: str) -> str:
    """Commit everything as of `when` (an ISO date, or date and time with its zone)."""
    stamp = when if "T" in when else f"{when}T12:00:00+08:00"
    git(repo, "add", "-A")
    subprocess.run(["git", "commit", "-qm", message, "--allow-empty"], cwd=repo, check=True,
                   env=os.environ | {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    return git(repo, "rev-parse", "HEAD")


def move_on(repo: Path, name: str) -> None:
    """A change to the accounts, not committed."""
    write_account(repo / "accounts", healthy_account() | {"id": "newco", "name": name})


def grower(revenue: float) -> dict[str, Any]:
    """The healthy account, its last quarters at `revenue`: 1.1M is loyal, 1.4M fast-growing."""
    account = healthy_account()
    account["financials"] = quarters("2024-Q4", [1_000_000] * 4 + [revenue] * 4)
    return account


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Accounts committed each quarter: 2026-Q1's review tagged in April, 2026-Q2's in July,
    and the work of 2026-Q3 committed since."""
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", grower(1_100_000))
    commit(repo, "2026-Q1 review", "2026-04-03")
    git(repo, "tag", "review-2026-Q1")
    commit(repo, "2026-Q2 review", "2026-07-03")
    git(repo, "tag", "-a", "review-2026-Q2", "-m", "the Q2 review")
    write_account(repo / "accounts", grower(1_400_000))
    commit(repo, "Q3 figures", "2026-09-20")
    return repo


def found(repo: Path, since: Since | None = None, as_of: date = AS_OF) -> Comparison:
    accounts = repo / "accounts"
    return find_comparison(accounts, as_of, since or Since(), load_portfolio(accounts).accounts)


def test_the_newest_review_tag_head_holds(repo: Path) -> None:
    comparison = found(repo)
    assert (comparison.kind, comparison.name, comparison.as_of) == (
        TAG, "review-2026-Q2", date(2026, 6, 30))
    assert comparison.commit == git(repo, "rev-parse", "review-2026-Q2^{commit}")
    assert comparison.sentence() == "compared with tag review-2026-Q2 (2026-06-30)"


def test_a_tag_on_another_branch_or_after_the_review_date_is_no_previous_review(
        repo: Path) -> None:
    git(repo, "checkout", "-qb", "side")
    commit(repo, "elsewhere", "2026-09-25")
    git(repo, "tag", "review-side")
    git(repo, "checkout", "-q", "main")
    assert found(repo).name == "review-2026-Q2"
    # Tagged on the review date: a previous review; the day after: a later one. (Each time
    # the working tree moves on from the tag: see the next test.)
    commit(repo, "on the day", "2026-09-30T23:00:00-05:00")  # its own day, not UTC's
    git(repo, "tag", "review-on-the-day")
    move_on(repo, "a")
    assert found(repo).name == "review-on-the-day"
    commit(repo, "the day after", "2026-10-01T20:00:00+08:00")
    git(repo, "tag", "review-2026-Q3")
    move_on(repo, "b")
    assert found(repo).name == "review-on-the-day"
    assert found(repo, as_of=date(2026, 10, 1)).name == "review-2026-Q3"


def test_the_tag_of_this_very_state_gives_way_to_the_one_before(repo: Path) -> None:
    git(repo, "tag", "review-2026-Q3")  # HEAD itself, and the accounts are as committed
    assert found(repo).name == "review-2026-Q2"
    (repo / "README.md").write_text("not an account\n", encoding="utf-8")
    assert found(repo).name == "review-2026-Q2"  # only the accounts folder counts
    move_on(repo, "NewCo")
    comparison = found(repo)  # the working tree has moved on from the tag
    assert (comparison.name, comparison.as_of) == ("review-2026-Q3", date(2026, 6, 30))


def test_the_tag_pattern_is_configurable(repo: Path) -> None:
    git(repo, "tag", "qbr/2026-q2", "review-2026-Q1")
    comparison = found(repo, Since(tags="qbr/*"))
    assert (comparison.kind, comparison.name) == (TAG, "qbr/2026-q2")
    assert found(repo, Since(tags="nothing-*")).kind == HISTORY


@pytest.mark.parametrize(("when", "expected"), [
    ("2026-06-30T23:30:00-05:00", "on the day"),  # 2026-07-01 in UTC: its own day counts
    ("2026-07-01T00:30:00+08:00", "before"),
])
def test_without_a_tag_git_history_at_the_previous_quarters_end(tmp_path: Path, when: str,
                                                                expected: str) -> None:
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", grower(1_100_000))
    commits = {"before": commit(repo, "June", "2026-06-02"), "on the day": commit(
        repo, "the last of June", when)}
    write_account(repo / "accounts", grower(1_400_000))
    commit(repo, "Q3", "2026-09-20")
    comparison = found(repo)
    assert (comparison.kind, comparison.as_of, comparison.commit) == (
        HISTORY, date(2026, 6, 30), commits[expected])
    assert comparison.sentence() == (
        f"compared with the files in git as of 2026-06-30 (commit {commits[expected][:10]}): "
        "no earlier review is tagged (review-*)")


def test_without_history_that_far_back_the_files_as_of_the_previous_quarters_end(
        tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "team")
    (repo / "README.md").write_text("accounts come later\n", encoding="utf-8")
    commit(repo, "no accounts yet", "2026-05-01")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", grower(1_400_000))
    commit(repo, "accounts", "2026-09-20")
    comparison = found(repo)
    assert (comparison.kind, comparison.as_of) == (FILES, date(2026, 6, 30))
    assert comparison.sentence() == (
        "compared with the files as of 2026-06-30: no earlier review is tagged (review-*), "
        "and git holds no account files from 2026-06-30 or before")


def test_outside_git_the_files_and_when_nothing_was_on_file_none(tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    write_account(tmp_path / "accounts", grower(1_400_000))
    comparison = found(tmp_path)
    assert (comparison.kind, comparison.as_of) == (FILES, date(2026, 6, 30))
    assert comparison.sentence() == ("compared with the files as of 2026-06-30: no earlier "
                                     "review is tagged (review-*) (the accounts are not in a "
                                     "git repository)")
    new = healthy_account() | {"financials": quarters("2026-Q3", [300_000]),
                               "customer_since": "2026-07-15"}
    write_account(tmp_path / "accounts", new)
    comparison = found(tmp_path)
    assert comparison.kind == NONE and not comparison.found
    assert comparison.sentence() == (
        "no previous review to compare with: no earlier review is tagged (review-*) (the "
        "accounts are not in a git repository), and no account file has figures by 2026-06-30")


def test_a_named_revision_wins_and_an_unknown_one_is_an_error(repo: Path) -> None:
    comparison = found(repo, Since("review-2026-Q1"))
    assert (comparison.kind, comparison.as_of) == (NAMED, date(2026, 3, 31))
    assert comparison.sentence() == "compared with revision review-2026-Q1 (2026-03-31)"
    with pytest.raises(KamError, match="unknown git revision 'no-such-tag'"):
        found(repo, Since("no-such-tag"))


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2026, 9, 30), date(2026, 6, 30)), (date(2026, 9, 29), date(2026, 3, 31)),
    (date(2026, 10, 1), date(2026, 6, 30)), (date(1900, 3, 31), None),
    (date(1900, 6, 30), date(1900, 3, 31))])
def test_the_previous_quarters_end(as_of: date, expected: date | None) -> None:
    """The quarter before the one under review (the last complete one)."""
    assert previous_quarter_end(as_of) == expected


@pytest.mark.parametrize(("committed", "expected"), [
    (date(2026, 7, 3), date(2026, 6, 30)), (date(2026, 6, 30), date(2026, 6, 30)),
    (date(2026, 6, 29), date(2026, 3, 31)), (date(2026, 11, 2), AS_OF)])
def test_a_committed_review_is_reviewed_as_of_its_quarters_end(committed: date,
                                                               expected: date) -> None:
    assert review_day(committed, AS_OF) == expected


Counter = dict[str, int]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How often the previous side is evaluated, from git or from the files."""
    calls: Counter = {"revision": 0, "files": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(previous_module, "review_revision",
                        counting("revision", previous_module.review_revision))
    monkeypatch.setattr(previous_module, "evaluate",
                        counting("files", previous_module.evaluate))
    return calls


def test_the_previous_review_is_evaluated_once_and_kept(repo: Path, counted: Counter) -> None:
    first = review_since(repo / "accounts", RULES, AS_OF)[1]
    second = review_since(repo / "accounts", RULES, AS_OF)[1]
    assert counted == {"revision": 1, "files": 0}
    assert first == second
    (moved,) = second.accounts
    assert moved.before is not None
    assert (moved.before.klass, moved.after.klass) == ("loyal", "fast-growing")
    # Other rules (a thresholds file) are another previous review: evaluated again, once.
    thresholds = repo.parent / "thresholds.yaml"
    thresholds.write_text("thresholds:\n  complacency_days: 10\n", encoding="utf-8")
    review_since(repo / "accounts", RULES, AS_OF, thresholds)
    review_since(repo / "accounts", RULES, AS_OF, thresholds)
    assert counted == {"revision": 2, "files": 0}
    # Without the cache it is evaluated every time, and nothing is read.
    review_since(repo / "accounts", RULES, AS_OF, since=Since(cache=False))
    assert counted == {"revision": 3, "files": 0}


def test_the_files_previous_review_is_kept_until_a_file_changes(
        tmp_path: Path, counted: Counter) -> None:
    (tmp_path / "accounts").mkdir()
    write_account(tmp_path / "accounts", grower(1_400_000))
    review_since(tmp_path / "accounts", RULES, AS_OF)
    review_since(tmp_path / "accounts", RULES, AS_OF)
    assert counted == {"revision": 0, "files": 1}
    write_account(tmp_path / "accounts", grower(1_300_000))
    review_since(tmp_path / "accounts", RULES, AS_OF)
    assert counted == {"revision": 0, "files": 2}


def test_the_kept_review_is_sealed_in_the_users_cache(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "accounts").mkdir()
    write_account(tmp_path / "accounts", grower(1_400_000))
    review_since(tmp_path / "accounts", RULES, AS_OF)
    (kept,) = (tmp_path / "cache").glob("reviews-*.sqlite")
    assert list((tmp_path / "accounts").iterdir()) == [tmp_path / "accounts" /
                                                         "test-account.yaml"]
    with sqlite3.connect(kept) as connection:
        ((path, entry),) = connection.execute("SELECT path, entry FROM entries").fetchall()
        assert path == "previous review as of 2026-06-30"
        assert '"class": "fast-growing"' in entry
        # A forged entry (not sealed with the folder's secret) is not read: evaluated again.
        connection.execute("UPDATE entries SET entry = replace(entry, "
                           "'\"class\": \"fast-growing\"', '\"class\": \"dormant\"')")
    counted: Counter = {"files": 0}
    real = previous_module.evaluate

    def run(*args: Any, **kwargs: Any) -> Any:
        counted["files"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(previous_module, "evaluate", run)
    (moved,) = review_since(tmp_path / "accounts", RULES, AS_OF)[1].accounts
    assert counted == {"files": 1}
    assert moved.before is not None and moved.before.klass == "fast-growing"


def test_a_repository_without_a_commit_falls_to_the_files(tmp_path: Path) -> None:
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", grower(1_400_000))
    comparison = found(repo)
    assert (comparison.kind, comparison.why) == (
        FILES, "no earlier review is tagged (review-*) (the repository has no commit yet)")


def test_a_cache_folder_inside_the_repository_is_not_used(
        repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        counted: Counter) -> None:
    """As for the parsed files: a folder anyone who can commit could plant entries in."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(repo / ".kam-cache"))
    for _ in range(2):
        (moved,) = review_since(repo / "accounts", RULES, AS_OF)[1].accounts
        assert moved.before is not None
    assert counted == {"revision": 2, "files": 0}
    assert not (repo / ".kam-cache").exists()
    assert "kam: the cache of previous reviews is not used: " in capsys.readouterr().err
