"""The fast `kam check`: each file read once, the whole review of a file (parse, checks, facts,
rules, verdict) run in worker processes on every core, plain data handed back, and a cache of
each file's review keyed by what decides it.

It gives the same Results, in the same batches and with the same errors in the same order,
as review_in_batches (the plain path, which KAM_FAST=0 chooses): each file is reviewed by the
same functions, and an account's review depends on its own file only (the rules, the review
date, the formats and redaction aside, which are in the cache key). The main process reads
each file's bytes and hashes them, unless its status shows it unchanged since its review was
cached (source/file_stamps.py); a file whose review is cached is not parsed at all, the
others are sent, bytes and all, to the workers in chunks, and the workers send back
review/slim.py's plain data. While a batch is written, the next one is already being
reviewed. For text and JSON, each account's parts of the output (output/check_parts.py) are
made where it is reviewed and kept in its cache entry: a warm run only joins them
(fast_written_batches). The cache is read a batch at a time, so memory holds one batch.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import cast

from kam_review.errors import InputError, capped
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.progress import Progress, silent
from kam_review.review import evaluate as plain
from kam_review.review.fast_worker import Job, Parts, Sealed, sealed_chunk, set_job, worker_started
from kam_review.review.results import AccountResult, Result
from kam_review.review.review_keys import file_key, rules_key
from kam_review.review.slim import Plain, account_result, input_errors, record_pieces
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.rulebook.rule_files import RuleFiles, read_rule_files
from kam_review.source.accounts import account_files
from kam_review.source.cache import AccountCache
from kam_review.source.file_names import FileNames
from kam_review.source.file_stamps import read_stamped, trusted_digest

# Files sent to a worker at a time: enough to share the engine's set-up, few enough that both
# workers stay busy to the end of a batch.
CHUNK = 32
PARTS_ROW = "\x1fparts"  # a file's entry of parts: its name (ending in .yaml) and this
# From this many files to review in a batch, they go to the worker processes; fewer are
# reviewed here (starting the workers would cost more).
PARALLEL_FROM = 200


def worker_count() -> int:
    """Worker processes to fork: one per core this process may use; none (1: work here)
    where processes cannot be forked."""
    if "fork" not in get_all_start_methods():
        return 1
    cores = getattr(os, "sched_getaffinity", None)
    return len(cores(0)) if cores is not None else os.cpu_count() or 1


@dataclass(frozen=True)
class WrittenBatch:
    """A batch reviewed as Result would hold it, but of each account only its parts (as
    `Parts.make` made them), for a writer that joins them."""

    as_of: date
    accounts: tuple[Plain, ...]
    errors: tuple[InputError, ...]


@dataclass
class _File:
    """One file of a batch: its name, its cache key and, once known, its review."""

    path: Path
    name: str
    content: bytes | None
    key: bytes | None
    stamp: str = ""  # see source/file_stamps.py
    errors: list[InputError] = field(default_factory=list)
    item: AccountResult | None = None
    parts: Plain | None = None
    known: bool = False


@dataclass
class _Batch:
    files: list[_File]
    chunks: list[tuple[list[_File], Future[list[Plain | Sealed]] | list[Plain | Sealed]]]


class _Run:
    """One fast review: the job, the cache, and the worker pool once it is needed."""

    def __init__(self, job: Job, context: bytes, cache: AccountCache | None,
                 stack: ExitStack, workers: int, parallel_from: int,
                 written: bool = False) -> None:
        self.job, self.context, self.cache = job, context, cache
        # Batches as WrittenBatch: each account's parts only, no AccountResult built.
        self.written = written
        self._stack, self._workers, self._parallel_from = stack, workers, parallel_from
        self._pool: Executor | None = None
        self.names = FileNames()

    def pool(self) -> Executor:
        if self._pool is None:
            self.job.rulebook  # noqa: B018 (loaded before the workers fork with the job)
            set_job(self.job)
            self._pool = self._stack.enter_context(
                ProcessPoolExecutor(self._workers, mp_context=get_context("fork"),
                                    initializer=worker_started))
        return self._pool

    def start(self, paths: Sequence[Path]) -> _Batch:
        """Read the batch's files, take what the cache has, and send the rest to be
        reviewed."""
        names = [self.names(path) for path in paths]
        if self.cache is not None:
            # Memory holds this batch's entries only.
            self.cache.preload([self._row(name) for name in names])
        files = [self._file(path, name) for path, name in zip(paths, names, strict=True)]
        todo = [f for f in files if not f.known]
        parallel = self._workers > 1 and len(todo) >= self._parallel_from
        chunks: list[tuple[list[_File], Future[list[Plain | Sealed]] | list[Plain | Sealed]]] = []
        for start in range(0, len(todo), CHUNK):
            part = todo[start:start + CHUNK]
            items = [(str(f.path), f.content) for f in part]
            chunks.append((part, self.pool().submit(sealed_chunk, items) if parallel
                           else self._here(items)))
        return _Batch(files, chunks)

    def _here(self, items: list[tuple[str, bytes | None]]) -> list[Plain | Sealed]:
        set_job(self.job)
        return sealed_chunk(items)

    def _file(self, path: Path, name: str) -> _File:
        """The file with its cached review if it has one: found without reading the file
        when its status shows it unchanged since it was cached (source/file_stamps.py)."""
        cache, row = self.cache, self._row(name)
        if cache is not None:
            digest = trusted_digest(cache.stamp(row), path)
            if digest is not None:
                file = _File(path, name, None, self._key(path, name, digest))
                if self._cached(file) is not None:
                    return file
        content, digest, stamp = read_stamped(path)
        file = _File(path, name, content, None if content is None
                     else self._key(path, name, digest), stamp=stamp)
        text = self._cached(file)
        if text is not None and stamp and cache is not None and file.key is not None:
            cache.put(row, file.key, text, stamp)  # its stamp was not trusted; this one may be
        return file

    def _row(self, name: str) -> str:
        """The cache entry a run reads: a text or JSON run, the file's parts (slim.record_texts)."""
        return name + PARTS_ROW if self.written else name

    def _key(self, path: Path, name: str, digest: bytes) -> bytes:
        return file_key(self.context, path, name, digest)

    def _cached(self, file: _File) -> str | None:
        """The file's review taken from the cache; its cached text, or None on a miss."""
        if self.cache is None or file.key is None:
            return None
        text = self.cache.get_text(self._row(file.name), file.key)
        if text is not None:
            self._take(file, text, from_cache=True)
        return text if file.known else None

    def _take(self, file: _File, record: Plain | Sealed | str, from_cache: bool = False) -> None:
        """The file's review from a worker's record (the cache's two entries, or a record JSON
        cannot write: never cached) or from the cached entry this run reads. A cached record
        of another shape leaves the file unknown (a miss); a worker's is a bug."""
        texts, entry = (record, record[1] if self.written else record[0]) \
            if isinstance(record, tuple) else (None, record)
        if entry is None:
            raise ValueError("a worker's review came without its parts")
        try:
            if isinstance(entry, str):
                errors_text, result_text, parts_text = record_pieces(entry)
                rows = [] if errors_text == "[]" else json.loads(errors_text)
                reviewed = result_text != "null"
            else:
                rows, reviewed, parts_text = (entry["errors"], entry["result"] is not None,
                                              entry["parts"])
            errors = input_errors(rows)
            item, parts = None, None
            if reviewed and self.written:
                parts = (None if self.job.parts is None or parts_text is None
                         else self.job.parts.read(parts_text))
                if parts is None:
                    raise ValueError("a review kept without its parts")
            elif reviewed:
                item = account_result(json.loads(result_text) if isinstance(entry, str)
                                      else entry["result"], self.job.formats, self.job.actions)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            if not from_cache:
                raise
            return
        file.errors, file.item, file.parts, file.known = errors, item, parts, True
        if texts is not None and self.cache is not None and file.key is not None:
            for row, text in zip((file.name, file.name + PARTS_ROW), texts, strict=True):
                if text is not None:
                    self.cache.put(row, file.key, text, file.stamp)

    def finish(self, batch: _Batch, errors: list[InputError],
               done: Callable[[int], None]) -> Result | WrittenBatch:
        """The batch's Result, as evaluate gives it for the same files; `done` is told how
        many more files are reviewed, as they are."""
        done(len(batch.files) - sum(len(part) for part, _ in batch.chunks))  # cached
        for part, chunk in batch.chunks:
            records = chunk if isinstance(chunk, list) else chunk.result()
            for file, record in zip(part, records, strict=True):
                self._take(file, record)
            done(len(part))
        if self.cache is not None:
            self.cache.flush()
        for file in batch.files:
            errors.extend(file.errors)
        job = self.job
        if self.written:
            return WrittenBatch(job.as_of, tuple(f.parts for f in batch.files
                                                 if f.parts is not None),
                                tuple(capped(sorted(set(errors)))))
        return Result(job.as_of, tuple(f.item for f in batch.files if f.item is not None),
                      tuple(capped(sorted(set(errors)))), job.rulebook, job.formats)


