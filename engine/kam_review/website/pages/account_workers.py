"""Every account's page, generated on every core from a number of accounts on.

Writing an account page's Markdown (its tables, findings, charts) takes milliseconds an
account, and the pages depend on nothing but the review: with many accounts, forked worker
processes each write a share of them from the review they inherit, and hand back the text.
The pages are the same, in the same order, as when written one after the other here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from kam_review.frozen_heap import frozen_heap
from kam_review.review.explain import explain_some
from kam_review.review.movement import Movement
from kam_review.review.results import AccountResult, Result
from kam_review.website.pages.account import account_page
from kam_review.website.pages.common import ACCOUNTS_DIR

# Accounts handed to a worker at a time.
CHUNK = 32
# From this many accounts, their pages are written in worker processes.
PARALLEL_FROM = 200

# The review the workers write pages of; set before they fork.
_REVIEW: tuple[Result, Sequence[AccountResult], Movement | None] | None = None


def account_pages(result: Result, movement: Movement | None, workers: int = 1,
                  items: Sequence[AccountResult] | None = None,
                  meanwhile: Callable[[], None] | None = None) -> dict[str, str]:
    """The page (path -> Markdown) of each of `items` (default: every account of the
    review), in their order, each with why it got its class and focus (review.explain,
    worked out where the page is written): a page depends on its own account and the
    review's rules and date. `meanwhile` is called here while the workers write (first,
    without workers)."""
    global _REVIEW
    if items is None:
        items = result.accounts
    count = len(items)
    chunks = [range(start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    _REVIEW = (result, items, movement)
    try:
        if workers > 1 and count >= PARALLEL_FROM:
            with frozen_heap(), ProcessPoolExecutor(workers,
                                                    mp_context=get_context("fork")) as pool:
                written = pool.map(_write, chunks)
                if meanwhile is not None:
                    meanwhile()
                texts = [text for chunk in written for text in chunk]
        else:
            if meanwhile is not None:
                meanwhile()
            texts = [text for chunk in chunks for text in _write(chunk)]
    finally:
        _REVIEW = None
    return {f"{ACCOUNTS_DIR}/{item.account.id}.md": text
            for item, text in zip(items, texts, strict=True)}


def _write(indexes: range) -> list[str]:
    assert _REVIEW is not None, "the review is set before the workers start"
    result, items, movement = _REVIEW
    chunk = [items[index] for index in indexes]
    return [account_page(item, result, explained, movement)
            for item, explained in zip(chunk, explain_some(chunk, result.rulebook),
                                       strict=True)]
