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

from kam_review.i18n import using
from kam_review.output.csv_export import ACTIONS_HEADERS, RISK_REGISTER_HEADERS, csv_text
from kam_review.website.provenance import Provenance, footer_html

from .conftest import REPO
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
                     "检查结果", "行动", "已豁免", "豁免"]
    assert actions[:3] == ["客户编号", "客户", "内容"] and actions[-1] == "逾期"


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
