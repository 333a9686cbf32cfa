"""The batched review behind `kam check` against the whole review: the same accounts, results
and errors, in the same order, whatever the batch size; the folder's own errors come once,
with the first batch."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

import kam_review.review.evaluate
from kam_review.review.evaluate import review, review_in_batches
from kam_review.review.results import AccountResult, Result
from kam_review.source.cache import AccountCache

from .conftest import ACCOUNTS, AS_OF, RULES

T = TypeVar("T")

# A name the folder reports (an account file ends in .yaml) and a file that does not load.
MISNAMED = "zz-misnamed.yml"
BROKEN = "aa-broken.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The sample portfolio, one file that does not load and one misnamed file."""
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    (accounts / BROKEN).write_text("id: aa-broken\nname: [\n", encoding="utf-8")
    (accounts / MISNAMED).write_text("id: misnamed\n", encoding="utf-8")
    return accounts


def _files(folder: Path) -> int:
    return len(list(folder.glob("*.yaml")))


def _accounts(batches: list[Result]) -> list[AccountResult]:
    return [item for batch in batches for item in batch.accounts]


def _batched(folder: Path, size: int, monkeypatch: pytest.MonkeyPatch, **options: Any
             ) -> list[Result]:
    monkeypatch.setattr(kam_review.review.evaluate, "BATCH_SIZE", size)
    return list(review_in_batches(folder, RULES, AS_OF, **options))


@pytest.mark.parametrize("size", [1, 2, 7, "all", "one more", 1000])
def test_batches_give_exactly_the_whole_review(folder: Path, size: int | str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(folder)
    batch_size = {"all": files, "one more": files + 1}.get(str(size), size)
    assert isinstance(batch_size, int)
    whole = review(folder, RULES, AS_OF)
    batches = _batched(folder, batch_size, monkeypatch)
    # Consecutive files in name order, every batch full but the last; the broken file takes
    # its place in the first batch without giving an account.
    names = sorted(path.name for path in folder.glob("*.yaml"))
    chunks = [names[i:i + batch_size] for i in range(0, files, batch_size)]
    assert [len(b.accounts) for b in batches] == [
        len([name for name in chunk if name != BROKEN]) for chunk in chunks]
    assert _accounts(batches) == list(whole.accounts)
    assert len(whole.accounts) == files - 1
    # Each error exactly once, the folder's own with the first batch.
    assert sorted(e for b in batches for e in b.errors) == list(whole.errors)
    assert {Path(e.file).name for e in whole.errors} == {BROKEN, MISNAMED}
    assert MISNAMED in {Path(e.file).name for e in batches[0].errors}
    assert all(b.as_of == AS_OF and b.rulebook.rules == whole.rulebook.rules for b in batches)


def test_a_folder_without_account_files_gives_one_result_with_its_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / MISNAMED).write_text("id: misnamed\n", encoding="utf-8")
    (only,) = _batched(tmp_path, 1, monkeypatch)
    assert only.accounts == () and only.errors == review(tmp_path, RULES, AS_OF).errors
    assert only.as_of == AS_OF and only.rulebook.rules
    assert len(only.errors) == 1 and "rename it to zz-misnamed.yaml" in only.errors[0].message
    (tmp_path / MISNAMED).unlink()
    (empty,) = _batched(tmp_path, 1, monkeypatch)
    assert empty.accounts == () and empty.errors == ()


def test_batches_read_only_the_files_named(folder: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    only = [folder / "jiahe-home.yaml", folder / "xinyuan-foods.yaml"]
    batches = _batched(folder, 1, monkeypatch, only=only)
    assert [item.account.id for item in _accounts(batches)] == ["jiahe-home", "xinyuan-foods"]
    assert _accounts(batches) == list(review(folder, RULES, AS_OF, only=only).accounts)
    assert all(b.errors == () for b in batches)


def test_batches_redact_as_the_whole_review_does(folder: Path, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    batches = _batched(folder, 3, monkeypatch, redact=True)
    redacted = review(folder, RULES, AS_OF, redact=True)
    assert _accounts(batches) == list(redacted.accounts)
    names = {c["name"] for path in folder.glob("*.yaml") if path.name != BROKEN
             for c in yaml.safe_load(path.read_text(encoding="utf-8")).get("contacts", [])}
    shown = {c.name for item in redacted.accounts for c in item.account.contacts}
    assert names and not names & shown and all(n.startswith("Contact ") for n in shown)


def test_batches_fill_the_cache_they_are_given(folder: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cache = AccountCache(tmp_path / "cache.sqlite")
    list(_batched(folder, 4, monkeypatch, cache=cache))
    cache.flush()
    assert (tmp_path / "cache.sqlite").stat().st_size > 0


def test_batches_show_progress_over_every_file(folder: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    shown: list[tuple[int, str]] = []

    def progress(items: Iterable[T], total: int, label: str) -> Iterable[T]:
        shown.append((total, label))
        return items

    list(_batched(folder, 5, monkeypatch, progress=progress))
    assert shown == [(_files(folder), "reviewing accounts")]


def test_batches_use_the_thresholds_file_given(folder: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A portfolio's own thresholds reach every batch: here any growth at all is fast."""
    overrides = tmp_path / "thresholds.yaml"
    overrides.write_text("thresholds:\n  fast_growing_min_growth: 0\n"
                         "  fast_growing_min_lead_pts: -1000\n", encoding="utf-8")
    batches = _batched(folder, 2, monkeypatch, thresholds_file=overrides)
    own = review(folder, RULES, AS_OF, thresholds_file=overrides)
    assert _accounts(batches) == list(own.accounts)
    assert [a.klass for a in own.accounts] != [a.klass for a in review(folder, RULES,
                                                                       AS_OF).accounts]
