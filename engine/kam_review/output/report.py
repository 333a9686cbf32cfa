"""Output writers for `kam check`: small functions from one Result to text."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from kam_review import __version__
from kam_review.errors import InputError, error_count, unreviewed_files
from kam_review.i18n import _
from kam_review.output.check_parts import (
    HEALTH,
    KIND,
    SEVERITY,
    AccountParts,
    account_parts,
    dump,
    expiring,
    tally_parts,
    unmatched_line,
)
from kam_review.output.movement_report import movement_dict, movement_lines
from kam_review.paths import display_path
from kam_review.resources import is_installed_rules
from kam_review.review.fast_check import WrittenBatch
from kam_review.review.movement import Movement
from kam_review.review.results import Result
from kam_review.review.tally import FindingCounts
from kam_review.rulebook.loading import rulebook_files
from kam_review.source.model import Waiver
from kam_review.source.revisions import folder_commit
from kam_review.text_safety import terminal_text
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
        # The lines of waivers ending soon, and of high findings waived (account, JSON line,
        # text line): check_parts.tally_parts.
        self.expiring: list[str] = []
        # Waivers in force that match no finding: account, rule, subject (or None) and why.
        self.unmatched: list[tuple[str, str, str | None, str]] = []
        self.waived_high: list[tuple[str, str, str | None]] = []
        # Rules not evaluated (a fact they need is unknown), and on how many accounts: listed
        # and counted, never findings, so never for --fail-on.
        self.not_evaluated = 0
        self.not_evaluated_accounts = 0
        self.verdicts: Counter[Health] = Counter()
        self.ids: set[str] = set()  # of the accounts reviewed: a file with errors is not

    def __repr__(self) -> str:
        return f"Tally({self.accounts} accounts, {len(self.errors)} errors)"

    def add(self, result: Result) -> None:
        """Count the result's accounts and keep its errors: for the summary, the errors and
        the worst severity; the lines only write_check writes are not made."""
        for item in result.accounts:
            self.add_account(tally_parts(item, result.rulebook, result.as_of, lines=False))
        self.errors.extend(result.errors)

    def add_account(self, parts: AccountParts) -> None:
        """Count one account from its parts (check_parts.tally_parts)."""
        self.accounts += 1
        self.ids.add(parts["id"])
        self.not_evaluated += parts["not_evaluated"]
        self.not_evaluated_accounts += bool(parts["not_evaluated"])
        counts = self.counts
        for severity, kind, waived, number in parts["counts"]:
            (counts.waived if waived else counts.open)[(SEVERITY[severity], KIND[kind])] += number
        if parts["verdict"] is not None:
            self.verdicts[HEALTH[parts["verdict"]]] += 1
        self.expiring += parts["expiring"]
        self.unmatched += [(parts["id"], rule, subject, why)
                           for rule, subject, why in parts["unmatched"]]
        self.waived_high += [(parts["id"], as_json, as_text)
                             for as_json, as_text in parts["waived_high"]]

    @property
    def worst(self) -> Severity | None:
        """The most severe unwaived finding's severity."""
        return Severity.worst(s for s, count in self.counts.by_severity().items() if count)

    def summary(self, shown: Callable[[str], str] = terminal_text) -> str:
        """The summary line; `shown` writes a file name as the output can carry it (for a
        terminal, its control and bidi characters as escapes)."""
        open_ = self.counts.by_severity()
        parts = _(", ").join(f"{open_[s]} {_(s)}" for s in Severity)
        errors = _("; ") + counted(error_count(self.errors), 'input error') if self.errors else ""
        return (_("{accounts}: {severities} ({count} waived)").format(
                    accounts=counted(self.accounts, 'account'), severities=parts,
                    count=self.counts.total(waived=True))
                + f"{self._high()}{self._not_evaluated()}{errors}{self._unreviewed(shown)}")

    def _unreviewed(self, shown_as: Callable[[str], str]) -> str:
        files = unreviewed_files(self.errors, self.ids)
        if not files:
            return ""
        shown = [shown_as(file) for file in files[:_FILES_NAMED]]
        more = len(files) - len(shown)
        return _("; not reviewed for their errors: {files}").format(files=_(", ").join(
            shown + ([_("{count} more").format(count=more)] if more else [])))

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
        accounts = _(", ").join(dict.fromkeys(entry[0] for entry in self.waived_high))
        return _("; {findings} waived ({accounts})").format(
            findings=counted(count, 'high finding'), accounts=accounts)


# The shape of `kam check` and `kam diff` JSON; raised when a key is renamed or removed.
SCHEMA_VERSION = 1
# The files not reviewed for their errors that the summary names; the rest are counted.
_FILES_NAMED = 5


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


