"""What a review keeps of each account to compare with the next one: class and focus, the
findings, the key figures, the deals' stages and the actions done.

A snapshot is small and plain, so that the previous review's can be kept as JSON in the
user's cache (review/previous.py) and read back without evaluating the rules again. Reading
one back checks its whole shape: anything else is no snapshot (a cache miss).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from kam_review.review.results import AccountResult, Result
from kam_review.source.model import Account
from kam_review.vocabulary import Kind, Severity

# The account's figures a review compares with the previous one, as account facts.
KEY_FIGURES = ("revenue_last_quarter", "revenue_ttm", "growth_yearly", "gross_margin_ttm",
               "share_of_wallet", "open_pipeline_value", "open_opportunities",
               "contacts_current")


@dataclass(frozen=True)
class KeptFinding:
    rule: str
    subject: str
    severity: Severity
    kind: Kind
    message: str
    waived: bool = False


@dataclass(frozen=True)
class KeptDeal:
    id: str
    name: str
    stage: str | None  # None: the files do not say which stage it was in that day
    since: date | None
    value: float | None


@dataclass(frozen=True)
class DoneAction:
    """An action of the account plan marked done, and the day it was done."""

    text: str
    done_on: date | None


@dataclass(frozen=True)
class Presence:
    """What an account's findings can be on at a review: every contact, deal, goal, action
    and waiver it has facts on (None: not known, as in a snapshot kept by an older version
    or a review read back without its facts), and the contacts who had left, with the day.
    A finding of the previous review whose subject is among neither is not resolved: its
    subject is gone."""

    subjects: frozenset[str] | None = None
    left: tuple[tuple[str, date], ...] = ()

    def left_on(self, subject: str) -> date | None:
        """The day a contact of this name had left, if they had."""
        return dict(self.left).get(subject)

    def has_gone(self, subject: str) -> bool:
        """Whether a finding on `subject` cannot stand because its subject is gone: a
        contact who has left, or what is no longer on file."""
        if not subject:
            return False  # a finding on the whole account
        return self.left_on(subject) is not None or (
            self.subjects is not None and subject not in self.subjects)


def presence_of(item: AccountResult) -> Presence:
    return Presence(
        frozenset(str(fact["subject"]) for fact in item.facts) if item.facts else None,
        tuple((c.name, c.left_on) for c in item.account.contacts if c.left_on is not None))


@dataclass(frozen=True)
class AccountSnapshot:
    id: str
    name: str
    owner: str
    klass: str
    class_shown: str  # with the variant of the rule that gave it: "nurture: new account"
    focus: str | None
    findings: tuple[KeptFinding, ...]
    figures: tuple[tuple[str, float | None], ...]  # KEY_FIGURES, in their order
    deals: tuple[KeptDeal, ...]
    done: tuple[DoneAction, ...] = ()
    verdict: str | None = None  # the health verdict as shown ("at risk"), None without one
    # The rules not evaluated, each on its subject: a finding of the previous review that
    # one of them would test is not resolved but unknown.
    unknown: tuple[tuple[str, str], ...] = ()
    currency: str | None = None  # of its amounts (None: plain numbers)
    presence: Presence = Presence()  # what its findings can be on at this review

    def figure(self, name: str) -> float | None:
        return dict(self.figures).get(name)


@dataclass(frozen=True)
class Snapshot:
    as_of: date
    accounts: tuple[AccountSnapshot, ...]
    errors: int = 0  # input errors on that side: those files are left out

    def account(self, account_id: str) -> AccountSnapshot | None:
        return self._by_id.get(account_id)

    @cached_property
    def _by_id(self) -> dict[str, AccountSnapshot]:
        """Each account by its id (the first, should two have one): comparing two reviews
        looks up every account, and a search each would grow with the square of them."""
        by_id: dict[str, AccountSnapshot] = {}
        for shot in self.accounts:
            by_id.setdefault(shot.id, shot)
        return by_id

    def high_warnings(self) -> dict[str, frozenset[str]]:
        """Per account, the rule ids of the high warnings open (not waived) at this review:
        what the next review's facts may test ("warned last quarter")."""
        return {a.id: frozenset(f.rule for f in a.findings if f.severity == Severity.HIGH
                                and f.kind.warns and not f.waived) for a in self.accounts}


def completed_actions(account: Account) -> tuple[DoneAction, ...]:
    """The actions of the account plan marked done, each on the day it was done (`done_on`,
    else its due date stands for it)."""
    actions = account.plan.actions if account.plan else ()
    return tuple(DoneAction(a.what, a.finished_on) for a in actions if a.status == "done")


def snapshot_of(result: Result, stage_unknown: Callable[[str, str], bool] | None = None
                ) -> Snapshot:
    """The snapshot of a review. `stage_unknown(account id, deal id)` says which deals'
    stage that day the files cannot tell (see source/earlier_state.py)."""
    return Snapshot(result.as_of, tuple(account_snapshot(item, result, stage_unknown)
                                        for item in result.accounts), len(result.errors))


