"""Issue 15's benchmark: the fast paths against their floors at every size, in one run.

    .venv/bin/python bench/issue15.py [--sizes 100,1000,10000,100000] [--steps ...] [--quick]

For each N it measures, every command in a fresh process (bench/measure.py: wall and CPU
seconds, peak memory of the largest process and of the whole process tree, load average):

  floor-parse  read + yaml.load(CSafeLoader) of the N files, one core (every N)
  check        `kam check --format json` cold (empty caches) and warm, and the text output
               warm (every N)
  check-plain  the same with KAM_FAST=0 (N <= --plain-max)
  site         `mkdocs build` of the site cold and warm (N <= --site-max)
  site-plain   the same with KAM_FAST=0 (N <= --plain-max)
  floor-theme  the same pages built by MkDocs from their finished HTML (bench/theme_floor.py)
  edit         the one-edit rebuild: one figure of one account changed after a full build,
               rebuilt by kam serve's LiveSite (bench/edit_rebuild.py)

The outputs of the fast and plain paths are compared byte for byte, the floor's site with
the site, and the edited rebuild with a clean plain build of the edited files. Writes the
report (bench/issue15_report.py) to standard output, bench/out/issue15.md and
bench/out/issue15.json; with --record also into bench/RESULTS.md between its markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from issue15_report import Row, record, report, same_tree
from kam_review.output.output_folder import MARKER
from measure import timed
from run import (  # bench/ is no package: its modules are found through sys.path
    AS_OF,
    KAM,
    OUT,
    RULES,
    _mkdocs_env,
    engine_fingerprint,
    floor_site_config,
    portfolio,
    site_config,
)

BENCH = Path(__file__).resolve().parent
PYTHON = Path(sys.executable)
STEPS = ("floor-parse", "check", "check-plain", "site", "site-plain", "floor-theme", "edit")
SIZES = (100, 1_000, 10_000, 100_000)
# The caches live outside the repository: kam-review uses no cache folder inside the git
# repository holding the accounts (bench/out is in it).
CACHES = Path(tempfile.gettempdir()) / "kam-review-bench-caches"
PARSE_FLOOR = ("import sys, yaml, pathlib\n"
               "for path in sorted(pathlib.Path(sys.argv[1]).glob('*.yaml')):\n"
               "    yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)\n")


def _env(fast: bool, cache: Path, **extra: str) -> dict[str, str]:
    return _mkdocs_env() | {"KAM_FAST": "1" if fast else "0", "KAM_CACHE_DIR": str(cache),
                            **extra}


def _row(step: str, n: int, measured: dict[str, Any], **notes: Any) -> Row:
    err = measured.pop("err")
    failed = err.strip().splitlines()[-1:] if measured["code"] != 0 else []
    return Row(step=step, n=n, **measured, failed=failed, **notes)


def _path(fast: bool) -> str:
    return "fast" if fast else "plain"


def check_rows(n: int, folder: Path, work: Path, steps: set[str], plain: bool) -> list[Row]:
    rows = []
    if "floor-parse" in steps:
        rows.append(_row("floor-parse", n, timed([str(PYTHON), "-c", PARSE_FLOOR,
                                                  str(folder)], cwd=work)))
    outputs: dict[tuple[str, str], bytes] = {}
    for fast in (True, False):
        if ("check" if fast else "check-plain") not in steps or not (fast or plain):
            continue
        cache = CACHES / f"check-{n}-{_path(fast)}"
        shutil.rmtree(cache, ignore_errors=True)
        base = [str(KAM), "check", "--as-of", AS_OF, "--accounts", str(folder), "--rules",
                str(RULES), "--quiet"]
        for run, formats in (("cold", ["--format", "json"]), ("warm", ["--format", "json"]),
                             ("warm text", [])):
            out = work / f"check-{_path(fast)}-{run.replace(' ', '-')}.out"
            rows.append(_row(f"check {_path(fast)} {run}", n,
                             timed([*base, *formats], env=_env(fast, cache), cwd=work,
                                   stdout=out)))
            outputs[(_path(fast), run)] = out.read_bytes()
    for row in rows:
        if row.step.startswith("check"):
            text = row.step.endswith("text")
            # Compared: JSON with JSON, text with text; a text output alone is compared with
            # nothing.
            group = [v for (_, run), v in outputs.items() if (run == "warm text") == text]
            row.same = len(set(group)) == 1 if len(group) > 1 else None
    return rows


def _site_command(config: Path, target: Path) -> list[str]:
    return [str(PYTHON), "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(target)]


def _working_copy(folder: Path, work: Path) -> Path:
    """The portfolio as hard links: an edit replaces a file and leaves the original alone."""
    accounts = work / "accounts"
    shutil.copytree(folder, accounts, copy_function=os.link)
    return accounts


def edit_one_figure(path: Path) -> str:
    """Raise the last revenue figure of an account file by 1,000, writing a new file (not
    through a hard link); the change, as a sentence."""
    text = path.read_text(encoding="utf-8")
    last = list(re.finditer(r"^(\s*revenue: )(\d+)$", text, re.M))[-1]
    figure = int(last.group(2))
    edited = f"{text[:last.start(2)]}{figure + 1_000}{text[last.end(2):]}"
    path.unlink()
    path.write_text(edited, encoding="utf-8")
    return f"{path.name}: revenue {figure:,} -> {figure + 1_000:,}"


def rebuild_after_edit(config: Path, target: Path, env: dict[str, str],
                       account: Path) -> tuple[dict[str, Any], str]:
    """Edit one figure of `account` after a full build, and measure the rebuild from the
    edit until the rebuilt files are on disk, as `kam serve` makes it (bench/edit_rebuild.py,
    in a fresh process that builds the site first, untimed); (the measurement, the change)."""
    load = os.getloadavg()[0]
    done = subprocess.run([str(PYTHON), str(BENCH / "edit_rebuild.py"), str(config),
                           str(target), str(account)], env=env, cwd=target.parent,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"code": done.returncode, "err": done.stderr[-600:], "load": load}, "failed"
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    kind = "incremental" if figures["incremental"] else "full (not incremental)"
    return ({"wall": figures["wall"], "cpu": figures["cpu"], "peak_mib": figures["peak_mib"],
             "load": load, "code": 0, "err": ""}, f"{figures['change']}; {kind}")


def site_rows(n: int, folder: Path, work: Path, steps: set[str], plain: bool) -> list[Row]:
    accounts = _working_copy(folder, work)
    config = site_config(n, accounts, work)
    fast_cache = CACHES / f"site-{n}-fast"
    rows: list[Row] = []
    sites: dict[str, Path] = {}
    warm = False
    for fast in (True, False):
        if ("site" if fast else "site-plain") not in steps or not (fast or plain):
            continue
        cache = CACHES / f"site-{n}-{_path(fast)}"
        shutil.rmtree(cache, ignore_errors=True)
        for run in ("cold", "warm"):
            target = work / f"site-{_path(fast)}-{run}"
            rows.append(_row(f"site {_path(fast)} {run}", n, timed(
                _site_command(config, target), env=_env(fast, cache), cwd=work)))
            sites[f"{_path(fast)} {run}"] = target
        warm = warm or fast
    first = next(iter(sites.values()), None)
    for row in rows:
        row.same = all(same_tree(first, other) for other in sites.values()) if first else None
    if {"floor-theme", "edit"} & steps and not warm:  # untimed: the caches filled
        shutil.rmtree(fast_cache, ignore_errors=True)
        timed(_site_command(config, work / "site-prepare"), env=_env(True, fast_cache),
              cwd=work)
    if "floor-theme" in steps:
        rows.append(theme_floor_row(n, accounts, work, config, fast_cache))
    if "edit" in steps:
        rows.append(edit_row(n, accounts, work, config, fast_cache, plain))
    return rows


def theme_floor_row(n: int, accounts: Path, work: Path, config: Path, cache: Path) -> Row:
    """Record the site's finished pages (a warm build, untimed), then time the floor."""
    recorded = work / "floor-recorded"
    hook = str(BENCH / "theme_floor.py")
    recording = _with_hook(config, hook, work / "mkdocs-record.yml")
    made = timed(_site_command(recording, work / "site-recorded"),
                 env=_env(True, cache, KAM_BENCH_FLOOR=f"record:{recorded}"), cwd=work)
    floor = floor_site_config(n, accounts, work)
    if made["code"] != 0 or floor is None:
        return Row(step="floor-theme", n=n, code=made["code"] or 1,
                   failed=["recording the pages or writing them with kam build failed"])
    replay = _with_hook(floor, hook, floor)
    row = _row("floor-theme", n, timed(_site_command(replay, work / "site-floor"),
                                       env=_env(True, cache,
                                                KAM_BENCH_FLOOR=f"replay:{recorded}"),
                                       cwd=work))
    # The floor builds without the plugin, which marks the folders it builds into.
    row.same = same_tree(work / "site-recorded", work / "site-floor", ignore={MARKER})
    return row


