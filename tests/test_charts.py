"""The build-time SVG charts: well-formed, deterministic, escaped, safe inside Markdown, and
told in words too (a description and a table of their figures)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import markdown
import pytest

from kam_review.output.charts import (
    Chart,
    MatrixPoint,
    abc_classes,
    bar_chart,
    bar_line_chart,
    focus_matrix,
    funnel_chart,
    pareto_curve,
    sparkline,
    svg,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> *em* _u_ [x](javascript:alert(2)) {: onclick=x}"
QUARTERS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
POINTS = [
    MatrixPoint("Acme", 4.2, 4.5, "../accounts/acme/"),
    MatrixPoint(HOSTILE, 2.0, 3.8, "accounts/hostile/"),
    MatrixPoint("Cobalt", 4.2, 4.5),
    MatrixPoint("Delta", 1.0, 1.0),
]
ITEMS = [("Acme", 2.9e6), (HOSTILE, 850e3), ("Cobalt", 1.2e6), ("Delta", 400e3), ("Eon", 0.0)]
STAGES = [("Lead", 24, 12.5e6), (HOSTILE, 6, 3.1e6), ("Won", 0, 0.0)]

CHARTS: dict[str, Callable[[], Chart]] = {
    "matrix": lambda: focus_matrix(POINTS, 3.0, 3.0),
    "pareto": lambda: pareto_curve(ITEMS, title=HOSTILE),
    "bar_line": lambda: bar_line_chart(QUARTERS, [2.1e6, 2.4e6, 0.0, 2.9e6, -1e5],
                                       [0.31, None, 0.2, -0.05, 0.3], HOSTILE, "Gross margin"),
    "bars": lambda: bar_chart([*QUARTERS, HOSTILE], [1, 2.9e6, 850e3, 0, -3e5, 5e6],
                                         "Portfolio revenue"),
    "funnel": lambda: funnel_chart(STAGES),
    "sparkline": lambda: sparkline([*QUARTERS[:4], HOSTILE], [2.1e6, None, 2.4e6, 0.0, 2.9e6],
                                   HOSTILE),
    "many_labels": lambda: pareto_curve([(f"Account {i} {HOSTILE}", 1e6 / (i + 1))
                                         for i in range(40)]),
}
EMPTY: dict[str, Callable[[], Chart]] = {
    "matrix": lambda: focus_matrix([], 3.0, 3.0),
    "pareto": lambda: pareto_curve([]),
    "bar_line": lambda: bar_line_chart([], [], [], "Revenue", "Margin"),
    "bars": lambda: bar_chart([], [], "Revenue"),
    "funnel": lambda: funnel_chart([]),
    "sparkline": lambda: sparkline([], [], "Revenue"),
}
EVERY = {**CHARTS, **{f"empty_{name}": build for name, build in EMPTY.items()}}


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _all(svg: str, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = _tree(svg).iter(SVG + tag)
    return [el for el in found if cls is None or el.get("class") == cls]


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_chart_is_one_well_formed_accessible_svg(name: str) -> None:
    svg = EVERY[name]().svg
    root = _tree(svg)
    assert root.tag == SVG + "svg"
    # An image role would hide the links of a chart from keyboard and screen reader users.
    links = root.find(f".//{SVG}a") is not None
    assert root.get("role") == ("group" if links else "img") and root.get("aria-label")
    assert root.get("width") == "100%" and "max-width" in (root.get("style") or "")
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.find(SVG + "title") is not None
    assert (root.findtext(SVG + "desc") or "").strip()  # what it shows, in words
    assert "<script" not in svg and "http://" not in svg.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_chart_is_a_single_markdown_html_block(name: str) -> None:
    drawn = EVERY[name]()
    lines = drawn.html().split("\n")
    assert lines[0].startswith('<div class="kam-chart-figure">' if drawn.rows else "<svg")
    assert lines[-1] == ("</div>" if drawn.rows else "</svg>")
    for line in lines:
        assert line.strip(), "a blank line would end the raw HTML block"
        assert not line.startswith("    "), "an indented line would become a code block"
        assert line.startswith("<"), line


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_has_its_figures_as_a_table(name: str) -> None:
    """The text alternative a screen reader (or a search) reads: a table with a caption, a
    header and one row per bar, dot or stage, after the drawing and folded."""
    drawn = CHARTS[name]()
    html = drawn.html()
    details = ET.fromstring(html[html.index('<details class="kam-chart-data">'):
                                 html.index("</details>") + len("</details>")])
    table = details.find("table")
    assert table is not None
    assert (table.findtext("caption") or "") == drawn.caption
    heads = [th.text for th in table.iter("th")]
    assert heads == list(drawn.head) and all(heads)
    rows = [[td.text or "" for td in tr.iter("td")] for tr in table.iter("tr")][1:]
    assert len(rows) == len(drawn.rows) > 0
    assert all(len(row) == len(heads) for row in rows)


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_chart_is_deterministic_with_coordinates_to_one_decimal(name: str) -> None:
    svg = EVERY[name]().html()
    assert svg == EVERY[name]().html()
    numbers = re.findall(r'(?:x|y|x1|y1|x2|y2|cx|cy|r|width|height|points)="([^"]*)"', svg)
    assert numbers
    for value in numbers:
        assert not re.search(r"\d\.\d\d", value), value


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_user_text_appears_only_escaped(name: str) -> None:
    svg = CHARTS[name]().html()
    assert "<script>" not in svg and "alert(1)</script>" not in svg
    svg = CHARTS[name]().svg
    assert "<script>" not in svg and "alert(1)</script>" not in svg
    assert "&lt;script&gt;" in svg
    # Markdown syntax is neutralised too, in case the page wraps the SVG in a paragraph.
    assert "*em*" not in svg and "_u_" not in svg and "[x]" not in svg and "{:" not in svg
    texts = [el.text or "" for el in _tree(svg).iter() if el.text]
    assert any("<script>alert(1)</script>" in text for text in texts)


@pytest.mark.parametrize("wrap", [False, True])
def test_charts_survive_python_markdown_as_raw_html(wrap: bool) -> None:
    for build in CHARTS.values():
        svg = build().html()
        block = f'<div class="kam-chart-box">\n{svg}\n</div>' if wrap else svg
        page = markdown.markdown(f"# Title\n\n{block}\n\nAfter.\n",
                                 extensions=["tables", "attr_list", "md_in_html"])
        assert "<script" not in page and "<em>" not in page and "<code>" not in page
        # Markdown left the chart exactly as it was: no emphasis, link or attribute added.
        assert svg in page
        assert "<p>After.</p>" in page


def test_empty_input_says_no_data() -> None:
    for build in EMPTY.values():
        drawn = build()
        assert drawn.html() == drawn.svg and not drawn.rows
        svg = drawn.svg
        assert "No data" in svg
        assert not _all(svg, "rect", "kam-bar") and not _all(svg, "circle")


def test_focus_matrix_has_one_dot_per_account_and_links_where_given() -> None:
    svg = focus_matrix(POINTS, 3.0, 3.0).svg
    assert len(_all(svg, "circle", "kam-dot")) == len(POINTS)
    links = [a.get("href") for a in _all(svg, "a")]
    assert links == ["../accounts/acme/", "accounts/hostile/"]
    titles = [el.findtext(SVG + "title") for el in _all(svg, "circle", "kam-dot")]
    assert titles[0] == "Acme: attractiveness 4.2, relationship 4.5 (Key); revenue unknown"
    assert titles[3] == "Delta: attractiveness 1, relationship 1 (Low profile); revenue unknown"


def test_focus_matrix_drops_script_links() -> None:
    points = [MatrixPoint("Evil", 3, 3, " JavaScript:alert(1)"), MatrixPoint("Ok", 3, 3, "x/")]
    svg = focus_matrix(points, 3, 3).svg
    assert [a.get("href") for a in _all(svg, "a")] == ["x/"]
    assert "alert" not in svg


def test_focus_matrix_puts_strong_attractive_accounts_top_right() -> None:
    svg = focus_matrix([MatrixPoint("High", 5, 5), MatrixPoint("Low", 1, 1)], 3, 3).svg
    high, low = _all(svg, "circle", "kam-dot")
    assert float(high.get("cx", "0")) > float(low.get("cx", "0"))
    assert float(high.get("cy", "0")) < float(low.get("cy", "0"))
    texts = [el.text for el in _tree(svg).iter(SVG + "text")]
    for label in ("Key", "Target", "Maintain", "Low profile", "Attractiveness", "Relationship"):
        assert label in texts


def test_focus_matrix_labels_of_coinciding_dots_do_not_overlap() -> None:
    svg = focus_matrix([MatrixPoint(f"Account {i}", 3, 3) for i in range(5)], 2, 2).svg
    labels = [el for el in _tree(svg).iter(SVG + "text") if (el.text or "").startswith("Acc")]
    assert len({(el.get("x"), el.get("y")) for el in labels}) == 5


def test_abc_classes_on_a_known_example() -> None:
    items = [("a", 50), ("b", 30), ("c", 10), ("d", 5), ("e", 3), ("f", 2)]
    assert abc_classes(items, 0.8, 0.95) == {
        "a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "f": "C"}
    assert abc_classes(list(reversed(items))) == abc_classes(items)


def test_abc_classes_edge_cases() -> None:
    # The first account alone crosses the A cut-off: it is still A, the next one is B.
    assert abc_classes([("big", 90), ("small", 10)]) == {"big": "A", "small": "B"}
    assert abc_classes([("x", 0), ("y", 0)]) == {"x": "C", "y": "C"}
    assert abc_classes([("x", -5), ("y", 10)]) == {"y": "A", "x": "C"}
    assert abc_classes([]) == {}


def test_pareto_sorts_descending_with_ties_by_name_and_colours_by_class() -> None:
    items = [("b", 10.0), ("c", 30.0), ("a", 10.0), ("d", 50.0)]
    svg = pareto_curve(items).svg
    bars = _all(svg, "rect", "kam-bar")
    assert len(bars) == len(items)
    order = [(bar.findtext(SVG + "title") or "").split(":")[0] for bar in bars]
    assert order == ["d", "c", "a", "b"]
    heights = [float(bar.get("height", "0")) for bar in bars]
    assert heights == sorted(heights, reverse=True)
    assert "class A" in (bars[1].findtext(SVG + "title") or "")
    assert "class B" in (bars[2].findtext(SVG + "title") or "")
    assert len(_all(svg, "circle", "kam-point")) == len(items)
    assert "A cut-off 80%" in svg and "B cut-off 95%" in svg
    # The legend says what the classes bring, as they are drawn: the account that reaches
    # a cut-off is in the class above it.
    assert ">A: the first 80%<" in svg and ">B: the next 15%<" in svg and ">C: the rest<" in svg


@pytest.mark.parametrize("items", [[("a", 0.0), ("b", 0.0)], [("a", -3.0)]])
def test_pareto_without_a_positive_total_draws_a_note(items: list[tuple[str, float]]) -> None:
    svg = pareto_curve(items).svg
    assert "nothing to rank" in svg and not _all(svg, "rect", "kam-bar")


def test_bar_line_chart_counts_bars_points_and_gaps() -> None:
    svg = bar_line_chart(QUARTERS, [1e6, 2e6, 3e6, 2.9e6, 850e3], [0.3, 0.2, None, 0.25, 0.3],
                         "Revenue", "Gross margin").svg
    assert len(_all(svg, "rect", "kam-bar")) == 5
    assert len(_all(svg, "circle", "kam-point")) == 4
    assert len(_all(svg, "polyline")) == 2  # the gap splits the line
    texts = {el.text for el in _tree(svg).iter(SVG + "text")}
    assert {"3M", "0", "30%", "Revenue", "Gross margin"} <= texts
    assert "2025-Q4: Revenue 2.9M" in svg and "2026-Q1: Revenue 850K" in svg


def test_bar_line_chart_rejects_series_of_other_lengths() -> None:
    with pytest.raises(ValueError):
        bar_line_chart(QUARTERS, [1.0], [None] * 5, "Revenue", "Margin")


def test_bar_chart_writes_compact_values_on_the_bars() -> None:
    svg = bar_chart(["Q1", "Q2", "Q3", "Q4"], [2.9e6, 850e3, 900, 0], "Revenue").svg
    assert len(_all(svg, "rect", "kam-bar")) == 4
    texts = [el.text for el in _tree(svg).iter(SVG + "text")]
    for value in ("2.9M", "850K", "900", "0"):
        assert value in texts


def test_funnel_bars_are_centred_proportional_and_never_invisible() -> None:
    svg = funnel_chart([("Lead", 24, 10e6), ("Proposal", 1, 5e6), ("Won", 0, 0.0)]).svg
    bars = _all(svg, "rect", "kam-bar")
    assert len(bars) == 3
    widths = [float(bar.get("width", "0")) for bar in bars]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2) and widths[2] > 0
    centres = {round(float(b.get("x", "0")) + float(b.get("width", "0")) / 2) for b in bars}
    assert len(centres) == 1
    texts = [el.text for el in _tree(svg).iter(SVG + "text")]
    assert texts == ["Lead: 24 deals, 10M", "Proposal: 1 deal, 5M", "Won: 0 deals, 0"]


def test_sparkline_shows_a_missing_quarter_as_a_gap_not_a_zero() -> None:
    svg = sparkline(QUARTERS, [2.1e6, None, 2.4e6, 0.0, 2.9e6], "Revenue").svg
    # The line stops at the gap: one stretch before it (a single point: no line), one after.
    (line,) = _all(svg, "polyline")
    assert len(line.get("points", "").split()) == 3
    (gap,) = _all(svg, "line", "kam-gap")
    assert gap.findtext(SVG + "title") == "2025-Q2: no row (unknown)"
    dots = _all(svg, "circle", "kam-point")
    assert [d.findtext(SVG + "title") for d in dots] == [
        "2025-Q1: 2.1M", "2025-Q3: 2.4M", "2025-Q4: 0", "2026-Q1: 2.9M"]
    # A quarter without sales (0) sits on the zero line; the gap has no dot at all.
    zero = float(_all(svg, "line")[0].get("y1", ""))
    assert float(dots[2].get("cy", "")) == zero
    # The text alternative says every quarter, the gap included; the last dot is the largest.
    assert _tree(svg).get("aria-label") == ("Revenue: 2025-Q1 2.1M; 2025-Q2 no row; 2025-Q3 "
                                            "2.4M; 2025-Q4 0; 2026-Q1 2.9M")
    assert [d.get("r") for d in dots] == ["2", "2", "2", "3.5"]


def test_sparkline_is_drawn_from_zero_and_rejects_other_lengths() -> None:
    svg = sparkline(["a", "b"], [1_000_000, 1_100_000], "Revenue").svg
    (line,) = _all(svg, "polyline")
    (_, first), (_, second) = (point.split(",") for point in line.get("points", "").split())
    # From zero: 1.0M stands at 1/1.1 of 1.1M's height above the zero line (48), not at the
    # bottom as a line scaled from its own minimum would put it.
    assert float(first) == pytest.approx(48 - 40 / 1.1, abs=0.06) and float(second) == 8
    with pytest.raises(ValueError, match="one value"):
        sparkline(["a"], [1.0, 2.0], "Revenue")
    assert "No data" in sparkline(["a", "b"], [None, None], "Revenue").svg


def test_a_value_is_escaped_as_its_own_type_writes_it() -> None:
    """Escaped texts are kept (svg.esc), but 1, 1.0 and True are equal keys to a plain
    cache: each must still be written as itself."""
    svg.esc.cache_clear()
    assert [svg.esc(1), svg.esc(1.0), svg.esc(True), svg.esc("1")] == ["1", "1.0", "True", "1"]
    assert svg.esc("<b>*x*</b>") == "&lt;b&gt;&#42;x&#42;&lt;/b&gt;"
