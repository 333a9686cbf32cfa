"""CI output of `kam check`: a pull-request summary in Markdown, SARIF 2.1.0 for code hosts
that annotate the diff, and JUnit XML for CI dashboards."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Set
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from kam_review import __version__
from kam_review.errors import error_count
from kam_review.i18n import _
from kam_review.output.check_parts import unmatched_lines, waived_dict
from kam_review.output.comment_size import fit_comment
from kam_review.output.markdown_text import code, comment_text, table
from kam_review.output.report import expiring_waivers, summary_line
from kam_review.paths import named_real, real, repository_holding
from kam_review.review.results import Result
from kam_review.review.tally import count_findings
from kam_review.text_safety import encodable, terminal_text, xml_text
from kam_review.vocabulary import WAIVER_NOTICE_DAYS, Health, Severity
from kam_review.wording import counted, rule_and_subject

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
                Severity.INFO: "note"}
_INPUT_RULE = "input.invalid"
# The base of a URI relative to the root of the repository holding the file (SARIF 2.1.0,
# 3.4.4): what GitHub code scanning resolves a location against. Its absolute URI is left
# out, so the log names no folder of the machine it was made on and is the same on any.
SOURCE_ROOT = "%SRCROOT%"


def check_markdown(result: Result) -> str:
    lines = ["### " + _("kam-review: {accounts} as of {date}").format(
                 accounts=counted(len(result.accounts), 'account'), date=result.as_of),
             "",
             # A file name as the errors below show it (escaped), then made inert.
             summary_line(result, lambda name: comment_text(terminal_text(name))), ""]
    verdicts = Counter(item.verdict.health for item in result.accounts if item.verdict)
    if verdicts:
        lines += [_("Verdicts: ") + _(", ").join(
            f"{verdicts[h]} {h.shown}" for h in Health if verdicts[h]), ""]
    if result.errors:
        lines += [f"**{_('Input errors')}**", ""]
        lines += [f"- {code(e)}" for e in result.errors]
        lines.append("")
    high = [(a, f) for a in result.accounts for f in a.open_findings
            if f.severity == Severity.HIGH]
    if high:
        lines += [f"**{_('High-severity findings')}**", ""]
        lines += [f"- **{comment_text(a.account.name)}**: "
                  f"{rule_and_subject(f.rule, f.subject, comment_text)}: "
                  f"{comment_text(f.message)}" for a, f in high]
        lines.append("")
    waived = result.waived_high
    if waived:
        lines += [_("**High-severity findings waived** (not counted for --fail-on)"), ""]
        lines += [f"- **{comment_text(a.account.name)}**: "
                  f"{rule_and_subject(f.rule, f.subject, comment_text)}: "
                  f"{comment_text(f.message)} ({comment_text(f.waiver_note)})"
                  for a, f in waived]
        lines.append("")
    expiring = expiring_waivers(result)
    if expiring:
        lines += ["**" + _("Waivers ending within {days} days:").format(
            days=WAIVER_NOTICE_DAYS).rstrip(":：") + "**", ""]
        lines += [f"- {comment_text(a)}: {w.rule} until {w.until} ({comment_text(w.by or '')})"
                  for a, w in expiring]
        lines.append("")
    lines += unmatched_waivers_markdown(result)
    for item in result.accounts:
        warnings = [f for f in item.findings if f.warns]
        if not warnings:
            continue
        counts = count_findings(warnings)
        verdict = f", {item.verdict.shown}" if item.verdict else ""
        waived_count = counts.total(waived=True)
        lines += [f"<details><summary>{comment_text(item.account.name)}: {_(item.klass)}"
                  f"{verdict}, {counted(counts.total(), 'open warning')}"
                  + (_(" ({count} waived)").format(count=waived_count) if waived_count else "")
                  + "</summary>", ""]
        lines.append(table(["Severity", "Rule", "Subject", "Finding"], [
            [_(f.severity) + (_(" (waived)") if f.waived else ""), f.rule, comment_text(f.subject),
             comment_text(f.message) + (f" ({comment_text(f.waiver_note)})" if f.waived else "")]
            for f in warnings]))
        lines += ["</details>", ""]
    return fit_comment(lines)


def unmatched_waivers_markdown(result: Result, touched: Set[str] | None = None
                               ) -> list[str]:
    """The comment's list of the waivers in force that match no finding, each saying why
    (check_parts.unmatched_waivers), then a blank line; none when every waiver matches. With
    `touched` (a change's comment), those of the accounts it names, and how many others."""
    unmatched = [(item.account.id, line.strip()) for item in result.accounts
                 for line in unmatched_lines(item, result.rulebook, result.as_of)]
    shown = [line for account, line in unmatched if touched is None or account in touched]
    others = len(unmatched) - len(shown)
    if not unmatched:
        return []
    return ["**" + _("Waivers that match no finding (they silence nothing):").rstrip(":：")
            + "**", "", *(f"- {comment_text(line)}" for line in shown),
            *([_("- and {others} on accounts this change leaves as they were (`kam check` "
                 "lists them)").format(others=others)] if others else []), ""]


def check_sarif(result: Result) -> str:
    rules = sorted(result.rulebook.rules, key=lambda r: r.id)
    descriptors: list[dict[str, Any]] = [{
        "id": rule.id,
        "name": rule.title,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.action},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        "properties": {"kind": rule.kind, "severity": rule.severity,
                       "source": list(rule.source)},
    } for rule in rules]
    descriptors.append({"id": _INPUT_RULE, "name": "Invalid input",
                        "shortDescription": {"text": "The file does not follow the format"},
                        "defaultConfiguration": {"level": "error"}})
    results: list[dict[str, Any]] = []
    for item in result.accounts:
        artifact = _artifact(item.account.source)
        for finding in item.findings:
            entry: dict[str, Any] = {
                "ruleId": finding.rule,
                "level": _SARIF_LEVEL[finding.severity],
                "message": {"text": f"{item.account.name}: {finding.message}. "
                                    f"{finding.action}"},
                "locations": [_location(artifact, finding.line)],
                "partialFingerprints": {
                    "kamFinding/v1": f"{finding.account}/{finding.rule}/{finding.subject}"},
                # SARIF's levels merge low and info: the counts by severity and kind need both.
                "properties": {"severity": finding.severity, "kind": finding.kind},
            }
            if finding.waiver is not None:
                entry["suppressions"] = [{
                    "kind": "inSource", "status": "accepted",
                    "justification": f"{finding.waiver.reason} (until {finding.waiver.until}, "
                                     f"by {finding.waiver.by})"}]
            results.append(entry)
    for error in result.errors:
        results.append({"ruleId": _INPUT_RULE, "level": "error",
                        "message": {"text": f"{error.field}: {error.message}" if error.field
                                    else error.message},
                        "locations": [_location(_artifact(Path(error.file)), error.line,
                                                error.column)]})
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kam-review", "version": __version__,
                                "rules": descriptors}},
            "results": results,
            **_base_ids(results),
            # Code hosts hide suppressed results: the waived high ones are named here too.
            "properties": {"asOf": result.as_of.isoformat(),
                           "waivedHighFindings": [waived_dict(a.account.id, f)
                                                  for a, f in result.waived_high]},
        }],
    }
    return json.dumps(_xml_safe(log), indent=2, ensure_ascii=False) + "\n"


