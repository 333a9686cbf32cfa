"""The stage an account file means when it names a funnel stage by its name, not its id:
"Project initiated", 引导客户立项, or a part of a Chinese name (立项), as the pages and the
seeds write them. Only a hint to an error: the names are the bundled funnel's (a rules folder
of a team may rename its stages; their ids stay the format's)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from kam_review.resources import bundled_rules_folder

# A part of a name shorter than this says too little (客户 stands in four names).
_SHORTEST_PART = 2


@cache
def _stage_names() -> dict[str, tuple[str, ...]]:
    """Each stage id of the bundled funnel with its names, in every language it gives."""
    try:
        funnel = yaml.safe_load((bundled_rules_folder() / "funnel.yaml").read_text("utf-8"))
        return {str(stage["id"]): tuple(
                    str(name) for name in (stage.get("name"), *(
                        entry.get("name") for entry in stage.values() if isinstance(entry, dict)))
                    if name)
                for stage in funnel["stages"]}
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return {}  # no hint is better than a failing error message


def stage_named(word: Any, choices: list[str]) -> str | None:
    """The one stage among `choices` that `word` names: by a whole name (any case), or by a
    part of a name where the word is not plain ASCII (a Chinese name's key words); None
    where no stage or more than one fits."""
    if not isinstance(word, str) or not word.strip():
        return None
    said = word.strip().casefold()
    names = {stage: [n.casefold() for n in found] for stage, found in _stage_names().items()
             if stage in choices}
    whole = [stage for stage, found in names.items() if said in found]
    if whole:
        return whole[0] if len(whole) == 1 else None
    if said.isascii() or len(said) < _SHORTEST_PART:
        return None
    part = [stage for stage, found in names.items() if any(said in name for name in found)]
    return part[0] if len(part) == 1 else None
