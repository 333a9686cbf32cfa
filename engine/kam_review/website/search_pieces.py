"""The search index file of `kam serve`'s rebuild, joined from each page's entries written as
JSON once and kept, instead of the whole index written again after every edit.

Material writes `{"config": ..., "docs": [entries]}` with `json.dumps` (compact separators,
`default=str`); JSON written that way is the same text whether a list is written whole or
its items one by one and joined with commas, so the joined file equals Material's byte for
byte. A page's piece is written again only when its entries are another list than the one
it was written from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from kam_review.website.search_entries import Entries

_SEPARATORS = (",", ":")


class SearchPieces:
    """Each page's entries as JSON, by the page's source path."""

    def __init__(self) -> None:
        self._pieces: dict[str, tuple[Entries, str]] = {}

    def piece(self, uri: str, entries: Entries) -> str:
        """The page's entries as JSON items joined by commas ("" for none)."""
        kept = self._pieces.get(uri)
        if kept is not None and kept[0] is entries:
            return kept[1]
        text = ",".join(json.dumps(entry, separators=_SEPARATORS, default=str)
                        for entry in entries)
        self._pieces[uri] = (entries, text)
        return text

    @contextmanager
    def joined(self, index: Any, pages: Iterable[tuple[str, Entries]]) -> Iterator[None]:
        """While in the block, `index` (Material's SearchIndex, whose entries are the
        pages' `pages` in that order) writes its file from the kept pieces."""
        listed = list(pages)
        original: Callable[[Any], str] = index.generate_search_index

        def generate_search_index(prev: Any) -> str:
            if prev is not None or sum(len(entries) for _, entries in listed) != len(
                    index.entries):
                return original(prev)  # not the index the pieces were kept for
            entries, index.entries = index.entries, []
            try:
                head = original(None)
            finally:
                index.entries = entries
            if not head.endswith("[]}"):
                return original(None)
            docs = ",".join(text for uri, made in listed if (text := self.piece(uri, made)))
            return f"{head[:-3]}[{docs}]}}"

        index.generate_search_index = generate_search_index
        try:
            yield
        finally:
            vars(index).pop("generate_search_index", None)

