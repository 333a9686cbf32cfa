"""A deal's stage history (when it entered each stage, as a CRM records it) built from the
file, and the day a deal entered the stage it stood in on a given day."""

from __future__ import annotations

from datetime import date
from typing import Any

from kam_review.source.model import Opportunity, StageEntry


def build_stage_history(rows: Any) -> tuple[StageEntry, ...]:
    """The entries oldest first, whatever order the file lists them in."""
    entries = [StageEntry(row["stage"], date.fromisoformat(row["entered"])) for row in rows or ()]
    return tuple(sorted(entries, key=lambda entry: entry.entered))


def stage_entered(opportunity: Opportunity, as_of: date) -> date | None:
    """The day the deal entered its current stage: from its history when the latest entry
    on or before as_of is that stage (a run of entries of the same stage counts from its
    first), else stage_since as written."""
    then = stage_on(opportunity, as_of)
    if then is None or then.stage != opportunity.stage:
        return opportunity.stage_since
    return then.entered


def stage_on(opportunity: Opportunity, day: date) -> StageEntry | None:
    """The stage the history gives for `day` (its latest entry on or before it) and the day
    the deal entered it (a run of entries of the same stage counts from its first); None
    when no entry is dated by then."""
    known = known_history(opportunity, day)
    if not known:
        return None
    entered = known[-1].entered
    for entry in reversed(known):
        if entry.stage != known[-1].stage:
            break
        entered = entry.entered
    return StageEntry(known[-1].stage, entered)


def known_history(opportunity: Opportunity, day: date) -> tuple[StageEntry, ...]:
    """The entries of the history dated on or before `day`."""
    return tuple(entry for entry in opportunity.stage_history if entry.entered <= day)
