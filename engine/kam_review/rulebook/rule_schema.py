"""The schema a rule file is checked against, and the reading of any file of a rules folder
against its schema: every problem becomes an error with its file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import ENGLISH, LANGUAGES
from kam_review.paths import display_path
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.source.schema_errors import make_validator, schema_errors
from kam_review.source.yamlsource import YamlDocument, read_yaml
from kam_review.vocabulary import MARK_WORD_MAX, Kind, Mark, Severity

TEXT = {"type": "string", "minLength": 1}
# A rule's texts in another language, beside the English ones: `zh: {title: ..., message: ...}`
# (i18n.py); any text left out is shown in English.
TRANSLATED = ("title", "message", "rationale", "action", "variant")
TRANSLATION = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {**{key: TEXT for key in TRANSLATED},
                   "marks": {"type": "object", "additionalProperties": False,
                             "properties": {mark.value: {"type": "string",
                                                         "maxLength": MARK_WORD_MAX}
                                            for mark in Mark}}},
}
RULE_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "rules"],
    "properties": {
        "kind": {"enum": [kind.value for kind in Kind]},
        "rules": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "title", "severity", "source", "on", "when", "message",
                         "rationale", "action"],
            "properties": {
                # \Z, not $: Python's $ matches before a final newline ("risk.x\n").
                "id": {"type": "string", "pattern": "^[a-z]+\\.[a-z0-9-]+\\Z"},
                "title": TEXT,
                "severity": {"enum": [severity.value for severity in Severity]},
                "source": {"type": "array", "minItems": 1, "items": {"enum": [
                    "000", "001", "002", "003", "004"]}},
                "on": {"enum": sorted(FACT_TYPES)},
                "when": {},
                "message": TEXT,
                "rationale": TEXT,
                "action": TEXT,
                "precedence": {"type": "integer", "minimum": 1, "maximum": 100},
                # A class or focus rule may give the label of another (class.nurture-new
                # assigns nurture), shown with its variant: "nurture: new account".
                "label": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "variant": {"type": "string", "minLength": 1, "maxLength": MARK_WORD_MAX},
                "marks": {"type": "object", "additionalProperties": False, "minProperties": 1,
                          "properties": {mark.value: {"type": "string", "maxLength": MARK_WORD_MAX}
                                         for mark in Mark}},
                **{lang: TRANSLATION for lang in LANGUAGES if lang != ENGLISH},
            },
        }},
    },
}


def read_checked(
    path: Path, schema: dict[str, Any], errors: list[InputError]
) -> tuple[Any, YamlDocument, str]:
    """The file's value (None when it cannot be read or breaks the schema, its errors then
    added to `errors`), its document and the name it is shown by."""
    name = display_path(path)
    document = read_yaml(path, shown_as=name)
    errors.extend(document.errors)
    if document.errors:
        return None, document, name
    found = schema_errors(make_validator(schema), document.value, name, document)
    errors.extend(found)
    return (None if found or document.errors else document.value), document, name
