"""The review's vocabulary in Chinese (issue 16), in the seeds' terms: classes, verdicts,
kinds, funnel stages and their checklists, buying roles, levels, styles, fact labels and the
four questions of seed 002; English is unchanged."""

from __future__ import annotations

from pathlib import Path

from kam_review.i18n import _, using
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.loading import load_rulebook
from kam_review.source.model import QUALIFICATION_QUESTIONS
from kam_review.vocabulary import GoalStatus, Health, Kind

RULES = Path(__file__).parents[1] / "rules"


def test_verdicts_kinds_and_goal_statuses() -> None:
    with using("zh"):
        assert [h.shown for h in Health] == ["有风险", "需关注", "数据不足", "健康"]
        assert Kind.RISK.heading == "关键客户为什么会失败"
        assert GoalStatus.ON_TRACK.shown == "进展正常"
    assert Health.AT_RISK.shown == "at risk" and Kind.RISK.heading == "Failure risks"


def test_classes_and_focus_as_seed_003_and_001_name_them() -> None:
    with using("zh"):
        assert [_(c) for c in ("loyal", "fast-growing", "dormant", "nurture")] == [
            "忠诚型客户", "快速增长型客户", "睡眠型客户", "值得培养和重视的客户"]
        assert [_(f) for f in ("key", "target", "maintain", "low-profile")] == [
            "关键", "目标", "维持", "低调"]
        assert load_rulebook(RULES).rule("class.nurture-new").shown_label == \
            "值得培养和重视的客户：新客户"


def test_the_seven_funnel_stages_of_seed_004() -> None:
    with using("zh"):
        stages = load_rulebook(RULES).stages
    assert [s.name for s in stages] == [
        "定位目标客户群", "发掘客户潜在的商机", "确认客户意向", "引导客户立项", "赢得客户认可",
        "进行商务谈判", "完成销售成交"]
    assert stages[1].characteristics["budget_known"] == "了解客户的预算"
    assert load_rulebook(RULES).stages[0].name == "Target group"


def test_roles_levels_styles_and_the_four_questions() -> None:
    with using("zh"):
        assert [_(r) for r in ("decision maker", "influencer", "user", "technical gatekeeper",
                               "coach")] == ["决策者", "影响者", "产品的实际使用者",
                                             "技术把关者", "教练"]
        assert [_(lv) for lv in ("executive", "director", "manager", "staff")] == [
            "高层管理人员", "总监", "部门经理", "部门执行人"]
        assert _("analytical") == "分析型（教授型）"
        assert [_(q) for q in QUALIFICATION_QUESTIONS.values()] == [
            "是不是机会？", "是不是存在竞争？", "是不是能赢？", "是不是值得赢？"]


def test_fact_labels_follow_the_language() -> None:
    field = FACT_TYPES["account"]["share_of_wallet"]
    assert field.label == "Share of wallet"
    with using("zh"):
        assert field.label == "客户占有率"


def test_threshold_labels_follow_the_language() -> None:
    with using("zh"):
        chinese = load_rulebook(RULES).thresholds["stage_stale_days"].shown_label
    assert chinese == "商机被视为停滞之前在同一阶段的天数"
    english = load_rulebook(RULES).thresholds["stage_stale_days"].shown_label
    assert english == "Days in one stage before a deal is stale"
