"""Chart colours meet WCAG 2.1 AA against the white page: 3:1 for a bar, a dot or a line,
4.5:1 for text, and every chart colour is also used for text (cell names, class letters)."""

from __future__ import annotations

import re

import pytest

from kam_review.output.charts import svg as pieces
from kam_review.output.charts.focus import CELL_COLOURS, CELL_TINT
from kam_review.output.charts.pareto import CLASS_COLOURS

from .test_charts import CHARTS

WHITE = "#ffffff"
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def _luminance(colour: str) -> float:
    def channel(part: str) -> float:
        value = int(part, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _fallback(variable: str) -> str:
    """The colour a chart shows when the page sets no --kam-chart-N: the var()'s fallback."""
    (found,) = _HEX.findall(variable)
    return found


def test_the_contrast_formula_on_known_pairs() -> None:
    assert contrast("#000000", WHITE) == pytest.approx(21)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast("#9e9e9e", WHITE) < 3  # the grey the charts used to draw C with


@pytest.mark.parametrize("name", ["C1", "C2", "C3", "C4", "C5", "C6"])
def test_every_chart_colour_reads_as_text_on_white(name: str) -> None:
    assert contrast(_fallback(getattr(pieces, name)), WHITE) >= 4.5


def test_the_key_palette_and_the_named_colours_are_chart_colours() -> None:
    chart_colours = {getattr(pieces, f"C{i}") for i in range(1, 7)}
    assert set(pieces.PALETTE) <= chart_colours
    assert set(CELL_COLOURS.values()) <= chart_colours
    assert set(CLASS_COLOURS.values()) <= chart_colours
    assert len(set(pieces.PALETTE)) == len(pieces.PALETTE)  # a colour means one value


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_colour_a_chart_draws_meets_aa(name: str) -> None:
    drawn = CHARTS[name]().svg
    colours = set(_HEX.findall(drawn))
    assert colours
    for colour in colours:
        assert contrast(colour, WHITE) >= 3, colour


def _tinted(colour: str, opacity: float) -> str:
    """The colour a cell of the focus matrix takes: its colour over white, so transparent."""
    return "#" + "".join(f"{round(255 * (1 - opacity) + int(colour[i:i + 2], 16) * opacity):02x}"
                         for i in (1, 3, 5))


@pytest.mark.parametrize("cell", sorted(CELL_COLOURS))
def test_a_focus_cells_name_reads_on_its_own_tint(cell: str) -> None:
    colour = _fallback(CELL_COLOURS[cell])
    assert contrast(colour, _tinted(colour, CELL_TINT)) >= 4.5
