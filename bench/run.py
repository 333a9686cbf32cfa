"""The kam-review benchmark: one command, every step in a fresh process, three floors.

    .venv/bin/python bench/run.py [--sizes 1000,10000,100000] [--quick] [--date YYYY-MM-DD]

For each portfolio size N it generates the portfolio once into bench/out/accounts-N (kept for
the next run while the generator and seed are unchanged), then measures, each step in its own
process, wall time, CPU time and peak resident memory:

  load, facts, rules      the pipeline's parts (bench/step.py), N <= 10,000
  floor-yaml, floor-rules the floors of load and rules (bench/step.py), N <= 10,000
  check                   `kam check --format json` of the whole portfolio, every N
  site, floor-site        `mkdocs build` with the kam-review plugin, and of the same pages
                          pre-written as Markdown without it, N <= 10,000

It prints a table and the ratios to the floors, and writes bench/RESULTS.md (with --quick,
bench/out/RESULTS-quick.md) with the machine, every measurement and the project's targets.
Hand-written "## Notes" and "## Profile" sections at the end of the results file are kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
RULES = REPO / "rules"
PYTHON = Path(sys.executable)
KAM = PYTHON.with_name("kam")
AS_OF = "2026-09-30"
SEED = 1
TIMEOUT_S = 15 * 60
# A runaway step must not take the machine down with it (24 GiB; two cores).
MEMORY_LIMIT_BYTES = 16 * 1024**3
TIME_BIN = Path("/usr/bin/time")
# Steps measured at N <= this size; above it only `kam check` runs.
COMPONENT_MAX_N = 10_000
SITE_MAX_N = 10_000
KIB_PER_MIB = 1024

# A step that fails (durable-rules crashes now and then, see RESULTS.md) is run again, up to
# this many times in all and while its attempts took less than the budget.
MAX_ATTEMPTS = 5
RETRY_BUDGET_S = 30 * 60

STEP_TITLES = {
    "load": "load + validate (load_portfolio)",
    "floor-yaml": "floor (a): read + yaml.load CSafeLoader",
    "facts": "facts (account_facts)",
    "rules": "rules on durable-rules (matches)",
    "floor-rules": "floor (b): plain-Python predicates",
    "rules-no-timers": "diagnostic: rules, engine timer threads off",
    "check": "kam check --format json (cold: empty cache)",
    "check-warm": "kam check --format json (warm cache)",
    "site": "mkdocs build with kam-review plugin",
    "floor-site": "floor (c): mkdocs build of pre-written pages",
}
STEP_ORDER = tuple(STEP_TITLES)


@dataclass
class Measure:
    step: str
    n: int
    wall: float | None = None
    cpu: float | None = None
    peak_kib: int | None = None
    status: str = "ok"  # ok | timed out | failed (...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.wall is not None

    @property
    def peak_mib(self) -> float | None:
        return None if self.peak_kib is None else self.peak_kib / KIB_PER_MIB


# -- running one step in a fresh process ----------------------------------------------------

def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _run(command: list[str], *, stdout: Any = subprocess.PIPE, cwd: Path = REPO,
         env: dict[str, str] | None = None) -> tuple[str, str, int | None, float]:
    """Run a command in its own process group; (stdout, stderr, returncode or None on
    timeout, wall seconds). On timeout the whole group is killed."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd,
                               env=env, text=True, start_new_session=True,
                               preexec_fn=_limit_memory)
    try:
        out, err = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return "", "", None, time.perf_counter() - start
    return out or "", err or "", process.returncode, time.perf_counter() - start


def _failure(err: str, code: int | None) -> str:
    if code is not None and (code < 0 or code > 128):
        number = -code if code < 0 else code - 128
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"failed ({name})"
    engine = re.search(r"durable-rules failed on a batch of facts: (.*?), error code: (\d+)", err)
    if engine:
        return f"failed (EngineError {engine.group(2)}: {engine.group(1)})"
    lines = [line for line in err.strip().splitlines()
             if line.strip() and not line.startswith(("\t", "Command exited"))]
    last = lines[-1] if lines else ""
    return f"failed (exit {code}): {last[:120]}"


