"""Reading rule tests: the YAML files of a rules folder's `tests/`, each a list of cases.

A case is a fixture account, written out in full (`account:`) or as a base account file with
a patch (`base:`, `patch:` of dotted field paths such as `contacts.2.left_on`, `remove:` of
paths), the review date, the rule ids it must fire and those it must not, and the texts a
finding's message must hold. A file may set `base` and `as_of` once for all its cases.
`warned_before` names the high warnings of a previous review, for the rules that read them.
Every problem becomes an error with its file, line and field, as in a rule file.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.paths import is_within
from kam_review.rulebook.rule_schema import read_checked
from kam_review.source.account_paths import RULE_TESTS_FOLDER
from kam_review.source.model import FieldPath, format_path
from kam_review.source.review_date import parse_review_date
from kam_review.source.schema_errors import did_you_mean
from kam_review.source.yamlsource import YamlDocument

_IDS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_DAY = {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}\\Z"}
_CASE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "as_of": _DAY,
        "base": {"type": "string", "minLength": 1},
        "account": {"type": "object"},
        "patch": {"type": "object"},
        "remove": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "fires": _IDS,
        "silent": _IDS,
        "message_contains": {"type": "object", "additionalProperties": _IDS},
        "warned_before": _IDS,
    },
}
CASE_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["cases"],
    "properties": {"as_of": _DAY, "base": {"type": "string", "minLength": 1},
                   "cases": {"type": "array", "minItems": 1, "items": _CASE}},
}


@dataclass(frozen=True)
class RuleCase:
    """One fixture account and what the rules must do on it."""

    file: str
    line: int
    name: str
    account: dict[str, Any] = field(hash=False)
    as_of: date
    fires: tuple[str, ...] = ()
    silent: tuple[str, ...] = ()
    messages: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    warned_before: frozenset[str] = frozenset()

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def case_files(rules: Path) -> list[Path]:
    """The test files of a rules folder: `tests/*.yaml`, in name order."""
    folder = rules / RULE_TESTS_FOLDER
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def read_cases(rules: Path) -> tuple[list[RuleCase], list[InputError]]:
    """Every case of every test file of the folder, and every problem found reading them."""
    cases: list[RuleCase] = []
    errors: list[InputError] = []
    for path in case_files(rules):
        cases.extend(_read_file(path, errors))
    return cases, errors


def _read_file(path: Path, errors: list[InputError]) -> list[RuleCase]:
    value, document, name = read_checked(path, CASE_FILE_SCHEMA, errors)
    if value is None:
        return []
    bases: dict[str, dict[str, Any] | None] = {}
    found = []
    for i, raw in enumerate(value["cases"]):
        # The file's base and date stand for every case that gives none (an account in full
        # replaces the base).
        shared = {k: v for k, v in value.items() if k != "cases"
                  and not (k == "base" and "account" in raw)}
        case = _case(path, name, document, ("cases", i), shared | raw, bases, errors)
        if case is not None:
            found.append(case)
    return found


def _case(path: Path, name: str, document: YamlDocument, at: FieldPath, raw: dict[str, Any],
          bases: dict[str, dict[str, Any] | None], errors: list[InputError]) -> RuleCase | None:
    def error(key: str, message: str) -> None:
        line, column = document.locate((*at, key))
        errors.append(InputError(name, line, column, format_path((*at, key)), message))

    count = len(errors)
    if "as_of" not in raw:
        error("as_of", "a case needs a review date: as_of: YYYY-MM-DD (for the file or the case)")
    if ("account" in raw) == ("base" in raw):
        error("account", "a case gives its account in full (account:) or as base: FILE with "
                         "a patch, one of the two")
    if not raw.get("fires") and not raw.get("silent") and not raw.get("message_contains"):
        error("fires", "a case says what it expects: fires, silent or message_contains")
    if len(errors) > count:
        return None
    try:
        as_of = parse_review_date(raw["as_of"])
    except ValueError as problem:
        error("as_of", str(problem))
        return None
    if "account" in raw:
        account = copy.deepcopy(raw["account"])
    else:
        base = _base(path, raw["base"], bases, errors, name, document, (*at, "base"))
        if base is None:
            return None
        account = copy.deepcopy(base)
        for key, text in _patched(account, raw.get("patch", {}), raw.get("remove", [])):
            error(key, text)
    if len(errors) > count:
        return None
    return RuleCase(name, document.locate(at)[0], raw["name"], account, as_of,
                    tuple(raw.get("fires", ())), tuple(raw.get("silent", ())),
                    {rule: tuple(texts) for rule, texts in raw.get("message_contains", {}).items()},
                    frozenset(raw.get("warned_before", ())))


def _base(path: Path, written: str, bases: dict[str, dict[str, Any] | None],
          errors: list[InputError], name: str, document: YamlDocument,
          at: FieldPath) -> dict[str, Any] | None:
    """The base account a case patches, read once per file; it lies inside the rules folder."""
    if written not in bases:
        target = path.parent / written
        problem = None
        if not is_within(target, path.parent.parent):
            problem = f"the base account {written} lies outside the rules folder"
        elif not target.is_file():
            problem = f"no base account file {written} (next to {path.name})"
        if problem:
            errors.append(InputError(name, *document.locate(at), format_path(at), problem))
            bases[written] = None
        else:
            value, _, _ = read_checked(target, {"type": "object"}, errors)
            bases[written] = value
    return bases[written]


def _patched(account: dict[str, Any], patch: Mapping[str, Any],
             remove: list[str]) -> list[tuple[str, str]]:
    """Apply a patch to the account in place; the problems, by the key of the case."""
    problems = []
    for dotted, value in patch.items():
        problem = _apply(account, dotted, value)
        if problem:
            problems.append(("patch", f"{dotted}: {problem}"))
    for dotted in remove:
        problem = _apply(account, dotted, None, remove=True)
        if problem:
            problems.append(("remove", f"{dotted}: {problem}"))
    return problems


def _apply(account: dict[str, Any], dotted: str, value: Any, remove: bool = False) -> str | None:
    """Set (or remove) the field at a dotted path such as `contacts.2.left_on`; the problem,
    if the path does not lead to a field of the account."""
    *parents, last = dotted.split(".")
    node: Any = account
    for depth, part in enumerate(parents):
        missing = _missing(node, part, ".".join(parents[:depth]))
        if missing:
            return missing
        node = node[int(part)] if isinstance(node, list) else node[part]
    within = ".".join(parents)
    if isinstance(node, list):
        # A patch may add the item after the last one; a removal needs one there.
        if not last.isdigit() or int(last) >= len(node) + (0 if remove else 1):
            return _missing(node, last, within)
        if remove:
            del node[int(last)]
        elif int(last) == len(node):
            node.append(value)
        else:
            node[int(last)] = value
        return None
    if not isinstance(node, dict):
        return f"{within} is {_kind(node)}, not a mapping"
    if remove:
        if last not in node:
            return _missing(node, last, within)
        del node[last]
    else:
        node[last] = value
    return None


def _missing(node: Any, part: str, within: str) -> str | None:
    """Why `part` is not a field or an item of the node at `within` (None: it is)."""
    named = within or "the account"
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return None
        items = (f"has {len(node)} items, numbered 0 to {len(node) - 1}" if node
                 else "is an empty list")
        return f"{named} {items}: no item {part}"
    if isinstance(node, dict):
        if part in node:
            return None
        return f"{named} has no field {part}" + did_you_mean(part, sorted(map(str, node)))
    return f"{named} is {_kind(node)}: it has no {part}"


def _kind(value: Any) -> str:
    return "empty" if value is None else f"a {type(value).__name__}"
