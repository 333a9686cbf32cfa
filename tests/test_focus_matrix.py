"""The strategic focus matrix informs: each dot's area is its account's revenue, its colour
a key's value (the class, later a verdict) with a legend, and no label covers another label
or a dot, however crowded the chart."""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET

import pytest

from kam_review.i18n import using
from kam_review.locale_format import LocaleFormat
from kam_review.output.charts import ColourKey, MatrixPoint, focus_matrix
from kam_review.output.charts.focus import MAX_LABELS, R_MAX, R_MIN, R_UNKNOWN, cell_name
from kam_review.output.charts.labels import HEIGHT, overlaps, text_width

SVG = "{http://www.w3.org/2000/svg}"
CNY = LocaleFormat("en", "CNY")
KEY = ColourKey.of("Class", ["fast-growing", "loyal", "dormant"], "unclassified")


def _dots(svg: str) -> list[ET.Element]:
    return [el for el in ET.fromstring(svg).iter(SVG + "circle") if el.get("class") == "kam-dot"]


def _by_name(svg: str) -> dict[str, ET.Element]:
    return {(dot.findtext(SVG + "title") or "").split(":")[0]: dot for dot in _dots(svg)}


def _fill(dot: ET.Element) -> str:
    match = re.search(r"fill:(var\([^)]*\))", dot.get("style", ""))
    return match.group(1) if match else ""


def _label_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """The box each account label takes, from its anchor, as the placement measures it."""
    boxes = []
    for el in ET.fromstring(svg).iter(SVG + "text"):
        if "font-size:11px" not in el.get("style", ""):
            continue
        width, x, y = text_width(el.text or ""), float(el.get("x", 0)), float(el.get("y", 0))
        x0 = {"start": x, "end": x - width, "middle": x - width / 2}[el.get("text-anchor", "")]
        boxes.append((x0, y + 3 - HEIGHT, x0 + width, y + 3))
    return boxes


def _dot_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    boxes = []
    for dot in _dots(svg):
        cx, cy, r = (float(dot.get(name, 0)) for name in ("cx", "cy", "r"))
        boxes.append((cx - r, cy - r, cx + r, cy + r))
    return boxes


def test_a_dots_area_is_proportional_to_revenue() -> None:
    points = [MatrixPoint("Big", 4, 4, size=4_000_000), MatrixPoint("Small", 2, 2, size=1_000_000),
              MatrixPoint("Tiny", 3, 2, size=1.0), MatrixPoint("Unknown", 2, 4)]
    svg = focus_matrix(points, 3, 3, KEY, "Revenue", CNY).svg
    dots = _by_name(svg)
    radius = {name: float(dot.get("r", 0)) for name, dot in dots.items()}
    assert radius["Big"] == R_MAX
    assert radius["Small"] == pytest.approx(R_MAX / 2, abs=0.05)  # a quarter of the area
    assert radius["Tiny"] == R_MIN  # still visible
    assert radius["Unknown"] == R_UNKNOWN and "stroke-dasharray" in dots["Unknown"].get("style", "")
    # Largest first, so that a small dot is drawn over a large one.
    assert [(d.findtext(SVG + "title") or "").split(":")[0] for d in _dots(svg)] == [
        "Big", "Small", "Tiny", "Unknown"]


def test_the_size_legend_names_round_amounts_in_the_currency() -> None:
    svg = focus_matrix([MatrixPoint("Big", 4, 4, size=12_300_000),
                        MatrixPoint("Other", 2, 2)], 3, 3, KEY, "Revenue, last 4 quarters",
                       CNY, "unknown, or in another currency").svg
    texts = [el.text for el in ET.fromstring(svg).iter(SVG + "text")]
    assert "Revenue, last 4 quarters" in texts
    assert "CN¥10M" in texts and "CN¥2M" in texts  # 12.3M rounded down, and a quarter of it
    assert "unknown, or in another currency" in texts
    tip = _by_name(svg)["Big"].findtext(SVG + "title")
    assert tip == ("Big: attractiveness 4, relationship 4 (Key); class unclassified; "
                   "revenue, last 4 quarters CN¥12.3M")


