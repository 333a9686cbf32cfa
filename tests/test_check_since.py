"""`kam check` stays one-sided (the pre-commit hook checks the files it is given); with
`--since REV` or `--since auto` it compares with the previous review as the site does, and its
text and JSON also say what moved since. The repository and its review tag are built
here."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ACCOUNTS, REPO, write_account
from .git_support import git, new_repository
from .test_previous_review import commit, grower


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """2026-Q2's review tagged in July with two loyal accounts; since then one grew fast."""
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", grower(1_100_000))
    write_account(repo / "accounts", grower(1_100_000) | {"id": "steady", "name": "Steady"})
    commit(repo, "2026-Q2 review", "2026-07-03")
    git(repo, "tag", "review-2026-Q2")
    write_account(repo / "accounts", grower(1_400_000))
    return repo


def kam(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kam_review", "check", *args, "--rules",
                           str(REPO / "rules"), "--as-of", "2026-09-30"], cwd=repo,
                          capture_output=True, text=True, check=False)


def test_without_since_check_is_one_sided(repo: Path) -> None:
    for args in ((), ("accounts/test-account.yaml",), ("--format", "json")):
        run = kam(repo, *args)
        assert run.returncode == 0, run.stderr
        assert "Since the last review" not in run.stdout and '"since"' not in run.stdout


def test_since_auto_adds_the_movement_to_the_text(repo: Path) -> None:
    run = kam(repo, "--since", "auto")
    assert run.returncode == 0, run.stderr
    movement = run.stdout.split("\nSince the last review: ", 1)[1]
    assert movement.startswith("compared with tag review-2026-Q2 (2026-06-30)\n  steady:\n")
    # The tag reviewed as of 2026-06-30: the visits of July to September were still ahead.
    steady, grower = movement.split("\n  steady:\n", 1)[1].split("\n  test-account:\n")
    assert "    resolved: MEDIUM risk.complacency: 0 visits or meetings" in steady
    assert "class:" not in steady
    assert grower.startswith("    class: loyal -> fast-growing\n")
    # In the account's currency, as kam diff and the site write amounts.
    assert "    Revenue, last quarter: CN¥1.1M -> CN¥1.4M (▲ +CN¥300K)\n" in grower
    assert "  1 class change, " in movement
    # The summary line stays last.
    assert run.stdout.rstrip().splitlines()[-1].startswith("2 accounts: ")


def test_since_names_a_deals_stages_as_the_funnel_does(repo: Path) -> None:
    steady = grower(1_100_000) | {"id": "steady", "name": "Steady"}
    steady["opportunities"][0] |= {"stage": "initiated", "stage_since": "2026-09-01"}
    write_account(repo / "accounts", steady)
    run = kam(repo, "--since", "auto")
    assert run.returncode == 0, run.stderr
    assert "    deal POS refresh (pos-refresh): Confirmed intent -> Project initiated on " \
           "2026-09-01\n" in run.stdout


def test_since_adds_the_movement_to_the_json(repo: Path) -> None:
    run = kam(repo, "--since", "review-2026-Q2", "--format", "json")
    assert run.returncode == 0, run.stderr
    since = json.loads(run.stdout)["since"]
    assert since["comparison"] == {
        "source": "revision", "as_of": "2026-06-30", "name": "review-2026-Q2",
        "commit": git(repo, "rev-parse", "review-2026-Q2"),
        "note": "compared with revision review-2026-Q2 (2026-06-30)"}
    moved = {a["id"]: a for a in since["accounts"]}
    assert moved["test-account"]["class"] == {"before": "loyal", "after": "fast-growing"}
    assert moved["steady"]["class"] == {"before": "loyal", "after": "loyal"}
    figures = {f["name"]: f for f in moved["test-account"]["figures"]}
    assert figures["revenue_last_quarter"] == {"name": "revenue_last_quarter",
                                               "before": 1_100_000, "after": 1_400_000,
                                               "change": "▲ +300K"}
    assert since["removed"] == []


def test_since_on_named_files_compares_those_files_only(repo: Path) -> None:
    run = kam(repo, "accounts/test-account.yaml", "--since", "auto", "--format", "json")
    assert run.returncode == 0, run.stderr
    since = json.loads(run.stdout)["since"]
    assert [a["id"] for a in since["accounts"]] == ["test-account"]
    assert since["removed"] == []  # steady was not asked about: not "removed"


