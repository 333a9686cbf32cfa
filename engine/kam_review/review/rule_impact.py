"""What a change of the rules does to a portfolio: the same accounts reviewed with the rules
before and after, compared rule by rule and account by account.

Per rule, the accounts it newly fires on and those it stops firing on (a rule fires on an
account where it has a finding, or decides its verdict), and a changed severity with the
accounts it still fires on; per account, a change of class,
verdict or focus; and the biggest changes, weighed so that a verdict outweighs a class, a class
a focus, and a high warning a low one. `kam rules impact` and `kam diff --format markdown`
(when the rules changed between the revisions) both read it.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kam_review.errors import KamError
from kam_review.paths import repository_holding
from kam_review.review.evaluate import review
from kam_review.review.results import AccountResult, Result
from kam_review.source.revisions import export_folder
from kam_review.vocabulary import Severity

# How much each kind of change weighs in picking the biggest.
_WEIGHTS = {"verdict": 4, "class": 3, "focus": 2}
_SEVERITY_WEIGHTS = {Severity.HIGH: 3, Severity.MEDIUM: 2}
BIGGEST = 5


@dataclass(frozen=True)
class RuleChange:
    """A rule whose findings changed: the accounts it newly fires on and those it stops firing
    on; or, its severity changed, the accounts it fires on at the new severity as before."""

    rule: str
    title: str
    newly: tuple[str, ...]
    stopped: tuple[str, ...]
    status: str = ""  # "new" or "removed" when the rule is only on one side
    severity: tuple[Severity, Severity] | None = None  # before, after, where it changed
    still: tuple[str, ...] = ()  # fired on before and after, where the severity changed

    @property
    def fires_elsewhere(self) -> bool:
        return bool(self.newly or self.stopped or self.status)


@dataclass(frozen=True)
class AccountChange:
    """One account's class, verdict or focus before and after."""

    account: str
    what: str  # "class", "verdict" or "focus"
    before: str
    after: str


@dataclass(frozen=True)
class Impact:
    before: str  # how the two rule sets are named: "rules at main", "working tree"
    after: str
    accounts: int
    rules: tuple[RuleChange, ...]
    moves: tuple[AccountChange, ...]
    biggest: tuple[tuple[str, str], ...]  # (account, what changed on it), biggest first


def compare_rules(before: Result, after: Result, before_name: str, after_name: str) -> Impact:
    """The impact of going from the rules of `before` to those of `after` (the same accounts)."""
    old = {a.account.id: a for a in before.accounts}
    new = {a.account.id: a for a in after.accounts}
    common = sorted(old.keys() & new.keys())
    fired_old = {i: _fired(old[i]) for i in common}
    fired_new = {i: _fired(new[i]) for i in common}
    ids_old = {r.id for r in before.rulebook.rules}
    ids_new = {r.id for r in after.rulebook.rules}
    titles = before.rulebook.titles | after.rulebook.titles
    severity_old = {r.id: r.severity for r in before.rulebook.rules}
    severities = severity_old | {r.id: r.severity for r in after.rulebook.rules}
    rules = []
    for rule_id in sorted(ids_old | ids_new):
        newly = tuple(i for i in common if rule_id in fired_new[i] - fired_old[i])
        stopped = tuple(i for i in common if rule_id in fired_old[i] - fired_new[i])
        status = "new" if rule_id not in ids_old else "removed" if rule_id not in ids_new else ""
        moved = None if status or severity_old[rule_id] == severities[rule_id] else (
            severity_old[rule_id], severities[rule_id])
        still = () if moved is None else tuple(
            i for i in common if rule_id in fired_old[i] & fired_new[i])
        if newly or stopped or status or moved:
            rules.append(RuleChange(rule_id, titles[rule_id], newly, stopped, status, moved,
                                    still))
    moves = [move for i in common for move in _moves(old[i], new[i])]
    weight: dict[str, float] = {}
    for move in moves:
        weight[move.account] = weight.get(move.account, 0) + _WEIGHTS[move.what]
    for change in rules:
        for account in (*change.newly, *change.stopped, *change.still):
            weight[account] = weight.get(account, 0) + _SEVERITY_WEIGHTS.get(
                severities[change.rule], 1)
    ranked = sorted(weight, key=lambda account: (-weight[account], account))[:BIGGEST]
    biggest = tuple((account, _summary(account, moves, rules)) for account in ranked)
    return Impact(before_name, after_name, len(common), tuple(rules), tuple(moves), biggest)


