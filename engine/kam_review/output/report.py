"""Output writers for `kam check`: small functions from one Result to text."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kam_review import __version__
from kam_review.errors import InputError, error_count
from kam_review.i18n import _
from kam_review.output.movement_report import movement_dict, movement_lines
from kam_review.paths import display_path
from kam_review.resources import is_installed_rules
from kam_review.review.movement import Movement
from kam_review.review.results import AccountResult, Finding, Result
from kam_review.review.tally import FindingCounts
from kam_review.rulebook.loading import rulebook_files
from kam_review.source.model import Waiver
from kam_review.source.revisions import folder_commit
from kam_review.text_safety import terminal_text
from kam_review.text_width import pad
from kam_review.vocabulary import WAIVER_NOTICE_DAYS, Health, Severity
from kam_review.wording import counted


class Tally:
    """What a `kam check` run has seen so far: counts for the summary, the worst open
    severity for --fail-on, input errors and waivers ending soon. Output is written account
    by account, so a large portfolio never has to be held whole."""

    def __init__(self) -> None:
        self.accounts = 0
        self.counts = FindingCounts()
        self.errors: list[InputError] = []
        self.expiring: list[tuple[str, Waiver]] = []
        self.waived_high: list[tuple[str, Finding]] = []
        # Rules not evaluated (a fact they need is unknown), and on how many accounts: listed
        # and counted, never findings, so never for --fail-on.
        self.not_evaluated = 0
        self.not_evaluated_accounts = 0
        self.verdicts: Counter[Health] = Counter()

    def __repr__(self) -> str:
        return f"Tally({self.accounts} accounts, {len(self.errors)} errors)"

    def add(self, result: Result) -> None:
        self.accounts += len(result.accounts)
        for item in result.accounts:
            self.not_evaluated += len(item.not_evaluated)
            self.not_evaluated_accounts += bool(item.not_evaluated)
            self.counts.add(item.findings)
            if item.verdict is not None:
                self.verdicts[item.verdict.health] += 1
        self.errors.extend(result.errors)
        self.expiring.extend(expiring_waivers(result))
        self.waived_high.extend((item.account.id, f) for item, f in result.waived_high)

    @property
    def worst(self) -> Severity | None:
        """The most severe unwaived finding's severity."""
        return Severity.worst(s for s, count in self.counts.by_severity().items() if count)

    def summary(self) -> str:
        open_ = self.counts.by_severity()
        parts = _(", ").join(f"{open_[s]} {_(s)}" for s in Severity)
        errors = f"; {counted(error_count(self.errors), 'input error')}" if self.errors else ""
        return (f"{counted(self.accounts, 'account')}: {parts} "
                + _("({count} waived)").format(count=self.counts.total(waived=True))
                + f"{self._high()}{self._not_evaluated()}{errors}")

    def _not_evaluated(self) -> str:
        if not self.not_evaluated:
            return ""
        return _("; not evaluated: {rules} on {accounts}").format(
            rules=counted(self.not_evaluated, 'rule'),
            accounts=counted(self.not_evaluated_accounts, 'account'))

    def _high(self) -> str:
        count = len(self.waived_high)
        if not count:
            return ""
        accounts = ", ".join(dict.fromkeys(account for account, _ in self.waived_high))
        return _("; {findings} waived ({accounts})").format(
            findings=counted(count, 'high finding'), accounts=accounts)


# The shape of `kam check` and `kam diff` JSON; raised when a key is renamed or removed.
SCHEMA_VERSION = 1


