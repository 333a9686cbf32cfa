"""Every page a reader sees speaks the reader's words: the sample site, built with a changes
page against the revision before, shows no fact name, threshold name, evidence key, rule id,
`$threshold`, "(s)" or escaped entity in its visible text; those stay inside the collapsed
technical details and code, where the people who write rules and waivers find them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.loading import Rulebook, load_rulebook

from .conftest import ACCOUNTS, REPO, RULES
from .git_support import git, new_repository
from .html_tree import Node, parse

# What a reader does not see: collapsed technical detail, code, and what is not text.
_HIDDEN = frozenset({"details", "code", "pre", "script", "style", "template", "head"})
# Elements that start a line of their own: their text is apart from the text around them.
_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "td", "th", "tr", "table", "br", "h1", "h2",
                     "h3", "h4", "h5", "h6", "nav", "header", "footer", "article", "section",
                     "label", "svg", "text", "title", "summary"})
# The state of the sample a quarter's work ago: the revision the changes page compares with.
_BEFORE = {"hanhai-retail.yaml": [("    revenue: 2260000\n", "    revenue: 2100000\n"),
                                  ("    name: Store POS refresh 2027\n    stage: negotiation\n",
                                   "    name: Store POS refresh 2027\n    stage: recognition\n"),
                                  ("    probability: 0.7\n", "    probability: 0.6\n")]}
_CONFIG = """\
site_name: Key account review
docs_dir: {docs}
use_directory_urls: true
strict: true
theme:
  name: material
  custom_dir: {overrides}
  font: false
plugins:
  - search
  - kam-review:
      accounts: accounts
      rules: {rules}
      as_of: "2026-09-30"
      base: HEAD~1
markdown_extensions: [tables, attr_list, md_in_html, {{toc: {{permalink: true}}}}]
validation:
  nav:
    omitted_files: ignore
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portfolio in a repository of its own, two commits deep, reviewed by the
    site with a changes page against HEAD~1."""
    repo = new_repository(tmp_path_factory.mktemp("portfolio") / "team")
    shutil.copytree(ACCOUNTS, repo / "accounts")
    for name, edits in _BEFORE.items():
        path = repo / "accounts" / name
        text = path.read_text(encoding="utf-8")
        for now, before in edits:
            assert text.count(now) == 1, (name, now)
            text = text.replace(now, before)
        path.write_text(text, encoding="utf-8")
    (repo / "mkdocs.yml").write_text(_CONFIG.format(
        docs=REPO / "site" / "docs", overrides=REPO / "site" / "overrides", rules=RULES),
        encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "last quarter")
    for name in _BEFORE:
        shutil.copy(ACCOUNTS / name, repo / "accounts" / name)
    git(repo, "commit", "-qam", "this quarter")
    target = tmp_path_factory.mktemp("site") / "site"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(target)],
                   cwd=repo, check=True, capture_output=True)
    return target


def visible(node: Node) -> str:
    """The text a reader sees without opening anything: no collapsed detail, no code."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag in _BLOCKS:
            parts.append(f" {visible(child)} ")
        elif child.tag not in _HIDDEN:
            parts.append(visible(child))
    return " ".join("".join(parts).split())


def technical_words(rulebook: Rulebook) -> re.Pattern[str]:
    """Names only the rules and the code know: facts and thresholds (snake_case), evidence
    keys, rule ids; a `$threshold`; a count written "(s)"; an entity shown as text."""
    names = {name for fields in FACT_TYPES.values() for name in fields if "_" in name}
    names |= set(rulebook.thresholds)
    names |= {key for stage in rulebook.stages for key in stage.characteristics if "_" in key}
    names |= {rule.id for rule in rulebook.rules}
    words = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    # A threshold reference starts with a letter ($fast_growing_min_growth); $268K is money.
    return re.compile(rf"(?<![\w.-])(?:{words})(?![\w-])|\$[a-z_]\w*|\(s\)|&#?\w+;")


def pages(site: Path) -> Iterator[tuple[str, Node]]:
    for path in sorted(site.rglob("*.html")):
        yield str(path.relative_to(site)), parse(path.read_text(encoding="utf-8"))


def test_no_page_shows_a_technical_name(site: Path) -> None:
    pattern = technical_words(load_rulebook(RULES))
    found = []
    for name, root in pages(site):
        text = visible(next(root.iter("body")))
        found += [f"{name}: {match.group()!r} in ...{_around(text, match)}..."
                  for match in pattern.finditer(text)]
    assert found == []


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 60):match.end() + 20]


def test_the_scan_sees_what_it_looks_for(site: Path) -> None:
    """The names are there, collapsed: the scan would see them if a page showed them."""
    pattern = technical_words(load_rulebook(RULES))
    page = next(root for name, root in pages(site)
                if name == "accounts/beichen-education/index.html")
    details = " ".join(node.text() for node in page.iter("details"))
    assert {"class.fast-growing", "growth_yearly", "$fast_growing_min_growth"} <= {
        match.group() for match in pattern.finditer(details)}
    assert pattern.search(visible(parse("<p>0 fall(s); budget_known (false)</p>")))


def _page_text(site: Path, page: str) -> str:
    return visible(next(parse((site / page).read_text(encoding="utf-8")).iter("body")))


def test_why_this_class_reads_as_comparisons(site: Path) -> None:
    text = _page_text(site, "accounts/beichen-education/index.html")
    assert "Fast-growing account: not evaluated ? growth over a year: unknown, needs at " \
           "least +20%" in text
    assert "✘ years buying from us: 2.23 years, needs at most 1 year" in text
    assert "needs share of wallet: no row for 2026-Q3" in text


def test_why_this_class_says_which_checks_a_rule_needs(site: Path) -> None:
    """A ✘ under "any of:" does not stop a rule applying: the reasons keep its groups."""
    text = _page_text(site, "accounts/guoneng-energy/index.html")
    assert ("Dormant account: applies all of: ✔ lifetime revenue: CN¥6.11M, needs more than "
            "CN¥0 any of: ✔ recent revenue against the quarters before: 3.7%, needs at most "
            "10% ✘ quarters in a row without sales: 0, needs at least 2 ✔ live "
            "opportunities: 0, needs 0") in text
    # A rule that needs every one of its checks lists them alone.
    assert "New account worth nurturing: does not apply ✘ years buying from us" in text


def test_the_changes_page_names_the_base_as_written(site: Path) -> None:
    page = parse((site / "changes/index.html").read_text(encoding="utf-8"))
    # Exactly as written: neither escaped twice nor turned into other text.
    article = next(page.iter("article")).text()
    assert "Compared with revision HEAD~1 (2026-09-30)." in article, article[:300]
    assert "&#126;" not in article and "&amp;" not in article
    text = visible(next(page.iter("body")))
    # An opportunity by its name, each figure by its label, in the reader's words.
    assert "Store POS refresh 2027" in text, text[:2000]
    assert "HEAD~1" in text
    page = parse((site / "accounts/hanhai-retail/index.html").read_text(encoding="utf-8"))
    account = visible(next(page.iter("body")))
    assert "Compared with revision HEAD~1 (2026-09-30)" in account
