"""Charts for the review site, drawn at build time as inline SVG strings.

No JavaScript, no web fonts, no requests: each function returns one `<svg>` element that a
Markdown page carries as raw HTML. The output is a pure function of the input (no ids, no
timestamps, coordinates rounded to one decimal), so a rebuilt site is byte-identical.
Every line starts with "<" and none is blank, so Python-Markdown never reads part of a chart
as a code block, a quote or a paragraph break; user text is escaped for HTML and Markdown,
on one line, with controls shown as escapes (text_safety.one_line).
Colours are CSS custom properties (--kam-chart-1 ...) with fallbacks; text uses the page's
font and colour.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kam_review.formatting import money, pct
from kam_review.text_safety import one_line

Scale = Callable[[float], float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 of a label, to keep labels apart

C1 = "var(--kam-chart-1,#3f51b5)"
C2 = "var(--kam-chart-2,#e65100)"
C3 = "var(--kam-chart-3,#00897b)"
C4 = "var(--kam-chart-4,#9e9e9e)"
BG = "var(--kam-chart-bg,var(--md-default-bg-color,#fff))"
GRID = "stroke:currentColor;stroke-opacity:.15"
AXIS = "stroke:currentColor;stroke-opacity:.5"
# A halo in the background colour keeps labels readable where they cross lines or dots.
HALO = f"paint-order:stroke;stroke:{BG};stroke-width:3px;stroke-linejoin:round"
CLASS_COLOURS = {"A": C1, "B": C3, "C": C4}
CELL_COLOURS = {"Key": C3, "Target": C1, "Maintain": C2, "Low profile": C4}
# Inside a paragraph these would turn into emphasis, code, links or attribute lists.
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]{}"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


@dataclass(frozen=True)
class MatrixPoint:
    """One account in the focus matrix: scores 1..5 and an optional link to its page."""

    name: str
    x: float  # attractiveness
    y: float  # relationship
    href: str | None = None


# -- small pieces ---------------------------------------------------------------------------

def _esc(text: object) -> str:
    return html.escape(one_line(str(text)), quote=True).translate(_MARKDOWN)


def _n(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _safe_href(href: str | None) -> str | None:
    """Relative links and http(s) only; browsers ignore control characters in a scheme."""
    if not href:
        return None
    match = _SCHEME.match(re.sub(r"[\x00-\x20]", "", href).lower())
    return None if match and match.group(1) not in ("http", "https") else href


def _scale(lo: float, hi: float, steps: int = 5) -> list[float]:
    """Round tick values covering lo..hi and zero."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi = 1.0
    raw = (hi - lo) / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [i * step for i in range(first, last + 1)]


def _text(x: float, y: float, text: str, anchor: str = "start", style: str = "",
          attrs: str = "") -> str:
    extra = (f' style="{style}"' if style else "") + (f" {attrs}" if attrs else "")
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{_esc(text)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, style: str = AXIS) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" style="{style}"/>'


def _rect(x: float, y: float, w: float, h: float, style: str, tip: str | None = None,
          cls: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    head = f'<rect{attrs} x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" style="{style}"'
    return f"{head}><title>{_esc(tip)}</title></rect>" if tip else head + "/>"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-label="{_esc(label)}" class="kam-chart" '
            f'style="max-width:{width}px;height:auto;font-family:inherit;font-size:12px;'
            f'fill:var(--kam-chart-fg,currentColor)">')
    return "\n".join([head, f"<title>{_esc(label)}</title>", *body, "</svg>"])


def _no_data(label: str) -> str:
    return _svg(320, 60, f"{label}: No data", [_text(160, 35, "No data", "middle", "opacity:.7")])


def _x_labels(labels: Sequence[str], centres: Sequence[float], y: float,
              slot: float) -> tuple[list[str], float]:
    """Category labels under the plot, turned 60 degrees if need be; and how far down they go."""
    if max(len(label) for label in labels) * 6.6 <= slot * 0.95:
        return [_text(x, y, t, "middle") for x, t in zip(centres, labels, strict=True)], y + 8
    size = min(12.0, slot * 0.8)  # smaller when even turned lines would touch
    texts = [_short(label, 16) for label in labels]
    depth = max(len(t) for t in texts) * size * 0.55 * 0.87 + 8
    return [_text(x, y, t, "end", f"font-size:{_n(size)}px",
                  f'transform="rotate(-60 {_n(x)} {_n(y)})"')
            for x, t in zip(centres, texts, strict=True)], y + depth


