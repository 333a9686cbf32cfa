"""Generated pages emitted as HTML without Python-Markdown (website/page_html.py) are byte for
byte what MkDocs' Page.render makes of their Markdown: the HTML, the table of contents, the
title, the anchors and the links, on the sample portfolio, generated portfolios, the Chinese
example, hostile and redacted accounts. A page the emitter does not know is converted."""

from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from markdown import Markdown
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.utils import meta

import kam_review.website.fast_pages as fast_pages
from kam_review.source.fast_yaml import FAST_VARIABLE
from kam_review.website import page_html
from kam_review.website.fast_search import toc_tokens
from kam_review.website.table_regions import TableRegions

from .conftest import REPO, healthy_account, write_account
from .site_config import sample_site_config
from .test_site_hostile import HOSTILE

# Text that means something to Markdown, attr_list or HTML, in every field it reaches.
MARKDOWN_LIKE = ("*a* **b** _c_ __d__ <b>e</b> &amp; & [x](y) `f` ``g`` {: .h } {#i} "
                 "| j \\* # k ! [l]: m ~~n~~")


class _Stop(Exception):
    """Raised once the pages are compared: the theme need not render them."""


def _what_render_sets(page: Any) -> dict[str, Any]:
    return {"content": page.content, "toc": toc_tokens(list(page.toc)),
            "title": page._title_from_render, "anchors": sorted(page.present_anchor_ids),
            "links": None if page.links_to_anchors is None else {
                target.src_uri: anchors for target, anchors in page.links_to_anchors.items()}}


def _compare(monkeypatch: pytest.MonkeyPatch, config_file: Path, tmp_path: Path) -> dict[str, bool]:
    """Every generated page: emitted (True; then equal to Page.render) or converted."""
    emitted: dict[str, bool] = {}

    def prepare(self: Any, config: MkDocsConfig, files: Files, generated: list[str],
                share: Any = None) -> None:
        permalink = page_html.permalinks(config)
        assert permalink is not None
        for uri in generated:
            file = files.get_file_from_path(uri)
            if file is None or not file.is_documentation_page():
                continue
            page = file.page
            assert page is not None
            page.markdown, page.meta = meta.get_data(file.content_string)
            emitted[uri] = page_html.render(page, config, files, permalink)
            fast = _what_render_sets(page) if emitted[uri] else None
            page.render(config, files)
            if fast is not None:
                assert fast == _what_render_sets(page), uri
        raise _Stop

    monkeypatch.setenv(FAST_VARIABLE, "1")
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    monkeypatch.setattr(fast_pages.FastPages, "prepare", prepare)
    with pytest.raises(_Stop):
        build(load_config(config_file=str(config_file), site_dir=str(tmp_path / "site")))
    return emitted


def _accounts_emitted(emitted: dict[str, bool]) -> None:
    accounts = {uri: done for uri, done in emitted.items() if uri.startswith("accounts/")}
    assert accounts and all(accounts.values()), [u for u, done in accounts.items() if not done]


def test_the_sample_portfolio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    emitted = _compare(monkeypatch, REPO / "mkdocs.yml", tmp_path)
    _accounts_emitted(emitted)
    assert all(emitted[page] for page in ("index.md", "changes.md", "risks.md", "funnel.md",
                                          "owners.md", "rules.md"))


def test_the_chinese_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _accounts_emitted(_compare(monkeypatch, REPO / "examples" / "zh" / "mkdocs.yml", tmp_path))


