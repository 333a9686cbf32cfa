"""One page per account: everything the review meeting discusses about it."""

from __future__ import annotations

from kam_review.i18n import _, words
from kam_review.output import charts
from kam_review.output.markdown_text import esc, table
from kam_review.review.movement import Movement
from kam_review.review.results import AccountResult, Explanation, Result
from kam_review.rulebook.figures import gross_margin, revenue_series
from kam_review.rulebook.subject_facts import stage_checklist
from kam_review.source.model import (
    BUYING_ROLES,
    LEVELS,
    QUALIFICATION_QUESTIONS,
    Contact,
    Opportunity,
    QuarterFigures,
)
from kam_review.vocabulary import Kind, Mark
from kam_review.website.pages.actions import account_actions_section
from kam_review.website.pages.answers import (
    PLAN_ANCHOR,
    anchored_finding_rows,
    opportunity_anchor,
)
from kam_review.website.pages.cells import date_cell
from kam_review.website.pages.common import (
    account_fact,
    account_figure,
    chart,
    described,
    fact_figure,
    figure,
    marked,
    rule_title_link,
    waived_high_note,
)
from kam_review.website.pages.forecast import account_forecast_section
from kam_review.website.pages.goals import goals_table
from kam_review.website.pages.movement import revenue_trend, since_section
from kam_review.website.pages.plain import finding_ids, reasons_section
from kam_review.website.pages.printing import END_SCREEN_ONLY, SCREEN_ONLY, screen_only
from kam_review.website.pages.summary import summary_section
from kam_review.website.pages.unknowns import assigning_notes, not_evaluated_section
from kam_review.website.pages.verdict import verdict_header
from kam_review.website.pages.whitespace import whitespace_section
from kam_review.wording import counted, key_words


def account_page(item: AccountResult, result: Result,
                 explained: tuple[Explanation, ...], movement: Movement | None = None) -> str:
    """The account's page; `explained` says why it got its class and focus (explain_all);
    `movement`, what moved since the previous review."""
    account, rulebook, prefix = item.account, result.rulebook, "../"
    lines = [f"# {esc(account.name)}", ""]
    lines += verdict_header(item, result, prefix)
    lines += summary_section(account)
    lines += _header_card(item, result)
    lines += screen_only(revenue_trend(item, result.as_of))
    lines += screen_only(since_section(item, movement, rulebook))
    lines += account_actions_section(item, result)
    lines += [f"## {_('Findings')}", ""]
    lines += waived_high_note([(item, f) for f in item.waived_high], rulebook, prefix)
    for kind in Kind:
        found = [f for f in item.findings if f.kind == kind]
        if not found:
            continue
        # Advice per contact is looked up on screen; the printed page keeps the warnings.
        lines += [SCREEN_ONLY] if kind == Kind.ADVICE else []
        lines += [f"### {kind.heading}", ""]
        lines.append(table(words("Severity", "Rule", "Subject", "Finding", "Action", "Waiver"),
                           anchored_finding_rows(found, item, rulebook, prefix)))
        lines += [END_SCREEN_ONLY] if kind == Kind.ADVICE else []
    lines += screen_only(finding_ids(item, rulebook))
    lines += screen_only(not_evaluated_section(item, result, prefix))
    lines.append(SCREEN_ONLY)
    lines += [f"## {_('Why this class and focus')}", ""]
    lines += assigning_notes(item, result)
    lines += reasons_section(item, result, explained, prefix)
    lines += ["", END_SCREEN_ONLY]
    # The key figures print in the header card; the whole table is looked up on screen.
    lines += screen_only(_figures_section(item, result))
    lines += screen_only(_contacts_section(item, result))
    lines += screen_only(account_forecast_section(item, result))
    lines += screen_only(whitespace_section(item, result))
    lines += screen_only(_opportunities_section(item, result))
    lines += _plan_section(item, result)
    return "\n".join(lines)


def _header_card(item: AccountResult, result: Result) -> list[str]:
    account, formats = item.account, item.formats
    rows = [
        [_("Owner"), esc(account.owner)],
        [_("Team"), esc(account.team or "—")],
        [_("Industry"), esc(account.industry or "—")],
        [_("Customer since"), date_cell(account.customer_since, formats)],
        [_("Class"), _strategy(item, Kind.CLASS, result)],
        [_("Focus"), _strategy(item, Kind.FOCUS, result)],
        [_("Relationship stage"), esc(_(account.relationship_stage or "—"))],
        [_("Review date"), formats.date(result.as_of) + _(" (last complete quarter {q})").format(
            q=formats.quarter(str(account_fact(item, 'last_quarter'))))],
        [_("Data"), _freshness(item)],
        [described("revenue_ttm").label, account_figure(item, "revenue_ttm")
         + _(" ({growth} year on year)").format(growth=account_figure(item, 'growth_yoy'))],
        [described("gross_margin_ttm").label, account_figure(item, "gross_margin_ttm")],
        [_("Open pipeline"), f"{counted(account_fact(item, 'open_opportunities'), 'deal')}, "
                             f"{account_figure(item, 'open_pipeline_value')}"],
    ]
    return [table([_("At a glance"), f"`{account.id}`"], rows)]


