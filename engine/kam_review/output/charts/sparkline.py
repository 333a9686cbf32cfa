"""A sparkline: a small line of values by label (an account's revenue, quarter by quarter),
drawn from zero so that a small change looks small. A value that is None is a gap: the line
stops, and a dashed mark says the figure is unknown, never zero. The whole series is in the
chart's text alternative."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from kam_review.formatting import money
from kam_review.i18n import _
from kam_review.output.charts import svg
from kam_review.output.charts.svg import AXIS, C1, C4, Chart
from kam_review.wording import labelled

WIDTH, HEIGHT = 240, 56
_LEFT, _RIGHT, _TOP, _BOTTOM = 8.0, 232.0, 8.0, 48.0


def sparkline(labels: Sequence[str], values: Sequence[float | None], title: str,
              shown: Callable[[float], str] = money) -> Chart:
    if len(values) != len(labels):
        raise ValueError("every label needs one value")
    points = [v if v is not None and math.isfinite(v) else None for v in values]
    known = [v for v in points if v is not None]
    said = _("; ").join(f"{label} " + (_("no row") if v is None else shown(v))
                     for label, v in zip(labels, points, strict=True))
    if not known:
        return svg.no_data(title)
    top = max(max(known), 0.0) or 1.0
    bottom = min(min(known), 0.0)
    sy = svg.linear(bottom, top, _BOTTOM, _TOP)
    step = (_RIGHT - _LEFT) / max(len(points) - 1, 1)
    xs = [_LEFT + i * step if len(points) > 1 else (_LEFT + _RIGHT) / 2
          for i in range(len(points))]
    body = [svg.line(_LEFT, sy(0.0), _RIGHT, sy(0.0), AXIS + ";stroke-width:.5")]
    runs: list[list[tuple[float, float]]] = [[]]
    for x, value in zip(xs, points, strict=True):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((x, sy(value)))
    body += [svg.polyline(run, C1) for run in runs if len(run) > 1]
    last = max(i for i, v in enumerate(points) if v is not None)
    for i, (x, label, value) in enumerate(zip(xs, labels, points, strict=True)):
        if value is None:
            body.append(_gap(x, _("{quarter}: no row (unknown)").format(quarter=label)))
        else:
            body.append(svg.dot(x, sy(value), C1, labelled(label, shown(value)),
                                r=3.5 if i == last else 2))
    description = _("{title}, a line from zero; a dashed mark is a quarter without a row "
                    "(unknown, not zero).").format(title=title)
    return Chart(svg.chart(WIDTH, HEIGHT, labelled(title, said), body, description), title,
                 ("Quarter", "Value"), tuple((label, "no row (unknown)" if v is None else shown(v))
                              for label, v in zip(labels, points, strict=True)))


def _gap(x: float, tip: str) -> str:
    """A dashed upright mark where a value is missing."""
    return (f'<line class="kam-gap" x1="{svg.num(x)}" y1="{svg.num(_TOP)}" x2="{svg.num(x)}" '
            f'y2="{svg.num(_BOTTOM)}" style="stroke:{C4};stroke-dasharray:3 3">'
            f"<title>{svg.esc(tip)}</title></line>")
