"""The movement since the previous review in words: each figure's change with its arrow, each
deal's move, and the lines and JSON `kam check --since` adds to its report. The site's pages
write the same words (website/pages/movement.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from kam_review.formatting import format_in_unit, plain
from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.review.movement import (
    ENDED_NOUN,
    AccountMovement,
    FigureMove,
    Movement,
    StageMove,
    ended_because,
)
from kam_review.review.snapshot import KeptFinding
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.figures import exact, rounded
from kam_review.rulebook.loading import Rulebook
from kam_review.text_safety import terminal_text
from kam_review.vocabulary import Severity
from kam_review.wording import counted

UP, DOWN, SAME = "▲", "▼", "="


def figure_label(name: str) -> str:
    return FACT_TYPES["account"][name].label


def figure_text(name: str, value: float | None, formats: LocaleFormat = ENGLISH) -> str:
    """A figure as its unit writes it; money in `formats`' currency."""
    return "—" if value is None else format_in_unit(value, FACT_TYPES["account"][name].unit,
                                                    formats)


def change_text(move: FigureMove, formats: LocaleFormat = ENGLISH) -> str:
    """The change with its arrow: ▲ +400k, ▼ -2.5 pp (a ratio's change in percentage
    points, as the locale writes them), = (unchanged); or what is unknown. A ratio whose
    two percentages read the same is unchanged as shown: 24.9% -> 24.9% is no ▲ +0.0009 pp."""
    if move.before is None:
        return _("new") if move.after is not None else "—"
    if move.after is None:
        return _("unknown now")
    unit = FACT_TYPES["account"][move.name].unit
    if unit in ("fraction", "change"):
        if figure_text(move.name, move.before, formats) == \
                figure_text(move.name, move.after, formats):
            return SAME
        points = rounded((Fraction(repr(move.after)) - Fraction(repr(move.before))) * 100)
        if points is not None and abs(points) < 0.05:
            # Too small to read at the figures' own step: the step between the percentages as
            # they read (23.8% -> 23.7% is -0.1 pp, not the -0.002 pp between the exact ones).
            points = _read_points(move.before, move.after) or points
        return _arrowed(points, lambda v: formats.points(abs(v)).lstrip("+"))
    delta = rounded(exact(move.after) - exact(move.before))
    shown = formats.money if unit == "money" else (lambda v: format_in_unit(v, unit, formats))
    return _arrowed(delta, lambda v: shown(abs(v)))


def _read_points(before: float, after: float) -> float:
    """The difference, in points, of two fractions as percentages read to one decimal."""
    step = Decimal("0.1")
    was, now = (Decimal(repr(value * 100)).quantize(step, ROUND_HALF_EVEN)
                for value in (before, after))
    return float(now - was)


def _arrowed(delta: float | None, shown: Any) -> str:
    if delta is None:
        return "—"
    if delta == 0:
        return SAME
    return f"{UP} +{shown(delta)}" if delta > 0 else f"{DOWN} -{shown(delta)}"


def stage_names(rulebook: Rulebook) -> dict[str, str]:
    """The funnel's stages by id, each with its name in the active language."""
    return {stage.id: stage.name for stage in rulebook.stages}


def stage_name(stage_id: str, names: Mapping[str, str] | None) -> str:
    """A stage by its name in `names` (the funnel's, in the active language); one outside
    the funnel, as lost, by its word in the active language; without names, by its id."""
    return stage_id if names is None else names.get(stage_id) or _(stage_id)


def stage_text(move: StageMove, names: Mapping[str, str] | None = None,
               formats: LocaleFormat | None = None) -> str:
    """How a deal moved: "recognition -> negotiation on 2026-08-15"; with `names`, each
    stage by its name (a stage outside them, as lost, by its word in the active language).
    The day is there as written (`{day}`) and in `formats`' words (`{date}`); on a page
    (`formats` given), as written means in the reader's words too, as every date there is."""
    on = ""
    if move.on:
        words = (formats or plain()).date(move.on)
        on = _(" on {day}").format(day=words if formats else move.on, date=words)
    if move.before == "":
        return _("new since the last review, at {stage}{on}").format(
            stage=stage_name(move.after, names), on=on)
    if move.after == "":
        return _("no longer on file (was {stage})").format(
            stage=stage_name(move.before, names) if move.before
            else _("at a stage not on file"))
    if move.before is None:
        return _("moved to {stage}{on} (the stage before is not on file)").format(
            stage=stage_name(move.after, names), on=on)
    return f"{stage_name(move.before, names)} -> {stage_name(move.after, names)}{on}"


def finding_text(finding: KeptFinding) -> str:
    subject = f" [{finding.subject}]" if finding.subject else ""
    waived = _(" (waived)") if finding.waived else ""
    return f"{finding.severity.upper()} {finding.rule}{subject}: {finding.message}{waived}"


