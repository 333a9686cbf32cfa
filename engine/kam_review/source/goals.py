"""A plan goal as the account file writes it: the metrics the review can measure, the goal
built from a checked file, and the checks of a goal its schema cannot express.

A goal keeps `text`, `metric`, `target` and `due` as before; a measurable goal also names
one of GOAL_METRICS, its `baseline` (the metric's value on a day) and what the metric
needs: a revenue goal its `period`, a contacts goal its `level`, a deals goal what it counts
(`measure`), a custom goal its `actual` recorded by hand. Any other metric stays valid: the
review says the goal cannot be measured (rulebook/goals.py measures them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import date
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.source.model import FieldPath, Goal, GoalFigure

GOAL_METRICS = ("revenue", "growth_yoy", "gross_margin", "share_of_wallet",
                "contacts_at_level", "deals_won", "custom")
# A revenue (or deals) goal's period: the last 4 complete quarters, else a year or a quarter.
TRAILING = "trailing"
DEALS_MEASURES = ("count", "value")
# The fields of a goal that only some metrics take, with the metrics that take them.
METRIC_FIELDS = {"period": ("revenue", "deals_won"), "level": ("contacts_at_level",),
                 "measure": ("deals_won",), "actual": ("custom",)}

# An error at a field of the file being checked (consistency.At).
At = Callable[[FieldPath, str], InputError]


def build_goal(raw: dict[str, Any]) -> Goal:
    """The goal of a checked file; a year written as a number (period: 2026) is kept as
    text, as a quarter is."""
    period = raw.get("period")
    return Goal(text=raw["text"], metric=raw.get("metric"), target=raw.get("target"),
                due=_day(raw.get("due")),
                period=period if period is None or isinstance(period, str) else str(int(period)),
                level=raw.get("level"), measure=raw.get("measure"),
                baseline=_figure(raw.get("baseline")), actual=_figure(raw.get("actual")))


def _day(text: Any) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def _figure(raw: Any) -> GoalFigure | None:
    return None if raw is None else GoalFigure(raw["value"], date.fromisoformat(raw["date"]))


def goal_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """A field the goal's metric does not use (a level on a revenue goal), and a baseline
    that does not come before the due date, where the goal could not start."""
    plan = value.get("plan")
    goals = plan.get("goals") if isinstance(plan, dict) else None
    for i, goal in enumerate(goals if isinstance(goals, list) else []):
        if not isinstance(goal, dict):
            continue
        metric = goal.get("metric")
        for name, metrics in METRIC_FIELDS.items():
            if name in goal and metric not in metrics:
                yield at(("plan", "goals", i, name),
                         _("{field} applies to {metrics} goals only; this goal's metric is "
                           "{metric}").format(field=name, metrics=_(" and ").join(metrics),
                                              metric=metric if isinstance(metric, str)
                                              else _("not given")))
        baseline = goal.get("baseline")
        start = _real_date(baseline.get("date")) if isinstance(baseline, dict) else None
        due = _real_date(goal.get("due"))
        if start is not None and due is not None and start >= due:
            yield at(("plan", "goals", i, "baseline", "date"),
                     _("{start} is not before due ({due}): a goal starts from its baseline and "
                       "is due after it").format(start=start, due=due))


def _real_date(text: Any) -> date | None:
    """A real date as written, else None (the schema reports what is wrong with it)."""
    with suppress(ValueError, TypeError):
        return date.fromisoformat(text)
    return None
