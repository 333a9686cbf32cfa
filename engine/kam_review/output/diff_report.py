"""Output writers for `kam diff`: text, JSON and a pull-request comment in Markdown."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from kam_review.i18n import _
from kam_review.output.ci_formats import unmatched_waivers_markdown
from kam_review.output.comment_size import fit_comment
from kam_review.output.markdown_text import code, comment_text, table
from kam_review.output.movement_report import stage_name, stage_names
from kam_review.output.report import json_header
from kam_review.review.deal_diff import stage_parts, stage_subject
from kam_review.review.diff import WORKING_TREE, Change, Diff
from kam_review.review.movement import ENDED_NOUN
from kam_review.source.model import clip
from kam_review.text_safety import one_line, terminal_text
from kam_review.vocabulary import Health, Severity
from kam_review.wording import counted, noun_form, rule_and_subject

# Each kind of change, singular and plural (see wording.py): "2 findings waived".
CHANGE_TITLES = {
    "account-added": "account added|accounts added",
    "account-fixed": "account whose file was invalid, now read|accounts whose files were "
                     "invalid, now read",
    "account-removed": "account removed|accounts removed",
    "account-invalid": "account not compared, its file invalid|accounts not compared, their "
                       "files invalid",
    "class": "class changed|classes changed", "focus": "focus changed|focus changed",
    "verdict": "verdict changed|verdicts changed",
    "finding-new": "new finding", "finding-resolved": "resolved finding",
    "finding-unevaluated": "finding no longer evaluated|findings no longer evaluated",
    "finding-ended": ENDED_NOUN,
    "finding-severity": "severity changed|severities changed",
    "finding-changed": "finding changed|findings changed",
    "finding-waived": "finding waived|findings waived",
    "finding-unwaived": "finding no longer waived|findings no longer waived",
    "finding-unplanned": "finding left without an action|findings left without an action",
    "stage": "stage moved|stages moved",
    "opportunity-added": "opportunity added|opportunities added",
    "opportunity-removed": "opportunity removed|opportunities removed",
    "stage-since": "deal's stage date changed|deals' stage dates changed",
    "opportunity-close": "expected close moved|expected closes moved",
    "action-added": "action added|actions added",
    "action-removed": "action removed|actions removed",
    "action-done": "action done|actions done",
    "action-dropped": "action dropped|actions dropped",
    "action-reopened": "action reopened|actions reopened",
    "action-due": "action re-dated|actions re-dated",
    "action-owner": "action handed over|actions handed over",
    "action-answers": "action answers something else|actions answer something else",
    "action-outcome": "action's outcome changed|actions' outcomes changed",
    "goal-added": "goal added|goals added", "goal-removed": "goal removed|goals removed",
    "goal-target": "goal's target changed|goals' targets changed",
    "goal-due": "goal re-dated|goals re-dated",
    "goal-baseline": "goal's baseline changed|goals' baselines changed",
    "figure": "figure changed|figures changed",
}


def change_title(kind: str) -> str:
    """A kind of change as one change is called: "finding waived"."""
    return _(noun_form("1", CHANGE_TITLES[kind]))


def side_name(label: str) -> str:
    """A side of the comparison in running text: a revision exactly as the user wrote it, in
    a code span; the working tree as words."""
    return _("the working tree") if label == WORKING_TREE else code(label)


def change_text(change: Change, stages: Mapping[str, str] | None = None) -> str:
    """A change in the active language: its severities, classes, focus, stages (by their
    names in `stages`) and figures' names as the review's own words."""
    title = change_title(change.kind)
    if change.kind.startswith("finding-"):
        subject = f" [{change.subject}]" if change.subject else ""
        head = f"{title}: {_(change.severity or '').upper()} {change.rule}{subject}"
        if change.kind == "finding-severity":
            return (f"{title}: {change.rule}{subject}: {_(change.before)} -> "
                    f"{_(change.after)}")
        if change.note:
            return f"{head}: {change.after} ({change.note})"
        if change.kind == "finding-ended":  # why, after what it said
            return f"{head}: {change.before} ({change.after})"
        if change.kind == "finding-changed":
            return f"{head}: {change.before} -> {change.after}"
        if change.kind == "finding-waived" and change.before:
            return f"{head}: {change.after} " + _("(was {before})").format(before=change.before)
        return f"{head}: {change.after or change.before}"
    subject = f" {shown_subject(change)}" if change.subject else ""
    before, after = shown_sides(change, stages)
    if before and after:
        return f"{title}{subject}: {before} -> {after}"
    return f"{title}{subject}: {after or before}" if after or before else f"{title}{subject}"


def shown_sides(change: Change, stages: Mapping[str, str] | None = None
                ) -> tuple[str, str]:
    """A change's two sides as a reader reads them, in words of the active language: a
    verdict ("at risk"; "none" without one), a class or focus, a stage by its name in
    `stages`; anything else (a figure, a message) as the change holds it."""
    if change.kind == "verdict":
        because = (_(" (because: {reasons})").format(reasons=_("; ").join(change.reasons))
                   if change.reasons else "")
        return _verdict(change.before), _verdict(change.after) + because
    if change.kind in _LABELLED:
        return _label(change.before), _label(change.after) + _ending(change)
    if change.kind == "account-invalid":  # not compared: only what it was is known
        return _("it was {klass}").format(klass=_label(change.before)), ""
    if change.kind in _STAGED:
        return stage_name(change.before, stages), stage_name(change.after, stages)
    if change.kind == "action-outcome":
        return _outcome(change.before) or "—", _outcome(change.after) or "—"
    return change.before, change.after


# The kinds of change whose sides are a word of the review (a class or focus label, an
# action's status), or a stage's id.
_LABELLED = frozenset({"class", "focus", "account-added", "account-fixed", "account-removed",
                       "action-done", "action-dropped", "action-reopened"})
_STAGED = frozenset({"stage", "opportunity-added", "opportunity-removed"})
# The figures a change names by a word of the review (diff.py writes them in English).
_FIGURE_WORDS = frozenset({"revenue", "probability", "value"})


def _ending(change: Change) -> str:
    """How an action that became done or dropped ended, after its new status: " (2026-10-20:
    pilot agreed)". The outcome on one line, shortened: the file keeps it whole."""
    if change.ending is None:
        return ""
    done_on, outcome = change.ending
    if outcome is None:
        return _(" ({day})").format(day=done_on)
    outcome = _outcome(outcome)
    return (_(" ({outcome})").format(outcome=outcome) if done_on is None else
            _(" ({day}: {outcome})").format(day=done_on, outcome=outcome))


