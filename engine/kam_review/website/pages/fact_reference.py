"""The facts section of the rule catalogue: every fact a rule may test, from its definition."""

from __future__ import annotations

import inspect
from datetime import date

from kam_review.formatting import UNIT_SPECS, format_in_unit
from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.output.markdown_text import esc, esc_code, table
from kam_review.rulebook.fact_fields import FactField, fields_of
from kam_review.rulebook.fact_types import DEFINITIONS
from kam_review.rulebook.fact_words import doc_names

# A figure to show how each format writes one; the units without a format, how they read.
_EXAMPLES = {"money": 2_900_000, "pct": 0.183, "spct": 0.12, "pts": -2.1, "days": 45,
             "num": 3.25, "int": 7, "date": date(2026, 9, 30)}
_AS_WRITTEN = {"text": "as written", "yes/no": "yes or no"}


def facts_section(formats: LocaleFormat = ENGLISH) -> list[str]:
    lines = [f"## {_('Facts')} {{#facts}}", "",
             _("What a rule may test, by the fact type it names in `on:`. A fact is absent "
               "when the account's data cannot give it (the meaning says when); a comparison "
               "with an absent fact is false. The range is what a figure always lies in: `kam "
               "rules lint` reports a comparison outside it (a probability above 100%) as never "
               "true. The unit says how the pages write a figure:"), ""]
    lines.append(table(["Unit", "Written as"], [
        [esc(_(unit)), esc(format_in_unit(_EXAMPLES[spec], unit, formats) if spec
                           else _(_AS_WRITTEN[unit]))]
        for unit, spec in UNIT_SPECS.items()]))
    for definition in DEFINITIONS:
        name = definition.fact_type
        meaning = doc_names(inspect.getdoc(definition) or "")
        lines += [f"### {_(name)} {{#facts-{name}}}", "", esc_code(meaning), ""]
        lines.append(table(["Fact", "Label", "Kind", "Unit", "Range", "Meaning"], [
            [f"`{field}`", esc(spec.label), _(spec.kind), esc(_(spec.unit)),
             _range(spec, formats),
             esc_code(doc_names(spec.doc))]
            for field, spec in fields_of(definition).items()]))
    return lines


def _range(spec: FactField, formats: LocaleFormat) -> str:
    """The values a figure always lies in, which `kam rules lint` holds conditions to."""
    low, high = (None if bound is None else format_in_unit(bound, spec.unit, formats)
                 for bound in (spec.low, spec.high))
    if low is not None and high is not None:
        return _("{low} to {high}").format(low=esc(low), high=esc(high))
    if low is not None or high is not None:
        return (_("at least {low}").format(low=esc(low)) if low is not None
                else _("at most {high}").format(high=esc(high)))
    return "—"
