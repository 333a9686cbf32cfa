"""Pieces every page uses: links, badges, figures, sortable tables, charts."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from kam_review.formatting import format_in_unit, format_value
from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.output.charts import Chart
from kam_review.output.markdown_text import esc
from kam_review.review.results import AccountResult, Finding
from kam_review.review.tally import count_findings
from kam_review.rulebook.fact_fields import FactField
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.history import TREND_BASIS
from kam_review.rulebook.loading import Rule, Rulebook
from kam_review.source.model import Account
from kam_review.vocabulary import Mark, Severity
from kam_review.website.pages.cells import date_cell, severity_weight, sorted_by
from kam_review.wording import counted, labelled

ACCOUNTS_DIR = "accounts"


def account_link(account: Account, prefix: str = "") -> str:
    return f"[{esc(account.name)}]({prefix}{ACCOUNTS_DIR}/{account.id}.md)"


def rule_link(rule_id: str, prefix: str = "") -> str:
    return f"[{rule_id}]({prefix}rules.md#{anchor(rule_id)})"


def rule_title_link(rule: Rule, prefix: str = "") -> str:
    """The rule by its title, linked to its entry in the rule catalogue: what pages show;
    rule_link, by its id, is for technical detail."""
    return f"[{esc(rule.title)}]({prefix}rules.md#{anchor(rule.id)})"


def anchor(rule_id: str) -> str:
    return rule_id.replace(".", "-")


def severity_badge(severity: str) -> str:
    # It sorts by rank (high above medium), not by the word; see cells.py.
    weight = severity_weight(Severity(severity))
    return f'<span data-sort="{weight}" class="kam-sev kam-sev-{severity}">{_(severity)}</span>'


def open_warnings_cell(findings: Iterable[Finding]) -> str:
    """The open warnings (Finding.warns) among findings, as severity badges with their
    counts; "none" without."""
    counts = count_findings(f for f in findings if f.warns).by_severity()
    return " ".join(f"{severity_badge(s)} {counts[s]}" for s in Severity if counts[s]) \
        or _("none")


def filterable(markdown_table: str, filters: Iterable[str] = ()) -> str:
    """A table the reader can sort, and filter by the named columns (see kam-review.js),
    the script's words in the page's language."""
    names = ",".join(_(name) for name in filters)  # the headings as the page shows them
    attribute = f' data-filters="{names}"' if names else ""
    attribute += "".join(f' data-{key}="{html.escape(_(words), quote=True)}"'
                         for key, words in _FILTER_WORDS)
    if not markdown_table.startswith("|"):
        return markdown_table
    return f'<div class="kam-table"{attribute} markdown>\n\n{markdown_table}\n</div>\n'


# What kam-review.js writes beside a filterable table, by its data attribute: {name} is a
# column's heading, {shown} and {total} rows.
_FILTER_WORDS = (("filter-label", "Filter rows"), ("filter-all", "All: {name}"),
                 ("filter-shown", "{shown} of {total} shown"), ("filter-none", "(none)"))


def prose(cell: str) -> str:
    """A table cell of sentences, which keeps a reading width on screen (kam-review.css)
    where a wide table would squeeze it to a word a line."""
    return f'<span class="kam-prose">{cell}</span>' if cell else cell


def chart(drawn: Chart) -> str:
    """An inline SVG chart and its table as a raw HTML block, untouched by Markdown."""
    return f'<div class="kam-chart">\n\n{drawn.html()}\n\n</div>\n'


def fact_num(value: Any, name: str, fact_type: str = "account",
             formats: LocaleFormat = ENGLISH) -> str:
    """A fact's figure written as its unit says, in a table that sorts it by its value, not
    by its text (CN¥850K below CN¥2.9M)."""
    if value is None:
        return "—"
    if described(name, fact_type).unit == "date":
        return date_cell(value, formats)
    return sorted_by(fact_figure(value, name, fact_type, formats), value)


def account_num(result: AccountResult, name: str) -> str:
    return fact_num(account_fact(result, name), name, formats=result.formats)


def growth_cell(item: AccountResult) -> str:
    """Growth over a year, for a table that sorts it, with growth_mark."""
    return account_num(item, "growth_yearly") + growth_mark(item)


def growth_mark(item: AccountResult) -> str:
    """What growth over a year was read from where that is less than a year against the
    year before: " (1 of 4 quarters)" a year apart, or " (trend)" of the last 4 (growth_note
    says so under the overview's table); "" otherwise."""
    quarters = account_fact(item, "growth_basis_quarters")
    if account_fact(item, "growth_yearly") is None or quarters is None or quarters >= 8:
        return ""
    if account_fact(item, "growth_basis") == _(TREND_BASIS):
        return " " + _("(trend)")
    return " " + _("({count} of 4 quarters)").format(count=quarters // 2)


def growth_note() -> str:
    """What growth_cell's marks mean, for the line under the table."""
    return _("Growth over a year is the last 4 quarters against the 4 before; where fewer of "
             "them have their quarter a year before on file, those (\"1 of 4 quarters\"); "
             "with no quarter a year before, the trend of the last 4, the last 2 against the "
             "2 before as a yearly rate (\"trend\").")


def account_fact(result: AccountResult, name: str) -> Any:
    return result.facts[0].get(name)


def marked(item: AccountResult, rulebook: Rulebook, mark: Mark) -> dict[str, list[str]]:
    """The subjects of the account that its findings mark with `mark` (as their rules say),
    each with the words shown, in the order of the findings."""
    words = {rule.id: rule.marks[mark] for rule in rulebook.rules if mark in rule.marks}
    found: dict[str, list[str]] = {}
    for finding in item.findings:
        if finding.rule in words:
            found.setdefault(finding.subject, []).append(words[finding.rule])
    return found


def described(name: str, fact_type: str = "account") -> FactField:
    """A fact field's definition: its label and unit for the pages."""
    return FACT_TYPES[fact_type][name]


def figure(value: Any, spec: str, formats: LocaleFormat = ENGLISH) -> str:
    return "—" if value is None else format_value(value, spec, formats)


def fact_figure(value: Any, name: str, fact_type: str = "account",
                formats: LocaleFormat = ENGLISH) -> str:
    """A fact's figure written as its unit says; — when it is unknown."""
    unit = described(name, fact_type).unit
    # A text fact is a word of the vocabulary (growth basis, stock measure) or a name.
    return "—" if value is None else (_(value) if unit == "text" and isinstance(value, str)
                                      else format_in_unit(value, unit, formats))


def account_figure(result: AccountResult, name: str) -> str:
    return fact_figure(account_fact(result, name), name, formats=result.formats)


WIDE_PAGE = "---\nhide:\n  - toc\n---\n\n"


def waiver_text(finding: Finding, formats: LocaleFormat = ENGLISH) -> str:
    """How a page says a finding is waived: until when (a date as the reader reads it), by
    whom, why."""
    waiver = finding.waiver
    if waiver is None:
        return ""
    return esc(finding.waived_until("—" if waiver.until is None else formats.date(waiver.until)))


def waived_high_note(waived: Sequence[tuple[AccountResult, Finding]], rulebook: Rulebook,
                     prefix: str = "") -> list[str]:
    """The high findings that waivers silence, named wherever findings are summed up: a
    waiver never hides a threat to an account from the review."""
    if not waived:
        return []
    lines = [_("**{findings} waived** (accepted by a waiver, not counted as open):").format(
        findings=counted(len(waived), 'high finding')), ""]
    lines += ["- " + labelled(account_link(item.account, prefix),
                              f"{rule_title_link(rulebook.rule(finding.rule), prefix)} "
                              f"{esc(finding.subject)}" + _(", ")
                              + waiver_text(finding, item.formats))
              for item, finding in waived]
    return [*lines, ""]

