"""Building the Account model from a file's value once every check has passed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kam_review.source.actions import build_actions
from kam_review.source.goals import build_goal
from kam_review.source.model import (
    Account,
    Activity,
    Complaint,
    Contact,
    FieldPath,
    Market,
    Opportunity,
    PastOwner,
    Plan,
    Quarter,
    QuarterFigures,
    Scores,
    Waiver,
)
from kam_review.source.sales_fields import build_sales_targets, build_whitespace
from kam_review.source.stage_history import build_stage_history
from kam_review.source.yamlsource import YamlDocument


def _date(text: Any) -> date | None:
    return date.fromisoformat(text) if isinstance(text, str) else None


def _qualification(answers: dict[str, Any]) -> dict[str, str]:
    """The four answers under their current names: `compete` is read as `can_compete`."""
    return {("can_compete" if question == "compete" else question): _answer(answer)
            for question, answer in answers.items()}


def _answer(value: Any) -> str:
    # YAML 1.1 reads an unquoted yes/no as a boolean.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def build_account(value: dict[str, Any], path: Path, document: YamlDocument) -> Account:
    market = value.get("market") or {}
    scores = value.get("scores")
    plan = value.get("plan")
    return Account(
        id=value["id"],
        name=value["name"],
        owner=value["owner"],
        source=path,
        industry=value.get("industry"),
        customer_since=_date(value.get("customer_since")),
        currency=value.get("currency"),
        financials=tuple(
            QuarterFigures(
                quarter=Quarter.parse(row["quarter"]),
                revenue=row["revenue"],
                cost=row.get("cost"),
                units=row.get("units"),
                inventory=row.get("inventory"),
                inventory_units=row.get("inventory_units"),
                resale_revenue=row.get("resale_revenue"),
                resale_cost=row.get("resale_cost"),
                resale_units=row.get("resale_units"),
            )
            for row in value["financials"]
        ),
        market=Market(
            industry_growth=market.get("industry_growth"),
            wallet=market.get("wallet"),
            competitors=tuple(market.get("competitors", ())),
            investment=market.get("investment"),
        ),
        whitespace=build_whitespace(value.get("whitespace")),
        scores=Scores(
            attractiveness=dict(scores.get("attractiveness", {})),
            relationship=dict(scores.get("relationship", {})),
        ) if scores is not None else None,
        relationship_stage=value.get("relationship_stage"),
        contacts=tuple(
            Contact(
                name=c["name"],
                title=c.get("title"),
                level=c.get("level"),
                roles=tuple(c.get("roles", ())),
                style=c.get("style"),
                attitude=c.get("attitude"),
                last_contact=_date(c.get("last_contact")),
                left_on=_date(c.get("left_on")),
            )
            for c in value.get("contacts", ())
        ),
        activities=tuple(
            Activity(
                date=date.fromisoformat(a["date"]),
                kind=a["kind"],
                with_=tuple(a.get("with", ())),
                summary=a.get("summary"),
            )
            for a in value.get("activities", ())
        ),
        complaints=tuple(
            Complaint(
                date=date.fromisoformat(c["date"]),
                topic=c["topic"],
                summary=c.get("summary"),
                resolved_on=_date(c.get("resolved_on")),
            )
            for c in value.get("complaints", ())
        ),
        plan=Plan(
            growth_target=plan.get("growth_target"),
            sales_targets=build_sales_targets(plan.get("sales_targets", [])),
            summary=plan.get("summary"),
            goals=tuple(build_goal(g) for g in plan.get("goals", ())),
            actions=build_actions(plan.get("actions", ())),
        ) if plan is not None else None,
        opportunities=tuple(
            Opportunity(
                id=o["id"],
                name=o["name"],
                stage=o["stage"],
                stage_since=_date(o.get("stage_since")),
                value=o.get("value"),
                expected_close=_date(o.get("expected_close")),
                probability=o.get("probability"),
                evidence=dict(o.get("evidence", {})),
                qualification=_qualification(o.get("qualification", {})),
                closed_on=_date(o.get("closed_on")),
                lost_on=_date(o.get("lost_on")),
                loss_reason=o.get("loss_reason"),
                product_line=o.get("product_line"),
                stage_history=build_stage_history(o.get("stage_history")),
            )
            for o in value.get("opportunities", ())
        ),
        waivers=tuple(
            Waiver(rule=w["rule"], reason=w.get("reason"), until=_date(w.get("until")),
                   by=w.get("by"), subject=w.get("subject"))
            for w in value.get("waivers", ())
        ),
        owner_history=tuple(
            PastOwner(name=h["name"], to=date.fromisoformat(h["to"]), from_=_date(h.get("from")))
            for h in value.get("owner_history", ())
        ),
        team=value.get("team"),
        external_ids=dict(value.get("external_ids", {})),
        locations=_kept_locations(document.locations),
    )


def _kept_locations(locations: dict[FieldPath, tuple[int, int]]
                    ) -> dict[FieldPath, tuple[int, int]]:
    """The locations a valid account still needs: where each list item starts (a finding on
    a contact or an opportunity points there), each waiver's rule and each action's answer
    (an unknown rule there is reported once the rules are known). Every other value's
    position only matters for an error, and a valid file has none; dropping them keeps the
    model (and its cache entry) small."""
    return {path: where for path, where in locations.items()
            if (len(path) <= 3 and (isinstance(path[-1], int) if path else True))
            or path[-1:] in (("rule",), ("answers",))}