def best_of(repeat: int, run: Callable[[], Measure]) -> Measure:
    """The run with the least wall time of `repeat` (each with its retries): the least
    disturbed by whatever else the machine does."""
    runs = [with_retries(run)]
    while len(runs) < repeat and runs[-1].ok:
        runs.append(with_retries(run))
    good = [m for m in runs if m.ok]
    if not good:
        return runs[-1]
    best = min(good, key=lambda m: m.wall or 0.0)
    if len(runs) > 1:
        walls = ", ".join(f"{m.wall:.2f}" if m.ok and m.wall else m.status for m in runs)
        best.extra["best of"] = f"{len(runs)} ({walls} s)"
    failed = [m.extra["failed runs"] for m in runs if "failed runs" in m.extra]
    if failed:
        best.extra["failed runs"] = "; ".join(failed)
    return best


def with_retries(run: Callable[[], Measure]) -> Measure:
    """Run a step again after a failure (not after a timeout); say how it went in the notes."""
    failures: list[str] = []
    spent = 0.0
    while True:
        start = time.perf_counter()
        measure = run()
        spent += time.perf_counter() - start
        if measure.ok or measure.status == "timed out":
            break
        failures.append(measure.status.removeprefix("failed ").strip("()"))
        if len(failures) >= MAX_ATTEMPTS or spent > RETRY_BUDGET_S:
            measure.status = f"failed {len(failures)}x"
            break
    if failures:
        measure.extra["failed runs"] = f"{len(failures)} ({'; '.join(failures)})"
    return measure


def python_step(step: str, n: int, folder: Path) -> Measure:
    """A step of bench/step.py; its own clocks measure only the step's work."""
    out, err, code, wall = _run([str(PYTHON), str(BENCH / "step.py"), step, str(folder),
                                 "--rules", str(RULES), "--as-of", AS_OF,
                                 "--facts", str(OUT / f"facts-{n}.json")])
    if code is None:
        return Measure(step, n, wall=wall, status="timed out")
    if code != 0:
        return Measure(step, n, status=_failure(err, code))
    info = json.loads(out.strip().splitlines()[-1])
    wall_s, cpu, peak = info.pop("wall"), info.pop("cpu"), info.pop("peak_kib")
    info.pop("step")
    return Measure(step, n, wall_s, cpu, peak, extra=info)


_TIME_FIELDS = {
    "user": re.compile(r"User time \(seconds\): ([\d.]+)"),
    "sys": re.compile(r"System time \(seconds\): ([\d.]+)"),
    "rss": re.compile(r"Maximum resident set size \(kbytes\): (\d+)"),
}


def command_step(step: str, n: int, command: list[str], ok_codes: tuple[int, ...] = (0,),
                 env: dict[str, str] | None = None, cwd: Path = REPO,
                 fresh: Path | None = None) -> Measure:
    """A whole command: wall time from here, CPU and peak RSS from /usr/bin/time -v when it
    exists, else from getrusage(RUSAGE_CHILDREN) deltas (peak: the largest child so far)."""
    use_time = TIME_BIN.exists()
    if fresh is not None:  # a cache folder to remove first: a cold run
        shutil.rmtree(fresh, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    full = [str(TIME_BIN), "-v", *command] if use_time else command
    with open(os.devnull, "w") as devnull:
        _, err, code, wall = _run(full, stdout=devnull, env=env, cwd=cwd)
    if code is None:
        return Measure(step, n, wall=wall, status="timed out")
    if code not in ok_codes:
        return Measure(step, n, status=_failure(err, code))
    if use_time:
        found = {key: match.group(1) for key, pattern in _TIME_FIELDS.items()
                 if (match := pattern.search(err))}
        if len(found) == len(_TIME_FIELDS):
            cpu = float(found["user"]) + float(found["sys"])
            return Measure(step, n, wall, cpu, int(found["rss"]))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measure(step, n, wall, cpu, after.ru_maxrss)


# -- inputs ---------------------------------------------------------------------------------

def _generator_digest() -> str:
    return hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:16]


