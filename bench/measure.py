"""One command measured in a fresh process: wall and CPU seconds, peak memory, load average.

CPU (user + system) and the peak RSS of the largest process come from /usr/bin/time, whose
figures include the command's child processes (kam check's and the site's workers) once they
have ended. The memory of the whole process tree at once is sampled beside it: the command
runs in a session of its own, and every 0.25 s the proportional set size (PSS: a page shared
by a forked worker and its parent counts half to each) of the session's processes is summed;
the largest sum is the tree's peak. The 1-minute load average before the command is kept,
since on a shared machine it says how far a wall time can be trusted. A command is stopped
after TIMEOUT_S and may use 16 GiB of address space (bench/run.py's limit).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from run import _limit_memory  # bench/ is no package: run.py is found through sys.path

TIME = "/usr/bin/time"
SAMPLE_S = 0.25
TIMEOUT_S = 30 * 60
KIB_PER_MIB = 1024


def _session_pss_kib(session: int) -> int:
    """The summed PSS of every process of a session (0 for those gone while read)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            # Fields after the command name, which may hold spaces, in parentheses.
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) != session:
                continue
            for line in Path(entry.path, "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except (OSError, ValueError, IndexError):
            continue
    return total


class _TreeSampler(threading.Thread):
    """The peak of the summed PSS of one session, sampled until stopped."""

    def __init__(self, session: int) -> None:
        super().__init__(daemon=True)
        self.session, self.peak_kib = session, 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_kib = max(self.peak_kib, _session_pss_kib(self.session))
            self._done.wait(SAMPLE_S)

    def stop(self) -> None:
        self._done.set()
        self.join()


def timed(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          stdout: Path | None = None) -> dict[str, Any]:
    """Run a command (its standard output to the file `stdout`, else discarded) and measure
    it: wall, cpu (s), peak_mib (largest process), tree_mib (whole tree, sampled), load,
    code (exit status; None on timeout) and err (the end of its standard error)."""
    load = os.getloadavg()[0]
    sink = open(stdout, "wb") if stdout is not None else open(os.devnull, "wb")  # noqa: SIM115
    start = time.perf_counter()
    with sink:
        process = subprocess.Popen([TIME, "-f", "kam-bench %U %S %M", *command], env=env,
                                   cwd=cwd, stdout=sink, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True, preexec_fn=_limit_memory)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        try:
            _, err = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, err = process.communicate()
            process.returncode = None
        finally:
            sampler.stop()
    wall = time.perf_counter() - start
    lines = err.strip().splitlines()
    figures = [line.split()[1:] for line in lines if line.startswith("kam-bench ")]
    user, system, peak = figures[-1] if figures else ("nan", "nan", "0")
    return {"wall": wall, "cpu": float(user) + float(system),
            "peak_mib": int(peak) / KIB_PER_MIB, "tree_mib": sampler.peak_kib / KIB_PER_MIB,
            "load": load, "code": process.returncode,
            "err": "\n".join(line for line in lines if not line.startswith("kam-bench "))[-600:]}
