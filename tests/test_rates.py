"""The rates file that converts portfolio totals into one currency: read whole, every problem
reported with its file, line and field, and applied only to what it has a rate for."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kam_review.source.rates import Rates, RatesError, load_rates

REPO = Path(__file__).resolve().parents[1]
GOOD = "base: CNY\ndate: 2026-09-30\nrates:\n  HKD: 0.9135\n  USD: 7.1055\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RatesError) as raised:
        load_rates(_write(tmp_path, text))
    return [f"{e.line}:{e.column}: {e.field}: {e.message}" for e in raised.value.errors]


def test_a_good_file_converts_what_it_has_a_rate_for(tmp_path: Path) -> None:
    rates = load_rates(_write(tmp_path, GOOD))
    assert (rates.base, rates.day) == ("CNY", date(2026, 9, 30))
    assert rates.per_unit == {"HKD": 0.9135, "USD": 7.1055}
    assert rates.convert(1_000_000, "CNY") == 1_000_000  # the base stays as it is
    assert rates.convert(1_000_000, "USD") == pytest.approx(7_105_500)
    assert rates.convert(1_000_000, "EUR") is None  # no rate: totalled apart
    assert rates.convert(1_000_000, None) is None


def test_the_sample_sites_rates_file_is_valid() -> None:
    rates = load_rates(REPO / "site" / "rates.yaml")
    assert rates.base == "CNY" and {"HKD", "USD"} <= set(rates.per_unit)
    assert "rates: site/rates.yaml" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "expected"), [
    ("base: CNY\nrates: {USD: 7.1}\n", "1:1: (top level): missing required field 'date'"),
    ("base: CNY\ndate: 2026-02-30\nrates: {USD: 7.1}\n",
     "2:1: date: expected a real date written YYYY-MM-DD, got '2026-02-30'"),
    ("base: CNY\ndate: 2026-09-30\nrates:\n  USD: 0\n",
     "4:3: rates.USD: must be more than 0 (how many CNY one USD is worth), got 0"),
    ("base: CNY\ndate: 2026-09-30\nrates:\n  USD: -7.1\n",
     "4:3: rates.USD: must be more than 0 (how many CNY one USD is worth), got -7.1"),
    ("base: CNY\ndate: 2026-09-30\nrates:\n  USD: '7.1'\n",
     "4:3: rates.USD: '7.1' is in quotes, so YAML reads it as text; write 7.1 without quotes"),
    ("base: CNY\ndate: 2026-09-30\nrates:\n  RMB: 1\n",
     "4:3: rates.RMB: 'RMB' is not an ISO 4217 currency code (CNY, HKD, USD, EUR ...)"),
    ("base: CNY\ndate: 2026-09-30\nrates:\n  CNY: 1\n",
     "4:3: rates.CNY: CNY is the base currency: it needs no rate (1 by definition)"),
    ("base: cny\ndate: 2026-09-30\nrates: {USD: 7.1}\n",
     "1:1: base: expected a three-letter currency code like CNY, got 'cny'"),
    ("base: CNY\ndate: 2026-09-30\nrates: {}\n", "3:1: rates: "),
    ("base: CNY\ndate: 2026-09-30\nsource: PBoC\nrates: {USD: 7.1}\n",
     "3:1: source: unknown field 'source'"),
])
def test_every_problem_names_its_line_and_field(tmp_path: Path, text: str,
                                                expected: str) -> None:
    found = _errors(tmp_path, text)
    assert any(error.startswith(expected) for error in found), found


def test_a_file_that_is_not_there_or_not_yaml_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(RatesError, match="cannot read the file"):
        load_rates(tmp_path / "missing.yaml")
    assert "malformed YAML" in _errors(tmp_path, "base: [CNY\n")[0]


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    with pytest.raises(RatesError) as raised:
        load_rates(_write(tmp_path, "base: CNY\nrates: {RMB: 0}\n"))
    message = raised.value.message
    assert "rates.yaml:1:1: (top level): missing required field 'date'" in message
    assert "rates.RMB: 'RMB' is not an ISO 4217 currency code" in message
    assert "rates.RMB: must be more than 0 (how many CNY one RMB is worth), got 0" in message
    assert message.endswith("Aborted with 3 errors in the rates file.")


def test_rates_are_plain_values() -> None:
    rates = Rates("CNY", date(2026, 9, 30), {"USD": 7.0}, "rates.yaml")
    assert rates == Rates("CNY", date(2026, 9, 30), {"USD": 7.0}, "rates.yaml")
