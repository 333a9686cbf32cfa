"""The heap as it is now, set aside from the garbage collector's full passes while a long
phase runs: `kam check`'s batches, or the site's page workers.

What lives when the phase starts (modules, the rules, the review, the pages made so far)
lives to its end; each full collection would go through all of that again, a cost that grows
with the portfolio on every full pass. A forked page worker inherits it too (and, touching
every object, a full pass in it would copy the memory it shares with the parent page by page),
and so would the parent's own passes while it waits and takes the results. Frozen, those
objects are left out of the passes; nothing is collected that would not have been, later.
When something else froze the heap already (`kam serve` between builds), it is left as it is.
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
