"""The plan's goals on the pages: each goal's actual against its target, its progress from the
baseline (a bar, with a tick where the share of its time gone stands) and its status as of the
review date, read from the goal facts (rulebook/goals.py measures them)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kam_review.formatting import pct
from kam_review.i18n import _
from kam_review.locale_format import LocaleFormat
from kam_review.output import charts
from kam_review.output.charts.svg import C1, C2, C3, C4
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import AccountResult, Result
from kam_review.rulebook.facts import FACT_TYPE
from kam_review.source.model import Goal
from kam_review.vocabulary import GoalStatus
from kam_review.website.pages.cells import date_cell
from kam_review.website.pages.common import account_link
from kam_review.wording import bracketed, key_words, labelled

_COLOURS = {GoalStatus.MISSED: "var(--kam-goal-missed,#c62828)", GoalStatus.BEHIND: C2,
            GoalStatus.ON_TRACK: C1, GoalStatus.ACHIEVED: C3, GoalStatus.UNMEASURED: C4}
_METRIC_NAMES = {"growth_yoy": "growth year on year", "gross_margin": "gross margin",
                 "share_of_wallet": "share of wallet", "deals_won": "deals won"}
HEADERS = ["Goal", "Metric", "Baseline", "Actual", "Target", "Due", "Progress", "Status"]


def goal_rows(item: AccountResult) -> list[tuple[Goal, dict[str, Any]]]:
    """Each goal of the account's plan with its fact, in the file's order."""
    goals = item.account.plan.goals if item.account.plan else ()
    facts = [fact for fact in item.facts if fact[FACT_TYPE] == "goal"]
    return list(zip(goals, facts, strict=True))


PROGRESS_NOTE = ("Progress is the share of the way from the baseline to the target covered; "
                 "the tick marks the share of the time to the due date gone by the review date.")


def goals_table(item: AccountResult) -> list[str]:
    """The account's goals, as the account page shows them."""
    return [_(PROGRESS_NOTE), "",
            table(HEADERS, [goal_cells(goal, fact, item.formats)
                            for goal, fact in goal_rows(item)])]


def goal_cells(goal: Goal, fact: dict[str, Any], formats: LocaleFormat) -> list[str]:
    """One goal's row: what it measures, baseline, actual (and what it was read from),
    target, due date, progress and status."""
    actual = fact.get("actual_shown")
    return [esc(goal.text), esc(_metric(goal)), esc(fact.get("baseline_shown") or "—"),
            "—" if actual is None else f"{esc(actual)}<br><small>{esc(fact['basis'])}</small>",
            esc(fact.get("target_shown") or "—"), date_cell(goal.due, formats), _progress(fact),
            _status(fact)]


def _metric(goal: Goal) -> str:
    """The metric with what it is measured over: "revenue, trailing", "contacts at director
    level", "deals won (value), 2026"."""
    if goal.metric is None:
        return "—"
    if goal.metric == "contacts_at_level":
        return _("contacts at {level} level").format(level=_(goal.level or '(no level)'))
    # A metric of the team's own (contract_value) in words, as the file's key reads.
    name = _(_METRIC_NAMES.get(goal.metric, key_words(goal.metric)))
    if goal.metric == "deals_won":
        name = bracketed(name, _(goal.measure or 'count'))
    return f"{name}, {goal.period}" if goal.period else name


def _progress(fact: dict[str, Any]) -> str:
    """The bar with its figures in words; — when neither is known."""
    progress, elapsed = fact.get("progress"), fact.get("elapsed_share")
    if progress is None and elapsed is None:
        return "—"
    # Below the baseline, the share is negative: said in words, not read as a typo.
    below = progress is not None and progress < 0
    parts = [(_("{share} of the way (below the baseline)") if below else _("{share} of the way")
              ).format(share=pct(progress)) if progress is not None else "",
             _("{share} of the time").format(share=pct(elapsed)) if elapsed is not None else ""]
    text = _(", ").join(part for part in parts if part)
    bar = charts.progress_bar(progress, elapsed, _COLOURS[GoalStatus(fact["status"])], text)
    return f"{bar}<br>{esc(text)}"


def status_badge(status: GoalStatus) -> str:
    return (f'<span class="kam-goal kam-goal-{status.value.replace(" ", "-")}">'
            f"{status.shown}</span>")


def _status(fact: dict[str, Any]) -> str:
    """The status, with what it was measured against or why it cannot be measured."""
    status = GoalStatus(fact["status"])
    detail = fact.get("unmeasured_reason") or fact.get("standing")
    return labelled(status_badge(status), esc(_(detail))) if detail else status_badge(status)


def goals_overview(result: Result) -> list[str]:
    """The portfolio's goals by status, and those behind or missed with their figures."""
    found = [(item, goal, fact) for item in result.accounts for goal, fact in goal_rows(item)]
    if not found:
        return []
    counts = Counter(GoalStatus(fact["status"]) for _, _, fact in found)
    lines = [f"## {_('Goals')}", "",
             _("{count} goals in the account plans, as of {date}: ").format(
                 count=len(found), date=result.formats.date(result.as_of))
             + _(", ").join(_("{count} {status}").format(count=counts[s], status=status_badge(s))
                            for s in GoalStatus if counts[s])
             + _(". ") + _(PROGRESS_NOTE), ""]
    off = [(item, goal, fact) for item, goal, fact in found
           if GoalStatus(fact["status"]).off_track]
    if off:
        lines += [_("Goals behind or missed:"), ""]
        lines.append(table(["Account", *HEADERS], [
            [account_link(item.account), *goal_cells(goal, fact, item.formats)]
            for item, goal, fact in off]))
    return lines