def _outcome(text: str) -> str:
    """An action's outcome on one line, shortened: the file keeps it whole."""
    return clip(one_line(text), _OUTCOME_SHOWN)


# How much of an action's outcome a change shows.
_OUTCOME_SHOWN = 200


def _verdict(side: str) -> str:
    return Health(side).shown if side != "none" else _("none")


def _label(side: str) -> str:
    return _(side) if side else side


def shown_subject(change: Change) -> str:
    """A change's subject in the active language: a deal's move forward or back, a
    figure's name (revenue 2026-Q3, a deal's probability or value)."""
    subject = change.subject
    deal, direction = stage_parts(subject) if change.kind == "stage" else (subject, "")
    if direction:
        return stage_subject(deal, _(direction))
    if change.kind == "figure":
        first, _sep, rest = subject.partition(" ")
        if first == "revenue" and rest:
            return f"{_('revenue')} {rest}"
        deal, _sep, last = subject.rpartition(" ")
        if last in _FIGURE_WORDS and deal:
            return f"{deal} {_(last)}"
    return subject


def _silenced_high(diff: Diff) -> list[Change]:
    """High findings this change waives (or whose waiver it changes), makes less severe or
    leaves unevaluated (the data its rule needs removed): what a hostile change would most
    like to hide, shown beside the new high findings."""
    return [c for c in diff.changes
            if (c.kind in ("finding-waived", "finding-unevaluated", "finding-unplanned",
                           "finding-ended") and c.severity == "high")
            or (c.kind == "finding-severity" and c.before == "high")]


