"""Property: whatever Unicode an account file's names and free text hold, the terminal gets no
raw control character, JUnit stays well-formed XML, SARIF valid JSON, and the pages' Markdown
(rendered as the site renders it) holds no element or attribute that came from the data."""

from __future__ import annotations

import copy
import csv
import io
import json
import tempfile
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import markdown
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
from kam_review.output.diff_report import diff_markdown, diff_text
from kam_review.output.report import as_text
from kam_review.review.diff import compare
from kam_review.review.evaluate import evaluate
from kam_review.review.explain import explain_text
from kam_review.review.results import Result
from kam_review.rulebook.loading import load_rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.source.names import name_problems
from kam_review.text_safety import BIDI_CONTROLS, one_line, unencodable
from kam_review.website.pages import render_pages
from kam_review.website.plugin import REQUIRED_EXTENSIONS

from .conftest import AS_OF, RULES, healthy_account, write_account
from .html_tree import Node, parse

# Pieces that mean something to a terminal, to XML, to Markdown or to HTML.
_PIECES = ["\x1b[31m", "\x1b]0;x\x07", "\r", "\x08", "\x00", "\x7f", "\x9b", "\u202e", "\u2066",
           "\u2069", "\u202c", "\u200b", "\ufeff", "\u00ad", "\ufffe", "\U000e0041", "\u2028",
           "\n", "\t", "<", ">", "&", "&lt;", "&#95;", "`", "|", "_", "*", "[a](javascript:x)",
           "{: onclick=x}", "#", "\\", "'", '"', "]]>", "<!--", "{{ config }}", "<script>",
           "</title>", " ", "Zhang", "张"]
TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.characters(exclude_categories=())),
                min_size=1, max_size=12).map("".join)
# Text a name may hold: no control or bidi character (names.py refuses those), and a letter.
NAME = st.lists(st.one_of(
    st.sampled_from([p for p in _PIECES if not name_problems(f"x{p}")]),
    st.characters(exclude_categories=("Cc", "Cs"), exclude_characters=BIDI_CONTROLS)),
    max_size=12).map(lambda pieces: "".join(pieces) + "Z")
NAMES = ("name", "owner", "contact", "opportunity")
FIELDS = (*NAMES, "industry", "title", "goal", "reason")


@st.composite
def texts(draw: st.DrawFn) -> dict[str, str]:
    """Free text of any kind; names too in one example of four, else text a name may hold (so
    that most examples load and reach every output)."""
    names = TEXT if draw(st.integers(0, 3)) == 0 else NAME
    return {field: draw(names if field in NAMES else TEXT) for field in FIELDS}


def _account(texts: dict[str, str]) -> dict[str, Any]:
    """The healthy account with the given texts where names and free text go, and with a
    contact that left and a goal that is not SMART, so that findings quote them."""
    account = copy.deepcopy(healthy_account())
    for field in ("name", "owner", "industry"):
        account[field] = texts[field]
    account["contacts"][0]["name"] = texts["contact"]
    account["activities"][0]["with"] = [texts["contact"]]
    account["contacts"][2].update(title=texts["title"], left_on="2026-09-01")
    account["opportunities"][0]["name"] = texts["opportunity"]
    account["plan"]["goals"][0] = {"text": texts["goal"]}
    account["waivers"] = [{"rule": "risk.complacency", "reason": texts["reason"],
                           "until": "2026-10-15", "by": "Zhou Lan"}]
    return account


def _review(account: dict[str, Any]) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        write_account(Path(folder), account)
        return evaluate(load_portfolio(Path(folder)), _rulebook(), AS_OF)


@cache
def _rulebook() -> Any:
    return load_rulebook(RULES)


@cache
def _plain() -> Result:
    return _review(_account({field: f"plain {field}" for field in FIELDS}))


def _html(page: str) -> Node:
    return parse(markdown.markdown(page, extensions=list(REQUIRED_EXTENSIONS)))


@cache
def _plain_shapes() -> tuple[set[str], set[str]]:
    """The elements and attributes the pages are made of when no text is hostile."""
    nodes = [n for name, page in render_pages(_plain()).items() if name.endswith(".md")
             for n in _html(page).iter()]
    return {n.tag for n in nodes}, {a for n in nodes for a in n.attrs}


def _terminal_safe(text: str) -> bool:
    return not [c for c in text if c != "\n" and unicodedata.category(c) in
                ("Cc", "Cf", "Cs", "Zl", "Zp")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(written=texts())
def test_text_outputs_stay_inert(written: dict[str, str]) -> None:
    result = _review(_account(written))
    event("loaded" if result.accounts else "refused")
    changes = compare(_plain(), result, "base", "head")

    terminal = as_text(result) + diff_text(changes) + "".join(
        f"error: {e}\n" for e in result.errors)
    terminal += "".join(explain_text(item, result) for item in result.accounts)
    assert _terminal_safe(terminal), terminal

    for summary in (check_markdown(result), diff_markdown(changes)):
        assert not [c for c in summary if c != "\n" and unicodedata.category(c) in ("Cc", "Cs")]
    ElementTree.fromstring(check_junit(result, "low"))
    json.loads(check_sarif(result).encode("utf-8"))

    tags, attributes = _plain_shapes()
    pages = render_pages(result)
    for name, page in pages.items():
        if name.endswith(".csv"):  # a spreadsheet's file: no cell it would run as a formula
            rows = list(csv.reader(io.StringIO(page.removeprefix("\ufeff"))))
            assert not [c for row in rows for c in row if c[:1] in ("=", "+", "-", "@")]
            continue
        tree = _html(page)
        assert {n.tag for n in tree.iter()} <= tags, name
        assert {a for n in tree.iter() for a in n.attrs} <= attributes, name
        assert not [n for n in tree.iter("a") if "javascript" in (n.attrs.get("href") or "")]
    if result.accounts:
        account_page = _html(pages["accounts/test-account.md"])
        assert next(account_page.iter("h1")).text() == one_line(written["name"])
        links = [a.text() for a in _html(pages["index.md"]).iter("a")]
        assert one_line(written["name"]) in links


@given(st.text(alphabet=st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "a", "\xe9", "\u4e2d", "\U0001f600"])),
    max_size=40))
def test_unencodable_names_the_first_lone_surrogate(text: str) -> None:
    """A text UTF-8 cannot write is caught, whatever else it holds (ASCII, Latin-1, Han,
    astral characters), and the first half-character named; any other text passes."""
    first = next((ch for ch in text if "\ud800" <= ch <= "\udfff"), None)
    assert unencodable(text) == first
    assert unencodable("é€" + text) == first
