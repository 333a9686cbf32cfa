"""The rules' passed lint kept in the fast `kam check`'s cache (rulebook/lint_seal.py): a warm
run neither lints nor loads the rules, and whatever decides the lint (a rule file's bytes or
name, a thresholds file, the code) or a tampered entry makes the lint run again, with the
plain path's output and refusals."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner

import kam_review.rulebook.lint_seal as lint_seal
import kam_review.source.cache as cache_module
from kam_review.cli import main
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.rule_files import read_rule_files
from kam_review.source.fast_yaml import FAST_VARIABLE

from .conftest import ACCOUNTS, AS_OF, RULES
from .test_rule_lint import TEAM_RULE

IMPOSSIBLE_RULE = TEAM_RULE.format(when="relationship_score > 5")


@pytest.fixture
def rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    return folder


def _check(monkeypatch: pytest.MonkeyPatch, fast: bool, rules: Path, *args: str
           ) -> tuple[int, str]:
    monkeypatch.setenv(FAST_VARIABLE, "1" if fast else "0")
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts",
                                       str(ACCOUNTS), "--rules", str(rules), "--format",
                                       "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.stdout + result.stderr


def _counted(monkeypatch: pytest.MonkeyPatch, name: str = "refuse_lint_errors"
             ) -> list[Path]:
    """The rules folders that lint_seal's `name` (the lint, or load_rulebook) is called
    with from now on."""
    called: list[Path] = []
    function = getattr(lint_seal, name)

    def counting(folder: Path, overrides: Path | None = None) -> Rulebook:
        called.append(folder)
        return cast(Rulebook, function(folder, overrides))
    monkeypatch.setattr(lint_seal, name, counting)
    return called


def _refused(name: str) -> Callable[..., Rulebook]:
    def refuse(*_args: object) -> Rulebook:
        raise AssertionError(f"{name} called on a warm run")
    return refuse


def test_a_warm_run_neither_lints_nor_loads_the_rules(monkeypatch: pytest.MonkeyPatch,
                                                      rules: Path) -> None:
    plain = _check(monkeypatch, False, rules, "--no-cache")
    linted = _counted(monkeypatch)
    assert _check(monkeypatch, True, rules) == plain  # cold: linted, the entry kept
    assert linted == [rules]
    monkeypatch.setattr(lint_seal, "refuse_lint_errors", _refused("the lint"))
    monkeypatch.setattr(lint_seal, "load_rulebook", _refused("load_rulebook"))
    assert _check(monkeypatch, True, rules) == plain
    # A file to review loads the rules (and only then).
    monkeypatch.undo()
    monkeypatch.setenv("KAM_CACHE_DIR", str(rules.parent / "cache"))
    later = _check(monkeypatch, False, rules, "--as-of", "2026-12-31", "--no-cache")
    loaded = _counted(monkeypatch, "load_rulebook")
    linted = _counted(monkeypatch)
    assert _check(monkeypatch, True, rules, "--as-of", "2026-12-31") == later
    assert (linted, loaded) == ([], [rules])


def test_a_rule_with_a_lint_error_is_refused_after_a_warm_run(
        monkeypatch: pytest.MonkeyPatch, rules: Path) -> None:
    _check(monkeypatch, True, rules)
    (rules / "team.yaml").write_text(IMPOSSIBLE_RULE, encoding="utf-8")
    refused = _check(monkeypatch, True, rules)
    assert refused[0] == 2 and "the rule can never fire" in refused[1]
    assert refused == _check(monkeypatch, False, rules, "--no-cache")
    assert _check(monkeypatch, True, rules) == refused  # and again: no entry was kept


@pytest.mark.parametrize("change", ["rule bytes", "rule name", "thresholds file", "code"])
def test_what_decides_the_lint_makes_it_run_again(
        monkeypatch: pytest.MonkeyPatch, rules: Path, change: str) -> None:
    overrides = rules.parent / "team-thresholds.yaml"
    overrides.write_text("thresholds:\n  new_account_max_years: 1\n", encoding="utf-8")
    args = ("--thresholds", str(overrides))
    _check(monkeypatch, True, rules, *args)
    linted = _counted(monkeypatch)
    _check(monkeypatch, True, rules, *args)
    assert linted == []
    if change == "rule bytes":
        path = rules / "risks.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "rule name":
        (rules / "risks.yaml").rename(rules / "risk-rules.yaml")
    elif change == "thresholds file":
        overrides.write_text("thresholds:\n  new_account_max_years: 40\n", encoding="utf-8")
    else:
        monkeypatch.setattr(cache_module, "_loader_fingerprint", lambda: b"other code")
    warm = _check(monkeypatch, True, rules, *args)
    assert linted == [rules]
    assert warm == _check(monkeypatch, False, rules, *args, "--no-cache")


def test_a_tampered_lint_entry_is_refused(monkeypatch: pytest.MonkeyPatch,
                                          rules: Path) -> None:
    _check(monkeypatch, True, rules)
    # Rules with a lint error, and the passed entry moved to their key by hand: its seal no
    # longer matches, so the rules are linted and refused.
    (rules / "team.yaml").write_text(IMPOSSIBLE_RULE, encoding="utf-8")
    key = lint_seal.lint_key(read_rule_files(rules, None))
    assert key is not None
    (database,) = (rules.parent / "cache").glob("reviews-fast-*.sqlite")
    with sqlite3.connect(database) as connection:
        changed = connection.execute("UPDATE entries SET key = ? WHERE path = ?",
                                     (key.hex(), lint_seal.LINT_ROW)).rowcount
    connection.close()
    assert changed == 1
    linted = _counted(monkeypatch)
    refused = _check(monkeypatch, True, rules)
    assert linted == [rules]
    assert refused[0] == 2 and refused == _check(monkeypatch, False, rules, "--no-cache")
