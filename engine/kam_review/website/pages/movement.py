"""What moved since the previous review, on the pages: the account page's revenue trend and
its "Since the last review" section, the overview's movement summary, and the changes page
of the whole portfolio. Every section says which previous review it compares with."""

from __future__ import annotations

from datetime import date

from kam_review.i18n import _
from kam_review.locale_format import LocaleFormat
from kam_review.output import charts
from kam_review.output.kept_parts import part
from kam_review.output.markdown_text import esc, table
from kam_review.output.movement_report import (
    DOWN,
    UP,
    change_text,
    figure_label,
    figure_text,
    stage_name,
    stage_names,
    stage_text,
)
from kam_review.review.movement import (
    ENDED_NOUN,
    FILES,
    AccountMovement,
    Movement,
    ended_because,
)
from kam_review.review.results import AccountResult, Result
from kam_review.review.snapshot import KeptFinding
from kam_review.rulebook.figures import growth, revenue_series
from kam_review.rulebook.loading import Rulebook
from kam_review.website.pages.common import (
    WIDE_PAGE,
    account_link,
    filterable,
    rule_title_link,
    severity_badge,
)
from kam_review.wording import bracketed, counted, labelled

# The trend shows two years: a quarter, its quarter before and its quarter a year before.
TREND_QUARTERS = 8
CHANGES_PAGE = "changes.md"


def revenue_trend(item: AccountResult, as_of: date) -> list[str]:
    """Revenue of the last 8 quarters as a sparkline, with the last quarter against the
    quarter before and the same quarter a year before; a quarter without a row is a gap."""
    series = revenue_series(item.account, as_of)[-TREND_QUARTERS:]
    if not series:
        return ["**" + _("Revenue by quarter") + "**" + _(": no figures on file."), ""]
    # As many quarters as it shows: a shorter history draws fewer than 8.
    title = _("Revenue, last {count} quarters").format(count=len(series)) \
        if len(series) > 1 else _("Revenue, last quarter")
    # Figures in the review's locale, without a currency (as the English trend writes them).
    plain = LocaleFormat(item.formats.locale)
    quarters = [plain.quarter(str(quarter)) for quarter, _r, _c in series]
    revenue = [value for _q, value, _c in series]
    line = charts.sparkline(quarters, revenue, title, item.formats.money).html()
    last = revenue[-1]
    said = [labelled("<strong>" + _("Revenue {quarter}").format(quarter=quarters[-1])
                     + "</strong>", _("no row (unknown)") if last is None
                     else figure_text("revenue_last_quarter", last, item.formats))]
    for back, name in ((4, "year on year"), (1, "quarter on quarter")):
        said.append(labelled(_(name), _growth_text(revenue, quarters, back, plain)))
    return ['<div class="kam-trend">', "", line, "", f'<p>{_("; ").join(said)}</p>', "</div>", ""]


def _growth_text(revenue: list[float | None], quarters: list[str], back: int,
                 plain: LocaleFormat) -> str:
    if len(revenue) <= back:
        return _("no quarter to compare with on file")
    now, then = revenue[-1], revenue[-1 - back]
    if now is None or then is None:
        return _("unknown (no row for {quarter})").format(
            quarter=quarters[-1] if now is None else quarters[-1 - back])
    rate = growth(now, then)
    if rate is None:
        return _("unknown ({quarter} had no revenue)").format(quarter=quarters[-1 - back])
    shown = "= 0%" if rate == 0 else (f"{UP if rate > 0 else DOWN} "
                                       f"{figure_text('growth_qoq', rate, plain)}")
    return _("{shown} against {quarter}").format(shown=shown, quarter=quarters[-1 - back])


