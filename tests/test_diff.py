"""`kam diff` over a real git repository with two commits of account files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO, healthy_account, quarters, write_account
from .git_support import git, new_repository


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository: commit 1 holds three accounts; the working tree then changes them."""
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    stays = healthy_account()
    leaves = healthy_account() | {"id": "old-customer", "name": "Old Customer"}
    grows = healthy_account() | {"id": "grower", "name": "Grower"}
    for account in (stays, leaves, grows):
        write_account(repo / "accounts", account)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "last quarter")
    git(repo, "tag", "review-q2")
    # The change under review:
    (repo / "accounts" / "old-customer.yaml").unlink()
    write_account(repo / "accounts", healthy_account() | {"id": "newco", "name": "NewCo"})
    grows["financials"] = quarters("2024-Q4", [1_000_000] * 4 + [1_400_000] * 4)
    write_account(repo / "accounts", grows)
    stays["contacts"][2]["left_on"] = "2026-09-01"  # a key contact left
    stays["opportunities"][0]["stage"] = "initiated"
    stays["opportunities"][0]["probability"] = 0.45
    stays["complaints"][0]["date"] = "2025-06-01"  # silent now
    write_account(repo / "accounts", stays)
    return repo


def kam(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kam_review", *args, "--rules",
                           str(REPO / "rules"), "--as-of", "2026-09-30"], cwd=repo,
                          capture_output=True, text=True, check=False)


def changes(repo: Path, *args: str) -> list[dict[str, Any]]:
    run = kam(repo, "diff", *args, "--format", "json")
    assert run.returncode == 0, run.stderr
    data: list[dict[str, Any]] = json.loads(run.stdout)["changes"]
    return data


def test_every_kind_of_change(history: Path) -> None:
    found = changes(history, "review-q2")
    kinds = {(c["account"], c["kind"], c["subject"], c["before"], c["after"]) for c in found}
    assert ("newco", "account-added", "", "", "loyal") in kinds
    assert ("old-customer", "account-removed", "", "loyal", "") in kinds
    assert ("grower", "class", "", "loyal", "fast-growing") in kinds
    assert ("test-account", "stage", "pos-refresh (forward)", "intent", "initiated") in kinds
    (moved,) = [c for c in found if c["kind"] == "stage"]
    assert (moved["deal"], moved["direction"]) == ("pos-refresh", "forward")
    # A verdict that changed names the rule that gives it now, as kam check's JSON does.
    verdict_rules = [(c["after"], c["rule"]) for c in found if c["kind"] == "verdict"]
    assert verdict_rules and all(rule == f"verdict.{after}" for after, rule in verdict_rules)
    assert ("test-account", "figure", "pos-refresh probability", "30%", "45%") in kinds
    assert ("grower", "figure", "revenue 2026-Q3", "CN¥1.1M", "CN¥1.4M") in kinds
    new = {(c["account"], c["rule"], c["subject"]) for c in found if c["kind"] == "finding-new"}
    assert ("test-account", "risk.key-contact-left", "Chen Jun") in new
    assert ("test-account", "risk.silent-account", "") in new
    # Chen Jun left: the advice on working with him no longer applies; nothing was resolved.
    ended = {(c["account"], c["rule"], c["subject"], c["after"]) for c in found
             if c["kind"] == "finding-ended"}
    assert ("test-account", "advice.style-direct", "Chen Jun",
            "Chen Jun left on Sep 1, 2026") in ended
    assert not [c for c in found if c["kind"] == "finding-resolved"]


def test_a_finding_is_resolved_only_while_its_subject_is_on_file(history: Path) -> None:
    stays = healthy_account()
    stays["opportunities"][0]["stage_since"] = "2026-01-05"  # at its stage too long
    write_account(history / "accounts", stays)
    git(history, "add", "-A")
    git(history, "commit", "-qm", "this quarter")
    # The deal's stage date moved on, the deal where it was: the finding ends, and the
    # change says why beside it.
    stays["opportunities"][0]["stage_since"] = "2026-09-01"
    write_account(history / "accounts", stays)
    found = [(c["kind"], c["rule"], c["subject"], c["before"], c["after"])
             for c in changes(history, "HEAD") if c["account"] == "test-account"]
    assert [row[:3] for row in found] == [("finding-resolved", "stage.stale", "pos-refresh"),
                                          ("stage-since", "", "pos-refresh")]
    assert found[1][3:] == ("2026-01-05", "2026-09-01")
    # The deal taken off the file: its finding is gone with it, not resolved.
    stays["opportunities"][0]["stage_since"] = "2026-01-05"
    stays["opportunities"][0]["id"] = "pos-refresh-2"
    write_account(history / "accounts", stays)
    ended = [(c["kind"], c["subject"], c["after"]) for c in changes(history, "HEAD")
             if c["rule"] == "stage.stale"]
    assert ended == [("finding-new", "pos-refresh-2", ended[0][2]),
                     ("finding-ended", "pos-refresh", "\"pos-refresh\" is no longer on file")]


