"""An error of an account file as an import would write it, traced to the export row and
column that brought the value it is about. The user corrects the export, so the error sends
them there, never to a line of a file that was not written; and what came with that row is
named as one part, which the import leaves out to write the rest of the account."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kam_review.source.exports.records import AccountData, ExportData, activity_key

# One step of a field path as errors write it (contacts[2].name): a key or a list index.
_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


@dataclass(frozen=True)
class Part:
    """What an export brings to an account, taken whole: the figures of a quarter (a sum of
    lines is right only with all of them), a contact, a deal, an activity, or the fields of
    one account row."""

    kind: str  # "quarter", "contact", "deal", "activity" or "row"
    # The Quarter, the contact's name, the deal's id, the activity's key, the row's fields
    key: Any
    label: str  # what it is, for a message

    def leave_out(self, account: AccountData) -> None:
        if self.kind == "quarter":
            del account.quarters[self.key]
        elif self.kind == "contact":
            del account.contacts[self.key]
        elif self.kind == "deal":
            del account.deals[self.key]
        elif self.kind == "activity":
            account.activities = [activity for activity in account.activities
                                  if activity_key(activity) != self.key]
        else:
            for name in self.key:
                del account.fields[name]


@dataclass(frozen=True)
class Traced:
    part: Part
    origin: tuple[str, int]  # the export row: (file, row)
    fields: tuple[str, ...]  # the error's column is the first of these the file maps


def trace(field_path: str, value: Any, account: AccountData, data: ExportData
          ) -> Traced | None:
    """The part of the export an error at `field_path` of the file's new value is about, or
    None where the value is none of the export's (the file's own, or the account's key).
    Only a part the account still holds is found, so that leaving parts out ends."""
    path = [int(index) if index else key for index, key in _STEP.findall(field_path)]
    if not path or not isinstance(value, dict):
        return None
    section = path[0]
    if section not in _ITEMS:
        return _account_field("owner" if section == "owner_history" else str(section),
                              account, data)
    items = value.get(section)
    index = path[1] if len(path) > 1 else None
    if not isinstance(index, int) or not isinstance(items, list) or index >= len(items) \
            or not isinstance(items[index], dict):
        return None
    field = path[2] if len(path) > 2 and isinstance(path[2], str) else ""
    return _ITEMS[section](items[index], field, account, data)


def _quarter(item: dict[str, Any], field: str, account: AccountData, data: ExportData
             ) -> Traced | None:
    written = str(item.get("quarter"))
    when = next((quarter for quarter in account.quarters if str(quarter) == written), None)
    rows = data.quarter_rows.get((account.key, when)) if when is not None else None
    if not rows:
        return None
    _, file, row = rows[0]
    return Traced(Part("quarter", when, f"the figures of {when} of account {account.key}"),
                  (file, row), (field, "quarter", "date"))


def _contact(item: dict[str, Any], field: str, account: AccountData, data: ExportData
             ) -> Traced | None:
    name = item.get("name")
    if not isinstance(name, str) or name not in account.contacts:
        return None
    what = ("contact", name, "of account", account.key)
    origin = data.origins.get((*what, field)) or data.origins[(*what, "name")]
    return Traced(Part("contact", name, f"the contact '{name}' of account {account.key}"),
                  origin, (field, "name"))


def _deal(item: dict[str, Any], field: str, account: AccountData, data: ExportData
          ) -> Traced | None:
    deal_id = item.get("id")
    key = next((key for key, held in data.deal_keys.items()
                if held == (account.key, deal_id)), None)
    if key is None or deal_id not in account.deals:
        return None
    origin = data.origins.get(("deal", key, field)) or data.origins[("deal", key, "key")]
    return Traced(Part("deal", deal_id, f"the deal {key} of account {account.key}"), origin,
                  (field, "key"))


def _activity(item: dict[str, Any], field: str, account: AccountData, data: ExportData
              ) -> Traced | None:
    key = activity_key(item)
    origin = data.origins.get(("activity", account.key, *key))
    if origin is None or not any(activity_key(held) == key for held in account.activities):
        return None
    return Traced(Part("activity", key, f"the {key[1]} of {key[0]} of account {account.key}"),
                  origin, (field, "date"))


def _account_field(name: str, account: AccountData, data: ExportData) -> Traced | None:
    """A field of the account: the fields of the row that set it are left out, as a row
    with a bad cell is (its other cells may be as wrong). The id is kept: it names the file
    the account is found in or written to."""
    origin = data.origins.get(("account", account.key, name))
    if origin is None or name == "id" or name not in account.fields:
        return None
    fields = tuple(field for field in account.fields if field != "id"
                   and data.origins.get(("account", account.key, field)) == origin)
    return Traced(Part("row", fields, f"the fields this row gives account {account.key} ("
                       + ", ".join(fields) + ")"), origin, (name, "key"))


_ITEMS: dict[str, Callable[[dict[str, Any], str, AccountData, ExportData], Traced | None]] = {
    "financials": _quarter, "contacts": _contact, "opportunities": _deal,
    "activities": _activity,
}
