"""The heap as it is when page workers fork, set aside from the garbage collector's full
passes until they are done.

A forked worker inherits the review and every page made so far; each full collection in it
would go through all of that again (and, touching every object, copy the memory it shares
with the parent page by page), and so would the parent's own while it waits and takes the
results: a cost that grows with the portfolio on every full pass. Frozen, those objects are
left out of the passes; nothing is collected that would not have been, later. When something
else froze the heap already (`kam serve` between builds), it is left as it is.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


class Freeze:
    """A freeze that spans events (a build's page phase): `thaw` undoes only what its own
    `start` froze."""

    def __init__(self) -> None:
        self._frozen = False

    def start(self) -> None:
        if not self._frozen and not gc.get_freeze_count():
            gc.freeze()
            self._frozen = True

    def thaw(self) -> None:
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The heap frozen for the duration (see the module)."""
    freeze = Freeze()
    freeze.start()
    try:
        yield
    finally:
        freeze.thaw()