def test_focus_change_and_stage_moving_back(history: Path) -> None:
    git(history, "add", "-A")
    git(history, "commit", "-qm", "this quarter")
    stays = healthy_account()
    stays["opportunities"][0]["stage"] = "lost"
    for key in stays["scores"]["relationship"]:
        stays["scores"]["relationship"][key] = 2
    write_account(history / "accounts", stays)
    found = changes(history, "HEAD")
    kinds = {(c["kind"], c["subject"], c["before"], c["after"]) for c in found
             if c["account"] == "test-account"}
    assert ("focus", "", "key", "target") in kinds
    assert ("stage", "pos-refresh (back)", "initiated", "lost") in kinds


def test_two_revisions_and_the_working_tree_untouched(history: Path) -> None:
    git(history, "add", "-A")
    git(history, "commit", "-qm", "this quarter")
    (history / "accounts" / "newco.yaml").write_text("id: [broken", encoding="utf-8")
    found = changes(history, "review-q2", "HEAD")
    assert any(c["kind"] == "account-added" and c["account"] == "newco" for c in found)
    assert (history / "accounts" / "newco.yaml").read_text(encoding="utf-8") == "id: [broken"


def test_text_and_markdown(history: Path) -> None:
    text = kam(history, "diff", "review-q2").stdout
    # A new verdict says why, in its rule's words.
    (verdict,) = [c for c in changes(history, "review-q2")
                  if c["kind"] == "verdict" and c["account"] == "test-account"]
    assert verdict["reasons"] == ["1 open high warning: A key person changed [Chen Jun]"]
    assert (f"test-account:\n  verdict changed: healthy -> at risk (because: "
            f"{'; '.join(verdict['reasons'])})\n  new finding: HIGH risk.key-contact-left "
            f"[Chen Jun]:") in text
    markdown = kam(history, "diff", "review-q2", "--format", "markdown").stdout
    # The base as the user wrote it; the working tree, which is no revision, in words.
    assert markdown.startswith("### kam-review: changes from `review-q2` to the working tree")
    assert markdown.index("**New high-severity findings**") < markdown.index("<details>")


def test_the_base_is_named_as_written_and_counts_agree(history: Path) -> None:
    """`HEAD~1` stays `HEAD~1` (no entity for the tilde), and every count takes its noun in
    the right number: "1 account added", "2 figures changed", "(1 change)"."""
    git(history, "add", "-A")
    git(history, "commit", "-qm", "this quarter")
    text = kam(history, "diff", "HEAD~1", "HEAD").stdout
    total = len(changes(history, "HEAD~1", "HEAD"))
    assert text.startswith(f"kam-review: HEAD~1 (2026-09-30) -> HEAD (2026-09-30): {total} "
                           "changes\n")
    markdown = kam(history, "diff", "HEAD~1", "HEAD", "--format", "markdown").stdout
    assert markdown.startswith("### kam-review: changes from `HEAD~1` to `HEAD`\n")
    assert "&#126;" not in markdown and "(s)" not in markdown + text
    assert markdown.split("\n")[2] == (
        "1 account added, 1 account removed, 1 class changed, 1 verdict changed, 3 new "
        "findings, 1 finding that no longer applies, 1 stage moved, 5 figures changed")
    assert "<details><summary>newco (1 change)</summary>" in markdown


def test_own_rules_show_what_a_threshold_change_moves(history: Path) -> None:
    rules = history / "rules"
    subprocess.run(["cp", "-r", str(REPO / "rules"), str(rules)], check=True)
    git(history, "add", "-A")
    git(history, "commit", "-qm", "rules in the repository")
    path = rules / "thresholds.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "value: 0.2\n    unit: ratio\n    doc: Growth over a year below this",
        "value: 0.5\n    unit: ratio\n    doc: Growth over a year below this"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kam_review", "diff", "HEAD", "--own-rules",
                          "--as-of", "2026-09-30", "--rules", str(rules), "--format", "json"],
                         cwd=history, capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)["changes"]
    assert {"account": "grower", "kind": "class", "subject": "", "before": "fast-growing",
            "after": "nurture", "severity": "", "rule": ""} in found


def test_base_as_of_gives_a_quarter_over_quarter_view(history: Path) -> None:
    run = kam(history, "diff", "review-q2", "--base-as-of", "2026-06-30", "--format", "json")
    data = json.loads(run.stdout)
    assert (data["base_as_of"], data["head_as_of"]) == ("2026-06-30", "2026-09-30")


