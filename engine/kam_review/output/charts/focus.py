"""The strategic focus matrix: attractiveness against relationship, one dot per account in
the four focus cells, its area proportional to the account's revenue and its colour from a
key (the class today, a verdict tomorrow), with a legend of both, labels that never cover
each other (labels.py), and links to the accounts' pages."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.output.charts import svg
from kam_review.output.charts.labels import HEIGHT, Taken, place, text_width
from kam_review.output.charts.svg import AXIS, BG, C1, C2, C3, C4, GRID, HALO, PALETTE, Chart

CELL_COLOURS = {"Key": C3, "Target": C1, "Maintain": C2, "Low profile": C4}
CELL_TINT = 0.08  # the opacity of a cell's colour over the page
# Each cell's focus label, as the rules give it: its word in the active language.
_CELL_LABELS = {"Key": "key", "Target": "target", "Maintain": "maintain",
                "Low profile": "low-profile"}


def cell_name(cell: str) -> str:
    """A cell as the page names it: its focus label's word in the active language ("目标"),
    or in English the cell's own name ("Target", not a goal's target value)."""
    label = _CELL_LABELS[cell]
    word = _(label)
    return cell if word == label else word
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
R_MIN, R_MAX = 3.0, 22.0  # a dot's radius: the smallest account's, the largest's
R_UNKNOWN = 5.0  # a ring for an account whose size is unknown
# Past this many accounts only the largest are labelled: the rest keep their tooltips and
# their rows in the table.
MAX_LABELS = 40
PLOT = (60.0, 20.0, 560.0, 440.0)  # left, top, right, bottom
_LEGEND_X = 585.0


@dataclass(frozen=True)
class MatrixPoint:
    """One account in the focus matrix: scores 1..5, an optional link to its page, its size
    (revenue in one currency for all; None: unknown) and its value of the colour key."""

    name: str
    x: float  # attractiveness
    y: float  # relationship
    href: str | None = None
    size: float | None = None
    group: str = ""


@dataclass(frozen=True)
class ColourKey:
    """What the dots' colours say: its title, each value with its colour in legend order,
    and how a value outside the key is named (drawn grey)."""

    title: str
    colours: tuple[tuple[str, str], ...]
    other: str = "other"

    @classmethod
    def of(cls, title: str, values: Sequence[str], other: str = "other") -> ColourKey:
        """The palette's colours for the values, in order; values past the palette are
        drawn as `other` is."""
        return cls(title, tuple(zip(values, PALETTE, strict=False)), other)

    def colour(self, value: str) -> str:
        return dict(self.colours).get(value, C4)


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


def _cells(tx: float, ty: float, taken: Taken) -> list[str]:
    """The four tinted cells with their names in the corners (which labels then avoid)."""
    left, top, right, bottom = PLOT
    spans = {"Maintain": (left, tx, top, ty), "Key": (tx, right, top, ty),
             "Low profile": (left, tx, ty, bottom), "Target": (tx, right, ty, bottom)}
    corners = {"Maintain": (left + 8, top + 18, "start"), "Key": (right - 8, top + 18, "end"),
               "Low profile": (left + 8, bottom - 10, "start"),
               "Target": (right - 8, bottom - 10, "end")}
    parts = [svg.rect(x0, y0, x1 - x0, y1 - y0,
                      f"fill:{CELL_COLOURS[name]};fill-opacity:{CELL_TINT}")
             for name, (x0, x1, y0, y1) in spans.items()]
    for name, (x, y, anchor) in corners.items():
        x0 = x if anchor == "start" else x - len(name) * 8
        taken.add((x0, y - 12, x0 + len(name) * 8, y + 2))
        parts.append(svg.text(x, y, cell_name(name), anchor, f"font-weight:600;font-size:13px;"
                              f"fill:{CELL_COLOURS[name]}"))
    dashed = f"{AXIS};stroke-dasharray:6 4"
    return [*parts, svg.line(tx, top, tx, bottom, dashed), svg.line(left, ty, right, ty, dashed)]


def _radius(size: float | None, largest: float) -> float:
    """Area proportional to size: the largest account R_MAX, none smaller than R_MIN."""
    if size is None:
        return R_UNKNOWN
    if largest <= 0:
        return R_MIN
    return max(R_MIN, R_MAX * math.sqrt(max(size, 0.0) / largest))


def _nice_below(value: float) -> float:
    """The largest of 1, 2 or 5 times a power of ten not above value: 12.3M -> 10M."""
    power = 10.0 ** math.floor(math.log10(value))
    return max(m * power for m in (1, 2, 5) if m * power <= value)


def _dot(cx: float, cy: float, r: float, colour: str, sized: bool, tip: str,
         cls: str = "kam-dot") -> str:
    """An account's dot (a dashed ring when its size is unknown), or the legend's."""
    style = (f"fill:{colour};stroke:{BG};stroke-width:1.5" if sized else
             f"fill:{BG};stroke:{colour};stroke-width:2;stroke-dasharray:3 2")
    return (f'<circle class="{cls}" cx="{svg.num(cx)}" cy="{svg.num(cy)}" r="{svg.num(r)}" '
            f'style="{style}"><title>{svg.esc(tip)}</title></circle>')


def _legend(key: ColourKey, groups: Sequence[str], size_title: str, largest: float,
            unknown: str | None, formats: LocaleFormat) -> tuple[list[str], float]:
    """The colour key's values present on the chart and the size key; how far down it goes."""
    x, y = _LEGEND_X, 30.0
    parts = [svg.text(x, y, key.title, style="font-weight:600")]
    shown = [(value, colour) for value, colour in key.colours if value in groups]
    if any(g not in dict(key.colours) for g in groups):
        shown.append((key.other, C4))
    for value, colour in shown:
        y += 18
        parts += [_dot(x + 6, y - 4, 5, colour, True, value, "kam-key"),
                  svg.text(x + 18, y, value)]
    y += 34
    parts.append(svg.text(x, y, size_title, style="font-weight:600"))
    if largest > 0:
        for amount in dict.fromkeys((_nice_below(largest), _nice_below(largest / 4))):
            r = _radius(amount, largest)
            parts += [f'<circle cx="{svg.num(x + R_MAX)}" cy="{svg.num(y + 8 + r)}" '
                      f'r="{svg.num(r)}" style="fill:none;{AXIS}"/>',
                      svg.text(x + 2 * R_MAX + 8, y + 12 + r, formats.money(amount))]
            y += 2 * r + 10
    if unknown:
        y += 18
        parts += [_dot(x + 6, y - 4, R_UNKNOWN, C4, False, unknown, "kam-key"),
                  svg.text(x + 18, y, unknown)]
    return parts, y


