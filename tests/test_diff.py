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
    assert ("test-account", "figure", "pos-refresh probability", "30%", "45%") in kinds
    assert ("grower", "figure", "revenue 2026-Q3", "1.1M", "1.4M") in kinds
    new = {(c["account"], c["rule"], c["subject"]) for c in found if c["kind"] == "finding-new"}
    assert ("test-account", "risk.key-contact-left", "Chen Jun") in new
    assert ("test-account", "risk.silent-account", "") in new
    resolved = {(c["account"], c["rule"], c["subject"]) for c in found
                if c["kind"] == "finding-resolved"}
    assert ("test-account", "advice.style-direct", "Chen Jun") in resolved


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
    assert "test-account:\n  new finding: HIGH risk.key-contact-left [Chen Jun]:" in text
    markdown = kam(history, "diff", "review-q2", "--format", "markdown").stdout
    assert markdown.startswith("### kam-review: changes from `review-q2` to `working tree`")
    assert markdown.index("**New high-severity findings**") < markdown.index("<details>")


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
    assert "grower:\n  class: loyal -> nurture" in run.stdout


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
