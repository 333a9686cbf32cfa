"""Rules judged comparison by comparison in durable-rules: why a class applies, and which rules
the engine did not match because a fact they need is absent ("not evaluated")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from kam_review.i18n import _
from kam_review.rulebook.conditions import Leaf, fields_used, leaf_known, truth, walk
from kam_review.rulebook.engine import EngineRule, RuleMatcher
from kam_review.rulebook.fact_types import FACT_TYPES
from kam_review.rulebook.fact_words import doc_words, fact_phrase
from kam_review.rulebook.facts import FACT_TYPE, Fact
from kam_review.wording import labelled

# The engine rule of one comparison of a rule is named `rule.id#position`.
_PART = "#"

# Figures read from the quarterly revenue: when growth_needs names the quarters missing, they
# are unknown for that one reason, and naming each again would only repeat it.
FROM_REVENUE = ("growth_yearly", "growth_lead_pts", "growth_basis_quarters", "growth_yoy",
                "recent_revenue_ratio", "zero_revenue_run", "zero_revenue_quarters_last_4",
                "quarters_with_revenue_last_4", "revenue_ttm", "lifetime_revenue")


@lru_cache(maxsize=16)
def matcher(rules: tuple[EngineRule, ...]) -> RuleMatcher:
    """The rules compiled for the engine, once: a ruleset cannot be unregistered from
    durable-rules, so the same rules reuse one. A rulebook takes five (its rules, their
    comparisons, the verdict rules and theirs, the explanations'); `kam diff` reviews with
    two."""
    return RuleMatcher(rules, FACT_TYPE)


def leaf_name(rule: str, position: int) -> str:
    return f"{rule}{_PART}{position}"


def leaf_rules(rule: EngineRule) -> list[EngineRule]:
    """Each comparison and presence test of the rule as an engine rule of its own."""
    return [EngineRule(leaf_name(rule.name, i), rule.fact_type, leaf)
            for i, leaf in enumerate(walk(rule.condition))]


# Per rule: the facts it uses, and the engine rule name of each of its comparisons, worked
# out once. Keyed by the rule's id (kept alive here, so never reused while it is): hashing a
# rule walks its whole condition, and this is asked once per fact.
_PER_RULE: dict[int, tuple[EngineRule, tuple[str, ...], dict[Leaf, str]]] = {}


def _per_rule(rule: EngineRule) -> tuple[tuple[str, ...], dict[Leaf, str]]:
    known = _PER_RULE.get(id(rule))
    if known is None or known[0] is not rule:
        if len(_PER_RULE) >= 4096:  # rulebooks loaded again and again: start afresh
            _PER_RULE.clear()
        known = (rule, tuple(sorted(fields_used(rule.condition))),
                 {leaf: leaf_name(rule.name, i) for i, leaf in enumerate(walk(rule.condition))})
        _PER_RULE[id(rule)] = known
    return known[1], known[2]


def _leaf_names(rule: EngineRule) -> dict[Leaf, str]:
    """The engine rule name of each comparison of the rule."""
    return _per_rule(rule)[1]


def _fields(rule: EngineRule) -> tuple[str, ...]:
    return _per_rule(rule)[0]


def needed_fields(rule: EngineRule, fact: Fact, matched: set[str]) -> list[str] | None:
    """The absent facts the rule needs on this fact, when its condition is unknown there
    (matched: the names of the engine rules of its comparisons that matched the fact); None
    when the condition is true or false."""
    names = _leaf_names(rule)
    unknown: list[Leaf] = []

    def leaf_truth(leaf: Leaf) -> bool | None:
        if not leaf_known(leaf, fact):
            unknown.append(leaf)
            return None
        return names[leaf] in matched

    if truth(rule.condition, leaf_truth) is not None:
        return None
    return list(dict.fromkeys(name for leaf in unknown for name in sorted(fields_used(leaf))
                              if fact.get(name) is None))


def not_evaluated(rules: Sequence[EngineRule], facts: Sequence[Fact],
                  matched: Sequence[set[str]]) -> list[dict[str, list[str]]]:
    """For each fact, the rules on its type that the engine did not match and whose condition
    is unknown on it, each with the absent facts it needs. Only the facts where a rule lacks
    a fact it uses go to the engine again, with every comparison as a rule of its own, and
    with only the facts those rules use: the engine hands back every comparison a fact
    matches, and the others' are not read."""
    # Each rule's facts, worked out once here, not once per fact (hashing a rule walks its
    # condition).
    by_type: dict[str, list[tuple[EngineRule, tuple[str, ...]]]] = {}
    for rule in rules:
        by_type.setdefault(rule.fact_type, []).append((rule, _fields(rule)))
    # Per fact, its absent facts among those its type's rules use, found once: a rule is
    # open where it uses one of them.
    used_by_type = {fact_type: frozenset(name for _rule, used in entries for name in used)
                    for fact_type, entries in by_type.items()}
    open_rules: list[list[tuple[EngineRule, tuple[str, ...]]]] = []
    for fact, names in zip(facts, matched, strict=True):
        fact_type = fact[FACT_TYPE]
        absent = {name for name in used_by_type.get(fact_type, ()) if fact.get(name) is None}
        open_rules.append([(rule, used) for rule, used in by_type[fact_type]
                           if rule.name not in names and not absent.isdisjoint(used)]
                          if absent else [])
    tested = [_only(fact, candidates) for fact, candidates in zip(facts, open_rules, strict=True)
              if candidates]
    parts = tuple(part for rule in rules for part in leaf_rules(rule))
    leaf_matches = iter(matcher(parts).matches(tested) if tested else [])
    found: list[dict[str, list[str]]] = []
    for fact, candidates in zip(facts, open_rules, strict=True):
        names = next(leaf_matches) if candidates else set()
        needs = {rule.name: needed_fields(rule, fact, names) for rule, _used in candidates}
        found.append({rule_id: fields for rule_id, fields in needs.items() if fields is not None})
    return found


def _only(fact: Fact, rules: Sequence[tuple[EngineRule, tuple[str, ...]]]) -> Fact:
    """The fact with only its type and the facts the rules use: their comparisons match it
    as they match the whole fact."""
    kept = {FACT_TYPE: fact[FACT_TYPE]}
    for _rule, used in rules:
        kept.update((name, fact[name]) for name in used if name in fact)
    return kept


def needs_text(fact: Mapping[str, object], names: Iterable[str],
               missing_last_4: Sequence[str] = ()) -> str:
    """What a rule that is not evaluated needs, for readers: each absent fact's label and why
    it is unknown, naming the quarters without a row where the figure is read from them:
    "needs revenue, last 4 quarters: no row for 2026-Q2"."""
    fields = FACT_TYPES[str(fact[FACT_TYPE])]
    growth_needs = fact.get("growth_needs")
    parts = []
    for name in names:
        field = fields.get(name)
        label = fact_phrase(field) if field else name
        if name in FROM_REVENUE and name.startswith("growth") and growth_needs:
            reason = str(growth_needs)
        elif missing_last_4 and field and "quarter" in field.doc:
            # A figure of the quarters is unknown first of all for the rows not on file.
            reason = _("no row for {quarters}").format(quarters=_(", ").join(missing_last_4))
        else:
            reason = doc_words(field.doc, fields) if field else _("not on file")
            # A fact whose meaning only repeats its name ("days since the last contact")
            # says why it is unknown instead.
            if reason.casefold() == label.casefold():
                reason = _("not on file")
        parts.append(labelled(label, reason))
    return _("needs {what}").format(what=_("; ").join(parts))