def _y_axis(ticks: Sequence[float], sy: Scale, x0: float, x1: float, fmt: Callable[[float], str],
            right: bool = False) -> list[str]:
    parts = [_line(x0, sy(t), x1, sy(t), GRID) for t in ticks] if not right else []
    x, anchor = (x1 + 8, "start") if right else (x0 - 8, "end")
    return parts + [_text(x, sy(t) + 4, fmt(t), anchor) for t in ticks]


def _linear(d0: float, d1: float, r0: float, r1: float) -> Scale:
    return lambda v: r0 + (v - d0) / (d1 - d0) * (r1 - r0)


@dataclass(frozen=True)
class _BarPlot:
    parts: list[str]
    centres: list[float]  # of the bars, for what is drawn over them
    scale: Scale
    height: int  # of the whole chart, down to the end of the category labels


def _bar_plot(labels: Sequence[str], values: Sequence[float], tips: Sequence[str],
              colours: Sequence[str], plot: Box) -> _BarPlot:
    """Money axis, one bar per value from the zero line, and the category labels."""
    left, top, right, bottom = plot
    slot = (right - left) / len(values)
    ticks = _scale(min(values), max(values))
    sy = _linear(ticks[0], ticks[-1], bottom, top)
    zero, centres = sy(0.0), [left + (i + 0.5) * slot for i in range(len(values))]
    parts = _y_axis(ticks, sy, left, right, money)
    parts += [_rect(x - slot * 0.35, min(zero, sy(v)), slot * 0.7, abs(sy(v) - zero),
                    f"fill:{colour}", tip, "kam-bar")
              for x, v, tip, colour in zip(centres, values, tips, colours, strict=True)]
    names, end = _x_labels(labels, centres, bottom + 18, slot)
    return _BarPlot([*parts, _line(left, zero, right, zero), *names], centres, sy, math.ceil(end))


def _dot(x: float, y: float, colour: str, tip: str, r: float = 4, cls: str = "kam-point") -> str:
    return (f'<circle class="{cls}" cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" '
            f'style="fill:{colour};stroke:{BG};stroke-width:1"><title>{_esc(tip)}</title></circle>')


def _polyline(coords: Sequence[tuple[float, float]], colour: str) -> str:
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
    return f'<polyline points="{points}" style="fill:none;stroke:{colour};stroke-width:2"/>'


def _legend(entries: Sequence[tuple[str, str, bool]], x: float, y: float) -> list[str]:
    """Swatches (a square, or a short line for a line series) with their names, in a row."""
    parts: list[str] = []
    for colour, name, is_line in entries:
        if is_line:
            parts.append(_line(x, y - 4, x + 14, y - 4, f"stroke:{colour};stroke-width:2"))
        else:
            parts.append(_rect(x + 2, y - 10, 10, 10, f"fill:{colour}"))
        parts.append(_text(x + 18, y, name))
        x += 34 + len(name) * 6.6
    return parts


def _heading(text: str) -> str:
    return _text(10, 20, text, style="font-weight:600;font-size:13px")


# -- focus matrix ---------------------------------------------------------------------------

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
    parts = [_rect(x0, y0, x1 - x0, y1 - y0, f"fill:{CELL_COLOURS[name]};fill-opacity:.08")
             for name, (x0, x1, y0, y1) in spans.items()]
    for name, (x, y, anchor) in corners.items():
        x0 = x if anchor == "start" else x - len(name) * 8
        taken.append((x0, y - 12, x0 + len(name) * 8, y + 2))
        parts.append(_text(x, y, name, anchor, f"font-weight:600;font-size:13px;"
                           f"fill:{CELL_COLOURS[name]}"))
    dashed = f"{AXIS};stroke-dasharray:6 4"
    return [*parts, _line(tx, top, tx, bottom, dashed), _line(left, ty, right, ty, dashed)]


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
        return _no_data(label)
    left, right, top, bottom = 60.0, 610.0, 20.0, 440.0
    sx, sy = _linear(1, 5, left, right), _linear(1, 5, bottom, top)

    def clamp(v: float) -> float:  # scores outside 1..5 stay on the chart's edge
        return min(max(v if math.isfinite(v) else 1.0, 1.0), 5.0)

    coords = [(sx(clamp(p.x)), sy(clamp(p.y))) for p in points]
    taken: list[Box] = [(x - 6, y - 6, x + 6, y + 6) for x, y in coords]
    body = _cells(left, right, top, bottom, sx(clamp(threshold_x)), sy(clamp(threshold_y)),
                  taken)
    for tick in range(1, 6):
        body += [_line(sx(tick), top, sx(tick), bottom, GRID),
                 _line(left, sy(tick), right, sy(tick), GRID),
                 _text(sx(tick), bottom + 18, str(tick), "middle"),
                 _text(left - 8, sy(tick) + 4, str(tick), "end")]
    body += [_text((left + right) / 2, bottom + 42, "Attractiveness", "middle", "font-weight:600"),
             _text(18, (top + bottom) / 2, "Relationship", "middle", "font-weight:600",
                   f'transform="rotate(-90 18 {_n((top + bottom) / 2)})"')]
    for p, (cx, cy) in zip(points, coords, strict=True):
        name = _short(p.name, 28)
        lx, ly, anchor = _place(cx, cy, len(name) * 6.2, right, taken)
        cell = _cell(p.x, p.y, threshold_x, threshold_y)
        tip = f"{p.name}: attractiveness {_trim(f'{p.x:.2f}')}, " \
              f"relationship {_trim(f'{p.y:.2f}')} ({cell})"
        group = [_dot(cx, cy, C1, tip, 6, "kam-dot"),
                 _text(lx, ly, name, anchor, f"{HALO};font-size:11px")]
        href = _safe_href(p.href)
        body += group if href is None else [f'<a href="{_esc(href)}">', *group, "</a>"]
    return _svg(640, 500, label, body)


