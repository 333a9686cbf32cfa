"""One page per account: everything the review meeting discusses about it."""

from __future__ import annotations

from kam_review.i18n import _, words
from kam_review.output import charts
from kam_review.output.markdown_text import esc, table
from kam_review.review.movement import Movement
from kam_review.review.results import AccountResult, Explanation, Result
from kam_review.rulebook.figures import gross_margin, revenue_series
from kam_review.source.model import (
    BUYING_ROLES,
    LEVELS,
    Contact,
    QuarterFigures,
    Waiver,
)
from kam_review.vocabulary import Kind, Mark
from kam_review.website.pages.actions import account_actions_section
from kam_review.website.pages.answers import (
    PLAN_ANCHOR,
    anchored_finding_rows,
)
from kam_review.website.pages.card import FINDINGS_ANCHOR, header_card, jump_list
from kam_review.website.pages.cells import date_cell
from kam_review.website.pages.common import (
    account_fact,
    account_figure,
    chart,
    described,
    figure,
    growth_mark,
    marked,
    rule_title_link,
    waived_high_note,
)
from kam_review.website.pages.forecast import account_forecast_section
from kam_review.website.pages.goals import goals_table
from kam_review.website.pages.movement import since_section
from kam_review.website.pages.opportunities import opportunities_section
from kam_review.website.pages.plain import finding_ids, folded, reasons_section, unsearched
from kam_review.website.pages.printing import END_SCREEN_ONLY, SCREEN_ONLY, screen_only
from kam_review.website.pages.unknowns import assigning_notes, not_evaluated_section
from kam_review.website.pages.waivers import unmatched_in, unmatched_note, waiver_subject
from kam_review.website.pages.whitespace import whitespace_section
from kam_review.wording import counted, key_words, labelled


def account_page(item: AccountResult, result: Result,
                 explained: tuple[Explanation, ...], movement: Movement | None = None) -> str:
    """The account's page; `explained` says why it got its class and focus (explain_all);
    `movement`, what moved since the previous review."""
    account, rulebook, prefix = item.account, result.rulebook, "../"
    unmatched = unmatched_in([item], result)
    lines = _header_card(item, result)
    lines += screen_only(since_section(item, movement, rulebook))
    lines += account_actions_section(item, result)
    lines += [f"## {_('Findings')} {{#{FINDINGS_ANCHOR}}}", ""]
    lines += waived_high_note([(item, f) for f in item.waived_high], rulebook, prefix)
    lines += unmatched_note(unmatched, result, prefix)
    for kind in Kind:
        found = [f for f in item.findings if f.kind == kind]
        if not found:
            continue
        # Advice per contact is looked up on screen; the printed page keeps the warnings.
        lines += [SCREEN_ONLY] if kind == Kind.ADVICE else []
        lines += [f"### {kind.heading}", ""]
        rows = [table(["Severity", "Rule", "Subject", "Finding", "Action", "Waiver"],
                      anchored_finding_rows(found, item, rulebook, prefix))]
        lines += (folded(_("Show {notes} on working with each contact").format(
            notes=counted(len(found), "note")), rows) if kind == Kind.ADVICE else rows)
        lines += [END_SCREEN_ONLY] if kind == Kind.ADVICE else []
    lines += screen_only(finding_ids(item, rulebook))
    lines += screen_only(unsearched(not_evaluated_section(item, result, prefix)))
    lines.append(SCREEN_ONLY)
    lines += unsearched([f"## {_('Why this class and focus')}", "",
                         *assigning_notes(item, result),
                         *reasons_section(item, result, explained, prefix)])
    lines += ["", END_SCREEN_ONLY]
    # The key figures print in the header card; the whole table is looked up on screen.
    lines += screen_only(unsearched(_figures_section(item, result)))
    lines += screen_only(_contacts_section(item, result))
    lines += screen_only(unsearched(account_forecast_section(item, result)))
    lines += screen_only(whitespace_section(item, result))
    lines += screen_only(opportunities_section(item, result))
    lines += _plan_section(item, result, {waiver: why for _item, waiver, why in unmatched})
    # The answer first, in one screen; the sections follow, listed for a narrow screen.
    top = [f"# {esc(account.name)}", "", *header_card(item, result, prefix)]
    return "\n".join([*top, *screen_only(jump_list(lines)), *lines])


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
        [described("revenue_ttm").label, account_figure(item, "revenue_ttm") + _growth(item)],
        [described("gross_margin_ttm").label, account_figure(item, "gross_margin_ttm")],
        [_("Open pipeline"), _("{deals}, {value}").format(
            deals=counted(account_fact(item, "open_opportunities"), "deal"),
            value=account_figure(item, "open_pipeline_value"))],
    ]
    return [f"## {_('At a glance')}", "", table(["Account", f"`{account.id}`"], rows)]


def _growth(item: AccountResult) -> str:
    """Growth over a year beside the revenue, or that it is unknown (in words: a dash in
    brackets after the revenue's dash reads as a slip)."""
    if account_fact(item, "growth_yearly") is None:
        return _(" (growth over a year unknown)")
    return _(" ({growth} over a year)").format(
        growth=account_figure(item, "growth_yearly") + growth_mark(item))


