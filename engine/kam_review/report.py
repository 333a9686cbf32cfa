"""Output writers for `kam check`: small functions from one Result to text."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from .model import Waiver
from .results import AccountResult, Finding, Result
from .rulebook import SEVERITIES


def as_json(result: Result) -> str:
    """The result as JSON, one finding or error a line: as readable in a diff as indented
    JSON, and written by the C encoder (json.dumps with `indent` falls back to Python and
    takes seconds for a large portfolio)."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    accounts = []
    for item in result.accounts:
        head = {"id": item.account.id, "name": item.account.name, "class": item.klass,
                "focus": item.focus}
        findings = ",\n".join(f"      {dump(f.as_dict())}" for f in item.findings)
        accounts.append(f"    {dump(head)[:-1]}, \"findings\": [\n{findings}\n    ]}}"
                        if findings else f"    {dump(head | {'findings': []})}")
    errors = [f"    {dump(e.as_dict())}" for e in result.errors]
    return (f'{{\n  "as_of": {dump(result.as_of.isoformat())},\n'
            f'  "accounts": {_json_list(accounts)},\n  "errors": {_json_list(errors)}\n}}\n')


def _json_list(lines: list[str]) -> str:
    return "[\n" + ",\n".join(lines) + "\n  ]" if lines else "[]"


def as_text(result: Result, show: str = "info") -> str:
    """Findings per account, most severe first; `show` hides findings below a severity."""
    lines = [f"kam-review: {len(result.accounts)} account(s) as of {result.as_of}"]
    for account in result.accounts:
        lines.append("")
        lines.extend(_account_text(account, show))
    expiring = expiring_waivers(result)
    if expiring:
        lines += ["", f"Waivers ending within {EXPIRY_NOTICE_DAYS} days:"]
        lines += [f"  {account}: {w.rule}{' [' + w.subject + ']' if w.subject else ''} until "
                  f"{w.until} (by {w.by}: {w.reason})" for account, w in expiring]
    lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


EXPIRY_NOTICE_DAYS = 30


def expiring_waivers(result: Result) -> list[tuple[str, Waiver]]:
    """Waivers still running that end within EXPIRY_NOTICE_DAYS of the review date."""
    horizon = result.as_of + timedelta(days=EXPIRY_NOTICE_DAYS)
    return [(item.account.id, waiver) for item in result.accounts
            for waiver in item.account.waivers
            if waiver.until is not None and result.as_of <= waiver.until <= horizon]


def _account_text(result: AccountResult, show: str) -> list[str]:
    account = result.account
    focus = f", focus {result.focus}" if result.focus else ""
    lines = [f"{account.id}: {account.name} ({result.klass}{focus}; owner {account.owner})"]
    limit = SEVERITIES.index(show)
    for finding in result.findings:
        if SEVERITIES.index(finding.severity) <= limit:
            lines.append("  " + _finding_text(finding))
    return lines


def _finding_text(finding: Finding) -> str:
    subject = f" [{finding.subject}]" if finding.subject else ""
    text = f"{finding.severity.upper():<6} {finding.rule}{subject}: {finding.message}"
    if finding.waiver is not None:
        text += f" (waived until {finding.waiver.until} by {finding.waiver.by}: " \
                f"{finding.waiver.reason})"
    return text


def summary_line(result: Result) -> str:
    counts = Counter(f.severity for a in result.accounts for f in a.open_findings)
    waived = sum(1 for a in result.accounts for f in a.findings if f.waived)
    parts = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    errors = f"; {len(result.errors)} input error(s)" if result.errors else ""
    return f"{len(result.accounts)} account(s): {parts} ({waived} waived){errors}"


def worst_open(result: Result) -> str | None:
    """The most severe unwaived finding's severity across the portfolio."""
    severities = [f.severity for a in result.accounts for f in a.open_findings]
    return min(severities, key=SEVERITIES.index, default=None)
