"""Money on the pages: each account's amounts in its own currency, portfolio totals one per
currency unless a rates file converts them (and then the page names the rates and their
date), dates in one readable form that tables still sort by the day."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.review.evaluate import evaluate
from kam_review.review.results import Result
from kam_review.rulebook.loading import Rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.source.rates import Rates
from kam_review.website.pages import render_pages

from .conftest import AS_OF, RULES, healthy_account, write_account

RATES = Rates("CNY", date(2026, 9, 30), {"USD": 7.0}, "site/rates.yaml")


def _us_account() -> dict[str, Any]:
    account = healthy_account() | {"id": "us-account", "name": "US Account Inc",
                                   "currency": "USD"}
    account["opportunities"][0]["value"] = 300_000
    return account


def _review(tmp_path: Path, rulebook: Rulebook, *accounts: dict[str, Any],
            formats: LocaleFormat = ENGLISH) -> Result:
    folder = tmp_path / "accounts"
    folder.mkdir(exist_ok=True)
    for account in accounts:
        write_account(folder, account)
    return evaluate(load_portfolio(folder), rulebook, AS_OF, formats=formats)


def _row(page: str, first_cell: str) -> str:
    return next(line for line in page.splitlines() if line.startswith(f"| {first_cell} |"))


def test_an_account_page_writes_amounts_in_its_currency(tmp_path: Path,
                                                        rulebook: Rulebook) -> None:
    pages = render_pages(_review(tmp_path, rulebook, healthy_account(), _us_account()))
    ours, theirs = pages["accounts/test-account.md"], pages["accounts/us-account.md"]
    assert "| Revenue, last 4 quarters | CN¥4.25M (+6.2% over a year) |" in ours
    assert "| Revenue, last 4 quarters | $4.25M (+6.2% over a year) |" in theirs
    assert "| 2026-Q3 | $1.1M | $770K | 30% |" in theirs
    assert "| Open pipeline | 1 deal, $300K |" in theirs
    assert "Planned growth: +10% a year." in theirs
    # Readable dates, sorted by the day: 20270331 sorts after 20261231 as a number.
    assert '<span data-sort="20270331">Mar 31, 2027</span>' in _row(theirs, "POS refresh")


def test_units_and_inventory_are_columns_only_where_a_quarter_reports_them(
        tmp_path: Path, rulebook: Rulebook) -> None:
    """Rows of dashes on every account that reports neither would only hide the figures."""
    gap = healthy_account() | {"id": "gap", "name": "Gap"}
    gap["financials"] = [row for row in gap["financials"] if row["quarter"] != "2026-Q2"]
    stocked = healthy_account() | {"id": "stocked", "name": "Stocked"}
    stocked["financials"][-1] |= {"units": 2480, "inventory": 2_100_000}
    pages = render_pages(_review(tmp_path, rulebook, gap, stocked))
    plain, with_stock = pages["accounts/gap.md"], pages["accounts/stocked.md"]
    assert "| Quarter | Revenue | Cost | Gross margin |\n" in plain
    assert _row(plain, "2026-Q3") == "| 2026-Q3 | CN¥1.1M | CN¥770K | 30% |"
    assert _row(plain, "2026-Q2") == "| 2026-Q2 | no row: unknown | — | — |"
    assert "| Quarter | Revenue | Cost | Gross margin | Units | Inventory |\n" in with_stock
    assert _row(with_stock, "2026-Q3") == "| 2026-Q3 | CN¥1.1M | CN¥770K | 30% | 2,480 | CN¥2.1M |"
    assert _row(with_stock, "2026-Q2") == "| 2026-Q2 | CN¥1.08M | CN¥756K | 30% | — | — |"


def test_an_unknown_revenue_is_not_ranked_as_zero(tmp_path: Path, rulebook: Rulebook) -> None:
    """An account without a row for a quarter of the last four has no revenue to rank: no
    ABC class, no bar, said by name above the charts; the others are ranked among
    themselves."""
    gap = healthy_account() | {"id": "gap", "name": "Gap <em>Ltd</em> [x](http://evil.example)"}
    gap["financials"] = [row for row in gap["financials"] if row["quarter"] != "2026-Q2"]
    pages = render_pages(_review(tmp_path, rulebook, healthy_account(), gap))
    overview = pages["index.md"]
    pareto = overview.split("## Pareto (ABC) analysis", 1)[1].split("\n## ", 1)[0]
    # The name as text, inert: no markup, no link (as every name on the page is written).
    assert "Not ranked, their revenue of the last 4 quarters unknown (a quarter without a " \
           "row): Gap &lt;em&gt;Ltd&lt;/em&gt; &#91;x&#93;(http://evil.example)." in pareto
    assert "<em>" not in pareto and "Gap &lt;em&gt;Ltd&lt;/em&gt; &#91;x&#93;(http://evil." \
        "example):" not in pareto  # no bar of its own
    assert "Test Account Ltd: CN¥4.25M, 100% cumulative, class A" in pareto
    accounts = overview.split("\n## Accounts\n", 1)[1]
    heads = _row(accounts, "Account").strip("| ").split(" | ")
    abc = heads.index("ABC")
    gap_row = next(line for line in accounts.splitlines() if "(accounts/gap.md)" in line)
    assert gap_row.strip("| ").split(" | ")[abc] == "—"
    ours = _row(accounts, "[Test Account Ltd](accounts/test-account.md)")
    assert ours.strip("| ").split(" | ")[abc] == "A"


def test_quarters_before_a_customers_first_row_are_left_out_and_said(
        tmp_path: Path, rulebook: Rulebook) -> None:
    """A customer since 2020 whose rows start in 2025-Q3 (a new ERP): the portfolio's
    earlier quarters leave it out, and say so, as they say it of a gap; a customer that
    began later is not missing from the quarters before it began."""
    short = healthy_account() | {"id": "short", "name": "Short Ltd"}
    short["financials"] = [row for row in short["financials"] if row["quarter"] >= "2025-Q3"]
    late = healthy_account() | {"id": "late", "name": "Late Ltd", "customer_since": "2025-07-01"}
    late["financials"] = [row for row in late["financials"] if row["quarter"] >= "2025-Q3"]
    overview = render_pages(_review(tmp_path, rulebook, healthy_account(), short, late))[
        "index.md"]
    note = next(line for line in overview.splitlines()
                if line.startswith("Sums of the rows on file: "))
    # Named, so that a reader knows which bars are short and of whom.
    assert note.startswith("Sums of the rows on file: 2024-Q4 leaves out 1 account (Short Ltd) "
                           "without a row for it; 2025-Q1 leaves out 1 account (Short Ltd)")
    assert "2025-Q3" not in note
    # Data completeness says where each account's rows start.
    data = overview.split("## Data completeness", 1)[1]
    heads = _row(data, "Account").strip("| ").split(" | ")
    first = heads.index("First quarter")
    assert _row(data, "[Short Ltd](accounts/short.md)").strip("| ").split(" | ")[first] \
        == "2025-Q3"


def test_the_resellers_figures_show_on_a_resellers_page_only(tmp_path: Path,
                                                               rulebook: Rulebook) -> None:
    """Seed 000's stock figures come from a reseller's own sales and stock: an account that
    reports none has no rows of dashes for them; one that does has them all."""
    reseller = healthy_account() | {"id": "reseller", "name": "Reseller Ltd"}
    for row in reseller["financials"]:
        row |= {"inventory": 350_000, "resale_revenue": 1_250_000, "resale_cost": 1_000_000}
    pages = render_pages(_review(tmp_path, rulebook, healthy_account(), reseller))
    labels = ("| Days of supply (working days) |", "| GMROII |",
              "| Inventory turnover (per year) |")
    ours = pages["accounts/test-account.md"].split("## Figures", 1)[1].split("\n## ", 1)[0]
    theirs = pages["accounts/reseller.md"].split("## Figures", 1)[1].split("\n## ", 1)[0]
    assert not any(label in ours for label in labels)
    assert all(label in theirs for label in labels), theirs[:600]
    assert "| ROI |" in ours and "| Share of wallet |" in ours  # every account's rows


def test_the_cards_link_counts_the_findings_it_leads_to(tmp_path: Path,
                                                        rulebook: Rulebook) -> None:
    account = healthy_account()
    account["contacts"][2]["left_on"] = "2026-08-31"  # a warning, and advice besides
    result = _review(tmp_path, rulebook, account)
    page = render_pages(result)["accounts/test-account.md"]
    found = re.search(r'<a href="#findings">all (\d+) open findings below</a>', page)
    assert found is not None, page[:2000]
    assert int(found[1]) == len(result.accounts[0].open_findings)
    assert "## Findings {#findings}" in page
    # Without a warning, the list below (class, focus, advice) is for information.
    (tmp_path / "quiet").mkdir()
    quiet = _review(tmp_path / "quiet", rulebook, healthy_account())
    page = render_pages(quiet)["accounts/test-account.md"]
    count = len(quiet.accounts[0].open_findings)
    assert f'No open warning. The <a href="#findings">{count} findings</a> below are for ' \
           "information." in page


def test_without_rates_totals_are_per_currency(tmp_path: Path, rulebook: Rulebook) -> None:
    pages = render_pages(_review(tmp_path, rulebook, healthy_account(), _us_account()))
    note = ("The accounts keep their figures in CNY and USD: totals are shown per currency (a "
            "rates file in the site's configuration converts them into one).")
    assert note in pages["index.md"] and note in pages["funnel.md"]
    assert "| 3. Confirmed intent | account manager | 2 | CN¥2M<br>$300K | CN¥600K<br>$90K |" \
        in pages["funnel.md"]
    for title in ("Revenue, last 4 quarters (CNY): Pareto curve",
                  "Revenue, last 4 quarters (USD): Pareto curve", "Portfolio revenue (USD)",
                  "Opportunity funnel (USD)"):
        assert f'aria-label="{title}"' in pages["index.md"] + pages["funnel.md"], title
    # Each currency's accounts are ranked among themselves: each is class A of its own.
    for link in ("[US Account Inc](accounts/us-account.md)",
                 "[Test Account Ltd](accounts/test-account.md)"):
        assert "30%</span> | A |" in _row(pages["index.md"], link)


def test_rates_convert_totals_and_the_page_names_them(tmp_path: Path,
                                                      rulebook: Rulebook) -> None:
    pages = render_pages(_review(tmp_path, rulebook, healthy_account(), _us_account()),
                         rates=RATES)
    note = ("Totals are in CNY, at the exchange rates of Sep 30, 2026 (1 USD = 7 CNY, from "
            "site/rates.yaml); each account's own figures stay in its currency.")
    assert note in pages["index.md"] and note in pages["funnel.md"]
    # 2M + 300K x 7 = 4.1M, weighted 600K + 90K x 7 = 1.23M.
    assert ('| 3. Confirmed intent | account manager | 2 | <span data-sort="4100000">CN¥4.1M'
            '</span> | <span data-sort="1230000">CN¥1.23M</span> |') in pages["funnel.md"]
    assert "(USD)" not in pages["index.md"]
    # The forecast adds up as every other total of the page: converted, one table.
    assert "| intent | 有意向的 | 2 | CN¥4.1M | CN¥1.23M |" in pages["funnel.md"]
    assert "### USD" not in pages["funnel.md"] and "USD: " not in pages["funnel.md"]
    # The accounts table shows each revenue in its currency and sorts it by its worth in CNY.
    row = _row(pages["index.md"], "[US Account Inc](accounts/us-account.md)")
    assert '<span data-sort="29750000">$4.25M</span>' in row


def test_a_currency_without_a_rate_is_totalled_apart(tmp_path: Path,
                                                     rulebook: Rulebook) -> None:
    euro = healthy_account() | {"id": "eu-account", "currency": "EUR"}
    pages = render_pages(_review(tmp_path, rulebook, healthy_account(), _us_account(), euro),
                         rates=RATES)
    assert "site/rates.yaml has no rate for EUR: its amounts are totalled apart." in \
        pages["funnel.md"]
    assert "CN¥4.1M<br>€2M" in _row(pages["funnel.md"], "3. Confirmed intent")


def test_one_currency_needs_no_note(tmp_path: Path, rulebook: Rulebook) -> None:
    pages = render_pages(_review(tmp_path, rulebook, healthy_account()))
    assert "totals are shown per currency" not in pages["index.md"]
    assert "Totals are in" not in pages["funnel.md"]


def test_the_default_currency_and_the_locale_reach_every_figure(tmp_path: Path,
                                                                rulebook: Rulebook) -> None:
    account = healthy_account()
    del account["currency"]
    result = _review(tmp_path, rulebook, account, formats=LocaleFormat("zh", "CNY"))
    pages = render_pages(result)
    assert pages["index.md"].splitlines()[5] == "# Portfolio review as of 2026年9月30日"
    page = pages["accounts/test-account.md"]
    assert "| 2026-Q3 | ¥110万 | ¥77万 | 30% |" in page
    loyal = next(f for f in result.accounts[0].findings if f.rule == "class.loyal")
    assert "+6.2%" in loyal.message
    assert "| percentage points | -2.1个百分点 |" in pages["rules.md"]


def test_the_charts_of_the_overview_have_tables(tmp_path: Path, rulebook: Rulebook) -> None:
    page = render_pages(_review(tmp_path, rulebook, healthy_account()))["index.md"]
    assert page.count('<details class="kam-chart-data">') == page.count("<svg ") == 4
    assert "<caption>Strategic focus matrix</caption>" in page
    assert re.search(r"<td>Test Account Ltd</td><td>4</td><td>4</td><td>Key</td>"
                     r"<td>loyal</td><td>CN¥4.25M</td>", page)


@pytest.mark.parametrize(("args", "expected"), [
    (["--currency", "RMB"], "'RMB' is not an ISO 4217 currency code"),
    (["--currency", "usd"], "'usd' is not an ISO 4217 currency code"),
])
def test_a_bad_default_currency_is_a_usage_error(args: list[str], expected: str) -> None:
    result = CliRunner().invoke(main, ["check", "--rules", str(RULES), "--as-of", str(AS_OF),
                                       *args])
    assert result.exit_code == 2
    assert expected in result.output


def test_the_default_currency_applies_to_accounts_that_name_none(tmp_path: Path) -> None:
    account = healthy_account()
    del account["currency"]
    account["opportunities"][0].update(stage="closed", expected_close="2026-09-01")
    write_account(tmp_path, account)
    run = CliRunner().invoke(main, ["check", "--accounts", str(tmp_path), "--rules", str(RULES),
                                    "--as-of", str(AS_OF), "--currency", "HKD"])
    assert "its HK$2M is forecast" in run.output
    plain = CliRunner().invoke(main, ["check", "--accounts", str(tmp_path), "--rules",
                                      str(RULES), "--as-of", str(AS_OF)])
    assert "its 2M is forecast" in plain.output


def test_kam_build_converts_with_a_rates_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts"
    accounts.mkdir()
    write_account(accounts, healthy_account())
    write_account(accounts, _us_account())
    rates = tmp_path / "rates.yaml"
    rates.write_text("base: CNY\ndate: 2026-09-30\nrates: {USD: 7}\n", encoding="utf-8")
    args = ["build", str(tmp_path / "out"), "--accounts", str(accounts), "--rules", str(RULES),
            "--as-of", str(AS_OF), "--rates", str(rates)]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 0, run.output
    assert "(1 USD = 7 CNY, from " in (tmp_path / "out" / "funnel.md").read_text(encoding="utf-8")
    rates.write_text("base: CNY\ndate: 2026-09-31\nrates: {USD: 7}\n", encoding="utf-8")
    run = CliRunner().invoke(main, [*args[:1], str(tmp_path / "again"), *args[2:]])
    assert run.exit_code == 2
    assert "rates.yaml:2:1: date: expected a real date written YYYY-MM-DD, got '2026-09-31'" \
        in run.output


def test_a_portfolio_without_a_valid_account_still_has_its_pages(tmp_path: Path,
                                                                  rulebook: Rulebook) -> None:
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    pages = render_pages(_review(tmp_path, rulebook), rates=RATES)
    assert "Strategic focus matrix: No data" in pages["index.md"]
    assert "Portfolio revenue: No data" in pages["index.md"]
    assert "Target group: 0 deals, CN¥0" in pages["funnel.md"]


def test_unknown_growth_is_said_in_words_beside_the_revenue(tmp_path: Path,
                                                           rulebook: Rulebook) -> None:
    account = healthy_account()
    account["financials"] = [q for q in account["financials"] if q["quarter"] != "2026-Q3"]
    page = render_pages(_review(tmp_path, rulebook, account))["accounts/test-account.md"]
    assert _row(page, "Revenue, last 4 quarters") == \
        "| Revenue, last 4 quarters | — (growth over a year unknown) |"


def test_a_quarter_short_of_many_accounts_names_three_and_counts_the_rest(
        tmp_path: Path, rulebook: Rulebook) -> None:
    accounts = [healthy_account()]  # its rows go back to 2024-Q4
    for i, name in enumerate(("Delta", "alpha", "Charlie", "Bravo", "Echo")):
        account = healthy_account() | {"id": f"short-{i}", "name": name}
        account["financials"] = [r for r in account["financials"] if r["quarter"] >= "2025-Q3"]
        accounts.append(account)
    overview = render_pages(_review(tmp_path, rulebook, *accounts))["index.md"]
    assert ("2025-Q2 leaves out 5 accounts (alpha, Bravo, Charlie and 2 more) without a row "
            "for it") in overview
