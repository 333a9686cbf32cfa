"""Search entries made by scanning a page's HTML (website/search_scan.py, search_sections.py,
search_entries.py) are Material's own, byte for byte: on every page of the sample site, a
generated portfolio, the Chinese site (jieba) and a site of hostile text, and on generated
HTML full of the quirks of Material's parser. HTML the scanner does not read is left to
Material (None), never indexed differently."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from material.plugins.search import plugin as material_search
from mkdocs.commands.build import build
from mkdocs.config import load_config

from kam_review.source.fast_yaml import FAST_VARIABLE
from kam_review.website import search_entries
from kam_review.website.fast_search import SEARCH_ATTRIBUTES, without_search_attributes

from .conftest import AS_OF, REPO, write_account
from .test_site_hostile import _account, _hostile

Recorded = list[tuple[str, str, str | None]]


def test_material_search_is_the_code_the_scanner_was_checked_against() -> None:
    """After an upgrade of mkdocs-material that changes its search parser or index, compare
    search_scan.py and search_sections.py with the new code, then set CHECKED to the new
    fingerprint. Until then every page is indexed by Material (correct, only slower)."""
    module = material_search
    assert search_entries.fingerprint(module) == search_entries.CHECKED
    assert search_entries.material() is module


def _as_json(entries: list[dict[str, Any]] | None) -> str | None:
    return None if entries is None else json.dumps(entries, ensure_ascii=False)


def _record(config_file: Path, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """Build a site the plain way; for every page Material indexes, its entries and the
    scanner's (made from the same page at the same moment)."""
    assert search_entries.material() is not None  # read before the index is watched
    recorded: Recorded = []
    original = material_search.SearchIndex.add_entry_from_context

    def watching(index: Any, page: Any) -> None:
        scanned = search_entries.entries(index, page)
        before = len(index.entries)
        original(index, page)
        recorded.append((page.file.src_uri, _as_json(index.entries[before:]) or "",
                         _as_json(scanned)))

    monkeypatch.setattr(material_search.SearchIndex, "add_entry_from_context", watching)
    monkeypatch.setenv(FAST_VARIABLE, "0")
    build(load_config(config_file=str(config_file), site_dir=str(site_dir)))
    return recorded


def _assert_same(recorded: Recorded, least: int) -> None:
    assert len(recorded) >= least
    unscanned = [uri for uri, _, scanned in recorded if scanned is None]
    assert unscanned == []
    for uri, material, scanned in recorded:
        assert scanned == material, uri


def _site_config(root: Path, accounts: Path, strict: bool = True) -> Path:
    """The sample site's configuration with another folder of accounts."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / "site" / "docs")
    config["theme"]["custom_dir"] = str(REPO / "site" / "overrides")
    config["strict"] = strict
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "kam-review" in plugin:
            plugin["kam-review"].update(accounts=str(accounts), rules=str(REPO / "rules"),
                                        rates=str(REPO / "site" / "rates.yaml"),
                                        as_of=str(AS_OF))
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return config_file


def test_the_sample_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    _assert_same(_record(REPO / "mkdocs.yml", tmp_path / "site", monkeypatch), 20)


def test_a_generated_portfolio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts = tmp_path / "accounts"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(accounts), "40",
                    "--seed", "7"], check=True, capture_output=True)
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    config = _site_config(tmp_path, accounts)
    _assert_same(_record(config, tmp_path / "site", monkeypatch), 45)


def test_the_chinese_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    recorded = _record(REPO / "examples" / "zh" / "mkdocs.yml", tmp_path / "site", monkeypatch)
    _assert_same(recorded, 10)
    # Chinese was segmented (jieba's zero-width spaces), by Material's code, on both sides.
    assert any("\\u200b" in material or "\u200b" in material for _, material, _ in recorded)


def test_hostile_text_and_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Markup, entities, quotes and code in names and notes; the corpus' broken and odd files
    (listed with their errors on the overview)."""
    accounts = tmp_path / "accounts"
    shutil.copytree(REPO / "tests" / "corpus" / "accounts", accounts)
    for path in (REPO / "tests" / "corpus" / "findings").iterdir():
        shutil.copy(path, accounts / path.name)
    write_account(accounts, _account(_hostile))
    monkeypatch.setenv("KAM_AS_OF", str(AS_OF))
    recorded = _record(_site_config(tmp_path, accounts, strict=False), tmp_path / "site",
                       monkeypatch)
    _assert_same(recorded, 8)
    assert "accounts/test-account.md" in [uri for uri, _, _ in recorded]
    assert any("&lt;script&gt;" in material for _, material, _ in recorded)


