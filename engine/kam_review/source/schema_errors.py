"""Turning JSON Schema validation errors into messages a person can act on.

Where YAML read a value as something other than what was written (`name: No` is the boolean
false, `id: 0123` the octal number 83, `revenue: 1e6` text), the message says how YAML read
it and what to write instead."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kam_review.errors import InputError
from kam_review.i18n import ENGLISH, LANGUAGES, _, in_language
from kam_review.source.model import FieldPath, clip, format_path
from kam_review.source.stage_terms import stage_named
from kam_review.source.yaml_values import yaml11_advice, yaml_reading
from kam_review.source.yamlsource import YamlDocument

if TYPE_CHECKING:  # jsonschema is imported when a validator is made: a warm run makes none
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

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
    "^(19|20|21)[0-9]{2}(-Q[1-4])?$": "a year like 2026 or a quarter like 2026-Q4",
    "^((19|20|21)[0-9]{2}(-Q[1-4])?|trailing)$": "a year like 2026, a quarter like 2026-Q3, "
                                                 "or trailing",
    "^[A-Z]{3}$": "a three-letter currency code like CNY",
    "^[a-z]+\\.[a-z0-9-]+$": "a rule id like risk.single-threaded",
    "^[a-z]+\\.[a-z0-9-]+\\Z": "a rule id like risk.single-threaded",
    "^([a-z]+\\.[a-z0-9-]+(: *[^ ].*)?|goal: *[^ ].*|opportunity: *[a-z0-9]+(-[a-z0-9]+)*)$":
        "a rule id like risk.single-threaded (risk.key-contact-left: Bai Lu for one of its "
        "findings), goal:<number or text> or opportunity:<id>",
}


def make_validator(schema: Mapping[str, Any]) -> Draft202012Validator:
    from jsonschema import Draft202012Validator, FormatChecker
    return Draft202012Validator(schema, format_checker=FormatChecker())


# A number written so that YAML reads it as text: 1e6 (YAML 1.1 wants 1.0e+6), "250000".
_NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_PLAIN_DECIMAL = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")


def schema_errors(
    validator: Draft202012Validator,
    value: Any,
    file: str,
    document: YamlDocument,
    prefix: FieldPath = (),
) -> list[InputError]:
    """Every way `value` (the part of the document at `prefix`) breaks the schema, and every
    number in it written in a form only YAML 1.1 reads, one error per value. A value the
    reader refused (an infinite number) already has its error."""
    found: list[InputError] = []
    explained: set[FieldPath] = set()
    yaml11 = {path for path in document.yaml11 if path[:len(prefix)] == prefix}
    for error in validator.iter_errors(value):
        for relative, message in _describe(error):
            path = (*prefix, *relative)
            if path in document.unread or (path in yaml11 and path in explained):
                continue  # one error for the value
            explained.add(path)
            if path in document.written and relative == tuple(error.absolute_path):
                message = _as_written(path, message, error, document, path in yaml11)
            elif error.validator == "type" and isinstance(error.instance, str):
                message = _number_as_text(error.instance, error.validator_value) or message
            line, column = document.locate(path)
            found.append(InputError(file, line, column, format_path(path), message))
    for path in sorted(yaml11 - explained, key=document.yaml11.index):
        text = document.written[path]
        number = document.at(path)
        line, column = document.locate(path)
        found.append(InputError(file, line, column, format_path(path), _(
            "{reads}; {advice}").format(reads=_reads(text, number, True),
                                        advice=yaml11_advice(text, number))))
    return sorted(set(found))


def _as_written(path: FieldPath, message: str, error: ValidationError, document: YamlDocument,
                yaml11: bool) -> str:
    """The message for a value YAML read as a number, boolean or null: how it read it, and
    to quote it where text is wanted."""
    text, value = document.written[path], error.instance
    if not text:
        return message.rsplit(_got_marker(), 1)[0] + _(", but the value is empty")
    reads = _reads(text, value, yaml11)
    wanted = error.validator_value if isinstance(error.validator_value, list) else [
        error.validator_value]
    if error.validator == "type" and "string" in wanted:
        where = f"{path[-1]}: " if isinstance(path[-1], str) else "- "
        return _("{reads}; write {where}{text} in quotes").format(
            reads=reads, where=where, text=clip(json.dumps(text, ensure_ascii=False)))
    if yaml11:
        return _("{reads}; {advice}").format(reads=reads, advice=yaml11_advice(text, value))
    return _("{message} ({reads})").format(message=message, reads=reads) \
        if clip(text) != _shown(value) else message


def _reads(text: str, value: Any, yaml11: bool) -> str:
    """How YAML (1.1, where only that version reads the form) read a value as written."""
    reads = _("YAML 1.1 reads {text} as {reading}") if yaml11 else _(
        "YAML reads {text} as {reading}")
    return reads.format(text=clip(text), reading=yaml_reading(text, value))


def _number_as_text(text: str, wanted: Any) -> str | None:
    """The message for text where a number is wanted, when the text is a number YAML did
    not read as one: `1e6` (YAML 1.1 needs a dot and a signed exponent), `"250000"`."""
    kinds = wanted if isinstance(wanted, list) else [wanted]
    if not {"number", "integer"} & set(kinds) or not _NUMBER_TEXT.fullmatch(text.strip()):
        return None
    number = Decimal(text.strip())
    shown = clip(text if text == text.strip() else repr(text))
    if _PLAIN_DECIMAL.fullmatch(text):  # YAML reads these as numbers unless quoted
        return _("{text} is in quotes, so YAML reads it as text; write {number} without "
                 "quotes").format(text=clip(repr(text)), number=shown)
    if abs(number.adjusted()) > 30:
        return _("{number} is read as text by YAML; write the number in digits, without "
                 "quotes").format(number=shown)
    return _("{number} is read as text by YAML; write {decimal}").format(
        number=shown, decimal=clip(f'{number:f}'))


def _shown(value: Any) -> str:
    return clip(repr(value) if isinstance(value, str) else str(value).lower())


def _bound(limit: Any) -> str:
    """A schema's limit as a person writes it: 1,000,000,000,000,000, not 1000000000000000.0."""
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    return f"{limit:,}" if isinstance(limit, int) else str(limit)


