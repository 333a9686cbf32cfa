"""The site's name for kam_review.frozen_heap (the helper lives underneath every floor, so
that commands use it too)."""

from kam_review.frozen_heap import Freeze, frozen_heap

__all__ = ["Freeze", "frozen_heap"]
