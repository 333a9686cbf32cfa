"""The helpers of issue 15's benchmark (bench/issue15.py): the edit it times, the cost per
account it calls flat, and where it records its report. No benchmark runs here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))

from generate import account_yaml, make_account
from issue15 import edit_one_figure
from issue15_report import END, START, Row, growth, record, same_tree, targets


def test_the_edit_raises_the_last_revenue_figure_and_leaves_a_linked_original(
        tmp_path: Path) -> None:
    original = tmp_path / "acct-000007.yaml"
    original.write_text(account_yaml(make_account(7)), encoding="utf-8")
    linked = tmp_path / "copy.yaml"
    os.link(original, linked)
    before = linked.read_text(encoding="utf-8")
    last = [line for line in before.splitlines() if line.strip().startswith("revenue: ")][-1]
    figure = int(last.split(": ")[1])

    change = edit_one_figure(linked)

    after = linked.read_text(encoding="utf-8")
    assert change == f"copy.yaml: revenue {figure:,} -> {figure + 1_000:,}"
    assert after == before.replace(last, last.replace(str(figure), str(figure + 1_000)))
    assert original.read_text(encoding="utf-8") == before


def _rows(step: str, cpu_by_n: dict[int, float]) -> list[Row]:
    return [Row(step=step, n=n, wall=cpu, cpu=cpu) for n, cpu in cpu_by_n.items()]


@pytest.mark.parametrize(("cpu_at_10000", "flat"), [(110.0, True), (111.0, False)])
def test_cost_per_account_is_flat_up_to_a_tenth_more_per_step(cpu_at_10000: float,
                                                                 flat: bool) -> None:
    rows = _rows("check fast cold", {1_000: 10.0, 10_000: cpu_at_10000, 100: 5.0})
    [(step, costs, largest)] = growth(rows)
    assert (step, costs) == ("check fast cold", [(100, 50.0), (1_000, 10.0),
                                                 (10_000, cpu_at_10000 / 10)])
    assert largest == pytest.approx(cpu_at_10000 / 100)
    verdict = dict((name, met) for name, _, met in targets(rows))
    assert verdict["cost per account flat as N grows (CPU; each step <= 1.10x)"] is flat


def test_a_failed_row_counts_for_no_target() -> None:
    rows = [Row(step="check fast cold", n=10_000, wall=4.0, cpu=4.0, code=1)]
    verdict = dict((name, met) for name, _, met in targets(rows))
    assert verdict["kam check of 10,000 < 5 s cold"] is None


def test_the_report_goes_between_the_markers_and_nowhere_else(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(f"# before\n{START}\nold\n{END}\nafter\n", encoding="utf-8")
    record(results, "new table\n")
    record(results, "newer table\n")
    assert results.read_text(encoding="utf-8") == f"# before\n{START}\nnewer table\n{END}\nafter\n"


def test_same_tree_compares_bytes_and_names_but_the_ignored(tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    for folder in (one, other):
        (folder / "a").mkdir(parents=True)
        (folder / "a" / "page.html").write_bytes(b"<p>1</p>")
    (one / ".marker").write_text("")
    assert not same_tree(one, other)
    assert same_tree(one, other, ignore={".marker"})
    (other / "a" / "page.html").write_bytes(b"<p>2</p>")
    assert not same_tree(one, other, ignore={".marker"})
