"""The rule ids an account file names, checked against the rulebook: the rules its actions
answer and the rules its waivers accept the findings of.

review_errors checks them in a file that loads. A file the schema refuses has no account to
review, yet its rule ids depend on nothing else in it: refused_file_errors reads such a file
again (they are few) and reports them too, so that one run lists every problem of a file
instead of the rule ids only once the rest is fixed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.paths import display_path
from kam_review.rulebook.loading import Rule, Rulebook
from kam_review.source.action_checks import mappings
from kam_review.source.actions import read_answer
from kam_review.source.model import FieldPath, format_path
from kam_review.source.schema_errors import did_you_mean_rule
from kam_review.source.yamlsource import read_yaml
from kam_review.vocabulary import Kind


def unknown_rule(rule_id: str, known: Iterable[str]) -> str:
    """What is wrong with a rule id the rulebook does not have, and which one it may mean."""
    return _("unknown rule '{rule}'").format(rule=rule_id) + did_you_mean_rule(
        rule_id, sorted(known))


def waivable(rule: Rule) -> bool:
    """Whether a waiver can accept the rule's findings: not a check of the waivers
    themselves (a waiver of it would silence what limits waivers), nor a class, focus or
    verdict, which say what the account is, not a risk to accept."""
    return rule.on != "waiver" and not rule.kind.assigns and rule.kind != Kind.VERDICT


def waiver_refused(rule: Rule | None) -> bool:
    """Whether a waiver of `rule` (None: a rule the rulebook does not have) is an input
    error (review_errors), which waives nothing and is reported as that error alone."""
    return rule is None or not waivable(rule)


def waiver_rule_problem(rule_id: str, known: Mapping[str, Rule]) -> str | None:
    """Why a waiver cannot name this rule, if it cannot."""
    rule = known.get(rule_id)
    if not waiver_refused(rule):
        return None
    if rule is None:
        return unknown_rule(rule_id, known)
    return _("'{rule}' cannot be waived: it checks the waivers themselves, or says what the "
             "account is (a class, focus or verdict); waive the findings it weighs instead"
             ).format(rule=rule_id)


def refused_file_errors(path: Path, content: bytes | None, rulebook: Rulebook
                        ) -> list[InputError]:
    """The rule ids that a file the schema refuses names wrongly, where it names them
    (`content`: the file's bytes, None to read it)."""
    document = read_yaml(path, content=content)
    value = document.value
    if not isinstance(value, dict):
        return []
    known = {rule.id: rule for rule in rulebook.rules}
    found: list[tuple[FieldPath, str]] = []
    plan = value.get("plan")
    for i, action in enumerate(mappings(plan.get("actions") if isinstance(plan, dict)
                                         else None)):
        text = action.get("answers")
        answer = read_answer(text) if isinstance(text, str) else None
        if answer is not None and answer.kind == "rule" and answer.key not in known:
            found.append((("plan", "actions", i, "answers"), unknown_rule(answer.key, known)))
    for i, waiver in enumerate(mappings(value.get("waivers"))):
        rule_id = waiver.get("rule")
        problem = waiver_rule_problem(rule_id, known) if isinstance(rule_id, str) else None
        if problem is not None:
            found.append((("waivers", i, "rule"), problem))
    name = display_path(path)
    return [InputError(name, *document.locations.get(where, (1, 1)), format_path(where),
                       message) for where, message in found]
