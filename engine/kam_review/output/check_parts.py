"""Each account's part of `kam check`'s text and JSON output, made once from its review: the
lines the writer joins, and what the run's tally counts of the account.

The plain path makes an account's parts as it writes it; the fast check makes them where it
reviews the file, as one text (parts_text), and keeps that with the review in its cache
(review/fast_check.py), so that a run whose files are all cached only joins text. Both go
through account_parts, so both write the same bytes. The text holds the counts as JSON, then
the JSON entry and the text lines as they are, apart: reading JSON strings that hold JSON
costs five times more. `read_parts` reads it back, None when it does not have that shape.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any

from kam_review.formatting import plain
from kam_review.i18n import _
from kam_review.review.results import AccountResult, Finding, class_shown
from kam_review.review.rule_references import waiver_refused
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.waivers import in_force, names_no_subject
from kam_review.source.model import Waiver
from kam_review.text_safety import terminal_text
from kam_review.text_width import pad
from kam_review.vocabulary import WAIVER_NOTICE_DAYS, Health, Kind, Severity
from kam_review.wording import counted

AccountParts = dict[str, Any]
# The keys of an account's parts as parts_text writes their head, and the type of each.
_SHAPE: dict[str, type | tuple[type, ...]] = {
    "id": str, "counts": list, "verdict": (str, type(None)), "not_evaluated": int,
    "expiring": list, "unmatched": list, "waived_high": list, "severities": list}
# Between the head, the JSON entry and the text lines of parts_text: a JSON encoder writes
# this control character escaped, and terminal_text too, so it is found nowhere else.
_SEPARATOR = "\x1e"
# Each severity, kind and health by the value the parts hold: read_parts refuses other
# values, and the tally takes them back (a dictionary lookup: calling the enum costs ten times
# more per account).
SEVERITY = {severity.value: severity for severity in Severity}
KIND = {kind.value: kind for kind in Kind}
HEALTH = {health.value: health for health in Health}

# One encoder for every line: json.dumps with options makes a new one per call, and a large
# portfolio's output has a line per finding.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def dump(value: Any) -> str:
    return _ENCODE(value)


def account_parts(item: AccountResult, rulebook: Rulebook, as_of: date,
                  output: str | None = None) -> AccountParts:
    """The account's parts: its JSON entry; its text lines, as one text, with the severity
    of each line (a finding's; None: the heading's), for the writer to leave out those below
    --show; and what the tally counts (tally_parts). With `output` ("json" or "text"), the
    other one is not made: a run writes one of them."""
    parts = tally_parts(item, rulebook, as_of)
    klass = class_shown(item, rulebook)
    if output != "text":
        parts["json"] = _json_account(item, klass)
    if output != "json":
        parts |= _text_parts(item, klass)
    return parts


def _text_parts(item: AccountResult, klass: str) -> AccountParts:
    """The account's text: its heading (its class as shown, `klass`; its focus, or that it
    has none), verdict and findings."""
    account = item.account
    focus = _(", focus {focus}").format(focus=_(item.focus)) if item.focus \
        else _(", no scorecard")
    # Rules not evaluated are counted in the heading, not listed as findings (kam explain
    # lists them with what they need).
    count = len(item.not_evaluated)
    unknown = _("; not evaluated: {rules}").format(rules=counted(count, 'rule')) if count else ""
    lines = [f"{account.id}: {account.name} ({klass}{focus}{_('; ')}"
             + _("owner {owner}").format(owner=account.owner) + f"{unknown})"]
    if item.verdict is not None:
        lines.append("  " + _("verdict: {verdict}").format(verdict=item.verdict.text))
    severities: list[str | None] = [None] * len(lines)
    for finding in item.findings:
        lines.append("  " + _finding_text(finding))
        severities.append(finding.severity.value)
    # terminal_text shows a newline as its escape: the lines stay apart in one text.
    return {"severities": severities,
            "text": "\n".join(terminal_text(line) for line in lines)}


def tally_parts(item: AccountResult, rulebook: Rulebook, as_of: date, lines: bool = True
                ) -> AccountParts:
    """What the run's tally takes of the account: its findings counted by severity, kind and
    waived, its verdict, how many rules were not evaluated, the lines of its waivers ending
    within WAIVER_NOTICE_DAYS, those in force that match no finding (unmatched_waivers), and
    its waived high findings as JSON and text lines. Without
    `lines`, for a tally that only counts, those lines are left out (each waived high
    finding's are empty)."""
    counts = Counter((f.severity.value, f.kind.value, f.waived) for f in item.findings)
    ident = item.account.id
    return {
        "id": ident,
        "counts": [[*key, number] for key, number in counts.items()],
        "verdict": None if item.verdict is None else item.verdict.health.value,
        "not_evaluated": len(item.not_evaluated),
        "expiring": [_waiver_line(ident, w.rule, w.subject, w)
                     for w in expiring(item.account.waivers, as_of)] if lines else [],
        "unmatched": unmatched_waivers(item, rulebook, as_of) if lines else [],
        "waived_high": [[f"    {dump(waived_dict(ident, f))}",
                         None if f.waiver is None
                         else _waiver_line(ident, f.rule, f.subject, f.waiver)]
                        if lines else ["", None] for f in item.waived_high],
    }


def parts_text(item: AccountResult, rulebook: Rulebook, as_of: date) -> str:
    """The account's parts as one text (see the module's docstring and read_parts)."""
    parts = account_parts(item, rulebook, as_of)
    json_entry, text = parts.pop("json"), parts.pop("text")
    return _SEPARATOR.join([dump(parts), json_entry, text])


def read_parts(text: Any) -> AccountParts | None:
    """The parts back from parts_text, or None unless `text` has its shape (a cached value
    may not)."""
    pieces = text.split(_SEPARATOR) if isinstance(text, str) else ()
    if len(pieces) != 3:
        return None
    try:
        parts = json.loads(pieces[0])
    except (ValueError, RecursionError):
        return None
    if not (isinstance(parts, dict) and parts.keys() == _SHAPE.keys()
            and all(isinstance(parts[key], kind) for key, kind in _SHAPE.items())):
        return None
    if not (len(parts["severities"]) == pieces[2].count("\n") + 1
            and _only(parts["severities"], _LINE_SEVERITIES)
            and all(isinstance(row, list) and len(row) == 4 and row[0] in SEVERITY
                    and row[1] in KIND and isinstance(row[2], bool)
                    and isinstance(row[3], int) for row in parts["counts"])
            and (parts["verdict"] is None or parts["verdict"] in HEALTH)
            and all(isinstance(line, str) for line in parts["expiring"])
            and all(isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
                    and isinstance(row[1], str | None) and isinstance(row[2], str)
                    for row in parts["unmatched"])
            and all(isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)
                    and isinstance(row[1], str | None) for row in parts["waived_high"])):
        return None
    parts["json"], parts["text"] = pieces[1], pieces[2]
    return parts


