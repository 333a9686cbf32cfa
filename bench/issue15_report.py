"""The report of bench/issue15.py: its rows, the table, the per-account costs, the targets.

Every row is one command run in a fresh process. Its ratio is to its floor at the same N:
`kam check` to the parse floor, the site and the one-edit rebuild to the theme floor, the
theme floor itself to the parse floor. The per-account cost is CPU ms / N, CPU being the
figure a shared machine disturbs least; "flat" means it grows by at most FLAT from one N to
the next (a step worse than linear would show as a larger growth).
"""

from __future__ import annotations

import filecmp
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from run import AS_OF, SEED, machine

FLAT = 1.10
START, END = "<!-- issue15-after:start -->", "<!-- issue15-after:end -->"
TITLES = {
    "floor-parse": "parse floor: read + yaml.load CSafeLoader, one core",
    "check fast cold": "kam check --format json, cold (empty caches)",
    "check fast warm": "kam check --format json, warm",
    "check fast warm text": "kam check (text output), warm",
    "check plain cold": "kam check --format json, cold, plain (KAM_FAST=0)",
    "check plain warm": "kam check --format json, warm, plain",
    "check plain warm text": "kam check (text output), warm, plain",
    "floor-theme": "theme floor: MkDocs + theme on the finished HTML",
    "site fast cold": "site: mkdocs build, cold (empty caches)",
    "site fast warm": "site: mkdocs build, warm",
    "site plain cold": "site: mkdocs build, cold, plain (KAM_FAST=0)",
    "site plain warm": "site: mkdocs build, warm, plain",
    "edit": "one-edit rebuild: kam serve (LiveSite.rebuild)",
}
ORDER = tuple(TITLES)
NAN = math.nan


@dataclass
class Row:
    step: str
    n: int
    wall: float = NAN
    cpu: float = NAN
    peak_mib: float = NAN
    tree_mib: float = NAN
    load: float = NAN
    code: int | None = 0
    failed: list[str] = field(default_factory=list)
    same: bool | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.code == 0 and not math.isnan(self.wall)

    @staticmethod
    def dump(rows: list[Row]) -> str:
        return json.dumps([asdict(row) for row in rows], indent=1)


