"""Loading account files: YAML -> schema check -> consistency checks -> Account values.

Every problem is collected with its file, line, column and field; a file with problems is
left out of the evaluation, every other file is still loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

from kam_review.errors import InputError
from kam_review.paths import display_path
from kam_review.progress import Progress, silent
from kam_review.source.account_paths import find_account_files
from kam_review.source.cache import AccountCache, CacheEntry, StoredAccount, content_key, entry_text
from kam_review.source.model import (
    Account,
    Activity,
    Complaint,
    Contact,
    FieldPath,
    Goal,
    Market,
    Opportunity,
    PastOwner,
    Plan,
    Quarter,
    QuarterFigures,
    Scores,
    Waiver,
    clip,
    format_path,
)
from kam_review.source.names import name_problems, normalise_name, shown_name
from kam_review.source.schema_errors import make_validator, schema_errors
from kam_review.source.single_line import FieldPattern, line_break_errors, one_line_fields
from kam_review.source.yamlsource import MAX_FILE_BYTES, YamlDocument, read_yaml
from kam_review.text_safety import escaped, terminal_text, unencodable

# The published JSON Schema of the account format; editors can point at it too.
SCHEMA_FILE = Path(__file__).with_name("account.schema.json")


@dataclass
class Portfolio:
    """The accounts that loaded, and every problem found in the files that did not."""

    accounts: list[Account] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


@cache
def account_schema() -> dict[str, Any]:
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return make_validator(account_schema())


@cache
def _one_line_fields() -> set[FieldPattern]:
    return one_line_fields(account_schema())


@cache
def _fast_validator() -> Callable[[Any], Any]:
    """The same schema compiled to Python code by fastjsonschema: about fifteen times faster
    than jsonschema, which is then only asked to explain a file that fails. (fastjsonschema
    knows draft 7, which has every keyword the schema uses.)"""
    schema = account_schema() | {"$schema": "http://json-schema.org/draft-07/schema#"}
    return fastjsonschema.compile(schema)


def _passes_fast_check(value: Any) -> bool:
    try:
        _fast_validator()(value)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def load_portfolio(folder: Path, only: Sequence[Path] = (), progress: Progress = silent,
                   cache: AccountCache | None = None) -> Portfolio:
    """Every account file in folder; with `only`, just those files (a pre-commit hook checks
    the files a commit changes)."""
    paths, errors = account_files(folder, only)
    portfolio = load_files(paths, progress, cache)
    portfolio.errors[:0] = errors
    return portfolio


def account_files(folder: Path, only: Sequence[Path] = ()) -> tuple[list[Path], list[InputError]]:
    """The account files to read, in order, and an error for each entry that is not read but
    looks as if it were meant to be (see account_paths)."""
    return find_account_files(folder, only)


def load_files(paths: list[Path], progress: Progress = silent,
               cache: AccountCache | None = None) -> Portfolio:
    portfolio = Portfolio()
    for account, errors in _load_all(paths, progress, cache):
        portfolio.errors.extend(errors)
        if account is not None:
            portfolio.accounts.append(account)
    return portfolio


# From this many files to parse, they are parsed in worker processes, one per core.
PARALLEL_FROM = 1000


def _load_all(paths: list[Path], progress: Progress, cache: AccountCache | None
              ) -> list[CacheEntry]:
    """Every file's (account, errors), in the order of paths: from the cache where a file is
    unchanged, else parsed, on every core when there are many."""
    entries: list[CacheEntry | None] = [None] * len(paths)
    if cache is not None:
        for i, path in enumerate(paths):
            key, name = _key_of(path), display_path(path)
            stored = None if key is None else cache.get(name, key)
            entries[i] = None if stored is None else _from_cache(path, name, stored)
    missing = [i for i, entry in enumerate(entries) if entry is None]
    workers = min(os.cpu_count() or 1, 8)
    todo = [paths[i] for i in missing]
    if len(todo) >= PARALLEL_FROM and workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            loaded = list(progress(pool.map(_parse, todo, chunksize=64), len(todo),
                                   "reading accounts"))
    else:
        loaded = [_parse(p) for p in progress(todo, len(todo), "reading accounts")]
    for i, (key, entry, text) in zip(missing, loaded, strict=True):
        entries[i] = entry
        if cache is not None and key is not None and text is not None:
            cache.put(display_path(paths[i]), key, text)
    if cache is not None:
        cache.flush()
    return [entry for entry in entries if entry is not None]


def _key_of(path: Path) -> bytes | None:
    content = _content(path)
    return None if content is None else content_key(content)


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
    except OSError:
        return None


def _parse(path: Path) -> tuple[bytes | None, CacheEntry, str | None]:
    """A file's cache key, (account, errors) and, for a valid account, its cache entry, from
    one reading of its bytes: a file that changes while it is read cannot be cached under the
    other version's key. Only valid files are cached; a file with errors is read again."""
    content = _content(path)
    entry, value = _read_account(path, content)
    account = entry[0]
    text = None if account is None else entry_text(value, account.locations)
    return (None if content is None else content_key(content)), entry, text