def _strategy(item: AccountResult, kind: Kind, result: Result) -> str:
    rule_id = item.assigned_by(kind)
    if rule_id is None:
        return (_("— (no scorecard)") if kind == Kind.FOCUS
                else f"**{_(item.klass)}**" + _(": the data on file decides no class (see below)"))
    rule = result.rulebook.rule(rule_id)
    return f"**{esc(rule.shown_label)}**: {esc(rule.action)}"


def _freshness(item: AccountResult) -> str:
    """How current the account's data is: its latest quarter against the review's last
    complete quarter, the gaps inside its history, and its last activity."""
    latest, behind = account_fact(item, "latest_quarter"), account_fact(item, "quarters_unreported")
    text = _("latest quarter on file {quarter}").format(quarter=item.formats.quarter(str(latest)))
    if behind:
        text += _(" (**{quarters} behind**)").format(quarters=counted(behind, 'quarter'))
    gaps = account_fact(item, "gap_quarters")
    if gaps:
        text += _("; **no row for {gaps}**").format(gaps=account_fact(item, 'gap_list'))
    last = account_fact(item, "last_activity")
    days = account_fact(item, "days_since_activity")
    return text + (_("; no activity on file") if last is None else
                   _("; last activity {date} ({days} ago)").format(
                       date=item.formats.date(last), days=item.formats.days(days)))


def _figures_section(item: AccountResult, result: Result) -> list[str]:
    account, formats = item.account, item.formats
    lines = [f"## {_('Figures')}", ""]
    kpis = ("revenue_ttm", "growth_yoy", "growth_yearly", "growth_basis", "gross_margin_ttm",
            "share_of_wallet", "resale_margin_ttm", "inventory_turnover", "days_of_supply",
            "gmroii", "inventory_measure", "roi")
    lines.append(table(words("Figure", "Value"),
                       [[described(name).label, account_figure(item, name)] for name in kpis]))
    series = revenue_series(account, result.as_of)
    lines.append(SCREEN_ONLY)
    lines.append(chart(charts.bar_line_chart(
        [formats.quarter(str(q)) if r is not None else
         _("{quarter} no row").format(quarter=formats.quarter(str(q))) for q, r, _c in series],
        [r for _q, r, _c in series],
        [None if r is None else gross_margin(r, c) for _q, r, c in series],
        _("Revenue"), _("Gross margin"), formats=formats)))
    rows = {row.quarter.index: row for row in account.financials}
    own = any(_resale(row) != [None] * 4 for row in rows.values())
    quarter_rows = []
    for quarter, revenue, cost in series:
        row = rows.get(quarter.index)
        if row is None or revenue is None:
            quarter_rows.append([formats.quarter(str(quarter)), _("no row: unknown"),
                                 *["—"] * (8 if own else 4)])
            continue
        cells = [formats.quarter(str(quarter)), figure(revenue, "money", formats),
                 figure(cost, "money", formats),
                 figure(gross_margin(revenue, cost), "pct", formats),
                 figure(row.units, "num", formats), figure(row.inventory, "money", formats)]
        if own:
            sales, its_cost, sold, stock = _resale(row)
            cells += [figure(sales, "money", formats),
                      figure(None if sales is None else gross_margin(sales, its_cost), "pct",
                             formats),
                      figure(sold, "num", formats), figure(stock, "num", formats)]
        quarter_rows.append(cells)
    heads = words("Quarter", "Revenue", "Cost", "Gross margin", "Units", "Inventory")
    if own:
        heads += words("Its sales", "Its margin", "Units it sold", "Its stock (units)")
    lines.append(table(heads, quarter_rows))
    return [*lines, END_SCREEN_ONLY]


def _resale(row: QuarterFigures) -> list[float | None]:
    """The account's own figures of a quarter: its sales and cost of our goods, the units it
    sold and the units it holds."""
    return [row.resale_revenue, row.resale_cost, row.resale_units, row.inventory_units]


