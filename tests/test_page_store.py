"""The finished HTML of pages converted ahead, kept in a temporary file (page_store.py)."""

from __future__ import annotations

import os

from kam_review.website.page_store import PageStore


def test_every_page_kept_is_read_back_whole_the_last_and_smallest_too() -> None:
    store = PageStore()
    try:
        pages = ["<p>a</p>", "é中" * 20_000, "", "<p>b</p>"]
        handles = [store.put(html) for html in pages]
        assert all(isinstance(handle, tuple) for handle in handles)  # in the file
        assert [store.get(handle) for handle in reversed(handles)] == pages[::-1]
    finally:
        store.close()


def test_a_forked_process_reads_pages_without_moving_this_ones_place() -> None:
    """The theme share's child reads pages from the same open file (theme_share.py)."""
    store = PageStore()
    try:
        first, second = store.put("<p>first</p>"), store.put("<p>second</p>")
        pid = os.fork()
        if pid == 0:  # the child reads one page, and ends
            os._exit(0 if store.get(second) == "<p>second</p>" else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert store.get(first) == "<p>first</p>"
        third = store.put("<p>third</p>")
        assert store.get(third) == "<p>third</p>" and store.get(second) == "<p>second</p>"
    finally:
        store.close()
