"""The site's fast review (review/site_review.py) against review_since (the plain path,
KAM_FAST=0): the same Result and Movement, field for field, with every fact of the type it
was; in worker processes and from its cache; with the previous review made from the files, a
git revision or none; and each account's whole review round-tripped through plain data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import kam_review.review.site_review as site_review_module
import kam_review.review.site_worker as site_worker
from kam_review.review.evaluate import review
from kam_review.review.full_result import full_result, plain_full_result
from kam_review.review.movement import FILES, NONE, TAG, Movement
from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.since import review_since
from kam_review.review.site_review import reviewer
from kam_review.review.site_review import site_review as fast_review_since
from kam_review.source.accounts import load_account_value
from kam_review.source.cache import AccountCache
from kam_review.source.fast_yaml import FAST_VARIABLE
from kam_review.vocabulary import Severity

from .conftest import ACCOUNTS, AS_OF, RULES, healthy_account, quarters, write_account
from .git_support import git, new_repository

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).with_name("corpus")


def _typed(value: Any) -> Any:
    """A value with the type of each part spelled out: 1 and 1.0, a tuple and a list differ."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_typed(v) for v in value])
    return (type(value).__name__, value)


def _same(fast: tuple[Result, Movement], plain: tuple[Result, Movement]) -> None:
    """Every field of both reviews, the accounts' locations and the facts' types too."""
    assert fast[1] == plain[1]
    assert fast[0].errors == plain[0].errors
    assert fast[0] == plain[0]
    for mine, theirs in zip(fast[0].accounts, plain[0].accounts, strict=True):
        assert mine == theirs
        assert mine.account.locations == theirs.account.locations
        assert mine.formats == theirs.formats
        assert _typed(mine.facts) == _typed(theirs.facts)


def _both(accounts: Path, as_of: date = AS_OF, since: Since | None = None, redact: bool = False,
          **options: Any) -> tuple[Result, Movement]:
    """The fast review (checked against the plain one), with `options` for site_review."""
    plain = review_since(accounts, RULES, as_of, since=Since(
        None if since is None else since.revision, cache=False), redact=redact)
    fast = fast_review_since(accounts, RULES, as_of, None, since, redact=redact, **options)
    _same(fast, plain)
    return fast


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """70 generated accounts (more than two chunks of 32), outside git."""
    folder = tmp_path / "generated"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(folder), "70",
                    "--seed", "5"], check=True, capture_output=True)
    return folder


def test_every_sample_review_comes_back_whole_from_plain_data() -> None:
    result = review(ACCOUNTS, RULES, AS_OF)
    actions = {rule.id: rule.action for rule in result.rulebook.rules}
    for item in result.accounts:
        (_account, errors), value = load_account_value(item.account.source)
        assert errors == []
        text = json.dumps(plain_full_result(item, value, actions), allow_nan=False)
        back = full_result(json.loads(text), item.account.source, result.formats, actions,
                           redact=False)
        assert back == item
        for name in ("account", "klass", "focus", "findings", "facts", "not_evaluated",
                     "verdict", "formats"):
            assert getattr(back, name) == getattr(item, name), name
        assert back.account.locations == item.account.locations
        assert _typed(back.facts) == _typed(item.facts)


def test_a_fact_of_a_type_not_kept_is_refused_not_changed() -> None:
    item = review(ACCOUNTS, RULES, AS_OF).accounts[0]
    odd = item.facts[0] | {"when": AS_OF}
    with pytest.raises(TypeError):
        plain_full_result(type(item)(item.account, item.klass, item.focus, item.findings,
                                     (odd, *item.facts[1:])), {}, {})


