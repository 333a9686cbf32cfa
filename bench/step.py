"""One benchmark step, run in a fresh process by bench/run.py; prints one line of JSON.

    python bench/step.py STEP ACCOUNTS_FOLDER [--rules DIR] [--as-of YYYY-MM-DD]

Steps (only the part named is timed; what it needs first is done before the clock starts):
  load        kam_review.source.accounts.load_portfolio(folder)
  facts       kam_review.rulebook.facts.account_facts over every loaded account
  rules       RuleMatcher(engine_rules(rulebook)).matches(all facts), the matching only
  floor-yaml  read every file and yaml.load(text, Loader=yaml.CSafeLoader), nothing else
  floor-rules the same conditions as plain Python predicates over the same fact dicts
  rules-no-timers  `rules` with durable-rules' Host timer threads not started (a diagnostic
              for a suggested fix: kam-review never uses the engine's timers)

With --facts FILE, `facts` writes the facts it made to FILE as JSON (after the clock stops)
and the rule steps read them from there instead of loading the portfolio again.

The JSON holds wall (time.perf_counter), cpu (time.process_time, plus the CPU of child
processes that ended during the step) in seconds, and peak_kib, the peak resident set of the
step process (ru_maxrss), setup included, and peak_children_kib, the largest child's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kam_review.review.evaluate import engine_rules
from kam_review.rulebook.engine import EngineRule, RuleMatcher
from kam_review.rulebook.facts import FACT_TYPE, Fact, account_facts
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.source.accounts import load_portfolio

# The plain-Python floor is the oracle the differential tests compare the engine with.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.oracle import Predicate, rule_predicates

STEPS = ("load", "facts", "rules", "floor-yaml", "floor-rules", "rules-no-timers")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU time of a `with` block; CPU includes worker processes that ended in it
    (the loader parses on every core from 1,000 files)."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        self._children = _children_cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu + _children_cpu() - self._children


# -- floor (b): the rule conditions as plain Python, with the tests' independent evaluator ----

def plain_matches(rules: Sequence[EngineRule], facts: Sequence[Fact],
                  predicates: Mapping[str, Predicate]) -> list[set[str]]:
    """For each fact, the names of the rules (of its type) whose condition holds."""
    by_type: dict[str, list[tuple[str, Predicate]]] = {}
    for rule in rules:
        by_type.setdefault(rule.fact_type, []).append((rule.name, predicates[rule.name]))
    return [{name for name, holds in by_type.get(fact[FACT_TYPE], ()) if holds(fact)}
            for fact in facts]


# -- helpers --------------------------------------------------------------------------------

def _digest(matches: Iterable[set[str]]) -> str:
    """A fingerprint of the matches, to check that the engine and the floor agree."""
    sha = hashlib.sha256()
    for index, names in enumerate(matches):
        for name in sorted(names):
            sha.update(f"{index}:{name}\n".encode())
    return sha.hexdigest()[:16]


def _all_facts(folder: Path, rulebook: Rulebook, as_of: date, cache: Path | None) -> list[Fact]:
    if cache is not None and cache.exists():
        facts: list[Fact] = json.loads(cache.read_text(encoding="utf-8"))
        return facts
    portfolio = load_portfolio(folder)
    return [fact for account in portfolio.accounts
            for fact in account_facts(account, as_of, rulebook)]


def _no_timer_threads() -> None:
    """Start no dispatch / timer threads in durable-rules' Host (they race the main thread)."""
    import durable.engine

    durable.engine.Host._run = lambda self: None


def run_step(step: str, folder: Path, rules: Path, as_of: date,
             cache: Path | None = None) -> dict[str, Any]:
    info: dict[str, Any] = {"step": step}
    clock = Clock()
    if step == "load":
        with clock:
            portfolio = load_portfolio(folder)
        info.update(accounts=len(portfolio.accounts), errors=len(portfolio.errors))
    elif step == "floor-yaml":
        paths = sorted(p for p in folder.iterdir() if p.suffix == ".yaml")
        with clock:
            values = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
                      for p in paths]
        info.update(accounts=len(values))
    elif step == "facts":
        rulebook = load_rulebook(rules)
        portfolio = load_portfolio(folder)
        with clock:
            facts = [f for a in portfolio.accounts for f in account_facts(a, as_of, rulebook)]
        info.update(accounts=len(portfolio.accounts), facts=len(facts))
        if cache is not None:
            cache.write_text(json.dumps(facts), encoding="utf-8")
    elif step in ("rules", "rules-no-timers"):
        if step == "rules-no-timers":
            _no_timer_threads()
        rulebook = load_rulebook(rules)
        facts = _all_facts(folder, rulebook, as_of, cache)
        checked = engine_rules(rulebook)
        matcher = RuleMatcher(checked, FACT_TYPE)
        with clock:
            found = matcher.matches(facts)
        info.update(facts=len(facts), rules=len(checked),
                    matches=sum(len(m) for m in found), digest=_digest(found))
    elif step == "floor-rules":
        rulebook = load_rulebook(rules)
        facts = _all_facts(folder, rulebook, as_of, cache)
        checked = engine_rules(rulebook)
        predicates = rule_predicates(rules, rulebook.threshold_values())
        with clock:
            found = plain_matches(checked, facts, predicates)
        info.update(facts=len(facts), rules=len(checked),
                    matches=sum(len(m) for m in found), digest=_digest(found))
    else:
        raise SystemExit(f"unknown step {step!r}; known: {', '.join(STEPS)}")
    info.update(wall=clock.wall, cpu=clock.cpu,
                peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if children:
        info["peak_children_kib"] = children
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rules", type=Path, default=Path(__file__).resolve().parents[1]
                        / "rules")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 9, 30))
    parser.add_argument("--facts", type=Path, default=None,
                        help="JSON of the facts: written by `facts`, read by the rule steps")
    args = parser.parse_args(argv)
    print(json.dumps(run_step(args.step, args.folder, args.rules, args.as_of, args.facts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
