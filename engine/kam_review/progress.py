"""Progress on a terminal for long runs (thousands of accounts), silent everywhere else."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Protocol, TypeVar

T = TypeVar("T")
# Below this many items a run is quick enough that a progress bar would only flicker.
MIN_ITEMS = 500


class Progress(Protocol):
    def __call__(self, items: Iterable[T], total: int, label: str) -> Iterable[T]: ...


def silent(items: Iterable[T], total: int, label: str) -> Iterable[T]:
    return items


def on_terminal(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """A bar on standard error when it is a terminal and the run is long; else nothing."""
    from tqdm import tqdm  # here: a quiet run does not load it

    show = total >= MIN_ITEMS and sys.stderr.isatty()
    yield from tqdm(items, total=total, desc=label, unit="account", disable=not show,
                    file=sys.stderr, leave=False, mininterval=0.5)