def portfolio(n: int) -> Path:
    """bench/out/accounts-N, generated unless an identical one is already there."""
    folder = OUT / f"accounts-{n}"
    marker = OUT / f"accounts-{n}.json"
    wanted = {"count": n, "seed": SEED, "generator": _generator_digest()}
    if marker.exists() and folder.is_dir() and json.loads(marker.read_text()) == wanted:
        print(f"  portfolio of {n:,} accounts: reusing {folder.relative_to(REPO)}", flush=True)
        return folder
    marker.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    larger = _larger_portfolio(n, wanted)
    if larger is not None:
        # Its first n accounts are this portfolio (each account depends on its number only).
        folder.mkdir(parents=True)
        for number in range(1, n + 1):
            name = f"acct-{number:06d}.yaml"
            os.link(larger / name, folder / name)
        marker.write_text(json.dumps(wanted))
        print(f"  portfolio of {n:,} accounts: the first of {larger.relative_to(REPO)}",
              flush=True)
        return folder
    sys.path.insert(0, str(BENCH))
    from generate import generate_portfolio

    generate_portfolio(folder, n, SEED)
    marker.write_text(json.dumps(wanted))
    print(f"  portfolio of {n:,} accounts generated in {time.perf_counter() - start:.0f} s",
          flush=True)
    return folder


def _larger_portfolio(n: int, wanted: dict[str, Any]) -> Path | None:
    """A complete bench/out/accounts-M of M > n accounts made by the same generator and seed."""
    for marker in sorted(OUT.glob("accounts-*.json")):
        try:
            made = json.loads(marker.read_text())
        except (OSError, ValueError):
            continue
        folder = marker.with_suffix("")
        if (isinstance(made, dict) and isinstance(made.get("count"), int)
                and made["count"] > n and folder.is_dir()
                and made == {**wanted, "count": made["count"]}):
            return folder
    return None


def _mkdocs_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    # What the plugin sets from as_of; the floor build needs it too for the same output.
    day = date.fromisoformat(AS_OF)
    env["SOURCE_DATE_EPOCH"] = str(int(datetime(day.year, day.month, day.day,
                                                tzinfo=UTC).timestamp()))
    return env


def _base_config(site_dir: Path) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["site_dir"] = str(site_dir)
    config["theme"]["custom_dir"] = str(REPO / "site" / "overrides")
    return config


def site_config(n: int, folder: Path, work: Path) -> Path:
    """The repository's mkdocs.yml, with absolute paths and the plugin on the portfolio."""
    config = _base_config(work / "site")
    config["docs_dir"] = str(REPO / "site" / "docs")
    for i, plugin in enumerate(config["plugins"]):
        if isinstance(plugin, dict) and "kam-review" in plugin:
            options = dict(plugin["kam-review"])
            options.update(accounts=str(folder), rules=str(RULES), as_of=AS_OF)
            if "rates" in options:
                options["rates"] = str(REPO / options["rates"])
            config["plugins"][i] = {"kam-review": options}
    path = work / "mkdocs-site.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def floor_site_config(n: int, folder: Path, work: Path) -> Path | None:
    """Pre-write the same pages (`kam build`, untimed) plus site/docs into one docs folder,
    and a mkdocs.yml without the kam-review plugin but with what it adds to the config."""
    docs = work / "floor-docs"
    shutil.rmtree(docs, ignore_errors=True)
    for _ in range(MAX_ATTEMPTS):  # untimed; durable-rules may crash, as in any other step
        _, err, code, _ = _run([str(KAM), "build", str(docs), "--as-of", AS_OF, "--accounts",
                                str(folder), "--rules", str(RULES)])
        if code == 0:
            break
        print(f"  kam build for floor (c): {_failure(err, code)}; again", flush=True)
    if code != 0:
        print(f"  kam build for floor (c) failed: {_failure(err, code)}", flush=True)
        return None
    for page in (REPO / "site" / "docs").rglob("*"):
        if page.is_file():
            target = docs / page.relative_to(REPO / "site" / "docs")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target)
    from kam_review.website.plugin import REQUIRED_EXTENSIONS, SCRIPTS, STYLESHEETS

    config = _base_config(work / "floor-site")
    config["docs_dir"] = str(docs)
    config["plugins"] = [p for p in config["plugins"]
                         if not (isinstance(p, dict) and "kam-review" in p)]
    extensions = config.setdefault("markdown_extensions", [])
    names = {e if isinstance(e, str) else next(iter(e)) for e in extensions}
    extensions += [e for e in REQUIRED_EXTENSIONS if e not in names]
    config["extra_css"] = list(STYLESHEETS)
    config["extra_javascript"] = list(SCRIPTS)
    config.setdefault("validation", {}).setdefault("nav", {})["omitted_files"] = "ignore"
    path = work / "mkdocs-floor.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