def _fired(item: AccountResult) -> set[str]:
    fired = {f.rule for f in item.findings}
    if item.verdict is not None and item.verdict.rule:
        fired.add(item.verdict.rule)
    return fired


def _moves(old: AccountResult, new: AccountResult) -> Iterator[AccountChange]:
    account = new.account.id
    if old.klass != new.klass:
        yield AccountChange(account, "class", old.klass, new.klass)
    verdicts = [item.verdict.health.value if item.verdict else "none" for item in (old, new)]
    if verdicts[0] != verdicts[1]:
        yield AccountChange(account, "verdict", *verdicts)
    if old.focus != new.focus:
        yield AccountChange(account, "focus", old.focus or "none", new.focus or "none")


def _summary(account: str, moves: list[AccountChange], rules: list[RuleChange]) -> str:
    parts = [f"{m.what} {m.before} -> {m.after}" for m in moves if m.account == account]
    newly = [r.rule for r in rules if account in r.newly]
    stopped = [r.rule for r in rules if account in r.stopped]
    graded = [f"{r.rule} {r.severity[0].value} -> {r.severity[1].value}"
              for r in rules if account in r.still and r.severity]
    if newly:
        parts.append("newly fires " + ", ".join(newly))
    if stopped:
        parts.append("stops firing " + ", ".join(stopped))
    if graded:
        parts.append("severity " + ", ".join(graded))
    return "; ".join(parts)


def rules_impact(base: str, rules: Path, accounts: Path, as_of: date,
                 thresholds: Path | None = None) -> Impact:
    """The accounts of the working tree reviewed with the rules folder as it was at git
    revision `base` and as it is now."""
    with rules_at(base, rules) as before_rules:
        before = review(accounts, before_rules, as_of, thresholds)
    after = review(accounts, rules, as_of, thresholds)
    return compare_rules(before, after, f"rules at {base}", "rules in the working tree")


@contextmanager
def rules_at(revision: str, rules: Path) -> Iterator[Path]:
    """The rules folder as it was at a git revision, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="kam-rules-") as folder:
        exported = export_folder(revision, rules, Path(folder))
        if not _has_rules(exported):
            raise KamError(f"the rules folder {rules} has no rule files at revision "
                           f"{revision}: nothing to compare with")
        yield exported


def same_files(one: Path, other: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    return folder_digest(one) == folder_digest(other)


def folder_digest(folder: Path) -> bytes:
    """SHA-256 of the folder's files (below it too): their names in it and their bytes."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            digest.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogatepass")
                          + b"\0" + len(content).to_bytes(8, "big") + content)
    return digest.digest()


def impact_between(base: str, head: str | None, rules: Path, accounts: Path, as_of: date,
                   thresholds: Path | None = None) -> Impact | None:
    """For `kam diff`: when the rules folder changed between revision `base` and `head` (None:
    the working tree), the impact of that change on the accounts of `head`; None when it did
    not change, or is not kept in the repository of the accounts (the bundled rules)."""
    # Only rules kept in the repository under review change between its revisions.
    holding = repository_holding(rules.resolve())
    if holding is None or holding != repository_holding(accounts.resolve()):
        return None
    with tempfile.TemporaryDirectory(prefix="kam-impact-") as folder:
        before_rules = export_folder(base, rules, Path(folder) / "b")
        after_rules = rules if head is None else export_folder(head, rules, Path(folder) / "r")
        # A side without rules was reviewed with the bundled ones (the diff's notes say so).
        if not _has_rules(before_rules) or not _has_rules(after_rules) \
                or same_files(before_rules, after_rules):
            return None
        reviewed = accounts if head is None else export_folder(head, accounts,
                                                               Path(folder) / "a")
        before = review(reviewed, before_rules, as_of, thresholds)
        after = review(reviewed, after_rules, as_of, thresholds)
    return compare_rules(before, after, f"rules at {base}",
                         f"rules at {head}" if head else "rules in the working tree")


def _has_rules(folder: Path) -> bool:
    return folder.is_dir() and any(path.is_file() for path in folder.glob("*.yaml"))
