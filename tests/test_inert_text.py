"""Text is inert in every output: names that show nothing or hide their order are refused,
one person written two ways is one person, and what a file says reaches the terminal, XML,
Markdown and pages as text, never as control sequences or markup."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import markdown
import pytest
import yaml
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.errors import InputError, KamError
from kam_review.output.charts import MatrixPoint, focus_matrix
from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
from kam_review.output.diff_report import diff_markdown, diff_text
from kam_review.output.markdown_text import code, esc, table
from kam_review.output.report import as_text
from kam_review.review.diff import compare
from kam_review.review.evaluate import evaluate, review
from kam_review.review.explain import explain_text
from kam_review.review.redact import redact_portfolio
from kam_review.rulebook.loading import Rulebook
from kam_review.source import yamlsource
from kam_review.source.accounts import load_portfolio
from kam_review.source.names import name_problems, normalise_name
from kam_review.text_safety import balanced_bidi, one_line, terminal_text, xml_text
from kam_review.website.pages import render_pages

from .conftest import AS_OF, RULES, Reviewer, healthy_account, variant, write_account
from .html_tree import parse
from .test_ci_formats import SARIF_SCHEMA

# What a terminal would act on: escape sequences (CSI, OSC with BEL), carriage return,
# backspace, NUL, DEL, a C1 control, bidi override and isolate, zero-width space, tag letters.
NASTY = "\x1b[2J\x1b]0;owned\x07\r\x08\x00\x7f\x9b\u202e\u2066\u200b\U000e0041"


def _hidden(text: str) -> list[str]:
    """Characters a terminal must never be sent: controls (but the newline), format
    characters, surrogates, line and paragraph separators."""
    return [c for c in text if c != "\n" and unicodedata.category(c) in
            ("Cc", "Cf", "Cs", "Zl", "Zp")]


# -- the escaping functions ------------------------------------------------------------------

def test_terminal_text_shows_every_control_as_its_escape() -> None:
    shown = terminal_text(f"a{NASTY}b\ud800\u2028")
    assert _hidden(shown) == []
    assert shown == ("a\\x1b[2J\\x1b]0;owned\\x07\\r\\x08\\x00\\x7f\\x9b\\u202e\\u2066\\u200b"
                     "\\U000e0041b\\ud800\\u2028")
    assert terminal_text("a\nb\tc", multiline=True) == "a\nb\\tc"
    assert terminal_text("a\nb") == "a\\nb"


@pytest.mark.parametrize("text", ["Zhang Min 张敏", "Zoë O'Brien-Núñez", "محمد", "a\u00a0b",
                                  "ideographic\u3000space", "🙂", "C:\\path\\x1b", ""])
def test_terminal_text_leaves_printable_text_alone(text: str) -> None:
    assert terminal_text(text) == text


@pytest.mark.parametrize(("text", "closed"), [
    ("a\u202eb", "a\u202eb\u202c"),
    ("a\u2067b\u202bc", "a\u2067b\u202bc\u202c\u2069"),
    ("\u202ax\u202c\u2066y\u2069", "\u202ax\u202c\u2066y\u2069"),  # already closed
    ("\u2066a\u202ab\u2069c", "\u2066a\u202ab\u2069c"),  # the isolate's end closes all inside
    ("stray \u202c and \u2069", "stray \u202c and \u2069"),
    ("plain", "plain"),
])
def test_balanced_bidi_closes_what_the_text_opens(text: str, closed: str) -> None:
    assert balanced_bidi(text) == closed


def test_one_line_collapses_space_shows_controls_and_closes_bidi() -> None:
    assert one_line(" a\n\tb \x1b[1m\u202ec ") == "a b \\x1b[1m\u202ec\u202c"
    assert one_line("x\ud800\ufffe\uffffy") == "x\\ud800\\ufffe\\uffffy"


def test_xml_text_removes_what_xml_forbids() -> None:
    forbidden = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))
    assert xml_text(f"a{forbidden}\t\n\r\x7f\ufffe\uffff\ud800b") == "a\t\n\r\x7fb"
    ElementTree.fromstring(f"<x a='{xml_text(chr(1) + chr(0x1F))}'>{xml_text(NASTY)}</x>")


@pytest.mark.parametrize("text", ["a`b", "``", "`lead", "trail`", "x ``` y", "&#95; <b>",
                                  "feature/x_y", "a|b"])
def test_code_spans_show_text_exactly(text: str) -> None:
    html = markdown.markdown(f"see {code(text)} here")
    (span,) = parse(html).iter("code")
    assert span.text() == text
    assert text in code(text)  # no entity put in


def test_escaped_cells_keep_a_table_whole() -> None:
    html = markdown.markdown(table(["A", "B"], [[esc("x | y\nz"), esc("||")]]),
                             extensions=["tables"])
    assert [c.text() for c in parse(html).iter("td")] == ["x | y z", "||"]


# -- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["\u200b", " \u200d ", "\u2060\ufeff", "\u00ad", "\u3164",
                                  "\u0301", "\u00a0\u3000", "\U000e0041", "\u2800"])
def test_names_that_show_nothing_are_refused(name: str) -> None:
    assert [p for p in name_problems(name) if "shows nothing" in p]


@pytest.mark.parametrize("name", ["Zhang Min", "张敏", "José", "Jose\u0301", "محمد علي",
                                  "O'Brien", "Zoë", "👩\u200d💼 Li", "R&D <b>"])
def test_good_names_pass(name: str) -> None:
    assert name_problems(name) == []


@pytest.mark.parametrize("name", ["a\u202eb", "a\u202ab", "a\u2066b", "a\u2069b", "a\u200eb",
                                  "a\u200fb", "a\u061cb"])
def test_bidi_controls_in_names_are_refused(name: str) -> None:
    (problem,) = name_problems(name)
    assert "bidirectional control" in problem and "\\u" in problem


def test_control_characters_in_names_are_refused() -> None:
    (problem,) = name_problems("Acme\x1b[31m")
    assert problem == "'Acme\\x1b[31m' holds the control character \\x1b: a name is one " \
                      "line of plain text"


@pytest.mark.parametrize("spelling", ["Jose\u0301 Li", "José Li", " josé  LI ", "José\u200b Li",
                                      "Jos\u00e9\u2060 Li", "\uff2a\uff4f\uff53\u00e9 Li"])
def test_one_person_written_two_ways_normalises_to_one_name(spelling: str) -> None:
    assert normalise_name(spelling) == normalise_name("José Li") == "josé li"


def test_different_people_stay_different() -> None:
    assert normalise_name("Jose Li") != normalise_name("José Li")
    assert normalise_name("Zhang Min") != normalise_name("Zhang Ming")


# -- the loader ------------------------------------------------------------------------------

def _errors(tmp_path: Path, account: dict[str, Any]) -> list[str]:
    write_account(tmp_path, account)
    return [str(e) for e in load_portfolio(tmp_path).errors]


def test_activities_name_contacts_in_any_spelling(tmp_path: Path) -> None:
    account = healthy_account()
    account["contacts"][0]["name"] = "José Li"
    account["activities"][0]["with"] = ["Jose\u0301 Li"]  # NFD
    account["activities"][1]["with"] = ["WANG\u200b  fang"]
    assert _errors(tmp_path, account) == []


def test_duplicate_contact_written_another_way(tmp_path: Path) -> None:
    account = healthy_account()
    account["contacts"][1]["name"] = "zhang\u200bmin"
    account["contacts"][0]["name"] = "ZhangMin"
    account["activities"][0]["with"] = ["ZhangMin"]
    account["activities"][1]["with"] = ["ZhangMin"]
    (error,) = _errors(tmp_path, account)
    assert "contacts[1].name: duplicate name 'zhang\\u200bmin' (also contacts[0] 'ZhangMin': " \
           "names are compared ignoring case" in error


def test_bidi_controls_in_free_text_load(tmp_path: Path, review_one: Any) -> None:
    account = variant(lambda a: a["contacts"][0].update(title="CIO \u202eevil"))
    assert review_one(account).account.contacts[0].title == "CIO \u202eevil"


def test_a_lone_surrogate_is_refused_where_yaml_lets_it_through(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # LibYAML refuses "\ud800" itself; PyYAML's own scanner (used without LibYAML) accepts it.
    monkeypatch.setattr(yamlsource, "_COMPOSER", yaml.SafeLoader)
    text = yaml.safe_dump(healthy_account(), sort_keys=False, allow_unicode=True)
    text = text.replace("summary: Late pallet", 'summary: "Late \\ud800 pallet"')
    (tmp_path / "test-account.yaml").write_text(text + '"\\udcff": 1\n', encoding="utf-8")
    errors = load_portfolio(tmp_path).errors
    assert [(e.field, e.message.split(",")[0]) for e in errors[:2]] == [
        ("(top level)", "holds \\udcff"), ("complaints[0].summary", "holds \\ud800")]


# -- terminal outputs ------------------------------------------------------------------------

def _nasty_account() -> dict[str, Any]:
    """Free text full of control characters, where findings quote it."""
    account = healthy_account()
    # A title is one line of text: the carriage return is left out of it.
    account["contacts"][2]["title"] = f"Director {NASTY}".replace("\r", "")
    account["contacts"][2]["left_on"] = "2026-09-01"  # risk.key-contact-left quotes the title
    account["plan"]["goals"][0] = {"text": f"Grow {NASTY}"}  # not SMART: the goal is quoted
    account["waivers"] = [{"rule": "risk.complacency", "reason": f"why {NASTY}",
                           "until": "2026-10-15", "by": "Zhou Lan"}]
    return account


def test_check_text_and_explain_show_controls_escaped(review_accounts: Reviewer) -> None:
    result = review_accounts(_nasty_account())
    assert not result.errors
    text = as_text(result) + explain_text(result.accounts[0], result)
    assert "Director \\x1b[2J\\x1b]0;owned\\x07\\x08" in text
    assert "Grow \\x1b[2J" in text and "why \\x1b[2J" in text
    assert _hidden(text) == []


def test_diff_text_shows_controls_escaped(review_accounts: Reviewer) -> None:
    before, after = review_accounts(healthy_account()), review_accounts(_nasty_account())
    changes = compare(before, after, "main\x1b[31m", "HEAD")
    text = diff_text(changes)
    assert "main\\x1b[31m" in text and "Grow \\x1b[2J" in text
    assert _hidden(text) == []


def test_errors_on_stderr_show_file_names_escaped(tmp_path: Path) -> None:
    write_account(tmp_path, healthy_account())
    (tmp_path / "x\x1b[2J\u202e.yaml").write_text("id: x\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["check", "--accounts", str(tmp_path), "--as-of", str(AS_OF),
                                    "--no-cache"])
    assert run.exit_code == 2
    assert "x\\x1b[2J\\u202e.yaml:1:1: id: 'x' must equal" in run.stderr
    assert _hidden(run.output) == []
    # The summary names the file left out, escaped as the errors are, in every format.
    assert "not reviewed for their errors: " in run.stdout and "\\u202e.yaml" in run.stdout
    markdown = CliRunner().invoke(main, ["check", "--accounts", str(tmp_path), "--as-of",
                                         str(AS_OF), "--no-cache", "--format", "markdown"])
    (summary,) = [line for line in markdown.stdout.splitlines()
                  if "not reviewed for their errors: " in line]
    assert _hidden(summary) == [] and "u202e.yaml" in summary


def test_input_errors_print_escaped_and_write_as_utf8() -> None:
    error = InputError("acc/\udcff\x1b.yaml", 3, 1, "name", "'\u202e' is bad")
    assert str(error) == "acc/\\udcff\\x1b.yaml:3:1: name: '\\u202e' is bad"
    json.dumps(error.as_dict(), ensure_ascii=False).encode("utf-8")
    assert KamError("bad \x1b[31m\nnext\r").format_message() == "bad \\x1b[31m\nnext\\r"


# -- XML and SARIF ---------------------------------------------------------------------------

def _forbidden_result(review_accounts: Reviewer) -> Any:
    account = _nasty_account()
    every = "".join(map(chr, range(0x20))) + "\x7f\ufffe\uffff"
    account["contacts"][2]["title"] = f"T{every}".replace("\n", "").replace("\r", "")
    account["plan"]["goals"][0] = {"text": f"G{every}"}
    return review_accounts(account)


def test_junit_parses_with_every_forbidden_character(review_accounts: Reviewer) -> None:
    result = _forbidden_result(review_accounts)
    suite = ElementTree.fromstring(check_junit(result, "low"))
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.text is not None
    assert "T\t\x7f" in failure.text
    assert "G\t\n" in failure.text and "\x00" not in failure.text


def test_sarif_is_valid_json_and_schema_with_forbidden_characters(
        review_accounts: Reviewer) -> None:
    text = check_sarif(_forbidden_result(review_accounts))
    text.encode("utf-8")
    log = json.loads(text)
    messages = [r["message"]["text"] for r in log["runs"][0]["results"]]
    assert any(m.startswith("Test Account Ltd: Chen Jun (T\t\x7f") for m in messages)
    assert any("G\t\n\r\x7f" in m for m in messages)
    assert not [m for m in messages if "\x00" in m or "\ufffe" in m]
    if SARIF_SCHEMA.exists():
        schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(log)


# -- Markdown summaries and pages ------------------------------------------------------------

def test_markdown_summary_shows_errors_in_code_spans_exactly(tmp_path: Path) -> None:
    write_account(tmp_path, healthy_account())
    (tmp_path / "a_b`c.yaml").write_text("id: a_b\n", encoding="utf-8")
    result = review(tmp_path, RULES, AS_OF)
    summary = check_markdown(result)
    spans = [n.text() for n in parse(markdown.markdown(summary)).iter("code")]
    assert spans == [str(e) for e in result.errors]
    assert "a_b`c.yaml" in spans[0] and "&#" not in "".join(spans)


def test_diff_summary_names_revisions_in_code_spans(review_accounts: Reviewer) -> None:
    result = review_accounts(healthy_account())
    text = diff_markdown(compare(result, result, "feature/x_y", "HEAD`1"))
    heading = next(parse(markdown.markdown(text)).iter("h3"))
    assert [n.text() for n in heading.iter("code")] == ["feature/x_y", "HEAD`1"]


def test_page_text_shows_as_written(review_accounts: Reviewer) -> None:
    name = "A_B *C* [x](javascript:y) `z` <b>b</b> &amp;lt; &lt; {: onclick=x} # | \\ !"
    # (an industry is one line of text: its carriage return is written as a space)
    account = variant(lambda a: a.update(name=name, industry=f"i {NASTY}".replace("\r", " ")))
    pages = render_pages(review_accounts(account))
    html = markdown.markdown(pages["accounts/test-account.md"],
                             extensions=["tables", "attr_list", "md_in_html", "toc"])
    tree = parse(html)
    assert next(tree.iter("h1")).text() == name
    assert not [n for n in tree.iter() if n.tag in ("b", "script") or "onclick" in n.attrs]
    assert ("i \\x1b[2J\\x1b]0;owned\\x07 \\x08\\x00\\x7f\\x9b\u202e\u2066\u200b\U000e0041"
            "\u2069\u202c") in tree.text()


def test_charts_with_control_characters_stay_well_formed() -> None:
    svg = focus_matrix([MatrixPoint(f"A{NASTY}\x01\ufffe", 3, 3)], 3, 3).svg
    texts = [el.text or "" for el in ElementTree.fromstring(svg).iter()]
    assert any(t.startswith("A\\x1b[2J") for t in texts)


def test_pages_of_a_portfolio_with_bidi_text_close_every_run(rulebook: Rulebook,
                                                              tmp_path: Path) -> None:
    write_account(tmp_path, variant(lambda a: a["contacts"][0].update(title="CIO \u202eevil")))
    pages = render_pages(evaluate(load_portfolio(tmp_path), rulebook, AS_OF))
    for line in pages["accounts/test-account.md"].splitlines():
        assert balanced_bidi(line) == line


def test_redaction_finds_a_contact_in_any_spelling(tmp_path: Path) -> None:
    account = healthy_account()
    account["activities"][0]["with"] = ["zhang\u200b  MI\u0301N"]
    account["waivers"] = [{"rule": "advice.style-analytical", "subject": "Zhang Mi\u0301n",
                           "reason": "Known and handled", "until": "2026-12-31",
                           "by": "Zhou Lan"}]
    account["contacts"][0]["name"] = "Zhang Mín"
    write_account(tmp_path, account)
    (redacted,) = redact_portfolio(load_portfolio(tmp_path)).accounts
    assert redacted.activities[0].with_ == ("Contact 1 (executive)",)
    assert redacted.waivers[0].subject == "Contact 1 (executive)"


@pytest.mark.parametrize("output", ["text", "json", "markdown", "sarif", "junit"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str) -> None:
    monkeypatch.chdir(tmp_path)  # the account cache is written here
    folder = Path("accounts")
    folder.mkdir()
    write_account(folder, healthy_account())
    (folder / os.fsdecode(b"\xff\x1b[2Jx.yaml")).write_text("id: x\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--format", output])
    assert run.exit_code == 2, run.output
    assert _hidden(run.output) == []
    shown = "accounts/\\udcff\\x1b[2Jx.yaml"  # the bytes that are not UTF-8 as an escape
    if output == "json":
        assert {e["file"] for e in json.loads(run.stdout)["errors"]} == {
            "accounts/\\udcff\x1b[2Jx.yaml"}  # JSON writes the ESC as \\u001b
    elif output == "sarif":
        results = json.loads(run.stdout)["runs"][0]["results"]
        assert "accounts//udcff%1B%5B2Jx.yaml" in {  # percent-encoded; a URI has no backslash
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    elif output == "junit":
        assert "accounts/\\udcff[2Jx.yaml" in {
            c.get("name") for c in ElementTree.fromstring(run.stdout).iter("testcase")}
    else:
        assert shown in (run.stderr if output == "text" else run.stdout)