def fast_review_in_batches(
    accounts_folder: Path,
    rules_folder: Path,
    as_of: date,
    thresholds_file: Path | None = None,
    only: Sequence[Path] = (),
    progress: Progress = silent,
    cache: AccountCache | None = None,
    redact: bool = False,
    formats: LocaleFormat = ENGLISH,
    batch_size: int | None = None,
    workers: int | None = None,
    parts: Parts | None = None,
    rulebook: Rulebook | Callable[[], Rulebook] | None = None,
    rule_files: RuleFiles | None = None,
) -> Iterator[Result]:
    """review_in_batches, fast (see the module's docstring); `cache` is the cache of reviews
    (AccountCache.for_accounts(..., kind="reviews-fast")); batches of `batch_size` files
    (default: the plain path's), `workers` processes (default: one per core); `parts`, when
    given, are made and kept with each review (see fast_written_batches). The rules are
    loaded (and a RulebookError raised) before this returns, unless `rulebook` is the one
    just loaded from them, or what loads them when a file is to be reviewed (`rule_files`:
    the files they are loaded from, if already read)."""
    return cast(Iterator[Result], _review(
        accounts_folder, rule_files or read_rule_files(rules_folder, thresholds_file), as_of,
        only, progress, cache, redact, formats, batch_size, workers, parts, False, rulebook))


