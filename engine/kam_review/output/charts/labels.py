"""Placing text labels beside dots so that no label covers another label, a dot or a name
already drawn: the first free spot beside the dot, else further out with a leader line back
to it, else no label (the dot keeps its tooltip and the chart its table). Deterministic: the
same dots give the same places."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from kam_review.output.charts.svg import Box

HEIGHT = 13.0  # of a label line at 11px, with room above and below the letters
_GAP = 4.0  # between a dot's edge and its label
_RINGS = 12  # spots further out, each ring 14 units beyond the last, before giving up
_DIRECTIONS = 16
_CELL = 40.0  # the side of a bucket of the index of boxes taken


def text_width(text: str) -> float:
    """A generous estimate of a label's width at 11px: a wide (CJK) character counts
    11 units, any other 6.6, more than most letters of the page's font take."""
    return sum(11.0 if unicodedata.east_asian_width(c) in "WF" else 6.6 for c in text)


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class Taken:
    """The boxes drawn so far, in buckets of _CELL units, so that a check looks only at the
    boxes nearby (a portfolio of thousands of dots stays quick)."""

    def __init__(self) -> None:
        self._buckets: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, box: Box) -> Iterator[tuple[int, int]]:
        for i in range(math.floor(box[0] / _CELL), math.floor(box[2] / _CELL) + 1):
            for j in range(math.floor(box[1] / _CELL), math.floor(box[3] / _CELL) + 1):
                yield i, j

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self._buckets.setdefault(key, []).append(box)

    def free(self, box: Box) -> bool:
        return not any(overlaps(box, other) for key in self._keys(box)
                       for other in self._buckets.get(key, ()))


@dataclass(frozen=True)
class Placed:
    """Where a label goes: its box (text starts at x0, baseline near y1), and the leader
    line from the dot's edge to it, if it stands apart."""

    box: Box
    leader: tuple[float, float, float, float] | None = None


def _spots(cx: float, cy: float, r: float, w: float) -> Iterator[tuple[Box, bool]]:
    """Boxes of width w around a dot, nearest first; True: apart, it needs a leader line."""
    gap, half, slant = r + _GAP, HEIGHT / 2, (r + _GAP) * 0.7
    beside = [(cx + gap, cy - half), (cx - gap - w, cy - half),
              (cx - w / 2, cy - gap - HEIGHT), (cx - w / 2, cy + gap),
              (cx + slant, cy - slant - HEIGHT), (cx - slant - w, cy - slant - HEIGHT),
              (cx + slant, cy + slant), (cx - slant - w, cy + slant)]
    for x0, y0 in beside:
        yield (x0, y0, x0 + w, y0 + HEIGHT), False
    for ring in range(1, _RINGS + 1):
        distance = gap + ring * 14
        for k in range(_DIRECTIONS):
            angle = 2 * math.pi * k / _DIRECTIONS
            dx, dy = math.cos(angle), math.sin(angle)
            px, py = cx + distance * dx, cy + distance * dy
            x0 = px if dx > 0.3 else px - w if dx < -0.3 else px - w / 2
            y0 = py if dy > 0.3 else py - HEIGHT if dy < -0.3 else py - half
            yield (x0, y0, x0 + w, y0 + HEIGHT), True


def _leader(cx: float, cy: float, r: float, box: Box) -> tuple[float, float, float, float]:
    """From the dot's edge towards the nearest point of the box, ending at the box."""
    nx, ny = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
    length = math.hypot(nx - cx, ny - cy) or 1.0
    return cx + (nx - cx) * r / length, cy + (ny - cy) * r / length, nx, ny


def place(cx: float, cy: float, r: float, width: float, bounds: Box,
          taken: Taken) -> Placed | None:
    """The first free spot for a label of `width` beside the dot at (cx, cy) of radius r,
    inside `bounds`; the box is then taken. None: no free spot within reach."""
    for box, apart in _spots(cx, cy, r, width):
        inside = (bounds[0] <= box[0] and box[2] <= bounds[2] and bounds[1] <= box[1]
                  and box[3] <= bounds[3])
        if inside and taken.free(box):
            taken.add(box)
            return Placed(box, _leader(cx, cy, r, box) if apart else None)
    return None
