"""An account's whole review as plain data (lists, strings, numbers) and back, exactly.

The site reads all of a review: the account as its file says it, its facts (for the
explanations) and what the rules found. The site's fast review (review/site_review.py) makes
reviews in worker processes and keeps them in a cache, and both hand over this form, never
pickled objects. The account is kept as the plain value its file was read into, with the
locations the model keeps, and built again by the same builder; what the rules found is
review/slim.py's form; the facts are kept value by value, a tuple marked as one, so that
each comes back of the type it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from kam_review.locale_format import LocaleFormat
from kam_review.review.redact import redact_account
from kam_review.review.results import AccountResult
from kam_review.review.slim import Plain, account_result, plain_result
from kam_review.source.account_builder import build_account
from kam_review.source.yamlsource import YamlDocument

_SCALARS = (str, int, float, bool, type(None))
# How a container other than a fact's own mapping is marked: plain JSON has lists only.
_TUPLE, _LIST, _MAPPING = "t", "l", "d"


def plain_full_result(item: AccountResult, value: Any, actions: Mapping[str, str]) -> Plain:
    """The review of one account, with the plain value its file was read into (before any
    redaction); TypeError for a fact value of a type not kept here."""
    account = item.account
    return {"value": value,
            "locations": [[list(path), *where] for path, where in account.locations.items()],
            "review": plain_result(item, actions),
            "facts": [{name: _plain(v) for name, v in fact.items()} for fact in item.facts]}


def full_result(data: Plain, path: Path, formats: LocaleFormat, actions: Mapping[str, str],
                redact: bool) -> AccountResult:
    """The review plain_full_result kept, of the account file `path`, in the review's
    `formats`; ValueError, TypeError, KeyError or IndexError for data of another shape."""
    value = data["value"]
    locations = {tuple(where[0]): (where[1], where[2]) for where in data["locations"]}
    account = build_account(value, path, YamlDocument(value, locations))
    if redact:
        account = redact_account(account)
    item = account_result(data["review"], formats, actions)
    if item.account.id != account.id:
        raise ValueError("a review kept for another account")
    facts = tuple({name: _value(v) for name, v in fact.items()} for fact in data["facts"])
    return replace(item, account=account, facts=facts)


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple:
        return {_TUPLE: [_plain(v) for v in value]}
    if kind is list:
        return {_LIST: [_plain(v) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {_MAPPING: {k: _plain(v) for k, v in value.items()}}
    raise TypeError(f"a fact's value of type {kind.__name__} is not kept")


def _value(data: Any) -> Any:
    if type(data) is not dict:
        if type(data) is list:
            raise TypeError("a list not marked as one")
        return data
    ((mark, inner),) = data.items()
    if mark == _TUPLE:
        return tuple(_value(v) for v in inner)
    if mark == _LIST:
        return [_value(v) for v in inner]
    if mark == _MAPPING:
        return {k: _value(v) for k, v in inner.items()}
    raise ValueError(f"unknown mark {mark!r}")
