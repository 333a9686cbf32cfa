"""`kam import` reading exports: the mapping checked, every bad cell reported with its file,
row, column and value while the other rows import, lines summed per quarter, stage values
mapped, closed quarters kept, and each preset imported into a copy of the sample."""

from __future__ import annotations

import difflib
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kam_review.cli import main
from kam_review.source.exports.cell_readers import reader
from kam_review.source.exports.cells import day, quarter
from kam_review.source.exports.mapping import Mapping
from kam_review.source.model import Quarter

from .conftest import ACCOUNTS, REPO

PRESETS = REPO / "examples" / "imports"

MAPPING = """\
system: erp
currency: CNY
stages: {Won: closed, 方案/报价: initiated, Talking: intent}
tables:
  - file: accounts.csv
    kind: accounts
    columns: {key: Code, name: Customer, owner: Manager}
  - file: lines.csv
    kind: revenue_lines
    columns: {account: Code, date: Invoice date, revenue: Net, cost: Cost}
  - file: deals.csv
    kind: opportunities
    columns: {key: Deal, account: Code, name: Title, stage: Phase, value: Amount}
"""
ACCOUNT = """\
id: acme
name: Acme
owner: Li Wei
currency: CNY
external_ids: {erp: C1}
financials:
  - {quarter: 2026-Q2, revenue: 100, cost: 70}
  - {quarter: 2026-Q3, revenue: 120, cost: 80}
"""


def kam_import(folder: Path, *files: str, extra: tuple[str, ...] = (),
               mapping: str = MAPPING) -> Result:
    (folder / "mapping.yaml").write_text(mapping, encoding="utf-8")
    return CliRunner().invoke(main, ["import", *(str(folder / name) for name in files),
                                     "--mapping", str(folder / "mapping.yaml"), "--accounts",
                                     str(folder / "accounts"), *extra])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "acme.yaml").write_text(ACCOUNT, encoding="utf-8")
    return tmp_path


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def _with_table(file: str, kind: str, columns: str) -> str:
    return MAPPING + f"  - file: {file}\n    kind: {kind}\n    columns: {columns}\n"


def _acme(folder: Path) -> str:
    return (folder / "accounts" / "acme.yaml").read_text(encoding="utf-8")


def test_a_bad_cell_names_file_row_column_and_value_and_the_other_rows_import(
        folder: Path) -> None:
    _write(folder, "deals.csv", "Deal,Code,Title,Phase,Amount\n"
                                "D1,C1,Scanners,Talking,5000\n"
                                "D2,C1,Tablets,Talking,n/a\n"
                                "D3,C1,Printers,Lost somewhere,100\n")
    run = kam_import(folder, "deals.csv", extra=("--write",))
    assert run.exit_code == 2
    assert "deals.csv:3:5: Amount: expected a number, got 'n/a'" in run.stderr
    assert "deals.csv:4:4: Phase: not a known stage: map it under the mapping's stages" \
        in run.stderr
    assert "got 'Lost somewhere'" in run.stderr
    text = _acme(folder)
    assert "  - id: d1\n    name: Scanners\n    stage: intent\n" in text
    assert "Tablets" not in text and "Printers" not in text


def test_lines_are_summed_per_quarter_by_date(folder: Path) -> None:
    # The last day of Q3 and the first of Q4 fall in different quarters.
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\n"
                                "C1,2026-09-30,20,10\nC1,2026-10-01,7.5,5\n"
                                "C1,2026-10-15,\"1,000.25\",400\nC1,2026-07-01,100,70\n")
    run = kam_import(folder, "lines.csv", extra=("--as-of", "2026-09-30", "--overwrite",
                                                 "--write"))
    assert run.exit_code == 0, run.output
    assert "  - {quarter: 2026-Q3, revenue: 120, cost: 80}\n" in _acme(folder)
    assert _acme(folder).endswith("  - {quarter: 2026-Q4, revenue: 1007.75, cost: 405}\n")


