"""`kam check` output for pull requests and CI: Markdown, SARIF 2.1.0, JUnit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest

from kam_review.output import ci_formats
from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
from kam_review.output.report import as_json, as_text
from kam_review.review.evaluate import review
from kam_review.review.results import Result
from kam_review.vocabulary import Severity

from .conftest import ACCOUNTS, AS_OF, REPO, RULES, healthy_account, write_account
from .git_support import new_repository

SARIF_SCHEMA = REPO / "build" / "schemas" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def sample() -> Result:
    return review(ACCOUNTS, RULES, AS_OF)


def test_sarif_validates_against_the_official_schema(sample: Result) -> None:
    if not SARIF_SCHEMA.exists():
        if os.environ.get("KAM_REQUIRE_SARIF_SCHEMA"):
            pytest.fail(f"{SARIF_SCHEMA} is missing: run `make test`")
        pytest.skip(f"{SARIF_SCHEMA} is missing: `make test` fetches it")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(check_sarif(sample))
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == sum(len(a.findings) for a in sample.accounts)


def test_sarif_locates_each_finding_at_its_line(sample: Result) -> None:
    log = json.loads(check_sarif(sample))
    hanhai = (ACCOUNTS / "hanhai-retail.yaml").read_text(encoding="utf-8").splitlines()
    (left,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "risk.key-contact-left"
               and "Hanhai" in r["message"]["text"]]
    location = left["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "accounts/hanhai-retail.yaml"
    # A name a URI cannot hold as it is is percent-encoded (# would start a fragment).
    assert ci_formats._uri("accounts/acme copy#2.yaml") == "accounts/acme%20copy%232.yaml"
    assert "- name: Chen Jun" in hanhai[location["region"]["startLine"] - 1]
    assert left["suppressions"][0]["kind"] == "inSource"  # waived in the file


def _sarif_artifacts(accounts: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """Each result's artifactLocation in the SARIF log of `accounts`, and the log's run."""
    run = json.loads(check_sarif(review(accounts, RULES, AS_OF)))["runs"][0]
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]
            for r in run["results"]], run


def test_sarif_locations_are_relative_to_the_repository_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GitHub code scanning resolves a location from the repository's root: the same URIs
    whether kam runs at the root, in a folder below it or outside it (--accounts pointing
    there), relative to %SRCROOT%, which the run declares without a path of this machine."""
    repo = new_repository(tmp_path / "repo")
    accounts = repo / "team" / "accounts"
    accounts.mkdir(parents=True)
    write_account(accounts, healthy_account())
    (accounts / "bad.yaml").write_text("id: bad\nname: Bad\nowner: X\nfinancials: 3\n",
                                       encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    expected = {"team/accounts/bad.yaml", "team/accounts/test-account.yaml"}
    for cwd, folder in [(repo, Path("team/accounts")), (repo / "team", Path("accounts")),
                        (tmp_path / "elsewhere", accounts)]:
        monkeypatch.chdir(cwd)
        artifacts, run = _sarif_artifacts(folder)
        assert {a["uri"] for a in artifacts} == expected, cwd
        assert {a["uriBaseId"] for a in artifacts} == {ci_formats.SOURCE_ROOT}
        assert "uri" not in run["originalUriBaseIds"][ci_formats.SOURCE_ROOT]
        assert str(tmp_path) not in json.dumps(run)
    # Outside a repository, relative to the working folder, with no base.
    plain = tmp_path / "plain" / "accounts"
    plain.mkdir(parents=True)
    write_account(plain, healthy_account())
    monkeypatch.chdir(plain.parent)
    artifacts, run = _sarif_artifacts(Path("accounts"))
    assert artifacts and all(a == {"uri": "accounts/test-account.yaml"} for a in artifacts)
    assert "originalUriBaseIds" not in run


def test_sarif_reports_input_errors(tmp_path: Path) -> None:
    write_account(tmp_path, healthy_account())
    (tmp_path / "bad.yaml").write_text("id: bad\nname: Bad\nowner: X\nfinancials: 3\n",
                                       encoding="utf-8")
    log = json.loads(check_sarif(review(tmp_path, RULES, AS_OF)))
    (error,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "input.invalid"]
    assert error["level"] == "error"
    assert error["locations"][0]["physicalLocation"]["region"] == {"startLine": 4,
                                                                   "startColumn": 1}
    assert error["message"]["text"] == "financials: expected a list, got 3"


def test_junit_fails_accounts_with_findings_at_the_threshold(sample: Result) -> None:
    suite = ElementTree.fromstring(check_junit(sample, "high"))
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) == len(sample.accounts)
    assert cases["ruifeng-retail"].find("failure") is not None
    assert cases["kangning-pharma"].find("failure") is None
    assert suite.get("failures") == str(sum(1 for c in cases.values()
                                            if c.find("failure") is not None))
    # Without --fail-on no finding fails the run, nor a case: the report agrees with it.
    assert suite.get("timestamp") == "2026-09-30T00:00:00"  # a date and time, as JUnit's
    quiet = ElementTree.fromstring(check_junit(sample, None))
    assert quiet.get("failures") == "0" and quiet.find(".//failure") is None
    said = quiet.find(".//testcase/system-out").text or ""
    assert "risk." in said and " : " not in said


def test_markdown_summary_puts_high_findings_first(sample: Result) -> None:
    text = check_markdown(sample)
    assert text.startswith("### kam-review: 15 accounts as of 2026-09-30")
    assert text.index("**High-severity findings**") < text.index("<details>")
    assert "risk.opponent-decision-maker Kang Jie: " in text
    # A finding on the whole account has no subject to name: its rule, then its message.
    assert "**: risk.single-threaded: the current contacts" in text and " : " not in text
    assert len(text.splitlines()) < 250
    # The verdicts, and each account's: what an approver weighs first.
    assert text.splitlines()[4].startswith("Verdicts: 8 at risk, ")
    assert "<summary>Hanhai Retail Group: loyal, watch, " in text
    # A waived warning says by whom, until when and why, not only that it is waived.
    waived = [line for line in text.splitlines() if "(waived) |" in line]
    assert waived and all("waived until " in line for line in waived)