def test_since_outside_git_compares_with_the_files_at_the_previous_quarters_end(
        tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    write_account(tmp_path / "accounts", grower(1_400_000))
    run = kam(tmp_path, "--since", "auto", "--no-cache")
    assert run.returncode == 0, run.stderr
    assert ("Since the last review: compared with the files as of 2026-06-30: no earlier "
            "review is tagged (review-*) (the accounts are not in a git repository)\n"
            ) in run.stdout


def test_since_mistakes_are_usage_errors(repo: Path) -> None:
    run = kam(repo, "--since", "no-such-tag")
    assert run.returncode == 2, run.stdout
    assert "unknown git revision 'no-such-tag'" in run.stderr
    assert "Traceback" not in run.stderr


_LEFT_WITHOUT_ACTION = "plan.warned-nothing-planned"


@pytest.mark.parametrize("output", ["text", "sarif", "junit", "markdown", "json"])
def test_since_finds_warnings_left_without_an_action_in_every_format(
        tmp_path: Path, output: str) -> None:
    """A CI gate (SARIF, JUnit) sees what the site sees: with --since, the previous review's
    high warnings that the plan leaves without an action are found; without it they cannot
    be, and the text says so."""
    shutil.copytree(ACCOUNTS, tmp_path / "accounts")  # outside git: the files a quarter back
    one_sided = kam(tmp_path, "--format", output, "--no-cache")
    compared = kam(tmp_path, "--format", output, "--no-cache", "--since", "auto")
    assert one_sided.returncode == compared.returncode == 0, one_sided.stderr + compared.stderr
    # SARIF lists every rule, found or not: each finding names its rule once more.
    listed = 1 if output == "sarif" else 0
    assert one_sided.stdout.count(_LEFT_WITHOUT_ACTION) == listed
    assert compared.stdout.count(_LEFT_WITHOUT_ACTION) > listed
    note = "Not compared with the previous review, as the site is: a high warning"
    assert (note in one_sided.stdout) == (output == "text")
    assert note not in compared.stdout


def test_kam_build_compares_as_the_site_does(repo: Path) -> None:
    def build(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kam_review", "build", "out", *args,
                               "--rules", str(REPO / "rules"), "--as-of", "2026-09-30"],
                              cwd=repo, capture_output=True, text=True, check=False)

    assert build().returncode == 0
    page = (repo / "out" / "accounts" / "test-account.md").read_text(encoding="utf-8")
    assert "Compared with tag review-2026-Q2 (2026-06-30)." in page
    assert "| Class | loyal | **fast-growing** (changed) |" in page
    run = build("--since", "none")
    assert run.returncode == 0, run.stderr
    assert not (repo / "out" / "changes.md").exists()
    assert "Since the last review" not in (repo / "out" / "index.md").read_text(
        encoding="utf-8")


def test_a_named_revision_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "accounts").mkdir()
    write_account(tmp_path / "accounts", grower(1_400_000))
    run = kam(tmp_path, "--since", "review-2026-Q2")
    assert run.returncode == 2
    assert "the previous review 'review-2026-Q2' names a git revision, but accounts is not " \
           "in a git repository" in run.stderr


def test_since_speaks_the_language_of_the_run(repo: Path) -> None:
    """In Chinese the movement's lines, classes, figures and dates are Chinese too, those of
    the previous review included."""
    run = kam(repo, "--since", "auto", "--lang", "zh")
    assert run.returncode == 0, run.stderr
    movement = run.stdout.split("\n自上次回顾以来：", 1)[1]
    assert "    分类：忠诚型客户 -> 快速增长型客户\n" in movement
    assert "已解决：MEDIUM risk.complacency" in movement
    assert "class:" not in movement and "resolved:" not in movement
    assert any(line.startswith("  1个分类变化，") for line in movement.splitlines())


def test_the_files_as_they_tell_the_previous_quarter_hold_no_answer_errors(
        tmp_path: Path) -> None:
    """An action answering the owner change by the new owner's name (xinyuan-foods) is right
    today; in the files as they tell the previous quarter, before the handover, the owner is
    the one before. That is not the file's mistake: the rebuilt review finds no error in it,
    and says none."""
    shutil.copytree(ACCOUNTS, tmp_path / "accounts")  # outside git: the files a quarter back
    assert '"risk.key-contact-left: Li Wei"' in (
        tmp_path / "accounts" / "xinyuan-foods.yaml").read_text(encoding="utf-8")
    run = kam(tmp_path, "--format", "json", "--no-cache", "--since", "auto")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["errors"] == []
    assert data["since"]["previous_errors"] == 0, data["since"]
