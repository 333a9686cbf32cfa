"""Teams (or regions) on the portfolio pages. An account's `team` is free text, compared as
names are (case, spacing and invisible characters aside) and shown as the first account of
the team (by id) spells it. The overview, the owners page and the risk register group and
filter by team once the portfolio has two or more; a portfolio of one team shows none."""

from __future__ import annotations

from collections.abc import Sequence

from kam_review.i18n import _, words
from kam_review.output.markdown_text import esc, table
from kam_review.review.actions import open_actions
from kam_review.review.results import AccountResult, Result
from kam_review.source.names import normalise_name
from kam_review.website.pages.common import described, open_warnings_cell
from kam_review.website.pages.totals import Totals
from kam_review.wording import counted


def no_team() -> str:
    """What shows for an account without a team, in the active language."""
    return _("(no team)")


def team_names(items: Sequence[AccountResult]) -> dict[str, str]:
    """Each account's team as shown, by account id; no_team() for an account without one."""
    spelling: dict[str, str] = {}
    names = {}
    for item in sorted(items, key=lambda i: i.account.id):
        team = item.account.team
        names[item.account.id] = no_team() if team is None else spelling.setdefault(
            normalise_name(team), team)
    return names


def shows_teams(names: dict[str, str]) -> bool:
    return len(set(names.values())) > 1


def team_order(team: str) -> tuple[bool, str, str]:
    """Teams by name, those without a team last."""
    return team == no_team(), team.lower(), team


def team_column(items: Sequence[AccountResult]) -> dict[str, str]:
    """Each account's team as a column shows it, by account id; empty (no column) when the
    portfolio is not split into teams."""
    names = team_names(items)
    return names if shows_teams(names) else {}


def team_groups(items: Sequence[AccountResult]) -> list[tuple[str | None, list[AccountResult]]]:
    """The accounts by team, teams by name and those without a team last; one group without
    a name when the portfolio is not split into teams."""
    names = team_names(items)
    if not shows_teams(names):
        return [(None, list(items))]
    teams = sorted(set(names.values()), key=team_order)
    return [(team, [i for i in items if names[i.account.id] == team]) for team in teams]


def team_anchor(number: int) -> str:
    """The owners page's anchor of the team in this place of team_groups (from 1): a team's
    name may hold any character, its place is plain."""
    return f"team-{number}"


def team_index(groups: list[tuple[str | None, list[AccountResult]]]) -> list[str]:
    """Links to each team's part of the owners page; nothing without teams."""
    if len(groups) < 2:
        return []
    return [_("Teams: ") + " · ".join(f"[{esc(team)}](#{team_anchor(number)})"
                                   for number, (team, _) in enumerate(groups, start=1)), ""]


def teams_section(result: Result, totals: Totals) -> list[str]:
    """The overview's summary by team; nothing when the portfolio is one team. A team's
    revenue adds its accounts' up as every total of the site does (`totals`: converted at the
    site's rates, else one amount per currency), never figures of two currencies as one."""
    groups = team_groups(result.accounts)
    if len(groups) < 2:
        return []
    rows = []
    for team, items in groups:
        known = [(i.formats.currency, i.facts[0]["revenue_ttm"]) for i in items
                 if "revenue_ttm" in i.facts[0]]
        revenue = totals.cell(known)
        if len(known) < len(items):
            revenue += _(" ({accounts} unknown)").format(
                accounts=counted(len(items) - len(known), 'account'))
        waiting = open_actions(items, result.as_of)
        rows.append([esc(team), str(len(items)),
                     esc(_(", ").join(sorted({i.account.owner for i in items}))), revenue,
                     open_warnings_cell(f for i in items for f in i.findings),
                     str(len(waiting)), str(sum(1 for a in waiting if a.overdue))])
    return [f"## {_('Teams')}", "",
            _("{count} teams; the account list, the risk register and the owners page group "
              "or filter by team.").format(count=len(groups)), "",
            table([*words("Team", "Accounts", "Owners"), described("revenue_ttm").label,
                   *words("Open warnings", "Open actions", "Overdue actions")], rows)]