def _generate(folder: Path, count: int, seed: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate_portfolio(folder, count, seed)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_portfolios(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              seed: int) -> None:
    _generate(tmp_path / "accounts", 40, seed)
    config = sample_site_config(tmp_path, tmp_path / "accounts", strict=False)
    _accounts_emitted(_compare(monkeypatch, config, tmp_path))


def _hostile_account(text: str, number: int) -> dict[str, Any]:
    account = healthy_account()
    account["id"] = f"hostile-{number}"
    for field in ("name", "owner", "industry"):
        account[field] = f"{field} {text}"
    for contact in account["contacts"]:
        contact["title"] = f"title {text}"
    account["contacts"][0]["name"] = f"contact {text}"
    account["activities"][0]["with"] = [f"contact {text}"]
    account["complaints"][0]["summary"] = f"complaint {text}"
    account["opportunities"][0]["name"] = f"opportunity {text}"
    account["plan"]["summary"] = f"{text}\n\n- **kept** formatting\n"
    account["plan"]["goals"][0]["text"] = f"goal {text}"
    account["waivers"] = [{"rule": "risk.complacency", "reason": f"reason {text}",
                           "until": "2026-12-31", "by": f"by {text}",
                           "subject": f"subject {text}"}]
    return account


@pytest.mark.parametrize("redact", [False, True])
def test_hostile_and_redacted_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       redact: bool) -> None:
    """Markup in every text, broken files of the corpus beside them, contacts redacted or
    not: the pages that are emitted equal Page.render's."""
    accounts = tmp_path / "accounts"
    shutil.copytree(REPO / "accounts", accounts)
    for number, text in enumerate((HOSTILE, MARKDOWN_LIKE)):
        write_account(accounts, _hostile_account(text, number))
    for name in ("duplicate-key.yaml", "unknown-field.yaml", "zh-unknown-field.yaml"):
        shutil.copy(REPO / "tests" / "corpus" / "accounts" / name, accounts / name)
    config = sample_site_config(tmp_path, accounts, strict=False, redact_contacts=redact)
    emitted = _compare(monkeypatch, config, tmp_path)
    assert sum(emitted.values()) >= 15


# Pieces of text that mean something somewhere: random names and notes are made of them.
PIECES = ("*", "**", "_", "__", "<", ">", "&", "&amp;", "&#42;", "&x", "[x](y)", "[", "]", "`",
          "``", "{: .c }", "{#i}", "|", "\\", "#", "!", "![i](j)", "<b>", "</div>",
          "<div markdown>", "  ", "~~", "- ", "1. ", "> ", "---", "<!--", "-->", "<http://x>",
          "a@b.c", "é", "中文", "\u00a0", "'", '"', "{{ x }}", ":", " ", "x")