def fast_written_batches(
    accounts_folder: Path, rules_folder: Path, as_of: date, parts: Parts,
    thresholds_file: Path | None = None, only: Sequence[Path] = (),
    progress: Progress = silent, cache: AccountCache | None = None, redact: bool = False,
    formats: LocaleFormat = ENGLISH, batch_size: int | None = None, workers: int | None = None,
    rulebook: Rulebook | Callable[[], Rulebook] | None = None,
    rule_files: RuleFiles | None = None,
) -> Iterator[WrittenBatch]:
    """fast_review_in_batches, each account as its parts only: made where its file is
    reviewed, or taken from the cache as they are, never rebuilt into an AccountResult."""
    return cast(Iterator[WrittenBatch], _review(
        accounts_folder, rule_files or read_rule_files(rules_folder, thresholds_file), as_of,
        only, progress, cache, redact, formats, batch_size, workers, parts, True, rulebook))


def _review(accounts_folder: Path, rule_files: RuleFiles, as_of: date, only: Sequence[Path],
            progress: Progress, cache: AccountCache | None, redact: bool, formats: LocaleFormat,
            batch_size: int | None, workers: int | None, parts: Parts | None,
            written: bool, rulebook: Rulebook | Callable[[], Rulebook] | None
            ) -> Iterator[Result | WrittenBatch]:
    if rulebook is None:
        rulebook = load_rulebook(rule_files.folder, rule_files.overrides)
    paths, folder_errors = account_files(accounts_folder, only)
    job = Job(rulebook, as_of, formats, redact, parts)
    context = rules_key(rule_files, as_of, formats, redact)
    count = workers if workers is not None else worker_count()
    return _batches(job, context, cache, paths, folder_errors, progress,
                    batch_size or plain.BATCH_SIZE, count, PARALLEL_FROM, written)


def _batches(job: Job, context: bytes, cache: AccountCache | None, paths: list[Path],
             folder_errors: list[InputError], progress: Progress, batch_size: int,
             workers: int, parallel_from: int, written: bool
             ) -> Iterator[Result | WrittenBatch]:
    if not paths:
        yield (WrittenBatch(job.as_of, (), tuple(folder_errors)) if written
               else Result(job.as_of, (), tuple(folder_errors), job.rulebook, job.formats))
        return
    groups = [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]
    with ExitStack() as stack:
        run = _Run(job, context, cache, stack, workers, parallel_from, written)
        pending: deque[_Batch] = deque([run.start(groups[0])])
        # The bar starts once the workers have forked: it may run a thread of its own.
        bar = iter(progress(range(len(paths)), len(paths), "reviewing accounts"))

        def done(count: int) -> None:
            for _ in range(count):
                next(bar, None)
        errors = folder_errors
        for number in range(len(groups)):
            if number + 1 < len(groups):
                pending.append(run.start(groups[number + 1]))
            result = run.finish(pending.popleft(), errors, done)
            errors = []
            yield result
        done(1)  # the bar ends and closes


def fast_review(accounts_folder: Path, rules_folder: Path, as_of: date,
                thresholds_file: Path | None = None, only: Sequence[Path] = (),
                progress: Progress = silent, cache: AccountCache | None = None,
                redact: bool = False, formats: LocaleFormat = ENGLISH,
                parts: Parts | None = None,
                rulebook: Rulebook | Callable[[], Rulebook] | None = None,
                rule_files: RuleFiles | None = None) -> Result:
    """review() for `kam check`'s outputs: the whole portfolio as one Result (without facts)."""
    batches = fast_review_in_batches(accounts_folder, rules_folder, as_of, thresholds_file,
                                     only, progress, cache, redact, formats, batch_size=1 << 62,
                                     parts=parts, rulebook=rulebook, rule_files=rule_files)
    return next(iter(batches))