def test_credit_notes_are_negative_lines_of_their_quarter(folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\n"
                                "C1,2026-11-01,500,300\nC1,2026-11-20,-120,-70\n"
                                "C1,2027-01-05,-10,-5\n")
    run = kam_import(folder, "lines.csv", "lines.csv", extra=("--as-of", "2026-12-01",
                                                              "--write"))
    assert run.exit_code == 2
    # Named at the quarter's line and the figure's column, not the account's first row.
    assert "lines.csv:4:3: Net: account C1: the lines of 2027-Q1 sum to revenue -10, cost -5, " \
           "below zero: the quarter is not imported" in run.stderr
    # Named twice, the file is read once: 500 - 120, not twice that.
    assert _acme(folder).endswith("  - {quarter: 2026-Q4, revenue: 380, cost: 230}\n")


@pytest.mark.parametrize(("as_of", "code", "revenue"), [
    ("2026-09-30", 0, 125),  # the quarter's last day: still open, the figure is updated
    ("2026-10-01", 1, 120),  # the day after: closed, a conflict, the file's figure stays
])
def test_a_closed_quarter_figure_is_a_conflict(folder: Path, as_of: str, code: int,
                                               revenue: int) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-08-01,125,80\n")
    run = kam_import(folder, "lines.csv", extra=("--as-of", as_of, "--write"))
    assert run.exit_code == code, run.output
    assert f"  - {{quarter: 2026-Q3, revenue: {revenue}, cost: 80}}\n" in _acme(folder)
    if code:
        assert ("conflict: acme 2026-Q3 revenue: the file holds CN¥120, the export CN¥125; the "
                "quarter is closed") in run.stdout


