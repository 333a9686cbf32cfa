"""What the pages carry for sorting, paper and spreadsheets, without a browser: sort keys
written by the generator, the sections an account page leaves off paper, the regions wide
tables scroll in, the provenance line every page ends with, and the risk register's CSV
file (UTF-8 with BOM, formula-safe, the same bytes every time)."""

from __future__ import annotations

import csv
import io
import itertools
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import markdown
import pytest

from kam_review.locale_format import ENGLISH
from kam_review.output.csv_export import (
    BOM,
    RISK_REGISTER_HEADERS,
    actions_csv,
    csv_text,
    exports,
    inert_cell,
    risk_register_csv,
)
from kam_review.output.report import rules_source
from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.since import review_since
from kam_review.vocabulary import Severity
from kam_review.website.pages import render_pages
from kam_review.website.pages.cells import date_cell, severity_weight, sort_value
from kam_review.website.pages.common import severity_badge
from kam_review.website.pages.printing import screen_only
from kam_review.website.plugin import REQUIRED_EXTENSIONS
from kam_review.website.provenance import Provenance, footer_html, provenance, rules_shown
from kam_review.website.table_regions import TableRegions

from .conftest import ACCOUNTS, AS_OF, REPO, RULES, healthy_account, variant
from .html_tree import Node, parse


@pytest.fixture(scope="module")
def sample() -> Result:
    """The review the built site shows: compared with the previous review, as the site is."""
    return review_since(ACCOUNTS, RULES, AS_OF, since=Since(cache=False))[0]


def _html(page: str, *extensions: Any) -> Node:
    return parse(markdown.markdown(page, extensions=[*REQUIRED_EXTENSIONS, *extensions]))


# --- sort keys ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "key"), [
    (3, "3"), (0.25, "0.25"), (2_900_000.0, "2900000"), (-0.083, "-0.083"),
    (1e-05, "0.00001"),  # an exponent would be read as 1 by the sorter
    (-0.0, "0"), (1e20, "100000000000000000000"), (-1250000.5, "-1250000.5"),
])
def test_sort_values_are_plain_decimals(value: float, key: str) -> None:
    assert sort_value(value) == key
    assert float(key) == value


def test_severities_sort_by_rank() -> None:
    weights = [severity_weight(s) for s in Severity]  # declared most severe first
    assert weights == sorted(weights, reverse=True) == [4, 3, 2, 1]
    assert 'data-sort="4"' in severity_badge("high")
    assert 'data-sort="1"' in severity_badge("info")


@pytest.mark.parametrize(("day", "cell"), [
    ("2026-09-30", '<span data-sort="20260930">Sep 30, 2026</span>'),
    (date(2027, 1, 5), '<span data-sort="20270105">Jan 5, 2027</span>'),
    (None, "—"), ("", "—"),
])
def test_dates_sort_as_dates(day: date | str | None, cell: str) -> None:
    assert date_cell(day, ENGLISH) == cell
    # The day before and after sort before and after it.
    if day:
        keys = [int(re.findall(r'data-sort="(\d+)"', date_cell(d, ENGLISH))[0])
                for d in ("2026-09-29", "2026-09-30", "2026-10-01")]
        assert keys == sorted(keys)
    assert date_cell(None, ENGLISH, "none") == "none"


def _sortable_tables(page: str) -> list[Node]:
    tree = _html(page)
    return [table for div in tree.iter("div") if div.has_class("kam-table")
            for table in div.iter("table")]


def _columns(table: Node) -> dict[str, list[Node]]:
    heads = [th.text().strip() for th in table.iter("th")]
    rows = [list(tr.iter("td")) for tr in table.iter("tr") if list(tr.iter("td"))]
    return {head: [row[i] for row in rows] for i, head in enumerate(heads)}


def _keys(cells: list[Node]) -> list[str | None]:
    return [next((n.attrs["data-sort"] for n in cell.iter() if "data-sort" in n.attrs), None)
            for cell in cells]