def _strategy(item: AccountResult, kind: Kind, result: Result) -> str:
    rule_id = item.assigned_by(kind)
    if rule_id is None:
        return (_("— (no scorecard)") if kind == Kind.FOCUS
                else f"**{_(item.klass)}**" + _(": the data on file decides no class (see below)"))
    rule = result.rulebook.rule(rule_id)
    return labelled(f"**{esc(rule.shown_label)}**", esc(rule.action))


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


_RESALE_FIGURES = ("resale_margin_ttm", "inventory_turnover", "days_of_supply", "gmroii",
                   "inventory_measure")


def _figures_section(item: AccountResult, result: Result) -> list[str]:
    account, formats = item.account, item.formats
    lines = [f"## {_('Figures')}", ""]
    rows = {row.quarter.index: row for row in account.financials}
    # The figures of an account that resells our goods, from its own sales and stock (seed
    # 000): rows of dashes on every other account's page, so shown only where it reports any.
    own = any(_resale(row) != [None] * 4 for row in rows.values())
    # Units and inventory, likewise: columns only where a quarter reports them.
    stocked = any(row.units is not None or row.inventory is not None for row in rows.values())
    kpis = ("revenue_ttm", "growth_yoy", "growth_yearly", "growth_basis", "gross_margin_ttm",
            "share_of_wallet", *(_RESALE_FIGURES if own else ()), "roi")
    lines.append(table(["Figure", "As of the review"],
                       [[described(name).label, account_figure(item, name)] for name in kpis]))
    series = revenue_series(account, result.as_of)
    lines.append(SCREEN_ONLY)
    lines.append(chart(charts.bar_line_chart(
        [formats.quarter(str(q)) if r is not None else
         _("{quarter} no row").format(quarter=formats.quarter(str(q))) for q, r, _c in series],
        [r for _q, r, _c in series],
        [None if r is None else gross_margin(r, c) for _q, r, c in series],
        _("Revenue"), _("Gross margin"), formats=formats)))
    quarter_rows = []
    for quarter, revenue, cost in series:
        row = rows.get(quarter.index)
        if row is None or revenue is None:
            quarter_rows.append([formats.quarter(str(quarter)), _("no row: unknown"),
                                 *["—"] * (2 + 2 * stocked + 4 * own)])
            continue
        cells = [formats.quarter(str(quarter)), figure(revenue, "money", formats),
                 figure(cost, "money", formats),
                 figure(gross_margin(revenue, cost), "pct", formats)]
        if stocked:
            cells += [figure(row.units, "num", formats), figure(row.inventory, "money", formats)]
        if own:
            sales, its_cost, sold, stock = _resale(row)
            cells += [figure(sales, "money", formats),
                      figure(None if sales is None else gross_margin(sales, its_cost), "pct",
                             formats),
                      figure(sold, "num", formats), figure(stock, "num", formats)]
        quarter_rows.append(cells)
    heads = words("Quarter", "Revenue", "Cost", "Gross margin",
                  *(("Units", "Inventory") if stocked else ()))
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
             esc(_(", ").join(flags.get(c.name, []))),
             labelled(esc(_(c.style or "")), esc(advice[c.name])) if c.name in advice else
             esc(_(c.style or "—"))] for c in account.contacts]
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


def _plan_section(item: AccountResult, result: Result, unmatched: dict[Waiver, str]
                  ) -> list[str]:
    """The plan, and the account's waivers (those in `unmatched`, matching no finding,
    marked with why)."""
    account, formats = item.account, item.formats
    lines = [f"## {_('Account plan')} {{#{PLAN_ANCHOR}}}", ""]
    plan = account.plan
    if plan is None:
        return [*lines, _("No plan on file."), ""]
    if plan.growth_target is not None:
        lines += [_("Planned growth: {growth} a year.").format(
            growth=formats.percent(plan.growth_target, signed=True)), ""]
    if plan.goals:
        lines += goals_table(item)
    elif plan.growth_target is None:
        # The actions are above; a plan of actions only says what it lacks, on screen (a
        # printed page keeps to its two sheets), under a heading paper leaves out with it.
        lines = screen_only([*lines, _("No goals in the plan: the plan's goals say what the "
                                       "account should reach, by when (`goals` under `plan` "
                                       "in the account file)."), ""])
    if account.waivers:
        lines.append(SCREEN_ONLY)
        lines += [f"### {_('Waivers')}", ""]
        lines.append(table(["Rule", "Subject", "Reason", "Until", "By"], [
            [_waived_rule(w.rule, result), waiver_subject(w, item, unmatched),
             esc(w.reason or ""), date_cell(w.until, formats), esc(w.by or "")]
            for w in account.waivers]))
        lines.append(END_SCREEN_ONLY)
    return lines


def _waived_rule(rule_id: str, result: Result) -> str:
    """The rule a waiver names, by its title; an unknown id as written (its error says so)."""
    rule = result.rulebook.find(rule_id)
    return esc(rule_id) if rule is None else rule_title_link(rule, "../")
