"""The checks of an account file that its schema cannot express, each problem with its place.

accounts.py runs them on every file besides the schema check, so that a file's problems of
both kinds are reported in one run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.locale_format import check_currency
from kam_review.source.action_checks import action_problems
from kam_review.source.goals import goal_errors
from kam_review.source.model import FieldPath, clip, format_path
from kam_review.source.names import name_problems, normalise_name, shown_name
from kam_review.source.sales_fields import sales_field_errors
from kam_review.source.yamlsource import YamlDocument
from kam_review.text_safety import escaped, terminal_text, unencodable

# An error at a field of the file being checked.
At = Callable[[FieldPath, str], InputError]


def consistency_errors(
    value: dict[str, Any], path: Path, name: str, document: YamlDocument
) -> Iterable[InputError]:
    """What the schema cannot say: the id matches the file, nothing appears twice, names are
    good names (names.py), owner history runs forward, no complaint is resolved before it is
    raised, a qualification question is answered under one name, activities name known
    contacts, actions answer goals and opportunities of the file, a goal's fields fit its
    metric, the currency is one, all text can be written out."""

    def at(field_path: FieldPath, message: str) -> InputError:
        line, column = document.locations.get(field_path, (1, 1))
        return InputError(name, line, column, format_path(field_path), message)

    account_id = value.get("id")
    if isinstance(account_id, str) and account_id != path.stem:
        # An id is an ASCII slug: a file named in Chinese (长江特钢.yaml) can never match it.
        ascii_only = "" if path.stem.isascii() else _(
            "; ids are ASCII slugs (a-z, 0-9, -), so the file name must be too: rename the file "
            "to {id}.yaml").format(id=clip(terminal_text(account_id)))
        yield at(("id",), _("'{id}' must equal the file name without .yaml ('{stem}')").format(
            id=clip(terminal_text(account_id)), stem=clip(terminal_text(path.stem))) + ascii_only)
    yield from _text_errors(value, at, document.encodable)
    yield from _duplicates(value.get("financials"), "financials", "quarter", at)
    yield from _duplicates(value.get("contacts"), "contacts", "name", at, normalise_name)
    yield from _duplicates(value.get("opportunities"), "opportunities", "id", at)
    yield from _owner_history_errors(value, at)
    yield from _complaint_errors(value, at)
    yield from _stage_history_errors(value, at)
    yield from _qualification_errors(value, at)
    yield from sales_field_errors(value, at)
    yield from (at(where, problem) for where, problem in action_problems(value))
    yield from goal_errors(value, at)
    yield from _currency_errors(value, at)
    contacts = value.get("contacts")
    names = [c.get("name") for c in contacts if isinstance(c, dict)] if isinstance(
        contacts, list) else []
    known = {normalise_name(name) for name in names if isinstance(name, str)}
    activities = value.get("activities")
    for i, activity in enumerate(activities if isinstance(activities, list) else []):
        people = activity.get("with") if isinstance(activity, dict) else None
        for j, person in enumerate(people if isinstance(people, list) else []):
            if isinstance(person, str) and normalise_name(person) not in known:
                yield at(("activities", i, "with", j),
                         _("'{name}' is not one of the contacts").format(
                             name=clip(shown_name(person))))


def _owner_history_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """An earlier owner who hands the account over before taking it over."""
    history = value.get("owner_history")
    for i, past in enumerate(history if isinstance(history, list) else []):
        start, end = (_real_date(past.get(key)) if isinstance(past, dict) else None
                      for key in ("from", "to"))
        if start is not None and end is not None and start > end:
            yield at(("owner_history", i, "from"), _(
                "{start} is after to ({end}): an owner takes the account over before handing "
                "it over").format(start=start, end=end))


def _complaint_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """A complaint resolved before it was raised: one of its dates is wrong, and the review
    would count days open (and the quality rule's window) from the wrong one."""
    complaints = value.get("complaints")
    for i, complaint in enumerate(complaints if isinstance(complaints, list) else []):
        raised, resolved = (_real_date(complaint.get(key)) if isinstance(complaint, dict)
                            else None for key in ("date", "resolved_on"))
        if raised is not None and resolved is not None and resolved < raised:
            yield at(("complaints", i, "resolved_on"), _(
                "{resolved} is before the complaint's date ({raised}): a complaint is "
                "resolved on or after the day it is raised").format(
                    resolved=resolved, raised=raised))


def _stage_history_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """A deal whose stage_history records a move to another stage on or after its
    stage_since: the file says two things of the stage the deal is in, as when a move is
    written in stage alone. (A history that ends before stage_since at another stage is
    one kept only so far, and stage_since dates the stage.)"""
    deals = value.get("opportunities")
    for i, deal in enumerate(deals if isinstance(deals, list) else []):
        if not isinstance(deal, dict):
            continue
        stage, since = deal.get("stage"), _real_date(deal.get("stage_since"))
        history = deal.get("stage_history")
        entries = [(entered, row.get("stage")) for row in
                   (history if isinstance(history, list) else [])
                   if isinstance(row, dict) and (entered := _real_date(row.get("entered")))]
        if not entries or since is None or not isinstance(stage, str):
            continue
        # The latest entry, the last written of a day (as the history is read).
        entered, last = sorted(entries, key=lambda entry: entry[0])[-1]
        if isinstance(last, str) and last != stage and entered >= since:
            yield at(("opportunities", i, "stage"), _(
                "{stage}, but stage_history's latest entry is {last}, entered on {entered}, "
                "and stage_since ({since}) is not after it: when a deal moves, add the stage "
                "it entered to stage_history and set stage_since to that day").format(
                    stage=clip(stage), last=clip(last), entered=entered, since=since))


def _currency_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """A currency code of the right shape that names no currency: its amounts could not be
    written with a symbol."""
    code = value.get("currency")
    if isinstance(code, str) and code.isascii() and code.isupper() and len(code) == 3:
        try:
            check_currency(code)
        except ValueError as problem:
            yield at(("currency",), str(problem))


def _qualification_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """The competition question answered under both its names, which may disagree."""
    deals = value.get("opportunities")
    for i, deal in enumerate(deals if isinstance(deals, list) else []):
        answers = deal.get("qualification") if isinstance(deal, dict) else None
        if isinstance(answers, dict) and {"compete", "can_compete"} <= set(answers):
            yield at(("opportunities", i, "qualification", "compete"), "compete is the former "
                     "name of can_compete: write the answer once, as can_compete")


# Where account files hold names of people (an action's owner too), the account, its team
# and its deals (see names.py). A waiver's approver is compared with the owner, so it is held
# to the same rules.
_NAME_FIELDS = {("name",), ("owner",), ("contacts", "name"), ("opportunities", "name"),
                ("activities", "with"), ("waivers", "by"), ("owner_history", "name"),
                ("plan", "actions", "owner"), ("team",)}


@dataclass
class _Names:
    """The name fields as a tree of keys (lists in between do not count): `end` where a
    field's keys end."""

    end: bool = False
    next: dict[str, _Names] = field(default_factory=dict)


def _tree(fields: Iterable[tuple[str, ...]]) -> _Names:
    tree = _Names()
    for name_field in fields:
        node = tree
        for key in name_field:
            node = node.next.setdefault(key, _Names())
        node.end = True
    return tree


_NAME_TREE = _tree(_NAME_FIELDS)


def _text_errors(value: dict[str, Any], at: At, encodable: bool = False
                 ) -> Iterable[InputError]:
    """A lone surrogate in any text, and the problems of names (names.py). Where no text
    holds a surrogate, which the reader may know (`encodable`) or one encoding of them all
    tells, only the name fields are walked."""
    if encodable or _encodable(value):
        doubtful: list[tuple[FieldPath, str]] = []
        _names(value, _NAME_TREE, (), doubtful)
        for field_path, text in doubtful:
            if text:
                yield from (at(field_path, problem) for problem in name_problems(text))
        return
    for field_path, text in _strings(value, ()):
        surrogate = unencodable(text)
        if surrogate is not None:
            yield at(field_path, _("holds {character}, half of a character (a lone "
                                   "surrogate), which no file can hold: write the whole "
                                   "character").format(character=escaped(surrogate)))
        elif text and _is_name(field_path):
            yield from (at(field_path, problem) for problem in name_problems(text))


def _encodable(value: Any) -> bool:
    """Whether every text of a value, keys included, can be written as UTF-8 (a lone
    surrogate cannot): one encoding of them all, in C, tells."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, TypeError, ValueError, RecursionError):
        return False
    return True


def _names(node: Any, names: _Names, field_path: FieldPath,
           found: list[tuple[FieldPath, str]]) -> None:
    """Every text in a name field (_is_name) that name_problems must look at, with where it
    stands, added to `found`. A name of printable ASCII that is not blank has no problem
    (name_problems says so first), so it is left out; it is most of them."""
    if isinstance(node, str):
        if names.end and not (node.isascii() and node.isprintable() and node.strip()):
            found.append((field_path, node))
    elif isinstance(node, dict):
        following = names.next
        for key, item in node.items():
            inner = following.get(key) if isinstance(key, str) else None
            if inner is not None:
                _names(item, inner, (*field_path, key), found)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _names(item, names, (*field_path, i), found)


def _is_name(field_path: FieldPath) -> bool:
    return tuple(part for part in field_path if isinstance(part, str)) in _NAME_FIELDS


def _strings(node: Any, field_path: FieldPath) -> Iterable[tuple[FieldPath, str]]:
    """Every text in a file's value, keys included, with where it stands."""
    if isinstance(node, str):
        yield field_path, node
    elif isinstance(node, dict):
        for key, item in node.items():
            if isinstance(key, str) and unencodable(key):
                yield field_path, key
            yield from _strings(item, (*field_path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _strings(item, (*field_path, i))


def _duplicates(rows: Any, list_name: str, key: str, at: At,
                same: Callable[[str], str] = str) -> Iterable[InputError]:
    """Rows whose `key` is the same as an earlier row's, compared in the form `same` gives."""
    seen: dict[str, tuple[int, str]] = {}
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        item = row.get(key) if isinstance(row, dict) else None
        if not isinstance(item, str):
            continue
        form = same(item)
        if form in seen:
            first, written = seen[form]
            also = f"{list_name}[{first}]" if written == item else _(
                "{place} '{name}': names are compared ignoring case, spacing, invisible "
                "characters and Unicode normal form").format(
                    place=f"{list_name}[{first}]", name=clip(shown_name(written)))
            yield at((list_name, i, key), _("duplicate {field} '{item}' (also {also})").format(
                field=_(key), item=clip(shown_name(item)), also=also))
        else:
            seen[form] = (i, item)


def _real_date(text: Any) -> date | None:
    """A date as written, or None for anything else (the schema reports that)."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