def test_unknown_revision_is_a_clean_error(history: Path) -> None:
    run = kam(history, "diff", "no-such-tag")
    assert run.returncode == 2
    assert "Error: unknown git revision 'no-such-tag'" in run.stderr
    assert "Traceback" not in run.stderr


def _strict_rules(folder: Path) -> Path:
    """A copy of the shipped rules in which growth of 50% (not 20%) is fast-growing."""
    subprocess.run(["cp", "-r", str(REPO / "rules"), str(folder)], check=True)
    path = folder / "thresholds.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "value: 0.2\n    unit: ratio\n    doc: Growth over a year below this",
        "value: 0.5\n    unit: ratio\n    doc: Growth over a year below this"), encoding="utf-8")
    return folder


def _own_rules_diff(history: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kam_review", "diff", "review-q2", "--own-rules",
                           "--accounts", str(history / "accounts"), "--as-of", "2026-09-30",
                           *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_own_rules_come_from_the_reviewed_repository_not_the_working_folder(
        history: Path, tmp_path: Path) -> None:
    # The folder the command runs in has rules of its own; the reviewed repository has none
    # at the base revision, and the strict ones in its working tree.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _strict_rules(elsewhere / "rules")
    run = _own_rules_diff(history, elsewhere, "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["notes"] == ["the repository has no rules/ in revision review-q2: that side "
                             "is reviewed with the bundled rules",
                             "the repository has no rules/ in the working tree: that side is "
                             "reviewed with the bundled rules"]
    grower = [c for c in data["changes"] if c["account"] == "grower" and c["kind"] == "class"]
    assert [(c["before"], c["after"]) for c in grower] == [("loyal", "fast-growing")]

    _strict_rules(history / "rules")  # now the working tree has the strict rules
    run = _own_rules_diff(history, elsewhere)
    assert run.returncode == 0, run.stderr
    assert "note: the repository has no rules/ in revision review-q2" in run.stdout
    assert "in the working tree" not in run.stdout
    assert "grower:\n  class changed: loyal -> nurture" in run.stdout


def test_own_rules_refuse_rules_from_outside_the_repository(history: Path,
                                                             tmp_path: Path) -> None:
    run = _own_rules_diff(history, tmp_path, "--rules", str(REPO / "rules"))
    assert run.returncode != 0
    assert "--own-rules reads the rules of the repository under review" in run.stderr
    assert "Traceback" not in run.stderr


def test_own_rules_note_in_markdown(history: Path, tmp_path: Path) -> None:
    run = _own_rules_diff(history, tmp_path, "--format", "markdown")
    assert "\n> **Note:** the repository has no rules/ in revision review-q2" in run.stdout


def test_a_link_leading_outside_at_the_base_revision_is_refused_not_read(
        history: Path, tmp_path: Path) -> None:
    """The base side is read from git; a link committed there gets the same refusal as in the
    working tree, and what it points at appears in no output."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: leaked\nname: TOP-SECRET-MARKER\nowner: x\nfinancials: []\n",
                      encoding="utf-8")
    git(history, "checkout", "-q", "review-q2")
    (history / "accounts" / "leaked.yaml").symlink_to(secret)
    git(history, "add", "-A")
    git(history, "commit", "-qm", "a link out")
    git(history, "tag", "linked")
    git(history, "checkout", "-q", "main")
    (history / "accounts" / "leaked.yaml").unlink(missing_ok=True)
    run = kam(history, "diff", "linked", "--format", "json")
    assert run.returncode == 2, run.stderr
    assert "leaked.yaml" in run.stderr and "outside" in run.stderr
    assert "TOP-SECRET-MARKER" not in run.stdout + run.stderr


def _committed(tmp_path: Path, attributes: str) -> Path:
    """A repository whose one commit (tagged base) holds a .gitattributes and two accounts,
    one of them with export placeholders in a comment; the working tree is that commit."""
    repo = new_repository(tmp_path / "attributes")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", healthy_account())
    other = write_account(repo / "accounts", healthy_account() | {"id": "other"})
    other.write_text("# built from $Format:%H$ $Id$\n" + other.read_text(encoding="utf-8"),
                     encoding="utf-8")
    (repo / ".gitattributes").write_text(attributes, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "accounts with attributes")
    git(repo, "tag", "base")
    return repo


@pytest.mark.parametrize("attributes", ["*.yaml export-subst\n", "*.yaml ident\n",
                                        "*.yaml text eol=crlf\n",
                                        "accounts/other.yaml export-ignore\n"],
                         ids=["export-subst", "ident", "eol-crlf", "export-ignore"])
def test_a_revision_is_read_as_committed_whatever_gitattributes_say(
        tmp_path: Path, attributes: str) -> None:
    """`git archive` would rewrite ($Format$, $Id$, line ends) or leave out files as
    .gitattributes ask; the base side of a diff is the committed bytes, every file."""
    from kam_review.source.revisions import export_folder

    repo = _committed(tmp_path, attributes)
    exported = export_folder("base", repo / "accounts", tmp_path / "exported")
    names = sorted(p.name for p in exported.iterdir())
    assert names == ["other.yaml", "test-account.yaml"]
    for name in names:
        committed = subprocess.run(["git", "cat-file", "blob", f"base:accounts/{name}"],
                                   cwd=repo, capture_output=True, check=True).stdout
        assert (exported / name).read_bytes() == committed
    assert b"$Format:%H$ $Id$" in (exported / "other.yaml").read_bytes()


def test_export_ignore_hides_no_account_from_a_diff(tmp_path: Path) -> None:
    repo = _committed(tmp_path, "accounts/other.yaml export-ignore\n")
    assert changes(repo, "base") == []  # was: other shown as an account added


def test_a_submodule_in_the_accounts_folder_is_reported(tmp_path: Path) -> None:
    repo = _committed(tmp_path, "")
    commit = git(repo, "rev-parse", "HEAD")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},accounts/vendored")
    git(repo, "commit", "-qm", "a submodule among the accounts")
    run = kam(repo, "diff", "HEAD", "--format", "json")
    assert run.returncode == 2
    (error,) = json.loads(run.stdout)["base_errors"]
    assert (error["file"], error["message"]) == (
        "HEAD:accounts/vendored", "it is a folder: account files sit directly in the accounts "
        "folder, so nothing in it is read")


def _contact_left() -> dict[str, Any]:
    """The healthy account (owner Li Wei) whose influencer Chen Jun left: a high finding."""
    account = healthy_account()
    account["contacts"][2]["left_on"] = "2026-08-31"
    return account


_WAIVER = {"rule": "risk.key-contact-left", "subject": "Chen Jun",
           "reason": "Successor introduced; handover set for October", "until": "2026-12-31",
           "by": "Zhou Lan"}


def _one_commit(tmp_path: Path, account: dict[str, Any], rules: bool = False) -> Path:
    repo = new_repository(tmp_path / "repo")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", account)
    if rules:
        subprocess.run(["cp", "-r", str(REPO / "rules"), str(repo / "rules")], check=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


def _finding_changes(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in found if c["rule"] == "risk.key-contact-left"]


def test_a_finding_whose_data_is_deleted_is_no_longer_evaluated_not_resolved(
        tmp_path: Path) -> None:
    """A pull request that deletes the quarter a high finding rests on does not resolve it:
    the diff says the rule can no longer tell, and what it needs, and the comment lists it
    beside the high findings waived; the verdict's change is said too."""
    falling = [1_650_000, 1_580_000, 1_420_000, 1_300_000, 1_180_000]
    repo = _one_commit(tmp_path, healthy_account() | {
        "financials": quarters("2025-Q3", falling)})
    write_account(repo / "accounts", healthy_account() | {
        "financials": quarters("2025-Q3", falling[:4])})
    found = [c for c in changes(repo, "HEAD") if c["rule"] == "risk.declining-revenue"]
    assert [(c["kind"], c["severity"]) for c in found] == [("finding-unevaluated", "high")]
    assert found[0]["before"].startswith("revenue by quarter, latest last: ")
    assert found[0]["after"].startswith("needs ") and "no row for 2026-Q3" in found[0]["after"]
    verdicts = [c for c in changes(repo, "HEAD") if c["kind"] == "verdict"]
    # JSON keeps the verdicts' keys; the text writes them in words.
    assert [(c["before"], c["after"]) for c in verdicts] == [("at-risk", "not-enough-data")]
    text = kam(repo, "diff", "HEAD").stdout
    assert "  finding no longer evaluated: HIGH risk.declining-revenue: needs " in text
    assert "resolved finding" not in text
    markdown = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    assert "**High findings waived, made less severe, no longer evaluated, gone with their " \
           "subject or left without an action**\n\n" \
           "- **test-account**: risk.declining-revenue: finding no longer evaluated: " \
           "revenue by quarter" in markdown


def test_a_new_waiver_of_a_high_finding_is_a_change(tmp_path: Path) -> None:
    """An approved waiver silences a high finding: the diff says so, with its terms (it
    showed 0 changes), in every format; taking it away is a change too."""
    repo = _one_commit(tmp_path, _contact_left())
    write_account(repo / "accounts", _contact_left() | {"waivers": [_WAIVER]})
    waived = {"account": "test-account", "kind": "finding-waived", "subject": "Chen Jun",
              "before": "", "after": "waived until 2026-12-31 by Zhou Lan: Successor "
              "introduced; handover set for October", "severity": "high",
              "rule": "risk.key-contact-left",
              "waiver": {"reason": "Successor introduced; handover set for October",
                         "by": "Zhou Lan", "until": "2026-12-31"}}
    assert _finding_changes(changes(repo, "HEAD")) == [waived]
    text = kam(repo, "diff", "HEAD").stdout
    assert "  finding waived: HIGH risk.key-contact-left [Chen Jun]: waived until 2026-12-31 " \
           "by Zhou Lan: Successor introduced; handover set for October\n" in text
    markdown = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    assert "**High findings waived, made less severe, no longer evaluated, gone with their " \
           "subject or left without an action**\n\n" \
           "- **test-account**: risk.key-contact-left Chen Jun: finding waived: — -> waived " \
           "until 2026-12-31 by Zhou Lan" in markdown

    git(repo, "commit", "-qam", "waived")
    longer = _WAIVER | {"until": "2027-03-31"}
    write_account(repo / "accounts", _contact_left() | {"waivers": [longer]})
    (extended,) = _finding_changes(changes(repo, "HEAD"))
    assert (extended["kind"], extended["before"], extended["after"]) == (
        "finding-waived", waived["after"], waived["after"].replace("2026-12-31", "2027-03-31"))

    write_account(repo / "accounts", _contact_left())
    (unwaived,) = _finding_changes(changes(repo, "HEAD"))
    assert (unwaived["kind"], unwaived["before"], unwaived["after"]) == (
        "finding-unwaived", waived["after"], "")
    assert "finding no longer waived: HIGH risk.key-contact-left [Chen Jun]: waived until" \
        in kam(repo, "diff", "HEAD").stdout


def test_a_new_finding_that_comes_waived_says_so(tmp_path: Path) -> None:
    repo = _one_commit(tmp_path, healthy_account())
    write_account(repo / "accounts", _contact_left() | {"waivers": [_WAIVER]})
    (new,) = _finding_changes(changes(repo, "HEAD"))
    assert new["kind"] == "finding-new" and new["waiver"]["by"] == "Zhou Lan"
    assert "(waived until 2026-12-31 by Zhou Lan: Successor" in kam(repo, "diff", "HEAD").stdout
    # The pull request's comment too: the row is marked, and its waiver given.
    comment = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    (row,) = [line for line in comment.splitlines() if "risk.key-contact-left" in line
              and line.startswith("| new finding")]
    assert row.startswith("| new finding (high) (waived) |")
    assert "(waived until 2026-12-31 by Zhou Lan: Successor" in row
    # And the list of new high findings above the tables, which the two must not contradict.
    (listed,) = [line for line in comment.splitlines() if line.startswith("- **test-account**")]
    assert "(waived until 2026-12-31 by Zhou Lan: Successor" in listed


def test_the_comment_lists_the_waivers_that_match_no_finding(tmp_path: Path) -> None:
    """A waiver whose subject is mistyped silences nothing and changes no finding: the
    pull request's comment lists it, saying why, as `kam check`'s summary does."""
    repo = _one_commit(tmp_path, _contact_left())
    write_account(repo / "accounts", _contact_left() | {
        "waivers": [_WAIVER | {"subject": "Chen Jn"}]})
    comment = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    assert "**Waivers that match no finding (they silence nothing)**\n\n- test-account: " \
           "risk.key-contact-left &#91;Chen Jn&#93; waives nothing: the rule&#39;s findings " \
           "here are on Chen Jun\n" in comment
    # One on an account the change leaves as it was is counted, not listed: kam check has it.
    write_account(repo / "accounts", _contact_left() | {
        "id": "other", "name": "Other", "waivers": [_WAIVER | {"subject": "Chen Jn"}]})
    git(repo, "add", "accounts/other.yaml")
    git(repo, "commit", "-qm", "another account")
    comment = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    assert "- test-account: risk.key-contact-left &#91;Chen Jn&#93;" in comment
    assert "- other:" not in comment
    assert "Chen Jun\n- and 1 on accounts this change leaves as they were (`kam check` lists " \
           "them)\n" in comment


def test_own_rules_lowering_a_severity_is_a_change(tmp_path: Path) -> None:
    """Findings are matched by rule and subject; one whose severity a rule change lowers is
    reported (it showed as an unrelated change, or none)."""
    repo = _one_commit(tmp_path, _contact_left(), rules=True)
    for path in (repo / "rules").glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("severity: high",
                                                                 "severity: low"),
                        encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kam_review", "diff", "HEAD", "--own-rules",
                          "--as-of", "2026-09-30", "--format", "json"], cwd=repo,
                         capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)["changes"]
    assert {"account": "test-account", "kind": "finding-severity", "subject": "Chen Jun",
            "before": "high", "after": "low", "severity": "high",
            "rule": "risk.key-contact-left"} in found
    # Its only high finding made low, the account is no longer at risk.
    verdict = [c for c in found if c["kind"] == "verdict"]
    assert [(c["before"], c["after"]) for c in verdict] == [("at-risk", "healthy")], found
    assert all(c["kind"] in ("finding-severity", "verdict") for c in found), found
    markdown = subprocess.run([sys.executable, "-m", "kam_review", "diff", "HEAD", "--own-rules",
                               "--as-of", "2026-09-30", "--format", "markdown"], cwd=repo,
                              capture_output=True, text=True, check=True).stdout
    assert "risk.key-contact-left Chen Jun: severity changed: high -> low" in markdown


