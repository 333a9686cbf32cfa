"""The site's fast review: review_since (review/since.py) made by worker processes on every
core, each file's whole review kept in a cache of plain data, so that a build after no change
reads the reviews instead of making them.

It gives what review_since gives for the same inputs, field for field (KAM_FAST=0 chooses
review_since itself). The previous review is found as previous.py says: a git revision's is
read from the cache of previous reviews, or its files are reviewed by the workers first;
when it is the files themselves as of an earlier day, each account's part of it is made by
the worker that reviews the account (review/site_worker.py). Each file's review is kept
(kind "reviews-full") under the hash of its bytes, the rules, the review date, the formats,
the language, redaction, the previous review's day when it is made from the files, and
kam-review's own code; a review kept with other high warnings of a revision's previous
review than this one's is a miss.
"""

from __future__ import annotations

import gc
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from kam_review.errors import InputError, capped
from kam_review.formatting import plain
from kam_review.i18n import language
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.progress import Progress, silent
from kam_review.review.fast_check import CHUNK, PARALLEL_FROM, worker_count
from kam_review.review.movement import Comparison, Movement
from kam_review.review.previous import (
    FilesOrNone,
    Since,
    comparison_in_git,
    files_comparison,
    previous_snapshot,
    review_cache,
)
from kam_review.review.results import Result
from kam_review.review.review_keys import file_key, rules_key
from kam_review.review.since import movement_since, review_since
from kam_review.review.site_worker import (
    Reviewed,
    SiteJob,
    read_record,
    reviewed_files,
    set_site_job,
    site_chunk,
)
from kam_review.review.snapshot import Snapshot, snapshot_of
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.rulebook.rule_files import read_rule_files
from kam_review.source.accounts import account_files
from kam_review.source.cache import AccountCache
from kam_review.source.fast_yaml import fast_enabled
from kam_review.source.file_names import FileNames
from kam_review.source.file_stamps import read_stamped
from kam_review.source.revisions import export_folder

# Cached reviews read, or written, at a time: one is some 16 KiB, so memory holds some
# 16 MiB of them, not the whole portfolio's.
GROUP = 1000
Items = list[tuple[str, bytes | None]]  # files to review: each one's path and bytes


def site_review(accounts: Path, rules: Path, as_of: date, thresholds: Path | None = None,
                since: Since | None = None, progress: Progress = silent,
                redact: bool = False, formats: LocaleFormat = ENGLISH, *,
                workers: int | None = None, parallel_from: int = PARALLEL_FROM
                ) -> tuple[Result, Movement]:
    """review_since, fast (see the module): `workers` processes (default: one per core) once
    `parallel_from` files are to be reviewed; fewer are reviewed here."""
    since = since or Since()
    rulebook = load_rulebook(rules, thresholds)
    paths, folder_errors = account_files(accounts)
    found = comparison_in_git(accounts, as_of, since)
    count = workers if workers is not None else worker_count()
    run = _Run(count, parallel_from, progress)
    previous: Snapshot | None = None
    if isinstance(found, Comparison) and found.found:
        comparison = found
        previous = previous_snapshot(
            found, accounts, rules, rulebook, [], thresholds, redact,
            review_cache(accounts, rules) if since.cache else None,
            lambda: _revision_snapshot(comparison, accounts, rulebook, redact, run))
    job = SiteJob(rulebook, as_of, formats, redact,
                  found.day if isinstance(found, FilesOrNone) else None,
                  {} if previous is None else previous.high_warnings())
    cache = AccountCache.for_accounts(accounts, inputs=[rules], kind="reviews-full",
                                      name="cache of site reviews") if since.cache else None
    context = rules_key(read_rule_files(rules, thresholds), as_of, formats, redact) + json.dumps(
        [language(), None if job.files_day is None else job.files_day.isoformat()]).encode()
    reviews = run.reviews(paths, job, cache, context)
    result = Result(as_of, tuple(r.item for r in reviews if r.item is not None),
                    _errors(folder_errors, *(r.errors for r in reviews)), rulebook, formats)
    if isinstance(found, FilesOrNone):
        shots = tuple(r.previous for r in reviews if r.previous is not None)
        previous = Snapshot(found.day, shots, len(_errors(
            *(r.previous_errors for r in reviews)))) if shots else None
        found = files_comparison(found, bool(shots))
    return result, movement_since(previous, snapshot_of(result), found)


def _errors(*groups: Sequence[InputError]) -> tuple[InputError, ...]:
    """A review's errors as evaluate gives them: sorted, each once, capped per file."""
    return tuple(capped(sorted({error for group in groups for error in group})))


