"""Input errors, the CSV files' headings and the printed page's counter in Chinese (issue
16): the errors a user meets most name file, line and field and say what is wrong in the
active language; English keeps its words."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from kam_review.i18n import using
from kam_review.output.csv_export import ACTIONS_HEADERS, RISK_REGISTER_HEADERS, csv_text
from kam_review.source import yamlsource
from kam_review.source.accounts import load_portfolio
from kam_review.website.provenance import Provenance, footer_html

from .conftest import REPO, healthy_account
from .test_corpus import CORPUS, _check, _with_valid

# Each zh- corpus file (its English expectation is on its first line) with what the
# Chinese run says at the same file, line and field.
CHINESE = {
    "zh-unknown-field": "acme.yaml:5:1: onwer: 未知的字段“onwer”（是不是“owner”？）；允许的字段：",
    "zh-missing-owner": "acme.yaml:2:1: (top level): 缺少必填字段“owner”",
    "zh-impossible-date": "acme.yaml:5:1: customer_since: 应为按YYYY-MM-DD书写的真实日期，"
                          "实际为'2026-02-30'",
    "zh-revenue-as-text": "acme.yaml:7:37: financials[1].revenue: 应为数字，实际为'twelve'",
    "zh-waiver-unknown-rule": "waivers[0].rule: 未知的规则“risk.complacent”",
}


def _errors(data: dict[str, object]) -> list[str]:
    return [f"{Path(str(e['file'])).name}:{e['line']}:{e['column']}: {e['field']}: "
            f"{e['message']}" for e in data["errors"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(CHINESE))
def test_input_errors_in_chinese(name: str, tmp_path: Path) -> None:
    folder = _with_valid(tmp_path)
    shutil.copy(CORPUS / "accounts" / f"{name}.yaml", folder / "acme.yaml")
    code, data, _output = _check(folder, "--lang", "zh")
    assert code == 2
    errors = _errors(data)
    assert any(CHINESE[name] in error for error in errors), errors


def test_an_empty_value_drops_the_got_part_in_either_language(tmp_path: Path) -> None:
    folder = _with_valid(tmp_path)
    (folder / "acme.yaml").write_text(
        "id: acme\nname: 顶峰工业集团\nowner: 李伟\ncustomer_since:\nfinancials:\n"
        "  - {quarter: 2026-Q3, revenue: 100000, cost: 70000}\n", encoding="utf-8")
    english = _errors(_check(folder)[1])
    chinese = _errors(_check(folder, "--lang", "zh")[1])
    assert any(e.endswith("customer_since: expected text, but the value is empty")
               for e in english), english
    assert any(e.endswith("customer_since: 应为文本，但值为空") for e in chinese), chinese


def _headings(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_headings_are_english_in_english_and_chinese_in_chinese() -> None:
    assert _headings(csv_text(RISK_REGISTER_HEADERS, [])) == list(RISK_REGISTER_HEADERS)
    with using("zh"):
        risks = _headings(csv_text(RISK_REGISTER_HEADERS, []))
        actions = _headings(csv_text(ACTIONS_HEADERS, []))
    assert risks == ["客户编号", "客户", "客户经理", "严重程度", "类别", "规则", "对象",
                     "检查结果", "行动", "已豁免", "豁免", "团队", "计划的行动"]
    assert actions[:3] == ["客户编号", "客户", "内容"] and actions[-2:] == ["逾期", "完成日期"]


def test_the_printed_page_counter_follows_the_language() -> None:
    about = Provenance(date(2026, 9, 30), "commit 1a2b3c4d5e6f", "0.1.0", "2026-Q3")
    english = footer_html(about)
    assert "@bottom-right" not in english  # the stylesheet's own "page N of M"
    with using("zh"):
        chinese = footer_html(about)
    assert ('@bottom-right { content: "第" counter(page) "页，共" counter(pages) "页"; }'
            in chinese)
    assert "2026年第3季度" in chinese


def test_a_chinese_file_name_is_reported_clearly_in_chinese(tmp_path: Path) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    source = REPO / "examples" / "zh" / "accounts" / "jinqiao-pharma.yaml"
    (folder / "金桥.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    code, data, _output = _check(folder, "--lang", "zh")
    assert code == 2
    assert any(error.endswith(
        "id: “jinqiao-pharma”必须与去掉.yaml的文件名（“金桥”）相同；编号是ASCII的slug"
        "（a-z、0-9、-），所以文件名也必须是：把文件改名为jinqiao-pharma.yaml")
        for error in _errors(data)), _errors(data)


# -- the rest of the input errors (issue 16): the same file in English and in Chinese --------

_HEAD = "id: acme\nname: 顶峰工业集团\nowner: 李伟\n"
_QUARTERS = ("financials:\n  - {quarter: 2026-Q2, revenue: 100000, cost: 70000}\n"
             "  - {quarter: 2026-Q3, revenue: 120000, cost: 80000}\n")
_GOAL = "plan:\n  goals:\n    - {text: 增长, metric: revenue, period: trailing, "

# Each case: the account file, then its error in English and in Chinese, from the field on.
BOTH_LANGUAGES = {
    "yaml11-octal": (
        _HEAD + "financials:\n  - {quarter: 2026-Q2, revenue: 0250000, cost: 70000}\n",
        "financials[0].revenue: YAML 1.1 reads 0250000 as the octal number 86016; write the "
        "decimal number 250000",
        "financials[0].revenue: YAML 1.1 把 0250000 读作八进制数 86016；请写成十进制数 250000"),
    "yaml-boolean-name": (
        _HEAD.replace("顶峰工业集团", "No") + _QUARTERS,
        "name: YAML reads No as the boolean false; write name: \"No\" in quotes",
        "name: YAML 把 No 读作布尔值 false；请加上引号，写成 name: \"No\""),
    "number-in-quotes": (
        _HEAD + "financials:\n  - {quarter: 2026-Q2, revenue: \"250000\", cost: 70000}\n",
        "financials[0].revenue: '250000' is in quotes, so YAML reads it as text; write 250000 "
        "without quotes",
        "financials[0].revenue: '250000' 带有引号，所以YAML把它读作文本：请写成不带引号的 250000"),
    "owner-history-backwards": (
        _HEAD + _QUARTERS + "owner_history:\n  - {name: 王芳, from: 2026-05-01, to: 2026-01-31}\n",
        "owner_history[0].from: 2026-05-01 is after to (2026-01-31): an owner takes the account "
        "over before handing it over",
        "owner_history[0].from: 2026-05-01 晚于 to（2026-01-31）：客户经理先接手客户，然后才移交"),
    "closed-on-open-deal": (
        _HEAD + _QUARTERS + "opportunities:\n  - {id: big-deal, name: 扫描枪升级, "
        "stage: negotiation, closed_on: 2026-09-01}\n",
        "opportunities[0].closed_on: closed_on is the day a deal was won: only a deal at stage "
        "closed has one, and this one is at negotiation",
        "opportunities[0].closed_on: closed_on 是商机成交的日期：只有处于 closed 阶段的商机才有"
        "这一项，而这个商机处于 negotiation"),
    "stage-moved-in-stage-alone": (
        _HEAD + _QUARTERS + "opportunities:\n  - {id: big-deal, name: 扫描枪升级, "
        "stage: initiated, stage_since: 2026-07-05, stage_history: "
        "[{stage: intent, entered: 2026-07-05}]}\n",
        "opportunities[0].stage: initiated, but stage_history's latest entry is intent, entered "
        "on 2026-07-05, and stage_since (2026-07-05) is not after it: when a deal moves, add the "
        "stage it entered to stage_history and set stage_since to that day",
        "opportunities[0].stage: initiated，但 stage_history 的最新一项是 intent，进入于 "
        "2026-07-05，而 stage_since（2026-07-05）不晚于它：商机推进时，请把它进入的阶段加进 "
        "stage_history，并把 stage_since 设为那一天"),
    "product-line-unlisted": (
        _HEAD + _QUARTERS + "whitespace:\n  product_lines: [收银终端, 扫描枪]\nopportunities:\n"
        "  - {id: big-deal, name: 扫描枪升级, stage: intent, product_line: 收款终端}\n",
        "opportunities[0].product_line: '收款终端' is not one of whitespace.product_lines: add "
        "it there, or write it as it is listed",
        "opportunities[0].product_line: “收款终端”不在 whitespace.product_lines 中：请把它加进去，"
        "或者按列出的写法书写"),
    "product-line-twice": (
        _HEAD + _QUARTERS + "whitespace:\n  product_lines: [收银终端, 扫描枪, 收银终端]\n",
        "whitespace.product_lines[2]: duplicate product line '收银终端' (also "
        "whitespace.product_lines[0])",
        "whitespace.product_lines[2]: 重复的产品线：“收银终端”（另见whitespace.product_lines[0]）"),
    "duplicate-quarter": (
        _HEAD + "financials:\n  - {quarter: 2026-Q3, revenue: 100000, cost: 70000}\n"
        "  - {quarter: 2026-Q3, revenue: 120000, cost: 80000}\n",
        "financials[1].quarter: duplicate quarter '2026-Q3' (also financials[0])",
        "financials[1].quarter: 重复的季度：“2026-Q3”（另见financials[0]）"),
    "duplicate-contact-spacing": (
        _HEAD + _QUARTERS + "contacts:\n  - {name: 张 敏, title: 首席信息官}\n"
        "  - {name: \"张  敏 \", title: 财务总监}\n",
        "contacts[1].name: duplicate name '张  敏 ' (also contacts[0] '张 敏': names are "
        "compared ignoring case, spacing, invisible characters and Unicode normal form)",
        "contacts[1].name: 重复的名称：“张  敏 ”（另见contacts[0]“张 敏”：比较名称时不区分大小写，"
        "忽略空白、不可见字符和Unicode规范化形式）"),
    "goal-level-on-revenue": (
        _HEAD + _QUARTERS + _GOAL + "level: executive, target: 500000, due: 2026-12-31}\n",
        "plan.goals[0].level: level applies to contacts_at_level goals only; this goal's metric "
        "is revenue",
        "plan.goals[0].level: level 只适用于 contacts_at_level 目标；这个目标的指标是 revenue"),
    "goal-baseline-after-due": (
        _HEAD + _QUARTERS + _GOAL + "baseline: {value: 400000, date: 2027-07-01}, "
        "target: 500000, due: 2027-06-30}\n",
        "plan.goals[0].baseline.date: 2027-07-01 is not before due (2027-06-30): a goal starts "
        "from its baseline and is due after it",
        "plan.goals[0].baseline.date: 2027-07-01 不早于截止日期（2027-06-30）：目标从基线开始，"
        "截止日期在基线之后"),
    "control-character": (
        _HEAD.replace("李伟", '"李\\x9b伟"') + _QUARTERS,
        "owner: '李\\x9b伟' holds the control character \\x9b: a name is one line of plain text",
        "owner: “李\\x9b伟”含有控制字符 \\x9b：名称是一行纯文本"),
    "bidirectional-controls": (
        _HEAD.replace("顶峰工业集团", '"顶峰\\u202e\\u202d集团"') + _QUARTERS,
        "name: '顶峰\\u202e\\u202d集团' holds the bidirectional control characters "
        "\\u202d\\u202e, which make text show in another order than it is written: remove them",
        "name: “顶峰\\u202e\\u202d集团”含有双向控制字符 \\u202d\\u202e，会使文字以不同于书写的"
        "顺序显示：请删除"),
    "invisible-only": (
        _HEAD.replace("李伟", '"\\u2060\\ufeff"') + _QUARTERS,
        "owner: '\\u2060\\ufeff' shows nothing: a name needs a visible character (white space, "
        "zero-width and other invisible characters do not count)",
        "owner: “\\u2060\\ufeff”什么也不显示：名称需要一个可见字符（空白、零宽字符和其他不可见"
        "字符不算）"),
    "block-scalar-newline": (
        _HEAD.replace("name: 顶峰工业集团", "name: |\n  顶峰工业集团") + _QUARTERS,
        "name: '顶峰工业集团\\n' ends with a line break, which a block scalar (|) keeps: write "
        "name on one line, or use |- to drop the final newline",
        "name: '顶峰工业集团\\n' 以换行符结尾，块标量（|）会保留它：请把 name 写在一行里，"
        "或者用 |- 去掉末尾的换行"),
    "two-line-breaks": (
        _HEAD.replace("李伟", '"李\\n伟\\n"') + _QUARTERS,
        "owner: holds one line of text, but '李\\n伟\\n' has 2 line breaks: write owner on one "
        "line",
        "owner: 应为一行文字，但 '李\\n伟\\n' 含有2个换行符：请把 owner 写在一行里"),
}


@pytest.mark.parametrize("name", sorted(BOTH_LANGUAGES))
def test_the_rest_of_the_input_errors_in_either_language(name: str, tmp_path: Path) -> None:
    text, english, chinese = BOTH_LANGUAGES[name]
    folder = _with_valid(tmp_path)
    (folder / "acme.yaml").write_text(text, encoding="utf-8")
    in_english = _errors(_check(folder)[1])
    in_chinese = _errors(_check(folder, "--lang", "zh")[1])
    assert any(e.endswith(f": {english}") for e in in_english), in_english
    assert any(e.endswith(f": {chinese}") for e in in_chinese), in_chinese
    # The same place in both: file, line, column and field.
    assert [e.split(": ", 2)[:2] for e in in_english] == [
        e.split(": ", 2)[:2] for e in in_chinese]


def test_a_lone_surrogate_is_reported_in_chinese(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # LibYAML refuses "\ud800" itself; PyYAML's own scanner (used without LibYAML) accepts it.
    monkeypatch.setattr(yamlsource, "_COMPOSER", yaml.SafeLoader)
    text = yaml.safe_dump(healthy_account(), sort_keys=False, allow_unicode=True)
    text = text.replace("summary: Late pallet", 'summary: "托盘\\ud800延误"')
    (tmp_path / "test-account.yaml").write_text(text, encoding="utf-8")
    with using("zh"):
        errors = load_portfolio(tmp_path).errors
    assert [(e.field, e.message) for e in errors] == [(
        "complaints[0].summary", "含有 \\ud800，这是半个字符（孤立的代理项），任何文件都无法保存："
        "请写出完整的字符")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chinese_term_for_a_level_or_role_suggests_the_value_meant(
        tmp_path: Path, lang: str) -> None:
    """The Chinese pages write director as 总监 and a decision maker as 决策者: a file that
    says so is told which value the format wants, in either language."""
    account = healthy_account()
    account["contacts"][0]["level"] = "总监"
    account["contacts"][0]["roles"] = ["决策者"]
    (tmp_path / "test-account.yaml").write_text(
        yaml.safe_dump(account, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with using(lang):
        errors = [str(e) for e in load_portfolio(tmp_path).errors]
    hints = {"en": ("(did you mean 'director'?)", "(did you mean 'decision_maker'?)"),
             "zh": ("（是不是“director”？）", "（是不是“decision_maker”？）")}[lang]
    assert len(errors) == 2
    assert errors[0].endswith(hints[0]) and errors[1].endswith(hints[1]), errors


@pytest.mark.parametrize(("written", "meant"), [
    ("引导客户立项", "initiated"), ("立项", "initiated"), ("Project Initiated", "initiated"),
    ("商务谈判", "negotiation"), ("完成销售成交", "closed")])
def test_a_stage_written_by_its_name_suggests_its_id(
        tmp_path: Path, written: str, meant: str) -> None:
    """The pages and the seeds name the stages (引导客户立项, Project initiated); the format
    wants their ids. A Chinese key word of one name is enough."""
    account = healthy_account()
    account["opportunities"][0]["stage"] = written
    (tmp_path / "test-account.yaml").write_text(
        yaml.safe_dump(account, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (error,) = [str(e) for e in load_portfolio(tmp_path).errors]
    assert error.endswith(f"(did you mean '{meant}'?)"), error


@pytest.mark.parametrize("written", ["客户", "阶段", "x", "Business"])
def test_a_word_that_several_stage_names_share_suggests_none(tmp_path: Path,
                                                             written: str) -> None:
    account = healthy_account()
    account["opportunities"][0]["stage"] = written
    (tmp_path / "test-account.yaml").write_text(
        yaml.safe_dump(account, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (error,) = [str(e) for e in load_portfolio(tmp_path).errors]
    assert "did you mean" not in error, error
