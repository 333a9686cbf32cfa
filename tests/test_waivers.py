"""Waivers have limits: a high finding is waived only with an approver other than the owner,
the horizon and reason rules follow the rules folder, and a waived high finding shows in
every summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
from kam_review.output.markdown_text import esc
from kam_review.output.report import as_json, as_text
from kam_review.output.scaffold import new_account
from kam_review.paths import display_path
from kam_review.review.evaluate import review
from kam_review.review.results import Result
from kam_review.source.fast_yaml import FAST_VARIABLE
from kam_review.website.pages import render_pages

from .conftest import AS_OF, RULES, healthy_account, write_account


def _account(by: str, **waiver: str) -> dict[str, Any]:
    """The healthy account (owner Li Wei) whose influencer Chen Jun just left (a high
    finding), with a waiver of that finding granted by `by`."""
    account = healthy_account()
    account["contacts"][2]["left_on"] = "2026-08-31"
    account["waivers"] = [{"rule": "risk.key-contact-left", "subject": "Chen Jun",
                           "reason": "Successor introduced; handover set for October",
                           "until": "2026-12-31", "by": by} | waiver]
    return account


def _review(tmp_path: Path, account: dict[str, Any], thresholds: str | None = None) -> Result:
    folder = tmp_path / "accounts"
    folder.mkdir(exist_ok=True)
    write_account(folder, account)
    overrides = None
    if thresholds is not None:
        overrides = tmp_path / "thresholds.yaml"
        overrides.write_text(thresholds, encoding="utf-8")
    result = review(folder, RULES, AS_OF, overrides)
    assert not result.errors, [str(e) for e in result.errors]
    return result


def _finding(result: Result, rule: str) -> Any:
    (found,) = [f for f in result.accounts[0].findings if f.rule == rule]
    return found


def _rules_fired(result: Result) -> set[str]:
    return {f.rule for f in result.accounts[0].findings}


def test_owner_cannot_waive_a_high_finding(tmp_path: Path) -> None:
    for owner in ("Li Wei", " li  wei ", "Li\u200b Wei"):
        result = _review(tmp_path, _account(owner))
        assert not _finding(result, "risk.key-contact-left").waived, owner
        assert "plan.waiver-unapproved" in _rules_fired(result)
        assert result.waived_high == []


def test_another_approver_waives_a_high_finding(tmp_path: Path) -> None:
    result = _review(tmp_path, _account("Gao Ming"))
    assert _finding(result, "risk.key-contact-left").waived
    assert "plan.waiver-unapproved" not in _rules_fired(result)
    assert [(a.account.id, f.subject) for a, f in result.waived_high] == [
        ("test-account", "Chen Jun")]


def test_owner_may_waive_a_medium_finding(tmp_path: Path) -> None:
    account = healthy_account()
    # risk.no-executive-access, medium: neither an executive nor a director left.
    account["contacts"][0]["level"], account["contacts"][2]["level"] = "staff", "manager"
    account["waivers"] = [{"rule": "risk.no-executive-access", "by": "Li Wei",
                           "reason": "CEO meeting booked for October", "until": "2026-12-31"}]
    result = _review(tmp_path, account)
    assert _finding(result, "risk.no-executive-access").waived
    assert not {"plan.waiver-unapproved", "plan.waiver-weak-reason"} & _rules_fired(result)


def test_horizon_and_reason_length_are_thresholds_of_the_rules_folder(tmp_path: Path) -> None:
    account = _account("Gao Ming", until="2027-03-31", reason="Handover")
    fired = _rules_fired(_review(tmp_path, account))
    assert {"plan.waiver-weak-reason"} <= fired and "plan.waiver-too-long" not in fired
    fired = _rules_fired(_review(tmp_path, account, "thresholds:\n  waiver_max_days: 90\n"
                                 "  waiver_min_reason_length: 5\n"))
    assert "plan.waiver-too-long" in fired and "plan.waiver-weak-reason" not in fired


def test_a_placeholder_is_weak_whatever_the_minimum_length(tmp_path: Path) -> None:
    lenient = "thresholds:\n  waiver_min_reason_length: 0\n"
    for placeholder in ("N/A", "tbd", "ToDo", ".", "-", "?", "x", "OK", "none", "na", "   "):
        result = _review(tmp_path, _account("Gao Ming", reason=placeholder), lenient)
        assert "plan.waiver-weak-reason" in _rules_fired(result), placeholder
    result = _review(tmp_path, _account("Gao Ming", reason="okay"), lenient)
    assert "plan.waiver-weak-reason" not in _rules_fired(result)


def test_a_long_reason_passes_through_the_engine(tmp_path: Path) -> None:
    result = _review(tmp_path, _account("Gao Ming", reason="Handover 'planned', \"x\" " * 400))
    assert _finding(result, "risk.key-contact-left").waived
    assert "plan.waiver-weak-reason" not in _rules_fired(result)


def test_a_waived_high_finding_shows_in_every_summary(tmp_path: Path) -> None:
    result = _review(tmp_path, _account("Gao Ming"))
    text = as_text(result)
    assert "High findings waived (not counted for --fail-on):\n  test-account: " \
        "risk.key-contact-left [Chen Jun] until 2026-12-31 (by Gao Ming: " in text
    assert text.rstrip().endswith("; 1 high finding waived (test-account)")

    (waived,) = json.loads(as_json(result))["waived_high"]
    assert waived == {"account": "test-account", "rule": "risk.key-contact-left",
                      "severity": "high", "subject": "Chen Jun", "until": "2026-12-31",
                      "by": "Gao Ming",
                      "reason": "Successor introduced; handover set for October",
                      "waiver_names_subject": True}

    markdown = check_markdown(result)
    assert "1 high finding waived (test-account)" in markdown
    assert "**High-severity findings waived**" in markdown

    run = json.loads(check_sarif(result))["runs"][0]
    assert [w["subject"] for w in run["properties"]["waivedHighFindings"]] == ["Chen Jun"]
    (suppressed,) = [r for r in run["results"] if r["ruleId"] == "risk.key-contact-left"]
    assert suppressed["suppressions"][0]["justification"].startswith("Successor introduced")

    suite = ElementTree.fromstring(check_junit(result, "high"))
    assert suite.find("properties/property[@name='waived-high-findings']").get("value") == "1"
    assert "1 high finding waived" in (suite.findtext("system-out") or "")
    assert suite.get("tests") == "1"

    pages = render_pages(result)
    for page in ("index.md", "risks.md", "accounts/test-account.md"):
        assert "**1 high finding waived**" in pages[page], page
        assert "Chen Jun, waived until Dec 31, 2026 by Gao Ming" in pages[page], page


def test_nothing_waived_adds_nothing_to_the_summaries(tmp_path: Path) -> None:
    result = _review(tmp_path, _account("Li Wei"))
    assert "high finding waived" not in as_text(result)
    assert json.loads(as_json(result))["waived_high"] == []
    assert "waived**" not in render_pages(result)["index.md"]
    suite = ElementTree.fromstring(check_junit(result, "high"))
    assert suite.find("properties/property").get("value") == "0"
    assert suite.find("testcase/failure") is not None  # the high finding stays open


# The waiver's last day is the review date: it still applies; a day earlier it has ended.
@pytest.mark.parametrize(("until", "waived", "expired"), [
    ("2026-09-30", True, False), ("2026-09-29", False, True), ("2026-10-01", True, False)])
def test_waiver_end_date_boundary(tmp_path: Path, until: str, waived: bool,
                                  expired: bool) -> None:
    result = _review(tmp_path, _account("Zhou Lan", until=until))
    assert _finding(result, "risk.key-contact-left").waived is waived
    assert ("plan.waiver-expired" in _rules_fired(result)) is expired


def _two_left() -> dict[str, Any]:
    account = _account("Zhou Lan")
    account["contacts"][1]["left_on"] = "2026-08-31"  # Wang Fang, a user, left too
    return account


@pytest.mark.parametrize(("subject", "waived"), [
    ("Chen Jun", {"Chen Jun"}), ("Wang Fang", {"Wang Fang"}),
    (None, {"Chen Jun", "Wang Fang"})])
def test_waiver_subject_silences_only_its_subject(tmp_path: Path, subject: str | None,
                                                  waived: set[str]) -> None:
    account = _two_left()
    if subject is None:
        del account["waivers"][0]["subject"]
    else:
        account["waivers"][0]["subject"] = subject
    result = _review(tmp_path, account)
    findings = [f for f in result.accounts[0].findings if f.rule == "risk.key-contact-left"]
    assert {f.subject for f in findings} == {"Chen Jun", "Wang Fang"}
    assert {f.subject for f in findings if f.waived} == waived


def _line_of(path: Path, text: str) -> tuple[int, int]:
    """Where `text` first stands in the file: line and column, from 1."""
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, content in enumerate(lines, start=1) if text in content)
    return line, lines[line - 1].index(text) + 1


def test_a_finding_names_its_account_action_impact_and_line(tmp_path: Path) -> None:
    result = _review(tmp_path, _account("Zhou Lan"))
    finding = _finding(result, "risk.key-contact-left")
    rule = result.rulebook.rule("risk.key-contact-left")
    assert (finding.account, finding.action) == ("test-account", rule.action)
    assert finding.impact == 4_250_000  # a contact's finding: the account's revenue at risk
    path = tmp_path / "accounts" / "test-account.yaml"
    assert finding.line == _line_of(path, "name: Chen Jun")[0]


def test_a_waiver_of_an_unknown_rule_is_an_error_where_the_rule_is_named(tmp_path: Path
                                                                        ) -> None:
    account = _account("Zhou Lan")
    account["waivers"].append(account["waivers"][0] | {"rule": "risk.made-up"})
    folder = tmp_path / "accounts"
    folder.mkdir()
    path = write_account(folder, account)
    (error,) = review(folder, RULES, AS_OF).errors
    assert error.file == display_path(path)
    assert (error.line, error.column) == _line_of(path, "rule: risk.made-up")
    assert (error.field, error.message) == ("waivers[1].rule", "unknown rule 'risk.made-up'")


@pytest.mark.parametrize("fast", ["1", "0"])
def test_the_files_left_out_for_their_errors_are_named_and_no_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: str) -> None:
    """A file the schema refuses is not reviewed; a waiver of an unknown rule is an error
    too, but its account is reviewed: the summary and the site name the first only."""
    monkeypatch.setenv(FAST_VARIABLE, fast)
    account = _account("Zhou Lan")
    account["waivers"].append(account["waivers"][0] | {"rule": "risk.made-up"})
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, account)
    broken = healthy_account() | {"id": "broken", "revnue": 1}
    broken_path = write_account(folder, broken)
    run = CliRunner().invoke(main, ["check", "--accounts", str(folder), "--as-of", str(AS_OF),
                                    "--no-cache", "--quiet"])
    summary = run.stdout.splitlines()[-1]
    assert summary.startswith("1 account: ") and "; 2 input errors" in summary
    assert summary.endswith(f"; not reviewed for their errors: {display_path(broken_path)}")
    overview = render_pages(review(folder, RULES, AS_OF))["index.md"]
    assert f"2 problems in the input files. Not part of this review until they are fixed: " \
           f"{esc(display_path(broken_path))}." in overview


@pytest.mark.parametrize(("rule", "meant"), [("risk.single-thread", "risk.single-threaded"),
                                             ("risk.revenue-decline", "risk.declining-revenue")])
def test_a_waiver_of_a_misspelt_rule_says_which_rule_it_means(tmp_path: Path, rule: str,
                                                               meant: str) -> None:
    account = _account("Zhou Lan")
    account["waivers"].append(account["waivers"][0] | {"rule": rule})
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, account)
    (error,) = review(folder, RULES, AS_OF).errors
    assert (error.field, error.message) == (
        "waivers[1].rule", f"unknown rule '{rule}' (did you mean '{meant}'?)")


@pytest.mark.parametrize("rule", ["plan.waiver-weak-reason", "verdict.at-risk", "class.loyal"])
def test_a_check_of_the_waivers_or_a_verdict_cannot_be_waived(tmp_path: Path,
                                                              rule: str) -> None:
    """A waiver of a waiver check would silence what limits waivers; a class or verdict says
    what the account is. Such a waiver is an error where the rule is named, and waives
    nothing."""
    account = _account("Zhou Lan", reason="tbd")
    account["waivers"].append({"rule": rule, "reason": "We know, and accept it for now",
                               "until": "2026-12-31", "by": "Zhou Lan"})
    folder = tmp_path / "accounts"
    folder.mkdir()
    path = write_account(folder, account)
    result = review(folder, RULES, AS_OF)
    (error,) = result.errors
    assert (error.line, error.column) == _line_of(path, f"rule: {rule}")
    assert error.field == "waivers[1].rule"
    assert error.message.startswith(f"'{rule}' cannot be waived: it checks the waivers ")
    item = result.accounts[0]
    if not rule.startswith("verdict."):  # a verdict is no finding: nothing to waive
        found = [f for f in item.findings if f.rule == rule]
        assert found and not any(f.waived for f in found)


@pytest.mark.parametrize("rule", ["verdict.healthy", "class.dormant", "focus.low-profile",
                                  "plan.waiver-too-long", "risk.made-up"])
def test_a_waiver_that_is_an_error_is_not_listed_again_as_matching_no_finding(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rule: str) -> None:
    """A waiver of a rule that cannot be waived, or that the rules do not have, is an input
    error and waives nothing: it is reported as that error once, never again among the
    waivers that match no finding (text, JSON, Markdown; the plain and the fast check)."""
    account = _account("Zhou Lan")
    account["waivers"].append({"rule": rule, "reason": "We know, and accept it for now",
                               "until": "2026-12-31", "by": "Zhou Lan"})
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, account)
    result = review(folder, RULES, AS_OF)
    assert [e.field for e in result.errors] == ["waivers[1].rule"]
    assert rule not in {f.rule for f in result.accounts[0].findings}  # it finds nothing here
    assert "waives nothing" not in as_text(result) + check_markdown(result)
    assert json.loads(as_json(result))["unmatched_waivers"] == []
    monkeypatch.setenv(FAST_VARIABLE, "1")
    fast = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts", str(folder),
                                     "--rules", str(RULES), "--format", "json"])
    assert fast.exit_code == 2
    assert json.loads(fast.stdout)["unmatched_waivers"] == []


def _deal_waived_as(subject: str) -> dict[str, Any]:
    """The healthy account whose deal "POS refresh" (id pos-refresh) is in doubt (a low
    finding, stage.unqualified), with a waiver of that finding naming `subject`."""
    account = healthy_account()
    account["opportunities"][0]["qualification"]["win"] = "unsure"
    account["waivers"] = [{"rule": "stage.unqualified", "subject": subject,
                           "reason": "Qualification call with the CIO booked for October",
                           "until": "2026-12-31", "by": "Li Wei"}]
    return account


def test_a_waiver_that_matches_no_finding_is_marked_on_the_site(tmp_path: Path) -> None:
    """A deal's finding has the deal's id as its subject, as the technical detail of the
    account's findings lists it; a waiver naming the deal by its name, as the findings table
    shows it, waives nothing. The account page's waivers table marks it with why (the subject
    to name), and its findings, the overview and the risk register name it."""
    result = _review(tmp_path, _deal_waived_as("POS refresh"))
    assert not _finding(result, "stage.unqualified").waived
    pages = render_pages(result)
    page = pages["accounts/test-account.md"]
    assert "- Qualification in doubt: `stage.unqualified`, subject pos-refresh\n" in page
    why = "the rule&#39;s findings here are on pos-refresh"
    assert f"| POS refresh<br>**matches no finding**: {why} |" in page
    for name, prefix in (("index.md", ""), ("risks.md", ""), ("accounts/test-account.md", "../")):
        assert "**1 waiver matches no finding** (it silences nothing):\n\n" \
            f"- [Test Account Ltd]({prefix}accounts/test-account.md): [Qualification in " \
            f"doubt]({prefix}rules.md#stage-unqualified), subject POS refresh: {why}\n" \
            in pages[name], name

    result = _review(tmp_path, _deal_waived_as("pos-refresh"))
    assert _finding(result, "stage.unqualified").waived
    pages = render_pages(result)
    assert not [name for name, text in pages.items() if "matches no finding" in text]


@pytest.mark.parametrize(("left", "shown"), [
    (2, "all (2 findings now, and any the rule finds here later)"), (1, "all")])
def test_a_waiver_without_a_subject_says_how_many_findings_it_covers(
        tmp_path: Path, left: int, shown: str) -> None:
    """A waiver without a subject waives every finding of its rule on the account, those that
    appear after it was written too: where it covers more than one, its entry on the account
    page says how many."""
    account = _two_left() if left == 2 else _account("Zhou Lan")
    del account["waivers"][0]["subject"]
    result = _review(tmp_path, account)
    waived = [f for f in result.accounts[0].findings if f.rule == "risk.key-contact-left"]
    assert len(waived) == left and all(f.waived for f in waived)
    page = render_pages(result)["accounts/test-account.md"]
    assert f"](../rules.md#risk-key-contact-left) | {shown} | Successor introduced" in page


def test_the_starter_account_says_what_a_waiver_subject_does(tmp_path: Path) -> None:
    """kam new's and kam init's account file: its comment on waivers gives the subject, and
    what leaving it out waives."""
    text = new_account("acme", tmp_path, AS_OF).read_text(encoding="utf-8")
    comment = " ".join(text[text.index("\nwaivers:"):].replace("#", " ").split())
    assert "{rule: ..., subject: ..., reason: ..., until: ..., by: ...}" in comment
    assert "without it, every finding of the rule on this account, and any that appear " \
        "later" in comment


def test_a_finding_waived_by_a_waiver_naming_no_subject_says_so(tmp_path: Path) -> None:
    """Chen Jun's departure accepted by a waiver of the rule on every contact: each output
    says it is waived, and that no one named him (plan.waiver-unnamed reports the waiver)."""
    account = _account("Zhou Lan")
    del account["waivers"][0]["subject"]
    result = _review(tmp_path, account)
    finding = _finding(result, "risk.key-contact-left")
    assert finding.waiver_note == ("waived until 2026-12-31 by Zhou Lan, by a waiver naming "
                                   "no subject: Successor introduced; handover set for October")
    assert "plan.waiver-unnamed" in _rules_fired(result)
    page = render_pages(result)["accounts/test-account.md"]
    assert "waived until Dec 31, 2026 by Zhou Lan, by a waiver naming no subject" in page
    assert "[Chen Jun] until 2026-12-31 (by Zhou Lan, in a waiver naming no subject: " \
        in as_text(result)
    (waived,) = json.loads(as_json(result))["waived_high"]
    assert waived["waiver_names_subject"] is False
    # Named, it says only when and by whom.
    (tmp_path / "named").mkdir()
    named = _finding(_review(tmp_path / "named", _account("Zhou Lan")), "risk.key-contact-left")
    assert named.waiver_note.startswith("waived until 2026-12-31 by Zhou Lan: Successor")
