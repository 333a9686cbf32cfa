"""The portfolio pages: overview, risk register, funnel and forecast, owners, changes."""

from __future__ import annotations

from collections import Counter
from typing import Any

from kam_review.output import charts
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import UNCLASSIFIED, Result
from kam_review.review.tally import count_findings, warning_kind
from kam_review.rulebook.figures import revenue_series
from kam_review.source.model import Account
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
    chart,
    described,
    fact_num,
    filterable,
    marked,
    severity_badge,
    waived_high_note,
)
from kam_review.website.pages.plain import finding_cells
from kam_review.wording import counted, noun_form


def overview_page(result: Result) -> str:
    accounts = result.accounts
    lines = [WIDE_PAGE + f"# Portfolio review as of {result.as_of}", ""]
    lines.append(f"{len(accounts)} key accounts. Every figure on these pages is as of the "
                 f"review date {result.as_of}; the last complete quarter is "
                 f"{accounts[0].facts[0]['last_quarter'] if accounts else '—'}.")
    lines.append("")
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
        [kind.heading, str(kinds[kind]), str(kinds_waived[kind])] for kind in Kind]))
    lines.append("</div>\n")
    lines += waived_high_note(result.waived_high, result.rulebook)
    lines += _portfolio_charts(result)
    abc = charts.abc_classes([(a.account.id, account_fact(a, "revenue_ttm") or 0)
                              for a in accounts])
    lines += ["## Accounts", ""]
    rows = []
    for item in sorted(accounts, key=lambda a: a.account.name.lower()):
        worst = item.worst
        rows.append([
            account_link(item.account), esc(item.account.owner), esc(result.class_shown(item)),
            item.focus or "—", account_num(item, "revenue_ttm"), account_num(item, "growth_yearly"),
            account_num(item, "gross_margin_ttm"), abc[item.account.id],
            f"{severity_badge(worst.severity)} {esc(worst.message)}" if worst else "—",
        ])
    lines.append(filterable(table(["Account", "Owner", "Class", "Focus",
                                   described("revenue_ttm").label, "Growth", "Margin", "ABC",
                                   "Worst open finding"], rows),
                            ["Owner", "Class", "Focus", "ABC"]))
    lines += _data_section(result)
    return "\n".join(lines)


def _portfolio_charts(result: Result) -> list[str]:
    accounts = result.accounts
    thresholds = result.rulebook.threshold_values()
    points = [charts.MatrixPoint(a.account.name, account_fact(a, "attractiveness_score"),
                                 account_fact(a, "relationship_score"), f"accounts/{a.account.id}/")
              for a in accounts if account_fact(a, "attractiveness_score") is not None
              and account_fact(a, "relationship_score") is not None]
    lines = ["## Strategic focus matrix", "",
             f"{len(points)} of {counted(len(accounts), 'account')} "
             f"{noun_form(str(len(points)), 'has|have')} a scorecard; click a dot for the "
             "account.", "",
             chart(charts.focus_matrix(points, thresholds.get("focus_high_attractiveness", 3),
                                       thresholds.get("focus_strong_relationship", 3)))]
    revenue = [(a.account.name, account_fact(a, "revenue_ttm") or 0) for a in accounts]
    profit = [(a.account.name, (account_fact(a, "revenue_ttm") or 0)
               * (account_fact(a, "gross_margin_ttm") or 0)) for a in accounts]
    lines += ["## Pareto (ABC) analysis", "",
              "Accounts ranked by the last 4 quarters; class A brings the first 80% of the "
              "total, B the next 15%, C the rest (seeds 002, 004).", "",
              chart(charts.pareto_curve(revenue, title=described("revenue_ttm").label)),
              chart(charts.pareto_curve(profit, title="Gross profit, last 4 quarters"))]
    by_quarter: dict[str, float] = {}
    unknown: Counter[str] = Counter()  # accounts without a row for the quarter
    for item in accounts:
        for quarter, amount, _ in revenue_series(item.account, result.as_of):
            by_quarter[str(quarter)] = by_quarter.get(str(quarter), 0) + (amount or 0)
            unknown[str(quarter)] += amount is None
    quarters = sorted(by_quarter)[-8:]
    lines += ["## Portfolio revenue by quarter", "",
              chart(charts.bar_chart(quarters, [by_quarter[q] for q in quarters],
                                     "Portfolio revenue"))]
    missing = [f"{q} leaves out {counted(unknown[q], 'account')} without a row for it"
               for q in quarters if unknown[q]]
    if missing:
        lines += ["Sums of the rows on file: " + "; ".join(missing)
                  + " (see Data completeness).", ""]
    return lines


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
                     esc(account_fact(item, "last_activity") or "none"),
                     account_num(item, "days_since_activity"),
                     f'<span data-value="{len(item.not_evaluated)}">'
                     f"{len(item.not_evaluated)}</span>"])
    lines.append(filterable(table(["Account", "Owner", "Latest quarter", "Quarters behind",
                                   "Gaps (last 8 quarters)", "Last activity",
                                   "Days since", "Rules not evaluated"], rows),
                            ["Owner", "Latest quarter"]))
    unknown = [item for item in result.accounts if item.not_evaluated]
    count = sum(len(item.not_evaluated) for item in unknown)
    lines += ["", f"Not evaluated: {counted(count, 'rule')} on {counted(len(unknown), 'account')}"
              ", each listed on its account page with the data it needs.", ""]
    return lines


