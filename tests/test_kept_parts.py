"""What `kam serve` keeps between rebuilds: parts of the portfolio's pages by the objects they
are made from (output/kept_parts.py), and the search index file joined from each page's
entries (website/search_pieces.py). Kept or made again, the bytes are the same."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from material.plugins.search.plugin import SearchIndex

from kam_review.output import kept_parts
from kam_review.output.csv_export import exports
from kam_review.output.kept_parts import keep_parts, next_rebuild, part
from kam_review.review.results import Result
from kam_review.website.pages import portfolio_pages
from kam_review.website.search_pieces import SearchPieces


@pytest.fixture
def keeping() -> Iterator[None]:
    keep_parts(True)
    yield
    keep_parts(False)


class _Maker:
    def __init__(self) -> None:
        self.made = 0

    def __call__(self, *args: Any) -> tuple[Any, ...]:
        self.made += 1
        return args


def test_nothing_is_kept_unless_kept_parts_are_on() -> None:
    keep_parts(False)  # as in any process but `kam serve`'s (LiveSite turns it on)
    assert not kept_parts.keeping()
    make, owner = _Maker(), object()
    part("row", (owner,), None, make, 1)
    part("row", (owner,), None, make, 1)
    assert make.made == 2


def test_a_part_is_kept_for_the_same_objects_and_an_equal_extra(keeping: None) -> None:
    make, owner = _Maker(), [1]
    assert part("row", (owner,), "A", make, owner) == (owner,)
    assert part("row", (owner,), "A", make, owner) == (owner,)
    assert make.made == 1
    part("row", ([1],), "A", make, owner)  # an equal object, not the same one: made again
    part("row", (owner,), "B", make, owner)  # another extra (an ABC class): made again
    part("other", (owner,), "A", make, owner)  # another part of the same owner
    assert make.made == 4


def test_a_part_no_rebuild_asks_for_is_let_go(keeping: None) -> None:
    make, kept, gone = _Maker(), object(), object()
    part("row", (kept,), None, make)
    part("row", (gone,), None, make)
    next_rebuild()
    part("row", (kept,), None, make)  # asked for again: kept on
    next_rebuild()
    part("row", (kept,), None, make)
    part("row", (gone,), None, make)  # not asked for in the last rebuild: made again
    assert make.made == 3


def test_kept_pages_and_files_equal_those_made_whole(site_review: Result,
                                                     keeping: None) -> None:
    """The portfolio's pages and CSV files made with parts kept, then again after one
    account's result is replaced by an equal new one, equal those made without keeping."""
    kept_parts.keep_parts(False)
    plain = {**portfolio_pages(site_review), **exports(site_review)}
    keep_parts(True)
    assert {**portfolio_pages(site_review), **exports(site_review)} == plain
    first = site_review.accounts[0]
    swapped = replace(site_review, accounts=(replace(first), *site_review.accounts[1:]))
    next_rebuild()
    assert {**portfolio_pages(swapped), **exports(swapped)} == plain


def _entries(location: str, count: int) -> list[dict[str, Any]]:
    return [{"location": f"{location}#{n}", "title": f"Café {n} 海尔", "text": "<b>x</b> \"y\""}
            for n in range(count)]


def test_the_joined_search_index_equals_materials() -> None:
    index = SearchIndex(lang=["en"], separator="[\\s]+", pipeline=["stemmer"], fields={})
    pages = [("a.md", _entries("a/", 2)), ("empty.md", []), ("b.md", _entries("b/", 1))]
    index.entries = [entry for _, entries in pages for entry in entries]
    whole = index.generate_search_index(None)
    pieces = SearchPieces()
    with pieces.joined(index, pages):
        assert index.generate_search_index(None) == whole
    assert json.loads(whole)["docs"] == index.entries
    # A page's new entries are written anew; the kept pieces of the others are taken again.
    pages[0] = ("a.md", _entries("a/", 3))
    index.entries = [entry for _, entries in pages for entry in entries]
    whole = index.generate_search_index(None)
    with pieces.joined(index, pages):
        assert index.generate_search_index(None) == whole
    assert "generate_search_index" not in vars(index)


def test_an_index_the_pieces_do_not_match_is_written_whole() -> None:
    index = SearchIndex(lang=["en"], separator="[\\s]+", pipeline=[], fields={})
    index.entries = _entries("a/", 2)
    with SearchPieces().joined(index, [("a.md", _entries("a/", 1))]):
        assert index.generate_search_index(None) == json.dumps(
            {"config": {"lang": ["en"], "separator": "[\\s]+", "pipeline": [], "fields": {}},
             "docs": index.entries}, separators=(",", ":"), default=str)
