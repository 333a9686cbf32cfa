"""The rule files read once for both keys that hash them (rulebook/rule_files.py): the lint's
seal and the reviews' cache key. A warm `kam check` reads each file once, and an unreadable
file is handled as each key needs: the lint's key is unknown, the reviews' key counts it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import kam_review.rulebook.rule_files as rule_files
from kam_review.cli import main
from kam_review.locale_format import ENGLISH
from kam_review.review.review_keys import rules_key
from kam_review.rulebook.lint_seal import lint_key
from kam_review.rulebook.rule_files import read_rule_files
from kam_review.source.fast_yaml import FAST_VARIABLE

from .conftest import ACCOUNTS, AS_OF, RULES


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def _keys(rules: Path, overrides: Path | None) -> tuple[bytes | None, bytes]:
    files = read_rule_files(rules, overrides)
    return lint_key(files), rules_key(files, AS_OF, ENGLISH, False)


def test_a_fast_run_reads_each_rule_file_once(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path, rules: Path) -> None:
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(FAST_VARIABLE, "1")
    overrides = tmp_path / "team-thresholds.yaml"
    overrides.write_text("thresholds:\n  new_account_max_years: 1\n", encoding="utf-8")
    read: list[Path] = []
    reading = rule_files._read

    def counted(path: Path) -> bytes | None:
        read.append(path)
        return reading(path)
    monkeypatch.setattr(rule_files, "_read", counted)
    for run in ("cold", "warm"):
        read.clear()
        result = CliRunner().invoke(main, [
            "check", "--as-of", str(AS_OF), "--accounts", str(ACCOUNTS), "--rules",
            str(rules), "--thresholds", str(overrides), "--format", "json"])
        assert result.exit_code in (0, 1), (run, result.output)
        assert sorted(read) == sorted([*read_rule_files(rules, None).found, overrides]), run


def test_an_unreadable_file_leaves_the_lint_key_unknown_and_changes_the_review_key(
        tmp_path: Path, rules: Path) -> None:
    overrides = tmp_path / "team-thresholds.yaml"
    overrides.write_bytes(b"")
    lint, review = _keys(rules, overrides)
    assert lint is not None
    # Not a file: reading it fails, as for a file the user may not read.
    overrides.unlink()
    overrides.mkdir()
    unreadable_lint, unreadable_review = _keys(rules, overrides)
    assert unreadable_lint is None
    assert unreadable_review != review
    assert _keys(rules, overrides)[1] == unreadable_review  # and stays the same


def test_each_key_changes_with_a_rule_file_and_not_without(rules: Path) -> None:
    before = _keys(rules, None)
    assert _keys(rules, None) == before
    path = rules / "risks.yaml"
    path.write_bytes(path.read_bytes() + b"\n")
    after = _keys(rules, None)
    assert after[0] != before[0] and after[1] != before[1]
    # The review key also holds the run's date; the lint key does not.
    files = read_rule_files(rules, None)
    assert rules_key(files, date(2026, 1, 1), ENGLISH, False) != after[1]
