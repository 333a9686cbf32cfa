"""The Chinese sample site (issue 16): examples/zh built as a user builds it, its pages in
the seeds' terms and Chinese conventions, no English UI string that has a translation, and
a search index that keeps Chinese words and names whole."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kam_review.i18n import read_catalogue

REPO = Path(__file__).parents[1]
CONFIG = REPO / "examples" / "zh" / "mkdocs.yml"


def build_zh_site(site_dir: Path) -> str:
    """Build examples/zh from the repository root, as the README says; what the build wrote
    to standard error."""
    env = {name: value for name, value in os.environ.items() if name != "KAM_AS_OF"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(CONFIG),
                           "-d", str(site_dir)], cwd=REPO, env=env, check=True,
                          capture_output=True, text=True).stderr


@pytest.fixture(scope="module")
def zh_site_said(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    site_dir = tmp_path_factory.mktemp("site-zh")
    return site_dir, build_zh_site(site_dir)


@pytest.fixture(scope="module")
def zh_site(zh_site_said: tuple[Path, str]) -> Path:
    return zh_site_said[0]


def test_a_quiet_build_does_not_print_the_segmenters_progress(
        zh_site_said: tuple[Path, str]) -> None:
    # Telling jieba the review's names loads its dictionary, which its own handler reports
    # in four lines ("Loading model from cache ...") unless it is told to keep quiet.
    said = zh_site_said[1].lower()
    assert "prefix dict" not in said and "loading model" not in said, said


class _Texts(HTMLParser):
    """The text nodes a reader sees in a page's article, charts included (their <text>,
    <title> and tables), each stripped."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._article = 0
        self._hidden = 0

    # Code (rule ids, conditions as written, file fields) is no UI text.
    _HIDDEN = ("script", "style", "code")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._article += tag == "article"
        self._hidden += tag in self._HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self._article -= tag == "article"
        self._hidden -= tag in self._HIDDEN

    def handle_data(self, data: str) -> None:
        if self._article and not self._hidden and data.strip():
            self.texts.append(data.strip())


def _page_texts(site: Path) -> dict[str, list[str]]:
    pages = {}
    for page in sorted(site.rglob("*.html")):
        parser = _Texts()
        parser.feed(page.read_text(encoding="utf-8"))
        pages[str(page.relative_to(site))] = parser.texts
    return pages


def _translated_keys() -> set[str]:
    """English UI strings the catalogue translates (whole strings, no placeholders)."""
    return {m.id for m in read_catalogue("zh") if isinstance(m.id, str) and m.id
            and m.string and m.string != m.id and "{" not in m.id}


def test_pages_are_in_chinese(zh_site: Path) -> None:
    overview = (zh_site / "index.html").read_text(encoding="utf-8")
    assert "截至2026年9月30日的客户组合回顾" in overview
    assert "忠诚型客户" in overview and "快速增长型客户" in overview
    assert "睡眠型客户" in overview and "值得培养和重视的客户" in overview
    account = (zh_site / "accounts" / "dongfang-hospital" / "index.html").read_text(
        encoding="utf-8")
    for text in ("采购团队", "决策者", "技术把关者", "高层管理人员", "分析型（教授型）",
                 "罗志远", "2026年第3季度"):
        assert text in account, text
    deal = (zh_site / "accounts" / "jinqiao-pharma" / "index.html").read_text(encoding="utf-8")
    assert "是不是机会？ 是 · 是不是存在竞争？ 是 · 是不是能赢？ 是 · 是不是值得赢？ 是" in deal
    assert "确认客户意向" in deal and "了解客户的预算" in deal
    funnel = (zh_site / "funnel" / "index.html").read_text(encoding="utf-8")
    assert "引导客户立项" in funnel and "¥" in funnel


def test_every_quarter_a_reader_sees_is_written_the_chinese_way(zh_site: Path) -> None:
    """2026年第4季度, never 2026-Q4, in the text of every page."""
    written = {page: [t for t in texts if re.search(r"\d{4}-Q\d", t)]
               for page, texts in _page_texts(zh_site).items()}
    assert not {page: texts for page, texts in written.items() if texts}