# -- the run --------------------------------------------------------------------------------

def measure_size(n: int, repeat: int, steps: frozenset[str] = frozenset(STEP_ORDER)
                 ) -> list[Measure]:
    print(f"N = {n:,}", flush=True)
    folder = portfolio(n)
    results: list[Measure] = []

    def report(measure: Measure) -> None:
        measure.extra["engine"] = engine_fingerprint()
        results.append(measure)
        print(f"  {STEP_TITLES[measure.step]:46} {_cell(measure.wall, measure, 's')}  "
              f"cpu {_cell(measure.cpu, measure, 's')}  "
              f"peak {_cell(measure.peak_mib, measure, 'MiB')}", flush=True)

    if n <= COMPONENT_MAX_N:
        (OUT / f"facts-{n}.json").unlink(missing_ok=True)
        for step in ("load", "floor-yaml", "facts", "rules", "floor-rules", "rules-no-timers"):
            # The rule steps read the facts the facts step wrote (else they make them).
            if step in steps:
                report(best_of(repeat, partial(python_step, step, n, folder)))
        (OUT / f"facts-{n}.json").unlink(missing_ok=True)
    # 0: no error and no --fail-on; 2 would mean invalid input, which the generator never writes.
    # `kam check` keeps a cache of parsed files; KAM_CACHE_DIR puts it in a temporary folder of
    # its own, cold (cache removed first) and then warm (the cache the cold run left). Not under
    # bench/out: kam-review uses no cache folder inside the repository holding the accounts.
    check_cwd = OUT / f"check-{n}"
    shutil.rmtree(check_cwd, ignore_errors=True)
    check_cwd.mkdir(parents=True, exist_ok=True)
    check = [str(KAM), "check", "--as-of", AS_OF, "--format", "json", "--accounts", str(folder),
             "--rules", str(RULES)]
    cache = Path(tempfile.mkdtemp(prefix=f"kam-bench-cache-{n}-")) / "cache"
    cache_env = os.environ | {"KAM_CACHE_DIR": str(cache)}
    if "check" in steps or "check-warm" in steps:
        cold = best_of(repeat, lambda: command_step("check", n, check, env=cache_env,
                                                    cwd=check_cwd, fresh=cache))
        if "check" in steps:
            report(cold)
        if "check-warm" in steps and cache.exists():
            report(best_of(repeat, lambda: command_step("check-warm", n, check, env=cache_env,
                                                        cwd=check_cwd)))
    shutil.rmtree(check_cwd, ignore_errors=True)
    shutil.rmtree(cache.parent, ignore_errors=True)
    if n <= SITE_MAX_N and {"site", "floor-site"} & steps:
        work = OUT / f"work-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        env = _mkdocs_env()
        config = site_config(n, folder, work)
        site = [str(PYTHON), "-m", "mkdocs", "build", "-q", "-f", str(config)]
        if "site" in steps:
            report(best_of(repeat, lambda: command_step("site", n, site, env=env)))
        if "floor-site" in steps:
            floor = floor_site_config(n, folder, work)
            if floor is not None:
                bare = [str(PYTHON), "-m", "mkdocs", "build", "-q", "-f", str(floor)]
                report(best_of(repeat, lambda: command_step("floor-site", n, bare, env=env)))
            else:
                report(Measure("floor-site", n, status="failed (kam build)"))
        shutil.rmtree(work, ignore_errors=True)
    return results


