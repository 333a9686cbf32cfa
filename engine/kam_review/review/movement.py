"""What moved since the previous review: per account, class and focus before and after, the
findings that are new and those resolved, the key figures with their change, the deals that
moved stage and the actions done since; for the portfolio, the class changes, the accounts
with new high findings and the counts. A pure function of two snapshots and the comparison
that says which previous review they were compared with (review/previous.py finds it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from kam_review.formatting import plain
from kam_review.i18n import _
from kam_review.locale_format import LocaleFormat
from kam_review.review.snapshot import (
    AccountSnapshot,
    DoneAction,
    KeptDeal,
    KeptFinding,
    Presence,
    Snapshot,
)
from kam_review.vocabulary import Severity

# How the previous review was found, in the order they are tried when none is named.
NAMED, TAG, HISTORY, FILES, NONE = "revision", "tag", "history", "files", "none"
# A finding of the previous review whose subject is gone now, counted (wording.counted).
ENDED_NOUN = "finding that no longer applies|findings that no longer apply"


@dataclass(frozen=True)
class Comparison:
    """Which previous review a movement compares with, and why that one."""

    kind: str  # NAMED, TAG, HISTORY, FILES or NONE
    as_of: date | None = None  # the previous review's date
    name: str = ""  # the tag, or the revision as named
    commit: str = ""
    why: str = ""  # why no earlier choice applied (or, for NONE, why there is none)

    @property
    def found(self) -> bool:
        return self.kind != NONE

    def sentence(self, formats: LocaleFormat | None = None) -> str:
        """What the pages and reports say about it, in one line. The previous review's day
        is there as written (`{day}`, 2026-06-30) and in `formats`' words (`{date}`,
        2026年6月30日): each language's sentence picks one."""
        day = {"day": self.as_of, "date": "" if self.as_of is None
               else (formats or plain()).date(self.as_of)}
        if self.kind == NAMED:
            return _("compared with revision {name} ({day})").format(name=self.name, **day)
        if self.kind == TAG:
            return _("compared with tag {name} ({day})").format(name=self.name, **day)
        if self.kind == HISTORY:
            return _("compared with the files in git as of {day} (commit {commit}): {why}"
                     ).format(commit=self.commit[:10], why=self.why, **day)
        if self.kind == FILES:
            return _("compared with the files as of {day}: {why}").format(why=self.why, **day)
        if not self.why:
            return _("no previous review to compare with")
        return _("no previous review to compare with: {why}").format(why=self.why)

    def as_dict(self) -> dict[str, str | None]:
        return {"source": self.kind, "as_of": None if self.as_of is None else
                self.as_of.isoformat(), "name": self.name or None,
                "commit": self.commit or None, "note": self.sentence()}


@dataclass(frozen=True)
class FigureMove:
    name: str  # the account fact
    before: float | None
    after: float | None


@dataclass(frozen=True)
class StageMove:
    """A deal that moved: `before` None when the files do not say its stage then, "" when
    the deal is new since; `after` "" when it is no longer on file."""

    deal: str
    name: str
    before: str | None
    after: str
    on: date | None  # the day it reached its stage, when after the previous review


@dataclass(frozen=True)
class AccountMovement:
    before: AccountSnapshot | None  # None: not in the previous review
    after: AccountSnapshot
    new_findings: tuple[KeptFinding, ...] = ()
    resolved: tuple[KeptFinding, ...] = ()
    # Findings of the previous review whose rule is not evaluated now: the data it needs is
    # missing, which is no risk resolved.
    unevaluated: tuple[KeptFinding, ...] = ()
    # Findings of the previous review whose subject is gone now (a contact who left, a
    # contact, deal, goal or action no longer on file): nothing was resolved.
    ended: tuple[KeptFinding, ...] = ()
    figures: tuple[FigureMove, ...] = ()
    stages: tuple[StageMove, ...] = ()
    done: tuple[DoneAction, ...] = ()

    @property
    def id(self) -> str:
        return self.after.id

    @property
    def class_changed(self) -> bool:
        return self.before is not None and self.before.class_shown != self.after.class_shown

    @property
    def verdict_changed(self) -> bool:
        return self.before is not None and self.before.verdict != self.after.verdict

    @property
    def focus_changed(self) -> bool:
        return self.before is not None and self.before.focus != self.after.focus

    @property
    def new_high(self) -> tuple[KeptFinding, ...]:
        """The new high findings no waiver accepts: what the meeting takes up first."""
        return tuple(f for f in self.new_findings
                     if f.severity == Severity.HIGH and not f.waived)