# A line's severity: a finding's, or None (the heading's).
_LINE_SEVERITIES = frozenset(SEVERITY) | {None}


def _only(values: list[Any], allowed: frozenset[Any]) -> bool:
    """Whether every value is one of `allowed` (a check of a whole list at C speed)."""
    try:
        return allowed.issuperset(values)
    except TypeError:  # a list or mapping among them
        return False


def expiring(waivers: tuple[Waiver, ...], as_of: date) -> list[Waiver]:
    """The waivers still running that end within WAIVER_NOTICE_DAYS of the review date."""
    horizon = as_of + timedelta(days=WAIVER_NOTICE_DAYS)
    return [waiver for waiver in waivers
            if waiver.until is not None and as_of <= waiver.until <= horizon]


# A waiver in force that matches no finding: its rule, its subject (None: every subject)
# and why it matches none.
Unmatched = tuple[str, str | None, str]


def unmatched_waivers(item: AccountResult, rulebook: Rulebook, as_of: date
                      ) -> list[Unmatched]:
    """Each waiver in force that matches no finding of the account, as (rule, subject,
    why): see waivers_matching_nothing."""
    return [(waiver.rule, waiver.subject or None, why)
            for waiver, why in waivers_matching_nothing(item, rulebook, as_of)]


def waivers_matching_nothing(item: AccountResult, rulebook: Rulebook, as_of: date
                             ) -> list[tuple[Waiver, str]]:
    """Each waiver in force that matches no finding of the account, with why: a subject
    that none of the rule's findings has (a typo, most often: the waiver silences nothing
    while the finding stays open), or a rule that finds nothing here now. A waiver of a rule
    that cannot be waived, or that `rulebook` does not have, is left out: it is an input
    error, reported as such once (evaluate.review_errors). The site marks these waivers
    where it lists them, so it needs the waivers themselves."""
    unmatched: list[tuple[Waiver, str]] = []
    for waiver in item.account.waivers:
        if not in_force(waiver, as_of) or waiver_refused(rulebook.find(waiver.rule)):
            continue
        subjects = [f.subject for f in item.findings if f.rule == waiver.rule]
        if subjects and (not waiver.subject or waiver.subject in subjects):
            continue
        unknown = [n for n in item.not_evaluated if n.rule == waiver.rule
                   and (not waiver.subject or n.subject == waiver.subject)]
        named = [subject for subject in subjects if subject]
        if named:
            why = _("the rule's findings here are on {subjects}").format(
                subjects=_(", ").join(dict.fromkeys(named)))
        elif subjects:  # the finding is on the account itself, which a subject never names
            why = _("the rule's finding here is on the whole account: its waiver names no "
                    "subject")
        elif unknown:  # not judged, for want of data: no risk gone
            why = _("the rule cannot be judged here now ({needs})").format(
                needs=unknown[0].needs)
        else:
            why = _("the rule finds nothing on this account now")
        unmatched.append((waiver, why))
    return unmatched


