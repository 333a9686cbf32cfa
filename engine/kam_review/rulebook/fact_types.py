"""The catalogue of the fact types the rules can test: per fact type, its fields.

A rule names its fact type (`on: contact`) and may test any field its definition declares
(account_fact_type.py, subject_fact_types.py, verdict_fact_type.py); the rule checker, the
explanations, the pages and the rules reference read FACT_TYPES, which is read from those
definitions here, in one place.
"""

from __future__ import annotations

from kam_review.rulebook.account_fact_type import AccountFacts
from kam_review.rulebook.action_facts import ActionFacts
from kam_review.rulebook.fact_fields import FactField, FactType, fields_of
from kam_review.rulebook.subject_fact_types import (
    ContactFacts,
    GoalFacts,
    OpportunityFacts,
    WaiverFacts,
)
from kam_review.rulebook.verdict_fact_type import VerdictFacts

DEFINITIONS: tuple[type[FactType], ...] = (AccountFacts, ContactFacts, OpportunityFacts,
                                           GoalFacts, ActionFacts, WaiverFacts, VerdictFacts)
# The catalogue: per fact type, the fields a rule may test.
FACT_TYPES: dict[str, dict[str, FactField]] = {
    definition.fact_type: fields_of(definition) for definition in DEFINITIONS}
