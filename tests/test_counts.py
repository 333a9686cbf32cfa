"""The counts by severity and kind agree everywhere: `kam check` as text, JSON, Markdown,
SARIF and JUnit, and the site's overview, risk register, owners and account pages all show
what the sample's findings hold (one tally, review/tally.py, behind every count)."""

from __future__ import annotations

import json
import re
from collections import Counter
from xml.etree import ElementTree

import pytest

from kam_review.output.ci_formats import check_junit, check_markdown, check_sarif
from kam_review.output.report import as_json, as_text, write_check
from kam_review.review.evaluate import review
from kam_review.review.results import Result
from kam_review.review.tally import count_findings
from kam_review.vocabulary import Kind, Severity
from kam_review.website.pages import render_pages

from .conftest import ACCOUNTS, AS_OF, RULES

# (severity, kind, waived) -> number of findings
Counts = Counter[tuple[str, str, bool]]
_BADGE = re.compile(r'kam-sev-(\w+)">')


@pytest.fixture(scope="module")
def sample() -> Result:
    return review(ACCOUNTS, RULES, AS_OF)


def _expected(sample: Result, account: str | None = None) -> Counts:
    """Counted straight from the findings, without the tally."""
    return Counter((f.severity.value, f.kind.value, f.waived) for a in sample.accounts
                   if account in (None, a.account.id) for f in a.findings)


def _by_severity(counts: Counts, waived: bool | None = None,
                 kinds: tuple[str, ...] = tuple(Kind)) -> dict[str, int]:
    return {s: sum(n for (sev, kind, w), n in counts.items()
                   if sev == s and kind in kinds and waived in (None, w)) for s in Severity}


def _summary(text: str) -> tuple[dict[str, int], int]:
    match = re.search(r"accounts?: (\d+) high, (\d+) medium, (\d+) low, (\d+) info "
                      r"\((\d+) waived\)", text)
    assert match, text
    numbers = [int(n) for n in match.groups()]
    return dict(zip(Severity, numbers[:4], strict=True)), numbers[4]


def test_the_sample_has_waived_findings_and_every_kind(sample: Result) -> None:
    expected = _expected(sample)
    assert any(waived for (_, _, waived) in expected)
    assert {kind for (_, kind, _) in expected} == {kind for kind in Kind if kind.finds}


def test_tally_matches_the_findings(sample: Result) -> None:
    counts = count_findings(f for a in sample.accounts for f in a.findings)
    expected = _expected(sample)
    for waived in (False, True):
        assert counts.by_severity(waived) == _by_severity(expected, waived)
        assert counts.by_kind(waived) == {k: sum(n for (_, kind, w), n in expected.items()
                                                if kind == k and w == waived) for k in Kind}
    warnings = tuple(k for k in Kind if k.warns)
    assert counts.by_severity(kinds=lambda kind: kind.warns) == _by_severity(
        expected, False, warnings)


def test_check_text_and_markdown_summaries(sample: Result) -> None:
    expected = _expected(sample)
    for text in (as_text(sample), check_markdown(sample)):
        assert _summary(text) == (_by_severity(expected, False),
                                  sum(n for (_, _, w), n in expected.items() if w))
    listed = Counter(line.split()[0].lower() for line in as_text(sample).splitlines()
                     if line.startswith(tuple(f"  {s.upper()} " for s in Severity)))
    assert listed == _by_severity(expected)


def test_check_json_sarif_and_junit(sample: Result) -> None:
    expected = _expected(sample)
    data = json.loads(as_json(sample))
    assert Counter((f["severity"], f["kind"], f["waived"]) for a in data["accounts"]
                   for f in a["findings"]) == expected
    results = json.loads(check_sarif(sample))["runs"][0]["results"]
    assert Counter((r["properties"]["severity"], r["properties"]["kind"], "suppressions" in r)
                   for r in results) == expected
    suite = ElementTree.fromstring(check_junit(sample, "info"))
    kinds = {rule.id: rule.kind.value for rule in sample.rulebook.rules}
    junit: Counts = Counter()
    for out in suite.iter("system-out"):
        for line in (out.text or "").splitlines():
            severity, rule = line.split()[:2]
            rule = rule.removesuffix(":")  # a finding without a subject: "high risk.x: ..."
            if severity in tuple(Severity) and rule in kinds:
                junit[(severity, kinds[rule], "(waived until" in line)] += 1
    assert junit == expected
    failing: Counter[str] = Counter()
    for failure in suite.iter("failure"):
        for part in (failure.get("message") or "").split(", "):
            if part.endswith(tuple(Severity)):
                number, severity = part.split()
                failing[severity] += int(number)
    assert failing == {s: n for s, n in _by_severity(expected, False).items() if n}


