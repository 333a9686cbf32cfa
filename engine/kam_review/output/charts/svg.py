"""The pieces every chart is drawn with: SVG elements, axes, a bar plot and a legend, with
coordinates rounded to one decimal and every text escaped for HTML and Markdown; and the
Chart itself, its SVG with the same figures as a table for a reader who cannot see it."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from kam_review.i18n import _, language
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.text_safety import one_line
from kam_review.text_width import display_width
from kam_review.wording import labelled

Scale = Callable[[float], float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 of a label, to keep labels apart

# Every colour has a contrast of at least 4.5:1 against the white page (WCAG AA asks 3:1
# of graphics, 4.5:1 of text), so that a bar, a dot and a label in it all stay readable.
C1 = "var(--kam-chart-1,#3f51b5)"
C2 = "var(--kam-chart-2,#bf360c)"
C3 = "var(--kam-chart-3,#00796b)"
C4 = "var(--kam-chart-4,#616161)"
C5 = "var(--kam-chart-5,#8e24aa)"
C6 = "var(--kam-chart-6,#5d4037)"
# Colours for the values of a key (a class, a verdict), in the key's order; grey is kept
# for "none of these".
PALETTE = (C3, C1, C6, C2, C5)
BG = "var(--kam-chart-bg,var(--md-default-bg-color,#fff))"
GRID = "stroke:currentColor;stroke-opacity:.15"
AXIS = "stroke:currentColor;stroke-opacity:.5"
# A halo in the background colour keeps labels readable where they cross lines or dots.
HALO = f"paint-order:stroke;stroke:{BG};stroke-width:3px;stroke-linejoin:round"
# Inside a paragraph these would turn into emphasis, code, links or attribute lists.
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_[]{}"})


# A chart's figures and names come again and again (every Pareto curve and table names each
# account): each text is escaped once. `typed`, so that 1 and 1.0 are not one key.
@lru_cache(maxsize=1 << 16, typed=True)
def esc(text: object) -> str:
    return html.escape(one_line(str(text)), quote=True).translate(_MARKDOWN)


def num(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ticks(lo: float, hi: float, steps: int = 5) -> list[float]:
    """Round tick values covering lo..hi and zero."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        hi = 1.0
    raw = (hi - lo) / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [i * step for i in range(first, last + 1)]


def text(x: float, y: float, content: str, anchor: str = "start", style: str = "",
         attrs: str = "") -> str:
    extra = (f' style="{style}"' if style else "") + (f" {attrs}" if attrs else "")
    # Every word a chart draws is in the active language (a name or a figure has no key).
    return f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}"{extra}>{esc(_(content))}</text>'


def line(x1: float, y1: float, x2: float, y2: float, style: str = AXIS) -> str:
    return f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" style="{style}"/>'


def rect(x: float, y: float, w: float, h: float, style: str, tip: str | None = None,
         cls: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    head = (f'<rect{attrs} x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" '
            f'style="{style}"')
    return f"{head}><title>{esc(tip)}</title></rect>" if tip else head + "/>"


# The font a chart names, by language. English inherits the page's (whose stack has CJK
# faces too, kam-review.css); a language with its own script names a stack that has it, the
# page's stack, so that a chart saved or opened on its own still renders that script.
CHART_FONTS = {
    "zh": "-apple-system,BlinkMacSystemFont,Helvetica,Arial,'Noto Sans CJK SC','Noto Sans SC',"
          "'Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif",
}


def chart_font() -> str:
    """The chart's font-family in the active language."""
    return CHART_FONTS.get(language(), "inherit")


def chart(width: int, height: int, label: str, body: list[str], description: str = "") -> str:
    """The `<svg>` element of a chart, its lines one per element: its title, what it shows
    in words (`<desc>`), then what is drawn. A chart whose marks link to pages is a group:
    an image holds nothing a reader can focus or follow."""
    role = "group" if any(part.startswith("<a ") for part in body) else "img"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="{role}" aria-label="{esc(label)}" class="kam-chart" '
            f'style="max-width:{width}px;height:auto;font-family:{chart_font()};font-size:12px;'
            f'fill:var(--kam-chart-fg,currentColor)">')
    desc = [f"<desc>{esc(description)}</desc>"] if description else []
    return "\n".join([head, f"<title>{esc(_(label))}</title>", *desc, *body, "</svg>"])


