"""Rule texts per language (issue 16): a rule file carries its Chinese texts under `zh:`
beside the English ones; the rulebook gives the active language's, else the English."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kam_review.errors import RulebookError
from kam_review.i18n import using
from kam_review.rulebook.loading import load_rulebook

RULES = Path(__file__).parents[1] / "rules"

OWN_RULE = """\
kind: risk
rules:
  - id: risk.own
    title: Own warning
    severity: low
    source: ["001"]
    on: account
    when: lifetime_revenue > 0
    message: "revenue {lifetime_revenue:money}"
    rationale: Because.
    action: Act.
    zh:
      title: 自己的警告
"""


def _own_rules(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in ("thresholds.yaml", "funnel.yaml"):
        shutil.copy(RULES / name, folder / name)
    (folder / "own.yaml").write_text(text, encoding="utf-8")
    return folder


def test_bundled_rules_in_chinese_use_the_seed_terms() -> None:
    with using("zh"):
        rulebook = load_rulebook(RULES)
    assert rulebook.rule("class.loyal").title == "忠诚型客户"
    assert rulebook.rule("class.dormant").title == "睡眠型客户"
    assert rulebook.rule("risk.buying-role-gap").title.startswith("销售雷区")
    assert rulebook.rule("class.nurture-new").variant == "新客户"
    assert "是不是值得赢" in rulebook.rule("stage.unqualified").rationale
    assert str(dict(rulebook.rule("stage.stale").marks)) == "{<Mark.DEAL_AT_RISK: " \
        "'deal-at-risk'>: '停滞'}"


def test_english_stays_the_default() -> None:
    assert load_rulebook(RULES).rule("class.loyal").title == "Loyal account"


def test_a_text_without_translation_falls_back_to_english(tmp_path: Path) -> None:
    folder = _own_rules(tmp_path, OWN_RULE)
    with using("zh"):
        rule = load_rulebook(folder).rule("risk.own")
    assert (rule.title, rule.message, rule.action) == ("自己的警告", "revenue "
                                                       "{lifetime_revenue:money}", "Act.")


def test_a_chinese_message_is_checked_like_the_english(tmp_path: Path) -> None:
    folder = _own_rules(tmp_path, OWN_RULE + "      message: 收入{lifetime_revenu:money}\n")
    with pytest.raises(RulebookError) as raised:
        load_rulebook(folder)
    shown = [str(e) for e in raised.value.errors]
    assert any("own.yaml:14" in e and "rules[0].zh.message" in e
               and "unknown fact 'lifetime_revenu'" in e for e in shown), shown


def test_an_unknown_key_in_the_translation_is_named(tmp_path: Path) -> None:
    folder = _own_rules(tmp_path, OWN_RULE + "      titel: 错\n")
    with pytest.raises(RulebookError) as raised:
        load_rulebook(folder)
    assert any("titel" in str(e) and "own.yaml" in str(e) for e in raised.value.errors)