def _rows(page: str, header: str) -> list[str]:
    """The rows of the table whose header starts with `header`."""
    lines = page.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| " + header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip("|").split(" | ")]


def test_site_pages(sample: Result) -> None:
    expected = _expected(sample)
    pages = render_pages(sample)
    overview = pages["index.md"]
    by_severity = {_BADGE.search(r)[1]: (int(_cells(r)[1]), int(_cells(r)[2]))  # type: ignore[index]
                   for r in _rows(overview, "Severity | Open findings")}
    assert by_severity == {s: (_by_severity(expected, False)[s], _by_severity(expected, True)[s])
                           for s in Severity}
    by_kind = {_cells(r)[0]: (int(_cells(r)[1]), int(_cells(r)[2]))
               for r in _rows(overview, "Kind | Open findings")}
    assert by_kind == {k.heading: tuple(sum(n for (_, kind, w), n in expected.items()
                                            if kind == k and w == waived)
                                        for waived in (False, True))
                       for k in Kind if k.finds}
    warnings = tuple(k for k in Kind if k.warns)
    register = Counter((_BADGE.search(r)[1], _cells(r)[3], _cells(r)[8] not in ("", "—"))  # type: ignore[index]
                       for r in _rows(pages["risks.md"], "Account | Owner | Severity"))
    headings = {k.value: k.heading for k in Kind}
    # A note (severity info) is no warning: neither in the register nor in the owners' counts.
    assert register == Counter({(severity, headings[kind], waived): n
                                for (severity, kind, waived), n in expected.items()
                                if kind in warnings and severity != "info"})
    owners: Counter[str] = Counter()
    for line in pages["owners.md"].splitlines():
        if line.startswith("| ["):
            for severity, number in re.findall(r'kam-sev-(\w+)">\w+</span> (\d+)', line):
                owners[severity] += int(number)
    assert owners == {s: n for s, n in _by_severity(expected, False, warnings).items()
                      if n and s != "info"}
    for item in sample.accounts:
        page = pages[f"accounts/{item.account.id}.md"]
        findings = page.split("## Findings", 1)[1].split("## Why this class", 1)[0]
        shown: Counter[str] = Counter()
        for section in findings.split("### ")[1:]:
            heading = section.splitlines()[0]
            kind = next(k for k in Kind if k.heading == heading)
            shown[kind.value] += sum(1 for line in section.splitlines() if "kam-sev-" in line)
        mine = _expected(sample, item.account.id)
        assert shown == Counter({k: n for k in Kind
                                 if (n := sum(c for (_, kind, _), c in mine.items()
                                              if kind == k))}), item.account.id


def test_written_in_groups_or_one_by_one_the_output_is_the_same(sample: Result) -> None:
    """write_check writes accounts a few dozen at a time: across those groups and across
    batches, the text and JSON are those of the accounts written one batch each."""
    many = Result(sample.as_of, sample.accounts * 10, sample.errors, sample.rulebook,
                  sample.formats)
    assert len(many.accounts) > 2 * 64
    alone = [Result(sample.as_of, (item,), (), sample.rulebook, sample.formats)
             for item in many.accounts]
    alone[-1] = Result(sample.as_of, alone[-1].accounts, sample.errors, sample.rulebook,
                       sample.formats)
    for output, show in (("json", Severity.INFO), ("text", Severity.INFO),
                         ("text", Severity.HIGH)):
        together: list[str] = []
        one_by_one: list[str] = []
        write_check([many], output, show, many.as_of, together.append)
        write_check(alone, output, show, many.as_of, one_by_one.append)
        assert "".join(together) == "".join(one_by_one)
        assert len(together) < len(one_by_one)