def _from_cache(path: Path, name: str, stored: StoredAccount) -> CacheEntry | None:
    """A cache entry rebuilt through the checks and the builder a parsed file goes through;
    None (a miss: the file is parsed) for an entry they do not accept."""
    # The quick schema check first: an entry it refuses is dropped, never explained.
    if not _passes_fast_check(stored.value):
        return None
    document = YamlDocument(stored.value, stored.locations)
    account, errors = _account_from_document(document, path, name)
    return None if account is None or errors else (account, errors)


def load_account(path: Path, content: bytes | None = None) -> CacheEntry:
    return _read_account(path, content)[0]


def _read_account(path: Path, content: bytes | None) -> tuple[CacheEntry, Any]:
    """(account, errors) and the file's plain value, which the cache keeps."""
    name = display_path(path)
    document = read_yaml(path, shown_as=name, content=content)
    return _account_from_document(document, path, name), document.value


def _account_from_document(document: YamlDocument, path: Path, name: str) -> CacheEntry:
    """The checks and the builder, from a file's parsed value (or a cache entry's)."""
    errors = list(document.errors)
    value = document.value
    if errors and value is None:
        return None, errors
    if not isinstance(value, dict):
        line, column = document.locations.get((), (1, 1))
        errors.append(InputError(name, line, column, "", "expected a mapping of account fields "
                                 "at the top level (id: ..., name: ..., owner: ..., "
                                 "financials: ...)"))
        return None, errors
    # A one-line field with a line break gets that error alone, not a mismatch besides.
    line_breaks = line_break_errors(document, _one_line_fields(), name)
    broken = {error.field for error in line_breaks}
    errors.extend(line_breaks)
    errors.extend(e for e in _consistency_errors(value, path, name, document)
                  if e.field not in broken)
    if not errors and not document.yaml11 and _passes_fast_check(value):
        try:
            return _build_account(value, path, document), []
        except (ValueError, TypeError, KeyError):
            pass  # e.g. 2026-02-30: the fast check reads dates by pattern only
    errors.extend(e for e in schema_errors(_validator(), value, name, document)
                  if e.field not in broken)
    if not errors:  # the schema finds nothing, yet the model could not be built
        errors.append(InputError(name, 1, 1, "", "the file could not be read as an account"))
    return None, sorted(set(errors))


