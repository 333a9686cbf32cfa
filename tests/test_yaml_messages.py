"""YAML's odd values get one correct, short error each, with line and field: numbers YAML
reads as infinite or cannot read, values thousands of characters long, limits written as a
person writes them, line breaks in one-line fields however written, and anchors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kam_review.errors import RulebookError
from kam_review.rulebook.loading import load_rulebook
from kam_review.source import yamlsource
from kam_review.source.accounts import load_account

from .conftest import RULES, healthy_account

# Longer messages are a wall of digits in a terminal or a pull-request comment.
SHORT = 300


def _errors(text: str) -> list[tuple[int, str, str]]:
    """(line, field, message) of each error in an account file that holds `text` at its top,
    the healthy account's fields after it."""
    account = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
    _, errors = load_account(Path("acme.yaml"), (text + account).encode("utf-8"))
    return [(e.line, e.field, e.message) for e in errors
            if not e.message.startswith("duplicate key")]


def _revenue(written: str) -> list[tuple[int, str, str]]:
    """The errors of an account whose first quarter's revenue is written so."""
    account = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
    first = "  revenue: 1000000\n"
    assert first in account
    text = account.replace(first, f"  revenue: {written}\n", 1)
    _, errors = load_account(Path("acme.yaml"), text.encode("utf-8"))
    return [(e.line, e.field, e.message) for e in errors]


@pytest.mark.parametrize(("written", "message"), [
    (".Inf", "'.Inf' is not a finite number: write a figure in digits"),
    ("-.INF", "'-.INF' is not a finite number: write a figure in digits"),
    (".NaN", "'.NaN' is not a finite number: write a figure in digits"),
    ("!!float inf", "'inf' is not a finite number: write a figure in digits"),
    ("!!float 1e400", "'1e400' is too large to read as a number"),
    ("1.0e+400", "'1.0e+400' is too large to read as a number"),
])
def test_a_number_yaml_reads_as_infinite_is_one_error(written: str, message: str) -> None:
    assert _revenue(written) == [(9, "financials[0].revenue", message)]


@pytest.mark.parametrize(("written", "length"), [
    ("1" * 5000, "5,000"), ("1" * 4000, "4,000"), ("0x" + "f" * 4000, "4,002"),
    ("0b" + "1" * 3000, "3,002"), ("1:" * 600 + "1", "1,201"), ("-" + "9" * 1200, "1,201"),
    ("!!float " + "1" * 5000, "5,000"), ("1" * 1001, "1,001")])
def test_a_number_too_long_to_read_is_one_short_error(written: str, length: str) -> None:
    (error,) = _revenue(written)
    line, field, message = error
    assert (line, field) == (9, "financials[0].revenue")
    assert f"is a number {length} characters long, too long to read" in message
    assert len(message) < SHORT and "sys.set_int_max_str_digits" not in message


@pytest.mark.parametrize("written", ["1" * 1000, "0x" + "f" * 998, "1:" * 499 + "1"])
def test_the_longest_number_read_gets_a_short_message(written: str) -> None:
    (error,) = _revenue(written)
    assert error[2].startswith("must be at most 1,000,000,000,000,000, got ") or \
        error[2].startswith("YAML 1.1 reads")
    assert len(error[2]) < SHORT


@pytest.mark.parametrize(("text", "field"), [
    ("industry: 1" + "0" * 900 + "\n", "industry"),
    ("name: " + "7" * 900 + "\n", "name"),
    ("customer_since: " + "2" * 900 + "\n", "customer_since"),
    ("currency: " + "1_0" * 300 + "\n", "currency"),
    ("relationship_stage: " + "8" * 900 + "\n", "relationship_stage"),
    ("id: " + "a" * 5000 + "\n", "id"),
])
def test_every_message_quotes_a_long_value_shortened(text: str, field: str) -> None:
    errors = _errors(text)
    assert {f for _, f, _ in errors} == {field}
    value = text.split(": ", 1)[1].strip()
    assert all(len(message) < SHORT and value[:100] not in message
               for _, _, message in errors), errors


def test_limits_are_written_as_whole_numbers_with_grouping() -> None:
    assert _revenue("2000000000000000") == [
        (9, "financials[0].revenue", "must be at most 1,000,000,000,000,000, got 2000000000000000")]
    (error,) = _revenue("-1")
    assert error[2] == "must be at least 0, got -1"