def same_tree(one: Path, other: Path, ignore: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether two folders hold the same files with the same bytes (but the `ignore` names)."""
    def listing(folder: Path) -> list[str]:
        return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                      if p.is_file() and p.name not in ignore)

    names = listing(one)
    if names != listing(other):
        return False
    return all(filecmp.cmp(one / name, other / name, shallow=False) for name in names)


def _find(rows: list[Row], step: str, n: int) -> Row | None:
    return next((row for row in rows if row.step == step and row.n == n and row.ok), None)


def floor_of(rows: list[Row], row: Row) -> Row | None:
    if row.step.startswith("check"):
        return _find(rows, "floor-parse", row.n)
    if row.step.startswith("site") or row.step == "edit":
        return _find(rows, "floor-theme", row.n)
    if row.step == "floor-theme":
        return _find(rows, "floor-parse", row.n)
    return None


def _figure(value: float, digits: int = 2) -> str:
    return "-" if math.isnan(value) else f"{value:,.{digits}f}"


def _line(rows: list[Row], row: Row) -> str:
    floor = floor_of(rows, row)
    ratio = ("-" if floor is None or not row.ok else
             f"{row.cpu / floor.cpu:.2f}x / {row.wall / floor.wall:.2f}x")
    same = {True: "yes", False: "**no**", None: ""}[row.same]
    status = "" if row.ok else f" **failed** (exit {row.code}: {' '.join(row.failed)[:80]})"
    note = f" ({row.note})" if row.note else ""
    per = row.cpu / row.n * 1000 if row.ok else NAN
    return (f"| {TITLES.get(row.step, row.step)}{status}{note} | {row.n:,} | "
            f"{_figure(row.wall)} | {_figure(row.cpu)} | {_figure(per)} | {ratio} | "
            f"{_figure(row.peak_mib, 0)} | {_figure(row.tree_mib, 0)} | "
            f"{_figure(row.load)} | {same} |")


def table(rows: list[Row], plain_max: int) -> list[str]:
    lines = ["| step | N | wall s | CPU s | CPU ms / account | x floor (CPU / wall) | "
             "peak MiB (process) | peak MiB (tree) | load (1 min) | same output |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for n in sorted({row.n for row in rows}):
        here = sorted((row for row in rows if row.n == n),
                      key=lambda row: ORDER.index(row.step) if row.step in ORDER else 99)
        lines += [_line(rows, row) for row in here]
        steps = {row.step.split()[0] for row in here}
        for kind in ("check", "site"):
            if n > plain_max and kind in steps:
                lines.append(f"| {kind}, plain (KAM_FAST=0): skipped at N > {plain_max:,}; "
                             "same output compares cold with warm | "
                             f"{n:,} | | | | | | | | |")
    return lines


def growth(rows: list[Row]) -> list[tuple[str, list[tuple[int, float]], float | None]]:
    """Per step: (N, CPU ms per account) at each N, and the largest growth from one N to
    the next (None with fewer than two sizes)."""
    found = []
    for step in ORDER:
        costs = sorted((row.n, row.cpu / row.n * 1000) for row in rows
                       if row.step == step and row.ok)
        if not costs:
            continue
        steps = [b[1] / a[1] for a, b in pairwise(costs) if a[1] > 0]
        found.append((step, costs, max(steps) if steps else None))
    return found


def targets(rows: list[Row]) -> list[tuple[str, str, bool | None]]:
    """Issue 15's targets: (target, measured, met; None when not measured)."""
    found: list[tuple[str, str, bool | None]] = []

    def wall(step: str, n: int, limit: float, name: str) -> None:
        row = _find(rows, step, n)
        found.append((name, "-" if row is None else f"{row.wall:.2f} s",
                      None if row is None else row.wall < limit))

    site, parse = _find(rows, "site fast cold", 1_000), _find(rows, "floor-parse", 1_000)
    found.append(("site at 1,000 within 6x the parse floor (cold, wall)",
                  "-" if not (site and parse) else f"{site.wall / parse.wall:.2f}x",
                  None if not (site and parse) else site.wall <= 6 * parse.wall))
    wall("site fast cold", 10_000, 120, "site at 10,000 < 2 min (cold)")
    wall("edit", 1_000, 2, "one-edit rebuild at 1,000 < 2 s")
    wall("check fast cold", 10_000, 5, "kam check of 10,000 < 5 s cold")
    wall("check fast warm", 10_000, 2, "kam check of 10,000 < 2 s warm")
    wall("check fast cold", 100_000, 60, "kam check of 100,000 < 60 s cold")
    big = [row for row in rows if row.n == 100_000 and row.step.startswith("check") and row.ok]
    peak = max((row.tree_mib for row in big), default=NAN)
    found.append(("kam check of 100,000 in < 1 GiB (tree, cold and warm)",
                  f"{_figure(peak, 0)} MiB", None if not big else peak < 1024))
    flat = [g for _, _, g in growth(rows) if g is not None]
    found.append((f"cost per account flat as N grows (CPU; each step <= {FLAT:.2f}x)",
                  "-" if not flat else f"largest growth {max(flat):.2f}x",
                  None if not flat else max(flat) <= FLAT))
    return found


def report(rows: list[Row], engine_start: str, engine_end: str, site_max: int,
           plain_max: int) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    sizes = ",".join(str(n) for n in sorted({row.n for row in rows}))
    engine = (f"engine/kam_review {engine_start}" if engine_start == engine_end else
              f"**engine/kam_review changed during the run** ({engine_start} -> {engine_end})")
    lines = [f"Run {now}: `bench/issue15.py --sizes {sizes}` (site steps at N <= "
             f"{site_max:,}, plain path at N <= {plain_max:,}); review date {AS_OF}, "
             f"portfolios of bench/generate.py seed {SEED}; {engine}.", "",
             "| machine | |", "|---|---|", *(f"| {k} | {v} |" for k, v in machine()), "",
             *table(rows, plain_max), "", "Cost per account (CPU ms / N):", "",
             "| step | " + " | ".join(f"N = {n:,}" for n in sorted({r.n for r in rows}))
             + " | largest growth | flat |",
             "|---|" + "---:|" * (len({r.n for r in rows}) + 1) + "---|"]
    every = sorted({row.n for row in rows})
    for step, costs, largest in growth(rows):
        by_n = dict(costs)
        cells = " | ".join(_figure(by_n.get(n, NAN)) for n in every)
        verdict = "" if largest is None else ("yes" if largest <= FLAT else "**no**")
        lines.append(f"| {TITLES[step]} | {cells} | "
                     f"{'-' if largest is None else f'{largest:.2f}x'} | {verdict} |")
    lines += ["", "| target (issue 15) | measured | |", "|---|---:|---|"]
    for name, measured, met in targets(rows):
        verdict = {True: "met", False: "**missed**", None: "not measured"}[met]
        lines.append(f"| {name} | {measured} | {verdict} |")
    return "\n".join(lines) + "\n"


def record(results: Path, text: str) -> None:
    """Put the report between the markers of the results file (which must have them)."""
    whole = results.read_text(encoding="utf-8")
    start, end = whole.index(START) + len(START), whole.index(END)
    results.write_text(f"{whole[:start]}\n{text}{whole[end:]}", encoding="utf-8")
