"""The strategic focus matrix: attractiveness against relationship, one dot per account, in
the four focus cells, with labels kept apart and links to the accounts' pages."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kam_review.output.charts import svg
from kam_review.output.charts.svg import AXIS, C1, C2, C3, C4, GRID, HALO, Box

CELL_COLOURS = {"Key": C3, "Target": C1, "Maintain": C2, "Low profile": C4}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


@dataclass(frozen=True)
class MatrixPoint:
    """One account in the focus matrix: scores 1..5 and an optional link to its page."""

    name: str
    x: float  # attractiveness
    y: float  # relationship
    href: str | None = None


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _safe_href(href: str | None) -> str | None:
    """Relative links and http(s) only; browsers ignore control characters in a scheme."""
    if not href:
        return None
    match = _SCHEME.match(re.sub(r"[\x00-\x20]", "", href).lower())
    return None if match and match.group(1) not in ("http", "https") else href


def _cell(x: float, y: float, threshold_x: float, threshold_y: float) -> str:
    """The focus cell of a score pair; a score on a threshold counts as high / strong."""
    high, strong = x >= threshold_x, y >= threshold_y
    return ("Key" if strong else "Target") if high else ("Maintain" if strong else "Low profile")


def _cells(left: float, right: float, top: float, bottom: float, tx: float,
           ty: float, taken: list[Box]) -> list[str]:
    """The four tinted cells with their names in the corners (which labels then avoid)."""
    spans = {"Maintain": (left, tx, top, ty), "Key": (tx, right, top, ty),
             "Low profile": (left, tx, ty, bottom), "Target": (tx, right, ty, bottom)}
    corners = {"Maintain": (left + 8, top + 18, "start"), "Key": (right - 8, top + 18, "end"),
               "Low profile": (left + 8, bottom - 10, "start"),
               "Target": (right - 8, bottom - 10, "end")}
    parts = [svg.rect(x0, y0, x1 - x0, y1 - y0, f"fill:{CELL_COLOURS[name]};fill-opacity:.08")
             for name, (x0, x1, y0, y1) in spans.items()]
    for name, (x, y, anchor) in corners.items():
        x0 = x if anchor == "start" else x - len(name) * 8
        taken.append((x0, y - 12, x0 + len(name) * 8, y + 2))
        parts.append(svg.text(x, y, name, anchor, f"font-weight:600;font-size:13px;"
                              f"fill:{CELL_COLOURS[name]}"))
    dashed = f"{AXIS};stroke-dasharray:6 4"
    return [*parts, svg.line(tx, top, tx, bottom, dashed), svg.line(left, ty, right, ty, dashed)]


def _place(cx: float, cy: float, width: float, right: float,
           taken: list[Box]) -> tuple[float, float, str]:
    """A label beside its dot, moved a line down or up while it would cover another one."""
    start = cx + 9 + width <= right
    x0 = cx + 9 if start else cx - 9 - width
    for dy in (0, 12, -12, 24, -24, 36, -36, 48, -48):
        box = (x0, cy + dy - 6, x0 + width, cy + dy + 6)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                   for b in taken):
            break
    taken.append(box)
    return (cx + 9 if start else cx - 9), cy + dy + 4, ("start" if start else "end")


def focus_matrix(points: Sequence[MatrixPoint], threshold_x: float, threshold_y: float) -> str:
    """Attractiveness (across) against relationship (up), one dot per account, in four cells."""
    label = "Strategic focus matrix"
    if not points:
        return svg.no_data(label)
    left, right, top, bottom = 60.0, 610.0, 20.0, 440.0
    sx, sy = svg.linear(1, 5, left, right), svg.linear(1, 5, bottom, top)

    def clamp(v: float) -> float:  # scores outside 1..5 stay on the chart's edge
        return min(max(v if math.isfinite(v) else 1.0, 1.0), 5.0)

    coords = [(sx(clamp(p.x)), sy(clamp(p.y))) for p in points]
    taken: list[Box] = [(x - 6, y - 6, x + 6, y + 6) for x, y in coords]
    body = _cells(left, right, top, bottom, sx(clamp(threshold_x)), sy(clamp(threshold_y)),
                  taken)
    for tick in range(1, 6):
        body += [svg.line(sx(tick), top, sx(tick), bottom, GRID),
                 svg.line(left, sy(tick), right, sy(tick), GRID),
                 svg.text(sx(tick), bottom + 18, str(tick), "middle"),
                 svg.text(left - 8, sy(tick) + 4, str(tick), "end")]
    middle = (top + bottom) / 2
    body += [svg.text((left + right) / 2, bottom + 42, "Attractiveness", "middle",
                      "font-weight:600"),
             svg.text(18, middle, "Relationship", "middle", "font-weight:600",
                      f'transform="rotate(-90 18 {svg.num(middle)})"')]
    for p, (cx, cy) in zip(points, coords, strict=True):
        name = svg.short(p.name, 28)
        lx, ly, anchor = _place(cx, cy, len(name) * 6.2, right, taken)
        cell = _cell(p.x, p.y, threshold_x, threshold_y)
        tip = f"{p.name}: attractiveness {_trim(f'{p.x:.2f}')}, " \
              f"relationship {_trim(f'{p.y:.2f}')} ({cell})"
        group = [svg.dot(cx, cy, C1, tip, 6, "kam-dot"),
                 svg.text(lx, ly, name, anchor, f"{HALO};font-size:11px")]
        href = _safe_href(p.href)
        body += group if href is None else [f'<a href="{svg.esc(href)}">', *group, "</a>"]
    return svg.chart(640, 500, label, body)
