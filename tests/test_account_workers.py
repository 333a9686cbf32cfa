"""Account pages written in forked worker processes (website/pages/account_workers.py) are the
pages written one after the other, in the same order."""

from __future__ import annotations

import pytest

import kam_review.website.pages.account_workers as account_workers
from kam_review.review.since import review_since
from kam_review.website.pages import render_pages

from .conftest import AS_OF, REPO, RULES


def test_pages_written_in_workers_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    result, movement = review_since(REPO / "accounts", RULES, AS_OF)
    alone = render_pages(result, movement)
    monkeypatch.setattr(account_workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(account_workers, "CHUNK", 4)  # several chunks, a short last one
    forked = render_pages(result, movement, workers=2)
    assert list(forked) == list(alone) and forked == alone
    assert len([path for path in forked if path.startswith("accounts/")]) == 15
