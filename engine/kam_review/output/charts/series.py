"""Charts of values by label: bars, bars with a line on a second axis (quarters), and the
opportunity funnel."""

from __future__ import annotations

import math
from collections.abc import Sequence

from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.output.charts import svg
from kam_review.output.charts.svg import C1, C2, Chart
from kam_review.wording import counted, labelled


def _check_lengths(labels: Sequence[str], *series: Sequence[float | None]) -> None:
    if any(len(values) != len(labels) for values in series):
        raise ValueError("every series needs one value per label")


def bar_line_chart(labels: Sequence[str], bars: Sequence[float | None],
                   line: Sequence[float | None], bar_title: str, line_title: str,
                   line_is_ratio: bool = True, formats: LocaleFormat = ENGLISH,
                   category: str = "Quarter") -> Chart:
    """Bars on the left axis (money) and a line on the right axis (percent); None is a gap:
    no bar, and its tip says the figure is unknown."""
    label = _("{bars} and {line}").format(bars=bar_title, line=line_title)
    if not labels:
        return svg.no_data(label)
    _check_lengths(labels, bars, line)
    values = [v if v is not None and math.isfinite(v) else 0.0 for v in bars]
    points = [v if v is not None and math.isfinite(v) else None for v in line]
    known = [v for v in points if v is not None]
    plot = left, top, right, bottom = 64.0, 40.0, 656.0, 300.0
    rticks = svg.ticks(min(known, default=0.0), max(known, default=0.0))
    sr = svg.linear(rticks[0], rticks[-1], bottom, top)
    fmt = formats.percent if line_is_ratio else formats.money
    shown = [_("unknown (no row)") if b is None else formats.money(v)
             for b, v in zip(bars, values, strict=True)]
    tips = [labelled(t, f"{bar_title} {s}") for t, s in zip(labels, shown, strict=True)]
    drawn = svg.bar_plot(labels, values, tips, [C1] * len(values), plot, formats)
    body = svg.legend([(C1, bar_title, False), (C2, line_title, True)], left, 20)
    body += drawn.parts + svg.y_axis(rticks, sr, left, right, fmt, right=True)
    runs: list[list[tuple[float, float]]] = [[]]
    for x, value in zip(drawn.centres, points, strict=True):
        if value is None:  # a gap ends the stretch of line drawn so far
            runs.append([])
        else:
            runs[-1].append((x, sr(value)))
    body += [svg.polyline(run, C2) for run in runs if len(run) > 1]
    body += [svg.dot(x, sr(v), C2, labelled(t, f"{line_title} {fmt(v)}"))
             for x, t, v in zip(drawn.centres, labels, points, strict=True) if v is not None]
    description = _("{bars} as bars and {line} as a line, by {category}, {count} of them "
                    "from {first} to {last}.").format(
                        bars=bar_title, line=line_title, category=_(category).lower(),
                        count=len(labels), first=labels[0], last=labels[-1])
    rows = tuple((t, s, "—" if p is None else fmt(p))
                 for t, s, p in zip(labels, shown, points, strict=True))
    return Chart(svg.chart(720, drawn.height, label, body, description), label,
                 (category, bar_title, line_title), rows)


def bar_chart(labels: Sequence[str], series: Sequence[float], title: str,
              formats: LocaleFormat = ENGLISH, category: str = "Quarter") -> Chart:
    """One series as bars, each with its value written on it."""
    if not labels:
        return svg.no_data(title)
    _check_lengths(labels, series)
    values = [v if math.isfinite(v) else 0.0 for v in series]
    shown = [formats.money(v) for v in values]
    tips = [labelled(t, s) for t, s in zip(labels, shown, strict=True)]
    bars = svg.bar_plot(labels, values, tips, [C1] * len(values), (64, 44, 696, 300), formats)
    size, sy = ("11px" if len(values) <= 16 else "9px"), bars.scale
    body = [svg.heading(title), *bars.parts]
    body += [svg.text(x, sy(v) - 5 if v >= 0 else sy(v) + 13, s, "middle",
                      f"font-size:{size}")
             for x, v, s in zip(bars.centres, values, shown, strict=True)]
    description = _("{title} as bars, by {category}, {count} of them from {first} to "
                    "{last}.").format(title=title, category=_(category).lower(),
                                      count=len(labels), first=labels[0], last=labels[-1])
    return Chart(svg.chart(720, bars.height, title, body, description), title,
                 (category, title), tuple(zip(labels, shown, strict=True)))


def funnel_chart(stages: Sequence[tuple[str, int, float]], formats: LocaleFormat = ENGLISH,
                 label: str = "Opportunity funnel") -> Chart:
    """One centred bar per stage, as wide as its value (never narrower than 24 units)."""
    if not stages:
        return svg.no_data(label)
    widest = max((v for _, _, v in stages if math.isfinite(v)), default=0.0)
    body: list[str] = []
    rows = []
    for i, (name, count, value) in enumerate(stages):
        share = value / widest if widest > 0 and math.isfinite(value) else 0.0
        width, y = max(24.0, share * 600), 10 + i * 50
        deals = counted(count, "deal")
        text = labelled(svg.short(name, 60), _("{deals}, {value}").format(
            deals=deals, value=formats.money(value)))
        body += [svg.text(360, y + 14, text, "middle"),
                 svg.rect(360 - width / 2, y + 20, width, 24, f"fill:{C1}", text, "kam-bar")]
        rows.append((name, str(count), formats.money(value)))
    description = _("{chart}: one bar for each of {count} stages, as wide as the value of "
                    "the deals at that stage.").format(chart=label, count=len(stages))
    return Chart(svg.chart(720, 20 + 50 * len(stages), label, body, description), label,
                 ("Stage", "Deals", "Value"), tuple(rows))
