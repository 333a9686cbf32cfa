"""What changed between two reviews: accounts, classes, focus, verdicts, findings, stages,
the plan's actions and goals, and figures.

A pure function of two Results; `kam diff` and the site's changes page both read it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import KamError
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.resources import bundled_rules_folder
from kam_review.review.actions import planned_for
from kam_review.review.deal_diff import opportunity_changes, revenue_changes, stage_parts
from kam_review.review.evaluate import review
from kam_review.review.movement import ended_because
from kam_review.review.plan_diff import Ending, plan_changes
from kam_review.review.results import AccountResult, Finding, Result
from kam_review.review.snapshot import presence_of
from kam_review.source.model import Waiver
from kam_review.source.revisions import export_folder, repository_root
from kam_review.vocabulary import Severity

# How a Diff names the working tree as its head side (git revisions keep their names).
WORKING_TREE = "working tree"
# The order changes are listed in, per account.
CHANGE_KINDS = ("account-added", "account-fixed", "account-removed", "account-invalid",
                "class", "focus",
                "verdict", "finding-new", "finding-resolved", "finding-unevaluated",
                "finding-ended",
                "finding-severity", "finding-changed", "finding-waived", "finding-unwaived",
                "finding-unplanned", "stage",
                "opportunity-added", "opportunity-removed", "stage-since", "opportunity-close",
                "action-added", "action-removed", "action-done", "action-dropped",
                "action-reopened", "action-due", "action-owner", "action-answers",
                "action-outcome", "goal-added", "goal-removed", "goal-target", "goal-due",
                "goal-baseline", "figure")


@dataclass(frozen=True)
class Change:
    account: str
    kind: str
    subject: str = ""
    before: str = ""
    after: str = ""
    severity: Severity | None = None  # of a finding that appeared or was resolved
    rule: str = ""
    # A figure's exact numbers, before and after (None: it was not there).
    values: tuple[float | None, float | None] | None = None
    waiver: Waiver | None = None  # the waiver a finding has now (finding-new, -waived)
    note: str = ""  # how a new finding is waived, as every output says it
    ending: Ending | None = None  # how an action that became done or dropped ended
    reasons: tuple[str, ...] = ()  # why the account has its new verdict (its rule's clauses)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        rank = self.severity.rank if self.severity else len(Severity)
        return (self.account, CHANGE_KINDS.index(self.kind), rank, self.rule, self.subject)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "account": self.account, "kind": self.kind, "subject": self.subject,
            "before": self.before, "after": self.after, "severity": self.severity or "",
            "rule": self.rule}
        if self.values is not None:
            data["before_value"], data["after_value"] = self.values
        if self.waiver is not None:
            data["waiver"] = {"reason": self.waiver.reason, "by": self.waiver.by,
                              "until": str(self.waiver.until) if self.waiver.until else None}
        if self.kind == "verdict":
            data["reasons"] = list(self.reasons)
        if self.kind == "stage":  # the deal's id, and which way it moved, apart
            data["deal"], data["direction"] = stage_parts(self.subject)
        if self.ending is not None:
            done_on = self.ending.done_on
            data["done_on"] = None if done_on is None else done_on.isoformat()
            data["outcome"] = self.ending.outcome
        return data


@dataclass(frozen=True)
class Diff:
    base: str
    head: str
    base_result: Result
    head_result: Result
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()  # what the reader should know about how a side was reviewed

    def for_account(self, account_id: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.account == account_id)

    @property
    def new_findings(self) -> list[Change]:
        return sorted((c for c in self.changes if c.kind == "finding-new"),
                      key=lambda c: (c.severity.rank if c.severity else len(Severity),
                                     c.account, c.rule))


def compare(base: Result, head: Result, base_label: str, head_label: str) -> Diff:
    before = {a.account.id: a for a in base.accounts}
    after = {a.account.id: a for a in head.accounts}
    changes: list[Change] = []
    # An account is its file (its id is the file's name): one the head cannot read is not
    # removed, only not compared.
    unread = {Path(error.file).stem for error in head.errors}
    unread_then = {Path(error.file).stem for error in base.errors}
    for account_id in sorted(before.keys() | after.keys()):
        if account_id not in before:
            changes.append(Change(account_id, "account-fixed" if account_id in unread_then
                                  else "account-added", after=after[account_id].klass))
        elif account_id not in after:
            changes.append(Change(account_id, "account-invalid" if account_id in unread
                                  else "account-removed", before=before[account_id].klass))
        else:
            changes.extend(_account_changes(before[account_id], after[account_id], base,
                                            head))
    return Diff(base_label, head_label, base, head, tuple(sorted(changes, key=Change.sort_key)))


def _account_changes(old: AccountResult, new: AccountResult, base: Result, head: Result
                     ) -> Iterator[Change]:
    account = new.account.id
    if old.klass != new.klass:
        yield Change(account, "class", before=old.klass, after=new.klass)
    if old.focus != new.focus:
        yield Change(account, "focus", before=old.focus or "none", after=new.focus or "none")
    # As JSON keeps them (the verdict's key; "none" without one, as the focus); words are the
    # writers' part.
    verdicts = [item.verdict.health.value if item.verdict else "none" for item in (old, new)]
    if verdicts[0] != verdicts[1]:
        yield Change(account, "verdict", before=verdicts[0], after=verdicts[1],
                     reasons=new.verdict.reasons if new.verdict else (),
                     rule=new.verdict.rule or "" if new.verdict else "")
    yield from _finding_changes(old, new, same_day=base.as_of == head.as_of)
    yield from _unplanned(old, new, base, head)
    order = {s.id: s.index for s in head.rulebook.stages}
    for kind, subject, before, after, values in opportunity_changes(
            old.account, new.account, order, new.formats):
        yield Change(account, kind, subject, before, after, values=values)
    for kind, subject, before, after, values, ending in plan_changes(
            old.account, new.account, new.formats):
        yield Change(account, kind, subject, before, after, values=values, ending=ending)
    for kind, subject, before, after, values in revenue_changes(old.account, new.account,
                                                                new.formats):
        yield Change(account, kind, subject, before, after, values=values)


def _finding_changes(old: AccountResult, new: AccountResult, same_day: bool
                     ) -> Iterator[Change]:
    """Findings new, resolved, no longer evaluated or ended; of the same finding on both
    sides, its severity, its waiver and (on the same review date, where "days ago" stays
    put) what a warning says: "1 of the four buying influences" become 2."""
    def keyed(result: AccountResult) -> dict[tuple[str, str], Finding]:
        return {(f.rule, f.subject): f for f in result.findings
                if not f.kind.assigns}

    account = new.account.id
    before, after = keyed(old), keyed(new)
    # A rule not evaluated now on a finding's subject did not find it resolved: the data it
    # needs is missing (a quarter deleted, say), which must not read as a risk gone.
    unknown = {(n.rule, n.subject): n.needs for n in new.not_evaluated}
    for key in sorted(after.keys() - before.keys()):
        finding = after[key]
        yield Change(account, "finding-new", finding.subject, after=finding.message,
                     severity=finding.severity, rule=finding.rule, waiver=finding.waiver,
                     note=finding.waiver_note)
    # One whose subject is gone (a contact left, a deal removed) was not resolved either.
    presence = presence_of(new)
    for key in sorted(before.keys() - after.keys()):
        finding, ended = before[key], key not in unknown and presence.has_gone(key[1])
        yield Change(account, "finding-unevaluated" if key in unknown else "finding-ended"
                     if ended else "finding-resolved", finding.subject, before=finding.message,
                     after=ended_because(presence, key[1]) if ended else unknown.get(key, ""),
                     severity=finding.severity, rule=finding.rule)
    # The same finding on both sides: what a change would most like to hide is a high
    # finding made less severe (by a rule change) or waived (or its waiver extended).
    for key in sorted(before.keys() & after.keys()):
        was, now = before[key], after[key]
        if was.severity != now.severity:
            yield Change(account, "finding-severity", now.subject, before=was.severity.value,
                         after=now.severity.value, severity=Severity.worst(
                             [was.severity, now.severity]), rule=now.rule)
        elif same_day and was.message != now.message and now.kind.warns:
            yield Change(account, "finding-changed", now.subject, before=was.message,
                         after=now.message, severity=now.severity, rule=now.rule)
        if was.waiver != now.waiver:
            yield Change(account, "finding-waived" if now.waived else "finding-unwaived",
                         now.subject, before=was.waiver_note, after=now.waiver_note,
                         severity=now.severity, rule=now.rule, waiver=now.waiver)


def _unplanned(old: AccountResult, new: AccountResult, base: Result, head: Result
               ) -> Iterator[Change]:
    """A high warning on both sides that an open action of the plan answered and none does
    now: the action was removed, done, dropped or pointed elsewhere, and the warning is
    left without one, which the change says beside the action's own change."""
    before = {(f.rule, f.subject): f for f in old.findings}
    for finding in new.findings:
        was = before.get((finding.rule, finding.subject))
        rule, rule_then = head.rulebook.find(finding.rule), base.rulebook.find(finding.rule)
        if was is None or rule is None or rule_then is None or \
                finding.severity != Severity.HIGH or not finding.warns:
            continue
        then = planned_for(was, old, rule_then.on, base.as_of).open
        if then is not None and planned_for(finding, new, rule.on, head.as_of).open is None:
            yield Change(new.account.id, "finding-unplanned", finding.subject,
                         before=then.action.what, severity=finding.severity, rule=finding.rule)


