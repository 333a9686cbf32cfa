"""Parts of the portfolio's pages and files made from one account (a table row, a CSV line),
kept between the rebuilds of `kam serve` so that an edit makes again only the edited
account's parts; the pages are then joined from them as before.

A part is kept under the objects it is made from (an account's result, a finding: a rebuild
keeps the unchanged accounts' objects and makes new ones for the edited accounts) and any
small value beside them (a column shown or not, a class that depends on every account): it is
taken again only for the very same objects and an equal value. What else a part reads (the
rules, the site's language, the figures' formats) stays as it is between rebuilds; anything
that changes it is a full build, which starts with nothing kept. Outside `kam serve` nothing
is kept and every part is made as it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
_Key = tuple[str, tuple[int, ...], Hashable]


class _Parts:
    """The parts of the last rebuild (`old`) and of this one (`new`): a part not asked for in
    a whole rebuild belonged to an account edited or gone, and is let go."""

    def __init__(self) -> None:
        self.old: dict[_Key, tuple[tuple[object, ...], Any]] = {}
        self.new: dict[_Key, tuple[tuple[object, ...], Any]] = {}


_PARTS: _Parts | None = None


def keep_parts(on: bool) -> None:
    """Start keeping parts, with none kept yet (on), or stop keeping them."""
    global _PARTS
    _PARTS = _Parts() if on else None


def next_rebuild() -> None:
    """A rebuild starts: the parts the last one asked for are the ones it may take again."""
    if _PARTS is not None:
        _PARTS.old, _PARTS.new = _PARTS.new, {}


def part(name: str, owners: tuple[object, ...], extra: Hashable, make: Callable[..., T],
         *args: Any) -> T:
    """The part `name` made from `owners` (and `extra`): kept, or made now: make(*args)."""
    parts = _PARTS
    if parts is None:
        return make(*args)
    key = (name, tuple(map(id, owners)), extra)
    found = parts.new.get(key) or parts.old.get(key)
    # Holding the owners keeps their ids from being given to other objects meanwhile.
    if found is not None and all(a is b for a, b in zip(found[0], owners, strict=True)):
        parts.new[key] = found
        value: T = found[1]
        return value
    made = make(*args)
    parts.new[key] = (owners, made)
    return made


def keeping() -> bool:
    """Whether parts are kept (in `kam serve`)."""
    return _PARTS is not None
