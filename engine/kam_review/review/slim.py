"""An account's review as plain data (lists, strings, numbers) and back.

The fast `kam check` (review/fast_check.py) evaluates accounts in worker processes and keeps
their results in a cache; both hand over this form, never pickled objects. It holds exactly
what the check's outputs read of a review: the account's id, name, owner, file, currency and
waivers, its class, focus, findings, rules not evaluated and verdict, and the file's input
errors. Facts and the rest of the account stay behind (kam explain and the site read them
from a full review).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.locale_format import LocaleFormat
from kam_review.review.results import AccountResult, Finding, NotEvaluated, Verdict
from kam_review.source.model import Account, Waiver
from kam_review.vocabulary import Health, Kind, Severity

Plain = dict[str, Any]
# By value: a dictionary lookup, where calling the enum costs ten times more per finding.
_KINDS = {kind.value: kind for kind in Kind}
_SEVERITIES = {severity.value: severity for severity in Severity}
# A finding's fields in the order plain_result lists them (the account's id first).
_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


# A cached review (review/fast_check.py) is the text of its errors, its result and its
# parts, apart, so that a run decodes only what it uses. JSON writes this control character
# escaped, and so do the parts (output/check_parts.py).
_SEPARATOR = "\x1e"


def record_texts(record: Plain) -> tuple[str, str | None]:
    """A worker's record ({"errors", "result", "parts"}) as the cache keeps it, in two
    entries: its errors and result (parts ""), and its errors and parts (result "", or "null"
    when the file was not reviewed; None: no parts were made), for a run that writes text or
    JSON to read only what it joins. Raises ValueError or TypeError if the record holds what
    JSON cannot write exactly."""
    errors, result = _dumps(record["errors"]), _dumps(record["result"])
    parts = record["parts"]
    return (_SEPARATOR.join([errors, result, ""]),
            None if parts is None and record["result"] is not None else _SEPARATOR.join(
                [errors, "null" if record["result"] is None else "", parts or ""]))


def record_pieces(text: str) -> tuple[str, str, str]:
    """The JSON of a cached record's errors and result, and its parts' text ("": none);
    ValueError if it has not three pieces."""
    errors, result, parts = text.split(_SEPARATOR, 2)
    return errors, result, parts


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def plain_errors(errors: Sequence[InputError]) -> list[list[Any]]:
    return [[e.file, e.line, e.column, e.field, e.message, e.more] for e in errors]


def input_errors(rows: Sequence[Sequence[Any]]) -> list[InputError]:
    return [InputError(str(f), int(line), int(column), str(name), str(message), int(more))
            for f, line, column, name, message, more in rows]


def _plain_waiver(waiver: Waiver | None) -> list[Any] | None:
    if waiver is None:
        return None
    until = None if waiver.until is None else waiver.until.isoformat()
    return [waiver.rule, waiver.reason, until, waiver.by, waiver.subject]


def _waiver(row: Sequence[Any] | None) -> Waiver | None:
    if row is None:
        return None
    rule, reason, until, by, subject = row
    return Waiver(rule, reason, None if until is None else date.fromisoformat(until), by,
                  subject)


def plain_result(item: AccountResult, actions: Mapping[str, str]) -> Plain:
    """What the check's outputs read of one account's review, as plain data. A finding's
    action is its rule's (`actions`, by rule id), kept only where it is not."""
    account = item.account
    verdict = item.verdict
    return {
        "account": [account.id, account.name, account.owner, str(account.source),
                    account.currency, [_plain_waiver(w) for w in account.waivers]],
        "class": item.klass,
        "focus": item.focus,
        "findings": [[f.rule, f.kind.value, f.severity.value, f.subject, f.message,
                      None if actions.get(f.rule) == f.action else f.action,
                      _plain_waiver(f.waiver), f.line, f.impact] for f in item.findings],
        "not_evaluated": [[n.rule, n.title, n.subject, n.needs] for n in item.not_evaluated],
        "verdict": None if verdict is None else [verdict.health.value, verdict.rule,
                                                 list(verdict.reasons)],
    }


def account_result(data: Plain, formats: LocaleFormat, actions: Mapping[str, str]
                   ) -> AccountResult:
    """The review of one account back from plain_result: an account with only the fields the
    outputs read, and no facts. `formats` is the review's; the account's currency is applied
    here as evaluate applies it."""
    ident, name, owner, source, currency, waivers = data["account"]
    account = Account(id=ident, name=name, owner=owner, financials=(), source=Path(source),
                      currency=currency, waivers=tuple(w for w in map(_waiver, waivers)
                                                       if w is not None))
    findings = tuple(
        _finding((ident, rule, _KINDS[kind], _SEVERITIES[severity], subject, message,
                  actions[rule] if action is None else action, _waiver(waiver), line, impact))
        for rule, kind, severity, subject, message, action, waiver, line, impact
        in data["findings"])
    verdict = data["verdict"]
    return AccountResult(
        account=account, klass=data["class"], focus=data["focus"], findings=findings,
        facts=(), not_evaluated=tuple(NotEvaluated(*row) for row in data["not_evaluated"]),
        verdict=None if verdict is None else Verdict(Health(verdict[0]), verdict[1],
                                                     tuple(verdict[2])),
        formats=formats.in_currency(currency))


def _finding(values: Sequence[Any]) -> Finding:
    """A Finding of its fields' values, in one step: a frozen dataclass's __init__ sets each
    field apart, and a review read back from the cache holds some 14 findings an account.
    A field added to Finding without a value here is a ValueError, not a finding without
    it."""
    finding = object.__new__(Finding)
    finding.__dict__.update(zip(_FINDING_FIELDS, values, strict=True))
    return finding
