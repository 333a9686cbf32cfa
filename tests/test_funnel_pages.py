"""The funnel as the pages show it: each deal's stage characteristics (seed 004), its four-step
assessment (seed 002), and a closed deal not yet signed, paid and shipped kept out of the
closed bucket."""

from __future__ import annotations

from typing import Any

from kam_review.website.pages import render_pages

from .conftest import healthy_account


def _pages(review_accounts: Any, **deal: Any) -> dict[str, str]:
    account = healthy_account()
    account["opportunities"][0] |= deal
    result = review_accounts(account)
    assert not result.errors
    return render_pages(result)


def _rows(page: str, text: str) -> list[str]:
    return [line for line in page.splitlines() if text in line]


def test_the_checklist_reads_as_characteristics(review_accounts: Any) -> None:
    evidence = healthy_account()["opportunities"][0]["evidence"] | {"budget_known": False}
    page = _pages(review_accounts, evidence=evidence)["accounts/test-account.md"]
    assert "### POS refresh: stage characteristics" in page
    assert "a deal at a stage shows the characteristics of that stage and of every stage " \
        "before it; the next stage's characteristics are what lets it move on." in page
    (budget,) = _rows(page, "budget is known")
    assert budget.startswith("| 2. Potential opportunity | earlier |")
    assert budget.endswith("| ✘ no (needed from stage 2 on) |")
    (interest,) = _rows(page, "is interested in our products")
    assert interest.startswith("| 3. Confirmed intent | current |")
    assert interest.endswith("| ✔ yes |")
    (backing,) = _rows(page, "leadership backs the project")
    assert backing.startswith("| 4. Project initiated | next: to move on |")
    assert backing.endswith("| not recorded |")
    (signed,) = _rows(page, "the contract is signed")
    assert signed.startswith("| 7. Closed | a later stage |")
    assert "stage-exit" not in page and "Exit criterion" not in page


def test_the_competition_question_is_asked_as_can_we_compete(review_accounts: Any) -> None:
    page = _pages(review_accounts)["accounts/test-account.md"]
    assert "Four-step assessment: is it a real opportunity? yes · can we compete? " \
        "yes · can we win? yes · is it worth winning? yes" in page


def test_a_closed_deal_awaiting_payment_is_not_forecast_as_closed(review_accounts: Any) -> None:
    evidence = healthy_account()["opportunities"][0]["evidence"] | {
        "contract_signed": True, "payment_received": False, "goods_shipped": True}
    funnel = _pages(review_accounts, stage="closed", evidence=evidence)["funnel.md"]
    assert len(_rows(funnel, "| closed, awaiting signature, payment or shipment | 1 |")) == 1
    assert not _rows(funnel, "| closed | 1 |")
    (deal,) = _rows(funnel, "| POS refresh |")
    assert deal.endswith("| not yet paid or shipped |")
    assert "| Expected close | Deals | Value | Weighted value |" in funnel
    assert "At risk" in funnel and "Stale / overdue" not in funnel


def test_a_signed_paid_shipped_deal_is_closed(review_accounts: Any) -> None:
    evidence = healthy_account()["opportunities"][0]["evidence"] | {
        "contract_signed": True, "payment_received": True, "goods_shipped": True}
    funnel = _pages(review_accounts, stage="closed", evidence=evidence)["funnel.md"]
    assert _rows(funnel, "| closed | 1 |")
    assert not _rows(funnel, "closed, awaiting signature, payment or shipment | 1")
