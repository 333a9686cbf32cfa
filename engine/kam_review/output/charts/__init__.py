"""Charts for the review site, drawn at build time as inline SVG strings.

No JavaScript, no web fonts, no requests: each function returns a Chart, one `<svg>` element
with its title and a description in words, and the same figures as a table (Chart.html puts
the table after the drawing, folded), which a Markdown page carries as raw HTML. The output
is a pure function of the input (no ids, no timestamps, coordinates rounded to one decimal),
so a rebuilt site is byte-identical.
Every line starts with "<" and none is blank, so Python-Markdown never reads part of a chart
as a code block, a quote or a paragraph break; user text is escaped for HTML and Markdown,
on one line, with controls shown as escapes (text_safety.one_line).
Colours are CSS custom properties (--kam-chart-1 ...) with fallbacks that reach WCAG AA
contrast on the white page; text uses the page's font and colour. Figures are written with
a LocaleFormat (locale_format.py), amounts in the currency it names.

The charts are drawn in svg.py (the pieces), labels.py (labels that never cover each other),
focus.py (the focus matrix), pareto.py (the Pareto curve and ABC classes), series.py (bars,
bars with a line, the funnel), progress.py (a goal's progress) and sparkline.py (a small
line of one series); the pages import them all from here.
"""

from kam_review.output.charts.focus import ColourKey, MatrixPoint, focus_matrix
from kam_review.output.charts.pareto import abc_classes, pareto_curve
from kam_review.output.charts.progress import progress_bar
from kam_review.output.charts.series import bar_chart, bar_line_chart, funnel_chart
from kam_review.output.charts.sparkline import sparkline
from kam_review.output.charts.svg import Chart

__all__ = ["Chart", "ColourKey", "MatrixPoint", "abc_classes", "bar_chart", "bar_line_chart",
           "focus_matrix", "funnel_chart", "pareto_curve", "progress_bar", "sparkline"]
