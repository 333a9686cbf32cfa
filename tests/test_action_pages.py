"""The pages of the plan's actions, the executive summary and teams, as Markdown rendered to
HTML: what the account page opens with, what each action links to, the overview's actions
due before the next review, the owners page and the risk register by team."""

from __future__ import annotations

import re
from typing import Any

import markdown
import pytest

from kam_review.review.results import Result
from kam_review.website.pages import render_pages

from .conftest import Account, Reviewer, healthy_account

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) *b*'


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html", "toc"])


def _account(account_id: str = "test-account", team: str | None = None,
             actions: list[dict[str, Any]] | None = None, **fields: Any) -> Account:
    account = healthy_account() | {"id": account_id, **fields}
    if team is not None:
        account["team"] = team
    account["plan"]["actions"] = actions if actions is not None else [
        {"what": "Call the CFO", "owner": "Li Wei", "due": "2026-09-29",
         "answers": "risk.complacency"},
        {"what": "Book the QBR", "owner": "Gao Ming", "due": "2026-09-30", "answers": "goal:1"},
        {"what": "Send the quote", "owner": "Li Wei", "due": "2026-10-20",
         "answers": "opportunity:pos-refresh"},
        {"what": "Visit the CIO", "owner": "Li Wei", "due": "2026-09-01",
         "answers": "plan.action-overdue"},
        {"what": "Demo day", "owner": "Li Wei", "due": "2026-09-10", "status": "done",
         "outcome": "Shortlisted after the demo"},
        {"what": "Site survey", "owner": "Li Wei", "due": "2026-09-10", "status": "done",
         "done_on": "2026-09-04", "outcome": "Four sites surveyed"},
        {"what": "Old idea", "owner": "Li Wei", "status": "dropped", "outcome": "No budget"},
    ]
    return account


def _pages(review_accounts: Reviewer, *accounts: Account) -> tuple[Result, dict[str, str]]:
    result = review_accounts(*accounts)
    assert not result.errors, [str(e) for e in result.errors]
    return result, render_pages(result)


def _section(page: str, heading: str) -> str:
    """The text of a page from `heading` to the next heading of the same level."""
    level = heading.split(" ", 1)[0]
    after = page.split(heading + "\n", 1)[1]
    return re.split(rf"^{level} ", after, maxsplit=1, flags=re.MULTILINE)[0]


def _top(page: str) -> str:
    """What an account page shows between its title and the figures at a glance: the header
    card."""
    return page.split("\n", 1)[1].split("## At a glance", 1)[0]


def test_the_account_page_opens_with_the_summary(review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, _account())
    page = pages["accounts/test-account.md"]
    headings = re.findall(r"^(#+ .*)$", page, flags=re.MULTILINE)
    assert headings[:5] == ["# Test Account Ltd", "## At a glance", "## Actions",
                            "### Completed", "### Dropped"]
    top = _top(page)
    # The header card first: the verdict, then the summary, before anything else.
    assert top.startswith('\n<div class="kam-card" markdown>\n\n**Verdict: ')
    assert top.index("**Verdict: ") < top.index(
        '<p class="kam-summary-label">Executive summary</p>\n<div class="kam-plan-summary" '
        'data-more="Show the whole summary" data-less="Show less">')
    assert "<strong>store systems</strong>" in top
    # Shown once: no longer in the plan section as well.
    assert page.count("kam-plan-summary") == 1


@pytest.mark.parametrize("summary", [None, "  \n "])
def test_an_account_without_a_summary_says_so(summary: str | None,
                                              review_accounts: Reviewer) -> None:
    account = _account()
    if summary is None:
        del account["plan"]["summary"]
    else:
        account["plan"]["summary"] = summary
    result, pages = _pages(review_accounts, account)
    text = _top(pages["accounts/test-account.md"])
    assert "kam-summary-missing" in text and "The account plan has no summary" in text
    assert "plan.summary-missing" in [f.rule for f in result.accounts[0].findings]


def test_an_account_without_a_plan_says_both(review_accounts: Reviewer) -> None:
    account = _account()
    del account["plan"]
    _, pages = _pages(review_accounts, account)
    page = pages["accounts/test-account.md"]
    assert "The account plan has no summary" in _top(page)
    assert "No actions on file" in _section(page, "## Actions")


