"""Turning JSON Schema validation errors into messages a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import InputError
from .model import FieldPath, format_path

_TYPE_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "object": "a mapping of fields",
    "array": "a list",
    "boolean": "true or false",
    "null": "nothing",
}

_PATTERN_WORDS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "a slug (lowercase letters, digits and single dashes)",
    "^(19|20|21)[0-9]{2}-Q[1-4]$": "a quarter like 2026-Q3",
    "^[A-Z]{3}$": "a three-letter currency code like CNY",
    "^[a-z]+\\.[a-z0-9-]+$": "a rule id like risk.single-threaded",
}


def make_validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_errors(
    validator: Draft202012Validator,
    value: Any,
    file: str,
    locations: Mapping[FieldPath, tuple[int, int]],
) -> list[InputError]:
    found: list[InputError] = []
    for error in validator.iter_errors(value):
        for path, message in _describe(error):
            line, column = _locate(path, locations)
            found.append(InputError(file, line, column, format_path(path), message))
    return sorted(set(found))


def _locate(path: FieldPath, locations: Mapping[FieldPath, tuple[int, int]]) -> tuple[int, int]:
    while path not in locations and path:
        path = path[:-1]
    return locations.get(path, (1, 1))


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower()
    return text if len(text) <= 60 else text[:57] + "..."


def _did_you_mean(word: Any, choices: list[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _describe(error: ValidationError) -> Iterator[tuple[FieldPath, str]]:
    path: FieldPath = tuple(error.absolute_path)
    kind, instance = error.validator, error.instance
    schema: Any = error.schema
    expected: Any = error.validator_value
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for key in sorted(set(instance) - set(allowed)):
            hint = _did_you_mean(key, allowed)
            yield (*path, key), f"unknown field '{key}'{hint}; allowed: {', '.join(allowed)}"
    elif kind == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield path, f"missing required field '{name}'"
    elif kind == "type":
        wanted = " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in (
            expected if isinstance(expected, list) else [expected]))
        yield path, f"expected {wanted}, got {_shown(instance)}"
    elif kind == "enum":
        choices = [c for c in expected if isinstance(c, str)]
        hint = _did_you_mean(instance, choices)
        yield path, f"expected one of {', '.join(choices)}, got {_shown(instance)}{hint}"
    elif kind == "pattern":
        words = _PATTERN_WORDS.get(str(expected), f"text matching {expected}")
        yield path, f"expected {words}, got {_shown(instance)}"
    elif kind == "format":
        yield path, f"expected a real date written YYYY-MM-DD, got {_shown(instance)}"
    elif kind in ("minimum", "exclusiveMinimum"):
        yield path, f"must be at least {error.validator_value}, got {_shown(instance)}"
    elif kind in ("maximum", "exclusiveMaximum"):
        yield path, f"must be at most {error.validator_value}, got {_shown(instance)}"
    elif kind == "minLength":
        yield path, "must not be empty"
    elif kind == "maxLength":
        yield path, f"is longer than {error.validator_value} characters"
    elif kind == "maxItems":
        yield path, f"has more than {error.validator_value} items"
    elif kind == "uniqueItems":
        yield path, f"lists the same item twice: {_shown(instance)}"
    else:
        yield path, error.message
