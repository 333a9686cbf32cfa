"""What the pages show a reader in words, and the technical detail they keep collapsed.

A finding is shown by its rule's title and its subject's name (an opportunity's name, not
its id); why an account got its class is a list of comparisons in words (fact_words.py).
Rule ids, fact names and conditions as written go into a collapsed `technical` block, for the
people who write rules and waivers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from kam_review.i18n import _
from kam_review.output.markdown_text import esc, esc_code
from kam_review.review.explain import check_text, class_needs, grouped_checks, verdict
from kam_review.review.results import AccountResult, Check, Explanation, Finding, Result
from kam_review.rulebook.facts import FACT_TYPE
from kam_review.rulebook.loading import Rule, Rulebook
from kam_review.website.pages.common import rule_title_link, waiver_text
from kam_review.wording import labelled

# A comparison held, failed, or could not be judged (a fact it compares is absent).
MARKS = {"yes": "✔", "no": "✘", "?": "?"}


def subject_words(item: AccountResult, rule: Rule, subject: str) -> str:
    """A finding's subject as the reader knows it: an opportunity by its name, a waiver by the
    title of the rule it waives; a contact or a goal as written."""
    if rule.on == "opportunity":
        return item.account.deal_name(subject)
    if rule.on == "waiver":
        fact = next((f for f in item.facts
                     if f[FACT_TYPE] == "waiver" and f.get("subject") == subject), None)
        if fact is not None:
            rest = subject.removeprefix(str(fact["rule"])).strip()
            return f"{fact['rule_title']} {rest}".strip()
    return subject


def finding_cells(finding: Finding, item: AccountResult, rulebook: Rulebook,
                  prefix: str) -> list[str]:
    """A finding's title (linked to its rule), subject, message, action and waiver."""
    rule = rulebook.rule(finding.rule)
    return [rule_title_link(rule, prefix), esc(subject_words(item, rule, finding.subject)),
            esc(finding.message), esc(finding.action), waiver_text(finding, item.formats)]


# The search index holds what a reader searches an account for (its name, contacts, deals,
# findings, actions and notes), not every figure, checklist and rule id of its page: those
# made it 30 KB an account, 300 MB for 10,000 accounts, more than a browser loads. Material's
# search skips an element marked so (and the site then drops the mark); an element of a tag
# nested in itself would end the skipping early, so a section's body is wrapped in a tag its
# pages never nest.
UNSEARCHED = "data-search-exclude"


def folded(summary: str, lines: Sequence[str], kind: str = "kam-folded",
           searched: bool = True) -> list[str]:
    """Markdown lines inside a collapsed block that opens on its summary line (left out of
    the search index unless `searched`)."""
    mark = "" if searched else f" {UNSEARCHED}"
    return [f'<details class="{kind}"{mark} markdown>\n<summary>{esc(summary)}</summary>\n',
            *lines, "", "</details>", ""]


def technical(summary: str, lines: Sequence[str]) -> list[str]:
    """Markdown lines inside a collapsed block: ids, fact names, conditions as written."""
    return folded(summary, lines, "kam-technical", searched=False)


def unsearched(section: Sequence[str]) -> list[str]:
    """A section whose heading is searched and whose body is not (see UNSEARCHED)."""
    if len(section) < 2 or not section[0].startswith("#"):
        return list(section)
    return [section[0], "", f"<section {UNSEARCHED} markdown>", "", *section[2:], "",
            "</section>", ""]


def finding_ids(item: AccountResult, rulebook: Rulebook) -> list[str]:
    """The technical detail of an account's findings: each rule's id and the subject as the
    rules name it, what a waiver in the account file gives (`rule:`, `subject:`)."""
    if not item.findings:
        return []
    rows = [f"- {labelled(esc(rulebook.rule(f.rule).title), f'`{f.rule}`')}"
            + (_(", subject {subject}").format(subject=esc(f.subject)) if f.subject else "")
            for f in item.findings]
    return technical(_("Technical detail: rule ids, as a waiver names them"), rows)


def reasons_section(item: AccountResult, result: Result,
                    explained: tuple[Explanation, ...], prefix: str) -> list[str]:
    """Why the account got its class and focus, rule by rule and comparison by comparison in
    words; the conditions as written in a technical block."""
    rulebook = result.rulebook
    lines: list[str] = []
    needs = class_needs(item, explained, rulebook)
    if needs:
        lines += [_("**Unclassified**: the data cannot decide the class yet; it {needs}."
                    ).format(needs=esc_code(needs)), ""]
    detail = []
    for explanation in explained:
        rule = rulebook.rule(explanation.rule)
        shown = esc(verdict(explanation, item, rulebook))
        lines.append(f"- {labelled(rule_title_link(rule, prefix), shown)}")
        grouped = grouped_checks(rule, explanation.checks)
        lines += _nested(grouped, lambda c: f"{MARKS[c.mark]} {esc(c.words)}")
        detail.append(f"- {labelled(f'`{rule.id}`', shown)}")
        detail += _nested(grouped, partial(_as_written, on=rule.on))
    lines.append("")
    return lines + technical(_("Technical detail: the conditions as the rules write them"),
                             detail)


def _nested(grouped: list[tuple[int, str | Check]], shown: Callable[[Check], str]) -> list[str]:
    """A rule's checks as a list nested under the rule's item, a group's head ("any of:")
    over its checks."""
    return ["    " * (depth + 1) + "- " + (esc(item) if isinstance(item, str) else shown(item))
            for depth, item in grouped]


def _as_written(check: Check, on: str) -> str:
    return f"{MARKS[check.mark]} {esc(check_text(check, on))}"
