"""The fast paths against the plain ones (KAM_FAST=0) and the floors, side by side in one run.

    .venv/bin/python bench/fast_paths.py --check 1000,10000 --site 100,1000

For each N of --check: `kam check --format json` cold (empty caches) and warm, fast and
plain, against the parse floor (read + yaml.load with CSafeLoader, one core); for each N of
--site: `mkdocs build` cold and warm, fast and plain, against the theme floor (the same
pages pre-written by `kam build`, built without the plugin: bench/run.py's floor (c)). Every
command runs in a fresh process; CPU (user + system, children included) and peak RSS come
from /usr/bin/time. The load average (uptime) before each row is recorded beside it: on a
shared machine it says how far the wall times can be trusted. The fast and plain outputs
are compared byte for byte (check output; the built sites' files). Writes a Markdown table
to standard output and bench/out/fast-paths.json.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # bench/ is no package: run.py is found through sys.path
    AS_OF,
    KAM,
    OUT,
    RULES,
    floor_site_config,
    portfolio,
    site_config,
)

PYTHON = Path(sys.executable)
TIME = "/usr/bin/time"
# The caches live outside the repository: kam-review uses no cache folder inside the git
# repository holding the accounts (bench/out is in it).
CACHES = Path(tempfile.gettempdir()) / "kam-review-bench-caches"


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run([TIME, "-f", "%U %S %M", *command], env=env, cwd=cwd,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    user, system, peak = done.stderr.strip().splitlines()[-1].split()
    return {"wall": wall, "cpu": float(user) + float(system), "peak_mib": int(peak) / 1024,
            "load": load, "code": done.returncode, "stdout": done.stdout}


def _env(fast: bool, cache: Path) -> dict[str, str]:
    return os.environ | {"KAM_FAST": "1" if fast else "0", "KAM_CACHE_DIR": str(cache),
                         "NO_MKDOCS_2_WARNING": "1"}


def check_rows(n: int) -> list[dict[str, Any]]:
    folder = portfolio(n)
    work = OUT / f"fast-check-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    floor = [str(PYTHON), "-c", "import sys, yaml, pathlib; [yaml.load(p.read_bytes(), "
             "Loader=yaml.CSafeLoader) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.yaml'))]",
             str(folder)]
    rows = [{"step": "parse floor: read + CSafeLoader, one core", "n": n,
             **_timed(floor, dict(os.environ), work)}]
    outputs = {}
    for fast in (False, True):
        cache = CACHES / f"check-{n}-{'fast' if fast else 'plain'}"
        shutil.rmtree(cache, ignore_errors=True)
        for run in ("cold", "warm"):
            command = [str(KAM), "check", "--as-of", AS_OF, "--format", "json", "--accounts",
                       str(folder), "--rules", str(RULES)]
            row = _timed(command, _env(fast, cache), work)
            outputs[(fast, run)] = row.pop("stdout")
            rows.append({"step": f"kam check {'fast' if fast else 'plain'} {run}", "n": n,
                         **row})
    same = len(set(outputs.values())) == 1
    for row in rows[1:]:
        row["same output"] = same
    return rows


def site_rows(n: int) -> list[dict[str, Any]]:
    folder = portfolio(n)
    work = OUT / f"fast-site-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = []
    floor = floor_site_config(n, folder, work)
    if floor is not None:
        rows.append({"step": "theme floor: mkdocs build of pre-written pages", "n": n,
                     **_timed([str(PYTHON), "-m", "mkdocs", "build", "-q", "-f", str(floor),
                               "-d", str(work / "floor")], dict(os.environ), work)})
    config = site_config(n, folder, work)
    sites = {}
    for fast in (False, True):
        cache = CACHES / f"site-{n}-{'fast' if fast else 'plain'}"
        shutil.rmtree(cache, ignore_errors=True)
        for run in ("cold", "warm"):
            target = work / f"site-{'fast' if fast else 'plain'}-{run}"
            row = _timed([str(PYTHON), "-m", "mkdocs", "build", "-q", "-f", str(config), "-d",
                          str(target)], _env(fast, cache), work)
            row.pop("stdout")
            sites[(fast, run)] = target
            rows.append({"step": f"site {'fast' if fast else 'plain'} {run}", "n": n, **row})
    reference = sites[(False, "cold")]
    same = all(_same_tree(reference, other) for other in sites.values())
    for row in rows[-4:]:
        row["same output"] = same
    return rows


def _same_tree(one: Path, other: Path) -> bool:
    names = sorted(str(p.relative_to(one)) for p in one.rglob("*") if p.is_file())
    if names != sorted(str(p.relative_to(other)) for p in other.rglob("*") if p.is_file()):
        return False
    return all(filecmp.cmp(one / name, other / name, shallow=False) for name in names)


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| step | N | wall s | CPU s | peak MiB | load (1 min) | same output |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        same = {True: "yes", False: "**no**"}.get(row.get("same output"), "")
        failed = "" if row["code"] == 0 else f" (exit {row['code']})"
        lines.append(f"| {row['step']}{failed} | {row['n']:,} | {row['wall']:.2f} | "
                     f"{row['cpu']:.2f} | {row['peak_mib']:.0f} | {row['load']:.2f} | {same} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", default="1000", help="N for kam check, comma-separated")
    parser.add_argument("--site", default="100", help="N for the site, comma-separated")
    options = parser.parse_args()
    sizes = [int(n) for n in options.check.split(",") if n]
    rows = [row for n in sizes for row in check_rows(n)]
    rows += [row for n in (int(n) for n in options.site.split(",") if n)
             for row in site_rows(n)]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "fast-paths.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