def _xml_safe(value: Any) -> Any:
    """Every text in a SARIF log as XML could carry it: code hosts show these texts in their
    pages, and a lone surrogate could not even be written."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {key: _xml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_xml_safe(item) for item in value]
    return value


def _uri(path: str) -> str:
    """A file's path as a SARIF URI reference: forward slashes, and every character a URI
    cannot hold as it is percent-encoded (a space, `#`, which would start a fragment)."""
    return quote(path.replace("\\", "/"), safe="/")


def _artifact(path: Path) -> dict[str, str]:
    """A file's SARIF artifactLocation: relative to the root of the git repository holding
    it, which code hosts resolve it against, whatever folder `kam check` ran in and wherever
    --accounts points; outside a repository, relative to the working folder. A symbolic link
    is named itself: its target may lie outside and is none of the log's business."""
    file = named_real(path)
    root = repository_holding(file)
    if root is None:
        return {"uri": _uri(encodable(os.path.relpath(file, real(Path.cwd()))))}
    return {"uri": _uri(encodable(file.relative_to(root).as_posix())),
            "uriBaseId": SOURCE_ROOT}


def _base_ids(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run's originalUriBaseIds, saying what SOURCE_ROOT stands for, when a location is
    relative to it (none is outside a repository)."""
    based = any(location["physicalLocation"]["artifactLocation"].get("uriBaseId")
                for result in results for location in result["locations"])
    root = {"description": {"text": _("The root of the git repository that holds the file")}}
    return {"originalUriBaseIds": {SOURCE_ROOT: root}} if based else {}


def _location(artifact: dict[str, str], line: int, column: int | None = None
              ) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": max(line, 1)}
    if column:
        region["startColumn"] = column
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def check_junit(result: Result, fail_on: str | None) -> str:
    """One test case per account, failing on unwaived findings at or above `fail_on` (a
    severity; without it, no finding fails a case, as none fails the run: the exit code and
    the report agree); one failing case per file with input errors."""
    floor = None if fail_on is None else Severity(fail_on)
    # A timestamp is a date and time in JUnit's schema: the review date, at its start.
    suite = ElementTree.Element("testsuite", name="kam-review",
                                timestamp=f"{result.as_of.isoformat()}T00:00:00")
    waived = result.waived_high
    properties = ElementTree.SubElement(suite, "properties")
    ElementTree.SubElement(properties, "property", name="waived-high-findings",
                           value=str(len(waived)))
    failures = 0
    for item in result.accounts:
        case = ElementTree.SubElement(suite, "testcase", classname="kam-review.accounts",
                                      name=item.account.id, file=str(item.account.source))
        failing = [] if floor is None else [f for f in item.open_findings
                                            if f.severity.at_least(floor)]
        if failing:
            failures += 1
            counts = count_findings(failing).by_severity()
            failure = ElementTree.SubElement(case, "failure", type="findings", message=", ".join(
                f"{counts[s]} {s}" for s in Severity if counts[s]))
            failure.text = "\n".join(
                f"{f.severity} {rule_and_subject(f.rule, f.subject)}: {f.message}"
                for f in failing)
        out = ElementTree.SubElement(case, "system-out")
        out.text = "\n".join(f"{f.severity} {rule_and_subject(f.rule, f.subject)}: {f.message}"
                             + (f" ({f.waiver_note})" if f.waived else "")
                             for f in item.findings)
    for file in sorted({e.file for e in result.errors}):
        case = ElementTree.SubElement(suite, "testcase", classname="kam-review.input",
                                      name=file, file=file)
        failures += 1
        problems = [e for e in result.errors if e.file == file]
        failure = ElementTree.SubElement(case, "failure", type="invalid-input",
                                         message=counted(error_count(problems), "error"))
        failure.text = "\n".join(str(e) for e in problems)
    if waived:
        summary = ElementTree.SubElement(suite, "system-out")
        summary.text = f"{counted(len(waived), 'high finding')} waived:\n" + "\n".join(
            f"{a.account.id}: {rule_and_subject(f.rule, f.subject)} ({f.waiver_note})"
            for a, f in waived)
    suite.set("tests", str(len(suite.findall("testcase"))))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    for element in suite.iter():  # user text may hold characters XML 1.0 forbids
        element.text = xml_text(element.text) if element.text else element.text
        element.attrib = {key: xml_text(value) for key, value in element.attrib.items()}
    ElementTree.indent(suite)
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"