# Generated HTML: every quirk of Material's parser, in any order, balanced or not.
_TAGS = ["p", "div", "span", "h1", "h2", "h3", "li", "ul", "pre", "code", "a", "td", "tr",
         "table", "svg", "line", "hx", "title", "script", "object", "details", "sub", "DIV",
         "P", "H2"]
_ATTRIBUTES = ['', ' id="x"', ' id="y&amp;z"', ' class="headerlink"', ' class="linenodiv"',
               ' data-search-exclude', ' DATA-SEARCH-EXCLUDE=""', ' class="k"',
               " title='a \"q\" b'", ' href="?a=1&amp;b=2"', ' class="&#104;eaderlink"',
               ' open', ' id=bare']
_TEXTS = ["x", " ", "\n", "\n\n", "a b", "a\nb ", "&amp;", "&lt;b&gt;", "中文名字罗志远",
          "\u00a0", "&#32;", "&nbsp;", "\t", "<", "AT&T", "&amp", "\u200bz\u200b", "x > y",
          "<!-- c -->", "<br>", "<img src=\"i\"/>", "<line x=\"1\"/>", "</div >", "<hr/>"]


@st.composite
def _html(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from(["start", "end", "text", "text", "element"]))
        tag = draw(st.sampled_from(_TAGS))
        if kind == "start":
            parts.append(f"<{tag}{draw(st.sampled_from(_ATTRIBUTES))}>")
        elif kind == "end":
            parts.append(f"</{tag}>")
        elif kind == "text":
            parts.append(draw(st.sampled_from(_TEXTS)))
        else:
            parts.append(f"<{tag}{draw(st.sampled_from(_ATTRIBUTES))}>"
                         f"{draw(st.sampled_from(_TEXTS))}</{tag}>")
    return "".join(parts)


# Well-formed trees too: headings nested in blocks (their end goes back to an earlier
# section), tables and lists in long runs, kept tags left empty, excluded blocks.
_BLOCKS = ["div", "section", "details", "table", "tr", "td", "ul", "ol", "li", "p", "pre",
           "code", "span", "svg", "h2", "h3", "a", "sup"]
_LEAVES = st.sampled_from([text for text in _TEXTS[:20] if not text.startswith("<")] + [
    '<h2 id="h">Head<a class="headerlink" href="#h" title="Permanent link">&para;</a></h2>',
    '<h3 id="i">I</h3>', "<title>t &amp; u</title>", '<line x="1"/>', "<br>", "\n", "\n"])


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def made(tag: str, attributes: str, inner: list[str]) -> str:
        return f"<{tag}{attributes}>" + "\n".join(inner) + f"</{tag}>"
    return st.builds(made, st.sampled_from(_BLOCKS), st.sampled_from(_ATTRIBUTES[:9]),
                     st.lists(children, max_size=6))


_TREES = st.lists(st.recursive(_LEAVES, _element, max_leaves=30), max_size=8).map("\n".join)


def _page(html: str) -> Any:
    return SimpleNamespace(url="accounts/a/", content=html, toc=[], meta={}, title="Title")


def _material_entries(html: str) -> str | None:
    index = material_search.SearchIndex()
    try:
        index.add_entry_from_context(_page(html))
    except ValueError:  # its parser fails on some unbalanced kept tags
        return None
    return _as_json(index.entries)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_html())
def test_generated_html_is_indexed_as_material_indexes_it(html: str) -> None:
    scanned = search_entries.entries(material_search.SearchIndex(), _page(html))
    if scanned is not None:
        assert _as_json(scanned) == _material_entries(html)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TREES)