def test_open_actions_overdue_first_and_linked_to_what_they_answer(
        review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, _account())
    page = pages["accounts/test-account.md"]
    section = _section(page, "## Actions")
    assert "4 open actions, 2 overdue as of Sep 30, 2026" in section
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[0] for row in rows[1:]] == [
        "| Visit the CIO", "| Call the CFO", "| Book the QBR", "| Send the quote"]
    # Dates as the reader reads them, sorting as dates.
    assert ('<span data-sort="20260901"><span class="kam-overdue">Sep 1, 2026: 29 days '
            'overdue</span></span>') in rows[1]
    assert '<span class="kam-overdue">Sep 29, 2026: 1 day overdue</span>' in rows[2]
    assert "Sep 30, 2026: due today" in rows[3] and "kam-overdue" not in rows[3]
    assert '<span data-sort="20261020">Oct 20, 2026: in 20 days</span>' in rows[4]
    # A finding the review raises links to its row on the page; one it does not raise, to the
    # rule in the catalogue; a goal to the plan; a deal to its stage checklist.
    html = _html(page)
    assert "[Action overdue](#finding-plan-action-overdue)" in rows[1]
    assert html.count('id="finding-plan-action-overdue"') == 1  # two findings, one anchor
    assert "[Complacency](../rules.md#risk-complacency) (not raised in this review)" \
        in rows[2]
    assert "[goal 1: Win the POS refresh](#account-plan)" in rows[3]
    assert '<h2 id="account-plan">' in html
    assert "[opportunity: POS refresh](#opportunity-pos-refresh)" in rows[4]
    assert '<h3 id="opportunity-pos-refresh">' in html
    completed = _section(section, "### Completed")
    assert "- ✔ Demo day (Li Wei, due Sep 10, 2026): Shortlisted after the demo" in completed
    assert "- ✔ Site survey (Li Wei, done on Sep 4, 2026): Four sites surveyed" in completed
    assert "- Old idea (Li Wei): No budget" in _section(section, "### Dropped")


def test_action_text_stays_text(review_accounts: Reviewer) -> None:
    actions = [{"what": HOSTILE, "owner": "Li Wei", "due": "2026-09-01", "answers": "goal:1"},
               {"what": "x", "owner": "Li Wei", "status": "done", "outcome": HOSTILE}]
    account = _account(actions=actions)
    account["plan"]["goals"][0]["text"] = HOSTILE
    account["plan"]["actions"][0]["answers"] = "goal:" + HOSTILE
    _, pages = _pages(review_accounts, account)
    for name in ("accounts/test-account.md", "index.md", "owners.md"):
        html = _html(pages[name])
        for active in ("<script", "<img", 'href="javascript'):
            assert active not in html, (name, active)


def test_overview_lists_actions_due_before_the_next_review(review_accounts: Reviewer) -> None:
    actions = [{"what": f"Due {day}", "owner": "Li Wei", "due": day}
               for day in ("2027-01-01", "2026-12-31", "2025-06-30")]
    actions.append({"what": "Done", "owner": "Li Wei", "due": "2026-09-01", "status": "done"})
    _, pages = _pages(review_accounts, _account(actions=actions))
    section = _section(pages["index.md"], "## Actions due before the next review")
    assert "Open actions due on or before Dec 31, 2026, the last day of 2026-Q4" in section
    assert "1 of 2 are overdue" in section
    assert re.findall(r"\| (Due [-\d]+|Done) \|", section) == ["Due 2025-06-30",
                                                                "Due 2026-12-31"]
    assert 'data-filters="Owner"' in section and "| Team |" not in section


def _two_teams() -> tuple[Account, ...]:
    return (_account("east-one", team="East", name="East One"),
            _account("north-one", team="North", name="North One", owner="Zhou Lan"),
            _account("north-two", team="north", name="North Two", owner="Li Wei"))


