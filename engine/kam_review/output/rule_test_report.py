"""The result of `kam rules test` as text (a summary per rule, each failure with the facts the
rule saw), JSON and JUnit XML."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

from kam_review import __version__
from kam_review.review.rule_tests import Outcome, RuleTestRun
from kam_review.text_safety import terminal_text, xml_text
from kam_review.wording import counted

# How each expectation is named in the reports.
_EXPECTS = {"fires": "fires", "silent": "stays silent", "message": "message holds the texts"}


def tests_text(run: RuleTestRun, require_coverage: bool = False) -> str:
    lines = []
    for rule_id in run.rules:
        outcomes = run.of_rule(rule_id)
        passed = sum(o.passed for o in outcomes)
        fires, silent = run.cases_of(rule_id, "fires"), run.cases_of(rule_id, "silent")
        mark = "ok  " if passed == len(outcomes) and outcomes else (
            "----" if not outcomes else "FAIL")
        unknown = run.unevaluated_of(rule_id)
        # Silent for want of data is no test of the condition: said, not failed.
        note = f", {unknown} of them not evaluated" if unknown else ""
        lines.append(f"{mark} {rule_id}: {passed} of {counted(len(outcomes), 'check')} "
                     f"passed ({fires} firing, {silent} silent{note})")
    for outcome in run.failures:
        lines += ["", *failure_lines(outcome)]
    for error in run.errors:
        lines += ["", f"error: {error}"]
    untested = run.untested()
    if untested:
        lines += ["", f"{counted(len(untested), 'rule')} without both a firing and a silent "
                      "case" + (" (--require-coverage)" if require_coverage else "") + ":"]
        lines += [f"  {rule_id}: lacks {lacking}" for rule_id, lacking in untested]
    cases = len({o.case for o in run.outcomes})
    lines += ["", f"{counted(cases, 'case')}, {counted(len(run.outcomes), 'check')}: "
                  f"{len(run.failures)} failed, {counted(len(run.errors), 'error')}"]
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def failure_lines(outcome: Outcome) -> list[str]:
    """A failure as the reader needs it: the case, what was expected, what happened and the
    facts the rule saw, comparison by comparison."""
    return [f"FAIL {outcome.rule} {_EXPECTS[outcome.expects]}: {outcome.problem}",
            f"  case '{outcome.case.name}' ({outcome.case.where}, as of {outcome.case.as_of})",
            "  what the rule saw:", *(f"    {line}" for line in outcome.facts)]


def tests_json(run: RuleTestRun) -> str:
    data: dict[str, Any] = {
        "tool": {"name": "kam-review", "version": __version__},
        "passed": run.ok,
        "rules": [_rule_dict(run, rule_id) for rule_id in run.rules],
        "failures": [{"rule": o.rule, "expects": o.expects, "case": o.case.name,
                      "file": o.case.file, "line": o.case.line, "problem": o.problem,
                      "facts": list(o.facts)} for o in run.failures],
        "errors": [e.as_dict() for e in run.errors],
        "untested": [{"rule": rule_id, "lacks": lacking} for rule_id, lacking in run.untested()],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _rule_dict(run: RuleTestRun, rule_id: str) -> dict[str, Any]:
    outcomes = run.of_rule(rule_id)
    return {"rule": rule_id, "checks": len(outcomes), "passed": sum(o.passed for o in outcomes),
            "firing_cases": run.cases_of(rule_id, "fires"),
            "silent_cases": run.cases_of(rule_id, "silent"),
            "silent_not_evaluated": [{"case": o.case.name, "file": o.case.file,
                                      "line": o.case.line, "needs": o.unevaluated}
                                     for o in outcomes if o.unevaluated]}


def tests_junit(run: RuleTestRun, require_coverage: bool = False) -> str:
    """One test case per expectation, in a suite per rule; unreadable cases and (with
    --require-coverage) untested rules as failing cases of their own."""
    root = ElementTree.Element("testsuites", name="kam-review rules")
    for rule_id in run.rules:
        outcomes = run.of_rule(rule_id)
        suite = ElementTree.SubElement(root, "testsuite", name=rule_id,
                                       tests=str(len(outcomes)),
                                       failures=str(sum(not o.passed for o in outcomes)))
        for outcome in outcomes:
            case = ElementTree.SubElement(
                suite, "testcase", classname=rule_id, file=outcome.case.file,
                line=str(outcome.case.line),
                name=xml_text(f"{_EXPECTS[outcome.expects]}: {outcome.case.name}"))
            if not outcome.passed:
                failure = ElementTree.SubElement(case, "failure", type=outcome.expects,
                                                 message=xml_text(outcome.problem))
                failure.text = xml_text("\n".join(failure_lines(outcome)))
    extra = [(e.file, str(e), "invalid-input") for e in run.errors]
    if require_coverage:
        extra += [(rule_id, f"{rule_id} lacks {lacking}", "untested")
                  for rule_id, lacking in run.untested()]
    if extra:
        suite = ElementTree.SubElement(root, "testsuite", name="kam-review.rule-tests",
                                       tests=str(len(extra)), failures=str(len(extra)))
        for name, text, kind in extra:
            case = ElementTree.SubElement(suite, "testcase", classname=kind,
                                          name=xml_text(name))
            ElementTree.SubElement(case, "failure", type=kind, message=xml_text(text))
    ElementTree.indent(root)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            + ElementTree.tostring(root, encoding="unicode") + "\n")
