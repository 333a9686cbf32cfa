"""The portfolio's charts: the strategic focus matrix, the Pareto curves, the revenue by
quarter and the opportunity funnel, each money figure totalled per currency, or in one
currency where the site's rates convert them (totals.py); and each account's ABC class."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from kam_review.i18n import _, words
from kam_review.output import charts
from kam_review.output.markdown_text import esc
from kam_review.review.results import UNCLASSIFIED, AccountResult, Result
from kam_review.rulebook.figures import before_customer, revenue_series
from kam_review.source.model import Quarter
from kam_review.vocabulary import Kind
from kam_review.website.pages.cells import sorted_by
from kam_review.website.pages.common import account_fact, chart, described
from kam_review.website.pages.totals import Group, Totals
from kam_review.wording import counted


def abc_classes(result: Result, totals: Totals) -> dict[str, str]:
    """Each account's ABC class by revenue, ranked among the accounts whose revenue adds up
    in the same currency; "—" for an account whose revenue is unknown (never ranked as 0)."""
    ranked = {account_id: cls for _, group in _revenue_groups(result, totals, known=True)
              for account_id, cls in charts.abc_classes(
                  [(item.account.id, amount) for item, amount in group]).items()}
    return {item.account.id: ranked.get(item.account.id, "—") for item in result.accounts}


def revenue_cell(item: AccountResult, totals: Totals) -> str:
    """The account's revenue in its currency, sorted by its value in the totals' currency
    (so accounts in different currencies sort by what they are worth)."""
    revenue = account_fact(item, "revenue_ttm")
    if revenue is None:
        return "—"
    return sorted_by(item.formats.money(revenue), totals.of(item, revenue)[1])


def _revenue_groups(result: Result, totals: Totals, known: bool = False
                    ) -> list[Group[AccountResult]]:
    """The accounts by the currency their revenue adds up in (an unknown revenue as 0 in a
    total; with `known`, for a ranking, left out)."""
    return totals.grouped((item.formats.currency, account_fact(item, "revenue_ttm") or 0, item)
                          for item in result.accounts
                          if not known or account_fact(item, "revenue_ttm") is not None)


def matrix_key(result: Result) -> tuple[charts.ColourKey, Callable[[AccountResult], str]]:
    """What the focus matrix colours its dots by, and each account's value of it: the class
    (the one place to change for another key)."""
    key = charts.ColourKey.of(_("Class"), words(*result.rulebook.labels(Kind.CLASS)),
                              _(UNCLASSIFIED))
    return key, lambda item: _(item.klass)


def _focus_matrix(result: Result, totals: Totals) -> list[str]:
    """The matrix, its dots sized by revenue in the currency most accounts total in (the
    others' size unknown there), coloured by matrix_key."""
    accounts = result.accounts
    groups = _revenue_groups(result, totals)
    currency, group = groups[0] if groups else (totals.main_currency, [])
    # An unknown revenue counts 0 in the totals, but has no size here.
    sized = {item.account.id: amount for item, amount in group
             if account_fact(item, "revenue_ttm") is not None}
    key, value_of = matrix_key(result)
    points = [charts.MatrixPoint(a.account.name, account_fact(a, "attractiveness_score"),
                                 account_fact(a, "relationship_score"), f"accounts/{a.account.id}/",
                                 sized.get(a.account.id), value_of(a))
              for a in accounts if account_fact(a, "attractiveness_score") is not None
              and account_fact(a, "relationship_score") is not None]
    thresholds = result.rulebook.threshold_values()
    size_title = described("revenue_ttm").label + (f" ({currency})" if len(groups) > 1
                                                  and currency else "")
    return [f"## {_('Strategic focus matrix')}", "",
            _("{scored} of {count} accounts have a scorecard; a dot's area shows the account's "
              "revenue, its colour its class; click a dot or a name for the account.").format(
                  scored=len(points), count=len(accounts)), "",
            chart(charts.focus_matrix(points, thresholds.get("focus_high_attractiveness", 3),
                                      thresholds.get("focus_strong_relationship", 3), key,
                                      size_title, totals.writing(currency),
                                      _("unknown, or in another currency") if len(groups) > 1
                                      else _("unknown")))]


def _not_ranked(sentence: str, items: list[AccountResult]) -> list[str]:
    """The sentence naming the accounts a ranking leaves out, when it leaves any."""
    if not items:
        return []
    return [sentence.format(accounts=_(", ").join(esc(item.account.name) for item in items)),
            ""]


def portfolio_charts(result: Result, totals: Totals) -> list[str]:
    """The overview's charts: the focus matrix, the Pareto curves and the revenue by quarter,
    one of each per currency the money adds up in."""
    accounts = result.accounts
    lines = _focus_matrix(result, totals)
    lines += [f"## {_('Pareto (ABC) analysis')}", "",
              _("Accounts ranked by the last 4 quarters; class A brings the first 80% of the "
                "total, B the next 15%, C the rest."), ""]
    lines += _not_ranked(_("Not ranked, their revenue of the last 4 quarters unknown (a "
                           "quarter without a row): {accounts}."),
                         [item for item in accounts if account_fact(item, "revenue_ttm") is None])
    lines += _not_ranked(_("Not ranked by gross profit, their cost of the last 4 quarters "
                           "unknown: {accounts}."),
                         [item for item in accounts
                          if account_fact(item, "revenue_ttm") is not None
                          and account_fact(item, "gross_margin_ttm") is None])
    groups = _revenue_groups(result, totals, known=True)
    for currency, group in groups:
        formats = totals.writing(currency)
        revenue = [(item.account.name, amount) for item, amount in group]
        # A gross profit is ranked where the margin is known: an unknown one is no 0.
        profit = [(item.account.name, amount * margin) for item, amount in group
                  if (margin := account_fact(item, "gross_margin_ttm")) is not None]
        lines += [chart(charts.pareto_curve(revenue, formats=formats, title=totals.titled(
                      described("revenue_ttm").label, currency, groups))),
                  chart(charts.pareto_curve(profit, formats=formats, title=totals.titled(
                      _("Gross profit, last 4 quarters"), currency, groups)))]
    by_quarter: dict[tuple[str | None, str], float] = {}
    unknown: dict[str, list[str]] = {}  # the accounts without a row for the quarter
    # Customers before their first row on file: its quarter, customer_since, the name.
    first_rows: list[tuple[Quarter, date, str]] = []
    for item in accounts:
        series = revenue_series(item.account, result.as_of)
        for quarter, amount, _cost in series:
            held, value = totals.of(item, amount or 0)
            by_quarter[held, str(quarter)] = by_quarter.get((held, str(quarter)), 0) + value
            if amount is None:
                unknown.setdefault(str(quarter), []).append(item.account.name)
        since = item.account.customer_since
        if series and since is not None:
            first_rows.append((series[0][0], since, item.account.name))
    quarters = sorted({q for _, q in by_quarter})[-8:]
    # A quarter before an account's first row, when it was a customer already, has no row
    # either: the sum leaves it out as it leaves out a gap.
    shown = [(text, Quarter.parse(text)) for text in quarters]
    for first, since, name in first_rows:
        for text, quarter in shown:
            if quarter.index < first.index and not before_customer(quarter, since):
                unknown.setdefault(text, []).append(name)
    currencies = sorted({c for c, _ in by_quarter}, key=lambda c: c or "") or [
        totals.main_currency]
    lines += [f"## {_('Portfolio revenue by quarter')}", ""]
    for currency in currencies:
        title = totals.titled(_("Portfolio revenue"), currency, currencies)
        lines.append(chart(charts.bar_chart([result.formats.quarter(q) for q in quarters],
                                            [by_quarter.get((currency, q), 0)
                                             for q in quarters],
                                            title, totals.writing(currency))))
    missing = [_("{quarter} leaves out {accounts} ({names}) without a row for it").format(
        quarter=result.formats.quarter(q), accounts=counted(len(unknown[q]), 'account'),
        names=_named(unknown[q])) for q in quarters if unknown.get(q)]
    if missing:
        lines += [_("Sums of the rows on file: {missing} (see Data completeness).").format(
            missing=_("; ").join(missing)), ""]
    return lines


def funnel_charts(result: Result, deals: list[tuple[AccountResult, dict[str, Any]]],
                  totals: Totals) -> list[str]:
    """The funnel: deals and their value at each stage, one chart per currency the values
    add up in."""
    stages = result.rulebook.stages
    groups = totals.grouped((item.formats.currency, fact.get("value", 0), fact["stage"])
                            for item, fact in deals if any(s.id == fact["stage"] for s in stages))
    return [chart(charts.funnel_chart(
        [(stage.name, sum(1 for s, _ in group if s == stage.id),
          sum(value for s, value in group if s == stage.id)) for stage in stages],
        totals.writing(currency), totals.titled(_("Opportunity funnel"), currency, groups)))
        for currency, group in groups or [(totals.main_currency, [])]]


# Accounts named in a note before "and N more".
_NAMED = 3


def _named(names: list[str]) -> str:
    """Up to three accounts by name, in name order, and how many more."""
    shown = sorted(names, key=str.casefold)
    listed = _(", ").join(esc(name) for name in shown[:_NAMED])
    rest = len(shown) - _NAMED
    return listed + (_(" and {count} more").format(count=rest) if rest > 0 else "")
