"""A review together with its movement since the previous one: the call behind the site and
`kam build`, and the pieces `kam check --since` puts together batch by batch.

The previous review is found and its snapshot read (or evaluated and kept) before this
review is evaluated, so that this review's facts can say what it had warned about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.progress import Progress, silent
from kam_review.review.evaluate import evaluate
from kam_review.review.movement import Comparison, Movement, compare, no_movement
from kam_review.review.previous import Since, find_comparison, previous_snapshot, review_cache
from kam_review.review.redact import redact_portfolio
from kam_review.review.results import Result
from kam_review.review.snapshot import Snapshot, snapshot_of
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.source.accounts import Portfolio, load_portfolio
from kam_review.source.cache import AccountCache


def review_since(accounts: Path, rules: Path, as_of: date, thresholds: Path | None = None,
                 since: Since | None = None, progress: Progress = silent,
                 redact: bool = False, formats: LocaleFormat = ENGLISH
                 ) -> tuple[Result, Movement]:
    """Load, check and evaluate a portfolio, and compare it with the previous review;
    `formats` writes this review's figures."""
    rulebook, portfolio = _loaded(accounts, rules, thresholds, (), progress, None, redact)
    comparison, previous = previous_review(accounts, rules, rulebook, as_of, portfolio,
                                           since or Since(), thresholds, redact)
    result = evaluate(portfolio, rulebook, as_of, progress,
                      None if previous is None else previous.high_warnings(), formats)
    return result, movement_since(previous, snapshot_of(result), comparison)


def previous_review(accounts: Path, rules: Path, rulebook: Rulebook, as_of: date,
                    portfolio: Portfolio, since: Since, thresholds: Path | None = None,
                    redact: bool = False) -> tuple[Comparison, Snapshot | None]:
    """Which previous review to compare with, and its snapshot (None without one).
    `portfolio` holds this review's accounts, as loaded (and redacted)."""
    comparison = find_comparison(accounts, as_of, since, portfolio.accounts)
    cache: AccountCache | None = review_cache(accounts, rules) if since.cache else None
    return comparison, previous_snapshot(comparison, accounts, rules, rulebook,
                                         portfolio.accounts, thresholds, redact, cache)


def previous_review_of(accounts: Path, rules: Path, as_of: date, thresholds: Path | None,
                       since: Since, only: Sequence[Path] = (),
                       account_cache: AccountCache | None = None, redact: bool = False
                       ) -> tuple[Comparison, Snapshot | None]:
    """previous_review for a command that evaluates this review itself, batch by batch
    (`kam check --since`): the accounts (or only the files named) are loaded for it."""
    rulebook, portfolio = _loaded(accounts, rules, thresholds, only, silent, account_cache,
                                  redact)
    return previous_review(accounts, rules, rulebook, as_of, portfolio, since, thresholds,
                           redact)


def _loaded(accounts: Path, rules: Path, thresholds: Path | None, only: Sequence[Path],
            progress: Progress, cache: AccountCache | None, redact: bool
            ) -> tuple[Rulebook, Portfolio]:
    rulebook = load_rulebook(rules, thresholds)
    portfolio = load_portfolio(accounts, only, progress, cache)
    return rulebook, redact_portfolio(portfolio) if redact else portfolio


def movement_since(previous: Snapshot | None, current: Snapshot, comparison: Comparison,
                   only: Sequence[Path] = ()) -> Movement:
    """The movement from the previous review to this one; `only` the files reviewed, when
    not the whole folder."""
    if previous is None:
        return no_movement(comparison, current.as_of)
    return compare(previous, current, comparison, partial=bool(only))