def _errors_section(result: Result) -> list[str]:
    lines = ["## Input errors", "",
             f"{counted(len(result.errors), 'problem')} in the input files; accounts with "
             "errors are not part of this review until they are fixed.", ""]
    lines.append(table(["File", "Line", "Field", "Problem"], [
        [esc(e.file), str(e.line), esc(e.field), esc(e.message)] for e in result.errors]))
    return lines


def risks_page(result: Result) -> str:
    lines = [WIDE_PAGE + "# Risk register", "",
             "Every warning across the portfolio (risks, funnel and plan findings), most severe "
             "first. Filter by kind, severity, owner or rule; click a header to sort.", ""]
    lines += waived_high_note(result.waived_high, result.rulebook)
    found = sorted(((f, item) for item in result.accounts for f in item.findings
                    if f.kind.warns), key=lambda pair: (pair[0].sort_key(),
                                                        pair[1].account.id))
    rows = []
    for finding, item in found:
        title, subject, message, _, waiver = finding_cells(finding, item, result.rulebook, "")
        rows.append([account_link(item.account), esc(item.account.owner),
                     severity_badge(finding.severity), finding.kind.heading, title, subject,
                     message, waiver])
    lines.append(filterable(table(["Account", "Owner", "Severity", "Kind", "Rule", "Subject",
                                   "Finding", "Waiver"], rows),
                            ["Severity", "Kind", "Owner", "Rule"]))
    return "\n".join(lines)


def _opportunity_facts(result: Result) -> list[tuple[Account, dict[str, Any]]]:
    return [(item.account, fact) for item in result.accounts for fact in item.facts
            if fact["type"] == "opportunity"]


def _deal_sum(deals: list[dict[str, Any]], name: str) -> str:
    """The total of one money figure over some opportunities (an unknown one counts 0)."""
    return fact_num(sum(f.get(name, 0) for f in deals), name, "opportunity")


def funnel_page(result: Result) -> str:

    deals = _opportunity_facts(result)
    lines = [WIDE_PAGE + "# Funnel and forecast", "",
             f"{counted(len(deals), 'opportunity')} as of {result.as_of}. Weighted value = "
             "value × "
             "probability.", "", "## By stage", ""]
    rows = []
    for stage in result.rulebook.stages:
        at = [f for _, f in deals if f["stage"] == stage.id]
        rows.append([f"{stage.index}. {esc(stage.name)}", esc(stage.owner), str(len(at)),
                     _deal_sum(at, "value"), _deal_sum(at, "weighted_value")])
    lost = [f for _, f in deals if f["stage"] == Status.LOST]
    rows.append(["Lost", "—", str(len(lost)), _deal_sum(lost, "value"), "—"])
    lines.append(chart(charts.funnel_chart([
        (stage.name, sum(1 for _, f in deals if f["stage"] == stage.id),
         sum(f.get("value", 0) for _, f in deals if f["stage"] == stage.id))
        for stage in result.rulebook.stages])))
    lines.append(table(["Stage", "Owner", "Deals", "Value", "Weighted value"], rows))
    lines += ["## By forecast bucket", "",
              "A deal marked closed counts as closed only once it is signed, paid and shipped "
              f"(seed 004); until then it is forecast as \"{BUCKET_CLOSED_UNCONFIRMED}\".", ""]
    rows = []
    for bucket in BUCKET_ORDER:
        at = [f for _, f in deals if f.get("forecast_bucket") == bucket]
        if at:
            rows.append([bucket, str(len(at)), _deal_sum(at, "value"),
                         _deal_sum(at, "weighted_value")])
    lines.append(table(["Expected close", "Deals", "Value", "Weighted value"], rows))
    lines += ["## Every opportunity", ""]
    flagged = {(item.account.id, subject): words for item in result.accounts
               for subject, words in marked(item, result.rulebook, Mark.DEAL_AT_RISK).items()}
    rows = []
    for account, fact in sorted(deals, key=lambda d: (d[1]["stage_index"], d[0].id,
                                                      d[1]["subject"])):
        flags = esc(", ".join(sorted(flagged.get((account.id, fact["subject"]), []))))
        rows.append([account_link(account), esc(account.owner), esc(fact["name"]),
                     esc(fact["stage_name"]), esc(fact.get("forecast_bucket") or "—"),
                     *(fact_num(fact.get(name), name, "opportunity")
                       for name in ("value", "probability", "weighted_value")),
                     esc(fact.get("expected_close", "—")), flags or "—"])
    lines.append(filterable(table(["Account", "Owner", "Opportunity", "Stage", "Forecast",
                                   "Value", "Probability", "Weighted", "Expected close",
                                   "At risk"], rows),
                            ["Owner", "Stage", "Forecast", "At risk"]))
    return "\n".join(lines)


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

