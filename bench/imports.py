"""How fast `kam import` reads and maps exports (rows per second; target 10,000 or more) and
what its YAML round trip costs per account file. Prints a Markdown section for RESULTS.md.

    python bench/imports.py [--rows 50000] [--repeat 3]

Read and map: a generated CSV of invoice lines (account key, date, net, cost) and one of
deals (seven columns, a stage value map), read through a mapping and summed per quarter,
best of --repeat runs. Round trip, per file, over the sample accounts: ruamel.yaml's load
(finding the indentation that writes the file back byte for byte) and dump alone; then the
whole update of one file: load, merge a new quarter, dump, and the check of the new text as
`kam check` reads it.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from kam_review.output.importing import roundtrip
from kam_review.output.importing.merge import Settings
from kam_review.output.importing.plan import plan_import
from kam_review.source.exports.mapper import read_exports
from kam_review.source.exports.mapping import load_mapping

REPO = Path(__file__).resolve().parents[1]
MAPPING = """\
system: bench
currency: CNY
stages: {Prospecting: target, Qualification: opportunity, Needs Analysis: intent,
         Negotiation/Review: negotiation, Closed Won: closed, Closed Lost: lost}
tables:
  - file: lines.csv
    kind: revenue_lines
    columns: {account: Account, date: Invoice date, revenue: Net, cost: Cost}
  - file: deals.csv
    kind: opportunities
    columns: {key: Id, account: AccountId, name: Name, stage: StageName, value: Amount,
              probability: Probability, expected_close: CloseDate}
"""


def _exports(folder: Path, rows: int) -> list[Path]:
    chance = random.Random(1)
    start = date(2025, 1, 1)
    with (folder / "lines.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Account", "Invoice date", "Net", "Cost", "Invoice"])
        for n in range(rows):
            out.writerow([f"C{chance.randrange(2000):05d}",
                          (start + timedelta(days=chance.randrange(640))).isoformat(),
                          f"{chance.uniform(100, 90000):.2f}", f"{chance.uniform(50, 60000):.2f}",
                          f"INV-{n:07d}"])
    stages = ["Prospecting", "Qualification", "Needs Analysis", "Negotiation/Review",
              "Closed Won", "Closed Lost"]
    with (folder / "deals.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Id", "AccountId", "Name", "StageName", "Amount", "Probability",
                      "CloseDate"])
        for n in range(rows // 5):
            out.writerow([f"006{n:012d}", f"C{chance.randrange(2000):05d}", f"Deal {n}",
                          chance.choice(stages), chance.randrange(10_000, 5_000_000),
                          f"{chance.random():.2f}", "2027-03-31"])
    return [folder / "lines.csv", folder / "deals.csv"]


def _best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        exports = _exports(folder, options.rows)
        (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
        mapping, errors = load_mapping(folder / "mapping.yaml")
        assert mapping is not None, errors
        rows = options.rows + options.rows // 5
        data = read_exports(exports, mapping)
        assert not data.errors and data.rows == rows, data.errors[:3]
        read = _best(options.repeat, lambda: read_exports(exports, mapping))

        samples = sorted((REPO / "accounts").glob("*.yaml"))
        texts = [path.read_text(encoding="utf-8") for path in samples]
        load = _best(options.repeat, lambda: [roundtrip.load(text) for text in texts])
        trips = [roundtrip.load(text) for text in texts]
        dump = _best(options.repeat, lambda: [trip.dump() for trip in trips if trip])

        accounts = folder / "accounts"
        shutil.copytree(REPO / "accounts", accounts)
        (folder / "q4.csv").write_text(
            "Account,Invoice date,Net,Cost\n" + "".join(
                f"{path.stem},2026-11-02,1000,700\n" for path in samples), encoding="utf-8")
        by_id = MAPPING.replace(
            "file: lines.csv", "file: q4.csv")
        (folder / "mapping.yaml").write_text(by_id.replace(
            "  - file: deals.csv", "  - file: accounts-by-id.csv\n    kind: accounts\n"
            "    columns: {key: Id, id: Id}\n  - file: deals.csv"), encoding="utf-8")
        (folder / "accounts-by-id.csv").write_text(
            "Id\n" + "".join(f"{path.stem}\n" for path in samples), encoding="utf-8")
        update_mapping, errors = load_mapping(folder / "mapping.yaml")
        assert update_mapping is not None, errors
        update_data = read_exports([folder / "accounts-by-id.csv", folder / "q4.csv"],
                                   update_mapping)
        settings = Settings("bench", None, date(2026, 11, 3), overwrite=False)
        plan = plan_import(update_data, accounts, settings)
        assert len(plan.files) == len(samples) and not plan.errors, plan.errors[:3]
        update = _best(options.repeat, lambda: plan_import(update_data, accounts, settings))

    files = len(samples)
    print("## kam import (bench/imports.py)\n")
    print(f"Read and map: {rows:,} rows (CSV invoice lines and deals) in {read:.3f} s, "
          f"**{rows / read:,.0f} rows/s** (target: 10,000 rows/s or more).\n")
    print(f"YAML round trip over the {files} sample accounts, per file: load "
          f"{load / files * 1000:.1f} ms, dump {dump / files * 1000:.1f} ms; a whole update "
          f"(find the file, load, merge a new quarter, dump, check the new text as kam check "
          f"reads it) {update / files * 1000:.1f} ms per file. `--write` then writes only "
          "the files that change.")


if __name__ == "__main__":
    main()
