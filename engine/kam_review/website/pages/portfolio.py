"""The portfolio pages: overview, risk register, funnel and forecast, owners."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kam_review.errors import unreviewed_files
from kam_review.i18n import _
from kam_review.output.kept_parts import part
from kam_review.output.markdown_text import esc, table
from kam_review.review.movement import Movement
from kam_review.review.results import UNCLASSIFIED, AccountResult, Finding, Result
from kam_review.review.tally import count_findings
from kam_review.vocabulary import (
    BUCKET_CLOSED_UNCONFIRMED,
    BUCKET_ORDER,
    Kind,
    Mark,
    Severity,
    Status,
)
from kam_review.website.pages.action_lists import (
    due_before_next_review_section,
)
from kam_review.website.pages.cells import date_cell, sorted_by
from kam_review.website.pages.common import (
    WIDE_PAGE,
    account_fact,
    account_link,
    account_num,
    described,
    fact_num,
    filterable,
    growth_cell,
    growth_note,
    marked,
    prose,
    severity_badge,
    waived_high_note,
)
from kam_review.website.pages.downloads import download
from kam_review.website.pages.forecast import forecast_sections
from kam_review.website.pages.goals import goals_overview
from kam_review.website.pages.movement import movement_summary
from kam_review.website.pages.overview_charts import (
    abc_classes,
    funnel_charts,
    portfolio_charts,
    revenue_cell,
)
from kam_review.website.pages.plain import finding_cells
from kam_review.website.pages.planned import planned_cell
from kam_review.website.pages.printing import screen_only
from kam_review.website.pages.teams import (
    team_column,
    team_order,
    teams_section,
)
from kam_review.website.pages.totals import Totals
from kam_review.website.pages.verdict import verdict_cell, verdict_overview
from kam_review.website.pages.waivers import unmatched_in, unmatched_note
from kam_review.wording import counted


def overview_page(result: Result, totals: Totals | None = None,
                  movement: Movement | None = None) -> str:
    accounts, formats = result.accounts, result.formats
    totals = totals or Totals(formats)
    as_of = formats.date(result.as_of)
    lines = [WIDE_PAGE + "# " + _("Portfolio review as of {date}").format(date=as_of), ""]
    lines.append(_("{count} key accounts. Every figure on these pages is as of the review date "
                   "{date}; the last complete quarter is {quarter}.").format(
        count=len(accounts), date=as_of, quarter=formats.quarter(
            str(accounts[0].facts[0]['last_quarter'])) if accounts else '—'))
    lines.append("")
    lines += totals.note(a.formats.currency for a in accounts)
    if result.errors:
        lines += _errors_section(result)
    lines += [f"## {_('At a glance')}", ""]
    classes = Counter(a.klass for a in accounts)
    focus = Counter(a.focus or "no scorecard" for a in accounts)
    counts = count_findings(f for a in accounts for f in a.findings)
    severities, waived = counts.by_severity(), counts.by_severity(waived=True)
    # Classes and focus cells in the order their rules are tried: a team's own show too.
    rulebook = result.rulebook
    lines.append('<div class="kam-glance" markdown>\n')
    lines.append(table(["Class", "Accounts"], [
        [_(c), str(classes[c])] for c in (*rulebook.labels(Kind.CLASS), UNCLASSIFIED)
        if classes[c]]))
    lines.append(table(["Focus", "Accounts"], [
        [_(c), str(focus[c])] for c in (*rulebook.labels(Kind.FOCUS), "no scorecard")
        if focus[c]]))
    lines.append(table(["Severity", "Open findings", "Waived"], [
        [severity_badge(s), str(severities[s]), str(waived[s])] for s in Severity]))
    kinds, kinds_waived = counts.by_kind(), counts.by_kind(waived=True)
    lines.append(table(["Kind", "Open findings", "Waived"], [
        [kind.heading, str(kinds[kind]), str(kinds_waived[kind])] for kind in Kind
        if kind.finds]))
    lines.append("</div>\n")
    lines += waived_high_note(result.waived_high, result.rulebook)
    lines += unmatched_note(unmatched_in(result.accounts, result), result)
    lines += verdict_overview(result)
    lines += goals_overview(result)
    lines += movement_summary(result, movement)
    lines += portfolio_charts(result, totals)
    abc = abc_classes(result, totals)
    lines += teams_section(result, totals)
    lines += [f"## {_('Accounts')}", ""]
    # Grouped by team, when there are teams: a column, a filter and the rows in team order.
    teams = team_column(accounts)
    rows = []
    for item in sorted(accounts, key=lambda a: (team_order(teams.get(a.account.id, "")),
                                                a.account.name.lower())):
        shown = (teams.get(item.account.id) if teams else None, abc[item.account.id])
        rows.append(part("index.md", (item,), shown, _account_row, item, result, totals, teams,
                         abc))
    lines.append(filterable(table(["Account", "Owner", "Verdict",
                                   *(["Team"] if teams else []), "Class", "Focus",
                                        described("revenue_ttm").english_label,
                                        # The figure's own name, as the account page has it:
                                        # growth over a year, not year on year.
                                        described("growth_yearly").english_label,
                                        "Margin", "ABC", "Worst open finding"], rows),
                            ["Owner", "Verdict", *(["Team"] if teams else []), "Class", "Focus",
                             "ABC"]))
    lines += ["", growth_note(), ""]
    lines += due_before_next_review_section(result)
    lines += _data_section(result)
    return "\n".join(lines)


def _account_row(item: AccountResult, result: Result, totals: Totals, teams: dict[str, str],
                 abc: dict[str, str]) -> list[str]:
    worst = item.worst_warning
    return [account_link(item.account), esc(item.account.owner), verdict_cell(item),
            *([esc(teams[item.account.id])] if teams else []), esc(result.class_shown(item)),
            _(item.focus or "—"), revenue_cell(item, totals), growth_cell(item),
            account_num(item, "gross_margin_ttm"), abc[item.account.id],
            f"{severity_badge(worst.severity)} {esc(worst.message)}" if worst else "—"]


def _data_section(result: Result) -> list[str]:
    """Every account's data freshness: its first and latest quarters on file (the latest
    against the review's last complete quarter), the gaps in its history, its last
    activity."""
    lines = [f"## {_('Data completeness')}", "",
             _("Figures a missing quarter would need are unknown, never zero: an account behind "
               "or with gaps carries a data finding instead of a revenue verdict."), ""]
    rows = []
    for item in sorted(result.accounts, key=lambda a: a.account.name.lower()):
        behind = account_fact(item, "quarters_unreported")
        # Where its rows start: the portfolio's quarters before it leave the account out.
        first = min((row.quarter for row in item.account.financials),
                    key=lambda quarter: quarter.index, default=None)
        rows.append([account_link(item.account), esc(item.account.owner),
                     "—" if first is None else esc(item.formats.quarter(str(first))),
                     esc(item.formats.quarter(str(account_fact(item, "latest_quarter")))),
                     fact_num(behind, "quarters_unreported"),
                     esc(_(account_fact(item, "gap_list"))),
                     date_cell(account_fact(item, "last_activity"), item.formats, _("none")),
                     account_num(item, "days_since_activity"),
                     sorted_by(str(len(item.not_evaluated)), len(item.not_evaluated))])
    lines.append(filterable(table(["Account", "Owner", "First quarter", "Latest quarter",
                                   "Quarters behind",
                                   "Gaps (last 8 quarters)", "Last activity",
                                   "Days since", "Rules not evaluated"], rows),
                            ["Owner", "Latest quarter"]))
    unknown = [item for item in result.accounts if item.not_evaluated]
    count = sum(len(item.not_evaluated) for item in unknown)
    lines += ["", _("Not evaluated: {rules} on {accounts}, each listed on its account page "
                    "with the data it needs.").format(rules=counted(count, 'rule'),
                                                      accounts=counted(len(unknown), 'account')),
              ""]
    return lines


def _errors_section(result: Result) -> list[str]:
    unreviewed = unreviewed_files(result.errors, {a.account.id for a in result.accounts})
    said = _("{problems} in the input files.").format(
        problems=counted(len(result.errors), 'problem'))
    if unreviewed:
        said += _(" Not part of this review until they are fixed: {files}.").format(
            files=_(", ").join(esc(file) for file in unreviewed))
    lines = [f"## {_('Input errors')}", "", said, ""]
    lines.append(table(["File", "Line", "Field", "Problem"], [
        [esc(e.file), str(e.line), esc(e.field), esc(e.message)] for e in result.errors]))
    return lines


def risks_page(result: Result) -> str:
    teams = team_column(result.accounts)
    lines = [WIDE_PAGE + f"# {_('Risk register')}", "",
             _("Every warning across the portfolio (risks, funnel and plan findings), most severe "
               "first."), "",
             # How to filter and sort is for the screen; paper has neither.
             *screen_only([_("Filter by kind, severity, owner{team} or rule; click a header to "
                             "sort.").format(team=_(', team') if teams else ''), ""])]
    lines += download("risks.csv", _("the risk register"), result.as_of)
    lines += waived_high_note(result.waived_high, result.rulebook)
    lines += unmatched_note(unmatched_in(result.accounts, result), result)
    items = {item.account.id: item for item in result.accounts}
    rows = []
    for finding, account in result.warnings():
        item = items[account.id]
        rows.append(part("risks.md", (finding, item), teams.get(account.id) if teams else None,
                         _risk_row, finding, item, result, teams))
    lines.append(filterable(table(["Account", "Owner", "Severity", "Kind", "Rule", "Subject",
                                   "Finding", "Planned", "Waiver", *(["Team"] if teams else [])],
                                  rows),
                            ["Severity", "Kind", "Owner", "Rule", *(["Team"] if teams else [])]))
    return "\n".join(lines)


def _risk_row(finding: Finding, item: AccountResult, result: Result,
              teams: dict[str, str]) -> list[str]:
    account = item.account
    title, subject, message, _action, waiver = finding_cells(finding, item, result.rulebook, "")
    return [account_link(account), esc(account.owner), severity_badge(finding.severity),
            finding.kind.heading, title, subject, prose(message),
            prose(planned_cell(finding, item, result)),
            waiver, *([esc(teams[account.id])] if teams else [])]


def _opportunity_facts(result: Result) -> list[tuple[AccountResult, dict[str, Any]]]:
    return [(item, fact) for item in result.accounts for fact in item.facts
            if fact["type"] == "opportunity"]


Deals = list[tuple[AccountResult, dict[str, Any]]]


def _deal_sum(deals: Deals, name: str, totals: Totals) -> str:
    """The total of one money figure over some opportunities (an unknown one counts 0), one
    per currency unless the rates convert them."""
    return totals.cell((item.formats.currency, fact.get(name, 0)) for item, fact in deals)



def funnel_page(result: Result, totals: Totals | None = None) -> str:
    totals = totals or Totals(result.formats)
    every = _opportunity_facts(result)
    # A deal won or lost before the review's quarter is history, not the current funnel.
    deals = [(item, fact) for item, fact in every if not fact["is_history"]]
    lines = [WIDE_PAGE + f"# {_('Funnel and forecast')}", "",
             _("{deals} as of {date}. Weighted value = value × probability.").format(
                 deals=counted(len(every), 'opportunity'), date=result.formats.date(result.as_of)),
             ""]
    lines += totals.note(item.formats.currency for item, _ in every)
    lines += forecast_sections(result, totals)
    lines += [f"## {_('By stage')}", ""]
    rows = []
    for stage in result.rulebook.stages:
        at = [(item, f) for item, f in deals if f["stage"] == stage.id]
        rows.append([f"{stage.index}. {esc(stage.name)}", esc(stage.owner), str(len(at)),
                     _deal_sum(at, "value", totals), _deal_sum(at, "weighted_value", totals)])
    lost = [(item, f) for item, f in deals if f["stage"] == Status.LOST]
    rows.append([_("Lost"), "—", str(len(lost)), _deal_sum(lost, "value", totals), "—"])
    lines += funnel_charts(result, deals, totals)
    lines.append(table(["Stage", "Stage owner", "Deals", "Value", "Weighted value"], rows))
    lines += [f"## {_('By forecast bucket')}", "",
              _("A deal marked closed counts as closed only once it is signed, paid and shipped; "
                "until then it is forecast as \"{bucket}\".").format(
                  bucket=_(BUCKET_CLOSED_UNCONFIRMED)), ""]
    rows = []
    for bucket in BUCKET_ORDER:
        at = [(item, f) for item, f in deals if f.get("forecast_bucket") == bucket]
        if at:
            rows.append([_(bucket), str(len(at)), _deal_sum(at, "value", totals),
                         _deal_sum(at, "weighted_value", totals)])
    lines.append(table(["Expected close", "Deals", "Value", "Weighted value"], rows))
    lines += [f"## {_('Every opportunity')}", ""]
    keyed = [pair for item in result.accounts
             for pair in part("funnel.md", (item,), None, _deal_rows, item, result, totals)]
    rows = [row for _key, row in sorted(keyed, key=lambda pair: pair[0])]
    lines.append(filterable(table(["Account", "Owner", "Opportunity", "Stage", "Forecast",
                                   "Commitment", "Value", "Probability", "Weighted",
                                   "Expected close", "At risk"], rows),
                            ["Owner", "Stage", "Forecast", "Commitment", "At risk"]))
    return "\n".join(lines)


def _deal_rows(item: AccountResult, result: Result, totals: Totals
               ) -> list[tuple[tuple[Any, str, Any], list[str]]]:
    """The rows of an account's opportunities in the list of every opportunity, each with
    its place in the list: by stage, account and subject."""
    account = item.account
    flagged = marked(item, result.rulebook, Mark.DEAL_AT_RISK)
    rows = []
    for fact in item.facts:
        if fact["type"] != "opportunity":
            continue
        flags = esc(_(", ").join(sorted(flagged.get(fact["subject"], []))))
        rows.append(((fact["stage_index"], account.id, fact["subject"]), [
            account_link(account), esc(account.owner), esc(fact["name"]),
            esc(fact["stage_name"]), esc(_(fact.get("forecast_bucket") or "—")),
            esc(_(fact["commit_category"] or "—")),
            *(_deal_num(item, fact, name, totals)
              for name in ("value", "probability", "weighted_value")),
            date_cell(fact.get("expected_close"), item.formats), flags or "—"]))
    return rows


def _deal_num(item: AccountResult, fact: dict[str, Any], name: str, totals: Totals) -> str:
    """A deal's figure in its account's currency; money sorts by its worth in the totals'
    currency."""
    value = fact.get(name)
    if value is None or name == "probability":
        return fact_num(value, name, "opportunity", item.formats)
    return sorted_by(item.formats.money(value), totals.of(item, value)[1])
