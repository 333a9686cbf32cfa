"""What changed in an account's deals and revenue between two sides of `kam diff`, as
(kind, subject, before, after, values): diff.py makes each a Change of the account."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from kam_review.locale_format import LocaleFormat, changed_figure
from kam_review.review.plan_diff import day_text
from kam_review.source.model import Account

# A change's kind, subject, two sides as words, and the exact figures (None: not a figure).
Moved = tuple[str, str, str, str, tuple[float | None, float | None] | None]


def stage_subject(deal: str, direction: str) -> str:
    """A stage move's subject: the deal's id and which way it moved, "pos-refresh (back)"."""
    return f"{deal} ({direction})"


def stage_parts(subject: str) -> tuple[str, str]:
    """A stage move's subject back as the deal's id and its direction ("" when it has none)."""
    if not subject.endswith((" (forward)", " (back)")):
        return subject, ""
    deal, _sep, direction = subject[:-1].rpartition(" (")
    return deal, direction


def opportunity_changes(old: Account, new: Account, order: Mapping[str, int],
                        formats: LocaleFormat) -> Iterator[Moved]:
    """Deals added, removed, moved a stage (`order`: each stage's place in the funnel), put
    off or forward, restarted at their stage, and their probability and value."""
    before = {o.id: o for o in old.opportunities}
    after = {o.id: o for o in new.opportunities}
    for opportunity_id in sorted(after.keys() - before.keys()):
        yield "opportunity-added", opportunity_id, "", after[opportunity_id].stage, None
    for opportunity_id in sorted(before.keys() - after.keys()):
        yield "opportunity-removed", opportunity_id, before[opportunity_id].stage, "", None
    for opportunity_id in sorted(before.keys() & after.keys()):
        was, now = before[opportunity_id], after[opportunity_id]
        if was.stage != now.stage:
            # Lost counts as a step back from anywhere; closed as a step forward.
            direction = "forward" if order.get(now.stage, 0) > order.get(was.stage, 0) else "back"
            yield "stage", stage_subject(opportunity_id, direction), was.stage, now.stage, None
        elif was.stage_since != now.stage_since:
            # The same stage since another day: how long the deal has been stuck starts
            # again (stage.stale), which the change must show beside the finding it ends.
            yield ("stage-since", opportunity_id, day_text(was.stage_since),
                   day_text(now.stage_since), None)
        if was.expected_close != now.expected_close:
            # A deal's close put off moves the forecast's quarter, whatever else stays.
            yield ("opportunity-close", opportunity_id, day_text(was.expected_close),
                   day_text(now.expected_close), None)
        shows = {"probability": (formats.percent, formats.exact_percent),
                 "value": (formats.money, formats.whole_money)}
        for name, (short, exact) in shows.items():
            old_value, new_value = getattr(was, name), getattr(now, name)
            if old_value != new_value:
                yield _figure(f"{opportunity_id} {name}", old_value, new_value, short, exact)


def revenue_changes(old: Account, new: Account, formats: LocaleFormat) -> Iterator[Moved]:
    before = {str(row.quarter): row.revenue for row in old.financials}
    after = {str(row.quarter): row.revenue for row in new.financials}
    for quarter in sorted(before.keys() | after.keys()):
        if before.get(quarter) != after.get(quarter):
            yield _figure(f"revenue {quarter}", before.get(quarter), after.get(quarter),
                          formats.money, formats.whole_money)


def _figure(subject: str, old: float | None, new: float | None,
            show: Callable[[float], str], exact: Callable[[float], str]) -> Moved:
    """A changed figure, as locale_format.changed_figure shows it, with its numbers."""
    before, after = changed_figure(old, new, show, exact)
    return "figure", subject, before, after, (old, new)