def account_snapshot(item: AccountResult, result: Result,
                     stage_unknown: Callable[[str, str], bool] | None = None
                     ) -> AccountSnapshot:
    account = item.account
    unknown = stage_unknown or (lambda _account, _deal: False)
    return AccountSnapshot(
        id=account.id, name=account.name, owner=account.owner, klass=item.klass,
        class_shown=result.class_shown(item), focus=item.focus,
        findings=tuple(KeptFinding(f.rule, f.subject, f.severity, f.kind, f.message, f.waived)
                       for f in item.findings if not f.kind.assigns),
        figures=tuple((name, item.facts[0].get(name)) for name in KEY_FIGURES),
        deals=tuple(KeptDeal(o.id, o.name, None if unknown(account.id, o.id) else o.stage,
                             o.stage_since, o.value) for o in account.opportunities),
        done=completed_actions(account),
        verdict=None if item.verdict is None else item.verdict.health.shown,
        unknown=tuple((n.rule, n.subject) for n in item.not_evaluated),
        currency=item.formats.currency, presence=presence_of(item))


def snapshot_json(snapshot: Snapshot) -> str | None:
    """The snapshot as JSON text; None when a figure is no plain number (not kept)."""
    data = {"as_of": snapshot.as_of.isoformat(), "errors": snapshot.errors,
            "accounts": [plain_account_snapshot(a) for a in snapshot.accounts]}
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return None


def plain_account_snapshot(a: AccountSnapshot) -> dict[str, Any]:
    """One account's part of snapshot_json, as plain data."""
    return {"id": a.id, "name": a.name, "owner": a.owner, "class": a.klass,
            "class_shown": a.class_shown, "focus": a.focus,
            "findings": [[f.rule, f.subject, f.severity.value, f.kind.value, f.message,
                          f.waived] for f in a.findings],
            "figures": [[name, value] for name, value in a.figures],
            "deals": [[d.id, d.name, d.stage, _day_text(d.since), d.value] for d in a.deals],
            "done": [[action.text, _day_text(action.done_on)] for action in a.done],
            "verdict": a.verdict, "unknown": [list(pair) for pair in a.unknown],
            "currency": a.currency,
            "subjects": None if a.presence.subjects is None else sorted(a.presence.subjects),
            "left": [[name, day.isoformat()] for name, day in a.presence.left]}


def snapshot_from_json(text: str | None) -> Snapshot | None:
    """A snapshot read back, or None unless the text has exactly the shape snapshot_json
    writes."""
    if text is None:
        return None
    try:
        data = json.loads(text)
        return Snapshot(date.fromisoformat(_text(data["as_of"])),
                        tuple(account_snapshot_from_plain(a) for a in _list(data["accounts"])),
                        _count(data["errors"]))
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def account_snapshot_from_plain(data: Any) -> AccountSnapshot:
    """One account of a snapshot back from plain_account_snapshot's data; TypeError,
    ValueError or KeyError unless it has that shape."""
    if not isinstance(data, dict):
        raise TypeError("an account is an object")
    return AccountSnapshot(
        id=_text(data["id"]), name=_text(data["name"]), owner=_text(data["owner"]),
        klass=_text(data["class"]), class_shown=_text(data["class_shown"]),
        focus=_maybe(_text, data["focus"]),
        findings=tuple(KeptFinding(_text(rule), _text(subject), Severity(severity), Kind(kind),
                                   _text(message), _flag(waived))
                       for rule, subject, severity, kind, message, waived
                       in map(_row(6), _list(data["findings"]))),
        figures=tuple((_text(name), _maybe(_number, value))
                      for name, value in map(_row(2), _list(data["figures"]))),
        deals=tuple(KeptDeal(_text(deal), _text(name), _maybe(_text, stage),
                             _maybe(_date, since), _maybe(_number, value))
                    for deal, name, stage, since, value in map(_row(5), _list(data["deals"]))),
        done=tuple(DoneAction(_text(what), _maybe(_date, when))
                   for what, when in map(_row(2), _list(data["done"]))),
        verdict=_maybe(_text, data.get("verdict")),
        unknown=tuple((_text(rule), _text(subject))
                      for rule, subject in map(_row(2), _list(data.get("unknown", [])))),
        currency=_maybe(_text, data.get("currency")),
        presence=Presence(
            _maybe(lambda texts: frozenset(map(_text, _list(texts))), data.get("subjects")),
            tuple((_text(name), _date(day))
                  for name, day in map(_row(2), _list(data.get("left", []))))))


def _day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _row(size: int) -> Callable[[Any], list[Any]]:
    def row(value: Any) -> list[Any]:
        if not isinstance(value, list) or len(value) != size:
            raise TypeError(f"expected a list of {size}")
        return value
    return row


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError("expected a count")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    return value


def _date(value: Any) -> date:
    return date.fromisoformat(_text(value))


def _maybe(read: Callable[[Any], Any], value: Any) -> Any:
    return None if value is None else read(value)