def _consistency_errors(
    value: dict[str, Any], path: Path, name: str, document: YamlDocument
) -> Iterable[InputError]:
    """What the schema cannot say: the id matches the file, nothing appears twice, names are
    good names (names.py), activities name known contacts, all text can be written out."""

    def at(field_path: FieldPath, message: str) -> InputError:
        line, column = document.locations.get(field_path, (1, 1))
        return InputError(name, line, column, format_path(field_path), message)

    account_id = value.get("id")
    if isinstance(account_id, str) and account_id != path.stem:
        yield at(("id",), f"'{clip(terminal_text(account_id))}' must equal the file name without "
                          f".yaml ('{clip(terminal_text(path.stem))}')")
    for field_path, text in _strings(value, ()):
        surrogate = unencodable(text)
        if surrogate is not None:
            yield at(field_path, f"holds {escaped(surrogate)}, half of a character (a lone "
                                 "surrogate), which no file can hold: write the whole character")
        elif text and _is_name(field_path):
            yield from (at(field_path, problem) for problem in name_problems(text))
    yield from _duplicates(value.get("financials"), "financials", "quarter", at)
    yield from _duplicates(value.get("contacts"), "contacts", "name", at, normalise_name)
    yield from _duplicates(value.get("opportunities"), "opportunities", "id", at)
    yield from _owner_history_errors(value, at)
    yield from _qualification_errors(value, at)
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
                         f"'{clip(shown_name(person))}' is not one of the contacts")


def _owner_history_errors(value: dict[str, Any], at: Any) -> Iterable[InputError]:
    """An earlier owner who hands the account over before taking it over."""
    history = value.get("owner_history")
    for i, past in enumerate(history if isinstance(history, list) else []):
        start, end = (_real_date(past.get(key)) if isinstance(past, dict) else None
                      for key in ("from", "to"))
        if start is not None and end is not None and start > end:
            yield at(("owner_history", i, "from"), f"{start} is after to ({end}): an owner "
                     "takes the account over before handing it over")


def _qualification_errors(value: dict[str, Any], at: Any) -> Iterable[InputError]:
    """The competition question answered under both its names, which may disagree."""
    deals = value.get("opportunities")
    for i, deal in enumerate(deals if isinstance(deals, list) else []):
        answers = deal.get("qualification") if isinstance(deal, dict) else None
        if isinstance(answers, dict) and {"compete", "can_compete"} <= set(answers):
            yield at(("opportunities", i, "qualification", "compete"), "compete is the former "
                     "name of can_compete: write the answer once, as can_compete")


# Where account files hold names of people, the account and its deals (see names.py). A
# waiver's approver is compared with the owner, so it is held to the same rules.
_NAME_FIELDS = {("name",), ("owner",), ("contacts", "name"), ("opportunities", "name"),
                ("activities", "with"), ("waivers", "by"), ("owner_history", "name")}


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


def _duplicates(rows: Any, list_name: str, key: str, at: Any,
                same: Callable[[str], str] = str) -> Iterable[InputError]:
    """Rows whose `key` is the same as an earlier row's, compared in the form `same` gives."""
    seen: dict[str, tuple[int, str]] = {}
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        item = row.get(key) if isinstance(row, dict) else None
        if not isinstance(item, str):
            continue
        if same(item) in seen:
            first, written = seen[same(item)]
            also = f"{list_name}[{first}]" if written == item else (
                f"{list_name}[{first}] '{clip(shown_name(written))}': names are compared "
                "ignoring case, spacing, invisible characters and Unicode normal form")
            yield at((list_name, i, key),
                     f"duplicate {key} '{clip(shown_name(item))}' (also {also})")
        else:
            seen[same(item)] = (i, item)


def _real_date(text: Any) -> date | None:
    """A date as written, or None for anything else (the schema reports that)."""
    try:
        return _date(text)
    except ValueError:
        return None


def _date(text: Any) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def _qualification(answers: dict[str, Any]) -> dict[str, str]:
    """The four answers under their current names: `compete` is read as `can_compete`."""
    return {("can_compete" if question == "compete" else question): _answer(answer)
            for question, answer in answers.items()}