@pytest.mark.parametrize(("change", "subject", "shown", "values"), [
    (lambda a: a["financials"][7].update(revenue=1_620_400), "revenue 2026-Q3",
     ("CN¥1,620,000", "CN¥1,620,400"), (1_620_000, 1_620_400)),
    (lambda a: a["financials"][7].update(revenue=1_800_000), "revenue 2026-Q3",
     ("CN¥1.62M", "CN¥1.8M"), (1_620_000, 1_800_000)),
    (lambda a: a["opportunities"][0].update(probability=0.3004), "pos-refresh probability",
     ("30%", "30.04%"), (0.3, 0.3004)),
    (lambda a: a["opportunities"][0].update(value=2_000_000.5), "pos-refresh value",
     ("CN¥2,000,000", "CN¥2,000,000.50"), (2_000_000, 2_000_000.5)),
    (lambda a: a["financials"].pop(), "revenue 2026-Q3", ("CN¥1.62M", "—"),
     (1_620_000, None)),
], ids=["revenue-same-short-form", "revenue", "probability", "value", "quarter-removed"])
def test_a_changed_figure_shows_how_it_changed(tmp_path: Path, change: Any, subject: str,
                                               shown: tuple[str, str],
                                               values: tuple[float, float]) -> None:
    """Text and JSON show a change where the short forms would hide it (CN¥1.62M -> CN¥1.62M),
    in the account's currency, and JSON holds the exact numbers."""
    account = healthy_account()
    account["financials"][7]["revenue"] = 1_620_000
    repo = _one_commit(tmp_path, account)
    change(account)
    write_account(repo / "accounts", account)
    (figure,) = [c for c in changes(repo, "HEAD") if c["kind"] == "figure"]
    assert (figure["subject"], figure["before"], figure["after"]) == (subject, *shown)
    assert (figure["before_value"], figure["after_value"]) == values
    assert type(figure["after_value"]) is type(values[1])
    assert f"figure changed {subject}: {shown[0]} -> {shown[1]}" in kam(repo, "diff",
                                                                        "HEAD").stdout


