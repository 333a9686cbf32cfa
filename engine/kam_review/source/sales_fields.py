"""The account fields the forecast and the whitespace grid read: the day a deal was won or
lost and why it was lost, the product line it sells, the plan's sales targets and the
account's whitespace (the product lines it needs and those it buys from us).

What the schema cannot check about them (consistency.py reports it beside a file's other
problems), and their model values (account_builder.py builds them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kam_review.errors import InputError
from kam_review.i18n import _
from kam_review.source.model import FieldPath, SalesTarget, Whitespace, clip
from kam_review.source.names import name_problems, normalise_name, shown_name

# An error at a field of the file being checked.
At = Callable[[FieldPath, str], InputError]

# The fields of an opportunity that only a deal at one stage has, and what each says.
_STAGE_FIELDS = {"closed_on": ("closed", "is the day a deal was won"),
                 "lost_on": ("lost", "is the day a deal was lost"),
                 "loss_reason": ("lost", "says why a deal was lost")}
_LINES: FieldPath = ("whitespace", "product_lines")


def sales_field_errors(value: dict[str, Any], at: At) -> Iterable[InputError]:
    """Product lines that are no good names or appear twice; a line the account buys or a
    deal sells that the account's product lines do not list; a close or loss field on a
    deal at another stage; a sales target's period given twice."""
    lines = _texts(value.get("whitespace"), "product_lines")
    for i, line in lines:
        yield from (at((*_LINES, i), problem) for problem in name_problems(line))
    yield from _twice(lines, _LINES, _("product line"), normalise_name, at)
    known = {normalise_name(line) for _, line in lines}
    bought = _texts(value.get("whitespace"), "we_sell")
    yield from _twice(bought, ("whitespace", "we_sell"), _("product line"), normalise_name, at)
    for j, line in bought:
        if normalise_name(line) not in known:
            yield at(("whitespace", "we_sell", j), _unlisted(line))
    deals = value.get("opportunities")
    for i, deal in enumerate(deals if isinstance(deals, list) else []):
        if not isinstance(deal, dict):
            continue
        sold = deal.get("product_line")
        if isinstance(sold, str) and normalise_name(sold) not in known:
            yield at(("opportunities", i, "product_line"), _unlisted(sold))
        stage = deal.get("stage")
        for key, (wanted, meaning) in _STAGE_FIELDS.items():
            if key in deal and isinstance(stage, str) and stage != wanted:
                yield at(("opportunities", i, key), _(
                    "{field} {meaning}: only a deal at stage {wanted} has one, and this one is "
                    "at {stage}").format(field=key, meaning=_(meaning), wanted=wanted,
                                         stage=clip(stage)))
    plan = value.get("plan")
    targets = plan.get("sales_targets") if isinstance(plan, dict) else None
    periods = [(i, period_text(row["period"])) for i, row in
               enumerate(targets if isinstance(targets, list) else [])
               if isinstance(row, dict) and isinstance(row.get("period"), int | str)]
    yield from _twice(periods, ("plan", "sales_targets"), _("period"), str, at,
                      key="period")


def _texts(section: Any, name: str) -> list[tuple[int, str]]:
    """The texts of a list in a section, each with its place (the schema reports the rest)."""
    items = section.get(name) if isinstance(section, dict) else None
    return [(i, item) for i, item in enumerate(items if isinstance(items, list) else [])
            if isinstance(item, str)]


def _unlisted(line: str) -> str:
    return _("'{line}' is not one of whitespace.product_lines: add it there, or write it as "
             "it is listed").format(line=clip(shown_name(line)))


def _twice(items: list[tuple[int, str]], where: FieldPath, what: str,
           same: Callable[[str], str], at: At, key: str | None = None) -> Iterable[InputError]:
    """An error for each item that is the same, in the form `same` gives, as an earlier one."""
    first: dict[str, int] = {}
    for i, item in items:
        path: FieldPath = (*where, i) if key is None else (*where, i, key)
        if same(item) in first:
            yield at(path, _("duplicate {field} '{item}' (also {also})").format(
                field=what, item=clip(shown_name(item)),
                also=f"{'.'.join(map(str, where))}[{first[same(item)]}]"))
        else:
            first[same(item)] = i


def period_text(period: int | str) -> str:
    """A sales target's period as text: the year 2026 may be written as a number."""
    return str(period)


def build_whitespace(section: dict[str, Any] | None) -> Whitespace | None:
    if section is None:
        return None
    return Whitespace(product_lines=tuple(section["product_lines"]),
                      we_sell=tuple(section.get("we_sell", ())))


def build_sales_targets(rows: list[dict[str, Any]]) -> tuple[SalesTarget, ...]:
    return tuple(SalesTarget(period_text(row["period"]), row["revenue"]) for row in rows)