# Columns of the sample's sortable tables that hold figures, dates or severities: every
# cell carries its raw value, or shows that it has none.
KEYED = {
    "index.md": ["Revenue, last 4 quarters", "Growth over a year", "Margin",
                 "Worst open finding", "Quarters behind", "Last activity", "Days since",
                 "Rules not evaluated"],
    "risks.md": ["Severity"],
    "funnel.md": ["Value", "Probability", "Weighted", "Expected close"],
}


@pytest.mark.parametrize("page", sorted(KEYED))
def test_sortable_columns_carry_their_values(sample: Result, page: str) -> None:
    columns: dict[str, list[Node]] = {}
    for table in _sortable_tables(render_pages(sample)[page]):
        columns.update(_columns(table))
    for name in KEYED[page]:
        cells = columns[name]
        for cell, key in zip(cells, _keys(cells), strict=True):
            assert key is not None or cell.text().strip() in ("—", "none"), (name, cell.text())
            if key is not None:
                float(key)  # a number the sorter compares as one


def test_the_overview_keys_are_the_facts(sample: Result) -> None:
    tables = [_columns(t) for t in _sortable_tables(render_pages(sample)["index.md"])]
    (cells,) = [c for c in tables if "Worst open finding" in c]
    by_name = {item.account.name: item for item in sample.accounts}
    names = [cell.text().strip() for cell in cells["Account"]]
    for name, key in zip(names, _keys(cells["Growth over a year"]), strict=True):
        growth = by_name[name].facts[0].get("growth_yearly")
        assert (None if key is None else float(key)) == growth
    worst = _keys(cells["Worst open finding"])
    for name, key in zip(names, worst, strict=True):
        item = by_name[name].worst_warning
        assert key == (None if item is None else str(severity_weight(item.severity)))


# --- paper ----------------------------------------------------------------------------

def _screen_only_text(page: str) -> tuple[str, str]:
    """The text an account page shows on screen only, and the text it prints."""
    tree = _html(page)
    hidden = [div for div in tree.iter("div") if div.has_class("kam-screen-only")]
    hidden_text = " ".join(div.text() for div in hidden)
    return hidden_text, tree.text()


def test_an_account_page_marks_what_stays_off_paper(sample: Result) -> None:
    page = render_pages(sample)["accounts/hanhai-retail.md"]
    hidden, everything = _screen_only_text(page)
    for looked_up in ("Why this class and focus", "Buying team", "Opportunities", "Figures",
                      "stage characteristics", "Working with the buying team", "Waivers"):
        assert looked_up in hidden, looked_up
    item = sample.account("hanhai-retail")
    plan = item.account.plan
    assert plan is not None
    printed = [f.message for f in item.findings if f.kind.warns] + [
        g.text for g in plan.goals] + ["Findings", "Plan", "At a glance"]
    for kept in printed:  # printed at least once (a goal may also be named on screen only)
        assert everything.count(kept) > hidden.count(kept), kept
    # A heading inside a screen-only part still has its id: the table of contents links it.
    ids = [h.attrs.get("id") for h in _html(page, "toc").iter("h2")]
    assert "buying-team" in ids and "why-this-class-and-focus" in ids


def test_nothing_to_hide_adds_nothing() -> None:
    assert screen_only([]) == []
    assert screen_only(["x"])[1] == "x"


# --- tables in regions ----------------------------------------------------------------

def _regions(source: str) -> list[dict[str, str | None]]:
    tree = _html(source, "toc", TableRegions())
    return [div.attrs for div in tree.iter("div") if div.has_class("kam-scroll")]


TABLE = "| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_each_table_scrolls_in_a_named_region() -> None:
    regions = _regions(f"{TABLE}\n# Overview &amp; more\n\n{TABLE}\n## Figures\n\n{TABLE}\n"
                       f"{TABLE}\n<div markdown>\n\n{TABLE}\n</div>\n")
    assert [r["aria-label"] for r in regions] == [
        "Table", "Overview & more", "Figures (table 1 of 3)", "Figures (table 2 of 3)",
        "Figures (table 3 of 3)"]
    assert all(r["role"] == "region" and r["tabindex"] == "0" for r in regions)