def test_chinese_text_speaks_the_review_s_words(history: Path) -> None:
    """In Chinese, the classes, severities, stages, a deal's move and its figures' names
    are the review's own words, not the ids JSON keeps."""
    text = kam(history, "diff", "review-q2", "--lang", "zh").stdout
    assert text.startswith("kam-review: review-q2 (2026-09-30) -> 工作区 (2026-09-30): ")
    for english in ("HIGH", "loyal", "fast-growing", "(forward)", " probability", "intent",
                    "initiated", "revenue 2026-Q3", "working tree"):
        assert english not in text, (english, text)
    assert "忠诚型客户 -> 快速增长型客户" in text
    assert "pos-refresh (推进)" in text and "pos-refresh 成交概率: 30% -> 45%" in text
    assert "收入 2026-Q3" in text
    markdown = kam(history, "diff", "review-q2", "--lang", "zh", "--format", "markdown").stdout
    assert "快速增长型客户" in markdown and "pos-refresh 成交概率" in markdown


def test_an_account_whose_file_breaks_is_not_compared_not_removed(history: Path) -> None:
    """A change that breaks an account's file leaves it out of the comparison: it is named
    as not compared, never as an account removed."""
    (history / "accounts" / "test-account.yaml").write_text("id: [broken", encoding="utf-8")
    run = kam(history, "diff", "review-q2", "--format", "json")
    assert run.returncode == 2 and "test-account.yaml:1:5: malformed YAML" in run.stderr
    kinds = {(c["account"], c["kind"]) for c in json.loads(run.stdout)["changes"]}
    assert ("test-account", "account-invalid") in kinds
    assert ("test-account", "account-removed") not in kinds
    assert ("old-customer", "account-removed") in kinds
    text = kam(history, "diff", "review-q2").stdout
    assert "test-account:\n  account not compared, its file invalid: it was loyal" in text
    # Broken in the base and mended now: read again, not an account added.
    git(history, "add", "-A")
    git(history, "commit", "-qm", "broken")
    write_account(history / "accounts", healthy_account())
    run = kam(history, "diff", "HEAD", "--format", "json")
    assert run.returncode == 2  # the base's error is still listed
    found = {(c["account"], c["kind"]) for c in json.loads(run.stdout)["changes"]}
    assert ("test-account", "account-fixed") in found
    assert ("test-account", "account-added") not in found
    assert "account whose file was invalid, now read: loyal" in kam(history, "diff",
                                                                    "HEAD").stdout