def test_with_two_teams_the_overview_sums_up_and_filters_by_team(
        review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, *_two_teams())
    overview = pages["index.md"]
    teams = _section(overview, "## Teams")
    assert "| East | 1 | Li Wei |" in teams and "| North | 2 | Li Wei, Zhou Lan |" in teams
    # Four open actions on each account, two of them overdue.
    assert re.search(r"\| North \| 2 \| Li Wei, Zhou Lan \| .* \| 8 \| 4 \|$", teams,
                     flags=re.MULTILINE)
    accounts = _section(overview, "## Accounts")
    assert 'data-filters="Owner,Verdict,Team,Class,Focus,ABC"' in accounts
    assert "| Account | Owner | Verdict | Team | Class |" in accounts
    rows = [line for line in accounts.splitlines() if line.startswith("| [")]
    assert [re.match(r"\| \[([^]]+)\]", row)[1] for row in rows] == [  # type: ignore[index]
        "East One", "North One", "North Two"]
    assert all(row.split(" | ")[3] == team for row, team in zip(
        rows, ["East", "North", "North"], strict=True))
    due = _section(overview, "## Actions due before the next review")
    assert 'data-filters="Team,Owner"' in due and "| Account | Team | Owner |" in due


def test_a_teams_revenue_adds_no_two_currencies_as_one(review_accounts: Reviewer) -> None:
    """Without rates, a team holding accounts in two currencies shows a total in each, with
    its currency; a team of one currency, its own."""
    east, north_one, north_two = _two_teams()
    _, pages = _pages(review_accounts, east, north_one | {"currency": "HKD"}, north_two)
    teams = _section(pages["index.md"], "## Teams")
    north = next(line for line in teams.splitlines() if line.startswith("| North |"))
    east_row = next(line for line in teams.splitlines() if line.startswith("| East |"))
    # The healthy account's last 4 quarters: 4.25M in each account's currency.
    assert "CN¥4.25M<br>HK$4.25M" in north
    assert "CN¥4.25M" in east_row and "HK$" not in east_row


_READY = ("fits_target_profile", "basic_data_known", "competitors_known", "needs_known",
          "budget_known", "project_team_known", "interest_confirmed", "company_recognised",
          "project_need", "initial_budget", "leadership_backing", "timeline_set",
          "third_parties_involved", "our_team_set_up")


def test_a_note_is_no_warning(review_accounts: Reviewer) -> None:
    """A deal ready for its next stage is a note (severity info) of the funnel's kind: the
    account page says it, the risk register and the open warnings of owners and teams do
    not count it."""
    ready = _account("east-one", team="East", name="East One", actions=[])
    ready["opportunities"][0]["evidence"] = dict.fromkeys(_READY, True)
    result, pages = _pages(review_accounts, ready, *_two_teams()[1:])
    assert "stage.ready-to-advance" in {f.rule for f in result.accounts[0].findings}
    page = pages["accounts/east-one.md"]
    assert "stage-ready-to-advance" in page
    # The card's top findings are warnings: the note is not among them, nor does anything
    # there ask the plan for an action against it.
    card = page.split("## At a glance", 1)[0]
    assert "Ready for the next stage" not in card
    assert "stage-ready-to-advance" not in pages["risks.md"]
    assert "kam-sev-info" not in _section(pages["index.md"], "## Teams")
    assert "kam-sev-info" not in pages["owners.md"].split("| Open warnings |", 1)[1]


def test_with_two_teams_the_risk_register_filters_by_team(review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, *_two_teams())
    register = pages["risks.md"]
    assert 'data-filters="Severity,Kind,Owner,Rule,Team"' in register
    assert "Filter by kind, severity, owner, team or rule" in register
    rows = [line for line in register.splitlines() if line.startswith("| [")]
    assert rows and {row.rstrip(" |").rsplit(" | ", 1)[1] for row in rows} == {"East", "North"}


def test_one_team_is_no_grouping(review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, _account("a", team="East"), _account("b", team="east"))
    assert "## Teams" not in pages["index.md"]
    assert "Team" not in pages["risks.md"].split("<div", 1)[1]
    owners = pages["owners.md"]
    assert re.findall(r"^#+ .*$", owners, flags=re.MULTILINE) == [
        "# By owner", "## Gao Ming", "## Li Wei"]


