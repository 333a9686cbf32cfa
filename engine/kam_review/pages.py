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

from .conditions import outline
from .explain import check_text, verdict
from .facts import revenue_series, stage_checklist
from .formatting import format_value, money, pct
from .markdown_text import esc, safe_markdown_html, table
from .model import Account, Opportunity
from .results import KIND_ORDER, UNCLASSIFIED, AccountResult, Finding, Result
from .rulebook import SEVERITIES, Rule

ACCOUNTS_DIR = "accounts"
KIND_TITLES = {
    "class": "Classification", "focus": "Strategic focus", "risk": "Failure risks",
    "stage": "Sales funnel", "plan": "Plan", "advice": "Working with the buying team",
}
CLASS_ORDER = ("fast-growing", "loyal", "nurture", "dormant", UNCLASSIFIED)
FOCUS_ORDER = ("key", "target", "maintain", "low-profile")


def render_pages(result: Result) -> dict[str, str]:
    pages = {
        "index.md": overview_page(result),
        "rules.md": rules_page(result),
    }
    for account in result.accounts:
        pages[f"{ACCOUNTS_DIR}/{account.account.id}.md"] = account_page(account, result)
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
    return f"[`{rule_id}`]({prefix}rules.md#{anchor(rule_id)})"


def anchor(rule_id: str) -> str:
    return rule_id.replace(".", "-")


def severity_badge(severity: str) -> str:
    return f'<span class="kam-sev kam-sev-{severity}">{severity}</span>'


def _fact(result: AccountResult, name: str) -> Any:
    return result.facts[0].get(name)


def _figure(value: Any, spec: str) -> str:
    return "—" if value is None else format_value(value, spec)


def finding_row(finding: Finding, prefix: str, with_account: Account | None = None) -> list[str]:
    waived = ""
    if finding.waiver is not None:
        waived = (f"waived until {finding.waiver.until} by {esc(finding.waiver.by)}: "
                  f"{esc(finding.waiver.reason)}")
    row = [severity_badge(finding.severity), rule_link(finding.rule, prefix),
           esc(finding.subject), esc(finding.message), esc(finding.action), waived]
    if with_account is not None:
        row.insert(0, account_link(with_account, prefix))
    return row


# -- overview ------------------------------------------------------------------------------

def overview_page(result: Result) -> str:
    accounts = result.accounts
    lines = [f"# Portfolio review as of {result.as_of}", ""]
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
    lines.append(table(["Class", "Accounts"], [[c, str(classes[c])] for c in CLASS_ORDER
                                                if classes[c]]))
    lines.append(table(["Focus", "Accounts"], [[c, str(focus[c])] for c in
                                                (*FOCUS_ORDER, "no scorecard") if focus[c]]))
    lines.append(table(["Severity", "Open findings"], [[severity_badge(s), str(severities[s])]
                                                        for s in SEVERITIES]))
    lines += ["## Accounts", ""]
    rows = []
    for item in sorted(accounts, key=lambda a: a.account.name.lower()):
        worst = item.worst
        rows.append([
            account_link(item.account), esc(item.account.owner), item.klass, item.focus or "—",
            _figure(_fact(item, "revenue_ttm"), "money"),
            _figure(_fact(item, "growth_yoy"), "spct"),
            _figure(_fact(item, "gross_margin_ttm"), "pct"),
            f"{severity_badge(worst.severity)} {esc(worst.message)}" if worst else "—",
        ])
    lines.append(table(["Account", "Owner", "Class", "Focus", "Revenue, last 4 quarters",
                        "Growth", "Margin", "Worst open finding"], rows))
    return "\n".join(lines)


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
    lines += _contacts_section(account)
    lines += _opportunities_section(account, result)
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


def _contacts_section(account: Account) -> list[str]:
    lines = ["## Buying team", ""]
    if not account.contacts:
        return [*lines, "No contacts on file.", ""]
    rows = [[esc(c.name), esc(c.title or "—"), c.level or "—", ", ".join(c.roles) or "—",
             c.style or "—", c.attitude or "—", str(c.last_contact or "—"),
             str(c.left_on or "")] for c in account.contacts]
    lines.append(table(["Name", "Title", "Level", "Roles", "Style", "Attitude", "Last contact",
                        "Left on"], rows))
    return lines


def _opportunities_section(account: Account, result: Result) -> list[str]:
    lines = ["## Opportunities", ""]
    if not account.opportunities:
        return [*lines, "No opportunities on file.", ""]
    rows = [[esc(o.id), esc(o.name), o.stage, _figure(o.value, "money"),
             _figure(o.probability, "pct"), str(o.expected_close or "—")]
            for o in account.opportunities]
    lines.append(table(["Id", "Name", "Stage", "Value", "Probability", "Expected close"], rows))
    for opportunity in account.opportunities:
        lines += _checklist(opportunity, result)
    return lines


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