def test_the_plans_actions_and_goals_are_changes(tmp_path: Path) -> None:
    """What the meeting agreed changes in a pull request without any finding moving: an
    action added, removed, done, re-dated or handed over, a goal added or removed. An action
    is known by its text, case and blanks aside."""
    account = healthy_account()
    account["plan"]["actions"] = [
        {"what": "Call the CFO", "owner": "Li Wei", "due": "2026-10-31"},
        {"what": "Send the  tender pack", "owner": "Li Wei", "due": "2026-11-15"},
        {"what": "Visit the plant", "owner": "Li Wei"},
        {"what": "Old idea", "owner": "Li Wei"},
        {"what": "Survey", "owner": "Li Wei", "status": "done"},
        {"what": "Demo day", "owner": "Li Wei", "status": "done", "outcome": "Well received"}]
    account["plan"]["goals"][0]["baseline"] = {"value": 4_000_000, "date": "2026-01-01"}
    account["plan"]["goals"].append({"text": "Margin", "metric": "gross_margin",
                                     "target": 0.3, "due": "2027-06-30"})
    repo = _one_commit(tmp_path, account)
    account["plan"]["actions"] = [
        {"what": "call the CFO", "owner": "Li Wei", "due": "2026-10-31", "status": "done",
         "done_on": "2026-10-20", "outcome": "The CFO agreed to a pilot\nin Q1"},
        {"what": "Send the tender pack", "owner": "Zhou Lan", "due": "2026-12-15",
         "answers": "opportunity:pos-refresh"},
        {"what": "Meet the COO", "owner": "Zhou Lan", "due": "2026-12-01"},
        {"what": "Old idea", "owner": "Li Wei", "status": "dropped",
         "outcome": "Superseded by the tender"},
        {"what": "Survey", "owner": "Li Wei"},
        {"what": "Demo day", "owner": "Li Wei", "status": "done",
         "outcome": "Two stores asked for a pilot"}]
    account["plan"]["goals"].append({"text": "Open the logistics division"})
    # A new baseline moves the goal's progress; a close put off moves the forecast.
    account["plan"]["goals"][0]["baseline"] = {"value": 4_200_000, "date": "2026-03-31"}
    # Each goal's figures as its metric writes them: money in the currency, a share in %.
    account["plan"]["goals"][1]["target"] = 0.35
    account["opportunities"][0]["expected_close"] = "2027-06-30"
    # A lowered target turns a goal behind into one on track: the diff says so itself.
    account["plan"]["goals"][0].update(target=4_500_000, due="2027-12-31")
    write_account(repo / "accounts", account)
    found = [(c["kind"], c["subject"], c["before"], c["after"]) for c in changes(repo, "HEAD")
             if c["kind"].startswith(("action-", "goal-", "opportunity-"))]
    assert found == [
        ("opportunity-close", "pos-refresh", "2027-03-31", "2027-06-30"),
        ("action-added", "Meet the COO", "", "Zhou Lan, 2026-12-01"),
        ("action-removed", "Visit the plant", "Li Wei", ""),
        ("action-done", "call the CFO", "open", "done"),
        ("action-dropped", "Old idea", "open", "dropped"),
        ("action-reopened", "Survey", "done", "open"),
        ("action-due", "Send the tender pack", "2026-11-15", "2026-12-15"),
        ("action-owner", "Send the tender pack", "Li Wei", "Zhou Lan"),
        ("action-answers", "Send the tender pack", "—", "opportunity:pos-refresh"),
        ("action-outcome", "Demo day", "Well received", "Two stores asked for a pilot"),
        ("goal-added", "Open the logistics division", "", ""),
        ("goal-target", "Margin", "30%", "35%"),
        ("goal-target", "Win the POS refresh", "CN¥5M", "CN¥4.5M"),
        ("goal-due", "Win the POS refresh", "2027-06-30", "2027-12-31"),
        ("goal-baseline", "Win the POS refresh", "CN¥4M (2026-01-01)",
         "CN¥4.2M (2026-03-31)")]
    (target,) = [c for c in changes(repo, "HEAD") if c["kind"] == "goal-target"
                 and c["subject"] != "Margin"]
    assert (target["before_value"], target["after_value"]) == (5_000_000, 4_500_000)
    (baseline,) = [c for c in changes(repo, "HEAD") if c["kind"] == "goal-baseline"]
    assert (baseline["before_value"], baseline["after_value"]) == (4_000_000, 4_200_000)
    # How an action ended goes with its new status: the day it was done and its outcome.
    ended = {c["kind"]: (c.get("done_on", "-"), c.get("outcome", "-"))
             for c in changes(repo, "HEAD")}
    assert ended["action-done"] == ("2026-10-20", "The CFO agreed to a pilot\nin Q1")
    assert ended["action-dropped"] == (None, "Superseded by the tender")
    assert ended["action-reopened"] == ended["action-due"] == ("-", "-")
    text = kam(repo, "diff", "HEAD").stdout
    assert ("  action done call the CFO: open -> done (2026-10-20: The CFO agreed to a pilot "
            "in Q1)\n") in text
    assert "  action dropped Old idea: open -> dropped (Superseded by the tender)\n" in text
    assert "  action reopened Survey: done -> open\n" in text
    assert ("  action's outcome changed Demo day: Well received -> Two stores asked for a "
            "pilot\n") in text
    assert "  expected close moved pos-refresh: 2027-03-31 -> 2027-06-30\n" in text
    assert "  action re-dated Send the tender pack: 2026-11-15 -> 2026-12-15\n" in text
    assert "  goal added Open the logistics division\n" in text
    markdown = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    assert ("1 action added, 1 action removed, 1 action done, 1 action dropped, 1 action "
            "reopened, 1 action re-dated") in markdown
    assert "| action handed over | Send the tender pack | Li Wei | Zhou Lan |" in markdown
    assert ("| action done | call the CFO | open | done (2026-10-20: The CFO agreed to a pilot "
            "in Q1) |") in markdown
    zh = kam(repo, "diff", "HEAD", "--lang", "zh").stdout
    assert "call the CFO: 未结 -> 已完成（2026-10-20：The CFO agreed to a pilot in Q1）" in zh