def test_a_label_and_its_value_are_joined_by_a_full_width_colon(zh_site: Path) -> None:
    """收入：¥50万, not 收入: ¥50万, in the class's reasons, the charts, the header."""
    texts = _page_texts(zh_site)["accounts/dongfang-hospital/index.html"]
    joined = "\n".join(texts)
    for said in ("2026年第3季度：¥50万", "2026年第3季度：收入 ¥50万", "：不适用",
                 "✘ 连续没有销售的季度：0，需要至少2", "本页内容："):
        assert said in joined, said
    assert not [t for t in texts if re.search(r"季度: |: 不?适用|个商机, ", t)]


def test_the_funnel_page_names_each_commitment_once_and_punctuates_the_chinese_way(
        zh_site: Path) -> None:
    """The English page gives the seed's term beside each commitment; the Chinese one names
    it by that term already, so the column would only repeat it."""
    funnel = "\n".join(_page_texts(zh_site)["funnel/index.html"])
    assert "有意向的" in funnel and "中文术语" not in funnel
    assert "本季度流失：0个商机，¥0；" in funnel and "个商机, " not in funnel


# What a reader reads of a page, as one text: code (ids, file fields) and scripts left out.
_UNREAD = re.compile(r"<(script|style|code|title)\b.*?</\1>", re.S)
# An ASCII comma, semicolon or colon and its space, or an ASCII bracket, after Chinese text.
_ASCII_AFTER_CHINESE = re.compile(r"[\u4e00-\u9fff）》”][,;:] |[\u4e00-\u9fff] ?\(")


def test_no_page_joins_chinese_text_with_ascii_punctuation(zh_site: Path) -> None:
    """有风险（3）, 东方医院集团（张磊）：…；…, 收入：¥50万, never 有风险 (3) or 收入: ¥50万."""
    found = {}
    for page in sorted(zh_site.rglob("*.html")):
        # What is left out ends the text before it: `<code>key</code>: 文字` is the key's.
        text = html.unescape(re.sub(r"<[^>]+>", "", _UNREAD.sub(
            "\n", page.read_text(encoding="utf-8"))))
        found[str(page.relative_to(zh_site))] = [
            text[max(0, m.start() - 20):m.end() + 10]
            for m in _ASCII_AFTER_CHINESE.finditer(text)]
    assert not {page: texts for page, texts in found.items() if texts}


def test_the_card_and_the_rule_catalogue_punctuate_the_chinese_way(zh_site: Path) -> None:
    card = "\n".join(_page_texts(zh_site)["accounts/jinqiao-pharma/index.html"])
    assert "值得培养和重视的客户：新客户" in card and "（华北区）" in card
    assert "值得培养和重视的客户: " not in card and " (华北区)" not in card
    catalogue = "\n".join(_page_texts(zh_site)["rules/index.html"])
    assert "未结：是" in catalogue and "未结: 是" not in catalogue


def test_every_in_page_link_of_an_account_page_has_its_target(zh_site: Path) -> None:
    """A Chinese heading's own id is made of nothing it can keep (`_5`): the card's link to
    all findings below, and every other link within a page, must still land."""
    for page in sorted((zh_site / "accounts").glob("*/index.html")):
        html = page.read_text(encoding="utf-8")
        ids = set(re.findall(r' id="([^"]+)"', html))
        targets = set(re.findall(r' href="#([^"]+)"', html))
        assert targets and targets <= ids, (page.parent.name, sorted(targets - ids))
        assert 'href="#findings"' not in html or 'id="findings"' in html


def test_no_english_ui_string_that_has_a_translation(zh_site: Path) -> None:
    """Item 7 of the issue: a page of the Chinese site that shows an English UI string the
    catalogue translates has a string that is not wrapped in `_()`."""
    keys = _translated_keys()
    leaks: Counter[str] = Counter()
    where: dict[str, str] = {}
    for page, texts in _page_texts(zh_site).items():
        for text in texts:
            if text in keys:
                leaks[text] += 1
                where.setdefault(text, page)
    assert not leaks, "English UI strings on the Chinese site: " + "; ".join(
        f"{text!r} ({count}x, first on {where[text]})" for text, count in leaks.most_common())


def test_the_search_index_keeps_chinese_words_and_names_whole(zh_site: Path) -> None:
    index = json.loads((zh_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "\\u200b" in index["config"]["separator"]
    tokens: set[str] = set()
    for doc in index["docs"]:
        tokens.update(doc["text"].split("\u200b"))
    # A contact name jieba does not know is kept whole (search_words.py), as are the
    # seeds' terms and a word of a plan summary.
    for word in ("客户", "决策者", "罗志远", "赵建国", "售后服务"):
        assert any(word == token.strip() for token in tokens), word
