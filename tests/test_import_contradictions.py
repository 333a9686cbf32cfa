"""`kam import` never guesses: an export whose rows contradict each other, a number it cannot
read for certain, a revenue line that could not be read, or UTF-8 read under another
encoding is reported, and what depends on it is not imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from kam_review.source.exports.cells import number

from .test_import_exports import _acme, _with_table, _write, folder, kam_import

__all__ = ["folder"]  # the fixture, used by name

QUARTERS = _with_table("quarters*.csv", "quarters",
                       "{account: Code, quarter: Quarter, revenue: Net}")


@pytest.mark.parametrize(("written", "read"), [
    ("1234", 1234), ("1,234.50", 1234.5), ("1 234", 1234), ("1\u00a0234\u00a0567", 1234567),
    ("-120", -120), ("1.2E+07", 12000000), ("¥5,000", 5000), ("5000 CNY", 5000),
    ("RMB 5,000.25", 5000.25), ("0.5", 0.5),
])
def test_numbers_an_export_writes(written: str, read: float) -> None:
    assert number(written, "CNY") == read


@pytest.mark.parametrize(("written", "problem"), [
    # A comma before decimals, stripped, would make the amount 100 or 1,000 times larger.
    ("95000,50", "expected a number such as 1234.5 or 1,234.50 (a point before decimals)"),
    ("1.234,50", "a point before decimals"), ("1 234,56", "a point before decimals"),
    ("1,2,3", "a point before decimals"), ("12,34", "a point before decimals"),
    ("n/a", "expected a number"), ("TBD", "expected a number"),
    ("USD 5,000", "the amount is in USD, not the mapping's currency CNY"),
    ("$5,000", "the amount is in USD/HKD/SGD/AUD/CAD, not the mapping's currency CNY"),
    ("HK$ 100", "the amount is in HKD"),
])
def test_numbers_read_otherwise_are_refused(written: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")
                       .replace("$", r"\$").replace(".", r"\.")):
        number(written, "CNY")


@pytest.mark.parametrize(("line", "problem"), [
    ('C1,2026-11-02,"95000,50",10', "2:3: Net: expected a number such as 1234.5 or 1,234.50 "
     "(a point before decimals), got '95000,50'"),
    # A date that reads, in a year the account files have no quarters for, is a slip: the
    # line may belong to any quarter, this one included.
    ("C1,0202-11-02,5,2", "2:2: Invoice date: expected a year from 1900 to 2199, the years "
     "of the account files' quarters, got '0202-11-02'"),
])
def test_a_line_that_cannot_be_read_is_named_and_the_quarter_not_imported(
        folder: Path, line: str, problem: str) -> None:
    _write(folder, "lines.csv", f"Code,Invoice date,Net,Cost\n{line}\nC1,2026-11-03,100,50\n")
    run = kam_import(folder, "lines.csv", extra=("--as-of", "2026-12-01", "--write"))
    assert run.exit_code == 2
    assert f"lines.csv:{problem}" in run.stderr
    # The other line of its quarter is not written as the quarter's revenue: said at the
    # cell that could not be read.
    cell = ": ".join(problem.split(": ")[:2])
    assert (f"lines.csv:{cell}: account C1: the revenue lines of 2026-Q4 are not imported: "
            "this line may be one of them, and could not be read") in run.stderr
    assert "2026-Q4" not in _acme(folder)


def test_a_line_whose_date_cannot_be_read_keeps_every_quarter_of_its_account_out(
        folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\n"
                                "C1,2026-09-31,20,10\nC1,2026-11-03,100,50\n"
                                "C2,2026-11-03,7,5\n")
    _write(folder, "accounts.csv", "Code,Customer,Manager\nC2,Beta,Zhou Lan\n")
    run = kam_import(folder, "lines.csv", "accounts.csv",
                     extra=("--as-of", "2026-12-01", "--write"))
    assert run.exit_code == 2
    assert "lines.csv:2:2: Invoice date: expected a date as %Y-%m-%d, got '2026-09-31'" \
        in run.stderr
    assert ("lines.csv:2:2: Invoice date: account C1: the revenue lines of 2026-Q4 are not "
            "imported" in run.stderr)
    assert "2026-Q4" not in _acme(folder)
    # Another account's lines are not in doubt.
    beta = (folder / "accounts" / "erp-c2.yaml").read_text(encoding="utf-8")
    assert "quarter: 2026-Q4" in beta and "revenue: 7" in beta


def test_a_quarter_exported_twice_is_not_added_up(folder: Path) -> None:
    _write(folder, "quarters.csv", "Code,Quarter,Net\nC1,2026-Q4,4000\nC1,2026Q4,4000\n"
                                   "C1,2027-Q1,10\n")
    run = kam_import(folder, "quarters.csv", mapping=QUARTERS,
                     extra=("--as-of", "2026-12-01", "--write"))
    assert run.exit_code == 2
    assert ("quarters.csv:3:2: Quarter: 2026-Q4 of account C1 is also on "
            f"{folder / 'quarters.csv'}:2: a quarters table gives a quarter once, and not "
            "beside revenue lines; the quarter is not imported") in run.stderr.replace(
                str(folder.resolve()), str(folder))
    assert "2026-Q4" not in _acme(folder) and "8000" not in _acme(folder)
    assert _acme(folder).endswith("  - {quarter: 2027-Q1, revenue: 10}\n")


def test_a_quarter_given_by_lines_and_by_a_quarters_table_is_not_added_up(
        folder: Path) -> None:
    _write(folder, "quarters.csv", "Code,Quarter,Net\nC1,2026-Q4,4000\n")
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-03,100,50\n")
    run = kam_import(folder, "quarters.csv", "lines.csv", mapping=QUARTERS,
                     extra=("--as-of", "2026-12-01", "--write"))
    assert run.exit_code == 2
    assert "lines.csv:2:2: Invoice date: 2026-Q4 of account C1 is also on" in run.stderr
    assert "2026-Q4" not in _acme(folder)


def test_two_rows_that_say_otherwise_of_one_account_or_deal_are_named(folder: Path) -> None:
    _write(folder, "accounts.csv", "Code,Customer,Manager\nC1,Acme,Sun Yue\n"
                                   "C1,Acme,Sun Yue\nC1,Acme,Zhou Lan\n")
    _write(folder, "deals.csv", "Deal,Code,Title,Phase,Amount\nX1,C1,Pilot,Talking,100000\n"
                                "X1,C1,Pilot (bigger),Talking,250000\n")
    run = kam_import(folder, "accounts.csv", "deals.csv", extra=("--write",))
    assert run.exit_code == 2
    text = run.stderr.replace(str(folder.resolve()), str(folder))
    # A row repeated as it was is no contradiction; one that says otherwise is.
    assert "accounts.csv:3" not in text
    assert (f"accounts.csv:4:3: Manager: owner is 'Zhou Lan' here but 'Sun Yue' on "
            f"{folder / 'accounts.csv'}:2 for the same account C1: the row is not imported"
            in text)
    assert (f"deals.csv:3:3: Title: name is 'Pilot (bigger)' here but 'Pilot' on "
            f"{folder / 'deals.csv'}:2 for the same deal X1: the row is not imported" in text)
    acme = _acme(folder)
    assert "owner: Sun Yue" in acme and "Zhou Lan" not in acme
    assert "name: Pilot\n" in acme and "250000" not in acme


def test_a_utf8_export_is_read_as_utf8_beside_a_gb18030_one(folder: Path) -> None:
    mapping = ("system: erp\nencoding: gb18030\ntables:\n"
               "  - file: 回款.csv\n    kind: quarters\n"
               "    columns: {account: 客户编号, quarter: 季度, revenue: 收入}\n"
               "  - file: contacts.csv\n    kind: contacts\n"
               "    columns: {account: Code, name: Name, title: Title}\n")
    (folder / "回款.csv").write_bytes("客户编号,季度,收入\nC1,2026年第4季度,88\n".encode("gb18030"))
    _write(folder, "contacts.csv", "Code,Name,Title\nC1,张伟,运营总监\nC1,李娜,采购经理\n")
    run = kam_import(folder, "回款.csv", "contacts.csv", mapping=mapping, extra=("--write",))
    assert run.exit_code == 0, run.output
    acme = _acme(folder)
    assert "name: 张伟" in acme and "title: 运营总监" in acme and "name: 李娜" in acme
    assert "  - {quarter: 2026-Q4, revenue: 88}\n" in acme


def test_text_yaml_would_read_otherwise_is_written_quoted(folder: Path) -> None:
    """A key No (a boolean to YAML 1.1) or 0123 (octal) is written quoted, and the new file
    is read back as the export's text."""
    _write(folder, "accounts.csv", "Code,Customer,Manager\nNo,Nordic Oy,Li Wei\n"
                                   "0123,Octal Ltd,Zhou Lan\n")
    run = kam_import(folder, "accounts.csv", extra=("--write",))
    assert run.exit_code == 0, run.output
    written = {path.name: path.read_text(encoding="utf-8")
               for path in (folder / "accounts").glob("erp-*.yaml")}
    assert 'external_ids: {erp: "No"}' in written["erp-no.yaml"]
    assert 'external_ids: {erp: "0123"}' in written["erp-0123.yaml"]