def test_the_sample_is_reviewed_the_same_in_workers_and_from_the_cache(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    cold = _both(ACCOUNTS, workers=2, parallel_from=1)
    kept = AccountCache.for_accounts(ACCOUNTS, kind="reviews-full").path
    assert kept.exists()
    written = kept.stat().st_mtime_ns
    warm = _both(ACCOUNTS, workers=2, parallel_from=1)
    assert kept.stat().st_mtime_ns == written  # everything read, nothing written
    _same(warm, cold)


def test_the_cache_read_and_written_a_group_of_files_at_a_time(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(site_review_module, "GROUP", 4)  # 15 accounts: 4 groups
    _both(ACCOUNTS, workers=1)
    reviewed = _counting(monkeypatch)
    _both(ACCOUNTS, workers=1)
    assert reviewed == []


def test_a_generated_portfolio_with_the_files_previous_review(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, generated: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    cold = _both(generated, workers=2, parallel_from=1)
    assert cold[1].comparison.kind == FILES
    # Nothing runs but the cache: a review made again would fail.
    monkeypatch.setattr(site_worker, "evaluate", None)
    _both(generated, workers=2, parallel_from=1)
    _both(generated, workers=1)


def test_an_edited_file_is_reviewed_again_and_the_rest_read(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, generated: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    _both(generated, workers=1)
    edited = sorted(generated.glob("*.yaml"))[3]
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("revenue: ", "revenue: 1", 1), encoding="utf-8")
    reviewed = _counting(monkeypatch)
    _both(generated, workers=1)
    assert reviewed == [edited]


def test_contacts_redacted_and_a_bad_file_beside_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, folder)
    for case in sorted((CORPUS / "accounts").glob("*.yaml"))[:6]:
        shutil.copy(case, folder / case.name)
    for _ in range(2):
        result, _movement = _both(folder, redact=True, workers=2, parallel_from=1)
        assert result.errors
    _both(folder, workers=2, parallel_from=1)


def test_no_quarter_on_file_before_is_no_previous_review(tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    account = healthy_account()
    account["financials"] = quarters("2026-Q3", [1_000_000])
    account.pop("customer_since", None)
    write_account(tmp_path / "accounts", account)
    result, movement = _both(tmp_path / "accounts", workers=1)
    assert movement.comparison.kind == NONE and result.accounts


def _commit(repo: Path, message: str, when: str) -> None:
    stamp = f"{when}T12:00:00+08:00"
    git(repo, "add", "-A")
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, check=True,
                   env=os.environ | {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})


def test_a_tagged_previous_review_in_workers_and_from_the_caches(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The previous review of a tag: its files reviewed by the workers, its high warnings in
    each account's review; another revision's are other warnings, so the kept reviews made
    with the tag's are not taken for it."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    repo = new_repository(tmp_path / "team")
    accounts = repo / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    _commit(repo, "2026-Q1 review", "2026-04-03")
    for path in sorted(accounts.glob("*.yaml"))[:5]:
        path.write_text(path.read_text(encoding="utf-8").replace("revenue: ", "revenue: 9", 2),
                        encoding="utf-8")
    _commit(repo, "2026-Q2 review", "2026-07-03")
    git(repo, "tag", "review-2026-Q2")
    (accounts / "beichen-education.yaml").unlink()
    _commit(repo, "Q3 figures", "2026-09-20")
    for _ in range(2):
        _result, movement = _both(accounts, workers=2, parallel_from=1)
        assert movement.comparison.kind == TAG
    tagged = _warned(movement)
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    reviewed = _counting(monkeypatch)
    _result, named = _both(accounts, since=Since(first), workers=1)
    # Made again: exactly the accounts the named revision warned otherwise than the tag.
    again = {path.stem for path in reviewed}
    assert again == {name for name, rules in _warned(named).items() if rules != tagged[name]}
    assert again
    _both(accounts, workers=2, parallel_from=1)


def _warned(movement: Movement) -> dict[str, frozenset[str] | None]:
    """The high warnings of the previous review open on each account (None: not in it)."""
    return {shift.after.id: None if shift.before is None else frozenset(
        f.rule for f in shift.before.findings
        if f.severity == Severity.HIGH and f.kind.warns and not f.waived)
        for shift in movement.accounts if shift.after is not None}


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files reviewed (not read from the cache) from now on, in this process."""
    reviewed: list[Path] = []
    real = site_worker.reviewed_files

    def counting(items: Any, job: Any) -> Any:
        if not job.previous:
            reviewed.extend(Path(path) for path, _content in items)
        return real(items, job)
    monkeypatch.setattr(site_worker, "reviewed_files", counting)
    return reviewed


def test_a_review_that_is_no_plain_data_is_made_here_and_not_kept(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    real = site_worker.plain_record

    def refusing(reviewed: Any, actions: Any) -> Any:
        if reviewed.item is not None and reviewed.item.account.id == "ruifeng-retail":
            raise TypeError("not plain")
        return real(reviewed, actions)
    monkeypatch.setattr(site_worker, "plain_record", refusing)
    _both(ACCOUNTS, workers=1)
    reviewed = _counting(monkeypatch)
    _both(ACCOUNTS, workers=1)
    assert [path.stem for path in reviewed] == ["ruifeng-retail"]  # not kept: made again


def test_the_switch_chooses_the_plain_review(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FAST_VARIABLE, "0")
    assert reviewer(2) is review_since
    monkeypatch.setenv(FAST_VARIABLE, "1")
    assert reviewer(2) is not review_since