def did_you_mean(word: Any, choices: list[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return _suggested(close[0]) if close else ""


def _suggested(word: str) -> str:
    return _(" (did you mean '{word}'?)").format(word=word)


def did_you_mean_rule(rule_id: str, known: list[str]) -> str:
    """The rule id an unknown one is a slip of: by its spelling, or by the same words in
    another order or form (risk.revenue-decline: risk.declining-revenue), which spelling
    alone finds too far."""
    hint = did_you_mean(rule_id, known)
    if hint:
        return hint
    by_words = {_words_sorted(rule): rule for rule in known}
    close = difflib.get_close_matches(_words_sorted(rule_id), list(by_words), n=1, cutoff=0.8)
    return _suggested(by_words[close[0]]) if close else ""


def _words_sorted(rule_id: str) -> str:
    """A rule id with the words of its name in alphabetical order: risk.decline revenue."""
    kind, dot, name = rule_id.rpartition(".")
    return kind + dot + " ".join(sorted(name.replace("_", "-").split("-")))


def _word_of(key: str, allowed: list[str]) -> str:
    """The one allowed field that is a whole word of an unknown one (due_date: due) or
    has it as one (left: left_on), which spelling alone does not find close enough."""
    words = set(key.replace("-", "_").split("_"))
    found = [name for name in allowed
             if name in words or (key in name.split("_") and len(key) > 2)]
    return _suggested(found[0]) if len(found) == 1 else ""


def _term_of(word: Any, choices: list[str]) -> str:
    """The one choice whose term in another language the word is (总监: director), as the
    pages in that language write it."""
    if not isinstance(word, str) or not word.strip():
        return ""
    found = [choice for choice in choices for lang in LANGUAGES if lang != ENGLISH
             and in_language(lang, choice.replace("_", " ")).casefold() == word.strip().casefold()]
    return _suggested(found[0]) if len(set(found)) == 1 else ""


def _percent_hint(bound: Any, instance: Any) -> str:
    """A share written as a whole percentage (probability: 70), where the limit is 1; 1.5
    may be a slip of another kind, and is only told the limit."""
    if bound != 1 or isinstance(instance, bool) or not isinstance(instance, int | float) \
            or not float(instance).is_integer() or not 1 < instance <= 100:
        return ""
    return _(": a share is written as a fraction of 1, {percent}% as {share}").format(
        percent=f"{instance:g}", share=f"{instance / 100:g}")


def _percent_value(instance: Any) -> float | None:
    """The number of a percentage written as text ("70%": 70), else None."""
    if not isinstance(instance, str) or not instance.strip().endswith("%"):
        return None
    try:
        return float(instance.strip().removesuffix("%").strip())
    except ValueError:
        return None


def _got(instance: Any) -> str:
    """The value found, as every message ends: ", got 12"."""
    return _(", got {value}").format(value=_shown(instance))


def _got_marker() -> str:
    """Where _got's words begin, in the active language: an empty value drops them."""
    return _(", got {value}").split("{value}", 1)[0]


def _misspelt(name: str, instance: dict[Any, Any], schema: Any) -> bool:
    """Whether a required field is missing only as a misspelt key of the same mapping
    (`revenu:`), which its own error names with the field meant: one typo, one error."""
    if not isinstance(schema, dict) or schema.get("additionalProperties") is not False:
        return False
    known = schema.get("properties", {})
    return any(isinstance(key, str) and key not in known and did_you_mean(key, [name])
               for key in instance)


def _describe(error: ValidationError) -> Iterator[tuple[FieldPath, str]]:
    path: FieldPath = tuple(error.absolute_path)
    kind, instance = error.validator, error.instance
    schema: Any = error.schema
    expected: Any = error.validator_value
    if kind == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        for key in sorted(set(instance) - set(allowed)):
            hint = did_you_mean(key, allowed) or _word_of(key, allowed)
            yield (*path, key), _("unknown field '{field}'{hint}; allowed: {allowed}").format(
                field=clip(key), hint=hint, allowed=", ".join(allowed))
    elif kind == "required" and isinstance(instance, dict):
        for name in expected:
            if name not in instance and not _misspelt(name, instance, schema):
                yield path, _("missing required field '{field}'").format(field=name)
    elif kind == "type":
        wanted = _(" or ").join(_(_TYPE_WORDS.get(str(t), str(t))) for t in (
            expected if isinstance(expected, list) else [expected]))
        yield path, _("expected {wanted}").format(wanted=wanted) + _got(instance) + (
            _percent_hint(schema.get("maximum"), _percent_value(instance))
            if isinstance(schema, dict) else "")
    elif kind == "enum":
        choices = [c for c in expected if isinstance(c, str)]
        stage = stage_named(instance, choices)
        hint = did_you_mean(instance, choices) or _term_of(instance, choices) or (
            _suggested(stage) if stage else "")
        yield path, (_("expected one of {choices}").format(choices=", ".join(choices))
                     + _got(instance) + hint)
    elif kind == "pattern":
        words = _(_PATTERN_WORDS[str(expected)]) if str(expected) in _PATTERN_WORDS else _(
            "text matching {pattern}").format(pattern=expected)
        yield path, _("expected {wanted}").format(wanted=words) + _got(instance)
    elif kind == "format":
        yield path, _("expected a real date written YYYY-MM-DD") + _got(instance)
    elif kind in ("minimum", "exclusiveMinimum"):
        yield path, _("must be at least {bound}").format(
            bound=_bound(error.validator_value)) + _got(instance)
    elif kind in ("maximum", "exclusiveMaximum"):
        yield path, _("must be at most {bound}").format(
            bound=_bound(error.validator_value)) + _got(instance) + _percent_hint(
                expected, instance)
    elif kind == "minLength":
        yield path, _("must not be empty")
    elif kind == "maxLength":
        yield path, f"is longer than {error.validator_value} characters"
    elif kind == "maxItems":
        yield path, f"has more than {error.validator_value} items"
    elif kind == "uniqueItems":
        yield path, f"lists the same item twice: {_shown(instance)}"
    else:
        yield path, clip(error.message, 200)
