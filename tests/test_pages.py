"""The generated Markdown: hostile text stays text, and the pages are a pure function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markdown
import nh3
import pytest

from kam_review.errors import KamError
from kam_review.output import markdown_text
from kam_review.output.markdown_text import esc, safe_markdown_html
from kam_review.website.pages import render_pages, write_pages

from .conftest import healthy_account

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) *b*'


def _hostile_account() -> dict[str, Any]:
    account = healthy_account()
    account["name"] = HOSTILE
    account["owner"] = HOSTILE
    account["industry"] = HOSTILE
    for contact in account["contacts"]:
        contact["title"] = HOSTILE
    account["contacts"][0]["name"] = "Zhang <b>Min</b>"
    account["activities"][0]["with"] = ["Zhang <b>Min</b>"]
    account["opportunities"][0]["name"] = HOSTILE
    account["plan"]["summary"] = HOSTILE + "\n\n- a list item\n- **bold** item\n"
    account["plan"]["goals"][0]["text"] = HOSTILE
    account["complaints"][0]["summary"] = HOSTILE
    return account


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html"])


def test_escaped_text_renders_as_the_same_text() -> None:
    html = _html(esc(HOSTILE))
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "onerror" in html  # shown, as text


def test_plan_summary_keeps_markdown_but_nothing_active() -> None:
    html = safe_markdown_html(HOSTILE + "\n\n- one\n- **two**\n\n[ok](https://example.com)")
    assert "<li>" in html and "<strong>two</strong>" in html
    assert '<a href="https://example.com"' in html
    for active in ("<script", "onerror", "javascript:"):
        assert active not in html


def test_one_plan_summary_does_not_carry_into_the_next() -> None:
    """The converter is kept from one summary to the next: a link reference one summary
    defines is not one the next can use, and each gives what a fresh converter gives."""
    first = "Ask [the board][b] first.\n\n[b]: https://example.com/board\n\n1. one\n2. two"
    second = "Then [the board][b].\n\n* a\n\n2. b"
    assert '<a href="https://example.com/board"' in safe_markdown_html(first)
    later = safe_markdown_html(second)
    assert "example.com" not in later and "[the board][b]" in later
    for text in (first, second, HOSTILE):
        fresh = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
        assert safe_markdown_html(text) == nh3.clean(
            fresh, tags=markdown_text._ALLOWED_TAGS,
            url_schemes=markdown_text._ALLOWED_LINK_SCHEMES,
            link_rel="noopener noreferrer")


def test_no_account_text_becomes_markup(review_accounts: Any) -> None:
    result = review_accounts(_hostile_account())
    assert not result.errors
    pages = render_pages(result)
    html = _html(pages["accounts/test-account.md"]) + _html(pages["index.md"])
    for active in ("<script", "<img", "href=\"javascript", "<b>Min"):
        assert active not in html, active
    assert "&lt;script&gt;" in html or "&amp;lt;script" in html or "&#60;script" in html


def test_an_account_without_warnings_says_what_its_findings_below_are(
        review_accounts: Any) -> None:
    """Not "all 5 open findings below" beside "No open warning": advice and information."""
    page = render_pages(review_accounts(healthy_account()))["accounts/test-account.md"]
    assert '<p class="kam-summary-label">Findings</p>\n<p class="kam-card-none">No open ' \
           'warning. The <a href="#findings">5 findings</a> below are for information.</p>' \
        in page
    assert "open findings below" not in page
    warned = healthy_account()
    warned["contacts"][2]["left_on"] = "2026-08-31"
    page = render_pages(review_accounts(warned))["accounts/test-account.md"]
    assert "No open warning" not in page and "below are for information" not in page


def test_pages_are_a_pure_function(review_accounts: Any, tmp_path: Path) -> None:
    first = render_pages(review_accounts(healthy_account()))
    second = render_pages(review_accounts(healthy_account()))
    assert first == second
    write_pages(first, tmp_path / "out")
    write_pages(first, tmp_path / "out")  # replacing a previous tree
    # Every file: the pages and the CSV files built with them (the marker is hidden).
    assert sorted(p.name for p in (tmp_path / "out").rglob("*")
                  if p.is_file() and not p.name.startswith(".")) == sorted(
        Path(k).name for k in first)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("bad", [
    {"bad\0name.md": "x"},  # refused before anything is written
    {"later.md": "\ud800"},  # fails half way: this text cannot be written as UTF-8
])
def test_a_failed_write_leaves_the_previous_tree(tmp_path: Path, bad: dict[str, str]) -> None:
    target = tmp_path / "out"
    write_pages({"index.md": "# old\n"}, target)
    with pytest.raises(KamError):
        write_pages({"index.md": "# new\n", **bad}, target)
    assert (target / "index.md").read_text(encoding="utf-8") == "# old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