def since_section(item: AccountResult, movement: Movement | None,
                  rulebook: Rulebook) -> list[str]:
    """The account's movement since the previous review (nothing without a Movement)."""
    if movement is None:
        return []
    lines = [f"## {_('Since the last review')}", "",
             _source(movement, "../", item.formats, keeper=False), ""]
    moved = movement.for_account(item.account.id)
    if not movement.comparison.found or moved is None:
        return lines
    if moved.before is None:
        return [*lines, _("**New since the last review**: it was not in that review."), ""]
    was, now = moved.before, moved.after
    before = movement.comparison.as_of
    then = "—" if before is None else item.formats.date(before)
    today = item.formats.date(movement.as_of)
    lines.append(table(["", then, today], [
        [_("Class"), esc(was.class_shown), _changed(esc(now.class_shown), moved.class_changed)],
        [_("Focus"), esc(_(was.focus or "—")),
         _changed(esc(_(now.focus or "—")), moved.focus_changed)],
        [_("Verdict"), esc(_(was.verdict or "—")),
         _changed(esc(now.verdict or "—"), moved.verdict_changed)],
    ]))
    lines.append(table([_("Figure"), then, today, _("Change")], [
        [esc(figure_label(m.name)), figure_text(m.name, m.before, item.formats),
         figure_text(m.name, m.after, item.formats), change_text(m, item.formats)]
        for m in moved.figures]))
    lines += _findings(_("New findings"), moved.new_findings, moved, rulebook)
    lines += _findings(_("Resolved findings"), moved.resolved, moved, rulebook)
    if moved.unevaluated:  # a rule that found something is not evaluated now: data missing
        lines += _findings(_("Findings no longer evaluated"), moved.unevaluated, moved,
                           rulebook)
    if moved.ended:  # its subject is gone (a contact left): nothing was resolved
        lines += _findings(_("Findings that no longer apply"), moved.ended, moved, rulebook,
                           item.formats)
    lines += [f"**{_('Deals that moved')}**", ""]
    names = stage_names(rulebook)
    lines.append(table(["Deal", "Move"], [[bracketed(esc(m.name), esc(m.deal)),
                                                esc(stage_text(m, names, item.formats))]
                                               for m in moved.stages]))
    lines += [f"**{_('Actions completed since then')}**", ""]
    lines += ["- " + (bracketed(esc(a.text), item.formats.date(a.done_on)) if a.done_on else
                      esc(a.text)) for a in moved.done] or [_("*None recorded.*")]
    return [*lines, ""]


def _message(finding: KeptFinding) -> str:
    """A finding's message, marked when a waiver accepts it (the overview's new high
    findings leave such a one out)."""
    return esc(finding.message) + (_(" (waived)") if finding.waived else "")


def _changed(text: str, changed: bool) -> str:
    return f"**{text}**" + _(" (changed)") if changed else text


def _rule_title(rule_id: str, rulebook: Rulebook) -> str:
    """A rule's title; anything else (a subject that names no rule) as it is. A waiver's
    finding has the rule it waives as its subject."""
    return rulebook.titles.get(rule_id, rule_id)


def _titled(rule_id: str, rulebook: Rulebook, prefix: str = "") -> str:
    """A finding's rule by its title, linked; a rule the previous review had and this one
    no longer has, by its id."""
    known = rulebook.find(rule_id)
    return esc(rule_id) if known is None else rule_title_link(known, prefix)


def _unevaluated_sentence(compared: tuple[AccountMovement, ...]) -> str:
    """" 2 findings no longer evaluated (data missing now)." after the summary sentence,
    when there are, and " 1 finding that no longer applies (its subject is gone)."."""
    unevaluated = sum(len(m.unevaluated) for m in compared)
    ended = sum(len(m.ended) for m in compared)
    return ("" if not unevaluated else " " + _("{findings} (data missing now).").format(
        findings=counted(unevaluated, "finding no longer evaluated"))) + (
        "" if not ended else " " + _("{findings} (a contact left, or its subject is no "
                                     "longer on file).").format(
            findings=counted(ended, ENDED_NOUN)))


def _findings(title: str, found: tuple[KeptFinding, ...], moved: AccountMovement,
              rulebook: Rulebook, ended: LocaleFormat | None = None) -> list[str]:
    """A table of findings; `ended` (the account's formats): of findings whose subject is
    gone, each with why."""
    lines = [bracketed(f"**{title}**", str(len(found))), ""]
    lines.append(table(["Severity", "Rule", "Subject", "Finding"], [
        [severity_badge(f.severity), _titled(f.rule, rulebook, "../"),
         esc(_subject(f, moved, rulebook)),
         _message(f) if ended is None else _ended(f, moved, ended)] for f in found]))
    return lines


