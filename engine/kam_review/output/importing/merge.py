"""The exported data of one account merged into its file's document. Only fields the export
has a column for are set; the rest (plan, scores, actions, waivers, contact details the
export lacks) are never touched. A figure of a closed quarter that differs from the file's is
a conflict, kept as the file has it unless the import overwrites."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from kam_review.locale_format import ENGLISH, LocaleFormat, changed_figure
from kam_review.output.importing.fields import (
    ACCOUNT_ORDER,
    ACTIVITY_ORDER,
    CONTACT_ORDER,
    DEAL_ORDER,
    QUARTER_ORDER,
    flow_map,
    new_map,
    same,
    set_field,
)
from kam_review.output.importing.roundtrip import append, insert
from kam_review.source.exports.records import AccountData, activity_key
from kam_review.source.model import Quarter
from kam_review.source.names import normalise_name

# Deal fields whose change is a figure (the others are dates, names and reasons).
_DEAL_FIGURES = ("value", "probability")


@dataclass(frozen=True)
class Settings:
    system: str
    currency: str | None
    as_of: date  # a quarter that ended before it is closed
    overwrite: bool


@dataclass(frozen=True)
class Conflict:
    account: str
    quarter: str
    field: str
    held: Any
    exported: Any
    shown: tuple[str, str] | None = None  # the two figures as a reader reads them (_sides)

    def __str__(self) -> str:
        held, exported = self.shown or (self.held, self.exported)
        return (f"{self.account} {self.quarter} {self.field}: the file holds {held}, "
                f"the export {exported}; the quarter is closed, so the file's figure "
                "stays (--overwrite replaces it)")


@dataclass
class Changes:
    created: bool = False
    quarters_added: list[str] = field(default_factory=list)
    figures_changed: list[str] = field(default_factory=list)
    deals_moved: list[str] = field(default_factory=list)
    deals_added: list[str] = field(default_factory=list)
    # An exported deal known by name only: the file's deal of that name, not a second copy.
    deals_matched: list[str] = field(default_factory=list)
    contacts_added: list[str] = field(default_factory=list)
    activities_added: int = 0
    fields_changed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def merge(document: CommentedMap, data: AccountData, settings: Settings) -> Changes:
    changes = Changes()
    account = str(document.get("id", data.key))
    ids = document.get("external_ids")
    if ids is None:
        set_field(document, "external_ids", flow_map({settings.system: data.key}),
                  ACCOUNT_ORDER)
    elif set_field(ids, settings.system, data.key, ()):
        changes.fields_changed.append(f"external_ids.{settings.system}")
    _handed_over(document, data, settings, changes)
    for key, value in data.fields.items():
        if key != "id" and set_field(document, key, value, ACCOUNT_ORDER):
            changes.fields_changed.append(key)
    _quarters(document, data, settings, account, changes)
    _contacts(document, data, changes)
    _deals(document, data, settings, changes)
    _activities(document, data, changes)
    return changes


def _handed_over(document: CommentedMap, data: AccountData, settings: Settings,
                 changes: Changes) -> None:
    """A new owner from the export: the one before goes into owner_history, handed over by
    the import's day at the latest, so that the review sees the change of key people
    (risk.key-contact-left) as it does one written by hand."""
    before, after = document.get("owner"), data.fields.get("owner")
    if not before or not after or same(before, after):
        return
    history = _list(document, "owner_history")
    append(history, flow_map({"name": str(before), "to": settings.as_of}))
    changes.fields_changed.append("owner_history")


def _list(document: CommentedMap, key: str) -> CommentedSeq:
    items = document.get(key)
    if not isinstance(items, CommentedSeq):
        set_field(document, key, [], ACCOUNT_ORDER)
        document[key] = items = CommentedSeq()
    return items


def _quarters(document: CommentedMap, data: AccountData, settings: Settings, account: str,
              changes: Changes) -> None:
    if not data.quarters:
        return
    rows = _list(document, "financials")
    held = {str(row.get("quarter")): row for row in rows if isinstance(row, CommentedMap)}
    formats = _formats(document, settings)
    for quarter in sorted(data.quarters, key=lambda q: q.index):
        figures = data.quarters[quarter]
        row = held.get(str(quarter))
        if row is None:
            later = next((i for i, r in enumerate(rows) if isinstance(r, CommentedMap)
                          and _quarter_index(r) > quarter.index), len(rows))
            insert(rows, later, new_map({"quarter": str(quarter), **figures}, QUARTER_ORDER))
            revenue = figures.get("revenue")
            shown = None if revenue is None else formats.money(revenue)
            changes.quarters_added.append(str(quarter) if shown is None else
                                          f"{quarter} (revenue {shown})")
            continue
        closed = quarter.last_day < settings.as_of
        for name, value in figures.items():
            if name in row and same(row[name], value):
                continue
            if name in row and closed and not settings.overwrite:
                changes.conflicts.append(Conflict(
                    account, str(quarter), name, row[name], value,
                    _sides(name, row[name], value, formats)))
                continue
            before = row.get(name)
            set_field(row, name, value, QUARTER_ORDER)
            changes.figures_changed.append(
                f"{quarter} {name} " + " -> ".join(_sides(name, before, value, formats)))


def _quarter_index(row: CommentedMap) -> int:
    try:
        return Quarter.parse(str(row.get("quarter"))).index
    except ValueError:
        return -1


def _contacts(document: CommentedMap, data: AccountData, changes: Changes) -> None:
    if not data.contacts:
        return
    people = _list(document, "contacts")
    # A person the export spells otherwise (ZHANG WEI for Zhang Wei) is the file's person,
    # as the file's own duplicate check compares names; the file's spelling is kept.
    held = {normalise_name(str(c.get("name"))): c for c in people
            if isinstance(c, CommentedMap)}
    for name, values in data.contacts.items():
        contact = held.get(normalise_name(name))
        if contact is None:
            append(people, new_map({"name": name, **values}, CONTACT_ORDER))
            changes.contacts_added.append(name)
            continue
        for key, value in values.items():
            if set_field(contact, key, value, CONTACT_ORDER):
                changes.fields_changed.append(f"contact {contact.get('name')}: {key}")


def _deals(document: CommentedMap, data: AccountData, settings: Settings,
           changes: Changes) -> None:
    if not data.deals:
        return
    deals = _list(document, "opportunities")
    held = {str(d.get("id")): d for d in deals if isinstance(d, CommentedMap)}
    formats = _formats(document, settings)
    for deal_id, exported in data.deals.items():
        values = dict(exported)
        deal = held.get(deal_id) or _named_alike(held, values.get("name"), data.deals)
        if deal is not None and str(deal.get("id")) != deal_id:
            changes.deals_matched.append(f"{deal_id} as {deal.get('id')}")
        _stage_since(values, deal, settings.as_of)
        if deal is None:
            append(deals, new_map({"id": deal_id, **values}, DEAL_ORDER))
            changes.deals_added.append(f"{deal_id} at {values.get('stage')}")
            continue
        for key, value in values.items():
            before = deal.get(key)
            if not set_field(deal, key, value, DEAL_ORDER):
                continue
            if key == "stage":
                changes.deals_moved.append(f"{deal_id} {before} -> {value}")
            elif key in _DEAL_FIGURES:
                changes.figures_changed.append(
                    f"{deal_id} {key} " + " -> ".join(_sides(key, before, value, formats)))
            else:
                changes.fields_changed.append(f"deal {deal_id}: {key}")


def _named_alike(held: dict[str, CommentedMap], name: Any, exported: Any
                 ) -> CommentedMap | None:
    """The file's one deal of this name (case and blanks aside) whose id the export does not
    hold: a deal kept by hand before the first import, which the export knows by its own
    number. None when there is none, or more than one."""
    if not isinstance(name, str) or not name.strip():
        return None
    alike = [deal for deal_id, deal in held.items() if deal_id not in exported
             and isinstance(deal.get("name"), str)
             and normalise_name(deal["name"]) == normalise_name(name)]
    return alike[0] if len(alike) == 1 else None


def _stage_since(values: dict[str, Any], held: CommentedMap | None, as_of: date) -> None:
    """The day the deal entered its stage, where the export does not map it: from its
    stage history; else, for a deal that moved (or is new), the day of the import, the first
    day it is known at that stage. (Without a day, the stale-stage check would count from
    the day the deal entered its previous stage.)"""
    if "stage_since" in values or "stage" not in values:
        return
    history = values.get("stage_history") or []
    run = [entry for entry in history if entry["entered"] <= as_of]
    if run and run[-1]["stage"] == values["stage"]:
        values["stage_since"] = run[-1]["entered"]
    elif held is None or str(held.get("stage")) != values["stage"]:
        values["stage_since"] = as_of


def _activities(document: CommentedMap, data: AccountData, changes: Changes) -> None:
    if not data.activities:
        return
    items = _list(document, "activities")
    held = {activity_key(item) for item in items if isinstance(item, CommentedMap)}
    for values in sorted(data.activities, key=lambda a: a["date"]):
        if activity_key(values) in held:
            continue
        held.add(activity_key(values))
        later = next((i for i, item in enumerate(items) if isinstance(item, CommentedMap)
                      and str(item.get("date")) > values["date"].isoformat()), len(items))
        insert(items, later, new_map(values, ACTIVITY_ORDER))
        changes.activities_added += 1


def _formats(document: CommentedMap, settings: Settings) -> LocaleFormat:
    """How the account's figures are written: in its currency, else the mapping's."""
    currency = document.get("currency")
    return ENGLISH.in_currency(currency if isinstance(currency, str) else settings.currency)


def _sides(name: str, before: Any, after: Any, formats: LocaleFormat) -> tuple[str, str]:
    """A figure's two sides as a reader reads them: "CN¥750K", "30%", a count of units as a
    number; every digit where the short forms would look the same. A value that is no
    number (a file's own mistake) is shown as written."""
    if not all(v is None or _is_number(v) for v in (before, after)):
        return ("(none)" if before is None else str(before)), str(after)
    if name == "probability":
        return changed_figure(before, after, formats.percent, formats.exact_percent)
    if name.endswith("units"):
        return changed_figure(before, after, formats.number, lambda v: formats.number(v, 12))
    return changed_figure(before, after, formats.money, formats.whole_money)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
