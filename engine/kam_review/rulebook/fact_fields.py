"""What a fact field says about itself: its kind, unit, label and meaning, declared once.

Each fact type is a frozen dataclass (account_fact_type.py, subject_fact_types.py) whose
fields are declared with `fact_field`; `fields_of` reads them back as the catalogue
(fact_types.py) that the rule checker, the explanations, the pages and the rules reference
all use. A field's kind comes from its type, and must fit its unit, so the two cannot
disagree. None means unknown: the account's data cannot give the figure, and a condition on
it is false.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Any, ClassVar, Literal, Union, get_args, get_origin, get_type_hints

from kam_review.formatting import Unit
from kam_review.i18n import _

FieldKind = Literal["number", "bool", "text"]
# The units of fields that are not numbers; every other unit is a number's.
_UNIT_KINDS: dict[Unit, FieldKind] = {"text": "text", "date": "text", "yes/no": "bool"}
_DESCRIPTION = "kam_review.fact_field"
# The range a figure of a unit always lies in, unless its field declares its own: counts and
# ages are never negative, a score runs from 1 to 5, a fall is at most -100%.
_UNIT_RANGES: dict[Unit, tuple[float | None, float | None]] = {
    "count": (0, None), "quarters": (0, None), "characters": (0, None),
    "working days": (0, None), "times a year": (0, None), "position": (0, None),
    "score": (1, 5), "change": (-1, None)}


@dataclasses.dataclass(frozen=True)
class FactField:
    kind: FieldKind
    unit: Unit
    english_label: str  # for readers, as a table heading: "Revenue, last 4 quarters"
    doc: str  # how it is computed, or why it can be unknown
    # The range its figure always lies in (None: no bound), which `kam rules lint` holds
    # comparisons against: a probability above 1 is never true.
    low: float | None = None
    high: float | None = None

    @property
    def label(self) -> str:
        """The label in the active language (the catalogue's translation, else English)."""
        return _(self.english_label)


@dataclasses.dataclass(frozen=True)
class _Description:
    unit: Unit
    label: str
    doc: str
    low: float | None
    high: float | None


def fact_field(unit: Unit, label: str, doc: str, *, known: bool = False,
               low: float | None = None, high: float | None = None) -> Any:
    """A field of a fact type: unknown (None) unless set, or always `known`; `low` and `high`
    bound its figure where its unit does not (a fraction that cannot pass 1)."""
    default_low, default_high = _UNIT_RANGES.get(unit, (None, None))
    metadata = {_DESCRIPTION: _Description(unit, label, doc, default_low if low is None else low,
                                           default_high if high is None else high)}
    if known:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=None, metadata=metadata)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FactType:
    """What every fact type has: its name, the account, and where its subject stands in the
    account file (kept beside the fact, never tested)."""

    fact_type: ClassVar[str]
    account: str = fact_field("text", "Account", "the account's id", known=True)
    source_path: tuple[str | int, ...] = ()


def fields_of(fact_type: type[FactType]) -> dict[str, FactField]:
    """The fields a rule can test on a fact type, in the order they are declared."""
    hints = get_type_hints(fact_type)
    found = {}
    for field in dataclasses.fields(fact_type):
        description = field.metadata.get(_DESCRIPTION)
        if not isinstance(description, _Description):
            continue
        kind = _kind(hints[field.name])
        if _UNIT_KINDS.get(description.unit, "number") != kind:
            raise TypeError(f"{fact_type.__name__}.{field.name} is {kind}, which does not fit "
                            f"the unit '{description.unit}'")
        found[field.name] = FactField(kind, description.unit, description.label,
                                      description.doc, description.low, description.high)
    return found


def _kind(hint: Any) -> FieldKind:
    """number for int and float, bool, text for str; None (unknown) does not count."""
    is_union = get_origin(hint) in (Union, types.UnionType)
    found = set(get_args(hint) if is_union else (hint,)) - {type(None)}
    if found == {bool}:
        return "bool"
    if found and found <= {int, float}:
        return "number"
    if found == {str}:
        return "text"
    raise TypeError(f"a fact field is a number, bool or text, not {hint}")
