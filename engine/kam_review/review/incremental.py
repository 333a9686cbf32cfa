"""A review kept alive between edits (`kam serve`): after account files change, only those
accounts are loaded and evaluated again, and spliced into the review, which then equals a
review of the whole folder.

Everything an account's result depends on is its own file, the rules, the review date and
the previous review's high warnings for it; the portfolio's errors, the comparison with the
previous review and, when the previous review is made from the files themselves, that
review's entries of the edited accounts are checked or made again as well. Whatever an edit
could change beyond that (the set of files, an account's id, an input error, the kind of
comparison) makes `update` answer None: the caller then reviews everything again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from kam_review.formatting import plain
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.progress import Progress, silent
from kam_review.review.evaluate import evaluate
from kam_review.review.movement import FILES, Movement, compare
from kam_review.review.previous import Since, find_comparison
from kam_review.review.redact import redact_portfolio
from kam_review.review.results import AccountResult, Result
from kam_review.review.since import movement_since, previous_review
from kam_review.review.snapshot import AccountSnapshot, Snapshot, account_snapshot, snapshot_of
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.source.accounts import Portfolio, account_files, load_files, load_portfolio
from kam_review.source.earlier_state import account_on, stage_unknown
from kam_review.source.model import Account


def _key(path: Path) -> str:
    return os.path.realpath(path)


@dataclass
class _State:
    """What one review was made of, to make the next one from."""

    rulebook: Rulebook
    listing: tuple[list[str], list[str]]  # the folder's account files and its own errors
    accounts: dict[str, Account]  # by the real path of their file
    previous: Snapshot | None
    result: Result
    current: Snapshot
    movement: Movement


class IncrementalReview:
    """review_since, remembered: `review` is called like it (the site's plugin calls it),
    `update` after an edit."""

    def __init__(self) -> None:
        self._state: _State | None = None
        self._inputs: tuple[Path, Path, date, Path | None, Since, bool, LocaleFormat] | None = None

    def review(self, accounts: Path, rules: Path, as_of: date, thresholds: Path | None = None,
               since: Since | None = None, progress: Progress = silent,
               redact: bool = False, formats: LocaleFormat = ENGLISH
               ) -> tuple[Result, Movement]:
        """The whole review, as review_since makes it, kept for the next `update`."""
        since = since or Since()
        self._state, self._inputs = None, (accounts, rules, as_of, thresholds, since, redact,
                                           formats)
        rulebook = load_rulebook(rules, thresholds)
        portfolio = load_portfolio(accounts, (), progress)
        if redact:
            portfolio = redact_portfolio(portfolio)
        comparison, previous = previous_review(accounts, rules, rulebook, as_of, portfolio,
                                               since, thresholds, redact)
        result = evaluate(portfolio, rulebook, as_of, progress,
                          None if previous is None else previous.high_warnings(), formats)
        current = snapshot_of(result)
        movement = movement_since(previous, current, comparison)
        self._state = _State(rulebook, _listing(accounts),
                             {_key(a.source): a for a in portfolio.accounts}, previous, result,
                             current, movement)
        return result, movement

    def update(self, changed: Iterable[Path]) -> tuple[Result, Movement] | None:
        """The review after the entries `changed` of the accounts folder were edited, or None
        when the edit needs the whole review made again (see the module)."""
        state, inputs = self._state, self._inputs
        if state is None or inputs is None:
            return None
        accounts_folder, _rules, as_of, _thresholds, since, redact, formats = inputs
        if _listing(accounts_folder) != state.listing:
            return None
        # With the same files read and the same errors, any other entry of the folder
        # (an editor's swap file) is not read: it changes nothing.
        paths = sorted({_key(path) for path in changed} & state.accounts.keys())
        if not paths:
            return state.result, state.movement
        if state.result.errors:
            return None
        loaded = load_files([Path(path) for path in paths])
        if redact:
            loaded = redact_portfolio(loaded)
        if loaded.errors or len(loaded.accounts) != len(paths) or any(
                state.accounts[path].id != account.id
                for path, account in zip(paths, loaded.accounts, strict=True)):
            return None
        edited = dict(zip(paths, loaded.accounts, strict=True))
        everyone = {**state.accounts, **edited}
        # Which previous review to compare with may turn on the files (and on git's view of
        # the working tree): another one needs the whole review.
        if find_comparison(accounts_folder, as_of, since,
                           list(everyone.values())) != state.movement.comparison:
            return None
        previous = _previous_after(state, edited)
        if previous is False:
            return None
        assert previous is None or isinstance(previous, Snapshot)
        warned = None if previous is None else previous.high_warnings()
        fresh = evaluate(Portfolio(list(edited.values())), state.rulebook, as_of,
                         warned_before=warned, formats=formats)
        if fresh.errors:
            return None
        by_id = {item.account.id: item for item in fresh.accounts}
        items = tuple(by_id.get(item.account.id, item) for item in state.result.accounts)
        result = replace(state.result, accounts=items)
        current = _snapshot_after(state.current, result, by_id)
        movement = _movement_after(state.movement, previous, current, by_id.keys())
        self._state = replace(state, accounts=everyone, previous=previous, result=result,
                              current=current, movement=movement)
        return result, movement

    @property
    def result(self) -> Result | None:
        return None if self._state is None else self._state.result


def _listing(folder: Path) -> tuple[list[str], list[str]]:
    paths, errors = account_files(folder)
    folders: dict[Path, str] = {}
    return [_real_in(path, folders) for path in paths], [str(error) for error in errors]


def _real_in(path: Path, folders: dict[Path, str]) -> str:
    """The real path of a file, its folder resolved once (`folders`, by folder): a file
    that is no symbolic link is its folder's real path and its name."""
    if os.path.islink(path):
        return _key(path)
    folder = folders.get(path.parent)
    if folder is None:
        folder = folders[path.parent] = _key(path.parent)
    return os.path.join(folder, path.name)


def _snapshot_after(snapshot: Snapshot, result: Result,
                    fresh: dict[str, AccountResult]) -> Snapshot:
    shots = tuple(account_snapshot(fresh[shot.id], result) if shot.id in fresh else shot
                  for shot in snapshot.accounts)
    return replace(snapshot, accounts=shots)


def _movement_after(movement: Movement, previous: Snapshot | None, current: Snapshot,
                    edited: Collection[str]) -> Movement:
    """The movement after an edit: the edited accounts compared again, each other account's
    movement kept (made from the same snapshots before and after, it is the same)."""
    if previous is None or not movement.accounts:
        return movement_since(previous, current, movement.comparison)
    fresh = {moved.id: moved for moved in compare(
        _only(previous, edited), _only(current, edited), movement.comparison,
        partial=True).accounts}
    return replace(movement, accounts=tuple(fresh.get(moved.id, moved)
                                            for moved in movement.accounts),
                   previous_errors=previous.errors)


def _only(snapshot: Snapshot, ids: Collection[str]) -> Snapshot:
    return replace(snapshot, accounts=tuple(shot for shot in snapshot.accounts if shot.id in ids))


def _previous_after(state: _State, edited: dict[str, Account]) -> Snapshot | bool | None:
    """The previous review after the edit: the same one, unless it is made from the files
    themselves (FILES), whose edited accounts' entries are then made again. False: it cannot
    be told without the whole previous review (an account appears or disappears in it)."""
    previous = state.previous
    if previous is None or state.movement.comparison.kind != FILES:
        return previous
    day = previous.as_of
    shots: dict[str, AccountSnapshot] = {}
    errors = previous.errors
    for path, account in edited.items():
        before, after = account_on(state.accounts[path], day), account_on(account, day)
        if (before is None) != (after is None):
            return False
        if before is None or after is None:
            continue
        unknown = frozenset(o.id for o in account.opportunities if stage_unknown(o, day))
        then = evaluate(Portfolio([after]), state.rulebook, day, formats=plain())
        was = evaluate(Portfolio([before]), state.rulebook, day, formats=plain())
        errors += len(then.errors) - len(was.errors)
        shot = snapshot_of(then, _one_of(unknown)).accounts
        shots[account.id] = shot[0]
    accounts = tuple(shots.get(shot.id, shot) for shot in previous.accounts)
    return replace(previous, accounts=accounts, errors=errors)


def _one_of(deals: frozenset[str]) -> Callable[[str, str], bool]:
    """stage_unknown for snapshot_of, of one account whose unknown deals are `deals`."""
    def unknown(_account: str, deal: str) -> bool:
        return deal in deals
    return unknown
