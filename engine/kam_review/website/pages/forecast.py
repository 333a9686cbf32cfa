"""The forecast the review meeting uses (seed 004): on the funnel page, the current funnel by
commitment, won against the sales targets and the deals lost this year, summed as the site's
totals are (converted at its rates, else per currency); on an account page, the same figures
of the account in brief."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kam_review.formatting import pct
from kam_review.i18n import _, language, words
from kam_review.locale_format import LocaleFormat
from kam_review.output.kept_parts import part
from kam_review.output.markdown_text import esc, table
from kam_review.review.forecast import (
    Forecast,
    LostDeal,
    PeriodLine,
    Tally,
    account_forecast,
    portfolio_forecast,
)
from kam_review.review.results import AccountResult, Result
from kam_review.rulebook.commitment import Periods, review_periods
from kam_review.source.model import LOSS_REASONS
from kam_review.vocabulary import (
    BUCKET_CLOSED_UNCONFIRMED,
    BUCKET_OVERDUE,
    COMMIT_BEFORE_INTENT,
    COMMIT_GUARANTEED,
    COMMIT_INTENT,
    COMMIT_LIKELY_NEXT,
    COMMIT_LIKELY_THIS,
    COMMIT_ORDER,
    COMMIT_WON,
)
from kam_review.website.pages.cells import date_cell
from kam_review.website.pages.common import account_link, figure
from kam_review.website.pages.totals import Totals
from kam_review.wording import bracketed, counted, labelled

# Each commitment with seed 004's own words (按销售预测) and what it counts.
_COMMITMENTS = {
    COMMIT_WON: ("截止到上报时间止已落单", "signed, paid and shipped this quarter (or on a day "
                 "not recorded)"),
    BUCKET_CLOSED_UNCONFIRMED: ("—", "marked closed, awaiting signature, payment or shipment"),
    COMMIT_GUARANTEED: ("本季度保证实现", "at negotiation, closing this quarter, at least "
                        "$commit_guaranteed_min_probability likely"),
    COMMIT_LIKELY_THIS: ("本季度有希望实现", "closing this quarter, at least "
                         "$commit_likely_min_probability likely"),
    COMMIT_LIKELY_NEXT: ("下季度有希望实现", "closing next quarter, at least "
                         "$commit_likely_min_probability likely"),
    COMMIT_INTENT: ("有意向的", "every other open deal from confirmed intent on"),
    BUCKET_OVERDUE: ("—", "open, close date passed: not forecast until re-dated"),
    COMMIT_BEFORE_INTENT: ("—", "target or potential opportunity: not forecast yet"),
}


def forecast_sections(result: Result, totals: Totals | None = None) -> list[str]:
    """The funnel page's forecast: by commitment, won against targets, lost deals; each
    currency's money in it, with its symbol (`totals` adds up the lost deals' reasons)."""
    totals = totals or Totals(result.formats)
    periods = review_periods(result.as_of)
    # Summed as every total of the site: converted at its rates, where it has them.
    forecasts = portfolio_forecast(result, kept_forecast,
                                   lambda currency: totals.held_in(1.0, currency))
    history = sum(1 for item in result.accounts for f in item.facts
                  if f["type"] == "opportunity" and f["is_history"])
    thresholds = result.rulebook.threshold_values()
    lines = [f"## {_('Forecast by commitment')}", "",
             _("This quarter is {this} (the review date {day} falls in it), next quarter "
               "{next}. Each deal is forecast by how sure it is (按销售预测), from its "
               "stage, expected close and probability. A deal won or lost before {this} is "
               "history and not counted in the funnel ({history}; each stays in the list of "
               "every opportunity).").format(
                 this=result.formats.quarter(str(periods.this_quarter)),
                 day=result.formats.date(result.as_of),
                 next=result.formats.quarter(str(periods.next_quarter)),
                 history=counted(history, 'such deal'))
             + _one_currency(forecasts), ""]
    several = len(forecasts) > 1
    for forecast in forecasts:
        if several:
            lines += [f"### {_currency(forecast)}", ""]
        writes = _writing(result, forecast)
        # The seed's own term beside each commitment, but on the Chinese pages: there the
        # commitment is named by that term already.
        seed_term = language() != "zh"
        rows = [[_(name), *([_COMMITMENTS[name][0]] if seed_term else []), str(at.deals),
                 writes.money(at.value), writes.money(at.weighted),
                 esc(_meaning(name, thresholds))]
                for name in COMMIT_ORDER if (at := forecast.by_commitment.get(name))]
        lines.append(table(["Commitment", *(["Chinese term"] if seed_term else []), "Deals",
                            "Value", "Weighted value", "What counts"], rows))
    lines += [f"## {_('Won against the sales targets')}", "",
              _("Deals won (signed, paid and shipped) up to the review date, and the open "
                "deals expected to close from the review date to the period's end, against "
                "the plans' sales targets. A target sums the accounts that have one for the "
                "period; the shares count those accounts' won and weighted open value."), ""]
    rows = [[*([_currency(f)] if several else []),
             *_period_cells(line, _writing(result, f), with_count=True)]
            for f in forecasts for line in f.periods]
    lines.append(table([*(words("Currency") if several else []), *_PERIOD_HEADS,
                        *words("Accounts with a target")], rows))
    lines += _untargeted_won(forecasts, result)
    lines += _account_targets(result, periods)
    lines += _lost_section(result, forecasts, several, totals)
    return lines


# Headings as keys: table() writes them in the active language when the page is built.
_PERIOD_HEADS = ["Period", "Sales target", "Won", "Won, % of target", "Open deals closing in it",
                 "Open value", "Weighted", "Won + weighted, % of target"]


def _period_cells(line: PeriodLine, writes: LocaleFormat,
                  with_count: bool = False) -> list[str]:
    cells = [bracketed(writes.quarter(str(line.period)), _(line.name)),
             figure(line.target, "money", writes),
             writes.money(line.won.value) if line.begun else "—",
             _share(line.won_share), str(line.open.deals), writes.money(line.open.value),
             writes.money(line.open.weighted), _share(line.expected_share)]
    return [*cells, str(line.targets)] if with_count else cells


def _untargeted_won(forecasts: Sequence[Forecast], result: Result) -> list[str]:
    """Where the Won column holds deals of accounts without a target for the period, which
    its share leaves out, how much: read across, the row would not add up."""
    notes = [_("Of the {won} won in {period}, {outside} is of accounts without a target for "
               "it, which the share of the target leaves out.").format(
                   won=writes.money(line.won.value), outside=writes.money(outside),
                   period=writes.quarter(str(line.period)))
             for forecast in forecasts for writes in [_writing(result, forecast)]
             for line in forecast.periods
             if line.target and line.begun
             and (outside := line.won.value - line.won_against) > 0.5]
    return [*(f"- {note}" for note in notes), ""] if notes else []


def kept_forecast(item: AccountResult, periods: Periods) -> Forecast:
    """account_forecast, kept between the rebuilds of `kam serve` (kept_parts.py)."""
    return part("forecast", (item,), periods, account_forecast, item, periods)


def _account_targets(result: Result, periods: Periods) -> list[str]:
    """Each account with a sales target or a deal won this year: its quarter and year."""
    rows = []
    for item in sorted(result.accounts, key=lambda a: a.account.name.lower()):
        forecast = kept_forecast(item, periods)
        quarter, _next, year = forecast.periods
        if quarter.target is None and year.target is None and not year.won.deals:
            continue
        writes = item.formats
        rows.append([account_link(item.account), esc(forecast.currency or "—"),
                     figure(quarter.target, "money", writes), writes.money(quarter.won.value),
                     figure(year.target, "money", writes), writes.money(year.won.value),
                     _share(year.won_share), writes.money(year.open.weighted)])
    if not rows:
        return []
    return [f"### {_('By account')}", "", table(
        words("Account", "Currency", "Target this quarter", "Won this quarter",
              "Target this year", "Won this year", "Won of target",
              "Weighted open to year end"), rows)]


def _lost_section(result: Result, forecasts: list[Forecast], several: bool,
                  totals: Totals) -> list[str]:
    lines = [f"## {_('Lost deals')}", ""]
    for forecast in forecasts:
        prefix = f"{_currency(forecast)}: " if several else ""
        share, writes = forecast.lost_share, _writing(result, forecast)
        text = _("Lost this quarter: {quarter}; this year: {year}.") if share is None else _(
            "Lost this quarter: {quarter}; this year: {year}: {share} of the value won or lost "
            "this year (lost orders, 流失的定单).")
        lines += [prefix + text.format(quarter=_deals(forecast.lost_quarter, writes),
                                       year=_deals(forecast.lost_year, writes),
                                       share="" if share is None else pct(share)), ""]
    lost = [deal for forecast in forecasts for deal in forecast.lost]
    if not lost:
        return [*lines, _("No deal lost this year."), ""]
    lines.append(table(["Account", "Opportunity", "Value", "Lost on", "Reason"], [
        [account_link(deal.account), esc(deal.fact["name"]),
         figure(deal.fact.get("value"), "money", _deal_writing(result, deal)),
         date_cell(deal.day, result.formats, "not recorded"),
         _reason(deal.fact.get("loss_reason"))] for deal in lost]))
    reasons: dict[str, list[LostDeal]] = {}
    for deal in lost:
        reasons.setdefault(str(deal.fact.get("loss_reason", "")), []).append(deal)
    lines += [_("Why they were lost (rarely the price; the four rejections: no need, no "
                "trust, no budget, no hurry):"), ""]
    # The reasons' values add up as the page's other totals do: per currency, or converted.
    held = {key: [(_deal_writing(result, d).currency, float(d.fact.get("value", 0)))
                  for d in deals] for key, deals in reasons.items()}
    ranked = sorted(held, key=lambda key: (-sum(totals.held_in(v, c)[1] for c, v in held[key]),
                                           key))
    lines.append(table(["Reason", "Deals", "Value"], [
        [_reason(key or None), str(len(held[key])), totals.cell(held[key])] for key in ranked]))
    return lines


def account_forecast_section(item: AccountResult, result: Result) -> list[str]:
    """The account's own forecast, briefly: its periods against its targets, its current
    deals by commitment, and the deals it lost this year."""
    periods = review_periods(result.as_of)
    forecast = account_forecast(item, periods)
    lines = [f"## {_('Forecast')}", ""]
    has_target = any(line.target is not None for line in forecast.periods)
    if not has_target and not item.account.opportunities:
        return [*lines, _("No sales target and no opportunity on file."), ""]
    currency = bracketed("", forecast.currency) if forecast.currency else ""
    lines += [_("This quarter {this}, next quarter {next}; money in the account's "
                "currency{currency}. The funnel page sums every account.").format(
                    this=result.formats.quarter(str(periods.this_quarter)),
                    next=result.formats.quarter(str(periods.next_quarter)), currency=currency)
              + ("" if has_target else _(" The plan sets no sales target.")), ""]
    writes = item.formats
    lines.append(table(_PERIOD_HEADS, [_period_cells(line, writes)
                                       for line in forecast.periods]))
    deals = [f for f in item.facts if f["type"] == "opportunity" and not f["is_history"]]
    listed = ["- " + labelled(f"**{_(name)}**", bracketed(esc(f['name']), _value(f, writes)))
              for name in COMMIT_ORDER for f in deals if f["commit_category"] == name]
    listed += ["- " + _("**lost** on {day}: {name} ({value}), {reason}").format(
        day=_day(deal, writes), name=esc(deal.fact['name']),
        value=figure(deal.fact.get('value'), 'money', writes),
        reason=_reason(deal.fact.get('loss_reason'))) for deal in forecast.lost]
    if listed:
        lines += [_("The deals by commitment, and those lost this year:"), "",
                  *listed, ""]
    return lines


def _value(fact: dict[str, Any], writes: LocaleFormat) -> str:
    value, weighted = fact.get("value"), fact.get("weighted_value")
    return figure(value, "money", writes) + (
        "" if weighted is None or weighted == value
        else _(", weighted {value}").format(value=writes.money(weighted)))


def _day(deal: LostDeal, writes: LocaleFormat) -> str:
    return writes.date(deal.day) if deal.day else _("a day not recorded")


def _deals(at: Tally, writes: LocaleFormat) -> str:
    return _("{deals}, {value}").format(deals=counted(at.deals, 'deal'),
                                         value=writes.money(at.value))


def _writing(result: Result, forecast: Forecast) -> LocaleFormat:
    """How a forecast's money is written: in its currency (an account naming none is in
    the portfolio's default currency)."""
    return result.formats.in_currency(forecast.currency or None)


def _deal_writing(result: Result, deal: LostDeal) -> LocaleFormat:
    return result.formats.in_currency(deal.account.currency)


def _share(share: float | None) -> str:
    return "—" if share is None else pct(share)


def _reason(key: str | None) -> str:
    """A loss reason in words (its key's words again, in front, read twice: "no budget (the
    customer had no budget ...)")."""
    if key is None:
        return _("reason not recorded")
    return _(LOSS_REASONS[key])


def _one_currency(forecasts: list[Forecast]) -> str:
    """Where every account has the one currency, the money's currency, said once."""
    if len(forecasts) != 1 or not forecasts[0].currency:
        return ""
    return _(" Money in {currency}.").format(currency=esc(forecasts[0].currency))


def _currency(forecast: Forecast) -> str:
    return esc(forecast.currency) if forecast.currency else _("no currency given")


def _meaning(name: str, thresholds: dict[str, float]) -> str:
    """What a commitment counts, its thresholds written out as the rules folder sets them."""
    text = _(_COMMITMENTS[name][1])
    for threshold, value in thresholds.items():
        text = text.replace(f"${threshold}", pct(value))
    # A rules folder without the threshold forecasts no deal in that commitment.
    return re.sub(r"\$\w+", _("(threshold not set)"), text)