def test_dots_take_the_colour_of_their_key_value_and_the_legend_lists_them() -> None:
    points = [MatrixPoint("A", 4, 4, size=1, group="loyal"),
              MatrixPoint("B", 2, 2, size=1, group="fast-growing"),
              MatrixPoint("C", 3, 2, size=1, group="unclassified")]
    svg = focus_matrix(points, 3, 3, KEY).svg
    dots = _by_name(svg)
    assert _fill(dots["A"]) == KEY.colour("loyal") != KEY.colour("fast-growing")
    assert _fill(dots["B"]) == KEY.colour("fast-growing")
    assert _fill(dots["C"]) == KEY.colour("anything else")  # grey, for what the key lacks
    legend = [el.text for el in ET.fromstring(svg).iter(SVG + "text")
              if float(el.get("x", 0)) > 580]
    # In the key's order, only the values present, the other one last; dormant is absent.
    assert legend[:4] == ["Class", "fast-growing", "loyal", "unclassified"]


def test_the_colour_key_is_a_parameter() -> None:
    """Switching to another key (a verdict) changes the colours and the legend only."""
    verdicts = ColourKey.of("Verdict", ["invest", "hold"], "no verdict")
    points = [MatrixPoint("A", 4, 4, size=1, group="hold")]
    svg = focus_matrix(points, 3, 3, verdicts).svg
    assert _fill(_by_name(svg)["A"]) == verdicts.colour("hold")
    assert "Verdict" in svg and "hold" in svg and "Class" not in svg


@pytest.mark.parametrize("seed", range(6))
def test_labels_never_cover_each_other_or_a_dot(seed: int) -> None:
    rng = random.Random(seed)
    points = [MatrixPoint(f"Account {rng.choice(['Alpha', 'Beta Group', '华信电子'])} {i}",
                          round(rng.uniform(2.5, 3.5), 1), round(rng.uniform(2.5, 3.5), 1),
                          size=rng.choice([None, rng.uniform(1e5, 1e7)]))
              for i in range(30)]
    svg = focus_matrix(points, 3, 3, KEY).svg
    labels, dots = _label_boxes(svg), _dot_boxes(svg)
    assert labels
    for i, box in enumerate(labels):
        assert not any(overlaps(box, other) for other in labels[i + 1:])
        assert not any(overlaps(box, dot) for dot in dots)
        assert box[0] >= 60 and box[2] <= 560 and box[1] >= 20 and box[3] <= 440


def test_a_crowded_label_stands_apart_with_a_leader_line_to_its_dot() -> None:
    points = [MatrixPoint(f"Account {i}", 3, 3, size=1e6) for i in range(12)]
    svg = focus_matrix(points, 2, 2).svg
    leaders = [el for el in ET.fromstring(svg).iter(SVG + "line")
               if "stroke-width:.8" in el.get("style", "")]
    assert leaders
    cx, cy = 310.0, 230.0  # every dot sits at score 3, 3
    for line in leaders:  # each starts on the dots' edge
        x1, y1 = float(line.get("x1", 0)), float(line.get("y1", 0))
        assert math.hypot(x1 - cx, y1 - cy) == pytest.approx(R_MAX, abs=0.2)
    assert len(_label_boxes(svg)) == 12


def test_past_the_limit_only_the_largest_accounts_are_named_and_the_table_lists_all() -> None:
    points = [MatrixPoint(f"A{i}", 1 + (i % 40) / 10, 1 + (i // 40) / 2, size=float(i + 1))
              for i in range(MAX_LABELS + 20)]
    drawn = focus_matrix(points, 3, 3)
    named = [el.text for el in ET.fromstring(drawn.svg).iter(SVG + "text")
             if "font-size:11px" in el.get("style", "")]
    assert len(named) <= MAX_LABELS and "A0" not in named  # the smallest goes unnamed
    assert len(drawn.rows) == len(points)
    assert f"{len(named)} of them are named on the chart" in drawn.svg


def test_the_table_gives_every_account_its_scores_cell_key_and_size() -> None:
    drawn = focus_matrix([MatrixPoint("Beta", 4.25, 2, size=2_500_000, group="loyal"),
                          MatrixPoint("alpha", 1, 5)], 3, 3, KEY, "Revenue", CNY)
    assert drawn.head == ("Account", "Attractiveness", "Relationship", "Focus", "Class",
                          "Revenue")
    assert drawn.rows == (("alpha", "1", "5", "Maintain", "unclassified", "unknown"),
                          ("Beta", "4.25", "2", "Target", "loyal", "CN¥2.5M"))


def test_a_cell_is_named_by_its_focus_label_in_each_language() -> None:
    """In Chinese the target cell is 目标 (the focus level), not 目标值 (a goal's target
    value, the English word's other meaning)."""
    assert [cell_name(c) for c in ("Key", "Target", "Maintain", "Low profile")] == [
        "Key", "Target", "Maintain", "Low profile"]
    with using("zh"):
        assert [cell_name(c) for c in ("Key", "Target", "Maintain", "Low profile")] == [
            "关键", "目标", "维持", "低调"]