def test_generated_trees_are_indexed_as_material_indexes_them(html: str) -> None:
    scanned = search_entries.entries(material_search.SearchIndex(), _page(html))
    if scanned is not None:
        assert _as_json(scanned) == _material_entries(html)


@pytest.mark.parametrize("html", [
    '<h1 id="t">Title<a class="headerlink" href="#t">&para;</a></h1>\n<p>Text</p>',
    '<h2 id="a">A</h2><div><h3 id="b">B</h3></div>after the div goes to A',
    '<div data-search-exclude><div>inner</div>still skipped?</div>shown',
    '<ul>\n<li>\n</li>\n<li>x</li>\n</ul><p> </p><p>kept</p>',
    '<pre><code>a  b\n\n  c</code></pre> x \n\n y',
    '<table>\n<tr>\n<td>1</td>\n<td><code>c</code></td>\n</tr>\n</table>',
    '<svg><title>a &amp; b</title><line x="1"/></svg><script>if (a) {}</script>z',
    '<p>a<br>b<br/>\n<span>c</span> <span></span> d</p>',
])
def test_quirks_are_material_s(html: str) -> None:
    scanned = search_entries.entries(material_search.SearchIndex(), _page(html))
    assert scanned is not None
    assert _as_json(scanned) == _material_entries(html)


@pytest.mark.parametrize("html", [
    "a <!-- comment --> b", "a < b", "<p class=bare>x</p>", "<title><b>x</b></title>",
    "<!DOCTYPE html><p>x</p>", "<?pi x?>", "<xmp>&amp;</xmp>", "<p/ >x",
    "<div data-search-exclude><p><div></div></p>x",  # Material's parser fails on this one
])
def test_html_not_scanned_is_left_to_material(html: str) -> None:
    assert search_entries.entries(material_search.SearchIndex(), _page(html)) is None


def test_pages_with_search_settings_are_left_to_material() -> None:
    page = _page("<p>x</p>")
    page.meta = {"search": {"boost": 2}}
    assert search_entries.entries(material_search.SearchIndex(), page) is None


def test_an_account_is_searched_for_its_people_and_findings_not_every_figure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures, the forecast, the reasons behind the class, the rules not evaluated
    and each deal's stage checklist keep their headings in the index but not their text: at
    30 KB an account, 10,000 accounts made an index no browser loads."""
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    site = tmp_path / "site"
    build(load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(site)))
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {doc["location"].removeprefix("accounts/hanhai-retail/"): doc
               for doc in index["docs"] if doc["location"].startswith("accounts/hanhai-retail/")}
    for unsearched in ("#figures", "#forecast", "#why-this-class-and-focus",
                       "#opportunity-pos-refresh-2027"):
        assert entries[unsearched]["text"] == "", unsearched
    assert entries["#opportunity-pos-refresh-2027"]["title"].startswith("Store POS refresh 2027")
    assert "Liu Yang" in entries["#buying-team"]["text"]
    assert "Store POS refresh 2027" in entries["#opportunities"]["text"]
    # Material drops the mark from the page it serves.
    page = (site / "accounts" / "hanhai-retail" / "index.html").read_text(encoding="utf-8")
    assert "data-search-exclude" not in page and "<section>" in page


@pytest.mark.parametrize("html", [
    '<section data-search-exclude="data-search-exclude">\n<p>x</p></section>',
    '<p>a</p>\n<details class="k" data-search-exclude="data-search-exclude">b</details>'
    '<section data-search-exclude="data-search-exclude">c</section>',
    '<p data-search-a="b data-search-exclude="data-search-exclude">x</p>',
    '<div data-search-exclude="1">x</div><p>data-search-exclude="data-search-exclude"</p>',
    "<p>nothing to take out</p>",
])
def test_the_marks_are_taken_out_as_material_takes_them_out(html: str) -> None:
    assert without_search_attributes(html) == SEARCH_ATTRIBUTES.sub("", html)