def test_waivers_that_match_no_finding_are_listed(tmp_path: Path) -> None:
    """A waiver in force that silences nothing says so, with why: a subject none of the
    rule's findings has (a typo leaves the finding open), or a rule that finds nothing here.
    One that matches, and one no longer in force, are not listed."""
    account = healthy_account()
    waiver = {"reason": "r", "until": "2026-12-31", "by": "Zhou Lan"}
    account["waivers"] = [
        {"rule": "advice.style-direct", "subject": "Chen Jun"} | waiver,
        {"rule": "advice.style-direct"} | waiver,
        {"rule": "advice.style-direct", "subject": "Chen Jn"} | waiver,
        {"rule": "risk.single-threaded"} | waiver,
        {"rule": "risk.single-threaded"} | waiver | {"until": "2026-09-29"}]
    write_account(tmp_path, account)
    result = review(tmp_path, RULES, AS_OF)
    assert "advice.style-direct" in {f.rule for f in result.accounts[0].findings}
    text = as_text(result)
    listed = text.split("Waivers that match no finding (they silence nothing):\n", 1)[1]
    assert listed.split("\n\n", 1)[0].splitlines() == [
        "  test-account: advice.style-direct [Chen Jn] waives nothing: the rule's findings "
        "here are on Chen Jun",
        "  test-account: risk.single-threaded waives nothing: the rule finds nothing on this "
        "account now"]
    # The Markdown summary lists them too, as inert text.
    assert "**Waivers that match no finding (they silence nothing)**\n\n- test-account: " \
           "advice.style-direct &#91;Chen Jn&#93; waives nothing: the rule&#39;s findings here " \
           "are on Chen Jun\n- test-account: risk.single-threaded waives nothing" \
           in check_markdown(result)
    # JSON lists them too, each with its account, rule, subject and why.
    assert json.loads(as_json(result))["unmatched_waivers"] == [
        {"account": "test-account", "rule": "advice.style-direct", "subject": "Chen Jn",
         "why": "the rule's findings here are on Chen Jun"},
        {"account": "test-account", "rule": "risk.single-threaded", "subject": None,
         "why": "the rule finds nothing on this account now"}]
    # A rule whose finding is on the whole account (no subject): a waiver naming a subject
    # silences nothing, and the line says the waiver names none, not an empty list.
    account["contacts"] = account["contacts"][:1]
    account["activities"] = [a for a in account["activities"]
                             if set(a.get("with", [])) <= {account["contacts"][0]["name"]}]
    account["waivers"] = [{"rule": "risk.single-threaded", "subject": "Nobody"} | waiver]
    write_account(tmp_path, account)
    whole = review(tmp_path, RULES, AS_OF)
    assert ("risk.single-threaded", "") in {(f.rule, f.subject)
                                            for f in whole.accounts[0].findings}
    assert json.loads(as_json(whole))["unmatched_waivers"] == [
        {"account": "test-account", "rule": "risk.single-threaded", "subject": "Nobody",
         "why": "the rule's finding here is on the whole account: its waiver names no "
                "subject"}]
    account = healthy_account()
    account["waivers"] = [
        {"rule": "advice.style-direct", "subject": "Chen Jun"} | waiver,
        {"rule": "advice.style-direct"} | waiver]
    write_account(tmp_path, account)
    matched = review(tmp_path, RULES, AS_OF)
    assert "match no finding" not in as_text(matched)
    assert json.loads(as_json(matched))["unmatched_waivers"] == []
    # A rule not evaluated (its quarter missing) finds nothing because it cannot tell: the
    # waiver says so, not that the rule finds nothing.
    account["waivers"] = [{"rule": "risk.declining-revenue"} | waiver]
    account["financials"] = [row for row in account["financials"]
                             if row["quarter"] != "2026-Q3"]
    write_account(tmp_path, account)
    text = as_text(review(tmp_path, RULES, AS_OF))
    assert "  test-account: risk.declining-revenue waives nothing: the rule cannot be judged " \
           "here now (needs " in text


def test_waivers_ending_soon_are_listed(tmp_path: Path) -> None:
    account = healthy_account()
    account["waivers"] = [
        {"rule": "risk.complacency", "reason": "r", "until": "2026-10-20", "by": "Zhou Lan"},
        {"rule": "risk.silent-account", "reason": "r", "until": "2027-03-01", "by": "Zhou Lan"}]
    write_account(tmp_path, account)
    text = as_text(review(tmp_path, RULES, AS_OF))
    assert "Waivers ending within 30 days:\n  test-account: risk.complacency until 2026-10-20" \
        in text
    assert "risk.silent-account until" not in text


def test_findings_below_show_are_said_to_be_left_out(sample: Result) -> None:
    """--show lists the findings at or above a severity; the others are counted in the
    summary, and a line says how many are not listed."""
    full, high = as_text(sample), as_text(sample, Severity.HIGH)
    assert "not listed (--show" not in full
    listed = sum(1 for line in full.splitlines() if line.startswith("  ") and " " in line)
    kept = sum(1 for line in high.splitlines() if line.startswith("  ") and " " in line)
    assert f"{listed - kept} findings below high not listed (--show high); the summary " \
           "counts them" in high
    assert full.rstrip().splitlines()[-1] == high.rstrip().splitlines()[-1]