def account_lines(item: AccountMovement, names: Mapping[str, str] | None = None,
                  show: Severity = Severity.INFO) -> list[str]:
    """One account's movement, a line each: class, focus, findings (those at `show` or
    above, as --show lists them), figures, deals, actions; with `names`, each stage by its
    name (stage_text)."""
    was, now = item.before, item.after
    if was is None:
        return [_("new since the last review"),
                *(_("done: {text}").format(text=a.text) for a in item.done)]
    lines = []
    if item.class_changed:
        lines.append(_("class: {before} -> {after}").format(before=_(was.class_shown),
                                                             after=_(now.class_shown)))
    if item.focus_changed:
        lines.append(_("focus: {before} -> {after}").format(before=_(was.focus or "none"),
                                                             after=_(now.focus or "none")))
    if item.verdict_changed:
        lines.append(_("verdict: {before} -> {after}").format(before=_(was.verdict or "none"),
                                                               after=_(now.verdict or "none")))
    def shown(found: tuple[KeptFinding, ...]) -> list[KeptFinding]:
        return [f for f in found if f.severity.at_least(show)]

    lines += [_("new finding: {finding}").format(finding=finding_text(f))
              for f in shown(item.new_findings)]
    lines += [_("resolved: {finding}").format(finding=finding_text(f))
              for f in shown(item.resolved)]
    lines += [_("no longer evaluated: {finding}").format(finding=finding_text(f))
              for f in shown(item.unevaluated)]
    lines += [_("no longer applies: {finding} ({why})").format(
        finding=finding_text(f), why=ended_because(now.presence, f.subject))
        for f in shown(item.ended)]
    # Amounts in the account's currency, as kam diff and the site write them.
    writes = plain().in_currency(now.currency)
    lines += [f"{figure_label(m.name)}: {figure_text(m.name, m.before, writes)} -> "
              f"{figure_text(m.name, m.after, writes)} ({change_text(m, writes)})"
              for m in item.figures if m.before != m.after]
    lines += [_("deal {name} ({id}): {move}").format(name=m.name, id=m.deal,
                                                     move=stage_text(m, names))
              for m in item.stages]
    lines += [_("done: {text}").format(text=a.text) + (
        _(" on {day}").format(day=a.done_on, date=plain().date(a.done_on)) if a.done_on else "")
        for a in item.done]
    return lines


def movement_lines(movement: Movement, names: Mapping[str, str] | None = None,
                   show: Severity = Severity.INFO) -> list[str]:
    """The movement as `kam check --since` prints it, after the findings (those at `show` or
    above); with `names`, each stage by its name, as the pages write it."""
    lines = ["", _("Since the last review: {sentence}").format(
        sentence=movement.comparison.sentence())]
    if not movement.comparison.found:
        return [terminal_text(line) for line in lines]
    for item in movement.accounts:
        found = account_lines(item, names, show)
        if found:
            lines += [f"  {item.id}:", *(f"    {line}" for line in found)]
    lines += ["  " + _("{id}: not in this review (it was {klass})").format(
        id=a.id, klass=_(a.class_shown)) for a in movement.removed]
    lines.append("  " + summary(movement))
    return [terminal_text(line) for line in lines]


def summary(movement: Movement) -> str:
    compared = movement.compared
    changed = sum(1 for m in compared if m.class_changed)
    new = sum(len(m.new_findings) for m in compared)
    resolved = sum(len(m.resolved) for m in compared)
    high = sum(1 for m in compared if m.new_high)
    line = _("{changes}, {new}, {resolved} resolved, {accounts} with new high findings, "
             "{added}, {removed} no longer reviewed").format(
        changes=counted(changed, "class change"), new=counted(new, "new finding"),
        resolved=resolved, accounts=counted(high, "account"),
        added=counted(len(movement.added), "new account"), removed=len(movement.removed))
    return line + unevaluated_clause(compared)


def unevaluated_clause(compared: Sequence[AccountMovement]) -> str:
    """"; 2 findings no longer evaluated" when a rule that found something is not evaluated
    now (its data missing), and "; 1 finding that no longer applies" when the subject of one
    is gone (a contact left): said apart from the resolved ones, never counted with them."""
    clause = ""
    for count, noun in ((sum(len(m.unevaluated) for m in compared),
                         "finding no longer evaluated"),
                        (sum(len(m.ended) for m in compared), ENDED_NOUN)):
        if count:
            clause += _("; ") + counted(count, noun)
    return clause


def movement_dict(movement: Movement) -> dict[str, Any]:
    """The movement for JSON output: the comparison, then each account's movement."""
    data: dict[str, Any] = {"comparison": movement.comparison.as_dict()}
    if not movement.comparison.found:
        return data
    data["accounts"] = [_account_dict(m) for m in movement.accounts]
    data["removed"] = [a.id for a in movement.removed]
    data["previous_errors"] = movement.previous_errors
    return data


def _account_dict(item: AccountMovement) -> dict[str, Any]:
    was, now = item.before, item.after
    return {
        "id": item.id, "new": was is None,
        "class": {"before": None if was is None else was.class_shown,
                  "after": now.class_shown},
        "focus": {"before": None if was is None else was.focus, "after": now.focus},
        "new_findings": [_finding_dict(f) for f in item.new_findings],
        "resolved_findings": [_finding_dict(f) for f in item.resolved],
        "unevaluated_findings": [_finding_dict(f) for f in item.unevaluated],
        "ended_findings": [_finding_dict(f) | {"why": ended_because(now.presence, f.subject)}
                           for f in item.ended],
        "figures": [{"name": m.name, "before": m.before, "after": m.after,
                     "change": change_text(m)} for m in item.figures],
        "stages": [{"id": m.deal, "before": m.before, "after": m.after or None,
                    "on": None if m.on is None else m.on.isoformat()} for m in item.stages],
        "done_actions": [{"text": a.text, "done_on": None if a.done_on is None
                          else a.done_on.isoformat()} for a in item.done],
    }


def _finding_dict(finding: KeptFinding) -> dict[str, Any]:
    return {"rule": finding.rule, "severity": finding.severity, "subject": finding.subject,
            "message": finding.message, "waived": finding.waived}
