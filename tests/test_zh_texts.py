"""Texts built in code in Chinese (issue 16): the charts' font and words, the comparison
with the previous review, stage moves, kam diff's kinds of change and what a goal reading
says; each the same in English as before."""

from __future__ import annotations

from datetime import date

from kam_review.i18n import using
from kam_review.locale_format import LocaleFormat
from kam_review.output.charts import bar_chart
from kam_review.output.charts.pareto import pareto_curve
from kam_review.output.diff_report import change_title
from kam_review.output.movement_report import stage_text
from kam_review.review.movement import (
    FILES,
    NONE,
    TAG,
    Comparison,
    StageMove,
    ended_because,
)
from kam_review.review.snapshot import Presence
from kam_review.rulebook.loading import load_rulebook
from kam_review.website.pages.movement import stage_names
from kam_review.website.pages.teams import no_team, team_order
from kam_review.wording import counted

from .conftest import RULES


def test_a_chart_names_a_cjk_font_stack_in_chinese_and_inherits_in_english() -> None:
    english = bar_chart(["2026-Q2", "2026-Q3"], [100.0, 200.0], "Portfolio revenue").svg
    with using("zh"):
        chinese = bar_chart(["2026年第2季度", "2026年第3季度"], [100.0, 200.0], "客户组合收入").svg
    assert "font-family:inherit;" in english and "CJK" not in english
    head = chinese.splitlines()[0]
    assert "'Noto Sans CJK SC'" in head and "'Microsoft YaHei'" in head
    assert "font-family:inherit" not in head


def test_chart_descriptions_in_chinese() -> None:
    with using("zh"):
        bars = bar_chart(["2026年第2季度", "2026年第3季度"], [1.0, 2.0], "客户组合收入").svg
        curve = pareto_curve([("甲", 80.0), ("乙", 20.0)], title="收入").svg
    assert ("<desc>按季度以柱形表示客户组合收入，共2个，从2026年第2季度到"
            "2026年第3季度。</desc>") in bars
    assert "<title>收入：帕累托曲线</title>" in curve
    assert "甲：80，累计80%，A类" in curve


def test_the_comparison_sentence_in_both_languages() -> None:
    files = Comparison(FILES, date(2026, 6, 30), why="no earlier review is tagged (review-*)")
    assert files.sentence() == ("compared with the files as of 2026-06-30: no earlier review "
                                "is tagged (review-*)")
    with using("zh"):
        assert Comparison(FILES, date(2026, 6, 30), why="没有").sentence() == \
            "与截至2026年6月30日的文件比较：没有"
        assert Comparison(TAG, date(2026, 6, 30), name="review-2026-Q2").sentence() == \
            "与标签review-2026-Q2（2026年6月30日）比较"
        assert Comparison(NONE).sentence() == "没有可比较的上次回顾"


def test_stage_moves_in_both_languages() -> None:
    moved = StageMove("d1", "Deal", None, "negotiation", date(2026, 9, 1))
    assert stage_text(moved) == ("moved to negotiation on 2026-09-01 (the stage before is "
                                 "not on file)")
    with using("zh"):
        assert stage_text(moved) == "进入negotiation，于2026年9月1日（之前的阶段不在文件中）"
        assert stage_text(StageMove("d1", "Deal", "", "intent", None)) == \
            "自上次回顾以来新增，处于intent"


def test_the_sentence_keeps_the_iso_day_in_english_in_any_locale() -> None:
    tag = Comparison(TAG, date(2026, 6, 30), name="review-2026-Q2")
    assert tag.sentence() == "compared with tag review-2026-Q2 (2026-06-30)"
    assert tag.sentence(LocaleFormat("de_DE")) == tag.sentence()


def test_stage_moves_by_the_funnels_names_in_both_languages() -> None:
    moved = StageMove("d1", "Deal", "negotiation", "lost", date(2026, 9, 1))
    gone = StageMove("d1", "Deal", "recognition", "", None)
    names = stage_names(load_rulebook(RULES))
    assert stage_text(moved, names) == "Business negotiation -> lost on 2026-09-01"
    assert stage_text(gone, names) == "no longer on file (was Customer recognition)"
    with using("zh"):
        names = stage_names(load_rulebook(RULES))
        assert stage_text(moved, names) == "进行商务谈判 -> 流失的定单，于2026年9月1日"
        assert stage_text(gone, names) == "不再在文件中（原为赢得客户认可）"


def test_an_account_without_a_team_in_both_languages() -> None:
    assert sorted(["(no team)", "North"], key=team_order) == ["North", "(no team)"]
    with using("zh"):
        assert no_team() == "（无团队）"
        assert sorted(["（无团队）", "华东"], key=team_order) == ["华东", "（无团队）"]


def test_kinds_of_change_in_both_languages() -> None:
    assert change_title("finding-waived") == "finding waived"
    assert counted(2, "finding waived|findings waived") == "2 findings waived"
    with using("zh"):
        assert change_title("finding-waived") == "豁免的检查结果"
        assert counted(2, "finding waived|findings waived") == "2个豁免的检查结果"


def test_a_threshold_reads_its_meaning_in_the_active_language() -> None:
    english = load_rulebook(RULES).thresholds["stage_stale_days"]
    with using("zh"):
        chinese = load_rulebook(RULES).thresholds["stage_stale_days"]
    assert english.doc == "An open opportunity in the same stage for longer than this is stale."
    assert chinese.doc == "未结商机在同一销售阶段停留超过这么长时间即为停滞。"
    assert chinese.line == english.line


def test_why_a_finding_no_longer_applies_in_both_languages() -> None:
    gone = Presence(frozenset({"陈军"}), (("陈军", date(2026, 9, 1)),))
    assert ended_because(gone, "陈军") == "陈军 left on Sep 1, 2026"
    assert ended_because(gone, "pos-refresh") == '"pos-refresh" is no longer on file'
    with using("zh"):
        assert ended_because(gone, "陈军") == "陈军已于2026年9月1日离开"
        assert ended_because(gone, "pos-refresh") == "“pos-refresh”已不在文件中"
