"""The account page's whitespace grid: each product line the account needs, bought, in the
funnel, lost or not yet offered (rulebook/whitespace.py decides which)."""

from __future__ import annotations

from kam_review.i18n import _
from kam_review.locale_format import LocaleFormat
from kam_review.output.markdown_text import esc, table
from kam_review.review.results import AccountResult, Result
from kam_review.rulebook.commitment import decided_on
from kam_review.rulebook.whitespace import LineStanding, whitespace_grid
from kam_review.source.model import Opportunity
from kam_review.website.pages.common import figure
from kam_review.wording import counted, labelled

# Why the grid is there, in the seeds' own words.
_WHY = ("A good relationship still grows by cross-selling what the customer needs "
        "but does not yet buy from us (向他们交叉销售他们所需要的但是目前没有从你这里采购的"
        "产品/服务), and the range of products bought (产品/服务的范围) is one of the "
        "relationship's factors. Study the customer's current and latent needs and "
        "prepare for them (研究客户的当前需求和潜在需求，提前为客户做好准备).")


def whitespace_section(item: AccountResult, result: Result) -> list[str]:
    lines = [f"## {_('Whitespace')}", ""]
    grid = whitespace_grid(item.account)
    if not grid:
        return [*lines, _("No product lines on file: list the lines of ours the account needs "
                          "(`whitespace.product_lines`) and those it buys from us (`we_sell`) "
                          "to see what it has not yet been offered."), ""]
    waiting = sum(1 for standing in grid if not standing.offered)
    lines += [_(_WHY), "",
              _("{bought} of {lines} bought, {open} in the funnel, {waiting} not yet offered."
                ).format(bought=sum(1 for s in grid if s.is_bought),
                         lines=counted(len(grid), 'product line'),
                         open=sum(1 for s in grid if s.open), waiting=waiting), ""]
    lines.append('<div class="kam-grid" markdown>\n\n' + table(
        ["Product line", "Bought", "In the funnel", "Lost", "Not yet offered"],
        [_row(standing, item.formats) for standing in grid]) + "\n</div>\n")
    return lines


def _row(standing: LineStanding, formats: LocaleFormat) -> list[str]:
    """A product line's row, its deals' values in the account's currency and their days
    written as the site writes days."""
    bought = [_("✔ buys it from us")] if standing.bought else []
    bought += [_("won: {deal} ({day})").format(
        deal=_deal(o, formats),
        day=_('day not recorded') if (day := decided_on(o)) is None else formats.date(day))
        for o in standing.won]
    return [esc(standing.line), "<br>".join(bought) or "·",
            "<br>".join(labelled(_deal(o, formats), esc(_(o.stage))) for o in standing.open)
            or "·",
            "<br>".join(f"{_deal(o, formats)} ("
                        f"{esc(_(o.loss_reason or 'reason not recorded'))})"
                        for o in standing.lost) or "·",
            "·" if standing.offered else _("**not yet offered**")]


def _deal(opportunity: Opportunity, formats: LocaleFormat) -> str:
    return f"{esc(opportunity.name)}, {figure(opportunity.value, 'money', formats)}"