def _cell(value: float | None, measure: Measure, unit: str) -> str:
    if measure.status == "timed out":
        return f"timed out (> {TIMEOUT_S / 60:.0f} min)" if unit == "s" else "-"
    if not measure.ok:
        return measure.status if unit == "s" else "-"
    if value is None:
        return "-"
    return f"{value:,.0f}" if unit == "MiB" else f"{value:,.2f}"


# -- ratios and targets ---------------------------------------------------------------------

def _get(results: list[Measure], step: str, n: int) -> Measure | None:
    return next((m for m in results if m.step == step and m.n == n), None)


def _ratio(results: list[Measure], step: str, floor: str, n: int) -> float | None:
    a, b = _get(results, step, n), _get(results, floor, n)
    if a is None or b is None or not a.ok or not b.ok or not b.wall:
        return None
    assert a.wall is not None
    return a.wall / b.wall


def ratios(results: list[Measure], sizes: list[int]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for n in sizes:
        for step, floor, name in (("load", "floor-yaml", "load / floor (a)"),
                                  ("rules", "floor-rules", "rule evaluation / floor (b)"),
                                  ("rules-no-timers", "floor-rules",
                                   "diagnostic: rules, timer threads off / floor (b)"),
                                  ("site", "floor-site", "site build / floor (c)")):
            value = _ratio(results, step, floor, n)
            if value is not None:
                a, b = _get(results, step, n), _get(results, floor, n)
                cpu = (f" (CPU: {a.cpu / b.cpu:.2f}x)" if a and b and a.cpu and b.cpu else "")
                rows.append((f"{name}, N = {n:,}", f"{value:.2f}x{cpu}"))
    per = per_account_growth(results)
    if per is not None:
        simple, marginal, small, large = per
        rows.append((f"site build per account, N = {small:,} vs {large:,}",
                     f"{simple:.2f}x (marginal: {marginal:.2f}x)"))
    for n in sizes:
        rules, floor = _get(results, "rules", n), _get(results, "floor-rules", n)
        if rules and floor and rules.ok and floor.ok:
            same = rules.extra.get("digest") == floor.extra.get("digest")
            rows.append((f"engine and floor (b) find the same matches, N = {n:,}",
                         "yes" if same else "NO"))
    return rows


def per_account_growth(results: list[Measure]) -> tuple[float, float, int, int] | None:
    """(per-account wall at the larger N / at the smaller N, the same for the marginal cost
    (t_large - t_small) / (N_large - N_small) against t_small / N_small, small N, large N)."""
    sites = sorted((m for m in results if m.step == "site" and m.ok), key=lambda m: m.n)
    if len(sites) < 2:
        return None
    small, large = sites[0], sites[-1]
    assert small.wall is not None and large.wall is not None
    per_small = small.wall / small.n
    simple = (large.wall / large.n) / per_small
    marginal = ((large.wall - small.wall) / (large.n - small.n)) / per_small
    return simple, marginal, small.n, large.n


def targets(results: list[Measure]) -> list[tuple[str, str, str]]:
    """(target, measured, met / missed / not measured)."""
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "**missed**")

    for n, limit in ((10_000, 5.0), (100_000, 60.0)):
        check = _get(results, "check", n)
        if check is None:
            rows.append((f"`kam check` of {n:,} accounts < {limit:.0f} s", "-", verdict(None)))
        elif check.status == "timed out":
            rows.append((f"`kam check` of {n:,} accounts < {limit:.0f} s",
                         f"timed out (> {TIMEOUT_S} s)", verdict(False)))
        else:
            warm = _get(results, "check-warm", n)
            rows.append((f"`kam check` of {n:,} accounts < {limit:.0f} s (cold)",
                         _cell(check.wall, check, "s") + " s",
                         verdict(check.wall < limit if check.ok and check.wall else None)))
            if warm is not None:
                rows.append((f"`kam check` of {n:,} accounts < {limit:.0f} s, warm cache "
                             "(for information)", _cell(warm.wall, warm, "s") + " s",
                             verdict(warm.wall < limit if warm.ok and warm.wall else None)))
    for step, floor, limit, name in (
            ("rules", "floor-rules", 3.0, "rule evaluation within 3x the plain-Python floor"),
            ("load", "floor-yaml", 1.5, "loading within 1.5x the C-loader floor")):
        measured = [(n, r) for n in sorted({m.n for m in results})
                    if (r := _ratio(results, step, floor, n)) is not None]
        if measured:
            n, value = measured[-1]
            rows.append((name, f"{value:.2f}x (N = {n:,})", verdict(value <= limit)))
        else:
            rows.append((name, "-", verdict(None)))
    big = _get(results, "check", 100_000)
    if big is not None and big.ok and big.peak_mib is not None:
        warm = _get(results, "check-warm", 100_000)
        peak = max([big.peak_mib] + ([warm.peak_mib] if warm and warm.ok and warm.peak_mib
                                      else []))
        rows.append(("peak memory < 1 GiB at 100,000 (`kam check`, cold and warm)",
                     f"{peak:,.0f} MiB", verdict(peak < 1024)))
    elif big is not None and big.status == "timed out":
        rows.append(("peak memory < 1 GiB at 100,000 (`kam check`)", "timed out",
                     verdict(None)))
    else:
        rows.append(("peak memory < 1 GiB at 100,000 (`kam check`)", "-", verdict(None)))
    site = _ratio(results, "site", "floor-site", 1_000)
    rows.append(("site build at 1,000 within 1.3x the bare-MkDocs floor",
                 "-" if site is None else f"{site:.2f}x",
                 verdict(None if site is None else site <= 1.3)))
    per = per_account_growth(results)
    rows.append(("site build cost per account not growing with N (<= 1.1x)",
                 "-" if per is None else f"{per[0]:.2f}x ({per[2]:,} -> {per[3]:,})",
                 verdict(None if per is None else per[0] <= 1.1)))
    return rows