def _answer(value: Any) -> str:
    # YAML 1.1 reads an unquoted yes/no as a boolean.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _build_account(value: dict[str, Any], path: Path, document: YamlDocument) -> Account:
    market = value.get("market") or {}
    scores = value.get("scores")
    plan = value.get("plan")
    return Account(
        id=value["id"],
        name=value["name"],
        owner=value["owner"],
        source=path,
        industry=value.get("industry"),
        customer_since=_date(value.get("customer_since")),
        currency=value.get("currency"),
        financials=tuple(
            QuarterFigures(
                quarter=Quarter.parse(row["quarter"]),
                revenue=row["revenue"],
                cost=row.get("cost"),
                units=row.get("units"),
                inventory=row.get("inventory"),
                inventory_units=row.get("inventory_units"),
                resale_revenue=row.get("resale_revenue"),
                resale_cost=row.get("resale_cost"),
                resale_units=row.get("resale_units"),
            )
            for row in value["financials"]
        ),
        market=Market(
            industry_growth=market.get("industry_growth"),
            wallet=market.get("wallet"),
            competitors=tuple(market.get("competitors", ())),
            investment=market.get("investment"),
        ),
        scores=Scores(
            attractiveness=dict(scores.get("attractiveness", {})),
            relationship=dict(scores.get("relationship", {})),
        ) if scores is not None else None,
        relationship_stage=value.get("relationship_stage"),
        contacts=tuple(
            Contact(
                name=c["name"],
                title=c.get("title"),
                level=c.get("level"),
                roles=tuple(c.get("roles", ())),
                style=c.get("style"),
                attitude=c.get("attitude"),
                last_contact=_date(c.get("last_contact")),
                left_on=_date(c.get("left_on")),
            )
            for c in value.get("contacts", ())
        ),
        activities=tuple(
            Activity(
                date=date.fromisoformat(a["date"]),
                kind=a["kind"],
                with_=tuple(a.get("with", ())),
                summary=a.get("summary"),
            )
            for a in value.get("activities", ())
        ),
        complaints=tuple(
            Complaint(
                date=date.fromisoformat(c["date"]),
                topic=c["topic"],
                summary=c.get("summary"),
                resolved_on=_date(c.get("resolved_on")),
            )
            for c in value.get("complaints", ())
        ),
        plan=Plan(
            growth_target=plan.get("growth_target"),
            summary=plan.get("summary"),
            goals=tuple(
                Goal(text=g["text"], metric=g.get("metric"), target=g.get("target"),
                     due=_date(g.get("due")))
                for g in plan.get("goals", ())
            ),
        ) if plan is not None else None,
        opportunities=tuple(
            Opportunity(
                id=o["id"],
                name=o["name"],
                stage=o["stage"],
                stage_since=_date(o.get("stage_since")),
                value=o.get("value"),
                expected_close=_date(o.get("expected_close")),
                probability=o.get("probability"),
                evidence=dict(o.get("evidence", {})),
                qualification=_qualification(o.get("qualification", {})),
            )
            for o in value.get("opportunities", ())
        ),
        waivers=tuple(
            Waiver(rule=w["rule"], reason=w.get("reason"), until=_date(w.get("until")),
                   by=w.get("by"), subject=w.get("subject"))
            for w in value.get("waivers", ())
        ),
        owner_history=tuple(
            PastOwner(name=h["name"], to=date.fromisoformat(h["to"]), from_=_date(h.get("from")))
            for h in value.get("owner_history", ())
        ),
        locations=_kept_locations(document.locations),
    )


def _kept_locations(locations: dict[FieldPath, tuple[int, int]]
                    ) -> dict[FieldPath, tuple[int, int]]:
    """The locations a valid account still needs: where each list item starts (a finding on
    a contact or an opportunity points there) and each waiver's rule. Every other value's
    position only matters for an error, and a valid file has none; dropping them keeps the
    model (and its cache entry) small."""
    return {path: where for path, where in locations.items()
            if (len(path) <= 3 and (isinstance(path[-1], int) if path else True))
            or path[-1:] == ("rule",)}