@dataclass(frozen=True)
class Chart:
    """A chart: its SVG, and its figures as a table (caption, head, rows of text) for a
    reader who cannot see the drawing: a screen reader, a search, a copy into a mail."""

    svg: str
    caption: str = ""
    head: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    def html(self) -> str:
        """The SVG, then its table folded in a <details> element, in one <div>: a raw HTML
        block whose every line starts with "<", so that Markdown leaves it whole."""
        if not self.rows:
            return self.svg
        cells = ["<tr>" + "".join(f"<th scope=\"col\">{esc(_(h))}</th>" for h in self.head)
                 + "</tr>"]
        cells += ["<tr>" + "".join(f"<td>{esc(_(c))}</td>" for c in row) + "</tr>"
                  for row in self.rows]
        caption = _(self.caption)
        return "\n".join(['<div class="kam-chart-figure">', self.svg,
                          '<details class="kam-chart-data">',
                          "<summary>" + esc(_("{chart}: the figures as a table").format(
                              chart=caption)) + "</summary>",
                          "<table>", f"<caption>{esc(caption)}</caption>",
                          "<thead>", cells[0], "</thead>", "<tbody>", *cells[1:], "</tbody>",
                          "</table>", "</details>", "</div>"])


def no_data(label: str) -> Chart:
    return Chart(chart(320, 60, labelled(label, _("No data")),
                       [text(160, 35, _("No data"), "middle", "opacity:.7")],
                       labelled(label, _("there is nothing to draw."))))


def _x_labels(labels: Sequence[str], centres: Sequence[float], y: float,
              slot: float) -> tuple[list[str], float]:
    """Category labels under the plot, turned 60 degrees if need be; and how far down they go."""
    if max(len(label) for label in labels) * 6.6 <= slot * 0.95:
        return [text(x, y, t, "middle") for x, t in zip(centres, labels, strict=True)], y + 8
    size = min(12.0, slot * 0.8)  # smaller when even turned lines would touch
    texts = [short(label, 16) for label in labels]
    depth = max(len(t) for t in texts) * size * 0.55 * 0.87 + 8
    return [text(x, y, t, "end", f"font-size:{num(size)}px",
                 f'transform="rotate(-60 {num(x)} {num(y)})"')
            for x, t in zip(centres, texts, strict=True)], y + depth


def y_axis(values: Sequence[float], sy: Scale, x0: float, x1: float,
           fmt: Callable[[float], str], right: bool = False) -> list[str]:
    """Tick values written with `fmt`, left or right of the plot (grid lines on the left)."""
    parts = [line(x0, sy(t), x1, sy(t), GRID) for t in values] if not right else []
    x, anchor = (x1 + 8, "start") if right else (x0 - 8, "end")
    return parts + [text(x, sy(t) + 4, fmt(t), anchor) for t in values]


def linear(d0: float, d1: float, r0: float, r1: float) -> Scale:
    return lambda v: r0 + (v - d0) / (d1 - d0) * (r1 - r0)


@dataclass(frozen=True)
class BarPlot:
    parts: list[str]
    centres: list[float]  # of the bars, for what is drawn over them
    scale: Scale
    height: int  # of the whole chart, down to the end of the category labels


def bar_plot(labels: Sequence[str], values: Sequence[float], tips: Sequence[str],
             colours: Sequence[str], plot: Box, formats: LocaleFormat = ENGLISH) -> BarPlot:
    """Money axis, one bar per value from the zero line, and the category labels."""
    left, top, right, bottom = plot
    slot = (right - left) / len(values)
    marks = ticks(min(values), max(values))
    sy = linear(marks[0], marks[-1], bottom, top)
    zero, centres = sy(0.0), [left + (i + 0.5) * slot for i in range(len(values))]
    parts = y_axis(marks, sy, left, right, formats.money)
    parts += [rect(x - slot * 0.35, min(zero, sy(v)), slot * 0.7, abs(sy(v) - zero),
                   f"fill:{colour}", tip, "kam-bar")
              for x, v, tip, colour in zip(centres, values, tips, colours, strict=True)]
    names, end = _x_labels(labels, centres, bottom + 18, slot)
    return BarPlot([*parts, line(left, zero, right, zero), *names], centres, sy, math.ceil(end))


def dot(x: float, y: float, colour: str, tip: str, r: float = 4, cls: str = "kam-point") -> str:
    return (f'<circle class="{cls}" cx="{num(x)}" cy="{num(y)}" r="{num(r)}" '
            f'style="fill:{colour};stroke:{BG};stroke-width:1"><title>{esc(tip)}</title></circle>')


def polyline(coords: Sequence[tuple[float, float]], colour: str) -> str:
    points = " ".join(f"{num(x)},{num(y)}" for x, y in coords)
    return f'<polyline points="{points}" style="fill:none;stroke:{colour};stroke-width:2"/>'


def legend(entries: Sequence[tuple[str, str, bool]], x: float, y: float) -> list[str]:
    """Swatches (a square, or a short line for a line series) with their names, in a row."""
    parts: list[str] = []
    for colour, name, is_line in entries:
        if is_line:
            parts.append(line(x, y - 4, x + 14, y - 4, f"stroke:{colour};stroke-width:2"))
        else:
            parts.append(rect(x + 2, y - 10, 10, 10, f"fill:{colour}"))
        parts.append(text(x + 18, y, name))
        x += 34 + display_width(_(name)) * 6.6
    return parts


def heading(content: str) -> str:
    return text(10, 20, content, style="font-weight:600;font-size:13px")
