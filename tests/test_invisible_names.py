"""Invisible characters change nothing: a name is compared, a waiver's approver checked and a
waiver's reason measured on what a reader sees, and redaction finds a contact's name however
invisibly it is spelled, in every field that can hold it."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.review.redact import redact_account
from kam_review.rulebook.waivers import visible_text
from kam_review.source.accounts import load_account
from kam_review.source.names import name_problems, normalise_name, without_invisible

from .conftest import AS_OF, RULES, Reviewer, healthy_account, write_account

# Each draws nothing: a combining grapheme joiner, variation selectors (one of the BMP, one
# supplementary), a Mongolian free variation selector and vowel separator, Hangul fillers, the
# blank Braille pattern, tag characters, a soft hyphen, an invisible separator, a Khmer
# inherent vowel, a musical beam control, a control character, a zero-width space.
INVISIBLE = ["\u034f", "\ufe0f", "\ufe00", "\U000e0100", "\U000e01ef", "\u180b", "\u180f",
             "\u180e", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\U000e0041",
             "\U000e007f", "\U000e0001", "\U000e0000", "\U000e0fff", "\u00ad", "\u2063",
             "\u2065", "\u17b4", "\U0001d173", "\U0001bca0", "\ufff0", "\x01", "\x00", "\x7f",
             "\x9b", "\u200b", "\ufeff"]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_an_invisible_character_changes_no_name(char: str) -> None:
    assert normalise_name(f"Zhou{char} Lan{char}") == normalise_name("Zhou Lan") == "zhou lan"
    assert without_invisible(f"a{char}b") == "ab"
    assert [p for p in name_problems(char * 3) if "shows nothing" in p]


@pytest.mark.parametrize("char", ["\u17b6", "\ufe10", "\u1161", "\u2801", "\U0001d17b",
                                  "\u0301", "\u180a", "\u3165"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_the_characters_next_to_them_stay(char: str) -> None:
    """The edges of the ranges: a Khmer vowel sign, a vertical comma, a Hangul vowel, a
    Braille dot, a musical symbol, a combining accent, a Mongolian nirugu, a Hangul letter."""
    assert without_invisible(f"a{char}b") == f"a{char}b"
    assert normalise_name(f"Li{char}") != normalise_name("Li")


def test_blanks_stay_blanks_between_the_parts_of_a_name() -> None:
    for blank in ("\t", "\n", "\u3000", "\u00a0", "\u2028", "\x1f"):
        assert normalise_name(f"Zhou{blank}Lan") == "zhou lan", repr(blank)


def test_look_alike_cyrillic_and_greek_letters_are_read_as_latin() -> None:
    assert normalise_name("Zh\u043eu Lan") == normalise_name("ZH\u041eU LAN") == "zhou lan"
    assert normalise_name("\u03bflga") == normalise_name("Olga")
    # Case still does not matter in a Cyrillic name, and two Cyrillic names stay two names.
    assert normalise_name("\u041d\u0418\u041d\u0410") == normalise_name("\u041d\u0438\u043d\u0430")
    assert normalise_name("\u041d\u0438\u043d\u0430") != normalise_name("\u041d\u0438\u043a\u0430")


@pytest.mark.parametrize("name", ["Donghai\u2028Evil", "Zhou\u2029Lan", "Lin\x85Hui"])
def test_names_with_a_line_break_are_refused(name: str) -> None:
    (problem,) = name_problems(name)
    assert "a name is one line of plain text" in problem
    assert problem.isprintable()  # the line break is shown as its escape


# -- waivers ---------------------------------------------------------------------------------

def _waived(by: str, reason: str = "Successor introduced; handover set for October",
            rule: str = "risk.key-contact-left") -> dict[str, Any]:
    """The healthy account (owner Li Wei) whose influencer Chen Jun just left (a high
    finding), with a waiver of it."""
    account = healthy_account()
    account["contacts"][2]["left_on"] = "2026-08-31"
    account["waivers"] = [{"rule": rule, "subject": "Chen Jun", "reason": reason,
                           "until": "2026-12-31", "by": by}]
    return account


def _fired(review_accounts: Reviewer, account: dict[str, Any]) -> dict[str, Any]:
    result = review_accounts(account)
    assert not result.errors, [str(e) for e in result.errors]
    return {f.rule: f for f in result.accounts[0].findings}


@pytest.mark.parametrize("char", [c for c in INVISIBLE if unicodedata.category(c) != "Cc"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_the_owner_cannot_approve_a_high_waiver_by_adding_an_invisible_character(
        review_accounts: Reviewer, char: str) -> None:
    fired = _fired(review_accounts, _waived(f"Li Wei{char}"))
    assert not fired["risk.key-contact-left"].waived
    assert "plan.waiver-unapproved" in fired


def test_the_owner_cannot_approve_with_a_cyrillic_letter(review_accounts: Reviewer) -> None:
    fired = _fired(review_accounts, _waived("L\u0456 Wei"))
    assert not fired["risk.key-contact-left"].waived
    assert "plan.waiver-unapproved" in fired


def test_someone_else_still_approves(review_accounts: Reviewer) -> None:
    fired = _fired(review_accounts, _waived("Li Weiming"))
    assert fired["risk.key-contact-left"].waived
    assert "plan.waiver-unapproved" not in fired


@pytest.mark.parametrize(("by", "problem"), [
    ("Gao Ming\x01", "holds the control character \\x01"),
    ("Gao \u202eMing", "holds the bidirectional control character \\u202e"),
    ("\u034f\u2800", "shows nothing"),
])
def test_an_approver_is_checked_as_a_name(review_accounts: Reviewer, by: str,
                                          problem: str) -> None:
    result = review_accounts(_waived(by), healthy_account() | {"id": "other"})
    (error,) = result.errors
    assert error.field == "waivers[0].by" and problem in error.message
    assert Path(error.file).name == "test-account.yaml"
    assert "by:" in Path(error.file).read_text(encoding="utf-8").splitlines()[error.line - 1]
    assert [a.account.id for a in result.accounts] == ["other"]  # the rest is reviewed


@pytest.mark.parametrize("reason", [
    "\u00ad" * 16, "\u2063" * 16, "\u3164" * 16, "\u2800" * 16, "\u034f" * 16, "\x00" * 16,
    "\ufe0f" * 16, "\U000e0041" * 16])
def test_a_reason_of_invisible_characters_is_no_reason(review_accounts: Reviewer,
                                                       reason: str) -> None:
    fired = _fired(review_accounts, _waived("Gao Ming", reason))
    message = fired["plan.waiver-weak-reason"].message
    assert 'gives as its reason ""; ' in message and "; 0 characters (at least 15" in message
    assert visible_text(reason) == ""


def test_a_placeholder_padded_with_tag_characters_is_a_placeholder(
        review_accounts: Reviewer) -> None:
    tags = "".join(chr(0xE0000 + c) for c in range(0x41, 0x51))
    fired = _fired(review_accounts, _waived("Gao Ming", "TBD" + tags))
    message = fired["plan.waiver-weak-reason"].message
    assert 'as its reason "TBD"; "tbd" is a placeholder; 3 characters' in message
    assert visible_text("T\u00adB\u034fD" + tags).casefold() == "tbd"


def test_a_real_reason_with_an_invisible_character_is_still_a_reason(
        review_accounts: Reviewer) -> None:
    fired = _fired(review_accounts, _waived("Gao Ming", "Hand\u00adover set for Octo\u200bber"))
    assert "plan.waiver-weak-reason" not in fired


# -- redaction -------------------------------------------------------------------------------

def _redacted(tmp_path: Path, account: dict[str, Any]) -> Any:
    (loaded, errors) = load_account(write_account(tmp_path, account))
    assert loaded is not None, errors
    return redact_account(loaded)


@pytest.mark.parametrize("spelling", [
    "\uff2c\uff49\uff4e\u3000\uff28\uff55\uff49",  # full-width letters and space
    "Lin\u200bHui", "Li\u00adn Hui", "Lin\u034f Hui", "LIN\ufe0f  hui", "Lin\U000e0041 Hui",
    "Lin\nHui", "LinHui"])
def test_a_name_is_redacted_in_any_spelling_names_py_accepts(tmp_path: Path,
                                                             spelling: str) -> None:
    account = healthy_account()
    account["contacts"][0]["name"] = "Lin Hui"
    account["activities"][0]["with"] = ["Lin Hui"]
    account["activities"][0]["summary"] = f"Met {spelling} at the fair"
    redacted = _redacted(tmp_path, account)
    assert redacted.activities[0].summary == "Met Contact 1 (executive) at the fair"


def test_a_text_without_a_name_is_left_as_written(tmp_path: Path) -> None:
    account = healthy_account()
    account["activities"][0]["summary"] = "\uff21\uff23\uff2d\u3000ＰＯＳ\u00ad demo, 下午"
    redacted = _redacted(tmp_path, account)
    assert redacted.activities[0].summary == account["activities"][0]["summary"]


def test_every_field_that_can_hold_a_name_is_redacted(tmp_path: Path) -> None:
    account = healthy_account()
    hidden = "Wang\u200b Fang"
    account["contacts"][0]["title"] = "Deputy to Wang Fang"
    account["industry"] = f"retail (ask {hidden})"
    account["market"]["competitors"] = [f"{hidden} Trading"]
    account["activities"][1]["summary"] = f"{hidden} called"
    account["complaints"][0]["summary"] = "\uff37\uff41\uff4e\uff47 Fang complained"
    account["plan"]["summary"] = f"Win {hidden} over"
    account["plan"]["goals"][0] |= {"text": f"{hidden} signs", "metric": f"{hidden} signs"}
    account["opportunities"][0]["name"] = f"POS for {hidden}"
    account["waivers"] = [{"rule": "advice.style-social", "subject": "Wang Fang",
                           "reason": "Wa\u00adng Fang asked for it", "until": "2026-12-31",
                           "by": hidden}]
    redacted = _redacted(tmp_path, account)
    shown = json.dumps(repr(redacted), ensure_ascii=False)
    assert "Wang" not in shown and "Ｗａｎｇ" not in shown
    assert redacted.contacts[0].title == "Deputy to Contact 2 (manager)"
    assert redacted.waivers[0].by == "Contact 2 (manager)"
    assert redacted.opportunities[0].name == "POS for Contact 2 (manager)"


def test_the_owner_approving_stays_the_owner_when_redacted(tmp_path: Path) -> None:
    account = _waived("Li Wei")
    account["contacts"].append({"name": "Li Wei", "level": "staff"})
    redacted = _redacted(tmp_path, account)
    assert redacted.waivers[0].by == "Li Wei" == redacted.owner


def test_check_with_redaction_leaks_no_hidden_spelling(tmp_path: Path) -> None:
    account = healthy_account()
    account["contacts"][2] |= {"left_on": "2026-09-01", "title": "Deputy to Wang Fang"}
    account["plan"]["goals"][0] = {"text": "Ｗａｎｇ Ｆａｎｇ signs"}  # quoted: not SMART
    write_account(tmp_path, account)
    for output in ("text", "json", "markdown", "sarif", "junit"):
        run = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts",
                                        str(tmp_path), "--rules", str(RULES), "--format",
                                        output, "--redact-contacts", "--no-cache"])
        assert run.exit_code == 0, run.output
        assert "Deputy to Contact 2 (manager)" in run.stdout, output
        assert "Wang" not in run.stdout and "Ｗａｎｇ" not in run.stdout, output
