"""Every translation the Chinese edition needs is there (issue 16): these tests LIST each
missing key, so that a new English string, rule or funnel stage without its Chinese text
fails with its name; and a missing translation falls back to English."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kam_review.i18n import _, read_catalogue, using
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.funnel import FUNNEL_FILE
from kam_review.rulebook.rule_schema import TRANSLATED
from kam_review.rulebook.thresholds import THRESHOLDS_FILE

from .zh_keys import code_keys

RULES = Path(__file__).parents[1] / "rules"


def _rule_files() -> list[Path]:
    return [p for p in sorted(RULES.glob("*.yaml")) if p.name not in (THRESHOLDS_FILE,
                                                                       FUNNEL_FILE)]


def missing_rule_texts(folder_files: list[Path]) -> list[str]:
    """Each rule text that has no Chinese beside it: file, rule id and key."""
    missing = []
    for path in folder_files:
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            zh = rule.get("zh", {})
            for key in TRANSLATED:
                if key in rule and not zh.get(key):
                    missing.append(f"{path.name}: {rule['id']}: zh.{key}")
            missing += [f"{path.name}: {rule['id']}: zh.marks.{mark}"
                        for mark in rule.get("marks", {}) if mark not in zh.get("marks", {})]
    return missing


def test_no_catalogue_entry_is_left_empty() -> None:
    empty = [m.id for m in read_catalogue("zh") if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert empty == [], f"{len(empty)} catalogue entries without Chinese: {empty}"


def test_every_key_of_the_code_is_in_the_catalogue() -> None:
    """A text the code hands to `_()` that the catalogue lacks is written in English on the
    Chinese site: listed here by where it is used."""
    # A plural entry holds both of the keys an `ngettext()` call hands it.
    have = {key: m.string for m in read_catalogue("zh") if m.id
            for key in ((m.id,) if isinstance(m.id, str) else m.id)}
    missing = {key: where for key, where in code_keys().items() if not have.get(key)}
    assert not missing, "\n".join(f"{where}: {key!r}" for key, where in sorted(
        missing.items(), key=lambda item: item[1]))


def test_every_bundled_rule_text_has_its_chinese() -> None:
    missing = missing_rule_texts(_rule_files())
    assert missing == [], "rule texts without zh:\n" + "\n".join(missing)


def test_the_listing_names_a_missing_rule_text(tmp_path: Path) -> None:
    own = tmp_path / "own.yaml"
    own.write_text("kind: risk\nrules:\n  - {id: risk.own, title: Own, message: m, "
                   "rationale: r, action: a, zh: {title: 自己的}}\n", encoding="utf-8")
    assert missing_rule_texts([own]) == ["own.yaml: risk.own: zh.message",
                                         "own.yaml: risk.own: zh.rationale",
                                         "own.yaml: risk.own: zh.action"]


def test_every_funnel_stage_has_its_chinese() -> None:
    funnel = yaml.safe_load((RULES / FUNNEL_FILE).read_text(encoding="utf-8"))
    missing = [f"{stage['id']}: zh.{key}" for stage in funnel["stages"]
               for key in ("name", "owner") if not stage.get("zh", {}).get(key)]
    missing += [f"{stage['id']}: zh.characteristics.{key}" for stage in funnel["stages"]
                for key in stage["characteristics"]
                if not stage.get("zh", {}).get("characteristics", {}).get(key)]
    assert missing == []


def test_a_missing_translation_falls_back_to_english() -> None:
    with using("zh"):
        assert _("Risk register") == "风险登记"
        assert _("A text nobody translated") == "A text nobody translated"
        assert _("") == ""


def test_every_threshold_label_has_its_chinese() -> None:
    named = yaml.safe_load((RULES / THRESHOLDS_FILE).read_text(encoding="utf-8"))["thresholds"]
    missing = [name for name, spec in named.items()
               if "label" in spec and not spec.get("zh", {}).get("label")]
    assert missing == [], f"thresholds without zh.label: {missing}"


def test_every_threshold_meaning_has_its_chinese() -> None:
    named = yaml.safe_load((RULES / THRESHOLDS_FILE).read_text(encoding="utf-8"))["thresholds"]
    missing = [name for name, spec in named.items() if not spec.get("zh", {}).get("doc")]
    assert missing == [], f"thresholds without zh.doc: {missing}"


def test_every_fact_meaning_has_its_chinese() -> None:
    """The fact reference of the rule catalogue and what an unevaluated rule needs write each
    fact's meaning through the catalogue; a meaning that is only a file field's name
    (market.industry_growth) stays as it is."""
    have = {m.id for m in read_catalogue("zh") if isinstance(m.id, str) and m.string}
    missing = sorted({f"{kind}.{name}" for kind, fields in FACT_TYPES.items()
                      for name, field in fields.items()
                      if field.doc not in have and not re.fullmatch(r"[a-z_.]+", field.doc)})
    assert missing == [], f"facts whose meaning has no Chinese: {missing}"


# A brace field ({name}, {value:int}, {{ }} excluded) as str.format reads it.
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_.]*)(?:[:!][^{}]*)?\}")


def placeholder_mismatch(english: str, chinese: str) -> str | None:
    """What is wrong with a translation's fields, or None. It names exactly the English
    text's fields, except that `{date}` may stand for `{day}`: the same day in the reader's
    words, which every caller passes beside it (review/movement.py)."""
    want = set(_FIELD.findall(english))
    got = set(_FIELD.findall(chinese))
    if "day" in want and "date" in got and "day" not in got:
        got = (got - {"date"}) | {"day"}
    if got == want:
        return None
    return f"missing {sorted(want - got)}, unknown {sorted(got - want)}"


def test_every_catalogue_translation_names_the_fields_of_its_english() -> None:
    """A field the Chinese drops loses a figure; one it invents raises KeyError when the
    Chinese site is built."""
    wrong = []
    for message in read_catalogue("zh"):
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[0]
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong += [f"{english!r} -> {text!r}: {why}" for text in texts
                  if (why := placeholder_mismatch(english, text))]
    assert wrong == [], "\n".join(wrong)


def test_every_rule_translation_names_the_fields_of_its_english() -> None:
    wrong = []
    for path in _rule_files():
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            zh = rule.get("zh", {})
            wrong += [f"{path.name}: {rule['id']}: zh.{key}: {why}" for key in TRANSLATED
                      if key in rule and key in zh
                      and (why := placeholder_mismatch(str(rule[key]), str(zh[key])))]
    assert wrong == [], "\n".join(wrong)


def test_the_field_check_finds_a_dropped_an_invented_and_a_renamed_field() -> None:
    assert placeholder_mismatch("{n} deals on {day}", "{n}个商机，于{date}") is None
    assert placeholder_mismatch("{n:int} deals", "{n:int}个商机") is None
    assert placeholder_mismatch("{n} deals", "{{n}}个商机") == "missing ['n'], unknown []"
    assert placeholder_mismatch("{n} deals", "商机") == "missing ['n'], unknown []"
    assert placeholder_mismatch("{n} deals", "{m}个商机") == "missing ['n'], unknown ['m']"
    assert placeholder_mismatch("{n} deals", "{n}个商机，于{date}") == \
        "missing [], unknown ['date']"


def test_no_text_is_translated_twice() -> None:
    """Two entries for one English text: one of them is silently never used."""
    po = (Path(__file__).parents[1] / "engine" / "kam_review" / "locale" / "zh" /
          "LC_MESSAGES" / "kam.po").read_text(encoding="utf-8")
    ids = re.findall(r'(?m)^msgid ((?:".*"\n)+)', po)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