# -- the report -----------------------------------------------------------------------------

def engine_fingerprint() -> str:
    """A hash of the kam_review package's files, to tell whether it changed during the run."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "engine" / "kam_review").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def machine() -> list[tuple[str, str]]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024**2:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from importlib.metadata import version

    libraries = ", ".join(f"{name} {version(name)}" for name in (
        "durable_rules", "PyYAML", "jsonschema", "mkdocs", "mkdocs-material"))
    return [("nproc", str(os.cpu_count())), ("CPU", model), ("memory", memory),
            ("Python", platform.python_version()), ("OS", platform.platform()),
            ("libraries", libraries),
            ("YAML C loader", "yes" if yaml.__with_libyaml__ else "no")]


def markdown(results: list[Measure], sizes: list[int], run_date: str, seconds: float,
             repeat: int, engine: tuple[str, str]) -> str:
    if engine[0] == engine[1]:
        engine_note = f"engine/kam_review fingerprint {engine[0]} (unchanged during the run)."
    else:
        engine_note = (f"**engine/kam_review changed during the run** ({engine[0]} at the start, "
                       f"{engine[1]} at the end): the measurements mix two versions.")
    lines = [
        "# kam-review benchmark results", "",
        f"Run on {run_date} with `.venv/bin/python bench/run.py "
        f"--sizes {','.join(str(n) for n in sizes)}` ({seconds / 60:.0f} min in all). "
        "Every step ran in a fresh process; see bench/README.md for what each one measures. "
        f"At N <= 1,000 each step ran {repeat} times and the fastest run is shown; larger N "
        "ran once. "
        "A step that failed was run again (up to 5 times); the failures are in the notes. "
        f"Review date {AS_OF}; synthetic portfolios from bench/generate.py, seed {SEED}; "
        f"{engine_note}", "",
        "## Machine", "", "| | |", "|---|---|",
        *(f"| {k} | {v} |" for k, v in machine()), "",
        "## Measurements", "",
        "| step | N | wall s | CPU s | peak MiB | wall ms / account | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for n in sizes:
        for step in STEP_ORDER:
            m = _get(results, step, n)
            if m is None:
                continue
            notes = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                              for k, v in m.extra.items())
            per = f"{m.wall / n * 1000:.2f}" if m.ok and m.wall is not None else "-"
            lines.append(f"| {STEP_TITLES[step]} | {n:,} | {_cell(m.wall, m, 's')} | "
                         f"{_cell(m.cpu, m, 's')} | {_cell(m.peak_mib, m, 'MiB')} | {per} | "
                         f"{notes} |")
    lines += ["", "Peak MiB of the Python steps is the whole step process (what it loads "
              "before the clock starts included); of `kam check` and the site builds, the "
              "command's own peak RSS (`/usr/bin/time -v`).", "",
              "## Ratios to the floors (wall time)", "", "| ratio | value |", "|---|---:|",
              *(f"| {k} | {v} |" for k, v in ratios(results, sizes)), "",
              "## Targets", "", "| target | measured | |", "|---|---:|---|",
              *(f"| {t} | {m} | {v} |" for t, m, v in targets(results)), ""]
    return "\n".join(lines)


def _kept_profile(path: Path) -> str:
    """The hand-written '## Notes' and '## Profile' sections at the end of an existing results
    file, if any (from the first of them on)."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    found = [i for i in (text.find("\n## Notes"), text.find("\n## Profile")) if i >= 0]
    return text[min(found):].lstrip("\n") if found else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark kam-review against its floors.")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="portfolio sizes, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--quick", action="store_true", help="only N = 1,000 (a smoke test)")
    parser.add_argument("--date", default=date.today().isoformat(),
                        help="the date the run is reported as made (default today)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each step at N <= 1,000, the fastest reported (default "
                             "3); larger portfolios run once")
    parser.add_argument("--steps", default=",".join(STEP_ORDER),
                        help=f"steps to run, comma-separated (default all: "
                             f"{','.join(STEP_ORDER)})")
    parser.add_argument("--merge", type=Path, default=None,
                        help="a results.json of an earlier run: its measurements of the steps "
                             "and sizes not run now are reported too (their engine "
                             "fingerprint is in the notes)")
    parser.add_argument("--output", type=Path, default=None,
                        help="results file (default bench/RESULTS.md; with --quick "
                             "bench/out/RESULTS-quick.md)")
    args = parser.parse_args(argv)
    sizes = [1_000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",")]
    output = args.output or (OUT / "RESULTS-quick.md" if args.quick else BENCH / "RESULTS.md")
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    engine_start = engine_fingerprint()
    steps = frozenset(args.steps.split(","))
    unknown = steps - set(STEP_ORDER)
    if unknown:
        parser.error(f"unknown steps {', '.join(sorted(unknown))}")
    earlier = []
    if args.merge is not None:
        earlier = [Measure(**row) for row in json.loads(args.merge.read_text())]
    results: list[Measure] = []
    for n in sizes:
        results += measure_size(n, args.repeat if n <= 1_000 else 1, steps)
    done = {(m.step, m.n) for m in results}
    results += [m for m in earlier if (m.step, m.n) not in done]
    sizes = sorted(set(sizes) | {m.n for m in results})
    print("\nratios:")
    for name, value in ratios(results, sizes):
        print(f"  {name:60} {value}")
    print("targets:")
    for name, measured, verdict in targets(results):
        print(f"  {name:60} {measured:>28}  {verdict.strip('*')}")
    engine = (engine_start, engine_fingerprint())
    if engine[0] != engine[1]:
        print("warning: engine/kam_review changed during the run", flush=True)
    text = markdown(results, sizes, args.date, time.perf_counter() - start, args.repeat, engine)
    profile = _kept_profile(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + ("\n" + profile if profile else ""), encoding="utf-8")
    (OUT / "results.json").write_text(json.dumps([m.__dict__ for m in results], indent=1))
    print(f"\nwrote {output.relative_to(REPO) if output.is_relative_to(REPO) else output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
