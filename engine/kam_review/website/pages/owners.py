"""The owners page: each key account manager's accounts by verdict, warnings, pipeline and
everyone's open actions, grouped by team when there are teams."""

from __future__ import annotations

from kam_review.i18n import _, words
from kam_review.output.kept_parts import part
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import AccountResult, Result
from kam_review.source.names import normalise_name
from kam_review.vocabulary import Health
from kam_review.website.pages.action_lists import actions_download, people, person_actions
from kam_review.website.pages.common import (
    WIDE_PAGE,
    account_fact,
    account_link,
    account_num,
    described,
    open_warnings_cell,
)
from kam_review.website.pages.teams import team_anchor, team_groups, team_index
from kam_review.website.pages.verdict import owner_verdicts


def owners_page(result: Result) -> str:
    lines = [WIDE_PAGE + f"# {_('By owner')}", "",
             _("Each key account manager's accounts by verdict, open warnings and pipeline, "
               "and everyone's open actions, overdue first (by team when there are teams)."),
             ""]
    lines += actions_download(result)
    groups = team_groups(result.accounts)
    lines += team_index(groups)
    lines += _everyone(result, groups)
    for number, (team, members) in enumerate(groups, start=1):
        lines += [] if team is None else [f"## {esc(team)} {{#{team_anchor(number)}}}", ""]
        lines += _owners_section(members, result, "##" if team is None else "###")
    return "\n".join(lines)


def _everyone(result: Result, groups: list[tuple[str | None, list[AccountResult]]]
              ) -> list[str]:
    """With teams, each person once over every team: someone who owns accounts in two teams
    is under both below, each with part of their accounts and actions."""
    if len(groups) < 2:
        return []
    # A person's teams: those of the accounts they own or hold an open action of, as the
    # sections below list them.
    teams: dict[str, set[str]] = {}
    for team, members in groups:
        for owner, _items, _actions in people(members, result.as_of):
            teams.setdefault(normalise_name(owner), set()).add(team or _("(no team)"))
    rows = []
    for owner, items, actions in people(result.accounts, result.as_of):
        at_risk = sum(1 for i in items if i.verdict and i.verdict.health == Health.AT_RISK)
        rows.append([esc(owner),
                     esc(_(", ").join(sorted(teams.get(normalise_name(owner), ()))) or "—"),
                     str(len(items)), str(at_risk),
                     str(sum(1 for i in items for f in i.open_findings if f.warns)),
                     str(len(actions)), str(sum(1 for a in actions if a.overdue))])
    return [f"## {_('Everyone')}", "",
            table(words("Owner", "Teams", "Accounts", "At risk", "Open warnings",
                        "Open actions", "Overdue"), rows), ""]


def _owners_section(members: list[AccountResult], result: Result, level: str) -> list[str]:
    lines: list[str] = []
    for owner, items, actions in people(members, result.as_of):
        lines += [f"{level} {esc(owner)}", ""]
        lines += owner_verdicts(items) if items else []
        rows = [part("owners.md", (item,), None, _account_row, item, result)
                for item in sorted(items, key=lambda i: i.account.name.lower())]
        if rows:
            lines.append(table([*words("Account", "Class", "Focus"),
                                described("revenue_ttm").label,
                                *words("Open warnings", "Open deals", "Pipeline")], rows))
        lines += person_actions(actions, result.rulebook)
    return lines


def _account_row(item: AccountResult, result: Result) -> list[str]:
    return [account_link(item.account), esc(result.class_shown(item)), _(item.focus or "—"),
            account_num(item, "revenue_ttm"), open_warnings_cell(item.findings),
            str(account_fact(item, "open_opportunities")),
            account_num(item, "open_pipeline_value")]
