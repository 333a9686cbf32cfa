"""Sums over several accounts, whose figures may be in different currencies: one total per
currency, or one in the base currency of the site's rates file for every currency it has a
rate for. A page with such totals says which rates it used, and as of which date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from kam_review.i18n import _, ngettext
from kam_review.locale_format import LocaleFormat
from kam_review.output.markdown_text import esc
from kam_review.review.results import AccountResult
from kam_review.source.rates import Rates
from kam_review.website.pages.cells import sorted_by

T = TypeVar("T")
Group = tuple[str | None, list[tuple[T, float]]]


@dataclass(frozen=True)
class Totals:
    """How the portfolio's pages add money up: `formats` is the review's (its locale, the
    default currency), `rates` the site's rates file, if it has one."""

    formats: LocaleFormat
    rates: Rates | None = None

    def held_in(self, amount: float, currency: str | None) -> tuple[str | None, float]:
        """The currency a total holds this amount in, and the amount in that currency."""
        if self.rates is not None:
            converted = self.rates.convert(amount, currency)
            if converted is not None:
                return self.rates.base, converted
        return currency, amount

    def of(self, item: AccountResult, amount: float) -> tuple[str | None, float]:
        """An amount of the account's, as totals hold it."""
        return self.held_in(amount, item.formats.currency)

    @property
    def main_currency(self) -> str | None:
        """The currency a total of nothing is in: the rates' base, else the default."""
        return self.rates.base if self.rates else self.formats.currency

    def writing(self, currency: str | None) -> LocaleFormat:
        """How an amount in a currency is written (None: a plain number)."""
        return replace(self.formats, currency=currency)

    def grouped(self, items: Iterable[tuple[str | None, float, T]]) -> list[Group[T]]:
        """Items by the currency their totals are held in, each with its amount in it; the
        largest group first."""
        groups: dict[str | None, list[tuple[T, float]]] = {}
        for currency, amount, item in items:
            held, value = self.held_in(amount, currency)
            groups.setdefault(held, []).append((item, value))
        return sorted(groups.items(), key=lambda group: (-len(group[1]), group[0] or ""))

    def cell(self, amounts: Iterable[tuple[str | None, float]]) -> str:
        """A total in a table cell: one amount per currency, each on its own line; a single
        amount also carries its value, for sorting."""
        sums: dict[str | None, float] = {}
        for currency, amount in amounts:
            held, value = self.held_in(amount, currency)
            sums[held] = sums.get(held, 0.0) + value
        if not sums:
            sums[self.main_currency] = 0.0
        shown = [self.writing(c).money(v) for c, v in sorted(sums.items(),
                                                             key=lambda s: s[0] or "")]
        if len(shown) == 1:
            return sorted_by(shown[0], next(iter(sums.values())))
        return "<br>".join(shown)

    def note(self, currencies: Iterable[str | None]) -> list[str]:
        """What a page of totals says about currencies: the rates it converted at, and the
        currencies it kept apart. Nothing when all the money is in one currency."""
        used = sorted({c for c in currencies if c is not None})
        rates = self.rates
        if rates is None:
            if len(used) < 2:
                return []
            return [_("The accounts keep their figures in {currencies}: totals are shown "
                      "per currency (a rates file in the site's configuration converts them "
                      "into one).").format(currencies=_listed(used)), ""]
        given = _(", ").join(f"1 {code} = {self.formats.number(rate, 6)} {rates.base}"
                             for code, rate in sorted(rates.per_unit.items()))
        lines = [_("Totals are in {base}, at the exchange rates of {date} ({given}, from "
                   "{file}); each account's own figures stay in its currency.").format(
                       base=rates.base, date=self.formats.date(rates.day), given=given,
                       file=esc(rates.file))]
        apart = [c for c in used if c != rates.base and c not in rates.per_unit]
        if apart:
            lines.append(ngettext("{file} has no rate for {currencies}: its amounts are "
                                  "totalled apart.",
                                  "{file} has no rate for {currencies}: their amounts are "
                                  "totalled apart.", len(apart)).format(
                                      file=esc(rates.file), currencies=_listed(apart)))
        return [" ".join(lines), ""]

    def titled(self, title: str, currency: str | None, groups: Sequence[object]) -> str:
        """A chart's title, naming its currency when the page has one chart per currency."""
        return title if len(groups) < 2 or currency is None else f"{title} ({currency})"


def _listed(codes: Sequence[str]) -> str:
    return _(", ").join(codes[:-1]) + _(" and ") + codes[-1] if len(codes) > 1 else codes[0]
