"""The rule catalogue page, generated from the rule files."""

from __future__ import annotations

from kam_review.formatting import format_value
from kam_review.i18n import _
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import Result
from kam_review.rulebook.condition_parser import EXAMPLES, GRAMMAR
from kam_review.rulebook.conditions import outline
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.fact_words import outline_words, threshold_words
from kam_review.rulebook.loading import Rule
from kam_review.rulebook.thresholds import Threshold
from kam_review.source.model import Account
from kam_review.vocabulary import Kind
from kam_review.website.pages.common import account_link, anchor, severity_badge
from kam_review.website.pages.fact_reference import facts_section
from kam_review.website.pages.plain import technical
from kam_review.website.pages.rule_reference import GUIDE, RuleTests, thresholds_table
from kam_review.wording import counted, labelled

# How a threshold's value is written, by its unit: a ratio as a percentage (20%), points as
# percentage points (+15 pp), days and counts as such.
_SPECS = {"ratio": "pct", "points": "pts", "days": "days", "count": "int"}


def rules_page(result: Result) -> str:
    rulebook = result.rulebook
    fires = result.accounts_by_rule()
    lines = [f"# {_('Rule catalogue')}", "",
             _("{rules}. Each names the seed document it comes from (000-004), why it matters, "
               "what to do, and the thresholds it uses.").format(
                   rules=counted(len(rulebook.rules), "rule")), "", _(GUIDE), ""]
    tests = RuleTests(rulebook)
    for kind in Kind:
        rules = rulebook.by_kind(kind)
        if not rules:
            continue
        # A translated heading keeps the English one's id, which other pages link to.
        same_id = kind.heading.lower().replace(" ", "-") == kind.heading_id
        lines += [f"## {kind.heading}" + ("" if same_id else f" {{#{kind.heading_id}}}"), ""]
        for rule in rules:
            lines += _rule_entry(rule, result, fires.get(rule.id, []), tests.line(rule.id))
    lines += [f"## {_('Thresholds')}", ""]
    lines.append(thresholds_table(rulebook))
    lines += [f"## {_('Funnel stages')}", ""]
    lines += [_("What is true of a deal at each stage; a deal at a stage shows the "
                "characteristics of that stage and of every stage before it."), ""]
    lines.append(table(["#", "Stage", "Stage owner", "Characteristics"], [
        [str(s.index), esc(s.name), esc(s.owner),
         "<br>".join(f"`{k}`: {esc(v)}" for k, v in s.characteristics.items())]
        for s in rulebook.stages]))
    lines += facts_section(result.formats)
    lines += _grammar_section()
    return "\n".join(lines)


def _threshold(threshold: Threshold, result: Result, value: float | None = None) -> str:
    """A threshold's value (or another of its values) written as its unit says."""
    shown = threshold.value if value is None else value
    return format_value(shown, _SPECS.get(threshold.unit, ""), result.formats)


def _grammar_section() -> list[str]:
    """How a rule's `when:` is written: the grammar the rule loader reads, with examples."""
    return [
        f"## {_('How conditions are written')} {{#how-conditions-are-written}}", "",
        _("A rule's `when:` holds a condition written as text, or `all:` / `any:` with a "
          "list of conditions, or `not:` with one condition. The text follows this grammar "
          "(`{ }` repeats, `[ ]` may be left out, `|` separates choices); `not` binds tighter "
          "than `and`, and `and` tighter than `or`:"), "",
        *(f"    {line}" for line in GRAMMAR.splitlines()), "",
        _("For example:"), "",
        *(f"- `{example}`" for example in EXAMPLES), "",
        _("A condition is true (the rule fires), false (clear) or unknown (the rule is not "
          "evaluated, and listed with what it needs). A comparison with a fact the data "
          "cannot give (say, revenue of the last 4 quarters when one has no row) is unknown; "
          "`x is missing` is true exactly then and `x is known` otherwise, both always known. "
          "`not` turns true into false and back and leaves unknown unknown, so `not (x > 5)` "
          "is unknown when x is absent. In `any:` / `or` a part that holds decides, in "
          "`all:` / `and` a part that fails decides; only when no known part decides is the "
          "rule not evaluated. The keywords (and, or, not, in, is, missing, known, true, "
          "false) are written in lower case. In YAML, a text holding a colon followed by a "
          "space, or a space followed by #, is put in quotes."), "",
    ]


def _rule_entry(rule: Rule, result: Result, accounts: list[Account],
                tested: str) -> list[str]:
    """A rule by its title, what it looks at in words, and its id and condition as written
    in a technical block."""
    thresholds = result.rulebook.thresholds
    lines = [f"### {esc(rule.title)} {{#{anchor(rule.id)}}}", "",
             f"{severity_badge(rule.severity)} · {rule.kind.heading.lower()} · "
             + _("seed {seeds} · tests each {fact}").format(seeds=', '.join(rule.source),
                                                            fact=_(rule.on))
             + (_(" · assigns **{label}**").format(label=esc(rule.shown_label))
                if rule.kind.gives_label else ""), ""]
    lines += [_("*Why:* {text}").format(text=esc(rule.rationale)), "",
              _("*Action:* {text}").format(text=esc(rule.action)), ""]
    words = outline_words(rule.when, FACT_TYPES[rule.on])
    lines += [_("*Fires when:*"), "", *_bullets(words), ""]
    if rule.thresholds:
        lines += [_("*Thresholds:* ") + _("; ").join(
            labelled(esc(thresholds[name].shown_label), threshold_words(thresholds[name]))
            for name in rule.thresholds if name in thresholds), ""]
    fired = _(", ").join(account_link(a) for a in accounts) or _("no account in this review")
    lines += [_("*Fires on:* {accounts}").format(accounts=fired), "", tested, ""]
    detail = [_("Rule id {id}; the condition as written:").format(id=f"`{rule.id}`"), "",
              *(f"    {line}" for line in outline(rule.when)), ""]
    if rule.thresholds:
        detail += [_("Thresholds: ") + _(", ").join(
            f"`{name}` = {format_value(thresholds[name].value, '')}"
            for name in rule.thresholds if name in thresholds), ""]
    return lines + technical(_("Technical detail"), detail)


def _bullets(outlined: list[str]) -> list[str]:
    """Indented outline lines (two spaces a level) as a nested Markdown list."""
    found = []
    for line in outlined:
        text = line.lstrip(" ")
        found.append("    " * ((len(line) - len(text)) // 2) + "- " + esc(text))
    return found
