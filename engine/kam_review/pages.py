"""The review's pages: a pure function from a Result to Markdown files (path -> text).

MkDocs gets these through the plugin; `kam build` writes them to a folder, so the generator
does not depend on MkDocs and can feed another static site generator.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import charts
from .conditions import outline
from .diff import Diff
from .diff_report import change_text
from .explain import check_text, verdict
from .facts import revenue_series, stage_checklist
from .formatting import format_value, money, pct
from .markdown_text import esc, safe_markdown_html, table
from .model import BUYING_ROLES, LEVELS, Account, Contact, Opportunity
from .results import KIND_ORDER, UNCLASSIFIED, AccountResult, Finding, Result
from .rulebook import SEVERITIES, Rule

ACCOUNTS_DIR = "accounts"
KIND_TITLES = {
    "class": "Classification", "focus": "Strategic focus", "risk": "Failure risks",
    "stage": "Sales funnel", "plan": "Plan", "advice": "Working with the buying team",
}
CLASS_ORDER = ("fast-growing", "loyal", "nurture", "dormant", UNCLASSIFIED)
FOCUS_ORDER = ("key", "target", "maintain", "low-profile")


def render_pages(result: Result, changes: Diff | None = None) -> dict[str, str]:
    """Every page of the review; with `changes`, also what changed since the base review."""
    pages = {
        "index.md": overview_page(result),
        "risks.md": risks_page(result),
        "funnel.md": funnel_page(result),
        "owners.md": owners_page(result),
        "rules.md": rules_page(result),
    }
    for account in result.accounts:
        page = account_page(account, result)
        if changes is not None:
            page += "\n" + _account_changes(changes, account.account.id)
        pages[f"{ACCOUNTS_DIR}/{account.account.id}.md"] = page
    if changes is not None:
        pages["changes.md"] = changes_page(changes)
    return pages


def write_pages(pages: dict[str, str], folder: Path) -> None:
    """Write the pages into folder, replacing it whole only once every page is written."""
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for relative, text in sorted(pages.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if folder.exists():
            old = folder.with_name(f".{folder.name}-old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old)
        else:
            os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# -- shared pieces -------------------------------------------------------------------------

def account_link(account: Account, prefix: str = "") -> str:
    return f"[{esc(account.name)}]({prefix}{ACCOUNTS_DIR}/{account.id}.md)"


def rule_link(rule_id: str, prefix: str = "") -> str:
    return f"[{rule_id}]({prefix}rules.md#{anchor(rule_id)})"


def anchor(rule_id: str) -> str:
    return rule_id.replace(".", "-")


def severity_badge(severity: str) -> str:
    return f'<span class="kam-sev kam-sev-{severity}">{severity}</span>'


def filterable(markdown_table: str, filters: Iterable[str] = ()) -> str:
    """A table the reader can sort, and filter by the named columns (see kam-review.js)."""
    names = ",".join(filters)
    attribute = f' data-filters="{names}"' if names else ""
    if not markdown_table.startswith("|"):
        return markdown_table
    return f'<div class="kam-table"{attribute} markdown>\n\n{markdown_table}\n</div>\n'


def chart(svg: str) -> str:
    """An inline SVG chart as a raw HTML block, untouched by Markdown."""
    return f'<div class="kam-chart">\n\n{svg}\n\n</div>\n'


def num(value: Any, spec: str) -> str:
    """A figure that sorts by its value, not by its text (850k below 2.9M)."""
    if value is None:
        return "—"
    return f'<span data-value="{value}">{format_value(value, spec)}</span>'


def _fact(result: AccountResult, name: str) -> Any:
    return result.facts[0].get(name)


def _figure(value: Any, spec: str) -> str:
    return "—" if value is None else format_value(value, spec)


WIDE_PAGE = "---\nhide:\n  - toc\n---\n\n"


def waiver_text(finding: Finding) -> str:
    if finding.waiver is None:
        return ""
    return (f"waived until {finding.waiver.until} by {esc(finding.waiver.by)}: "
            f"{esc(finding.waiver.reason)}")


def finding_row(finding: Finding, prefix: str) -> list[str]:
    return [severity_badge(finding.severity), rule_link(finding.rule, prefix),
            esc(finding.subject), esc(finding.message), esc(finding.action),
            waiver_text(finding)]


# -- overview ------------------------------------------------------------------------------

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
    severities = Counter(f.severity for a in accounts for f in a.open_findings
                         if f.kind not in ("class", "focus"))
    lines.append('<div class="kam-glance" markdown>\n')
    lines.append(table(["Class", "Accounts"], [[c, str(classes[c])] for c in CLASS_ORDER
                                                if classes[c]]))
    lines.append(table(["Focus", "Accounts"], [[c, str(focus[c])] for c in
                                                (*FOCUS_ORDER, "no scorecard") if focus[c]]))
    lines.append(table(["Severity", "Open findings"], [[severity_badge(s), str(severities[s])]
                                                        for s in SEVERITIES]))
    lines.append("</div>\n")
    lines += _portfolio_charts(result)
    abc = charts.abc_classes([(a.account.id, _fact(a, "revenue_ttm") or 0) for a in accounts])
    lines += ["## Accounts", ""]
    rows = []
    for item in sorted(accounts, key=lambda a: a.account.name.lower()):
        worst = item.worst
        rows.append([
            account_link(item.account), esc(item.account.owner), item.klass, item.focus or "—",
            num(_fact(item, "revenue_ttm"), "money"),
            num(_fact(item, "growth_yoy"), "spct"),
            num(_fact(item, "gross_margin_ttm"), "pct"), abc[item.account.id],
            f"{severity_badge(worst.severity)} {esc(worst.message)}" if worst else "—",
        ])
    lines.append(filterable(table(["Account", "Owner", "Class", "Focus",
                                   "Revenue, last 4 quarters", "Growth", "Margin", "ABC",
                                   "Worst open finding"], rows),
                            ["Owner", "Class", "Focus", "ABC"]))
    return "\n".join(lines)


def _portfolio_charts(result: Result) -> list[str]:
    accounts = result.accounts
    thresholds = result.rulebook.threshold_values()
    points = [charts.MatrixPoint(a.account.name, _fact(a, "attractiveness_score"),
                                 _fact(a, "relationship_score"), f"accounts/{a.account.id}/")
              for a in accounts if _fact(a, "attractiveness_score") is not None
              and _fact(a, "relationship_score") is not None]
    lines = ["## Strategic focus matrix", "",
             f"{len(points)} of {len(accounts)} accounts have a scorecard; click a dot for the "
             "account.", "",
             chart(charts.focus_matrix(points, thresholds.get("focus_high_attractiveness", 3),
                                       thresholds.get("focus_strong_relationship", 3)))]
    revenue = [(a.account.name, _fact(a, "revenue_ttm") or 0) for a in accounts]
    profit = [(a.account.name, (_fact(a, "revenue_ttm") or 0) * (_fact(a, "gross_margin_ttm")
                                                                  or 0)) for a in accounts]
    lines += ["## Pareto (ABC) analysis", "",
              "Accounts ranked by the last 4 quarters; class A brings the first 80% of the "
              "total, B the next 15%, C the rest (seeds 002, 004).", "",
              chart(charts.pareto_curve(revenue, title="Revenue, last 4 quarters")),
              chart(charts.pareto_curve(profit, title="Gross profit, last 4 quarters"))]
    by_quarter: dict[str, float] = {}
    for item in accounts:
        for quarter, amount, _ in revenue_series(item.account, result.as_of):
            by_quarter[str(quarter)] = by_quarter.get(str(quarter), 0) + amount
    quarters = sorted(by_quarter)[-8:]
    lines += ["## Portfolio revenue by quarter", "",
              chart(charts.bar_chart(quarters, [by_quarter[q] for q in quarters],
                                     "Portfolio revenue"))]
    return lines


def _errors_section(result: Result) -> list[str]:
    lines = ["## Input errors", "",
             f"{len(result.errors)} problem(s) in the input files; accounts with errors are "
             "not part of this review until they are fixed.", ""]
    lines.append(table(["File", "Line", "Field", "Problem"], [
        [esc(e.file), str(e.line), esc(e.field), esc(e.message)] for e in result.errors]))
    return lines


# -- account page --------------------------------------------------------------------------

def account_page(item: AccountResult, result: Result) -> str:
    account, rulebook, prefix = item.account, result.rulebook, "../"
    lines = [f"# {esc(account.name)}", ""]
    lines += _header_card(item, result)
    lines += ["## Findings", ""]
    for kind in KIND_ORDER:
        found = [f for f in item.findings if f.kind == kind]
        if not found:
            continue
        lines += [f"### {KIND_TITLES[kind]}", ""]
        lines.append(table(["Severity", "Rule", "Subject", "Finding", "Action", "Waiver"],
                           [finding_row(f, prefix) for f in found]))
    lines += ["## Why this class and focus", ""]
    for explanation in item.explanations:
        chosen = item.klass if rulebook.rule(explanation.rule).kind == "class" else item.focus
        lines.append(f"- {rule_link(explanation.rule, prefix)}: "
                     f"{verdict(explanation, chosen, rulebook)}")
        lines += [f"    - {'✔' if c.held else '✘'} {esc(check_text(c))}"
                  for c in explanation.checks]
    lines.append("")
    lines += _figures_section(item, result)
    lines += _contacts_section(item)
    lines += _opportunities_section(item, result)
    lines += _plan_section(account)
    return "\n".join(lines)


def _header_card(item: AccountResult, result: Result) -> list[str]:
    account, rulebook = item.account, result.rulebook
    rows = [
        ["Owner", esc(account.owner)],
        ["Industry", esc(account.industry or "—")],
        ["Customer since", str(account.customer_since or "—")],
        ["Class", _strategy(item.klass, "class", rulebook.rules)],
        ["Focus", _strategy(item.focus, "focus", rulebook.rules)],
        ["Relationship stage", esc(account.relationship_stage or "—")],
        ["Review date", str(result.as_of)],
    ]
    return [table(["", ""], rows)]


def _strategy(label: str | None, kind: str, rules: Iterable[Rule]) -> str:
    if label is None:
        return "— (no scorecard)"
    rule = next((r for r in rules if r.kind == kind and r.label == label), None)
    if rule is None:
        return f"**{label}**: no class rule matched (see below)"
    return f"**{label}**: {esc(rule.action)}"


def _figures_section(item: AccountResult, result: Result) -> list[str]:
    account = item.account
    lines = ["## Figures", ""]
    kpis = [("Revenue, last 4 quarters", "revenue_ttm", "money"),
            ("Growth year on year", "growth_yoy", "spct"),
            ("Gross margin, last 4 quarters", "gross_margin_ttm", "pct"),
            ("Share of wallet", "share_of_wallet", "pct"),
            ("Inventory turnover (per year)", "inventory_turnover", "num"),
            ("Days of supply (working days)", "days_of_supply", "num"),
            ("GMROII", "gmroii", "num"),
            ("ROI", "roi", "pct")]
    lines.append(table(["Figure", "Value"], [[label, _figure(_fact(item, name), spec)]
                                             for label, name, spec in kpis]))
    series = revenue_series(account, result.as_of)
    lines.append(chart(charts.bar_line_chart(
        [str(q) for q, _, _ in series], [r for _, r, _ in series],
        [(r - c) / r if c is not None and r > 0 else None for _, r, c in series],
        "Revenue", "Gross margin")))
    rows = {row.quarter.index: row for row in account.financials}
    quarter_rows = []
    for quarter, revenue, cost in revenue_series(account, result.as_of):
        row = rows.get(quarter.index)
        margin = pct((revenue - cost) / revenue) if cost is not None and revenue > 0 else "—"
        quarter_rows.append([str(quarter), money(revenue),
                             money(cost) if cost is not None else "—", margin,
                             _figure(row.units if row else None, "num"),
                             _figure(row.inventory if row else None, "money")])
    lines.append(table(["Quarter", "Revenue", "Cost", "Gross margin", "Units", "Inventory"],
                       quarter_rows))
    return lines


def _contacts_section(item: AccountResult) -> list[str]:
    account = item.account
    lines = ["## Buying team", ""]
    if not account.contacts:
        return [*lines, "No contacts on file.", ""]
    flags: dict[str, list[str]] = {}
    advice: dict[str, str] = {}
    for finding in item.findings:
        if finding.rule == "risk.key-contact-left":
            flags.setdefault(finding.subject, []).append("left")
        elif finding.rule == "risk.contact-neglected":
            flags.setdefault(finding.subject, []).append("not contacted lately")
        elif finding.rule == "risk.opponent-decision-maker":
            flags.setdefault(finding.subject, []).append("opponent")
        elif finding.kind == "advice":
            advice[finding.subject] = finding.action
    lines += ["Who covers which buying role, on which level of the customer's organisation "
              "(struck through: left the account).", ""]
    levels = [*LEVELS, None]
    grid = []
    for role in BUYING_ROLES:
        row = [role.replace("_", " ")]
        for level in levels:
            names = [_contact_name(c, flags) for c in account.contacts
                     if role in c.roles and c.level == level]
            row.append("<br>".join(names) or "·")
        grid.append(row)
    lines.append('<div class="kam-grid" markdown>\n\n' + table(
        ["Role", *[level or "level unknown" for level in levels]], grid) + "\n</div>\n")
    rows = [[esc(c.name), esc(c.title or "—"), c.level or "—", ", ".join(c.roles) or "—",
             c.attitude or "—", str(c.last_contact or "—"), str(c.left_on or ""),
             esc(", ".join(flags.get(c.name, []))),
             f"{esc(c.style)}: {esc(advice[c.name])}" if c.name in advice else
             esc(c.style or "—")] for c in account.contacts]
    lines.append(table(["Name", "Title", "Level", "Roles", "Attitude", "Last contact",
                        "Left on", "Warnings", "Style and advice"], rows))
    return lines


def _contact_name(contact: Contact, flags: dict[str, list[str]]) -> str:
    name = esc(contact.name)
    if contact.left_on is not None:
        return f"<del>{name}</del>"
    if flags.get(contact.name):
        return f"{name} ⚠"
    return name


def _opportunities_section(item: AccountResult, result: Result) -> list[str]:
    account = item.account
    lines = ["## Opportunities", ""]
    if not account.opportunities:
        return [*lines, "No opportunities on file.", ""]
    facts = {f["subject"]: f for f in item.facts if f["type"] == "opportunity"}
    rows = [[esc(o.id), esc(o.name), _stage_position(o.stage, result),
             _figure(o.value, "money"), _figure(o.probability, "pct"),
             _figure(facts[o.id].get("weighted_value"), "money"), str(o.expected_close or "—"),
             esc(facts[o.id].get("forecast_bucket") or "—")]
            for o in account.opportunities]
    lines.append(table(["Id", "Name", "Funnel stage", "Value", "Probability", "Weighted",
                        "Expected close", "Forecast"], rows))
    for opportunity in account.opportunities:
        lines += _checklist(opportunity, result)
    return lines


def _stage_position(stage_id: str, result: Result) -> str:
    """The stage and where it sits in the seven-stage funnel: ●●●○○○○ 3/7 intent."""
    stages = result.rulebook.stages
    current = next((s.index for s in stages if s.id == stage_id), 0)
    if current == 0:
        return f"{stage_id} (out of the funnel)"
    dots = "●" * current + "○" * (len(stages) - current)
    return f"{dots} {current}/{len(stages)} {stage_id}"


def _checklist(opportunity: Opportunity, result: Result) -> list[str]:
    lines = [f"### {esc(opportunity.name)}: stage-exit checklist", ""]
    current = next((s.index for s in result.rulebook.stages if s.id == opportunity.stage), 0)
    rows = []
    for stage, key, ok in stage_checklist(opportunity, result.rulebook.stages):
        mark = {True: "✔ yes", False: "✘ no", None: "not recorded"}[ok]
        where = "current" if stage.index == current else ("passed" if stage.index < current
                                                          else "ahead")
        rows.append([f"{stage.index}. {esc(stage.name)}", where, esc(stage.exit[key]),
                     mark])
    lines.append(table(["Stage", "", "Exit criterion", "Evidence"], rows))
    return lines


def _plan_section(account: Account) -> list[str]:
    lines = ["## Plan", ""]
    plan = account.plan
    if plan is None:
        return [*lines, "No plan on file.", ""]
    if plan.growth_target is not None:
        lines += [f"Planned growth: {pct(plan.growth_target)} a year.", ""]
    if plan.summary:
        lines += ['<div class="kam-plan-summary">', safe_markdown_html(plan.summary), "</div>",
                  ""]
    if plan.goals:
        rows = [[esc(g.text), esc(g.metric or "—"), _figure(g.target, "num"),
                 str(g.due or "—"),
                 "✔ SMART" if g.metric and g.target is not None and g.due else "✘ not SMART"]
                for g in plan.goals]
        lines.append(table(["Goal", "Metric", "Target", "Due", "Status"], rows))
    if account.waivers:
        lines += ["### Waivers", ""]
        lines.append(table(["Rule", "Subject", "Reason", "Until", "By"], [
            [rule_link(w.rule, "../"), esc(w.subject or "all"), esc(w.reason or ""),
             str(w.until), esc(w.by or "")] for w in account.waivers]))
    return lines


# -- rule catalogue ------------------------------------------------------------------------

def rules_page(result: Result) -> str:
    rulebook = result.rulebook
    fires: dict[str, list[Account]] = {}
    for item in result.accounts:
        for rule_id in sorted({f.rule for f in item.findings}):
            fires.setdefault(rule_id, []).append(item.account)
    lines = ["# Rule catalogue", "",
             f"{len(rulebook.rules)} rules. Each names the seed document it comes from "
             "(000-004), why it matters, what to do, and the thresholds it uses.", ""]
    for kind in KIND_ORDER:
        rules = rulebook.by_kind(kind)
        if not rules:
            continue
        lines += [f"## {KIND_TITLES[kind]}", ""]
        for rule in sorted(rules, key=lambda r: (r.precedence, r.id)):
            lines += _rule_entry(rule, result, fires.get(rule.id, []))
    lines += ["## Thresholds", ""]
    lines.append(table(["Name", "Value", "Default", "Unit", "Meaning"], [
        [f"`{t.name}`", format_value(t.value, ""), format_value(t.default, ""), t.unit,
         esc(t.doc)] for t in sorted(rulebook.thresholds.values(), key=lambda t: t.name)]))
    lines += ["## Funnel stages", ""]
    lines.append(table(["#", "Stage", "Owner", "Exit criteria"], [
        [str(s.index), esc(s.name), esc(s.owner),
         "<br>".join(f"`{k}`: {esc(v)}" for k, v in s.exit.items())]
        for s in rulebook.stages]))
    return "\n".join(lines)


def _rule_entry(rule: Rule, result: Result, accounts: list[Account]) -> list[str]:
    thresholds = result.rulebook.thresholds
    lines = [f"### {rule.id} {{#{anchor(rule.id)}}}", "",
             f"**{esc(rule.title)}** · {severity_badge(rule.severity)} · kind {rule.kind} · "
             f"seed {', '.join(rule.source)} · tests each {rule.on}", ""]
    lines += [f"*Why:* {esc(rule.rationale)}", "", f"*Action:* {esc(rule.action)}", ""]
    conditions = "\n".join(f"    {line}" for line in outline(rule.when))
    lines += ["*Fires when:*", "", conditions, ""]
    if rule.thresholds:
        lines += ["*Thresholds:* " + ", ".join(
            f"`{name}` = {format_value(thresholds[name].value, '')}"
            for name in rule.thresholds), ""]
    fired = ", ".join(account_link(a) for a in accounts) or "no account in this review"
    lines += [f"*Fires on:* {fired}", ""]
    return lines



# -- risk register, funnel, owners ---------------------------------------------------------

_WARNING_KINDS = ("risk", "stage", "plan")


def risks_page(result: Result) -> str:
    lines = [WIDE_PAGE + "# Risk register", "",
             "Every warning across the portfolio (risks, funnel and plan findings), most severe "
             "first. Filter by kind, severity, owner or rule; click a header to sort.", ""]
    found = sorted(((f, item.account) for item in result.accounts for f in item.findings
                    if f.kind in _WARNING_KINDS), key=lambda pair: (pair[0].sort_key(),
                                                                    pair[1].id))
    rows = [[account_link(account), esc(account.owner), severity_badge(finding.severity),
             finding.kind, rule_link(finding.rule), esc(finding.subject), esc(finding.message),
             waiver_text(finding)] for finding, account in found]
    lines.append(filterable(table(["Account", "Owner", "Severity", "Kind", "Rule", "Subject",
                                   "Finding", "Waiver"], rows),
                            ["Severity", "Kind", "Owner", "Rule"]))
    return "\n".join(lines)


def _opportunity_facts(result: Result) -> list[tuple[Account, dict[str, Any]]]:
    return [(item.account, fact) for item in result.accounts for fact in item.facts
            if fact["type"] == "opportunity"]


def funnel_page(result: Result) -> str:
    from .facts import BUCKET_ORDER

    deals = _opportunity_facts(result)
    lines = [WIDE_PAGE + "# Funnel and forecast", "",
             f"{len(deals)} opportunities as of {result.as_of}. Weighted value = value × "
             "probability.", "", "## By stage", ""]
    rows = []
    for stage in result.rulebook.stages:
        at = [f for _, f in deals if f["stage"] == stage.id]
        rows.append([f"{stage.index}. {esc(stage.name)}", esc(stage.owner), str(len(at)),
                     num(sum(f.get("value", 0) for f in at), "money"),
                     num(sum(f.get("weighted_value", 0) for f in at), "money")])
    lost = [f for _, f in deals if f["stage"] == "lost"]
    rows.append(["Lost", "—", str(len(lost)), num(sum(f.get("value", 0) for f in lost), "money"),
                 "—"])
    lines.append(chart(charts.funnel_chart([
        (stage.name, sum(1 for _, f in deals if f["stage"] == stage.id),
         sum(f.get("value", 0) for _, f in deals if f["stage"] == stage.id))
        for stage in result.rulebook.stages])))
    lines.append(table(["Stage", "Owner", "Deals", "Value", "Weighted value"], rows))
    lines += ["## By forecast bucket", ""]
    rows = []
    for bucket in BUCKET_ORDER:
        at = [f for _, f in deals if f.get("forecast_bucket") == bucket]
        if at:
            rows.append([bucket, str(len(at)), num(sum(f.get("value", 0) for f in at), "money"),
                         num(sum(f.get("weighted_value", 0) for f in at), "money")])
    lines.append(table(["Expected close", "Deals", "Value", "Weighted value"], rows))
    lines += ["## Every opportunity", ""]
    flagged = {(f.account, f.subject): f.rule for item in result.accounts
               for f in item.findings if f.rule in ("stage.stale", "stage.overdue")}
    rows = []
    for account, fact in sorted(deals, key=lambda d: (d[1]["stage_index"], d[0].id,
                                                      d[1]["subject"])):
        flags = ", ".join(sorted(rule.split(".")[1] for (a, s), rule in flagged.items()
                                 if a == account.id and s == fact["subject"]))
        rows.append([account_link(account), esc(account.owner), esc(fact["name"]),
                     esc(fact["stage"]), esc(fact.get("forecast_bucket") or "—"),
                     num(fact.get("value"), "money"), num(fact.get("probability"), "pct"),
                     num(fact.get("weighted_value"), "money"),
                     esc(fact.get("expected_close", "—")), flags or "—"])
    lines.append(filterable(table(["Account", "Owner", "Opportunity", "Stage", "Forecast",
                                   "Value", "Probability", "Weighted", "Expected close",
                                   "Stale / overdue"], rows),
                            ["Owner", "Stage", "Forecast", "Stale / overdue"]))
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
            warnings = Counter(f.severity for f in item.open_findings
                               if f.kind in _WARNING_KINDS)
            rows.append([account_link(item.account), item.klass, item.focus or "—",
                         num(_fact(item, "revenue_ttm"), "money"),
                         " ".join(f"{severity_badge(s)} {warnings[s]}" for s in SEVERITIES
                                  if warnings[s]) or "none",
                         str(_fact(item, "open_opportunities")),
                         num(_fact(item, "open_pipeline_value"), "money")])
        lines.append(table(["Account", "Class", "Focus", "Revenue, last 4 quarters",
                            "Open warnings", "Open deals", "Pipeline"], rows))
    return "\n".join(lines)


# -- changes since the last review ---------------------------------------------------------

def changes_page(changes: Diff) -> str:
    base, head = changes.base_result, changes.head_result
    lines = [WIDE_PAGE + "# Changes since the last review", "",
             f"From `{esc(changes.base)}` (reviewed as of {base.as_of}) to this review "
             f"(as of {head.as_of}): {len(changes.changes)} change(s).", ""]
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


def _account_changes(changes: Diff, account_id: str) -> str:
    found = changes.for_account(account_id)
    lines = ["## Changes since the last review", "",
             f"Compared with `{esc(changes.base)}` as of {changes.base_result.as_of}.", ""]
    if not found:
        return "\n".join([*lines, "No change.", ""])
    lines += [f"- {esc(change_text(change))}" for change in found]
    return "\n".join([*lines, ""])