def test_overwrite_replaces_a_closed_quarter_figure(folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-08-01,125,80\n")
    run = kam_import(folder, "lines.csv", extra=("--as-of", "2026-10-01", "--overwrite",
                                                 "--write"))
    assert run.exit_code == 0, run.output
    assert "  - {quarter: 2026-Q3, revenue: 125, cost: 80}\n" in _acme(folder)
    assert "1 figure changed" in run.stdout


def test_a_dry_run_prints_the_diff_and_writes_nothing(folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-01,50,30\n")
    run = kam_import(folder, "lines.csv", extra=("--as-of", "2026-11-02"))
    assert run.exit_code == 0
    assert _acme(folder) == ACCOUNT
    assert "+  - {quarter: 2026-Q4, revenue: 50, cost: 30}\n" in run.stdout
    assert "1 quarter added" in run.stdout and "Nothing written (a dry run)" in run.stdout


def test_write_replaces_only_files_that_change_and_leaves_no_temporary_file(
        folder: Path) -> None:
    other = folder / "accounts" / "other.yaml"
    other.write_text(ACCOUNT.replace("acme", "other").replace("C1", "C2"), encoding="utf-8")
    stamp = other.stat().st_mtime_ns
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-01,50,30\n")
    assert kam_import(folder, "lines.csv", extra=("--write",)).exit_code == 0
    assert other.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in (folder / "accounts").iterdir()) == ["acme.yaml", "other.yaml"]
    again = kam_import(folder, "lines.csv", extra=("--write",))
    assert "Nothing to change" in again.stdout


def test_a_new_account_needs_a_name_and_owner(folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC9,2026-08-01,50,30\n"
                                "C9,2026-08-02,60,30\n")
    _write(folder, "deals.csv", "Deal,Code,Title,Phase,Amount\nO-9,C9,Pilot,Talking,80\n")
    run = kam_import(folder, "deals.csv", "lines.csv")
    assert run.exit_code == 2
    # One error for the account, naming every row left out with it, in each file.
    (error,) = [line for line in run.stderr.splitlines() if "account C9" in line]
    assert "deals.csv:2:1: account C9 is in no account file" in error
    assert "gives no name and owner to start one (import its accounts table too); left out " \
           "with it: 1 row of " in error and ", 2 rows of " in error
    # An accounts table that names the owner but not the customer says which is missing.
    _write(folder, "owners.csv", "Code,Manager\nC9,Zhou Lan\n")
    run = kam_import(folder, "owners.csv", mapping=_with_table("owners.csv", "accounts",
                                                               "{key: Code, owner: Manager}"))
    assert "gives no name to start one" in run.stderr
    _write(folder, "accounts.csv", "Code,Customer,Manager\nC9,Nine Ltd,Zhou Lan\n")
    run = kam_import(folder, "accounts.csv", "lines.csv", extra=("--write",))
    assert run.exit_code == 0, run.output
    created = (folder / "accounts" / "erp-c9.yaml").read_text(encoding="utf-8")
    assert "id: erp-c9\nname: Nine Ltd\nowner: Zhou Lan\ncurrency: CNY\n" in created
    assert "external_ids: {erp: C9}\n" in created
    # Without customer_since its years count from the export's first quarter: it says so.
    assert "erp-c9: created without customer_since (the export maps no column to it)" \
        in run.stdout
    assert "acme: created without" not in run.stdout  # updated, not created


def test_a_new_account_with_its_first_order_is_not_told_to_add_it(folder: Path) -> None:
    _write(folder, "accounts.csv", "Code,Customer,Manager,Since\nC9,Nine Ltd,Zhou Lan,"
                                   "2019-03-01\n")
    dated = MAPPING.replace("owner: Manager}", "owner: Manager, customer_since: Since}")
    run = kam_import(folder, "accounts.csv", extra=("--summary-markdown",), mapping=dated)
    assert run.exit_code == 0, run.output
    assert "**erp-c9** (new)" in run.stdout and "created without" not in run.stdout
    run = kam_import(folder, "accounts.csv", extra=("--summary-markdown",))
    assert "**erp-c9**: created without customer_since" in run.stdout


def test_two_accounts_of_the_export_never_change_one_file(folder: Path) -> None:
    (folder / "accounts" / "erp-c9.yaml").write_text(ACCOUNT.replace("acme", "erp-c9")
                                                     .replace("C1", "OTHER"), encoding="utf-8")
    mapping = MAPPING.replace("{key: Code, name:", "{key: Code, id: Slug, name:")
    _write(folder, "accounts.csv", "Code,Slug,Customer,Manager\nC1,acme,Acme,Li Wei\n"
                                   "C7,acme,Acme again,Li Wei\nC9,,Nine Ltd,Zhou Lan\n")
    run = kam_import(folder, "accounts.csv", mapping=mapping, extra=("--write",))
    assert run.exit_code == 2
    assert "accounts.csv:3:1: account C7 would change" in run.stderr
    assert "which account C1 changes too: give it its own id" in run.stderr
    # A new account's file name is taken by an account of another key: refused, not merged.
    assert "account C9 would change" in run.stderr and "which holds another account" \
        in run.stderr
    assert "Nine Ltd" not in (folder / "accounts" / "erp-c9.yaml").read_text(encoding="utf-8")


def test_an_account_in_another_currency_is_not_updated(folder: Path) -> None:
    (folder / "accounts" / "acme.yaml").write_text(ACCOUNT.replace("CNY", "USD"),
                                                   encoding="utf-8")
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\nC1,2026-11-01,50,30\n")
    run = kam_import(folder, "lines.csv", extra=("--write",))
    assert run.exit_code == 2
    assert "the export's money is in CNY" in run.stderr
    assert _acme(folder) == ACCOUNT.replace("CNY", "USD")


def test_a_display_name_is_refused_as_the_key(folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\n")
    run = kam_import(folder, "lines.csv", mapping=MAPPING.replace("key: Code", "key: Customer"))
    assert run.exit_code == 2
    assert ("tables[0].columns.key: 'Customer' is a display name, not a key" in run.stderr)
    # Whatever its header, the column the table's names are in is no key either.
    run = kam_import(folder, "lines.csv", mapping=MAPPING.replace("key: Code", "key: Manager")
                     .replace("owner: Manager", "owner: Manager, name: Manager")
                     .replace("name: Customer, ", ""))
    assert "tables[0].columns.key: 'Manager' is a display name, not a key" in run.stderr


def test_an_ambiguous_header_is_used_only_when_mapped(folder: Path) -> None:
    contacts = _with_table("people.csv", "contacts", "{account: Code, title: Title}")
    _write(folder, "people.csv", "Code,Name,Title\nC1,Wang Fang,Buyer\n")
    run = kam_import(folder, "people.csv", mapping=contacts)
    assert run.exit_code == 2
    assert ("people.csv:1:1: name: no column for name in this contacts table; 'Name' is "
            "ambiguous (whose name?): map it explicitly, columns: {name: Name}") in run.stderr
    run = kam_import(folder, "people.csv", mapping=contacts.replace(
        "{account: Code, title: Title}", "{account: Code, name: Name, title: Title}"))
    assert run.exit_code == 0, run.output
    assert "+  - name: Wang Fang\n+    title: Buyer\n" in run.stdout


def test_a_mapping_that_breaks_its_schema_is_reported_with_its_line(folder: Path) -> None:
    _write(folder, "lines.csv", "Code,Invoice date,Net,Cost\n")
    run = kam_import(folder, "lines.csv", mapping=MAPPING.replace("kind: revenue_lines",
                                                                  "kind: invoices"))
    assert run.exit_code == 2
    assert "mapping.yaml:9:5: tables[1].kind: expected one of accounts" in run.stderr


def test_an_unmapped_stage_history_deal_is_an_error(folder: Path) -> None:
    history = _with_table("history.csv", "stage_history",
                          "{opportunity: Deal, stage: Phase, entered: Day}")
    _write(folder, "history.csv", "Deal,Phase,Day\nD7,Won,2026-08-01\n")
    run = kam_import(folder, "history.csv", mapping=history)
    assert run.exit_code == 2
    assert "history.csv:2:1: Deal: no deal 'D7' in the import's opportunities" in run.stderr


def test_the_stage_history_of_a_deal_left_out_says_why(folder: Path) -> None:
    """A deal whose row has errors is left out, and its history with it: the history's rows
    say so, pointing at the deal's row, not that the export has no such deal."""
    history = _with_table("history.csv", "stage_history",
                          "{opportunity: Deal, stage: Phase, entered: Day}")
    _write(folder, "deals.csv", "Deal,Code,Title,Phase,Amount\n"
                                "D1,C1,Scanners,Talking,5000\n"
                                "D2,C1,Tablets,Talking,n/a\n")
    _write(folder, "history.csv", "Deal,Phase,Day\nD2,Talking,2026-08-01\n"
                                  "D1,Talking,2026-08-01\nD7,Won,2026-08-01\n")
    run = kam_import(folder, "deals.csv", "history.csv", mapping=history)
    assert run.exit_code == 2
    assert "deals.csv:3:5: Amount: expected a number, got 'n/a'" in run.stderr
    assert (f"history.csv:2:1: Deal: the deal 'D2' is not imported ({folder}/deals.csv:3 has "
            "errors), so its stage history is left out with it") in run.stderr
    assert "history.csv:4:1: Deal: no deal 'D7' in the import's opportunities" in run.stderr
    assert "history.csv:3:" not in run.stderr


def test_a_gb18030_export_with_chinese_headers(folder: Path) -> None:
    mapping = ("system: erp\nencoding: gb18030\ntables:\n  - file: 回款.csv\n"
               "    kind: quarters\n"
               "    columns: {account: 客户编号, quarter: 季度, revenue: 收入}\n")
    (folder / "回款.csv").write_bytes("客户编号,季度,收入\nC1,2026年第4季度,88\n".encode("gb18030"))
    run = kam_import(folder, "回款.csv", mapping=mapping, extra=("--write",))
    assert run.exit_code == 0, run.output
    assert _acme(folder).endswith("  - {quarter: 2026-Q4, revenue: 88}\n")
    # Read as UTF-8, the same bytes are refused with the way out.
    run = kam_import(folder, "回款.csv", mapping=mapping.replace("encoding: gb18030\n", ""))
    assert "回款.csv:1:1: the file is not utf-8 text (set the mapping's encoding" in run.stderr


@pytest.mark.parametrize(("written", "expected"), [
    ("2026-Q3", Quarter(2026, 3)), ("2026Q4", Quarter(2026, 4)), ("Q1 2027", Quarter(2027, 1)),
    ("2026年第三季度", Quarter(2026, 3)), ("2026年第2季度", Quarter(2026, 2)),
])
def test_quarters_as_exports_write_them(written: str, expected: Quarter) -> None:
    assert quarter(written) == expected


def test_epoch_milliseconds_read_in_the_time_zone_given() -> None:
    # 2026-10-01 07:00 in China is 2026-09-30 23:00 UTC: another quarter.
    stamp = "1790809200000"
    assert day(stamp, ("epoch_ms",)) == date(2026, 9, 30)
    assert day(stamp, ("epoch_ms+08:00",)) == date(2026, 10, 1)
    with pytest.raises(ValueError, match="expected a date as %Y-%m-%d"):
        day("30/09/2026", ("%Y-%m-%d",))


PRESET_RUNS = {
    "salesforce": ["Account.csv", "Contact.csv", "Opportunity.csv", "OpportunityHistory.csv",
                   "erp-revenue-by-quarter.xlsx"],
    "hubspot": ["companies.csv", "deals-internal.csv", "deals-zh.csv"],
    "fxiaoke": ["AccountObj.csv", "NewOpportunityObj.csv", "ContactObj.csv",
                "SalesOrderObj.xlsx", "ActiveRecordObj.csv"],
}


def test_every_preset_file_is_imported() -> None:
    for preset, files in PRESET_RUNS.items():
        shipped = {p.name for p in (PRESETS / preset).iterdir() if p.name != "mapping.yaml"}
        assert shipped == set(files), preset


@pytest.mark.parametrize("preset", sorted(PRESET_RUNS))
def test_each_preset_updates_the_sample_and_a_second_import_changes_nothing(
        preset: str, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    args = ["import", *(str(PRESETS / preset / name) for name in PRESET_RUNS[preset]),
            "--mapping", str(PRESETS / preset / "mapping.yaml"), "--accounts", str(accounts),
            "--as-of", "2026-10-09", "--write"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "0 accounts updated" not in first.stdout
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "Nothing to change" in second.stdout
    check = CliRunner().invoke(main, ["check", "--accounts", str(accounts), "--as-of",
                                      "2026-10-09", "--format", "json", "--no-cache"])
    assert check.exit_code == 0, check.output
    assert '"errors": []' in check.stdout


def test_the_summary_for_a_pull_request(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    run = CliRunner().invoke(main, [
        "import", *(str(PRESETS / "hubspot" / name) for name in PRESET_RUNS["hubspot"]),
        "--mapping", str(PRESETS / "hubspot" / "mapping.yaml"), "--accounts", str(accounts),
        "--as-of", "2026-10-09", "--summary-markdown"])
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("## Import from hubspot\n\n8 rows read: 0 accounts created, "
                                 "3 accounts updated, 0 quarters added, 2 figures changed, "
                                 "3 deals moved, 1 deal added")
    assert ("- **lanting-hotels** (updated): deals moved keycard-encoders-rollout intent -> "
            "recognition; deals added guest-room-tablets-pilot at intent; fields "
            "external_ids") not in run.stdout  # external_ids added is not a changed field
    assert "deals moved keycard-encoders-rollout intent -> recognition" in run.stdout
    # Figures as a reader reads them, in the account's currency: not 4200000 -> 4350000.
    assert ("- **hanhai-retail** (updated): figures pos-refresh-2027 value CN¥4.2M -> "
            "CN¥4.35M, service-renewal-2026 probability 95% -> 100%;") in run.stdout
    assert run.stdout.endswith("Next: `kam check` reviews the portfolio with these figures.\n")


@pytest.mark.parametrize("preset", ["salesforce", "fxiaoke"])
def test_the_summary_lists_accounts_by_id_with_each_quarter_s_revenue(
        tmp_path: Path, preset: str) -> None:
    accounts = tmp_path / "accounts"
    shutil.copytree(ACCOUNTS, accounts)
    run = CliRunner().invoke(main, [
        "import", *(str(PRESETS / preset / name) for name in PRESET_RUNS[preset]),
        "--mapping", str(PRESETS / preset / "mapping.yaml"), "--accounts", str(accounts),
        "--as-of", "2026-10-09", "--summary-markdown"])
    assert run.exit_code in (0, 1), run.output
    listed = [line.split("**")[1] for line in run.stdout.splitlines() if line.startswith("- **")]
    assert len(listed) > 1 and listed == sorted(listed), listed
    if preset == "salesforce":
        assert "- **beichen-education** (updated): quarters added 2026-Q3 (revenue CN¥240K)" \
            in run.stdout


def test_an_import_into_a_file_kam_new_wrote(tmp_path: Path) -> None:
    """The template's empty lists (`opportunities: []`) and comments take the new data."""
    accounts = tmp_path / "accounts"
    assert CliRunner().invoke(main, ["new", "acme", "--accounts", str(accounts)]).exit_code == 0
    before = (accounts / "acme.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "accounts.csv", "Code,Slug\nC1,acme\n")
    _write(tmp_path, "deals.csv", "Deal,Code,Title,Phase,Amount\nD1,C1,Scanners,Talking,5000\n")
    mapping = MAPPING.replace("{key: Code, name: Customer, owner: Manager}",
                              "{key: Code, id: Slug}")
    run = kam_import(tmp_path, "accounts.csv", "deals.csv", mapping=mapping,
                     extra=("--write",))
    assert run.exit_code == 0, run.output
    after = (accounts / "acme.yaml").read_text(encoding="utf-8")
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert [line.split("#")[0].rstrip() for line in removed] == ["opportunities: []"]
    assert added[0] == "external_ids: {erp: C1}"
    assert added[-5:] == ["  - id: d1", "    name: Scanners", "    stage: intent",
                          f"    stage_since: {date.today().isoformat()}", "    value: 5000"]
    check = CliRunner().invoke(main, ["check", "--accounts", str(accounts), "--no-cache"])
    assert check.exit_code == 0, check.output


def test_a_new_owner_hands_the_old_one_to_the_history(folder: Path) -> None:
    """An export that names another owner is a change of key people: the one before goes
    into owner_history, handed over by the import's day, as a hand-written change would."""
    _write(folder, "accounts.csv", "Code,Customer,Manager\nC1,Acme,Zhou Lan\n")
    run = kam_import(folder, "accounts.csv", extra=("--as-of", "2026-10-09", "--write"))
    assert run.exit_code == 0, run.output
    text = _acme(folder)
    assert "owner: Zhou Lan\nowner_history:\n  - {name: Li Wei, to: 2026-10-09}\n" in text
    # The same owner again changes nothing.
    again = kam_import(folder, "accounts.csv", extra=("--as-of", "2026-10-10", "--write"))
    assert again.exit_code == 0 and _acme(folder) == text


@pytest.mark.parametrize(("percent", "cell", "read"), [
    (True, "40", 0.4), (True, "40%", 0.4), (False, "40%", 0.4), (False, " 35 ％", 0.35),
    (False, "0.4", 0.4), (True, 40, 0.4), (False, "100%", 1)])
def test_a_probability_written_with_a_percent_sign_reads_as_a_percentage(
        percent: bool, cell: object, read: float) -> None:
    """CRM exports often write "40%": its sign says its scale, whatever the mapping says
    (probability: percent, or a fraction of 1)."""
    mapping = Mapping(Path("mapping.yaml"), "crm", (), percent=percent)
    assert reader("probability", mapping, "opportunities")(cell) == read


def test_a_probability_over_100_percent_is_refused() -> None:
    mapping = Mapping(Path("mapping.yaml"), "crm", ())
    with pytest.raises(ValueError, match="from 0 to 100"):
        reader("probability", mapping, "opportunities")("140%")


def test_a_deal_kept_by_hand_is_matched_by_name_not_added_again(folder: Path) -> None:
    """The first import of deals into a file whose deal was written by hand, under an id of
    its own: the export's deal of the same name (case and blanks aside) updates it; one of
    another name is added."""
    (folder / "accounts" / "acme.yaml").write_text(ACCOUNT + """\
opportunities:
  - {id: pos-refresh, name: POS  Refresh, stage: intent, stage_since: 2026-08-01, value: 100}
""", encoding="utf-8")
    _write(folder, "deals.csv", "Deal,Code,Title,Phase,Amount\nO-101,C1,pos refresh,Talking,"
                                "150\nO-102,C1,Scanners,Talking,80\n")
    run = kam_import(folder, "deals.csv", extra=("--as-of", "2026-10-09", "--write"))
    assert run.exit_code == 0, run.output
    text = _acme(folder)
    assert text.count("id: pos-refresh") == 1 and "id: o-101" not in text
    assert "value: 150" in text and "id: o-102" in text
    assert "deals matched by name (the file's id kept; give the file's deal the export's id " \
           "to match by it) o-101 as pos-refresh" in run.stdout