def test_the_owners_page_groups_owners_and_their_actions_by_team(
        review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, *_two_teams())
    owners = pages["owners.md"]
    assert re.findall(r"^#+ .*$", owners, flags=re.MULTILINE) == [
        "# By owner", "## Everyone", "## East {#team-1}", "### Gao Ming", "### Li Wei",
        "## North {#team-2}", "### Gao Ming", "### Li Wei", "### Zhou Lan"]
    assert "Teams: [East](#team-1) · [North](#team-2)" in owners
    north = owners.split("## North {#team-2}", 1)[1]
    gao = _section(north, "### Gao Ming")
    # Someone who owns no account, only actions: their actions, no accounts table.
    assert "Open actions: 2, 0 overdue." in gao and "| Account | Class |" not in gao
    li_wei = _section(north, "### Li Wei")
    assert "| [North Two](accounts/north-two.md) | loyal |" in li_wei
    # Li Wei's actions on both North accounts, the most overdue first.
    dues = re.findall(r"([A-Z][a-z]{2} \d{1,2}, \d{4}): (?:\d+ days? overdue|due today|"
                      r"in \d+ days?)", li_wei)
    assert dues == ["Sep 1, 2026", "Sep 1, 2026", "Sep 29, 2026", "Sep 29, 2026",
                    "Oct 20, 2026", "Oct 20, 2026"]
    assert "Open actions: 6, 4 overdue." in li_wei
    zhou = _section(north, "### Zhou Lan")
    assert "| [North One](accounts/north-one.md) |" in zhou and "Open actions" not in zhou


def test_accounts_without_a_team_come_last(review_accounts: Reviewer) -> None:
    _, pages = _pages(review_accounts, _account("a", name="Alpha"),
                      _account("z", team="Zeta", name="Zulu"))
    rows = [line for line in _section(pages["index.md"], "## Accounts").splitlines()
            if line.startswith("| [")]
    assert [row.split(" | ")[3] for row in rows] == ["Zeta", "(no team)"]
    owners = re.findall(r"^## .*$", pages["owners.md"], flags=re.MULTILINE)
    assert owners == ["## Everyone", "## Zeta {#team-1}", "## (no team) {#team-2}"]


def test_the_risk_register_says_what_is_planned_against_each_warning(
        review_accounts: Reviewer) -> None:
    """Each warning's row names the open action that answers it, with its owner and due
    date; a warning no open action answers says nothing is planned."""
    answered = _account(actions=[{"what": "Visit the buying team", "owner": "Gao Ming",
                                  "due": "2026-10-20", "answers": "risk.single-threaded"}])
    answered["contacts"] = answered["contacts"][:1]
    answered["activities"] = [a for a in answered["activities"]
                              if set(a.get("with", [])) <= {answered["contacts"][0]["name"]}]
    _, pages = _pages(review_accounts, answered)
    rows = {line.split(" | ")[4]: line for line in pages["risks.md"].splitlines()
            if line.startswith("| [")}
    planned = next(row for rule, row in rows.items() if "Single-threaded" in rule)
    assert ('| <span class="kam-prose">Visit the buying team (Gao Ming, due <span '
            'data-sort="20261020">Oct 20, 2026: in 20 days</span>)</span> |') in planned
    unanswered = [row for rule, row in rows.items() if "Single-threaded" not in rule]
    assert unanswered and all('| <span class="kam-prose">*nothing planned*</span> |' in row
                              for row in unanswered)


def test_a_warning_a_done_action_answered_says_so_in_the_register_and_on_the_card(
        review_accounts: Reviewer) -> None:
    """Something was done about it, and nothing is open next: not "nothing planned"."""
    account = _account(actions=[
        {"what": "Visit the buying team", "owner": "Gao Ming", "due": "2026-09-20",
         "status": "done", "outcome": "Visited on 2026-09-18", "answers": "risk.single-threaded"}])
    account["contacts"] = account["contacts"][:1]
    account["activities"] = [a for a in account["activities"]
                             if set(a.get("with", [])) <= {account["contacts"][0]["name"]}]
    _, pages = _pages(review_accounts, account)
    row = next(line for line in pages["risks.md"].splitlines()
               if line.startswith("| [") and "Single-threaded" in line)
    assert ('| <span class="kam-prose">*nothing open*; done: Visit the buying team (Gao Ming)'
            '</span> |') in row
    page = next(text for name, text in pages.items() if name.startswith("accounts/"))
    assert ("Done (Gao Ming): Visit the buying team; no open action of the plan answers it "
            "now.") in page


