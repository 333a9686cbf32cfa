"""Loading account files: YAML -> schema check -> consistency checks -> Account values.

Every problem is collected with its file, line, column and field; a file with problems is
left out of the evaluation, every other file is still loaded. This module finds the files,
reads them (through the cache) and checks them against the schema; consistency.py checks
what the schema cannot say and account_builder.py builds the model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

from kam_review.errors import InputError
from kam_review.paths import display_path
from kam_review.progress import Progress, silent
from kam_review.source.account_builder import build_account
from kam_review.source.account_paths import find_account_files
from kam_review.source.cache import AccountCache, CacheEntry, StoredAccount, content_key, entry_text
from kam_review.source.consistency import consistency_errors
from kam_review.source.fast_yaml import read_fast_account
from kam_review.source.model import Account
from kam_review.source.schema_errors import make_validator, schema_errors
from kam_review.source.single_line import FieldPattern, line_break_errors, one_line_fields
from kam_review.source.yamlsource import MAX_FILE_BYTES, YamlDocument, read_yaml

if TYPE_CHECKING:  # imported by make_validator, when a file is to be explained
    from jsonschema import Draft202012Validator

# The published JSON Schema of the account format; editors can point at it too.
SCHEMA_FILE = Path(__file__).with_name("account.schema.json")


@dataclass
class Portfolio:
    """The accounts that loaded, and every problem found in the files that did not."""

    accounts: list[Account] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    # The files that did not load (their errors are above): the review looks in them again
    # for what only the rules can tell (review/rule_references.py).
    refused: list[Path] = field(default_factory=list)


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


def ready_to_read() -> None:
    """Compile now what reading an account file needs (`kam serve` after a full build, whose
    files were read in worker processes: else the first edit pays for it)."""
    _fast_validator()
    _one_line_fields()


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
    for path, (account, errors) in zip(paths, _load_all(paths, progress, cache), strict=True):
        portfolio.errors.extend(errors)
        if account is not None:
            portfolio.accounts.append(account)
        else:
            portfolio.refused.append(path)
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


def load_account_value(path: Path, content: bytes | None = None) -> tuple[CacheEntry, Any]:
    """load_account, with the file's plain value: a valid account is built again from it and
    its locations alone (review/full_result.py keeps them instead of the file)."""
    return _read_account(path, content)


def _read_account(path: Path, content: bytes | None) -> tuple[CacheEntry, Any]:
    """(account, errors) and the file's plain value, which the cache keeps."""
    name = display_path(path)
    fast = read_fast_account(path, content)
    if fast is not None:  # a file the fast reader reads and every check passes
        entry = _account_from_document(fast, path, name)
        if entry[0] is not None and not entry[1]:
            return entry, fast.value
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
    errors.extend(e for e in consistency_errors(value, path, name, document)
                  if e.field not in broken)
    if not errors and not document.yaml11 and _passes_fast_check(value):
        try:
            return build_account(value, path, document), []
        except (ValueError, TypeError, KeyError):
            pass  # e.g. 2026-02-30: the fast check reads dates by pattern only
    errors.extend(e for e in schema_errors(_validator(), value, name, document)
                  if e.field not in broken)
    if not errors:  # the schema finds nothing, yet the model could not be built
        errors.append(InputError(name, 1, 1, "", "the file could not be read as an account"))
    return None, sorted(set(errors))