def test_a_high_finding_left_without_its_open_action_is_a_change(tmp_path: Path) -> None:
    """Removing (or finishing, or re-pointing) the one open action against a high warning
    leaves the warning without one: the diff says so beside the action's own change, and
    the comment lists it with what a change would most like to hide."""
    account = _contact_left()
    account["plan"]["actions"] = [{"what": "Meet Chen Jun's successor", "owner": "Li Wei",
                                   "due": "2026-10-31",
                                   "answers": "risk.key-contact-left: Chen Jun"}]
    repo = _one_commit(tmp_path, account)
    account["plan"]["actions"][0]["answers"] = "goal:1"
    write_account(repo / "accounts", account)
    found = [(c["kind"], c["rule"], c["subject"], c["before"], c["severity"])
             for c in changes(repo, "HEAD") if c["kind"].startswith("finding-")]
    assert found == [("finding-unplanned", "risk.key-contact-left", "Chen Jun",
                      "Meet Chen Jun's successor", "high")]
    assert ("  finding left without an action: HIGH risk.key-contact-left [Chen Jun]: Meet "
            "Chen Jun's successor\n") in kam(repo, "diff", "HEAD").stdout
    markdown = kam(repo, "diff", "HEAD", "--format", "markdown").stdout
    assert ("- **test-account**: risk.key-contact-left Chen Jun: finding left without an "
            "action: Meet Chen Jun&#39;s successor -> —") in markdown
    # Still answered by another open action: no change of that kind.
    account["plan"]["actions"].append({"what": "Call the successor", "owner": "Li Wei",
                                       "due": "2026-11-15", "answers": "risk.key-contact-left"})
    write_account(repo / "accounts", account)
    assert not [c for c in changes(repo, "HEAD") if c["kind"] == "finding-unplanned"]


