"""The Pareto curve and its ABC classes: accounts ranked by a value, largest first, with the
cumulative share and the A/B/C cut-offs."""

from __future__ import annotations

import math
from collections.abc import Sequence

from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.output.charts import svg
from kam_review.output.charts.svg import C1, C2, C3, C4, GRID, HALO, Chart

CLASS_COLOURS = {"A": C1, "B": C3, "C": C4}


def _ranked(items: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    clean = [(name, value if math.isfinite(value) else 0.0) for name, value in items]
    return sorted(clean, key=lambda item: (-item[1], item[0]))


def _class_list(ranked: Sequence[tuple[str, float]], a_share: float,
                b_share: float) -> list[str]:
    total = sum(max(value, 0.0) for _, value in ranked)
    classes, before = [], 0.0
    for _name, value in ranked:
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
                 b_share: float = 0.95, title: str = "Revenue",
                 formats: LocaleFormat = ENGLISH) -> Chart:
    """Accounts as bars, largest first, with the cumulative share and the A/B/C cut-offs."""
    label = _("{title}: Pareto curve").format(title=title)
    if not items:
        return svg.no_data(label)
    ranked = _ranked(items)
    total = sum(max(value, 0.0) for _, value in ranked)
    if total <= 0:
        note = _("The total is zero or negative: nothing to rank.")
        return Chart(svg.chart(720, 100, label, [svg.heading(label),
                                                 svg.text(360, 64, note, "middle")], note))
    pct = formats.percent
    classes = _class_list(ranked, a_share, b_share)
    plot = left, top, right, bottom = 64.0, 66.0, 656.0, 330.0
    slot, sp = (right - left) / len(ranked), svg.linear(0, 1, bottom, top)
    cumulative, coords, tips, rows = 0.0, [(left, sp(0))], [], []
    for i, ((name, value), cls) in enumerate(zip(ranked, classes, strict=True)):
        cumulative += max(value, 0.0)
        coords.append((left + (i + 1) * slot, sp(cumulative / total)))
        tips.append(_("{name}: {value}, {share} cumulative, class {cls}").format(
            name=name, value=formats.money(value), share=pct(cumulative / total), cls=cls))
        rows.append((str(i + 1), name, formats.money(value), pct(cumulative / total), cls))
    # As the classes are drawn: an account whose revenue reaches a cut-off stays in the
    # class above, which brings that share of the total.
    body = [svg.heading(label), *svg.legend([
        (C1, _("A: the first {share}").format(share=pct(a_share)), False),
        (C3, _("B: the next {share}").format(share=pct(b_share - a_share)), False),
        (C4, _("C: the rest"), False),
                                             (C2, "Cumulative share", True)], 10, 42)]
    bars = svg.bar_plot([n for n, _ in ranked], [v for _, v in ranked], tips,
                        [CLASS_COLOURS[c] for c in classes], plot, formats)
    body += bars.parts + svg.y_axis([0, 0.25, 0.5, 0.75, 1], sp, left, right, pct, right=True)
    for share, name in ((a_share, "A"), (b_share, "B")):
        body += [svg.line(left, sp(share), right, sp(share), f"stroke:{C2};stroke-dasharray:4 3"),
                 svg.text(right - 6, sp(share) + 14,
                          _("{name} cut-off {share}").format(name=name, share=pct(share)), "end",
                          f"{HALO};font-size:11px")]
    for cls in "ABC":  # the class's letter over its bars, a line where the next class starts
        members = [i for i, c in enumerate(classes) if c == cls]
        if members:
            x0, x1 = left + members[0] * slot, left + (members[-1] + 1) * slot
            body += [svg.line(x1, top - 12, x1, bottom, GRID),
                     svg.text((x0 + x1) / 2, top - 2, cls, "middle",
                              f"font-weight:600;fill:{CLASS_COLOURS[cls]}")]
    body += [svg.polyline(coords, C2),
             *(svg.dot(x, y, C2, tip, min(4.0, slot / 4))
               for (x, y), tip in zip(coords[1:], tips, strict=True))]
    counts = _(", ").join(_("{count} in class {cls}").format(count=classes.count(c), cls=c)
                          for c in "ABC")
    description = _("{count} accounts ranked by {title}, largest first, with the share of the "
                    "total they bring together: {counts}.").format(
                        count=len(ranked), title=title.lower(), counts=counts)
    return Chart(svg.chart(720, bars.height, label, body, description), label,
                 ("Rank", "Account", title, "Cumulative share", "Class"), tuple(rows))
