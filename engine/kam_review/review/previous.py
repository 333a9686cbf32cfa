"""The previous review: which one to compare with, and its result, computed once and kept.

Without a named revision (the site's `base:`, KAM_BASE, `kam check --since REV`), the
previous review is, in this order:

1. the newest git tag matching a pattern (default `review-*`) on a commit HEAD holds and
   committed on or before this review's date, unless it is HEAD itself with the accounts
   folder unchanged (that tag is this review: the next older one is taken);
2. else the accounts as git held them one quarter earlier: the newest commit of HEAD's own
   line on or before the end of the quarter before the one under review (2026-06-30 for a
   review of 2026-Q3), if it holds account files;
3. else the same account files as of that day, with what they date later left out
   (source/earlier_state.py);
4. else none: no git and no quarter before (nothing on file by then).

A tag or a named revision is reviewed as of the end of the last quarter complete on the day
it was committed (at most this review's date): 2026-06-30 for a tag committed in early July.
The previous side is reviewed with this review's rules. Its snapshot is kept in the user's
cache folder (source/cache.py: plain JSON, sealed), keyed by the revision (or the files'
content), the rules and thresholds, the date, redaction and kam-review's own code, so a
second build does not evaluate it again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kam_review.errors import KamError
from kam_review.formatting import plain
from kam_review.i18n import ENGLISH, _, language
from kam_review.paths import real, repository_holding
from kam_review.review.diff import review_revision
from kam_review.review.evaluate import evaluate
from kam_review.review.movement import FILES, HISTORY, NAMED, NONE, TAG, Comparison
from kam_review.review.snapshot import Snapshot, snapshot_from_json, snapshot_json, snapshot_of
from kam_review.rulebook.figures import last_complete_quarter
from kam_review.rulebook.loading import Rulebook, rulebook_files
from kam_review.source.accounts import Portfolio
from kam_review.source.cache import AccountCache, content_key
from kam_review.source.earlier_state import account_on, stage_unknown
from kam_review.source.model import Account, Quarter
from kam_review.source.review_date import EARLIEST
from kam_review.source.review_points import (
    Commit,
    commit_of,
    commit_on_or_before,
    head,
    holds_folder,
    review_tags,
    unchanged,
)
from kam_review.source.revisions import check_revision, repository_root
from kam_review.vocabulary import REVIEW_TAGS

# A kept snapshot holds every account's findings: larger than one account file's entry.
_MAX_SNAPSHOT_CHARS = 256 * 1024 * 1024


@dataclass(frozen=True)
class Since:
    """What to compare a review with: a named git revision, or (None) the previous review
    found as the module says, looking for tags matching `tags`."""

    revision: str | None = None
    tags: str = REVIEW_TAGS
    cache: bool = True


def previous_quarter_end(as_of: date) -> date | None:
    """The end of the quarter before the one under review (its last complete quarter);
    None before the earliest review date."""
    day = Quarter.from_index(last_complete_quarter(as_of).index - 1).last_day
    return day if day >= EARLIEST else None


def review_day(committed: date, as_of: date) -> date:
    """The date a committed review is reviewed as of: the end of the last quarter complete
    on the day it was committed, at most this review's date."""
    day = min(committed, as_of)
    return last_complete_quarter(day).last_day if day >= EARLIEST else day


def find_comparison(accounts: Path, as_of: date, since: Since,
                    current: Sequence[Account]) -> Comparison:
    """Which previous review to compare with (see the module); a named revision that git
    does not know is a KamError."""
    found = comparison_in_git(accounts, as_of, since)
    if isinstance(found, Comparison):
        return found
    return files_comparison(found, any(account_on(account, found.day) for account in current))


@dataclass(frozen=True)
class FilesOrNone:
    """No previous review in git: the files as of `day` are (if any account has figures by
    then), else none; `why` says why git gave none."""

    day: date
    why: str


def comparison_in_git(accounts: Path, as_of: date, since: Since) -> Comparison | FilesOrNone:
    """find_comparison up to what the account files themselves decide: the comparison, or
    the day to review the files as of when git holds no previous review."""
    if since.revision is not None:
        if repository_holding(real(accounts)) is None:
            raise KamError(f"the previous review '{since.revision}' names a git revision, but "
                           f"{accounts} is not in a git repository")
        check_revision(since.revision, repository_root(accounts))
        named = commit_of(since.revision, accounts)
        return Comparison(NAMED, review_day(named.day, as_of), since.revision, named.commit)
    day = previous_quarter_end(as_of)
    why = _("no earlier review is tagged ({tags})").format(tags=since.tags)
    if repository_holding(real(accounts)) is None:
        why += _(" (the accounts are not in a git repository)")
    elif not _has_commits(accounts):
        why += _(" (the repository has no commit yet)")
    else:
        try:
            tag = _previous_tag(accounts, as_of, since.tags)
            if tag is not None:
                return Comparison(TAG, review_day(tag.day, as_of), tag.name, tag.commit)
            if day is not None:
                commit = commit_on_or_before(accounts, day)
                if commit is not None and holds_folder(commit.commit, accounts):
                    return Comparison(HISTORY, day, commit=commit.commit, why=why)
                why += _(", and git holds no account files from {day} or before").format(
                    day=day, date=plain().date(day))
        except KamError as error:  # the last part of git's message says what went wrong
            why += _(" (git could not tell: {reason})").format(
                reason=error.message.rsplit(': ', 1)[-1])
    if day is None:
        return Comparison(NONE, why=why + _(", and there is no quarter before {day}").format(
            day=as_of))
    return FilesOrNone(day, why)


