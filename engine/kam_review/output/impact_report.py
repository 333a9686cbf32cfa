"""A rule change's impact (review/rule_impact.py) as compact Markdown for a pull-request
comment, and as text: per rule the accounts it newly fires on and stops firing on (and a
changed severity), the accounts whose class, verdict or focus changes, and the five biggest
changes named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kam_review.output.comment_size import fit_comment
from kam_review.output.markdown_text import comment_text, table
from kam_review.review.rule_impact import Impact, RuleChange, impact_between
from kam_review.text_safety import terminal_text
from kam_review.wording import counted

# Accounts named per rule, and class/verdict/focus changes listed, before "and N more".
_NAMED = 3
_LISTED = 15
# Room for the section in a diff's comment, which has used most of its own.
RULE_IMPACT_LIMIT = 8_000


def impact_markdown(impact: Impact, heading: str = "###") -> str:
    return fit_comment(impact_markdown_lines(impact, heading))


def impact_markdown_lines(impact: Impact, heading: str = "###") -> list[str]:
    lines = [f"{heading} Rule impact: {comment_text(impact.before)} -> "
             f"{comment_text(impact.after)}", "",
             _headline(impact), ""]
    if not impact.rules and not impact.moves:
        return lines
    if impact.rules:
        lines.append(table(["Rule", "Newly fires on", "Stops firing on"], [
            [f"`{comment_text(r.rule)}`" + _status(r, _accounts(r.still)),
             _accounts(r.newly), _accounts(r.stopped)] for r in impact.rules]))
    if impact.moves:
        lines += ["**Class, verdict or focus changes**", ""]
        lines += [f"- {comment_text(m.account)}: {m.what} {comment_text(m.before)} -> "
                  f"{comment_text(m.after)}" for m in impact.moves[:_LISTED]]
        if len(impact.moves) > _LISTED:
            lines.append(f"- ... and {len(impact.moves) - _LISTED} more")
        lines.append("")
    if impact.biggest:
        lines += ["**Biggest changes**", ""]
        lines += [f"{i}. **{comment_text(account)}**: {comment_text(summary)}"
                  for i, (account, summary) in enumerate(impact.biggest, 1)]
        lines.append("")
    return lines


def _headline(impact: Impact) -> str:
    if not impact.rules and not impact.moves:
        return (f"Over {counted(impact.accounts, 'account')}, no rule fires on a different "
                "account and no class, verdict or focus changes.")
    changed = len({m.account for m in impact.moves})
    rules = sum(1 for r in impact.rules if r.fires_elsewhere)
    graded = sum(1 for r in impact.rules if r.severity)
    severity = (f" {counted(graded, 'rule')} {'changes' if graded == 1 else 'change'} "
                "severity;" if graded else "")
    return (f"Over {counted(impact.accounts, 'account')}: {counted(rules, 'rule')} "
            f"{'fires' if rules == 1 else 'fire'} on different accounts;{severity} "
            f"{counted(changed, 'account')} {'changes' if changed == 1 else 'change'} class, "
            "verdict or focus.")


def _accounts(ids: tuple[str, ...]) -> str:
    if not ids:
        return "—"
    named = ", ".join(comment_text(i) for i in ids[:_NAMED])
    more = f" and {len(ids) - _NAMED} more" if len(ids) > _NAMED else ""
    return f"{len(ids)}: {named}{more}"


def rule_impact_section(base: str, head: str | None, rules: Path, accounts: Path,
                        as_of: date, thresholds: Path | None) -> str:
    """`kam diff --format markdown`'s closing section when the rules folder changed between
    the revisions (empty when it did not)."""
    impact = impact_between(base, head, rules, accounts, as_of, thresholds)
    if impact is None:
        return ""
    return "\n" + fit_comment(impact_markdown_lines(impact, "####"), RULE_IMPACT_LIMIT)


def impact_text(impact: Impact) -> str:
    lines = [f"Rule impact: {impact.before} -> {impact.after}", _headline(impact)]
    for change in impact.rules:
        lines.append(_rule_line(change))
    if impact.moves:
        lines += ["", "Class, verdict or focus changes:"]
        lines += [f"  {m.account}: {m.what} {m.before} -> {m.after}" for m in impact.moves]
    if impact.biggest:
        lines += ["", "Biggest changes:"]
        lines += [f"  {i}. {account}: {summary}"
                  for i, (account, summary) in enumerate(impact.biggest, 1)]
    return "\n".join(terminal_text(line) for line in lines) + "\n"


def _status(change: RuleChange, still: str) -> str:
    """" (new)", " (removed)", " (severity medium -> high, still fires on 2: a, b)" or ""."""
    if change.severity is not None:
        before, after = change.severity
        return f" (severity {before.value} -> {after.value}, still fires on {still})"
    return f" ({change.status})" if change.status else ""


def _rule_line(change: RuleChange) -> str:
    status = _status(change, f"{len(change.still)}"
                     + (f" ({', '.join(change.still)})" if change.still else ""))
    return (f"  {change.rule}{status}: newly fires on {len(change.newly)}"
            + (f" ({', '.join(change.newly)})" if change.newly else "")
            + f", stops firing on {len(change.stopped)}"
            + (f" ({', '.join(change.stopped)})" if change.stopped else ""))