def _ended(finding: KeptFinding, moved: AccountMovement, formats: LocaleFormat) -> str:
    """A finding whose subject is gone: its message, then why it no longer applies."""
    return _("{message} (no longer applies: {why})").format(
        message=_message(finding), why=_why_ended(finding, moved, formats))


def _why_ended(finding: KeptFinding, moved: AccountMovement, formats: LocaleFormat) -> str:
    return esc(ended_because(moved.after.presence, finding.subject, formats))


def _subject(finding: KeptFinding, moved: AccountMovement, rulebook: Rulebook) -> str:
    """A finding's subject as the reader knows it: a deal by its name (as either review
    knew it: a resolved finding's deal may be gone now), a waiver by the title of the rule
    it waives; a contact or a goal as written."""
    rule = rulebook.find(finding.rule)
    if rule is not None and rule.on == "opportunity":
        for side in (moved.after, moved.before):
            for deal in side.deals if side is not None else ():
                if deal.id == finding.subject:
                    return deal.name
    return _rule_title(finding.subject, rulebook)


def _source(movement: Movement, prefix: str | None, formats: LocaleFormat,
            keeper: bool = True) -> str:
    """Which previous review the movement compares with, and what (c) leaves out; how it
    was found only where the site's keeper reads (`keeper`: the overview and the changes
    page, not every account page)."""
    comparison, day = movement.comparison, movement.comparison.as_of
    if comparison.kind == FILES and day is not None:
        # In the reader's words: what was compared and why; how it was found (git, tags) is
        # for whoever keeps the site, last.
        found = _(" (for whoever keeps the site: {why})").format(
            why=esc(comparison.why)) if keeper else ""
        text = _("Compared with {date}, the end of the previous quarter, as the account files "
                 "tell it today: no earlier review is on record, so it is rebuilt from "
                 "them{found}. It leaves out what the files date after {date}: quarters, "
                 "activities, complaints, contacts leaving, owner changes and stage changes; "
                 "a deal that changed stage since shows the stage its stage history gives for "
                 "{date}, or without one the stage it has now.").format(
                     date=formats.date(day), found=found)
    else:
        sentence = comparison.sentence(formats)
        text = _("{sentence}.").format(sentence=esc(sentence[:1].upper() + sentence[1:]))
    if movement.previous_errors:
        text += _(" {errors} in the previous review left some files out of it.").format(
            errors=counted(movement.previous_errors, 'input error'))
    if movement.comparison.found and prefix is not None:
        text += _(" Every change: [{page}]({link}).").format(
            page=_("Changes since the last review"), link=prefix + CHANGES_PAGE)
    return text


def movement_summary(result: Result, movement: Movement | None) -> list[str]:
    """The overview's summary: class changes, accounts with new high findings, findings new
    and resolved, and the comparison it comes from."""
    if movement is None:
        return []
    lines = [f"## {_('Since the last review')}", "", _source(movement, "", result.formats), ""]
    if not movement.comparison.found:
        return lines
    accounts = {a.account.id: a.account for a in result.accounts}
    compared = movement.compared
    new = sum(len(m.new_findings) for m in compared)
    resolved = sum(len(m.resolved) for m in compared)
    lines += [_("{accounts} in both reviews: {new}, {resolved} resolved; {added} new since, "
                "{removed} no longer reviewed.").format(
                    accounts=counted(len(compared), 'account'), new=counted(new, 'new finding'),
                    resolved=resolved, added=counted(len(movement.added), 'account'),
                    removed=len(movement.removed)) + _unevaluated_sentence(compared), ""]
    lines += [f"**{_('Class changes')}**", ""]
    lines.append(table(["Account", "Before", "Now"], [
        [account_link(accounts[m.id]), esc(m.before.class_shown if m.before else ""),
         esc(m.after.class_shown)] for m in compared if m.class_changed]))
    lines += [f"**{_('Verdict changes')}**", ""]
    lines.append(table(["Account", "Before", "Now"], [
        [account_link(accounts[m.id]), esc(m.before.verdict or "—" if m.before else "—"),
         esc(m.after.verdict or "—")] for m in compared if m.verdict_changed]))
    lines += [f"**{_('Accounts with new high findings')}**", ""]
    lines.append(table(["Account", "New high findings"], [
        [account_link(accounts[m.id]),
         _(", ").join(_titled(f.rule, result.rulebook)
                   + (f" {esc(_subject(f, m, result.rulebook))}" if f.subject else "")
                   for f in m.new_high)]
        for m in compared if m.new_high]))
    return lines


