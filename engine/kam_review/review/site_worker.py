"""What the site's fast review (review/site_review.py) does with each chunk of files, in a
worker process or in its own: each file read, checked and reviewed as review_since does it,
together with the account's part of the previous review when that is made from the files
themselves, and handed back as plain data (review/full_result.py).

An account's review depends on its own file, the rules, the review date and the previous
review's high warnings for it; when the previous review is the same files as of an earlier
day, that account's part of it depends on its own file as well. So each chunk is reviewed
alone, and the chunks' reviews put together equal the review of the whole folder (the
previous review's warnings are looked up by account id, which is its file's name: one file
in the folder).

The job every chunk of a run shares is set before the workers fork, so that they inherit it
instead of receiving it pickled with every chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.formatting import plain
from kam_review.locale_format import LocaleFormat
from kam_review.review.evaluate import evaluate, review_errors
from kam_review.review.full_result import full_result, plain_full_result
from kam_review.review.redact import redact_account
from kam_review.review.results import AccountResult
from kam_review.review.rule_references import refused_file_errors
from kam_review.review.slim import input_errors, plain_errors
from kam_review.review.snapshot import (
    AccountSnapshot,
    Snapshot,
    account_snapshot,
    account_snapshot_from_plain,
    plain_account_snapshot,
)
from kam_review.rulebook.loading import Rulebook
from kam_review.source.accounts import Portfolio, load_account_value
from kam_review.source.earlier_state import account_on, stage_unknown
from kam_review.source.model import Account


@dataclass(frozen=True)
class SiteJob:
    """What every chunk of a run shares. `files_day`: the previous review is the files as of
    that day, and each account's part of it is made with its review; else `warned` holds the
    previous review's high warnings by account (empty: no previous review). With `previous`,
    the files are a previous review's own (a git revision's), reviewed as of `as_of` for
    their part of its snapshot only."""

    rulebook: Rulebook
    as_of: date
    formats: LocaleFormat
    redact: bool
    files_day: date | None = None
    warned: Mapping[str, frozenset[str]] = field(default_factory=dict)
    previous: bool = False

    @property
    def actions(self) -> dict[str, str]:
        return {rule.id: rule.action for rule in self.rulebook.rules}


@dataclass
class Reviewed:
    """One file's review: its input errors, the account's review (None: the file has
    errors), the previous review's high warnings it was made with, and the account's part of
    the previous review with the errors that review finds in it."""

    errors: list[InputError]
    item: AccountResult | None = None
    warned: frozenset[str] | None = None
    previous: AccountSnapshot | None = None
    previous_errors: list[InputError] = field(default_factory=list)
    value: Any = None  # the file's plain value (for plain_record)


_JOB: SiteJob | None = None


def set_site_job(job: SiteJob) -> None:
    """The job of the chunks to come: set before the workers fork, who inherit it."""
    global _JOB
    _JOB = job


def site_chunk(items: Sequence[tuple[str, bytes | None]]) -> list[str | None]:
    """Each file's review (its path and bytes) as the text of plain_record; None for one
    that is no plain data (the caller reviews it itself). Runs in a worker, or here."""
    assert _JOB is not None, "the job is set before the workers start"
    job = _JOB
    actions = job.actions
    texts: list[str | None] = []
    for reviewed in reviewed_files(items, job):
        try:
            texts.append(json.dumps(plain_record(reviewed, actions), ensure_ascii=False,
                                    allow_nan=False, separators=(",", ":")))
        except (TypeError, ValueError):
            texts.append(None)
    return texts


def reviewed_files(items: Sequence[tuple[str, bytes | None]], job: SiteJob) -> list[Reviewed]:
    """The review of each file (its path and bytes; None: read it here), in their order."""
    loaded = [load_account_value(Path(path), content) for path, content in items]
    files = [Reviewed(errors) for (_account, errors), _value in loaded]
    accounts: list[Account] = []
    for reviewed, ((account, _errors), value), (path, content) in zip(files, loaded, items,
                                                                       strict=True):
        if account is not None:
            reviewed.value = value
            accounts.append(redact_account(account) if job.redact else account)
        elif not job.previous:  # what only the rules tell of a file that did not load
            reviewed.errors = reviewed.errors + refused_file_errors(Path(path), content,
                                                                    job.rulebook)
    with_account = [reviewed for reviewed in files if reviewed.value is not None]
    if job.previous:
        _previous_parts(with_account, accounts, job.rulebook, job.as_of, lambda _a, _d: False)
        return files
    warned = job.warned
    if job.files_day is not None:
        warned = _previous_of_files(with_account, accounts, job.rulebook, job.files_day)
    result = evaluate(Portfolio(accounts), job.rulebook, job.as_of, warned_before=warned,
                      formats=job.formats)
    for reviewed, item in zip(with_account, result.accounts, strict=True):
        reviewed.item, reviewed.warned = item, warned.get(item.account.id)
        reviewed.errors = reviewed.errors + review_errors(item.account, job.rulebook)
    return files


def _previous_of_files(files: list[Reviewed], accounts: list[Account], rulebook: Rulebook,
                       day: date) -> dict[str, frozenset[str]]:
    """Each account's part of the previous review made from the files as of `day` (as
    previous.py makes it), and the high warnings it had open, by account."""
    then = [(reviewed, account_on(account, day), account)
            for reviewed, account in zip(files, accounts, strict=True)]
    kept = [(reviewed, earlier, now) for reviewed, earlier, now in then if earlier is not None]
    unknown = {(now.id, o.id) for _r, _e, now in kept for o in now.opportunities
               if stage_unknown(o, day)}
    _previous_parts([reviewed for reviewed, _e, _n in kept],
                    [earlier for _r, earlier, _n in kept], rulebook, day,
                    lambda account, deal: (account, deal) in unknown)
    shots = tuple(reviewed.previous for reviewed, _e, _n in kept if reviewed.previous)
    return Snapshot(day, shots).high_warnings()


def _previous_parts(files: list[Reviewed], accounts: list[Account], rulebook: Rulebook,
                    day: date, unknown: Callable[[str, str], bool]) -> None:
    """Each account's part of a previous review's snapshot as of `day`, with the errors that
    review finds in it, in its messages' plain figures (as previous.py writes them)."""
    result = evaluate(Portfolio(accounts), rulebook, day, formats=plain(), rebuilt=True)
    for reviewed, item in zip(files, result.accounts, strict=True):
        reviewed.previous = account_snapshot(item, result, unknown)
        reviewed.previous_errors = review_errors(item.account, rulebook, subjects=False)


def plain_record(reviewed: Reviewed, actions: Mapping[str, str]) -> dict[str, Any]:
    """A file's review as plain data; TypeError for one that holds what is not kept."""
    item = reviewed.item
    return {"errors": plain_errors(reviewed.errors),
            "result": None if item is None else plain_full_result(item, reviewed.value,
                                                                  actions),
            "warned": None if reviewed.warned is None else sorted(reviewed.warned),
            "previous": None if reviewed.previous is None else plain_account_snapshot(
                reviewed.previous),
            "previous_errors": plain_errors(reviewed.previous_errors)}


def read_record(data: Any, path: Path, job: SiteJob, actions: Mapping[str, str]) -> Reviewed:
    """A file's review back from plain_record's data; ValueError, TypeError, KeyError,
    IndexError or AttributeError for data of another shape."""
    result, warned, previous = data["result"], data["warned"], data["previous"]
    return Reviewed(
        input_errors(data["errors"]),
        None if result is None else full_result(result, path, job.formats, actions,
                                                job.redact),
        None if warned is None else frozenset(str(rule) for rule in warned),
        None if previous is None else account_snapshot_from_plain(previous),
        input_errors(data["previous_errors"]))