def diff_revisions(
    base: str,
    head: str | None,
    accounts: Path,
    rules: Path,
    as_of: date,
    base_as_of: date | None = None,
    own_rules: bool = False,
    thresholds: Path | None = None,
    formats: LocaleFormat = ENGLISH,
) -> Diff:
    """Review `accounts` at two git revisions (head None: the working tree) and compare.
    With own_rules, `rules` is the rules folder of the repository under review (see
    own_rules_folder) and each side uses it as it was at its revision; a side without it is
    reviewed with the bundled rules, and the Diff's notes say so."""
    notes: list[str] = []
    base_result = _review_at(base, accounts, rules, base_as_of or as_of, own_rules,
                             thresholds, notes, formats=formats)
    if head is None:
        if own_rules and not rules.is_dir():
            notes.append(_no_rules_note("the working tree", rules))
            rules = bundled_rules_folder()
        head_result = review(accounts, rules, as_of, thresholds, formats=formats)
    else:
        head_result = _review_at(head, accounts, rules, as_of, own_rules, thresholds, notes,
                                 formats=formats)
    diff = compare(base_result, head_result, base, head or WORKING_TREE)
    return replace(diff, notes=tuple(notes))


def own_rules_folder(accounts: Path, rules: Path | None) -> Path:
    """The rules of the repository under review, the git repository holding `accounts`:
    `rules` if given (it must lie inside that repository), else the repository's `rules/`."""
    accounts = accounts.resolve()
    root = repository_root(accounts if accounts.is_dir() else accounts.parent)
    folder = (rules or root / "rules").resolve()
    if not folder.is_relative_to(root):
        raise KamError(f"--own-rules reads the rules of the repository under review ({root}); "
                       f"--rules {rules} lies outside it")
    return folder


