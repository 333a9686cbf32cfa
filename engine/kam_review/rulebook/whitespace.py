"""The whitespace of an account: where each product line of ours that it needs stands.

Seed 001 grows even a good relationship by cross-selling what the customer needs but does
not yet buy from us, and counts the range of products bought among the relationship's
factors. A line is bought (the account buys it from us, or a deal in it was won), in the
funnel (an open deal sells it), offered and lost, or not yet offered. Pure functions of the
account; facts.py adds the counts to the account's facts, the account page draws the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from kam_review.i18n import listed
from kam_review.source.model import Account, Opportunity
from kam_review.source.names import normalise_name
from kam_review.vocabulary import Status


@dataclass(frozen=True)
class LineStanding:
    """One product line the account needs, with what we sell it and the deals in it."""

    line: str
    bought: bool  # listed in we_sell
    won: tuple[Opportunity, ...]
    open: tuple[Opportunity, ...]
    lost: tuple[Opportunity, ...]

    @property
    def is_bought(self) -> bool:
        return self.bought or bool(self.won)

    @property
    def offered(self) -> bool:
        return self.is_bought or bool(self.open or self.lost)


def whitespace_grid(account: Account) -> list[LineStanding]:
    """Every product line of the account's whitespace, in its order; none without one."""
    if account.whitespace is None:
        return []
    sold = {normalise_name(line) for line in account.whitespace.we_sell}
    grid = []
    for line in account.whitespace.product_lines:
        key = normalise_name(line)
        deals = [o for o in account.opportunities
                 if o.product_line is not None and normalise_name(o.product_line) == key]
        grid.append(LineStanding(
            line, key in sold,
            *(tuple(o for o in deals if Status.of_stage(o.stage) == status)
              for status in (Status.CLOSED, Status.OPEN, Status.LOST))))
    return grid


class WhitespaceFacts(TypedDict):
    product_lines: int
    lines_bought: int
    lines_in_funnel: int
    lines_not_offered: int
    lines_not_offered_list: str


def whitespace_facts(account: Account) -> WhitespaceFacts:
    """The counts of the grid; all 0 for an account without whitespace, which has nothing
    to offer that the file knows of (so the advice stays silent rather than unknown)."""
    grid = whitespace_grid(account)
    waiting = [standing.line for standing in grid if not standing.offered]
    return WhitespaceFacts(
        product_lines=len(grid),
        lines_bought=sum(1 for standing in grid if standing.is_bought),
        lines_in_funnel=sum(1 for standing in grid if standing.open),
        lines_not_offered=len(waiting),
        lines_not_offered_list=listed(waiting),
    )
