"""What every page of the site says about itself: the review date, the rules' commit, the
tool's version and how fresh the data is.

A page read or printed weeks later must still say which review it belongs to. The plugin
puts this line at the foot of every page's content (generated and hand-written alike) and,
for paper, into the bottom margin of every printed sheet (a CSS page-margin box, which the
browser repeats on each page), with the page number beside it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kam_review import __version__
from kam_review.formatting import plain
from kam_review.i18n import _
from kam_review.review.results import Result

# A commit is named by its first characters, as git shows it short.
_COMMIT_SHOWN = 12


@dataclass(frozen=True)
class Provenance:
    as_of: date
    rules: str  # "commit 1a2b3c4d5e6f", "uncommitted changes (...)", "bundled with ..."
    tool_version: str
    latest_quarter: str | None  # the latest quarter on file across the portfolio

    @property
    def parts(self) -> tuple[str, ...]:
        # {day} as the English footer writes it; a translation may write {date}, its own way.
        return (_("Review as of {day}").format(day=self.as_of.isoformat(),
                                               date=plain().date(self.as_of)),
                _("rules: {rules}").format(rules=self.rules), f"kam-review {self.tool_version}",
                _("latest figures on file: {quarter}").format(
                    quarter=plain().quarter(self.latest_quarter) if self.latest_quarter
                    else _('none')))

    @property
    def line(self) -> str:
        return " · ".join(self.parts)


def rules_shown(source: Mapping[str, Any]) -> str:
    """The rules' origin (output.report.rules_source) in a few words: their commit, or that
    they hold uncommitted changes, or that they are the bundled ones."""
    commit = source.get("commit")
    last = _("last commit {commit}").format(commit=commit[:_COMMIT_SHOWN]) if commit else None
    if source.get("source") == "bundled":
        text = _("bundled with kam-review {version}").format(
            version=source.get('tool_version', __version__))
    elif source.get("dirty"):
        text = _("uncommitted changes") + (f" ({last})" if last else "")
    elif commit:
        text = _("commit {commit}").format(commit=commit[:_COMMIT_SHOWN])
    else:
        text = _("not in git")
    thresholds = source.get("thresholds")
    if thresholds:
        text += _(", thresholds from {file}").format(file=thresholds['file'])
    return text


def provenance(result: Result, rules_source: Mapping[str, Any]) -> Provenance:
    quarters = [str(item.facts[0]["latest_quarter"]) for item in result.accounts
                if item.facts and item.facts[0].get("latest_quarter")]
    # Quarters are written 2026-Q3: their text sorts as time does.
    return Provenance(result.as_of, rules_shown(rules_source), __version__,
                      max(quarters, default=None))


def footer_html(about: Provenance) -> str:
    """The block at the foot of a page's content, and the rule that prints the same line in
    the bottom margin of every printed sheet."""
    shown = " · ".join(html.escape(part) for part in about.parts)
    return (f'\n<footer class="kam-provenance"><p>{shown}</p></footer>\n'
            f'<style>@page {{ @bottom-left {{ content: "{_css_string(about.line)}"; }}'
            f"{_page_counter()} }}</style>\n")


def _page_counter() -> str:
    """The bottom-right "page N of M" of a printed sheet in the active language; nothing
    where the stylesheet's own words (kam-review.css) are the language's. A page margin box
    has no :lang() to select by, so the words come with the page, as its footer line does."""
    english = "page {page} of {pages}"
    words = _("page {page} of {pages}")
    if words == english:
        return ""
    parts = [f'"{_css_string(text)}"' if i % 2 == 0 else f"counter({text})"
             for i, text in enumerate(re.split(r"\{(pages?)\}", words)) if text]
    return f" @bottom-right {{ content: {' '.join(parts)}; }}"


def _css_string(text: str) -> str:
    """Text inside a CSS string in a <style> element: quotes, backslashes and line breaks
    escaped, and no `<` that could close the element."""
    return "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r\f' else c for c in text)