def _no_rules_note(side: str, folder: Path) -> str:
    name = folder.relative_to(repository_root(folder.parent)).as_posix()
    return f"the repository has no {name}/ in {side}: that side is reviewed with the " \
           "bundled rules"


def review_revision(
    revision: str,
    accounts: Path,
    rules: Path,
    as_of: date,
    own_rules: bool = False,
    thresholds: Path | None = None,
    redact: bool = False,
    formats: LocaleFormat = ENGLISH,
) -> Result:
    """Review the accounts folder as it was at a git revision (and with its rules then)."""
    return _review_at(revision, accounts, rules, as_of, own_rules, thresholds, [], redact,
                      formats)


def _review_at(revision: str, accounts: Path, rules: Path, as_of: date, own_rules: bool,
               thresholds: Path | None, notes: list[str], redact: bool = False,
               formats: LocaleFormat = ENGLISH) -> Result:
    with tempfile.TemporaryDirectory(prefix="kam-diff-") as folder:
        temporary = Path(folder)
        exported = export_folder(revision, accounts, temporary / "accounts")
        if own_rules:
            rules_then = export_folder(revision, rules, temporary / "rules")
            if any(path.is_file() for path in rules_then.rglob("*")):
                rules = rules_then
            else:
                notes.append(_no_rules_note(f"revision {revision}", rules))
                rules = bundled_rules_folder()
        return _relabel(review(exported, rules, as_of, thresholds, redact=redact,
                               formats=formats), temporary, revision)


def _relabel(result: Result, temporary: Path, revision: str) -> Result:
    """Name files read from git as `REVISION:path`, not by their temporary location."""
    prefix = str(temporary.resolve())
    errors = []
    for error in result.errors:
        if error.file.startswith(prefix):
            parts = Path(error.file).relative_to(prefix).parts[1:]
            error = replace(error, file=f"{revision}:{'/'.join(parts)}")
        errors.append(error)
    return replace(result, errors=tuple(errors))