def test_a_table_is_wrapped_once() -> None:
    html = markdown.markdown(f"# T\n\n{TABLE}", extensions=["tables", "toc", TableRegions(),
                                                            TableRegions()])
    assert html.count('class="kam-scroll"') == 1


# --- provenance -----------------------------------------------------------------------

@pytest.mark.parametrize(("source", "shown"), [
    ({"source": "folder", "commit": "0123456789abcdef0123", "dirty": False},
     "commit 0123456789ab"),
    ({"source": "folder", "commit": "0123456789abcdef0123", "dirty": True},
     "uncommitted changes (last commit 0123456789ab)"),
    ({"source": "folder", "commit": None, "dirty": True}, "uncommitted changes"),
    ({"source": "folder", "commit": None, "dirty": None}, "not in git"),
    ({"source": "bundled", "tool_version": "9.9", "commit": None, "dirty": False},
     "bundled with kam-review 9.9"),
    ({"source": "folder", "commit": "abc", "dirty": False,
      "thresholds": {"file": "team.yaml", "sha256": "x"}},
     "commit abc, thresholds from team.yaml"),
])
def test_the_rules_are_named_by_their_commit(source: dict[str, Any], shown: str) -> None:
    assert rules_shown(source) == shown


def test_provenance_names_the_latest_quarter_on_file(sample: Result) -> None:
    about = provenance(sample, {"source": "folder", "commit": "abc", "dirty": False})
    latest = max(str(item.facts[0]["latest_quarter"]) for item in sample.accounts)
    assert about.latest_quarter == latest == "2026-Q3"
    assert about.line.startswith("Review as of 2026-09-30 · rules: commit abc · kam-review ")
    assert about.line.endswith("latest figures on file: 2026-Q3")


def test_the_printed_line_cannot_leave_its_style() -> None:
    about = Provenance(AS_OF, 'x" } </style><script>alert(1)</script> \\', "1", None)
    html = footer_html(about)
    style = html[html.index("<style>"):]
    assert style.count("</style>") == 1 and "<script" not in html
    assert '\\22 ' in style and "\\5c " in style and "\\3c /style\\3e " in style
    assert "&lt;script&gt;" in html and "latest figures on file: none" in html


# --- CSV ------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1", "'-1"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("a=b", "a=b"), ("", ""), (None, ""), (-5, -5), (0.25, 0.25), ("'quoted", "'quoted"),
])
def test_no_cell_runs_as_a_formula(cell: Any, written: Any) -> None:
    assert inert_cell(cell) == written