def files_comparison(files: FilesOrNone, any_then: bool) -> Comparison:
    """The comparison with the files as of their day, given whether any account was one
    by then (has figures by that day)."""
    if not any_then:
        return Comparison(NONE, why=files.why + _(", and no account file has figures by {day}"
                                                  ).format(day=files.day))
    return Comparison(FILES, files.day, why=files.why)


def _has_commits(accounts: Path) -> bool:
    try:
        head(accounts)
    except KamError:
        return False
    return True


def _previous_tag(accounts: Path, as_of: date, pattern: str) -> Commit | None:
    tags = [tag for tag in review_tags(accounts, pattern) if tag.day <= as_of]
    if tags and tags[0].commit == head(accounts) and unchanged(accounts):
        # The working tree is the tagged review itself.
        tags = [tag for tag in tags if tag.commit != tags[0].commit]
    return tags[0] if tags else None


def previous_snapshot(comparison: Comparison, accounts: Path, rules: Path,
                      rulebook: Rulebook, current: Sequence[Account],
                      thresholds: Path | None = None, redact: bool = False,
                      cache: AccountCache | None = None,
                      evaluate_it: Callable[[], Snapshot] | None = None) -> Snapshot | None:
    """The previous review's snapshot: from the cache, else evaluated (and kept).
    `current` are this review's accounts, as loaded (and redacted); `evaluate_it`, when
    given, makes the snapshot in place of evaluating it here."""
    if not comparison.found or comparison.as_of is None:
        return None
    day = comparison.as_of

    def evaluated() -> Snapshot:
        if evaluate_it is not None:
            return evaluate_it()
        return _evaluated(comparison, day, accounts, rules, rulebook, current, thresholds,
                          redact)

    key = _key(comparison, accounts, rules, thresholds, redact, current)
    shown = f"previous review as of {day}"
    if cache is None or key is None:
        return evaluated()
    try:
        kept = snapshot_from_json(cache.get_text(shown, key))
        if kept is not None:
            return kept
        snapshot = evaluated()
        text = snapshot_json(snapshot)
        if text is not None:
            cache.put(shown, key, text)
        return snapshot
    finally:
        cache.flush()  # writes what was put, and closes the cache either way


def review_cache(accounts: Path, rules: Path) -> AccountCache:
    """Where the previous reviews of an accounts folder are kept."""
    return AccountCache.for_accounts(accounts, inputs=[rules], kind="reviews",
                                     max_entry_chars=_MAX_SNAPSHOT_CHARS,
                                     name="cache of previous reviews")


def _evaluated(comparison: Comparison, day: date, accounts: Path, rules: Path,
               rulebook: Rulebook, current: Sequence[Account], thresholds: Path | None,
               redact: bool) -> Snapshot:
    if comparison.kind != FILES:
        return snapshot_of(review_revision(comparison.commit, accounts, rules, day,
                                           thresholds=thresholds, redact=redact,
                                           formats=plain()))
    then = [account for account in (account_on(a, day) for a in current) if account]
    unknown = {(a.id, o.id) for a in current for o in a.opportunities if stage_unknown(o, day)}
    # Its messages in the active language's words and figures (English: as before).
    result = evaluate(Portfolio(then), rulebook, day, formats=plain(), rebuilt=True)
    return snapshot_of(result, lambda account, deal: (account, deal) in unknown)


def _key(comparison: Comparison, accounts: Path, rules: Path, thresholds: Path | None,
         redact: bool, current: Sequence[Account]) -> bytes | None:
    """What the snapshot depends on, hashed with kam-review's own code (content_key);
    None when a file cannot be read (then nothing is kept)."""
    try:
        material = {
            "kind": comparison.kind, "commit": comparison.commit,
            "as_of": str(comparison.as_of), "accounts": str(real(accounts)), "redact": redact,
            "rules": [[path.name, _digest(path)] for path in rulebook_files(rules)],
            "thresholds": None if thresholds is None else _digest(thresholds),
            "files": [[str(a.source), _digest(a.source)] for a in current]
            if comparison.kind == FILES else []}
        # Its messages are written in the active language (an English key stays as it was).
        if language() != ENGLISH:
            material["language"] = language()
    except OSError:
        return None
    return content_key(json.dumps(material, sort_keys=True).encode())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
