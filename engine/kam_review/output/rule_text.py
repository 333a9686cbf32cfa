"""One rule explained on the command line (`kam explain RULE_ID`): what the rule catalogue
page says of it, as text: its kind, severity and seeds, why and what to do, its condition in
words and as written, its thresholds, and the accounts it fires on in this review."""

from __future__ import annotations

from kam_review.formatting import format_value
from kam_review.i18n import _
from kam_review.review.results import Result
from kam_review.rulebook.conditions import outline
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.fact_words import outline_words, threshold_words
from kam_review.rulebook.loading import Rule
from kam_review.text_safety import terminal_text
from kam_review.wording import bracketed, counted, labelled

_INDENT = "  "


def rule_text(rule: Rule, result: Result) -> str:
    """The rule as `kam explain` prints it, fired on the accounts of `result`."""
    thresholds = result.rulebook.thresholds
    lines = [labelled(rule.id, rule.title),
             _INDENT + " · ".join([
                 _(rule.severity.value), rule.kind.heading.lower(),
                 _("seed {seeds} · tests each {fact}").format(
                     seeds=_(", ").join(rule.source), fact=_(rule.on)),
                 *([_("assigns {label}").format(label=rule.shown_label)]
                   if rule.kind.gives_label else [])]),
             _INDENT + labelled(_("Why"), rule.rationale),
             _INDENT + labelled(_("Action"), rule.action),
             _INDENT + labelled(_("Fires when"), ""),
             *(_INDENT * 2 + line for line in outline_words(rule.when, FACT_TYPES[rule.on]))]
    named = [name for name in rule.thresholds if name in thresholds]
    if named:
        lines.append(_INDENT + labelled(_("Thresholds"), _("; ").join(
            bracketed(labelled(thresholds[name].shown_label, threshold_words(thresholds[name])),
                      f"{name} = {format_value(thresholds[name].value, '')}")
            for name in named)))
    fired = [account.id for account in result.accounts_by_rule().get(rule.id, [])]
    lines.append(_INDENT + labelled(
        _("Fires on, as of {date}").format(date=result.formats.date(result.as_of)),
        bracketed(_(", ").join(fired), counted(len(fired), 'account')) if fired
        else _("no account in this review")))
    lines += [_INDENT + labelled(_("The condition as written"), ""),
              *(_INDENT * 2 + line for line in outline(rule.when))]
    return "\n".join(terminal_text(line.rstrip()) for line in lines) + "\n"
