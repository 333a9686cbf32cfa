"""The health verdict of each account: the verdict rules (rules/verdict.yaml), judged by the
engine on a fact made from what every other rule found.

The verdict fact counts an account's open warnings by severity once waivers apply, its high
findings waived and its goals by status, and carries its class and how fresh its figures
are. The verdict rules are tried by precedence, and the first that fires decides; its reasons
are its message, clause by clause, keeping the clauses whose figures spoke for it
(message_parts). An account no verdict rule decides has not enough data, and the reasons
say what the rules needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kam_review.formatting import fill
from kam_review.i18n import _, listed
from kam_review.review.leaves import matcher, needs_text, not_evaluated
from kam_review.review.message_parts import clauses, fired_template
from kam_review.review.results import AccountResult, Finding, Verdict
from kam_review.rulebook.engine import EngineRule
from kam_review.rulebook.facts import FACT_TYPE, Fact, plain_fact
from kam_review.rulebook.loading import Rule, Rulebook
from kam_review.rulebook.verdict_fact_type import VerdictFacts
from kam_review.vocabulary import GoalStatus, Health, Kind, Severity


def with_verdicts(items: Sequence[AccountResult], rulebook: Rulebook) -> list[AccountResult]:
    """The results, each with its verdict, judged for all accounts in one engine pass; a
    rulebook without verdict rules gives none."""
    rules = rulebook.by_kind(Kind.VERDICT)
    if not rules:
        return list(items)
    facts = [plain_fact(verdict_facts(item, rulebook)) for item in items]
    engine = tuple(EngineRule(rule.id, rule.on, rule.when) for rule in rules)
    matched = matcher(engine).matches(facts)
    unknown = not_evaluated(engine, facts, matched)
    thresholds = {f"${name}": value for name, value in rulebook.threshold_values().items()}
    return [replace(item, verdict=_verdict(rules, fact, names, needs, thresholds))
            for item, fact, names, needs in zip(items, facts, matched, unknown, strict=True)]


def _verdict(rules: list[Rule], fact: Fact, names: set[str], needs: dict[str, list[str]],
             thresholds: dict[str, float]) -> Verdict:
    rule = next((rule for rule in rules if rule.id in names), None)
    if rule is None:
        wanted = tuple(f"{rule_id} {needs_text(fact, fields)}"
                       for rule_id, fields in sorted(needs.items()))
        return Verdict(Health.NOT_ENOUGH_DATA, None, wanted or ("no verdict rule fired",))
    values = {**fact, **thresholds}
    kept = clauses(fired_template(rule.message, rule.when, fact))
    return Verdict(Health(rule.label), rule.id, tuple(fill(clause, values) for clause in kept))


def verdict_facts(item: AccountResult, rulebook: Rulebook) -> VerdictFacts:
    """What the verdict rules weigh of an account's review; findings are listed by their
    rules' titles, as the reasons a reader sees."""
    titles = rulebook.titles
    owners = {fact["subject"] for fact in item.facts if fact.get("is_owner")}

    def _subject(finding: Finding) -> str:
        """A deal by its name, as the reader knows it; our own account manager as such (not
        taken for a contact of the customer's); a waiver's finding, whose subject is the
        rule it waives, by that rule's title; anything else as written."""
        if finding.rule in rulebook.deal_rules:
            return item.account.deal_name(finding.subject)
        if finding.subject in owners:
            return _("{owner}, our key account manager").format(owner=finding.subject)
        return titles.get(finding.subject, finding.subject)

    def _listed(findings: Sequence[Finding]) -> str:
        """Findings by rule title, with the subject in brackets: "A key person changed
        [Chen Jun]"."""
        return listed(f"{titles.get(f.rule, f.rule)} [{_subject(f)}]"
                      if f.subject else titles.get(f.rule, f.rule) for f in findings)

    open_warnings = [f for f in item.open_findings if f.kind.warns]
    high, medium, low = ([f for f in open_warnings if f.severity == severity]
                         for severity in (Severity.HIGH, Severity.MEDIUM, Severity.LOW))
    goals = [fact for fact in item.facts if fact[FACT_TYPE] == "goal"]
    statuses = [GoalStatus(goal["status"]) for goal in goals]
    off_track = [goal for goal in goals if GoalStatus(goal["status"]).off_track]
    # A goal off track is counted and named by the goals' own fact; its finding among the
    # medium warnings would make the reasons name the goal twice.
    off_track_goals = {goal["subject"] for goal in off_track}
    goal_rules = {rule.id for rule in rulebook.goal_status_rules}
    medium = [f for f in medium if f.rule not in goal_rules or f.subject not in off_track_goals]
    account = item.facts[0]
    return VerdictFacts(
        account=item.account.id, subject="", account_class=item.klass,
        high_warnings=len(high), high_warning_list=_listed(high),
        medium_warnings=len(medium), medium_warning_list=_listed(medium),
        low_warnings=len(low),
        waived_high=len(item.waived_high), waived_high_list=_listed(item.waived_high),
        goals=len(goals), goals_achieved=statuses.count(GoalStatus.ACHIEVED),
        goals_on_track=statuses.count(GoalStatus.ON_TRACK), goals_off_track=len(off_track),
        goals_off_track_list=listed(f'"{goal["subject"]}" {_(goal["status"])}'
                                    for goal in off_track),
        goals_unmeasured=statuses.count(GoalStatus.UNMEASURED),
        latest_quarter=account["latest_quarter"],
        quarters_unreported=account.get("quarters_unreported"),
        rules_not_evaluated=len(item.not_evaluated),
    )
