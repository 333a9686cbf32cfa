"""Pull-request comments (`kam check --format markdown`, `kam diff --format markdown`) show
what an account file says without letting the code host act on it: no @mention of a person or
a team, no link made of a URL, a www. address or an e-mail address, outside code spans."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import markdown
import pytest

from kam_review.output.ci_formats import check_markdown
from kam_review.output.diff_report import diff_markdown
from kam_review.output.markdown_text import comment_text
from kam_review.review.diff import compare

from .conftest import Reviewer, healthy_account
from .html_tree import Node, parse

HOSTILE = "@octo-org/everyone www.evil.example https://evil.example/x mail@evil.example"
# What GitHub makes live in a comment's text: mentions (and e-mail addresses), URLs, www.
ACTIVE = re.compile(r"@[A-Za-z0-9]|[A-Za-z][A-Za-z0-9+.-]*://|www\.", re.IGNORECASE)


def _outside_code(node: Node) -> str:
    """The text a reader sees, but for code spans and blocks (the code host leaves those)."""
    return "".join(child if isinstance(child, str) else
                   "" if child.tag in ("code", "pre") else _outside_code(child)
                   for child in node.children)


def _rendered(text: str) -> Node:
    return parse(markdown.markdown(text, extensions=["tables", "md_in_html"]))


def _hostile_accounts() -> list[dict[str, Any]]:
    """Two accounts named HOSTILE whose departed contact's title is HOSTILE (a high finding
    quotes it); the second waives it until soon, approved by HOSTILE-looking names."""
    accounts = []
    for account_id, waived in (("a-one", False), ("b-two", True)):
        account = healthy_account() | {"id": account_id, "name": HOSTILE}
        account["contacts"][2] |= {"left_on": "2026-09-01", "title": HOSTILE}
        if waived:
            account["waivers"] = [{"rule": "risk.key-contact-left", "subject": "Chen Jun",
                                   "reason": HOSTILE, "until": "2026-10-15",
                                   "by": "@octo-org/sales www.x.example"}]
        accounts.append(account)
    return accounts


def test_check_summary_makes_no_mention_or_link(review_accounts: Reviewer) -> None:
    result = review_accounts(*_hostile_accounts())
    assert not result.errors and result.waived_high
    text = check_markdown(result)
    seen = _outside_code(_rendered(text))
    assert ACTIVE.findall(seen) == []
    # A reader sees every text as written: the word joiners draw nothing.
    assert seen.replace("\u2060", "").count(HOSTILE) >= 6
    assert "@octo-org/sales www.x.example" in seen.replace("\u2060", "")


def test_diff_summary_makes_no_mention_or_link(review_accounts: Reviewer) -> None:
    plain = [healthy_account() | {"id": i} for i in ("a-one", "b-two")]
    diff = compare(review_accounts(*plain), review_accounts(*_hostile_accounts()),
                   "main", "HEAD")
    diff = replace(diff, notes=(f"a note quoting {HOSTILE}",))
    assert diff.new_findings
    seen = _outside_code(_rendered(diff_markdown(diff)))
    assert ACTIVE.findall(seen) == []
    assert HOSTILE in seen.replace("\u2060", "")


@pytest.mark.parametrize(("text", "inert"), [
    ("@team", "@\u2060team"),
    ("HTTPS://a.example", "HTTPS:\u2060//a.example"),
    ("WWW.a.example", "WWW\u2060.a.example"),
    ("ftp://x and a@b.example", "ftp:\u2060//x and a@\u2060b.example"),
    ("no link: here www", "no link: here www"),
])
def test_comment_text_breaks_each_active_form(text: str, inert: str) -> None:
    assert comment_text(text) == inert
