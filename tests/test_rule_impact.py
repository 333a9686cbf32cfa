"""`kam rules impact` and the rule-impact section of `kam diff --format markdown`: the same
accounts under the rules before and after a change, per rule and per account."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kam_review.cli import main
from kam_review.output.impact_report import impact_markdown, impact_text
from kam_review.review.evaluate import review
from kam_review.review.rule_impact import compare_rules, same_files
from kam_review.vocabulary import Severity

from .conftest import ACCOUNTS, AS_OF, RULES, healthy_account, write_account
from .git_support import git, new_repository


def _set_threshold(rules: Path, name: str, value: str) -> None:
    path = rules / "thresholds.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"  {name}:\n")
    row = next(i for i in range(at, len(lines)) if lines[i].startswith("    value:"))
    lines[row] = f"    value: {value}\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A team repository: the sample accounts and the bundled rules, committed on main."""
    folder = new_repository(tmp_path / "team")
    shutil.copytree(ACCOUNTS, folder / "accounts")
    shutil.copytree(RULES, folder / "rules")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "start")
    monkeypatch.chdir(folder)
    return folder


def _impact(*args: str) -> Result:
    return CliRunner().invoke(main, ["rules", "impact", "--base", "main", "--as-of",
                                     str(AS_OF), *args])


def test_no_change_no_impact(repo: Path) -> None:
    run = _impact()
    assert run.exit_code == 0, run.output
    assert "Over 15 accounts, no rule fires on a different account" in run.output


def test_a_tighter_threshold_names_the_rule_and_its_new_accounts(repo: Path) -> None:
    _set_threshold(repo / "rules", "late_stage_max_days_to_close", "60")
    run = _impact("--format", "markdown")
    assert run.exit_code == 0, run.output
    assert ("| `stage.probability-mismatch` | 3: hanhai-retail, kangning-pharma, "
            "tianhe-distribution | — |") in run.output
    assert "1. **hanhai-retail**: newly fires stage.probability-mismatch" in run.output
    assert len(run.output) < 4_000


def test_a_rule_change_moves_classes_and_verdicts(tmp_path: Path) -> None:
    """Loyal needs 2 years; at 7 years the healthy account (6.75 years a customer) is nurture."""
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    for i in range(7):
        write_account(accounts, healthy_account() | {"id": f"acct-{i}"})
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    _set_threshold(rules, "loyal_min_years", "7")
    before = review(accounts, RULES, AS_OF)
    after = review(accounts, rules, AS_OF)
    impact = compare_rules(before, after, "before", "after")
    assert {(m.account, m.what, m.before, m.after) for m in impact.moves} == {
        (f"acct-{i}", "class", "loyal", "nurture") for i in range(7)}
    assert [(r.rule, len(r.newly), len(r.stopped)) for r in impact.rules] == [
        ("class.loyal", 0, 7), ("class.nurture", 7, 0)]
    # Five named, the biggest first (equal weight: by id).
    assert [account for account, _ in impact.biggest] == [f"acct-{i}" for i in range(5)]
    assert impact.biggest[0][1] == ("class loyal -> nurture; newly fires class.nurture; "
                                    "stops firing class.loyal")
    text = impact_markdown(impact)
    assert "- acct-0: class loyal -> nurture" in text
    assert "| `class.loyal` | — | 7: acct-0, acct-1, acct-2 and 4 more |" in text


def test_kam_diff_markdown_adds_the_section_when_rules_changed(repo: Path) -> None:
    _set_threshold(repo / "rules", "late_stage_max_days_to_close", "60")
    git(repo, "commit", "-qam", "tighter")
    run = CliRunner().invoke(main, ["diff", "main~1", "main", "--own-rules", "--as-of",
                                    str(AS_OF), "--format", "markdown"])
    assert run.exit_code == 0, run.output
    assert "#### Rule impact: rules at main&#126;1 -> rules at main" in run.output
    assert "`stage.probability-mismatch` | 3:" in run.output


def test_kam_diff_markdown_has_no_section_when_rules_did_not_change(repo: Path) -> None:
    (repo / "accounts" / "jiahe-home.yaml").unlink()
    run = CliRunner().invoke(main, ["diff", "main", "--as-of", str(AS_OF), "--format",
                                    "markdown"])
    assert run.exit_code == 0, run.output
    assert "Rule impact" not in run.output


def test_same_files_compares_names_and_bytes_below_the_folder(tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    shutil.copytree(RULES, one)
    shutil.copytree(RULES, other)
    assert same_files(one, other)
    cases = other / "tests" / "risks.yaml"
    content = cases.read_bytes()
    cases.write_bytes(content + b"\n")
    assert not same_files(one, other)
    cases.write_bytes(content)
    assert same_files(one, other)
    cases.rename(other / "tests" / "risk-cases.yaml")
    assert not same_files(one, other)
    # A name's end moved into the bytes of the file: not the same files.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "ab").write_bytes(b"c")
    (tmp_path / "b" / "a").write_bytes(b"bc")
    assert not same_files(tmp_path / "a", tmp_path / "b")


def test_a_changed_severity_is_named_with_the_accounts_it_still_fires_on(
        tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    risks = rules / "risks.yaml"
    text = risks.read_text(encoding="utf-8")
    at = text.index("  - id: risk.complacency\n")
    end = text.index("    severity: medium\n", at)
    risks.write_text(text[:end] + "    severity: high\n"
                     + text[end + len("    severity: medium\n"):], encoding="utf-8")
    before = review(ACCOUNTS, RULES, AS_OF)
    after = review(ACCOUNTS, rules, AS_OF)
    impact = compare_rules(before, after, "before", "after")
    firing = tuple(sorted(item.account.id for item in before.accounts
                          if any(f.rule == "risk.complacency" for f in item.findings)))
    assert len(firing) >= 2
    (change,) = [r for r in impact.rules if r.rule == "risk.complacency"]
    assert (change.severity, change.still, change.newly, change.stopped) == (
        (Severity.MEDIUM, Severity.HIGH), firing, (), ())
    markdown = impact_markdown(impact)
    assert (f"| `risk.complacency` (severity medium -> high, still fires on {len(firing)}: "
            f"{firing[0]}, {firing[1]}") in markdown
    assert "1 rule changes severity;" in markdown
    assert "risk.complacency medium -> high" in " ".join(s for _, s in impact.biggest)
    assert "severity risk.complacency medium -&gt; high" in markdown
    assert (f"  risk.complacency (severity medium -> high, still fires on {len(firing)} "
            f"({', '.join(firing)})): newly fires on 0, stops firing on 0") in impact_text(impact)
    # A severity that stays puts no rule in the list.
    unchanged = compare_rules(before, before, "before", "after")
    assert not unchanged.rules