def test_random_markup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts whose every text is random markup: each page emitted equals Page.render's
    (a plan summary with a heading or a rule in it makes its page converted)."""
    pick = random.Random(15)
    (tmp_path / "accounts").mkdir()
    for number in range(30):
        text = "".join(pick.choice(PIECES) for _ in range(pick.randint(2, 8))).strip() or "x"
        write_account(tmp_path / "accounts", _hostile_account(text, number))
    emitted = _compare(monkeypatch, sample_site_config(tmp_path, tmp_path / "accounts",
                                                       strict=False), tmp_path)
    assert sum(done for uri, done in emitted.items() if uri.startswith("accounts/")) >= 20


# Pieces of the generators' dialect at its edges, without links (they need a site).
DIALECT = [
    "# Title &#42; `a`\n\n## Plan {#account-plan}\n\n### Plan\n\n## Plan\n",
    "- a <span class=\"x\">b</span>\n    - c\n        - d &amp; e\n    - f\n- g\n",
    "Class **loyal** · *x* `` a`b `` sales_targets 3 > 2\nnext line\n{: .kam-card-strategy }\n",
    "| A | `B` |\n|---|---|\n| <span id=\"s\">1</span> |   |\n| **x** | a<br>b |\n",
    "<div class=\"kam-card\" markdown>\n\n## In a card\n\n<div class=\"t\">\n\n"
    "<ol class=\"o\">\n<li><p class=\"c\" id=\"p\"><span>x</span> y</p><p>z</p></li>\n</ol>\n"
    "<p><strong>R</strong>: 1 &gt; 0 &#x2F;</p>\n</div>\n\n<details class=\"d\" markdown>\n"
    "<summary>S &amp; T</summary>\n\n| A |\n|---|\n| 1 |\n\n</details>\n\n</div>\n",
    "a\n\x85\nb\n\n\u2028\n\n- c\n",  # lines only Python's str.strip() calls blank
    "<div class=\"raw\">\n<table><tr><td>kept as written</td></tr></table>\n</div>\n\npara\n",
    "<div markdown>\n\n<div class=\"f\">\n<svg viewBox=\"0 0 1 1\"><title>t</title>"
    "<line x1=\"0\"/></svg>\n<details class=\"c\">\n<summary>s</summary>\n<table>\n"
    "<caption>c</caption>\n<tr><th scope=\"col\">Q</th></tr>\n</table>\n</details>\n</div>\n\n"
    "</div>\n",
    # Indented code blocks, as the rule catalogue writes conditions.
    "Rule:\n\n    all of:\n      a <= 1 & b > 2 &amp;\n\n\ntext\n",
    "<details class=\"d\" markdown>\n<summary>S</summary>\n\nThe condition:\n\n"
    "    x == 'a'  \n      y\n\n\n</details>\n",
    "a\n\n    b\n",
    # Fence marks that start no line: no fence.
    "a ```b``` c\n\nd ~~~ e\n",
]


@pytest.mark.parametrize("markdown", DIALECT)
def test_the_dialect_as_python_markdown_writes_it(markdown: str) -> None:
    emitted = page_html.emit(markdown, None, None, None, True)  # type: ignore[arg-type]
    assert emitted is not None
    converter = Markdown(extensions=[*page_html.EXTENSIONS, TableRegions()],
                         extension_configs={"toc": {"permalink": True}})
    assert emitted.content == converter.convert(markdown)
    assert emitted.toc == converter.toc_tokens  # type: ignore[attr-defined]


@pytest.mark.parametrize("markdown", [
    "> a quote\n", "a \\* b\n", "1. one\n", "```\ncode\n```\n", "a  \nb\n", "***\n",
    "<!-- note -->\n", "- a\n\n- b\n", "a\n===\n", "<div markdown>\n\n> q\n\n</div>\n",
    "[a] b\n", "![i](x.png)\n", "<http://example.com>\n", "a\tb\n", "_a_\n", "a {: .x }\n",
    "<div markdown>\n\n<div>\n<h2>raw heading</h2>\n</div>\n\n</div>\n",
    "<div markdown>\n\na `<div>` b\n\n</div>\n", "a <div>b</div> c\n",
    "- a\n\n    b\n\nc\n", "a\n\n    b\n\n    c\n", "a\n\n    b <i>c</i>\n\nd\n",
    "a\n\n    b\nc\n", "a\n\n    b\n\n  c\n",
    "~~~\ncode\n~~~\n", "x\n\n```\ny\n```\n", "a\rb\n", "a\x01b\n", "a\x02b\n", "a\x03b\n",
])
def test_what_the_emitter_does_not_write_is_converted(markdown: str) -> None:
    assert page_html.emit(markdown, None, None, None, True) is None  # type: ignore[arg-type]


def test_a_site_with_other_markdown_settings_is_converted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # on_config sets it for a build
    config = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(tmp_path))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    try:
        assert page_html.permalinks(config) is True
        config.mdx_configs["toc"] = {"permalink": "#"}
        assert page_html.permalinks(config) is None
        config.mdx_configs["toc"] = {"permalink": True}
        config.markdown_extensions.append("admonition")
        assert page_html.permalinks(config) is None
    finally:
        # The build this test started ends here: MkDocs may hand the same plugin instance to
        # the next build, which must not take this one's SOURCE_DATE_EPOCH for the process's.
        config.plugins.on_build_error(error=RuntimeError("the test ends its build"))