# -- Pareto / ABC ---------------------------------------------------------------------------

def _ranked(items: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    clean = [(name, value if math.isfinite(value) else 0.0) for name, value in items]
    return sorted(clean, key=lambda item: (-item[1], item[0]))


def _class_list(ranked: Sequence[tuple[str, float]], a_share: float,
                b_share: float) -> list[str]:
    total = sum(max(value, 0.0) for _, value in ranked)
    classes, before = [], 0.0
    for _, value in ranked:
        # The share before this account decides, so the account crossing a cut-off stays above.
        share = before / total if total > 0 else 1.0
        classes.append("A" if share < a_share - 1e-9 else "B" if share < b_share - 1e-9 else "C")
        before += max(value, 0.0)
    return classes


def abc_classes(items: Sequence[tuple[str, float]], a_share: float = 0.8,
                b_share: float = 0.95) -> dict[str, str]:
    """Name -> "A" / "B" / "C" by cumulative share of the total, largest value first.

    The account whose cumulative share reaches a cut-off still belongs to the class above it.
    Negative values count as zero; with no positive total every account is "C".
    """
    ranked = _ranked(items)
    return {name: cls for (name, _), cls in
            zip(ranked, _class_list(ranked, a_share, b_share), strict=True)}


def pareto_curve(items: Sequence[tuple[str, float]], a_share: float = 0.8,
                 b_share: float = 0.95, title: str = "Revenue") -> str:
    """Accounts as bars, largest first, with the cumulative share and the A/B/C cut-offs."""
    label = f"{title}: Pareto curve"
    if not items:
        return _no_data(label)
    ranked = _ranked(items)
    total = sum(max(value, 0.0) for _, value in ranked)
    if total <= 0:
        note = "The total is zero or negative: nothing to rank."
        return _svg(720, 100, label, [_heading(label), _text(360, 64, note, "middle")])
    classes = _class_list(ranked, a_share, b_share)
    plot = left, top, right, bottom = 64.0, 66.0, 656.0, 330.0
    slot, sp = (right - left) / len(ranked), _linear(0, 1, bottom, top)
    cumulative, coords, tips = 0.0, [(left, sp(0))], []
    for i, ((name, value), cls) in enumerate(zip(ranked, classes, strict=True)):
        cumulative += max(value, 0.0)
        coords.append((left + (i + 1) * slot, sp(cumulative / total)))
        tips.append(f"{name}: {money(value)}, {pct(cumulative / total)} cumulative, class {cls}")
    body = [_heading(label), *_legend([(C1, f"A ≤ {pct(a_share)}", False),
                                       (C3, f"B ≤ {pct(b_share)}", False), (C4, "C", False),
                                       (C2, "Cumulative share", True)], 10, 42)]
    bars = _bar_plot([n for n, _ in ranked], [v for _, v in ranked], tips,
                     [CLASS_COLOURS[c] for c in classes], plot)
    body += bars.parts + _y_axis([0, 0.25, 0.5, 0.75, 1], sp, left, right, pct, right=True)
    for share, name in ((a_share, "A"), (b_share, "B")):
        body += [_line(left, sp(share), right, sp(share), f"stroke:{C2};stroke-dasharray:4 3"),
                 _text(right - 6, sp(share) + 14, f"{name} cut-off {pct(share)}", "end",
                       f"{HALO};font-size:11px")]
    for cls in "ABC":  # the class's letter over its bars, a line where the next class starts
        members = [i for i, c in enumerate(classes) if c == cls]
        if members:
            x0, x1 = left + members[0] * slot, left + (members[-1] + 1) * slot
            body += [_line(x1, top - 12, x1, bottom, GRID),
                     _text((x0 + x1) / 2, top - 2, cls, "middle",
                           f"font-weight:600;fill:{CLASS_COLOURS[cls]}")]
    body += [_polyline(coords, C2),
             *(_dot(x, y, C2, tip, min(4.0, slot / 4))
               for (x, y), tip in zip(coords[1:], tips, strict=True))]
    return _svg(720, bars.height, label, body)


# -- series over time -----------------------------------------------------------------------

def _check_lengths(labels: Sequence[str], *series: Sequence[float | None]) -> None:
    if any(len(values) != len(labels) for values in series):
        raise ValueError("every series needs one value per label")


def bar_line_chart(labels: Sequence[str], bars: Sequence[float | None],
                   line: Sequence[float | None], bar_title: str, line_title: str,
                   line_is_ratio: bool = True) -> str:
    """Bars on the left axis (money) and a line on the right axis (percent); None is a gap:
    no bar, and its tip says the figure is unknown."""
    label = f"{bar_title} and {line_title}"
    if not labels:
        return _no_data(label)
    _check_lengths(labels, bars, line)
    values = [v if v is not None and math.isfinite(v) else 0.0 for v in bars]
    points = [v if v is not None and math.isfinite(v) else None for v in line]
    known = [v for v in points if v is not None]
    plot = left, top, right, bottom = 64.0, 40.0, 656.0, 300.0
    rticks = _scale(min(known, default=0.0), max(known, default=0.0))
    sr, fmt = _linear(rticks[0], rticks[-1], bottom, top), (pct if line_is_ratio else money)
    tips = [f"{t}: {bar_title} " + ("unknown (no row)" if b is None else money(v))
            for t, b, v in zip(labels, bars, values, strict=True)]
    drawn = _bar_plot(labels, values, tips, [C1] * len(values), plot)
    body = _legend([(C1, bar_title, False), (C2, line_title, True)], left, 20)
    body += drawn.parts + _y_axis(rticks, sr, left, right, fmt, right=True)
    runs: list[list[tuple[float, float]]] = [[]]
    for x, value in zip(drawn.centres, points, strict=True):
        if value is None:  # a gap ends the stretch of line drawn so far
            runs.append([])
        else:
            runs[-1].append((x, sr(value)))
    body += [_polyline(run, C2) for run in runs if len(run) > 1]
    body += [_dot(x, sr(v), C2, f"{t}: {line_title} {fmt(v)}")
             for x, t, v in zip(drawn.centres, labels, points, strict=True) if v is not None]
    return _svg(720, drawn.height, label, body)


def bar_chart(labels: Sequence[str], series: Sequence[float], title: str) -> str:
    """One series as bars, each with its value written on it."""
    if not labels:
        return _no_data(title)
    _check_lengths(labels, series)
    values = [v if math.isfinite(v) else 0.0 for v in series]
    tips = [f"{t}: {money(v)}" for t, v in zip(labels, values, strict=True)]
    bars = _bar_plot(labels, values, tips, [C1] * len(values), (64, 44, 696, 300))
    size, sy = ("11px" if len(values) <= 16 else "9px"), bars.scale
    body = [_heading(title), *bars.parts]
    body += [_text(x, sy(v) - 5 if v >= 0 else sy(v) + 13, money(v), "middle",
                   f"font-size:{size}") for x, v in zip(bars.centres, values, strict=True)]
    return _svg(720, bars.height, title, body)


# -- funnel ---------------------------------------------------------------------------------

def funnel_chart(stages: Sequence[tuple[str, int, float]]) -> str:
    """One centred bar per stage, as wide as its value (never narrower than 24 units)."""
    label = "Opportunity funnel"
    if not stages:
        return _no_data(label)
    widest = max((v for _, _, v in stages if math.isfinite(v)), default=0.0)
    body: list[str] = []
    for i, (name, count, value) in enumerate(stages):
        share = value / widest if widest > 0 and math.isfinite(value) else 0.0
        width, y = max(24.0, share * 600), 10 + i * 50
        text = f"{_short(name, 60)}: {count} deal{'' if count == 1 else 's'}, {money(value)}"
        body += [_text(360, y + 14, text, "middle"),
                 _rect(360 - width / 2, y + 20, width, 24, f"fill:{C1}", text, "kam-bar")]
    return _svg(720, 20 + 50 * len(stages), label, body)