def unmatched_line(account: str, rule: str, subject: str | None, why: str) -> str:
    """An unmatched waiver (unmatched_waivers) as a line of text, saying why."""
    shown = f" [{subject}]" if subject else ""
    return terminal_text("  " + _("{account}: {rule}{subject} waives nothing: {why}").format(
        account=account, rule=rule, subject=shown, why=why)) + "\n"


def unmatched_lines(item: AccountResult, rulebook: Rulebook, as_of: date) -> list[str]:
    """A line for each waiver in force that matches no finding of the account, saying why."""
    return [unmatched_line(item.account.id, *row)
            for row in unmatched_waivers(item, rulebook, as_of)]


def _waiver_line(account: str, rule: str, subject: str | None, waiver: Waiver) -> str:
    # A finding on a subject accepted by a waiver that names none (plan.waiver-unnamed).
    unnamed = _(", in a waiver naming no subject") if names_no_subject(waiver, subject) else ""
    return terminal_text("  " + _("{account}: {rule}{subject} until {day} (by {by}{unnamed}: "
                                  "{reason})").format(
        account=account, rule=rule, subject=f" [{subject}]" if subject else "",
        day=waiver.until, date="—" if waiver.until is None else plain().date(waiver.until),
        by=waiver.by, unnamed=unnamed, reason=waiver.reason)) + "\n"


def waived_dict(account: str, finding: Finding) -> dict[str, Any]:
    """A waived finding with its waiver, for machine-readable summaries."""
    waiver = finding.waiver
    return {"account": account, "rule": finding.rule, "severity": finding.severity,
            "subject": finding.subject, "until": str(waiver.until) if waiver else None,
            "by": waiver.by if waiver else None, "reason": waiver.reason if waiver else None,
            # Whether the waiver names the finding's subject (false: it accepts every one).
            "waiver_names_subject": waiver is not None
            and not names_no_subject(waiver, finding.subject)}


def _json_account(item: AccountResult, klass: str) -> str:
    """The account's entry of the JSON output; `klass`: its class as shown, with the variant
    (nurture: new account), in the output's language as the messages are. Its currency is
    the one its amounts are in (the file's, else --currency; null: plain numbers)."""
    account = item.account
    head = {"id": account.id, "name": account.name, "owner": account.owner,
            "team": account.team, "currency": item.formats.currency, "class": item.klass,
            "class_shown": klass, "focus": item.focus,
            "verdict": None if item.verdict is None else item.verdict.as_dict()}
    findings = ",\n".join(f"      {dump(f.as_dict())}" for f in item.findings)
    unknown = ",\n".join(f"      {dump(n.as_dict())}" for n in item.not_evaluated)
    listed = f'"findings": [\n{findings}\n    ]' if findings else '"findings": []'
    listed += f', "not_evaluated": [\n{unknown}\n    ]' if unknown else ', "not_evaluated": []'
    return f"    {dump(head)[:-1]}, {listed}}}"


def _finding_text(finding: Finding) -> str:
    subject = f" [{finding.subject}]" if finding.subject else ""
    text = f"{pad(_(finding.severity.upper()), 6)} {finding.rule}{subject}: {finding.message}"
    if finding.waived:
        text += f" ({finding.waiver_note})"
    return text
