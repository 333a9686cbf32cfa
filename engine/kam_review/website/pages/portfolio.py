"""The portfolio pages: overview, risk register, funnel and forecast, owners, changes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kam_review.output.diff_report import change_text
from kam_review.output.markdown_text import code, esc, table
from kam_review.review.diff import Diff
from kam_review.review.results import UNCLASSIFIED, AccountResult, Result
from kam_review.review.tally import count_findings, warning_kind
from kam_review.vocabulary import (
    BUCKET_CLOSED_UNCONFIRMED,
    BUCKET_ORDER,
    Kind,
    Mark,
    Severity,
    Status,
)
from kam_review.website.pages.common import (
    WIDE_PAGE,
    account_fact,
    account_link,
    account_num,
    date_cell,
    described,
    fact_num,
    filterable,
    marked,
    rule_link,
    severity_badge,
    waived_high_note,
    waiver_text,
)
from kam_review.website.pages.overview_charts import (
    abc_classes,
    funnel_charts,
    portfolio_charts,
    revenue_cell,
)
from kam_review.website.pages.totals import Totals


def overview_page(result: Result, totals: Totals | None = None) -> str:
    accounts, formats = result.accounts, result.formats
    totals = totals or Totals(formats)
    as_of = formats.date(result.as_of)
    lines = [WIDE_PAGE + f"# Portfolio review as of {as_of}", ""]
    lines.append(f"{len(accounts)} key accounts. Every figure on these pages is as of the "
                 f"review date {as_of}; the last complete quarter is "
                 f"{accounts[0].facts[0]['last_quarter'] if accounts else '—'}.")
    lines.append("")
    lines += totals.note(a.formats.currency for a in accounts)
    if result.errors:
        lines += _errors_section(result)
    lines += ["## At a glance", ""]
    classes = Counter(a.klass for a in accounts)
    focus = Counter(a.focus or "no scorecard" for a in accounts)
    counts = count_findings(f for a in accounts for f in a.findings)
    severities, waived = counts.by_severity(), counts.by_severity(waived=True)
    # Classes and focus cells in the order their rules are tried: a team's own show too.
    rulebook = result.rulebook
    lines.append('<div class="kam-glance" markdown>\n')
    lines.append(table(["Class", "Accounts"], [
        [c, str(classes[c])] for c in (*rulebook.labels(Kind.CLASS), UNCLASSIFIED)
        if classes[c]]))
    lines.append(table(["Focus", "Accounts"], [
        [c, str(focus[c])] for c in (*rulebook.labels(Kind.FOCUS), "no scorecard")
        if focus[c]]))
    lines.append(table(["Severity", "Open findings", "Waived"], [
        [severity_badge(s), str(severities[s]), str(waived[s])] for s in Severity]))
    kinds, kinds_waived = counts.by_kind(), counts.by_kind(waived=True)
    lines.append(table(["Kind", "Open findings", "Waived"], [
        [kind.value, str(kinds[kind]), str(kinds_waived[kind])] for kind in Kind]))
    lines.append("</div>\n")
    lines += waived_high_note(result.waived_high)
    lines += portfolio_charts(result, totals)
    abc = abc_classes(result, totals)
    lines += ["## Accounts", ""]
    rows = []
    for item in sorted(accounts, key=lambda a: a.account.name.lower()):
        worst = item.worst
        rows.append([
            account_link(item.account), esc(item.account.owner), esc(result.class_shown(item)),
            item.focus or "—", revenue_cell(item, totals), account_num(item, "growth_yearly"),
            account_num(item, "gross_margin_ttm"), abc[item.account.id],
            f"{severity_badge(worst.severity)} {esc(worst.message)}" if worst else "—",
        ])
    lines.append(filterable(table(["Account", "Owner", "Class", "Focus",
                                   described("revenue_ttm").label, "Growth", "Margin", "ABC",
                                   "Worst open finding"], rows),
                            ["Owner", "Class", "Focus", "ABC"]))
    lines += _data_section(result)
    return "\n".join(lines)


def _data_section(result: Result) -> list[str]:
    """Every account's data freshness: its latest quarter on file against the review's last
    complete quarter, the gaps in its history, its last activity."""
    lines = ["## Data completeness", "",
             "Figures a missing quarter would need are unknown, never zero: an account behind "
             "or with gaps carries a data finding instead of a revenue verdict.", ""]
    rows = []
    for item in sorted(result.accounts, key=lambda a: a.account.name.lower()):
        behind = account_fact(item, "quarters_unreported")
        rows.append([account_link(item.account), esc(item.account.owner),
                     esc(account_fact(item, "latest_quarter")),
                     fact_num(behind, "quarters_unreported"),
                     esc(account_fact(item, "gap_list")),
                     date_cell(account_fact(item, "last_activity"), item.formats, "none"),
                     account_num(item, "days_since_activity"),
                     f'<span data-value="{len(item.not_evaluated)}">'
                     f"{len(item.not_evaluated)}</span>"])
    lines.append(filterable(table(["Account", "Owner", "Latest quarter", "Quarters behind",
                                   "Gaps (last 8 quarters)", "Last activity",
                                   "Days since", "Rules not evaluated"], rows),
                            ["Owner", "Latest quarter"]))
    unknown = [item for item in result.accounts if item.not_evaluated]
    count = sum(len(item.not_evaluated) for item in unknown)
    lines += ["", f"Not evaluated: {count} rule(s) on {len(unknown)} account(s), each listed "
              "on its account page with the data it needs.", ""]
    return lines


def _errors_section(result: Result) -> list[str]:
    lines = ["## Input errors", "",
             f"{len(result.errors)} problem(s) in the input files; accounts with errors are "
             "not part of this review until they are fixed.", ""]
    lines.append(table(["File", "Line", "Field", "Problem"], [
        [esc(e.file), str(e.line), esc(e.field), esc(e.message)] for e in result.errors]))
    return lines


def risks_page(result: Result) -> str:
    lines = [WIDE_PAGE + "# Risk register", "",
             "Every warning across the portfolio (risks, funnel and plan findings), most severe "
             "first. Filter by kind, severity, owner or rule; click a header to sort.", ""]
    lines += waived_high_note(result.waived_high)
    found = sorted(((f, item.account) for item in result.accounts for f in item.findings
                    if f.kind.warns), key=lambda pair: (pair[0].sort_key(),
                                                                    pair[1].id))
    rows = [[account_link(account), esc(account.owner), severity_badge(finding.severity),
             finding.kind, rule_link(finding.rule), esc(finding.subject), esc(finding.message),
             waiver_text(finding, result.formats)] for finding, account in found]
    lines.append(filterable(table(["Account", "Owner", "Severity", "Kind", "Rule", "Subject",
                                   "Finding", "Waiver"], rows),
                            ["Severity", "Kind", "Owner", "Rule"]))
    return "\n".join(lines)


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
    deals = _opportunity_facts(result)
    lines = [WIDE_PAGE + "# Funnel and forecast", "",
             f"{len(deals)} opportunities as of {result.formats.date(result.as_of)}. Weighted "
             "value = value × probability.", ""]
    lines += totals.note(item.formats.currency for item, _ in deals)
    lines += ["## By stage", ""]
    rows = []
    for stage in result.rulebook.stages:
        at = [(item, f) for item, f in deals if f["stage"] == stage.id]
        rows.append([f"{stage.index}. {esc(stage.name)}", esc(stage.owner), str(len(at)),
                     _deal_sum(at, "value", totals), _deal_sum(at, "weighted_value", totals)])
    lost = [(item, f) for item, f in deals if f["stage"] == Status.LOST]
    rows.append(["Lost", "—", str(len(lost)), _deal_sum(lost, "value", totals), "—"])
    lines += funnel_charts(result, deals, totals)
    lines.append(table(["Stage", "Owner", "Deals", "Value", "Weighted value"], rows))
    lines += ["## By forecast bucket", "",
              "A deal marked closed counts as closed only once it is signed, paid and shipped "
              f"(seed 004); until then it is forecast as \"{BUCKET_CLOSED_UNCONFIRMED}\".", ""]
    rows = []
    for bucket in BUCKET_ORDER:
        at = [(item, f) for item, f in deals if f.get("forecast_bucket") == bucket]
        if at:
            rows.append([bucket, str(len(at)), _deal_sum(at, "value", totals),
                         _deal_sum(at, "weighted_value", totals)])
    lines.append(table(["Expected close", "Deals", "Value", "Weighted value"], rows))
    lines += ["## Every opportunity", ""]
    flagged = {(item.account.id, subject): words for item in result.accounts
               for subject, words in marked(item, result.rulebook, Mark.DEAL_AT_RISK).items()}
    rows = []
    for item, fact in sorted(deals, key=lambda d: (d[1]["stage_index"], d[0].account.id,
                                                   d[1]["subject"])):
        account = item.account
        flags = esc(", ".join(sorted(flagged.get((account.id, fact["subject"]), []))))
        rows.append([account_link(account), esc(account.owner), esc(fact["name"]),
                     esc(fact["stage"]), esc(fact.get("forecast_bucket") or "—"),
                     *(_deal_num(item, fact, name, totals)
                       for name in ("value", "probability", "weighted_value")),
                     date_cell(fact.get("expected_close"), item.formats), flags or "—"])
    lines.append(filterable(table(["Account", "Owner", "Opportunity", "Stage", "Forecast",
                                   "Value", "Probability", "Weighted", "Expected close",
                                   "At risk"], rows),
                            ["Owner", "Stage", "Forecast", "At risk"]))
    return "\n".join(lines)


def _deal_num(item: AccountResult, fact: dict[str, Any], name: str, totals: Totals) -> str:
    """A deal's figure in its account's currency; money sorts by its worth in the totals'
    currency."""
    value = fact.get(name)
    if value is None or name == "probability":
        return fact_num(value, name, "opportunity", item.formats)
    return (f'<span data-value="{totals.of(item, value)[1]}">'
            f"{item.formats.money(value)}</span>")


def owners_page(result: Result) -> str:
    lines = [WIDE_PAGE + "# By owner", "", "Each key account manager's accounts, open warnings and "
             "pipeline.", ""]
    owners = sorted({item.account.owner for item in result.accounts})
    for owner in owners:
        items = [i for i in result.accounts if i.account.owner == owner]
        lines += [f"## {esc(owner)}", ""]
        rows = []
        for item in sorted(items, key=lambda i: i.account.name.lower()):
            warnings = count_findings(item.findings).by_severity(kinds=warning_kind)
            rows.append([account_link(item.account), esc(result.class_shown(item)),
                         item.focus or "—",
                         account_num(item, "revenue_ttm"),
                         " ".join(f"{severity_badge(s)} {warnings[s]}" for s in Severity
                                  if warnings[s]) or "none",
                         str(account_fact(item, "open_opportunities")),
                         account_num(item, "open_pipeline_value")])
        lines.append(table(["Account", "Class", "Focus", described("revenue_ttm").label,
                            "Open warnings", "Open deals", "Pipeline"], rows))
    return "\n".join(lines)


def changes_page(changes: Diff) -> str:
    base, head = changes.base_result, changes.head_result
    lines = [WIDE_PAGE + "# Changes since the last review", "",
             f"From {code(changes.base)} (reviewed as of {base.formats.date(base.as_of)}) to "
             f"this review (as of {head.formats.date(head.as_of)}): {len(changes.changes)} "
             "change(s).", ""]
    if not changes.changes:
        return "\n".join([*lines, "Nothing changed.", ""])
    accounts = {a.account.id: a.account for a in head.accounts}
    rows = []
    for change in changes.changes:
        account = accounts.get(change.account)
        name = account_link(account) if account else esc(change.account)
        rows.append([name, change.kind.replace("-", " "),
                     severity_badge(change.severity) if change.severity else "",
                     esc(f"{change.rule} {change.subject}".strip()), esc(change.before),
                     esc(change.after)])
    lines.append(filterable(table(["Account", "Change", "Severity", "Subject", "Before",
                                   "After"], rows), ["Change", "Severity"]))
    return "\n".join(lines)


def account_changes_section(changes: Diff, account_id: str) -> str:
    found = changes.for_account(account_id)
    lines = ["## Changes since the last review", "",
             f"Compared with {code(changes.base)} as of "
             f"{changes.base_result.formats.date(changes.base_result.as_of)}.", ""]
    if not found:
        return "\n".join([*lines, "No change.", ""])
    lines += [f"- {esc(change_text(change))}" for change in found]
    return "\n".join([*lines, ""])