@dataclass(frozen=True)
class Movement:
    comparison: Comparison
    as_of: date  # this review's date
    accounts: tuple[AccountMovement, ...] = ()
    removed: tuple[AccountSnapshot, ...] = ()  # in the previous review only
    previous_errors: int = 0

    def for_account(self, account_id: str) -> AccountMovement | None:
        return self._by_id.get(account_id)

    @cached_property
    def _by_id(self) -> dict[str, AccountMovement]:
        """The accounts by id, the first of an id winning: every account page looks its own
        up, and a scan for each would cost the square of the accounts."""
        by_id: dict[str, AccountMovement] = {}
        for moved in self.accounts:
            by_id.setdefault(moved.id, moved)
        return by_id

    @property
    def compared(self) -> tuple[AccountMovement, ...]:
        """The accounts in both reviews."""
        return tuple(m for m in self.accounts if m.before is not None)

    @property
    def added(self) -> tuple[AccountMovement, ...]:
        return tuple(m for m in self.accounts if m.before is None)


def no_movement(comparison: Comparison, as_of: date) -> Movement:
    """Nothing to compare with: the pages say why."""
    return Movement(comparison, as_of)


def compare(previous: Snapshot, current: Snapshot, comparison: Comparison,
            partial: bool = False) -> Movement:
    """The movement from `previous` to `current`. With `partial` (only some files were
    reviewed), an account of the previous review not reviewed now is not called removed."""
    accounts = tuple(_account(previous.account(now.id), now, previous.as_of, current.as_of)
                     for now in current.accounts)
    reviewed = {a.id for a in current.accounts}
    removed = () if partial else tuple(a for a in previous.accounts if a.id not in reviewed)
    return Movement(comparison, current.as_of, accounts, removed, previous.errors)


def _account(was: AccountSnapshot | None, now: AccountSnapshot, since: date, until: date
             ) -> AccountMovement:
    # Done by this review's date: a later day is not done yet (data.after-review-date).
    done = tuple(a for a in now.done if _done_since(a, was, since)
                 and (a.done_on is None or a.done_on <= until))
    if was is None:
        return AccountMovement(None, now, done=done)
    before = {(f.rule, f.subject): f for f in was.findings}
    after = {(f.rule, f.subject): f for f in now.findings}
    unknown = set(now.unknown)
    # Each finding no longer found: its rule not evaluated now, its subject gone, or resolved.
    gone = [("unevaluated" if key in unknown else "ended" if now.presence.has_gone(f.subject)
             else "resolved", f) for key, f in before.items() if key not in after]
    return AccountMovement(
        was, now,
        new_findings=_ranked(f for key, f in after.items() if key not in before),
        resolved=_ranked(f for why, f in gone if why == "resolved"),
        unevaluated=_ranked(f for why, f in gone if why == "unevaluated"),
        ended=_ranked(f for why, f in gone if why == "ended"),
        figures=tuple(FigureMove(name, was.figure(name), value) for name, value in now.figures
                      if value is not None or was.figure(name) is not None),
        stages=_stage_moves(was.deals, now.deals, since),
        done=done)


def ended_because(now: Presence, subject: str, formats: LocaleFormat | None = None) -> str:
    """Why a finding on `subject` no longer stands (Presence.has_gone), in words: the day
    a contact left as the finding's own message writes days ("left on Sep 25, 2026"), or
    what is no longer on file, quoted (a deal's id, an action's text)."""
    day = now.left_on(subject)
    if day is not None:
        return _("{subject} left on {date}").format(
            subject=subject, date=(formats or plain()).date(day))
    return _("\"{subject}\" is no longer on file").format(subject=subject)


def _ranked(findings: Iterable[KeptFinding]) -> tuple[KeptFinding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.severity.rank, f.rule, f.subject)))


def _stage_moves(before: tuple[KeptDeal, ...], after: tuple[KeptDeal, ...], since: date
                 ) -> tuple[StageMove, ...]:
    was = {d.id: d for d in before}
    moves = []
    for deal in after:
        old = was.get(deal.id)
        on = deal.since if deal.since is not None and deal.since > since else None
        if old is None:
            moves.append(StageMove(deal.id, deal.name, "", deal.stage or "", on))
        elif old.stage is None or old.stage != deal.stage:
            moves.append(StageMove(deal.id, deal.name, old.stage, deal.stage or "", on))
    kept = {d.id for d in after}
    moves += [StageMove(d.id, d.name, d.stage, "", None) for d in before if d.id not in kept]
    return tuple(moves)


def _done_since(action: DoneAction, was: AccountSnapshot | None, since: date) -> bool:
    """Done after the previous review; without a date, done now and not then."""
    if action.done_on is not None:
        return action.done_on > since
    return was is None or action.text not in {a.text for a in was.done}