@pytest.mark.parametrize(("answers", "done"), [
    ("risk.key-contact-left: Chen Jun", True),
    ("risk.key-contact-left:  chen jun", True),
    # Naming no subject, a done action says nothing of whose departure it was about: it was
    # done for an earlier one, perhaps, and this finding is still unanswered.
    ("risk.key-contact-left", False),
])
def test_a_done_action_answers_a_finding_on_a_subject_only_by_naming_it(
        review_accounts: Reviewer, answers: str, done: bool) -> None:
    account = _account(actions=[
        {"what": "Meet the successor", "owner": "Li Wei", "due": "2026-09-20",
         "status": "done", "answers": answers}])
    account["contacts"][2]["left_on"] = "2026-09-01"
    _, pages = _pages(review_accounts, account)
    row = next(line for line in pages["risks.md"].splitlines()
               if line.startswith("| [") and "Chen Jun" in line)
    assert ("done: Meet the successor (Li Wei)" in row) is done, row
    assert ('*nothing planned*' in row) is not done, row


def test_a_plan_of_actions_only_says_it_has_no_goals(review_accounts: Reviewer) -> None:
    """The plan section is never an empty heading: without goals it says what they are."""
    without = _account(actions=[{"what": "Call the CFO", "owner": "Li Wei",
                                 "due": "2026-10-29"}])
    del without["plan"]["goals"]
    without["plan"].pop("growth_target", None)
    _, pages = _pages(review_accounts, without)
    page = pages["accounts/test-account.md"]
    plan = _section(page, "## Account plan {#account-plan}")
    assert plan.strip().startswith("No goals in the plan: the plan's goals say what")
    # On screen only, heading and all: a printed account keeps to its two sheets, and paper
    # never ends on an empty heading.
    before = page.split("## Account plan {#account-plan}", 1)[0].rstrip()
    assert before.endswith('<div class="kam-screen-only" markdown>')
    _, pages = _pages(review_accounts, _account())
    assert "No goals in the plan" not in pages["accounts/test-account.md"]


def test_the_owners_page_counts_each_person_once_over_every_team(
        review_accounts: Reviewer) -> None:
    """Li Wei owns an account in two teams: under each team with part of them, and once in
    full at the top."""
    north = _account("n", team="North", name="North One")
    south = _account("s", team="South", name="South One", actions=[
        {"what": "Call", "owner": "Li Wei", "due": "2026-09-01"},
        {"what": "Visit", "owner": "Gao Ming", "due": "2026-12-01"}])
    _, pages = _pages(review_accounts, north, south)
    everyone = _section(pages["owners.md"], "## Everyone")
    assert "| Li Wei | North, South | 2 |" in everyone
    # Who owns no account but holds actions is in the teams of those actions.
    assert "| Gao Ming | North, South | 0 | 0 | 0 | 2 | 0 |" in everyone
    # Without teams there is one list of people already.
    _, pages = _pages(review_accounts, _account())
    assert "## Everyone" not in pages["owners.md"]


def test_an_action_answers_the_one_finding_of_a_rule_it_names_by_subject(
        review_accounts: Reviewer) -> None:
    """Two key people left; the action on Chen Jun's successor is planned against his
    finding, not Wang Fang's."""
    account = _account(actions=[
        {"what": "Meet Chen Jun's successor", "owner": "Li Wei", "due": "2026-10-15",
         "answers": "risk.key-contact-left: chen  jun"}])
    for contact in account["contacts"][1:]:
        contact["left_on"] = "2026-08-31"
    _, pages = _pages(review_accounts, account)
    rows = [line for line in pages["risks.md"].splitlines()
            if line.startswith("| [") and "A key person changed" in line]
    planned = {row.split(" | ")[5]: row for row in rows}
    assert "Meet Chen Jun&#39;s successor (Li Wei, due" in planned["Chen Jun"]
    assert "*nothing planned*" in planned["Wang Fang"]
    # The plan's table of actions says which finding the action answers.
    page = pages["accounts/test-account.md"]
    assert "[A key person changed](#finding-risk-key-contact-left) (chen jun) |" in page
    assert "Planned (Li Wei, due" in page.split("[Wang Fang]", 1)[0].split("[Chen Jun]", 1)[1]