def test_a_warning_that_says_more_or_less_is_a_change(tmp_path: Path) -> None:
    """The same warning on both sides whose figures moved (revenue fell further) is said,
    before and after; an account's info findings (its class's reasons) and a comparison
    across review dates, where every "days ago" moves, are not."""
    falling = [1_650_000, 1_580_000, 1_420_000, 1_300_000, 1_180_000]
    repo = _one_commit(tmp_path, healthy_account() | {
        "financials": quarters("2025-Q3", falling)})
    write_account(repo / "accounts", healthy_account() | {
        "financials": quarters("2025-Q3", [*falling[:4], 900_000])})
    found = [c for c in changes(repo, "HEAD") if c["kind"] == "finding-changed"]
    assert [(c["rule"], c["severity"]) for c in found] == [("risk.declining-revenue", "high")]
    assert "CN¥1.18M" in found[0]["before"] and "CN¥900K" in found[0]["after"]
    text = kam(repo, "diff", "HEAD").stdout
    assert "  finding changed: HIGH risk.declining-revenue: revenue by quarter" in text
    assert " -> revenue by quarter" in text
    other_day = kam(repo, "diff", "HEAD", "--base-as-of", "2026-06-30", "--format", "json")
    assert other_day.returncode == 0, other_day.stderr
    assert not [c for c in json.loads(other_day.stdout)["changes"]
                if c["kind"] == "finding-changed"]