def _read(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


def test_the_risk_register_csv_is_the_register(sample: Result) -> None:
    text = risk_register_csv(sample)
    assert text == risk_register_csv(sample)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    header, *rows = _read(text)
    assert tuple(header) == RISK_REGISTER_HEADERS
    warnings = sample.warnings()
    assert len(rows) == len(warnings)
    for row, (finding, account) in zip(rows, warnings, strict=True):
        assert row[0] == account.id and row[3] == finding.severity
        assert row[7] == finding.message and row[8] == finding.action
        assert row[9] == ("yes" if finding.waived else "no")
        assert row[10] == finding.waiver_note
    # What the plan does about each warning, as the page's Planned column says it.
    planned = {(row[0], row[5]): row[12] for row in rows}
    assert planned[("guoneng-energy", "risk.single-threaded")] == (
        "Meet Zhu Hai on the 2027 offshore-farm plans and ask to meet his maintenance "
        "managers (Li Wei, due 2026-08-31)")
    assert planned[("guoneng-energy", "risk.declining-revenue")] == "nothing planned"
    assert planned[("jiahe-home", "risk.declining-revenue")] == (
        "done: Visit the Nanjing flagship with He Jing to see why kiosk orders fell (Li Wei)")
    assert planned[("jiahe-home", "plan.action-overdue")] == ""
    assert exports(sample)["risks.csv"] == text
    assert set(exports(sample)) == {"risks.csv", "actions.csv"}
    assert render_pages(sample)["risks.csv"] == text


Change = Callable[[dict[str, Any]], Any]


def _rename(name: str) -> Change:
    def change(account: dict[str, Any]) -> None:
        account["name"] = name
        account["owner"] = "-Li Wei"
        account["contacts"][0]["last_contact"] = "2026-01-01"  # a finding to list
        met = account["contacts"][0]["name"]  # and no later activity with them
        account["activities"] = [a for a in account["activities"] if met not in a["with"]]
    return change


def test_hostile_names_stay_text_in_a_spreadsheet(review_accounts: Any) -> None:
    result = review_accounts(variant(_rename('=HYPERLINK("http://evil","海尔 José")')))
    assert not result.errors
    _, *rows = _read(risk_register_csv(result))
    assert rows, "the variant should have a warning"
    assert {row[1] for row in rows} == {"'=HYPERLINK(\"http://evil\",\"海尔 José\")"}
    assert {row[2] for row in rows} == {"'-Li Wei"}
    encoded = risk_register_csv(result).encode("utf-8")
    assert encoded.startswith(b"\xef\xbb\xbf") and "海尔".encode() in encoded


def test_an_empty_register_is_its_header(review_accounts: Any) -> None:
    result = review_accounts(healthy_account())
    assert [f for f in result.accounts[0].findings if f.kind.warns] == []
    assert _read(risk_register_csv(result)) == [list(RISK_REGISTER_HEADERS)]
    assert csv_text(["a"], []) == BOM + "a\r\n"


# --- the built site -------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(site)],
                   cwd=REPO, check=True, capture_output=True)
    return site


def _pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8")
            for p in sorted(site.rglob("index.html"))}


def test_the_site_carries_the_register_as_csv(built: Path, sample: Result) -> None:
    data = (built / "risks.csv").read_bytes()
    assert data == risk_register_csv(sample).encode("utf-8")
    assert 'download="risks-2026-09-30.csv" href="../risks.csv"' in (
        built / "risks" / "index.html").read_text(encoding="utf-8")


def test_the_site_carries_every_action_as_csv(built: Path, sample: Result) -> None:
    data = (built / "actions.csv").read_bytes()
    assert data == actions_csv(sample).encode("utf-8")
    # Linked from the overview's actions list and from the owners page.
    overview = (built / "index.html").read_text(encoding="utf-8")
    section = overview.split('id="actions-due-before-the-next-review"', 1)[1]
    assert 'download="actions-2026-09-30.csv" href="actions.csv"' in section.split("<h2", 1)[0]
    assert 'download="actions-2026-09-30.csv" href="../actions.csv"' in (
        built / "owners" / "index.html").read_text(encoding="utf-8")


def test_every_page_ends_with_its_provenance(built: Path, sample: Result) -> None:
    line = provenance(sample, rules_source(RULES, None)).line
    pages = _pages(built)
    assert len(pages) >= len(sample.accounts) + 6
    for name, html in pages.items():
        assert html.count('<footer class="kam-provenance">') == 1, name
        assert f"<p>{line}</p>" in html, name
        assert '@page { @bottom-left { content: "Review as of 2026-09-30' in html, name
    # The line is no search result.
    assert "kam-provenance" not in (built / "search" / "search_index.json").read_text(
        encoding="utf-8")


def test_every_table_of_every_page_is_in_a_region(built: Path) -> None:
    # A chart's figures fold out below it in a table of their own (<details>, with a
    # caption), as narrow as the chart: it needs no region. Every other table has one.
    region = re.compile(r'<div aria-label="[^"]+" class="kam-scroll" role="region" '
                        r'tabindex="0">$')
    for name, html in _pages(built).items():
        for found in re.finditer("<table>", html):
            before, after = html[:found.start()], html[found.end():]
            assert region.search(before) or after.lstrip().startswith("<caption>"), name


def test_headings_never_skip_a_level(built: Path) -> None:
    for name, html in _pages(built).items():
        levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
        assert levels.count(1) == 1, name
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert skips == [], name
