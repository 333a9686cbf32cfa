"""The account page's opportunities: its deals in a table, each open deal's stage checklist
(seed 004) and four-step assessment (seed 002) folded under it. A deal lost, or won and
signed, paid and shipped, has no checklist: nothing is left to move it on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kam_review.i18n import _
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import AccountResult, Result
from kam_review.rulebook.subject_facts import stage_checklist
from kam_review.source.model import QUALIFICATION_QUESTIONS, Opportunity
from kam_review.vocabulary import Status
from kam_review.website.pages.answers import opportunity_anchor
from kam_review.website.pages.cells import date_cell
from kam_review.website.pages.common import fact_figure
from kam_review.website.pages.plain import folded


def opportunities_section(item: AccountResult, result: Result) -> list[str]:
    """The account's deals in a table, then each open deal's stage checklist, folded."""
    account = item.account
    lines = [f"## {_('Opportunities')}", ""]
    if not account.opportunities:
        return [*lines, _("No opportunities on file."), ""]
    facts = {f["subject"]: f for f in item.facts if f["type"] == "opportunity"}
    formats = item.formats
    rows = [[_name_cell(o, facts[o.id]), _stage_position(o.stage, result),
             fact_figure(o.value, "value", "opportunity", formats),
             fact_figure(o.probability, "probability", "opportunity", formats),
             fact_figure(facts[o.id].get("weighted_value"), "weighted_value", "opportunity",
                         formats),
             date_cell(o.expected_close, formats),
             esc(_(facts[o.id].get("forecast_bucket") or "—"))]
            for o in account.opportunities]
    lines.append(table(["Name", "Funnel stage", "Value", "Probability", "Weighted",
                        "Expected close", "Forecast"], rows))
    for opportunity in account.opportunities:
        if not _decided(opportunity, facts[opportunity.id]):
            lines += _checklist(opportunity, result)
    return lines


def _decided(opportunity: Opportunity, fact: Mapping[str, Any]) -> bool:
    """A deal lost, or won and signed, paid and shipped: its checklist has nothing left to
    ask. A deal marked closed that is not yet all three keeps it (what is still missing)."""
    return (Status.of_stage(opportunity.stage) == Status.LOST
            or fact.get("forecast_bucket") == Status.CLOSED)


def _name_cell(opportunity: Opportunity, fact: Mapping[str, Any]) -> str:
    """The deal's name; a decided deal, which has no checklist heading, carries the anchor
    an action's answer links to."""
    name = esc(opportunity.name)
    if not _decided(opportunity, fact):
        return name
    return f'<span id="{opportunity_anchor(opportunity.id)}"></span>{name}'



def _stage_position(stage_id: str, result: Result) -> str:
    """The stage and where it sits in the seven-stage funnel: ●●●○○○○ 3/7 Confirmed intent."""
    stages = result.rulebook.stages
    stage = next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        return _("{stage} (out of the funnel)").format(stage=_(stage_id))
    dots = "●" * stage.index + "○" * (len(stages) - stage.index)
    return f"{dots} {stage.index}/{len(stages)} {esc(stage.name)}"


def _checklist(opportunity: Opportunity, result: Result) -> list[str]:
    lines = ["### " + _("{name}: stage characteristics").format(name=esc(opportunity.name))
             + f" {{#{opportunity_anchor(opportunity.id)}}}", ""]
    inside = [_("What is true of a deal at each stage: a deal at a stage shows the "
                "characteristics of that stage and of every stage before it; the next stage's "
                "characteristics are what lets it move on."), ""]
    current = next((s.index for s in result.rulebook.stages if s.id == opportunity.stage), 0)
    rows = []
    for stage, key, ok in stage_checklist(opportunity, result.rulebook.stages):
        mark = _({True: "✔ yes", False: "✘ no", None: "not recorded"}[ok])
        if ok is not True and stage.index <= current:
            mark += _(" (needed from stage {index} on)").format(index=stage.index)
        rows.append([f"{stage.index}. {esc(stage.name)}", _position(stage.index, current),
                     esc(stage.characteristics[key]), mark])
    inside.append(table(["Stage", "", "Characteristic", "Evidence"], rows))
    answers = opportunity.qualification
    inside += [_("Four-step assessment: ") + " · ".join(
        f"{_(question)} {_(answers.get(key, 'not answered'))}"
        for key, question in QUALIFICATION_QUESTIONS.items()), ""]
    return [*lines, *folded(_("Show the stage checklist and the four-step assessment"), inside,
                            searched=False)]


def _position(index: int, current: int) -> str:
    """Where a stage stands against the deal's own (0: the deal is out of the funnel)."""
    if current == 0:
        return ""
    if index < current:
        return _("earlier")
    if index == current:
        return _("current")
    # "a later stage", not "later": that word is the forecast's close-date bucket.
    return _("next: to move on") if index == current + 1 else _("a later stage")
