"""The heap frozen for a long phase (kam_review/frozen_heap.py), as `kam check` and the site's
page workers use it: frozen for the phase, thawed after, a freeze made by someone else left
as it is."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from kam_review.frozen_heap import Freeze, frozen_heap


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_heap_is_frozen_for_the_phase_only() -> None:
    with frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_a_freeze_made_before_is_left_as_it_is() -> None:
    """Neither thawed (the count would drop to 0) nor frozen again (it would take in the
    young lists); a frozen object that dies meanwhile leaves the count, so it may shrink."""
    gc.freeze()
    frozen = gc.get_freeze_count()
    young = [[] for _ in range(100)]  # tracked by the collector, not frozen
    with frozen_heap():
        pass
    assert 0 < gc.get_freeze_count() <= frozen
    freeze = Freeze()
    freeze.start()
    freeze.thaw()
    assert 0 < gc.get_freeze_count() <= frozen
    assert len(young) == 100


def test_the_heap_is_thawed_when_the_phase_fails() -> None:
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("the phase failed")
    assert gc.get_freeze_count() == 0