def json_header(as_of: date, rules_source: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a JSON output says about itself: format, tool version, review date, and the
    rules it was made with (see rules_source)."""
    return {"schema_version": SCHEMA_VERSION, "tool_version": __version__,
            "as_of": as_of.isoformat(), "rules": rules_source}


def rules_source(folder: Path | None, thresholds: Path | None) -> dict[str, Any]:
    """Which rules a JSON output was made with: the bundled ones (this version's), or a
    folder's files as of a commit (revisions.folder_commit; None: each side of a diff its
    own), and the thresholds file that overrides them, by its hash."""
    if folder is None:
        source: dict[str, Any] = {"source": "each side", "commit": None, "dirty": None,
                                  "note": "each side used the rules folder as it was at its "
                                          "revision"}
    elif is_installed_rules(folder):
        source = {"source": "bundled", "tool_version": __version__, "commit": None,
                  "dirty": False, "note": None}
    else:
        source = {"source": "folder"} | folder_commit(folder, rulebook_files(folder))
    return source | {"thresholds": None if thresholds is None else {
        "file": display_path(thresholds), "sha256": _sha256(thresholds)}}


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# One encoder for every line: json.dumps with options makes a new one per call, and a large
# portfolio's output has a line per finding.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _dump(value: Any) -> str:
    return _ENCODE(value)


def write_check(results: Iterable[Result], output: str, show: Severity, as_of: date,
                write: Callable[[str], object],
                rules_source: Mapping[str, Any] | None = None,
                movement: Callable[[], Movement] | None = None) -> Tally:
    """Write `kam check` text or JSON as the results come, batch by batch; with `movement`
    (`--since`), what moved since the previous review, once every result is written.

    JSON has one finding or error a line: as readable in a diff as indented JSON, and written
    by the C encoder (json.dumps with `indent` falls back to Python and takes seconds for a
    large portfolio)."""
    tally = Tally()
    if output == "json":
        header = "".join(f"\n  {_dump(key)}: {_dump(value)},"
                         for key, value in json_header(as_of, rules_source).items())
        write(f'{{{header}\n  "accounts": [')
    else:
        write(_("kam-review: review as of {date}").format(date=as_of) + "\n")
    written = 0
    for result in results:
        for item in result.accounts:
            if output == "json":
                write((",\n" if written else "\n") + _json_account(item))
                written += 1
            else:
                write("\n" + "\n".join(_account_text(item, show)) + "\n")
        tally.add(result)
    if output == "json":
        errors = [f"    {_dump(e.as_dict())}" for e in tally.errors]
        waived = [f"    {_dump(waived_dict(a, f))}" for a, f in tally.waived_high]
        since = "" if movement is None else f',\n  "since": {_dump(movement_dict(movement()))}'
        write(("\n  ]" if written else "]") + f',\n  "waived_high": {_json_list(waived)},'
              f'\n  "errors": {_json_list(errors)}{since}\n}}\n')
        return tally
    if tally.expiring:
        write("\n" + _("Waivers ending within {days} days:").format(days=WAIVER_NOTICE_DAYS)
              + "\n")
        write("".join(_waiver_line(account, w.rule, w.subject, w)
                      for account, w in tally.expiring))
    if tally.waived_high:
        write("\n" + _("High findings waived (not counted for --fail-on):") + "\n")
        write("".join(_waiver_line(account, f.rule, f.subject, f.waiver)
                      for account, f in tally.waived_high if f.waiver is not None))
    if tally.verdicts:
        write("\n" + _("Verdicts: ") + _(", ").join(
            f"{tally.verdicts[h]} {h.shown}" for h in Health if tally.verdicts[h]) + "\n")
    if movement is not None:
        write("\n".join(movement_lines(movement())) + "\n")
    write(f"\n{tally.summary()}\n")
    return tally


def _waiver_line(account: str, rule: str, subject: str | None, waiver: Waiver) -> str:
    return terminal_text(f"  {account}: {rule}{' [' + subject + ']' if subject else ''} until "
                         f"{waiver.until} (by {waiver.by}: {waiver.reason})") + "\n"


def waived_dict(account: str, finding: Finding) -> dict[str, Any]:
    """A waived finding with its waiver, for machine-readable summaries."""
    waiver = finding.waiver
    return {"account": account, "rule": finding.rule, "severity": finding.severity,
            "subject": finding.subject, "until": str(waiver.until) if waiver else None,
            "by": waiver.by if waiver else None, "reason": waiver.reason if waiver else None}


def _json_account(item: AccountResult) -> str:
    head = {"id": item.account.id, "name": item.account.name, "class": item.klass,
            "focus": item.focus,
            "verdict": None if item.verdict is None else item.verdict.as_dict()}
    findings = ",\n".join(f"      {_dump(f.as_dict())}" for f in item.findings)
    unknown = ",\n".join(f"      {_dump(n.as_dict())}" for n in item.not_evaluated)
    listed = f'"findings": [\n{findings}\n    ]' if findings else '"findings": []'
    listed += f', "not_evaluated": [\n{unknown}\n    ]' if unknown else ', "not_evaluated": []'
    return f"    {_dump(head)[:-1]}, {listed}}}"


def _json_list(lines: list[str]) -> str:
    return "[\n" + ",\n".join(lines) + "\n  ]" if lines else "[]"


def _collect(result: Result, output: str, show: Severity) -> str:
    parts: list[str] = []
    write_check([result], output, show, result.as_of, parts.append)
    return "".join(parts)


def as_json(result: Result) -> str:
    return _collect(result, "json", Severity.INFO)


def as_text(result: Result, show: Severity = Severity.INFO) -> str:
    """Findings per account, most severe first; `show` hides findings below a severity."""
    return _collect(result, "text", show)


def expiring_waivers(result: Result) -> list[tuple[str, Waiver]]:
    """Waivers still running that end within WAIVER_NOTICE_DAYS of the review date."""
    horizon = result.as_of + timedelta(days=WAIVER_NOTICE_DAYS)
    return [(item.account.id, waiver) for item in result.accounts
            for waiver in item.account.waivers
            if waiver.until is not None and result.as_of <= waiver.until <= horizon]


def _account_text(result: AccountResult, show: Severity) -> list[str]:
    account = result.account
    focus = _(", focus {focus}").format(focus=_(result.focus)) if result.focus else ""
    # Rules not evaluated are counted in the heading, not listed as findings (kam explain
    # lists them with what they need).
    count = len(result.not_evaluated)
    unknown = _("; not evaluated: {rules}").format(rules=counted(count, 'rule')) if count else ""
    lines = [f"{account.id}: {account.name} ({_(result.klass)}{focus}; "
             + _("owner {owner}").format(owner=account.owner) + f"{unknown})"]
    if result.verdict is not None:
        lines.append("  " + _("verdict: {verdict}").format(verdict=result.verdict.text))
    for finding in result.findings:
        if finding.severity.at_least(show):
            lines.append("  " + _finding_text(finding))
    return [terminal_text(line) for line in lines]


def _finding_text(finding: Finding) -> str:
    subject = f" [{finding.subject}]" if finding.subject else ""
    text = f"{pad(_(finding.severity.upper()), 6)} {finding.rule}{subject}: {finding.message}"
    if finding.waived:
        text += f" ({finding.waiver_note})"
    return text


def summary_line(result: Result) -> str:
    tally = Tally()
    tally.add(result)
    return tally.summary()
