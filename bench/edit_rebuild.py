"""The one-edit rebuild as `kam serve` makes it, measured in a process of its own.

    python bench/edit_rebuild.py MKDOCS_YML SITE_DIR ACCOUNT_FILE

Builds the site with kam serve's LiveSite (untimed), raises one revenue figure of
ACCOUNT_FILE (issue15.edit_one_figure), rebuilds, and prints one line of JSON: the rebuild's
wall and CPU seconds (this process, any workers it waited for, and the child processes that
live on, such as kam serve's page helper, read from /proc), whether it was incremental, the
peak memory of the process (the full build included) and the change.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kam_review.website.incremental import LiveSite


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
            + _living_children_cpu())


def _living_children_cpu() -> float:
    """The CPU seconds of this process's children still running (getrusage counts a child
    only once it has ended and been waited for); 0 where /proc does not tell."""
    pid = os.getpid()
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = 0
    for child in children:
        try:
            stat = Path(f"/proc/{child}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2:].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


def main(config: str, site_dir: str, account: str) -> int:
    from issue15 import edit_one_figure

    site = LiveSite(Path(config), Path(site_dir))
    site.build()
    change = edit_one_figure(Path(account))
    cpu, start = _cpu(), time.perf_counter()
    site.rebuild([Path(account)])
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall": wall, "cpu": _cpu() - cpu, "peak_mib": peak_kib / 1024,
                      "incremental": site.incremental_builds == 1, "change": change}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