@pytest.mark.parametrize(("text", "line", "field"), [
    ('quarter: "2024-Q1\\n"', 0, "quarter"),
    ('currency: "CNY\\n"', 1, "currency"),
    ("currency: 'CNY\n\n  '", 1, "currency"),
    ('currency: "CNY\\r"', 1, "currency"),
    ('currency: "CNY\\L"', 1, "currency"),
    ('currency: "CNY\\P"', 1, "currency"),
    ('currency: "CNY\\N"', 1, "currency"),
    ('relationship_stage: "mid\\n"', 1, "relationship_stage"),
    ('customer_since: "2020-01-01\\n"', 1, "customer_since"),
])
def test_a_quoted_line_break_in_a_one_line_field_is_one_error(text: str, line: int,
                                                              field: str) -> None:
    if field == "quarter":  # the first quarter's
        account = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
        account = account.replace("quarter: 2024-Q4", text, 1)
        _, found = load_account(Path("acme.yaml"), account.encode("utf-8"))
        errors = [(e.line, e.field, e.message) for e in found]
        line, field = 8, "financials[0].quarter"
    else:
        errors = _errors(text + "\n")
    (error,) = errors
    assert error[:2] == (line, field)
    assert "holds one line of text, but '" in error[2] and "has a line break:" in error[2]
    assert "could not be read as an account" not in error[2]


@pytest.mark.parametrize(("where", "written"), [
    (("opportunities", 0, "id"), "pos-refresh\n"),
    (("waivers", 0, "rule"), "risk.complacency\n"),
    (("contacts", 0, "title"), "CIO\r\nCEO"),
    (("activities", 0, "with", 0), "Zhang Min\n"),
])
def test_each_one_line_field_in_a_list_is_checked(where: tuple[str | int, ...],
                                                  written: str) -> None:
    account = healthy_account() | {"id": "acme"}
    account["waivers"] = [{"rule": "risk.complacency", "reason": "Budget freeze until 2027",
                           "until": "2026-12-31", "by": "Zhou Lan"}]
    parent = account
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = written  # type: ignore[index]
    text = yaml.safe_dump(account, sort_keys=False, allow_unicode=True)
    _, found = load_account(Path("acme.yaml"), text.encode("utf-8"))
    shown = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
    (error,) = found
    assert error.field == shown and "has a line break:" in error.message


def test_free_text_may_still_run_over_several_lines() -> None:
    account = healthy_account() | {"id": "acme"}
    account["plan"]["summary"] = "Grow the business.\n\n- first\n- second\n"
    account["activities"][0]["summary"] = "Met the CIO.\r\nAgreed the next step.\u2028Done."
    text = yaml.safe_dump(account, sort_keys=False, allow_unicode=True)
    assert load_account(Path("acme.yaml"), text.encode("utf-8"))[1] == []


# -- anchors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "where"), [
    ("currency: &a CNY\n", (1, "currency", "&a")),
    ("market: &m {industry_growth: 0.1}\n", (1, "market", "&m")),
    ("&key currency: CNY\n", (1, "currency", "&key")),
    ("currency: &a\n  CNY\n", (1, "currency", "&a")),
])
def test_an_anchor_without_an_alias_is_refused(text: str, where: tuple[int, str, str]) -> None:
    line, field, anchor = where
    assert _errors(text) == [(line, field, f"the anchor {anchor} is not supported (anchors and "
                                          "aliases are not): remove it, and write the value "
                                          "out wherever it is used")]


def test_anchors_are_found_by_the_pure_python_composer_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "_COMPOSER", yaml.SafeLoader)
    assert [(line, field) for line, field, _ in _errors("currency: &a CNY\n")] == [
        (1, "currency")]


def test_an_anchor_in_a_list_names_the_item() -> None:
    account = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
    account = account.replace("- quarter: 2025-Q2", "- &q\n  quarter: 2025-Q2", 1)
    _, errors = load_account(Path("acme.yaml"), account.encode("utf-8"))
    assert [(e.field, e.message.split(" is ")[0]) for e in errors] == [
        ("financials[2]", "the anchor &q")]


@pytest.mark.parametrize("text", ["industry: R&D\n", "industry: 'R & D &x'\n",
                                  "industry: \"&a\"\n", "industry: a &b\n", "# &c: x\n"])
def test_an_ampersand_in_text_is_no_anchor(text: str) -> None:
    assert _errors(text) == []


@pytest.mark.parametrize("composer", ["libyaml", "python"])
def test_an_aliased_anchor_is_refused_where_it_is_used(
        composer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The anchor's error at the anchor, the alias's where the alias stands (the composed
    node of an alias carries its anchor's place)."""
    if composer == "python":
        monkeypatch.setattr(yamlsource, "_COMPOSER", yaml.SafeLoader)
    found = _errors("industry: &i retail\nowner: Li Wei\nname:   *i\n")
    assert [(line, field) for line, field, _ in found] == [(1, "industry"), (3, "name")]
    assert found[0][2].startswith("the anchor &i is not supported")
    assert found[1][2].startswith("anchors and aliases (*name) are not supported")


# -- rule files ------------------------------------------------------------------------------

def test_a_rule_id_with_a_final_newline_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in RULES.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "risks.yaml":
            text = text.replace("  - id: risk.key-contact-left\n",
                                '  - id: "risk.key-contact-left\\n"\n', 1)
        (rules / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as raised:
        load_rulebook(rules)
    (error,) = raised.value.errors
    assert error.field == "rules[0].id"
    assert error.message == ("expected a rule id like risk.single-threaded, got "
                             "'risk.key-contact-left\\n'")