def _with_hook(config: Path, hook: str, path: Path) -> Path:
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["hooks"] = [*data.get("hooks", []), hook]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def edit_row(n: int, accounts: Path, work: Path, config: Path, cache: Path,
             plain: bool) -> Row:
    """The one-edit rebuild, and (N <= --plain-max) its site against a clean plain build."""
    target = work / "site-edit"
    measured, change = rebuild_after_edit(config, target, _env(True, cache),
                                          accounts / f"acct-{max(1, n // 2):06d}.yaml")
    row = _row("edit", n, measured, note=change)
    if plain:
        clean = CACHES / f"site-{n}-clean"
        shutil.rmtree(clean, ignore_errors=True)
        done = timed(_site_command(config, work / "site-clean"), env=_env(False, clean),
                     cwd=work)
        row.same = done["code"] == 0 and same_tree(target, work / "site-clean")
    return row


def measure_size(n: int, steps: set[str], site_max: int, plain_max: int,
                 keep: bool = False) -> list[Row]:
    print(f"N = {n:,}", file=sys.stderr, flush=True)
    folder = portfolio(n)
    work = OUT / f"issue15-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    plain = n <= plain_max
    rows = check_rows(n, folder, work, steps, plain)
    if n <= site_max:
        rows += site_rows(n, folder, work, steps, plain)
    for row in rows:
        print(f"  {row.step:22} {row.wall:8.2f} s wall {row.cpu:8.2f} s CPU "
              f"{row.tree_mib:6.0f} MiB{'' if row.code == 0 else ' FAILED'}",
              file=sys.stderr, flush=True)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES),
                        help="portfolio sizes, comma-separated (default 100,1000,10000,100000)")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"steps, comma-separated (default all: {','.join(STEPS)})")
    parser.add_argument("--quick", action="store_true",
                        help="N = 100 only, every step: a smoke test of the benchmark")
    parser.add_argument("--site-max", type=int, default=10_000,
                        help="the largest N the site steps run at (default 10,000)")
    parser.add_argument("--plain-max", type=int, default=1_000,
                        help="the largest N the plain path (KAM_FAST=0) runs at (default "
                             "1,000); above it the outputs are compared fast cold with warm")
    parser.add_argument("--record", action="store_true",
                        help="also write the report into bench/RESULTS.md between its "
                             "issue-15 markers")
    parser.add_argument("--keep", action="store_true",
                        help="keep each N's outputs and built sites in bench/out/issue15-N")
    args = parser.parse_args(argv)
    sizes = [100] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",")]
    steps = set(args.steps.split(","))
    if steps - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(steps - set(STEPS)))}")
    OUT.mkdir(parents=True, exist_ok=True)
    # Whatever else runs kam-review (kam build for the floor) keeps its cache here too.
    os.environ["KAM_CACHE_DIR"] = str(CACHES / "other")
    engine = engine_fingerprint()
    # The largest portfolio first: the smaller ones are its first files (hard links).
    portfolio(max(sizes))
    rows = [row for n in sorted(sizes) for row in measure_size(n, steps, args.site_max,
                                                              args.plain_max, args.keep)]
    text = report(rows, engine, engine_fingerprint(), args.site_max, args.plain_max)
    print(text)
    (OUT / "issue15.md").write_text(text, encoding="utf-8")
    (OUT / "issue15.json").write_text(Row.dump(rows), encoding="utf-8")
    if args.record:
        record(BENCH / "RESULTS.md", text)
    return 0 if all(row.code == 0 and row.same is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
