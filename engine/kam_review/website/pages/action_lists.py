"""Open actions across accounts: the overview's list of those due before the next review,
and on the owners page each person's own, overdue first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kam_review.i18n import _
from kam_review.output.markdown_text import esc, table
from kam_review.review.actions import (
    ReviewedAction,
    due_before_next_review,
    next_review_horizon,
    open_actions,
)
from kam_review.review.results import AccountResult, Result
from kam_review.rulebook.loading import Rulebook
from kam_review.source.model import Quarter
from kam_review.source.names import normalise_name
from kam_review.website.pages.actions import due_text
from kam_review.website.pages.answers import answer_link
from kam_review.website.pages.common import account_link, filterable
from kam_review.website.pages.downloads import download
from kam_review.website.pages.teams import shows_teams, team_names


def due_before_next_review_section(result: Result) -> list[str]:
    horizon = next_review_horizon(result.as_of)
    last_quarter = result.formats.quarter(str(Quarter.containing(horizon)))
    found = due_before_next_review(result)
    names = team_names(result.accounts)
    teams = shows_teams(names)
    lines = [f"## {_('Actions due before the next review')}", "",
             _("Open actions due on or before {horizon}, the last day of {quarter}, the quarter "
               "after this review's: the next quarterly review falls by then. Every overdue "
               "action is among them; the earliest due first. {overdue} of {count} are "
               "overdue.").format(horizon=result.formats.date(horizon),
                                  quarter=last_quarter,
                                  overdue=sum(1 for a in found if a.overdue), count=len(found)),
             ""]
    rows = [[account_link(a.item.account), *([esc(names[a.item.account.id])] if teams else []),
             esc(a.action.owner), esc(a.action.what), due_text(a),
             answer_link(a, result.rulebook, "", False)]
            for a in found]
    headers = ["Account", *(["Team"] if teams else []), "Owner", "What", "Due", "Answers"]
    lines.append(filterable(table(headers, rows), ["Team", "Owner"] if teams else ["Owner"]))
    return lines + actions_download(result)


def actions_download(result: Result) -> list[str]:
    """The link to every action of every account as a CSV file (done and dropped ones too)."""
    return download("actions.csv", _("every account's actions (open, done and dropped)"),
                    result.as_of)


def people(items: Sequence[AccountResult], as_of: date
           ) -> list[tuple[str, list[AccountResult], list[ReviewedAction]]]:
    """Everyone who owns one of these accounts or one of their open actions: the name as
    shown, their accounts and their open actions (overdue first), by name. The same person
    is one whatever the spelling names.py takes for the same name."""
    shown: dict[str, str] = {}
    accounts: dict[str, list[AccountResult]] = {}
    actions: dict[str, list[ReviewedAction]] = {}
    for item in items:
        key = normalise_name(item.account.owner)
        shown.setdefault(key, item.account.owner)
        accounts.setdefault(key, []).append(item)
    for action in open_actions(items, as_of):
        key = normalise_name(action.action.owner)
        shown.setdefault(key, action.action.owner)
        actions.setdefault(key, []).append(action)
    return [(shown[key], accounts.get(key, []), actions.get(key, []))
            for key in sorted(shown, key=lambda key: (shown[key].lower(), shown[key]))]


def person_actions(actions: Sequence[ReviewedAction], rulebook: Rulebook) -> list[str]:
    """A person's open actions on the owners page, overdue first."""
    if not actions:
        return []
    overdue = sum(1 for a in actions if a.overdue)
    return [_("Open actions: {count}, {overdue} overdue.").format(count=len(actions),
                                                                  overdue=overdue), "",
            table(["Account", "What", "Due", "Answers"], [
                [account_link(a.item.account), esc(a.action.what), due_text(a),
                 answer_link(a, rulebook, "", False)] for a in actions])]