def _revision_snapshot(comparison: Comparison, accounts: Path, rulebook: Rulebook,
                       redact: bool, run: _Run) -> Snapshot:
    """The snapshot of the accounts folder as a git revision held it, reviewed as of the
    comparison's day in plain figures, as previous.py makes it with review_revision."""
    assert comparison.as_of is not None
    with tempfile.TemporaryDirectory(prefix="kam-diff-") as folder:
        exported = export_folder(comparison.commit, accounts, Path(folder) / "accounts")
        paths, folder_errors = account_files(exported)
        job = SiteJob(rulebook, comparison.as_of, plain(), redact, previous=True)
        reviews = run.reviews(paths, job, None, b"")
    shots = tuple(r.previous for r in reviews if r.previous is not None)
    return Snapshot(comparison.as_of, shots, len(_errors(
        folder_errors, *(r.errors for r in reviews), *(r.previous_errors for r in reviews))))


class _Run:
    """The reviews of one build: the files read, looked up in the cache, and the rest sent to
    a pool of worker processes forked for each set of files (with its job)."""

    def __init__(self, workers: int, parallel_from: int, progress: Progress) -> None:
        self._workers, self._parallel_from, self._progress = workers, parallel_from, progress

    def reviews(self, paths: list[Path], job: SiteJob, cache: AccountCache | None,
                context: bytes) -> list[Reviewed]:
        """Each file's review, in the order of `paths`."""
        names = list(map(FileNames(), paths))
        read = [read_stamped(path) for path in paths]
        contents = [content for content, _, _ in read]
        keys = [None if content is None else file_key(context, path, name, digest)
                for path, name, (content, digest, _) in zip(paths, names, read, strict=True)]
        actions = job.actions
        found: list[Reviewed | None] = [None] * len(paths)
        if cache is not None:
            with _no_cycle_collection():
                for start in range(0, len(paths), GROUP):
                    cache.preload(names[start:start + GROUP])
                    for i in range(start, min(start + GROUP, len(paths))):
                        key = keys[i]
                        text = None if key is None else cache.get_text(names[i], key)
                        found[i] = None if text is None else _kept(text, paths[i], job,
                                                                   actions)
        todo = [i for i, reviewed in enumerate(found) if reviewed is None]
        parallel = self._workers > 1 and len(todo) >= self._parallel_from
        kept = 0
        with ExitStack() as stack:
            for part, texts in self._chunks(todo, paths, contents, job, parallel, stack):
                for i, text in zip(part, texts, strict=True):
                    found[i] = (reviewed_files([(str(paths[i]), contents[i])], job)[0]
                                if text is None else read_record(json.loads(text), paths[i],
                                                                 job, actions))
                    key, name = keys[i], names[i]
                    if cache is not None and text is not None and key is not None:
                        cache.put(name, key, text)
                        kept += 1
                        if kept % GROUP == 0:
                            cache.flush()
        if cache is not None:
            cache.flush()
        return [reviewed for reviewed in found if reviewed is not None]

    def _chunks(self, todo: list[int], paths: list[Path], contents: list[bytes | None],
                job: SiteJob, parallel: bool, stack: ExitStack
                ) -> Iterator[tuple[list[int], list[str | None]]]:
        """Each chunk of the files `todo` with its texts (site_chunk's), as they come: from
        worker processes (`parallel`), else made here."""
        set_site_job(job)  # the workers fork with it
        pool = stack.enter_context(ProcessPoolExecutor(
            self._workers, mp_context=get_context("fork"))) if parallel else None
        chunks: list[tuple[list[int], Items, Future[list[str | None]] | None]] = []
        for start in range(0, len(todo), CHUNK):
            part = todo[start:start + CHUNK]
            items = [(str(paths[i]), contents[i]) for i in part]
            chunks.append((part, items, None if pool is None
                           else pool.submit(site_chunk, items)))
        if pool is not None:
            # The workers have forked (the collector on in them): here the reviews are only
            # read, as they come.
            stack.enter_context(_no_cycle_collection())
        bar = iter(self._progress(range(len(todo)), len(todo), "reviewing accounts"))
        for part, items, future in chunks:
            yield part, site_chunk(items) if future is None else future.result()
            for _ in part:
                next(bar, None)
        next(bar, None)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The reviews read back are many objects and no reference cycles: the collector's passes
    over them as they pile up would cost as much as reading them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _kept(text: str, path: Path, job: SiteJob, actions: dict[str, str]) -> Reviewed | None:
    """A cached review, or None (a miss) for one of another shape or made with other high
    warnings of the previous review than this review's."""
    try:
        reviewed = read_record(json.loads(text), path, job, actions)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        return None
    item = reviewed.item
    if item is not None and reviewed.warned != job.warned.get(item.account.id) and (
            job.files_day is None):
        return None
    return reviewed


def reviewer(workers: int) -> Callable[..., tuple[Result, Movement]]:
    """What reviews the site, called as review_since is: site_review with `workers`
    processes, or review_since itself when the fast paths are off (KAM_FAST=0)."""
    if not fast_enabled():
        return review_since

    def review(*args: Any, **options: Any) -> tuple[Result, Movement]:
        return site_review(*args, workers=workers, **options)
    return review