_WRITTEN_TOGETHER = 64
# An unmatched waiver's keys in JSON (Tally.unmatched).
_UNMATCHED_KEYS = ("account", "rule", "subject", "why")


def write_check(results: Iterable[Result | WrittenBatch], output: str, show: Severity,
                as_of: date, write: Callable[[str], object],
                rules_source: Mapping[str, Any] | None = None,
                movement: Callable[[], Movement] | None = None,
                one_sided: bool = False, stages: Mapping[str, str] | None = None) -> Tally:
    """Write `kam check` text or JSON as the results come, batch by batch; with `movement`
    (`--since`), what moved since the previous review, once every result is written, its
    text naming each stage by its name in `stages` (JSON keeps the ids); with `one_sided`
    (no `--since`), text says what a review without the previous one cannot find.

    JSON has one finding or error a line: as readable in a diff as indented JSON, and written
    by the C encoder (json.dumps with `indent` falls back to Python and takes seconds for a
    large portfolio)."""
    tally = Tally()
    if output == "json":
        header = "".join(f"\n  {dump(key)}: {dump(value)},"
                         for key, value in json_header(as_of, rules_source).items())
        write(f'{{{header}\n  "accounts": [')
    else:
        write(_("kam-review: review as of {date}").format(date=as_of) + "\n")
    written = 0
    shown = {severity.value for severity in Severity if severity.at_least(show)}
    every_line = len(shown) == len(Severity)
    hidden = 0  # findings below --show: counted, not listed
    for result in results:
        accounts = result.accounts if isinstance(result, WrittenBatch) else [
            account_parts(item, result.rulebook, result.as_of, output) for item in result.accounts]
        # Accounts written a few dozen at a time: a write per account costs more, and so does
        # joining a whole batch into one large text.
        batch: list[str] = []
        for parts in accounts:
            if output == "json":
                batch.append((",\n" if written else "\n") + parts["json"])
                written += 1
            elif every_line:
                batch.append("\n" + parts["text"] + "\n")
            else:
                lines = zip(parts["severities"], parts["text"].split("\n"), strict=True)
                kept = [line for severity, line in lines
                        if severity is None or severity in shown]
                hidden += len(parts["severities"]) - len(kept)
                batch.append("\n" + "\n".join(kept) + "\n")
            tally.add_account(parts)
            if len(batch) == _WRITTEN_TOGETHER:
                write("".join(batch))
                batch.clear()
        if batch:
            write("".join(batch))
        tally.errors.extend(result.errors)
    if output == "json":
        errors = [f"    {dump(e.as_dict())}" for e in tally.errors]
        waived = [as_json for _, as_json, _ in tally.waived_high]
        unmatched = [f"    {dump(dict(zip(_UNMATCHED_KEYS, row, strict=True)))}"
                     for row in tally.unmatched]
        since = "" if movement is None else f',\n  "since": {dump(movement_dict(movement()))}'
        write(("\n  ]" if written else "]") + f',\n  "waived_high": {_json_list(waived)},'
              f'\n  "unmatched_waivers": {_json_list(unmatched)},'
              f'\n  "errors": {_json_list(errors)}{since}\n}}\n')
        return tally
    if tally.expiring:
        write("\n" + _("Waivers ending within {days} days:").format(days=WAIVER_NOTICE_DAYS)
              + "\n")
        write("".join(tally.expiring))
    if tally.unmatched:
        write("\n" + _("Waivers that match no finding (they silence nothing):") + "\n")
        write("".join(unmatched_line(*row) for row in tally.unmatched))
    if tally.waived_high:
        write("\n" + _("High findings waived (not counted for --fail-on):") + "\n")
        write("".join(as_text for _, _, as_text in tally.waived_high if as_text is not None))
    if tally.verdicts:
        write("\n" + _("Verdicts: ") + _(", ").join(
            f"{tally.verdicts[h]} {h.shown}" for h in Health if tally.verdicts[h]) + "\n")
    if movement is not None:
        write("\n".join(movement_lines(movement(), stages, show)) + "\n")
    elif one_sided:
        write("\n" + _("Not compared with the previous review, as the site is: a high "
                        "warning of the last review that the plan still leaves without an "
                        "action is found only with --since auto, so a verdict here can be "
                        "milder than the site's.") + "\n")
    if hidden:
        write("\n" + _("{findings} below {severity} not listed (--show {severity}); the "
                        "summary counts them").format(
            findings=counted(hidden, "finding"), severity=show.value) + "\n")
    write(f"\n{tally.summary()}\n")
    return tally


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
    return [(item.account.id, waiver) for item in result.accounts
            for waiver in expiring(item.account.waivers, result.as_of)]


def summary_line(result: Result, shown: Callable[[str], str] = terminal_text) -> str:
    tally = Tally()
    tally.add(result)
    return tally.summary(shown)
