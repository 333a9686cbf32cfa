"""The cheaper evaluation and the warm `kam check` give what the plain way gives: the second
engine pass, asked with only the facts the open rules use, finds the same rules not
evaluated as with whole facts; an account's output parts read back from their cached text
as they were made; and a cached review without its parts is reviewed again."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.output.check_parts import account_parts, parts_text, read_parts
from kam_review.output.report import Tally, as_text, write_check
from kam_review.review.evaluate import engine_rules
from kam_review.review.fast_check import PARTS_ROW
from kam_review.review.leaves import (
    leaf_rules,
    matcher,
    needed_fields,
    not_evaluated,
)
from kam_review.review.results import Result
from kam_review.rulebook.conditions import fields_used
from kam_review.rulebook.facts import FACT_TYPE, Fact, account_facts
from kam_review.rulebook.lint_seal import LINT_ROW
from kam_review.rulebook.loading import Rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.source.fast_yaml import FAST_VARIABLE
from kam_review.vocabulary import Severity

from .conftest import ACCOUNTS, AS_OF, REPO


def _whole_fact_needs(rulebook: Rulebook, facts: list[Fact]) -> list[dict[str, list[str]]]:
    """What not_evaluated found before it slimmed the facts: every fact where a rule lacks a
    fact it uses goes to the engine whole."""
    rules = engine_rules(rulebook)
    matched = matcher(rules).matches(facts)
    candidates = [[rule for rule in rules if rule.fact_type == fact[FACT_TYPE]
                   and rule.name not in names
                   and any(fact.get(name) is None for name in fields_used(rule.condition))]
                  for fact, names in zip(facts, matched, strict=True)]
    parts = tuple(part for rule in rules for part in leaf_rules(rule))
    tested = [fact for fact, open_rules in zip(facts, candidates, strict=True) if open_rules]
    leaves = iter(matcher(parts).matches(tested))
    found = []
    for fact, open_rules in zip(facts, candidates, strict=True):
        names = next(leaves) if open_rules else set()
        needs = {rule.name: needed_fields(rule, fact, names) for rule in open_rules}
        found.append({name: fields for name, fields in needs.items() if fields is not None})
    return found


def test_the_second_pass_finds_what_whole_facts_find(rulebook: Rulebook,
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "generated"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(folder), "60",
                    "--seed", "5"], check=True, capture_output=True)
    accounts = [*load_portfolio(folder).accounts, *load_portfolio(ACCOUNTS).accounts]
    facts = [fact for account in accounts for fact in account_facts(account, AS_OF, rulebook)]
    rules = engine_rules(rulebook)
    found = not_evaluated(rules, facts, matcher(rules).matches(facts))
    assert found == _whole_fact_needs(rulebook, facts)
    assert sum(map(len, found)) > 100  # many rules not evaluated, of many kinds
    assert len({name for needs in found for name in needs}) > 10


def test_parts_read_back_as_they_were_made(site_review: Result) -> None:
    for item in site_review.accounts:
        made = account_parts(item, site_review.rulebook, AS_OF)
        assert read_parts(parts_text(item, site_review.rulebook, AS_OF)) == made
        assert made["text"].count("\n") + 1 == len(made["severities"])


def test_a_run_makes_only_the_parts_it_writes(site_review: Result) -> None:
    """The plain path makes an account's JSON or its text, not both; what it makes is what
    the fast path makes and caches."""
    for item in site_review.accounts:
        made = account_parts(item, site_review.rulebook, AS_OF)
        assert account_parts(item, site_review.rulebook, AS_OF, "json") == {
            key: value for key, value in made.items() if key not in ("text", "severities")}
        assert account_parts(item, site_review.rulebook, AS_OF, "text") == {
            key: value for key, value in made.items() if key != "json"}


def test_a_tally_that_only_counts_sums_up_as_the_written_one(site_review: Result) -> None:
    assert site_review.waived_high  # the summary names accounts with waived high findings
    counted = Tally()
    counted.add(site_review)
    assert f"\n{counted.summary()}\n" == as_text(site_review)[-len(counted.summary()) - 2:]
    assert counted.worst == write_check([site_review], "json", Severity.INFO, AS_OF,
                                        lambda _text: None).worst


@pytest.mark.parametrize("change", [
    lambda text: "",
    lambda text: text.replace("\x1e", "", 1),
    lambda text: text + "\x1e",
    lambda text: "[]" + text[text.index("\x1e"):],
    lambda text: text + "\nanother line",
    lambda text: text.replace('"counts": [', '"counts": [["severe", "risk", false, 1], ', 1),
    lambda text: text.replace('"id": ', '"name": ', 1),
    lambda text: text.replace('"not_evaluated": ', '"not_evaluated": "', 1),
])
def test_parts_of_another_shape_are_refused(site_review: Result,
                                            change: Callable[[str], str]) -> None:
    text = parts_text(site_review.accounts[0], site_review.rulebook, AS_OF)
    assert read_parts(text) is not None
    assert read_parts(change(text)) is None


def _check(monkeypatch: pytest.MonkeyPatch, fast: bool, *args: str) -> tuple[int, str]:
    monkeypatch.setenv(FAST_VARIABLE, "1" if fast else "0")
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts",
                                       str(ACCOUNTS), *args])
    return result.exit_code, result.stdout


def test_a_review_cached_without_its_parts_is_reviewed_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A review cached without the output's parts (as fast_review_in_batches keeps one when
    no parts are asked for) is a miss for a text or JSON run, which keeps it again whole."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    plain = {output: _check(monkeypatch, False, "--no-cache", "--format", output)
             for output in ("text", "json")}
    assert _check(monkeypatch, True, "--format", "sarif")[0] == 0
    (database,) = cache.glob("reviews-fast-*.sqlite")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT path, entry FROM entries").fetchall()
        # The reviews stay; their parts, kept apart (slim.record_texts), are dropped.
        connection.execute("DELETE FROM entries WHERE path LIKE ?", (f"%{PARTS_ROW}",))
    connection.close()
    for path, entry in rows:
        if not path.endswith(PARTS_ROW) and path != LINT_ROW:
            _, result, parts = entry.split("\x1e", 2)
            json.loads(result)
            assert parts == ""
    for output in ("text", "json"):
        assert _check(monkeypatch, True, "--format", output) == plain[output]
    with sqlite3.connect(database) as connection:
        entries = dict(connection.execute("SELECT path, entry FROM entries WHERE path != ?",
                                          (LINT_ROW,)).fetchall())
    connection.close()
    kept = {path: entry for path, entry in entries.items() if path.endswith(PARTS_ROW)}
    assert {path.removesuffix(PARTS_ROW) for path in kept} == {
        path for path in entries if not path.endswith(PARTS_ROW)}  # each file's parts apart
    assert all(read_parts(entry.split("\x1e", 2)[2]) is not None for entry in kept.values())
