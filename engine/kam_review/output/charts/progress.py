"""A goal's progress as a small bar for a table cell: the share of the way from its baseline
to its target covered, and a tick where the share of its time gone stands.

One `<svg>` element on one line (a Markdown table row is one line), with its text
alternative in `aria-label` and `<title>`.
"""

from __future__ import annotations

from kam_review.output.charts.svg import AXIS, C4, esc, num

WIDTH, HEIGHT = 120, 14


def progress_bar(progress: float | None, elapsed: float | None, colour: str,
                 label: str) -> str:
    """The bar, filled to `progress` (0 to 1; beyond, full or empty) in `colour`, with a tick
    at `elapsed`; None leaves either out."""
    parts = [f'<rect x="0" y="3" width="{WIDTH}" height="8" rx="2" '
             f'style="fill:{C4};fill-opacity:.25"/>']
    if progress is not None:
        width = WIDTH * min(1.0, max(0.0, progress))
        parts.append(f'<rect x="0" y="3" width="{num(width)}" height="8" rx="2" '
                     f'style="fill:{colour}"/>')
    if elapsed is not None:
        x = num(WIDTH * min(1.0, max(0.0, elapsed)))
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{HEIGHT}" '
                     f'style="{AXIS};stroke-width:2"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{esc(label)}" '
            f'class="kam-progress"><title>{esc(label)}</title>{"".join(parts)}</svg>')
