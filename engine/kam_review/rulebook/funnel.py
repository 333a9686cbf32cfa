"""The funnel table of a rules folder (`funnel.yaml`): the opportunity stages in order, each
with its owner and the characteristics of a deal at it, checked against the stages the
account files use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import ENGLISH, LANGUAGES, language, pick
from kam_review.rulebook.rule_schema import TEXT, read_checked
from kam_review.source.model import OPPORTUNITY_STAGES
from kam_review.vocabulary import Status

FUNNEL_FILE = "funnel.yaml"
_FUNNEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source", "stages"],
    "properties": {
        "source": {"type": "string"},
        "stages": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "owner", "characteristics"],
            "properties": {
                "id": {"type": "string"}, "name": TEXT, "owner": TEXT,
                "characteristics": {"type": "object", "minProperties": 1,
                                    "additionalProperties": {"type": "string"}},
                # The stage's texts in another language (i18n.py), each falling back to
                # the English: `zh: {name: 确认客户意向, characteristics: {...}}`.
                **{lang: {"type": "object", "additionalProperties": False, "properties": {
                    "name": TEXT, "owner": TEXT,
                    "characteristics": {"type": "object",
                                        "additionalProperties": {"type": "string"}}}}
                   for lang in LANGUAGES if lang != ENGLISH},
            }}},
    },
}


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    owner: str
    # What is true of a deal at this stage (seed 004): evidence key -> what it means.
    characteristics: dict[str, str]
    index: int  # 1-based position in the funnel


def _stage(raw: dict[str, Any], index: int) -> Stage:
    """A stage in the active language: its translated texts, else the English ones."""
    own = raw.get(language(), {})
    words = own.get("characteristics", {})
    return Stage(raw["id"], pick(raw["name"], {language(): own.get("name", "")}),
                 pick(raw["owner"], {language(): own.get("owner", "")}),
                 {key: pick(text, {language(): words.get(key, "")})
                  for key, text in raw["characteristics"].items()}, index)


def load_funnel(path: Path | None, errors: list[InputError]) -> tuple[Stage, ...]:
    """The funnel's stages; none when the file is refused or cannot be read (its errors are
    added to `errors`)."""
    if path is None:
        return ()
    value, document, name = read_checked(path, _FUNNEL_SCHEMA, errors)
    if value is None:
        return ()
    stages = tuple(_stage(s, i) for i, s in enumerate(value["stages"], start=1))
    expected = [s for s in OPPORTUNITY_STAGES if s != Status.LOST]
    if [s.id for s in stages] != expected:
        errors.append(InputError(name, document.locations.get(("stages",), (1, 1))[0], 1,
                                 "stages", f"the funnel's stages must be, in order: "
                                 f"{', '.join(expected)}"))
    return stages
