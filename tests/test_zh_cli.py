"""The command line in Chinese (issue 16): `--lang zh` / KAM_LANG switch every word of the
text output; columns are padded by display width; JSON keeps its English keys and ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.text_width import display_width, pad

ROOT = Path(__file__).parents[1]
ARGS = ["check", "--as-of", "2026-09-30", "--accounts", str(ROOT / "accounts"),
        "--rules", str(ROOT / "rules"), "--no-cache", "--quiet"]


def _run(*extra: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, [*ARGS, *extra], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("HIGH") == 4
    assert display_width("高") == 2
    assert display_width("客户ab") == 6
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert pad("高", 6) == "高    " and pad("HIGH", 6) == "HIGH  "
    assert pad("严重程度很高", 6) == "严重程度很高"


def test_lang_zh_writes_the_text_output_in_chinese() -> None:
    text = _run("--lang", "zh")
    assert text.startswith("kam-review：回顾日期 2026-09-30\n")
    assert "结论：" in text
    assert "睡眠型客户" in text and "忠诚型客户" in text
    assert "\n  高     risk." in text  # 高 is two columns wide: padded to 6 with 4 spaces
    assert "verdict:" not in text and "Verdicts:" not in text


def test_kam_lang_does_the_same() -> None:
    assert _run(env={"KAM_LANG": "zh"}) == _run("--lang", "zh")


def test_english_is_the_default_and_unchanged_after_a_chinese_run() -> None:
    _run("--lang", "zh")
    text = _run()
    assert text.startswith("kam-review: review as of 2026-09-30\n")
    assert "\n  HIGH   risk." in text


def test_json_keeps_english_keys_and_ids_with_chinese_messages() -> None:
    data = json.loads(_run("--lang", "zh", "--format", "json"))
    account = next(a for a in data["accounts"] if a["id"] == "donghai-logistics")
    assert account["class"] == "fast-growing"
    finding = next(f for f in account["findings"] if f["rule"] == "risk.single-threaded")
    assert finding["severity"] == "high"
    assert "在职联系人" in finding["message"]


def test_an_unknown_language_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, [*ARGS, "--lang", "fr"])
    assert result.exit_code == 2
    assert "'fr' is not a language kam-review writes" in result.output


@pytest.mark.parametrize("output", ["sarif", "junit", "markdown"])
def test_other_formats_carry_chinese_messages(output: str) -> None:
    assert "在职联系人" in _run("--lang", "zh", "--format", output)


def test_a_chinese_file_name_is_reported_clearly(tmp_path: Path) -> None:
    folder = tmp_path / "accounts"
    folder.mkdir()
    source = ROOT / "examples" / "zh" / "accounts" / "jinqiao-pharma.yaml"
    (folder / "金桥.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--as-of", "2026-09-30", "--accounts",
                                       str(folder), "--no-cache", "--quiet"])
    assert result.exit_code == 2
    assert ("'jinqiao-pharma' must equal the file name without .yaml ('金桥'); ids are ASCII "
            "slugs (a-z, 0-9, -), so the file name must be too: rename the file to "
            "jinqiao-pharma.yaml") in result.output


def test_the_chinese_sample_portfolio_checks_clean() -> None:
    result = CliRunner().invoke(main, ["check", "--lang", "zh", "--as-of", "2026-09-30",
                                       "--accounts", str(ROOT / "examples" / "zh" / "accounts"),
                                       "--no-cache", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "6个客户" in result.output
    assert "星海新能源科技 (快速增长型客户" in result.output
    # A Chinese message drops the clause of an alternative that did not fire, as the English
    # one does: declining revenue fired on quarters without sales, not on falls in a row.
    declining = next(line for line in result.output.splitlines()
                     if "risk.declining-revenue" in line)
    assert "连续2个季度没有销售" in declining and "连续下降" not in declining


def test_the_folder_and_file_name_errors_are_in_chinese(tmp_path: Path) -> None:
    """Which files of a folder are read, and why one is not, in the reader's language."""
    folder = tmp_path / "accounts"
    folder.mkdir()
    source = ROOT / "examples" / "zh" / "accounts" / "jinqiao-pharma.yaml"
    (folder / "jinqiao-pharma.yml").write_bytes(source.read_bytes())
    (folder / "old").mkdir()
    (folder / "old" / "x.yaml").write_text("id: x\n", encoding="utf-8")
    runner = CliRunner()
    run = runner.invoke(main, ["check", "--lang", "zh", "--as-of", "2026-09-30", "--accounts",
                               str(folder), "--no-cache", "--quiet"])
    assert run.exit_code == 2
    assert "jinqiao-pharma.yml:1:1: 客户文件以.yaml结尾：请将它重命名为jinqiao-pharma.yaml" \
        in run.output
    assert "old:1:1: 它是一个文件夹：客户文件直接放在客户文件夹中，因此其中的内容都不会被读取" \
        in run.output
    a_file = runner.invoke(main, ["check", "--lang", "zh", "--as-of", "2026-09-30",
                                  "--accounts", str(folder / "jinqiao-pharma.yml"),
                                  "--no-cache", "--quiet"])
    assert a_file.exit_code == 2 and "这是一个文件，不是客户文件的文件夹" in a_file.output


def test_input_errors_and_the_summary_line_are_worded_in_chinese(tmp_path: Path) -> None:
    """The prefix of each error line and the summary's separators too, not only the
    messages; English keeps its `error:` prefix."""
    folder = tmp_path / "accounts"
    folder.mkdir()
    (folder / "bad.yaml").write_text(
        "id: bad\nname: Bad\nowner: X\ncurrency: CNY\nfinancials:\n  - quarter: 2026-Q5\n"
        "    revenue: 1\n", encoding="utf-8")
    args = ["check", "--as-of", "2026-09-30", "--accounts", str(folder), "--no-cache",
            "--quiet"]
    chinese = CliRunner().invoke(main, [*args, "--lang", "zh"]).output
    assert "错误：" in chinese and "error:" not in chinese
    assert "（0个已豁免）；1个输入错误" in chinese
    english = CliRunner().invoke(main, args).output
    assert "error: " in english and "(0 waived); 1 input error" in english