def changes_page(result: Result, movement: Movement) -> str:
    """Every change since the previous review, one row each, filterable."""
    lines = [WIDE_PAGE + f"# {_('Changes since the last review')}", "",
             _source(movement, None, result.formats), ""]
    if not movement.comparison.found:
        return "\n".join(lines)
    accounts = {a.account.id: a for a in result.accounts}
    rows = []
    for moved in movement.accounts:
        item = accounts[moved.id]
        rows += part(CHANGES_PAGE, (item, moved.before, moved.after), None, _account_changes,
                     item, moved, result.rulebook)
    rows += [[esc(gone.name), _("no longer reviewed"), "", "", esc(gone.class_shown), ""]
             for gone in movement.removed]
    lines.append(filterable(table(["Account", "Change", "Severity", "Subject", "Before",
                                   "After"],
                                  rows), ["Change", "Severity"]))
    return "\n".join(lines)


def _account_changes(item: AccountResult, moved: AccountMovement,
                     rulebook: Rulebook) -> list[list[str]]:
    """An account's rows of the changes page (moved: its movement, made from its snapshots
    before and after and nothing else)."""
    return [[account_link(item.account), *row]
            for row in _change_rows(moved, rulebook, item.formats)]


def _change_rows(moved: AccountMovement, rulebook: Rulebook,
                 formats: LocaleFormat) -> list[list[str]]:
    was, now = moved.before, moved.after
    if was is None:
        return [[_("new account"), "", "", "", esc(now.class_shown)]]
    rows = []
    if moved.class_changed:
        rows.append([_("class"), "", "", esc(was.class_shown), esc(now.class_shown)])
    if moved.focus_changed:
        rows.append([_("focus"), "", "", esc(_(was.focus or "none")),
                     esc(_(now.focus or "none"))])
    if moved.verdict_changed:
        rows.append([_("verdict"), "", "", esc(_(was.verdict or "none")),
                     esc(_(now.verdict or "none"))])
    for title, found, new in ((_("new finding"), moved.new_findings, True),
                              (_("resolved finding"), moved.resolved, False),
                              (_("finding no longer evaluated"), moved.unevaluated, False),
                              (_("finding that no longer applies"), moved.ended, False)):
        rows += [[title, severity_badge(f.severity),
                  esc(f"{_rule_title(f.rule, rulebook)} [{_subject(f, moved, rulebook)}]"
                      if f.subject else _rule_title(f.rule, rulebook)),
                  "" if new else _message(f), _message(f) if new else
                  _why_ended(f, moved, formats) if found is moved.ended else ""]
                 for f in found]
    rows += [[_("figure"), "", esc(figure_label(m.name)), figure_text(m.name, m.before, formats),
              bracketed(figure_text(m.name, m.after, formats), change_text(m, formats))]
             for m in moved.figures if m.before != m.after]
    names = stage_names(rulebook)
    rows += [[_("stage"), "", bracketed(esc(m.name), esc(m.deal)),
              esc(stage_name(m.before, names) if m.before else ""),
              esc(stage_text(m, names, formats))] for m in moved.stages]
    rows += [[_("action done"), "", esc(a.text), "",
              formats.date(a.done_on) if a.done_on else ""] for a in moved.done]
    return rows
