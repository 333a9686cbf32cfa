"""What the fast `kam check` (review/fast_check.py) does with each chunk of files, in a worker
process or in its own: the whole review of each file, handed back as plain data (review/
slim.py), with the account's parts of the output when the run asks for them.

The job every review of a run shares is set before the workers fork, so that they inherit
it instead of receiving it pickled with every chunk.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

from kam_review.locale_format import LocaleFormat
from kam_review.review.evaluate import evaluate, review_errors
from kam_review.review.redact import redact_portfolio
from kam_review.review.results import AccountResult
from kam_review.review.rule_references import refused_file_errors
from kam_review.review.slim import Plain, plain_errors, plain_result, record_texts
from kam_review.rulebook.loading import Rulebook
from kam_review.source.accounts import Portfolio, load_account

# A review as the cache's two entries: errors and result; errors and parts (slim.record_texts).
Sealed = tuple[str, str | None]


@dataclass(frozen=True)
class Parts:
    """Each account's parts of the check's output (output/check_parts.py), as one text:
    `make` makes it from the account's review and the rules it was reviewed by, where the
    file is reviewed, and it is kept in the cache with the review; `read` reads it back
    (None: not of the shape `make` gives)."""

    make: Callable[[AccountResult, Rulebook], str]
    read: Callable[[str], Plain | None]


@dataclass(frozen=True)
class Job:
    """What every review of a file in this run shares; set before the workers fork. The
    rules are given loaded, or as what loads them once they are needed (a warm run whose
    files are all cached needs none: rulebook/lint_seal.py)."""

    rules: Rulebook | Callable[[], Rulebook]
    as_of: date
    formats: LocaleFormat
    redact: bool
    parts: Parts | None = None

    @cached_property
    def rulebook(self) -> Rulebook:
        return self.rules if isinstance(self.rules, Rulebook) else self.rules()

    @cached_property
    def actions(self) -> dict[str, str]:
        """Each rule's action, by its id (see plain_result)."""
        return {rule.id: rule.action for rule in self.rulebook.rules}


_JOB: Job | None = None
# Allocations between two collections of a worker's young objects (Python's default: 700).
# A review makes and drops thousands of objects a file, most freed by reference counting;
# each collection scans the young ones alive again: measured, 700 collections of 1,000
# accounts took 0.18 s, 35 collections at this threshold 0.12 s. The garbage in cycles
# (some 180 objects a file) is still collected, a few times a chunk.
_YOUNG_THRESHOLD = 10_000


def set_job(job: Job) -> None:
    """The job of the reviews to come: set before the workers fork, who inherit it."""
    global _JOB
    _JOB = job


def worker_started() -> None:
    """Run in each worker process as it starts: its young objects collected less often."""
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def review_chunk(items: Sequence[tuple[str, bytes | None]]) -> list[Plain]:
    """The review of each file (its path and bytes; None: read it here), as plain data:
    {"errors": [...], "result": plain_result or None, "parts": its parts (Job.parts) or
    None}. Runs in a worker, or here (set_job first)."""
    assert _JOB is not None, "the job is set before the workers start"
    job = _JOB
    actions = job.actions
    entries = [load_account(Path(path), content) for path, content in items]
    portfolio = Portfolio([account for account, _ in entries if account is not None], [])
    if job.redact:
        portfolio = redact_portfolio(portfolio)
    reviewed = iter(evaluate(portfolio, job.rulebook, job.as_of, formats=job.formats).accounts
                    if portfolio.accounts else ())
    records: list[Plain] = []
    for (path, content), (account, errors) in zip(items, entries, strict=True):
        if account is None:
            refused = refused_file_errors(Path(path), content, job.rulebook)
            records.append({"errors": plain_errors(errors + refused), "result": None,
                            "parts": None})
            continue
        item = next(reviewed)
        rulebook = job.rulebook
        records.append({"errors": plain_errors(errors + review_errors(item.account, rulebook)),
                        "result": plain_result(item, actions),
                        "parts": None if job.parts is None else job.parts.make(item, rulebook)})
    return records


def sealed_chunk(items: Sequence[tuple[str, bytes | None]]) -> list[Plain | Sealed]:
    """review_chunk's records, each as the cache keeps it (slim.record_texts), made where the
    file is reviewed: the main process then only reads the pieces it writes and keeps the
    texts as they came, and two strings cross between the processes instead of a nested
    record. A record JSON cannot write exactly stays a record (it is then not cached)."""
    sealed: list[Plain | Sealed] = []
    for record in review_chunk(items):
        try:
            sealed.append(record_texts(record))
        except (TypeError, ValueError):
            sealed.append(record)
    return sealed