def _contacts_section(item: AccountResult, result: Result) -> list[str]:
    account = item.account
    lines = [f"## {_('Buying team')}", ""]
    if not account.contacts:
        return [*lines, _("No contacts on file."), ""]
    flags = marked(item, result.rulebook, Mark.CONTACT_WARNING)
    advice = {f.subject: f.action for f in item.findings if f.kind == Kind.ADVICE}
    lines += [_("Who covers which buying role, on which level of the customer's organisation "
                "(struck through: left the account)."), ""]
    levels = [*LEVELS, None]
    grid = []
    for role in BUYING_ROLES:
        row = [_(role.replace("_", " "))]
        for level in levels:
            names = [_contact_name(c, flags) for c in account.contacts
                     if role in c.roles and c.level == level]
            row.append("<br>".join(names) or "·")
        grid.append(row)
    lines.append('<div class="kam-grid" markdown>\n\n' + table(
        [_("Role"), *[_(level or "level unknown") for level in levels]], grid) + "\n</div>\n")
    rows = [[esc(c.name), esc(c.title or "—"), _(c.level or "—"),
             _(", ").join(_(key_words(role)) for role in c.roles) or "—",
             _(c.attitude or "—"), date_cell(c.last_contact, item.formats),
             date_cell(c.left_on, item.formats, ""),
             esc(", ".join(flags.get(c.name, []))),
             f"{esc(_(c.style or ''))}: {esc(advice[c.name])}" if c.name in advice else
             esc(_(c.style or "—"))] for c in account.contacts]
    lines.append(table(words("Name", "Title", "Level", "Roles", "Attitude", "Last contact",
                             "Left on", "Warnings", "Style and advice"), rows))
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
    lines = [f"## {_('Opportunities')}", ""]
    if not account.opportunities:
        return [*lines, _("No opportunities on file."), ""]
    facts = {f["subject"]: f for f in item.facts if f["type"] == "opportunity"}
    formats = item.formats
    rows = [[esc(o.name), _stage_position(o.stage, result),
             fact_figure(o.value, "value", "opportunity", formats),
             fact_figure(o.probability, "probability", "opportunity", formats),
             fact_figure(facts[o.id].get("weighted_value"), "weighted_value", "opportunity",
                         formats),
             date_cell(o.expected_close, formats),
             esc(_(facts[o.id].get("forecast_bucket") or "—"))]
            for o in account.opportunities]
    lines.append(table(words("Name", "Funnel stage", "Value", "Probability", "Weighted",
                             "Expected close", "Forecast"), rows))
    for opportunity in account.opportunities:
        lines += _checklist(opportunity, result)
    return lines


def _stage_position(stage_id: str, result: Result) -> str:
    """The stage and where it sits in the seven-stage funnel: ●●●○○○○ 3/7 Confirmed intent."""
    stages = result.rulebook.stages
    stage = next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        return _("{stage} (out of the funnel)").format(stage=_(stage_id))
    dots = "●" * stage.index + "○" * (len(stages) - stage.index)
    return f"{dots} {stage.index}/{len(stages)} {esc(stage.name)}"


def _checklist(opportunity: Opportunity, result: Result) -> list[str]:
    lines = ["### " + _("{name}: stage characteristics").format(name=esc(opportunity.name))
             + f" {{#{opportunity_anchor(opportunity.id)}}}", "",
             _("What is true of a deal at each stage (seed 004): a deal at a stage shows the "
               "characteristics of that stage and of every stage before it; the next stage's "
               "characteristics are what lets it move on."), ""]
    current = next((s.index for s in result.rulebook.stages if s.id == opportunity.stage), 0)
    rows = []
    for stage, key, ok in stage_checklist(opportunity, result.rulebook.stages):
        mark = _({True: "✔ yes", False: "✘ no", None: "not recorded"}[ok])
        if ok is not True and stage.index <= current:
            mark += _(" (needed from stage {index} on)").format(index=stage.index)
        rows.append([f"{stage.index}. {esc(stage.name)}", _position(stage.index, current),
                     esc(stage.characteristics[key]), mark])
    lines.append(table(words("Stage", "", "Characteristic", "Evidence"), rows))
    answers = opportunity.qualification
    lines += [_("Four-step assessment (seed 002): ") + " · ".join(
        f"{_(question)} {_(answers.get(key, 'not answered'))}"
        for key, question in QUALIFICATION_QUESTIONS.items()), ""]
    return lines


def _position(index: int, current: int) -> str:
    """Where a stage stands against the deal's own (0: the deal is out of the funnel)."""
    if current == 0:
        return ""
    if index < current:
        return _("earlier")
    if index == current:
        return _("current")
    return _("next: to move on") if index == current + 1 else _("later")


def _plan_section(item: AccountResult, result: Result) -> list[str]:
    account, formats = item.account, item.formats
    lines = [f"## {_('Plan')} {{#{PLAN_ANCHOR}}}", ""]
    plan = account.plan
    if plan is None:
        return [*lines, _("No plan on file."), ""]
    if plan.growth_target is not None:
        lines += [_("Planned growth: {growth} a year.").format(
            growth=formats.percent(plan.growth_target, signed=True)), ""]
    if plan.goals:
        lines += goals_table(item)
    if account.waivers:
        lines.append(SCREEN_ONLY)
        lines += [f"### {_('Waivers')}", ""]
        lines.append(table(words("Rule", "Subject", "Reason", "Until", "By"), [
            [_waived_rule(w.rule, result), esc(w.subject or _("all")), esc(w.reason or ""),
             date_cell(w.until, formats), esc(w.by or "")] for w in account.waivers]))
        lines.append(END_SCREEN_ONLY)
    return lines


def _waived_rule(rule_id: str, result: Result) -> str:
    """The rule a waiver names, by its title; an unknown id as written (its error says so)."""
    rule = result.rulebook.find(rule_id)
    return esc(rule_id) if rule is None else rule_title_link(rule, "../")