def diff_json(diff: Diff, rules_source: Mapping[str, Any] | None = None) -> str:
    data = json_header(diff.head_result.as_of, rules_source) | {
        "base": diff.base, "head": diff.head,
        "base_as_of": diff.base_result.as_of.isoformat(),
        "head_as_of": diff.head_result.as_of.isoformat(),
        "notes": list(diff.notes),
        "changes": [c.as_dict() for c in diff.changes],
        "errors": [e.as_dict() for e in diff.head_result.errors],
        "base_errors": [e.as_dict() for e in diff.base_result.errors],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def diff_text(diff: Diff) -> str:
    head = _("working tree") if diff.head == WORKING_TREE else diff.head
    lines = [f"kam-review: {diff.base} ({diff.base_result.as_of}) -> {head} "
             f"({diff.head_result.as_of}): {counted(len(diff.changes), 'change')}"]
    lines += [_("note: {note}").format(note=note) for note in diff.notes]
    stages = stage_names(diff.head_result.rulebook)
    current = None
    for change in diff.changes:
        if change.account != current:
            current = change.account
            lines += ["", f"{current}:"]
        lines.append(f"  {change_text(change, stages)}")
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def diff_markdown(diff: Diff) -> str:
    """A comment-ready summary: counts, new high-severity findings first, a table per account."""
    counts = Counter(c.kind for c in diff.changes)
    lines = ["### " + _("kam-review: changes from {base} to {head}").format(
        base=side_name(diff.base), head=side_name(diff.head)), ""]
    lines += ["> " + _("**Note:** {note}").format(note=comment_text(note)) + "\n"
              for note in diff.notes]
    errors = [*diff.base_result.errors, *diff.head_result.errors]
    if errors:
        lines += [_("**Input errors** (a file that cannot be read is left out of the "
                    "comparison; one read with an error in it is compared)"), ""]
        lines += [f"- {code(e)}" for e in errors]
        lines.append("")
    # As `kam check` lists them: a mistyped waiver changes no finding, so no change shows it;
    # those of the accounts the change leaves as they were, counted only.
    waivers_then = {a.account.id: a.account.waivers for a in diff.base_result.accounts}
    touched = {c.account for c in diff.changes} | {
        a.account.id for a in diff.head_result.accounts
        if a.account.waivers != waivers_then.get(a.account.id)}
    lines += unmatched_waivers_markdown(diff.head_result, touched)
    if not diff.changes:
        return fit_comment([*lines, _("No change in classes, findings, stages, plans or "
                                      "figures."), ""])
    summary = _(", ").join(counted(counts[k], title) for k, title in CHANGE_TITLES.items()
                        if counts[k])
    lines += [summary, ""]
    urgent = [c for c in diff.new_findings if c.severity == Severity.HIGH]
    if urgent:
        lines += [_("**New high-severity findings**"), ""]
        # A new finding that comes waived says so here as in its account's table.
        lines += [f"- **{comment_text(c.account)}**: "
                  f"{rule_and_subject(c.rule, c.subject, comment_text)}: "
                  f"{comment_text(_sides_with_waiver(c, {})[1])}" for c in urgent]
        lines.append("")
    silenced = _silenced_high(diff)
    if silenced:
        lines += [_("**High findings waived, made less severe, no longer evaluated, gone "
                    "with their subject or left without an action**"), ""]
        lines += [f"- **{comment_text(c.account)}**: "
                  f"{rule_and_subject(c.rule, c.subject, comment_text)}: {change_title(c.kind)}: "
                  f"{comment_text(c.before or '—')} -> {comment_text(c.after or '—')}"
                  for c in silenced]
        lines.append("")
    stages = stage_names(diff.head_result.rulebook)
    for account in sorted({c.account for c in diff.changes}):
        lines += [f"<details><summary>{comment_text(account)} "
                  f"({counted(len(diff.for_account(account)), 'change')})</summary>", ""]
        lines.append(table(["Change", "Subject", "Before", "After"], [
            [change_title(c.kind) + (f" ({_(c.severity)})" if c.severity else "")
             + (_(" (waived)") if _waived_new(c) else ""),
             comment_text(f"{c.rule} {shown_subject(c)}".strip()),
             *(comment_text(side) for side in _sides_with_waiver(c, stages))]
            for c in diff.for_account(account)]))
        lines += ["</details>", ""]
    return fit_comment(lines)


def _waived_new(change: Change) -> bool:
    """A new finding that comes waived: the comment says so, with its waiver."""
    return change.kind == "finding-new" and bool(change.note)


def _sides_with_waiver(change: Change, stages: Mapping[str, str]) -> tuple[str, str]:
    before, after = shown_sides(change, stages)
    return (before, f"{after} ({change.note})") if _waived_new(change) else (before, after)

