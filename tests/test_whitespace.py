"""The whitespace of an account (seeds 001, 002): each product line it needs, bought, in the
funnel, lost or not yet offered, as its facts count it and its page draws it."""

from __future__ import annotations

import copy
from typing import Any

from kam_review.website.pages import render_pages

from .conftest import Reviewer, healthy_account

_SIGNED_PAID_SHIPPED = {"contract_signed": True, "payment_received": True,
                        "goods_shipped": True}


def _account() -> dict[str, Any]:
    """Five lines: POS bought, scanners won in a deal, tablets in the funnel, printers lost,
    kiosks never offered; service is named in another spelling in we_sell."""
    account = healthy_account()
    deal = account["opportunities"][0]
    account["whitespace"] = {
        "product_lines": ["POS terminals", "Scanners", "Tablets", "Printers", "Kiosks",
                          "Service contracts"],
        "we_sell": ["POS terminals", "service  CONTRACTS"]}
    account["opportunities"] = [
        deal | {"product_line": "tablets"},
        copy.deepcopy(deal) | {"id": "scanners-2026", "name": "Scanners 2026",
                               "stage": "closed", "closed_on": "2026-05-20", "value": 300_000,
                               "product_line": "Scanners", "evidence": deal["evidence"]
                               | _SIGNED_PAID_SHIPPED},
        copy.deepcopy(deal) | {"id": "printers", "name": "Printers", "stage": "lost",
                               "lost_on": "2026-04-01", "loss_reason": "competitor",
                               "value": 80_000, "product_line": "Printers"},
    ]
    return account


def test_the_grid_shows_where_each_line_stands(review_accounts: Reviewer) -> None:
    result = review_accounts(_account())
    assert not result.errors, [str(e) for e in result.errors]
    page = render_pages(result)["accounts/test-account.md"]
    assert "A good relationship still grows by cross-selling what the customer " \
        "needs but does not yet buy from us (向他们交叉销售他们所需要的但是目前没有从你这里" \
        "采购的产品/服务), and the range of products bought (产品/服务的范围)" in page
    assert "3 of 6 product lines bought, 1 in the funnel, 1 not yet offered." in page
    rows = [line for line in page.split("## Whitespace")[1].split("</div>")[0].splitlines()
            if line.startswith("| ") and "Product line" not in line]
    assert rows == [
        "| POS terminals | ✔ buys it from us | · | · | · |",
        "| Scanners | won: Scanners 2026, CN¥300K (May 20, 2026) | · | · | · |",
        "| Tablets | · | POS refresh, CN¥2M: intent | · | · |",
        "| Printers | · | · | Printers, CN¥80K (competitor) | · |",
        "| Kiosks | · | · | · | **not yet offered** |",
        "| Service contracts | ✔ buys it from us | · | · | · |",
    ]
    (item,) = result.accounts
    facts = item.facts[0]
    assert (facts["product_lines"], facts["lines_bought"], facts["lines_in_funnel"],
            facts["lines_not_offered"], facts["lines_not_offered_list"]) == (6, 3, 1, 1, "Kiosks")
    (advice,) = [f for f in item.findings if f.rule == "advice.whitespace"]
    assert advice.message == "1 of the 6 product lines it needs not yet offered: Kiosks"


def test_without_whitespace_the_page_says_what_to_list(review_accounts: Reviewer) -> None:
    result = review_accounts(healthy_account())
    page = render_pages(result)["accounts/test-account.md"]
    assert "## Whitespace\n\nNo product lines on file: list the lines of ours the account " \
        "needs (`whitespace.product_lines`)" in page
    facts = result.accounts[0].facts[0]
    assert (facts["product_lines"], facts["lines_not_offered"]) == (0, 0)
    assert not [n for n in result.accounts[0].not_evaluated if n.rule == "advice.whitespace"]