def focus_matrix(points: Sequence[MatrixPoint], threshold_x: float, threshold_y: float,
                 key: ColourKey | None = None, size_title: str = "Revenue",
                 formats: LocaleFormat = ENGLISH, unsized: str = "unknown") -> Chart:
    """Attractiveness (across) against relationship (up), one dot per account, in four cells;
    sizes are written with `formats` (their currency), a dot without one is a ring that the
    legend calls `unsized`."""
    label = "Strategic focus matrix"
    if not points:
        return svg.no_data(label)
    key = key or ColourKey("Colour", ())
    left, top, right, bottom = PLOT
    sx, sy = svg.linear(1, 5, left, right), svg.linear(1, 5, bottom, top)

    def clamp(v: float) -> float:  # scores outside 1..5 stay on the chart's edge
        return min(max(v if math.isfinite(v) else 1.0, 1.0), 5.0)

    largest = max((p.size for p in points if p.size is not None), default=0.0)
    # Largest first: a small dot is drawn over a large one, and is labelled after it.
    order = sorted(range(len(points)), key=lambda i: (-(points[i].size or 0.0), i))
    drawn = [(points[i], sx(clamp(points[i].x)), sy(clamp(points[i].y)),
              _radius(points[i].size, largest)) for i in order]
    taken = Taken()
    for _point, cx, cy, r in drawn:
        taken.add((cx - r, cy - r, cx + r, cy + r))
    body = _cells(sx(clamp(threshold_x)), sy(clamp(threshold_y)), taken)
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
    rows, labelled = [], 0
    for number, (p, cx, cy, r) in enumerate(drawn):
        cell = _cell(p.x, p.y, threshold_x, threshold_y)
        size = unsized if p.size is None else formats.money(p.size)
        scores = _trim(f"{p.x:.2f}"), _trim(f"{p.y:.2f}")
        coloured = (f"{_('; ')}{_(key.title).lower()} {_(p.group or key.other)}"
                    if key.colours else "")
        tip = _("{name}: attractiveness {x}, relationship {y} ({cell}){coloured}; {size_title} "
                "{size}").format(name=p.name, x=scores[0], y=scores[1], cell=cell_name(cell),
                                 coloured=coloured, size_title=size_title.lower(), size=size)
        group = [_dot(cx, cy, r, key.colour(p.group), p.size is not None, tip)]
        name = svg.short(p.name, 28)
        spot = None if number >= MAX_LABELS else place(
            cx, cy, r, text_width(name), (left + 2, top + 2, right - 2, bottom - 2), taken)
        if spot is not None:
            labelled += 1
            x0, _top, x1, y1 = spot.box
            if spot.leader is not None:
                body.append(svg.line(*spot.leader, f"{AXIS};stroke-width:.8"))
            # The text keeps to the side of its box that faces the dot (its box is wider
            # than the text), so that it stays beside the dot and meets its leader line.
            x, anchor = ((x0, "start") if x0 >= cx else (x1, "end") if x1 <= cx
                         else ((x0 + x1) / 2, "middle"))
            group.append(svg.text(x, y1 - 3, name, anchor, f"{HALO};font-size:11px"))
        href = _safe_href(p.href)
        body += group if href is None else [f'<a href="{svg.esc(href)}">', *group, "</a>"]
        rows.append((p.name, *scores, cell_name(cell), p.group or key.other, size))
    legend, depth = _legend(key, [p.group or key.other for p in points], size_title, largest,
                            unsized if any(p.size is None for p in points) else None, formats)
    description = _("{count} accounts by attractiveness (across, 1 to 5) and relationship "
                    "(up, 1 to 5), in the four focus cells; a dot's area shows its {size_title}, "
                    "its colour its {colour}. {labelled} of them are named on the chart; the "
                    "table lists all.").format(count=len(points), size_title=size_title.lower(),
                                               colour=_(key.title).lower(), labelled=labelled)
    height = max(500, math.ceil(depth + HEIGHT))
    return Chart(svg.chart(820, height, label, [*body, *legend], description), label,
                 ("Account", "Attractiveness", "Relationship", "Focus", key.title, size_title),
                 tuple(sorted(rows, key=lambda row: row[0].lower())))
