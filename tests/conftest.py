"""Shared fixtures: the repository's folders, a healthy test account, and a way to review a
handful of accounts written to a temporary folder."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from kam_review.i18n import set_language
from kam_review.review.evaluate import evaluate
from kam_review.review.previous import Since
from kam_review.review.results import AccountResult, Result
from kam_review.review.since import review_since
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.source.accounts import load_portfolio

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"
ACCOUNTS = REPO / "accounts"
AS_OF = date(2026, 9, 30)

Account = dict[str, Any]


def quarters(start: str, revenues: list[float], margin: float = 0.3) -> list[dict[str, Any]]:
    """Consecutive quarterly rows from `start` (e.g. '2024-Q4') with the given revenues."""
    year, q = (int(part) for part in start.split("-Q"))
    rows = []
    for revenue in revenues:
        rows.append({"quarter": f"{year}-Q{q}", "revenue": revenue,
                     "cost": round(revenue * (1 - margin))})
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return rows


def healthy_account() -> Account:
    """An account on which no risk, stage or plan rule fires as of AS_OF: a loyal, key account,
    well covered (seed 002's four buying influences met, a director and an executive), visited
    once a month, with a SMART plan and a well-documented opportunity."""
    return {
        "id": "test-account",
        "name": "Test Account Ltd",
        "owner": "Li Wei",
        "industry": "retail",
        "customer_since": "2020-01-01",
        "currency": "CNY",
        "financials": quarters("2024-Q4", [1_000_000] * 4 + [1_020_000, 1_050_000, 1_080_000,
                                                               1_100_000]),
        "market": {"industry_growth": 0.05, "wallet": 5_000_000, "competitors": ["Kestrel"]},
        "scores": {
            "attractiveness": {"growth": 4, "size": 4, "competition": 4, "profitability": 4,
                               "need": 4, "strategic": 4},
            "relationship": {"frequency": 4, "knowledge": 4, "relationship": 4, "contacts": 4,
                             "range": 4, "price": 4, "reputation": 4, "finance": 4,
                             "service": 4},
        },
        "relationship_stage": "mid",
        "contacts": [
            {"name": "Zhang Min", "title": "CIO", "level": "executive",
             "roles": ["decision_maker"], "style": "analytical", "attitude": "supporter",
             "last_contact": "2026-09-01"},
            {"name": "Wang Fang", "title": "Store Systems Manager", "level": "manager",
             "roles": ["user", "coach", "technical"], "style": "social", "attitude": "supporter",
             "last_contact": "2026-09-10"},
            {"name": "Chen Jun", "title": "Procurement Director", "level": "director",
             "roles": ["influencer"], "style": "direct", "attitude": "neutral",
             "last_contact": "2026-08-20"},
        ],
        "activities": [
            {"date": "2026-09-01", "kind": "visit", "with": ["Zhang Min"]},
            {"date": "2026-09-10", "kind": "call", "with": ["Wang Fang"]},
            {"date": "2026-07-15", "kind": "meeting", "with": ["Chen Jun"]},
            {"date": "2026-08-12", "kind": "visit", "with": ["Chen Jun"]},
        ],
        "complaints": [
            {"date": "2026-06-01", "topic": "delivery", "summary": "Late pallet",
             "resolved_on": "2026-06-10"},
        ],
        "plan": {
            "growth_target": 0.1,
            "summary": "Grow the **store systems** business.",
            "goals": [{"text": "Win the POS refresh", "metric": "revenue", "target": 5_000_000,
                       "due": "2027-06-30"}],
        },
        "opportunities": [
            {"id": "pos-refresh", "name": "POS refresh", "stage": "intent",
             "stage_since": "2026-08-01", "value": 2_000_000, "expected_close": "2027-03-31",
             "probability": 0.3,
             "evidence": {"fits_target_profile": True, "basic_data_known": True,
                          "competitors_known": True, "needs_known": True, "budget_known": True,
                          "project_team_known": True, "interest_confirmed": True},
             "qualification": {"real": "yes", "can_compete": "yes", "win": "yes",
                               "worth": "yes"}},
        ],
    }


def write_account(folder: Path, account: Account) -> Path:
    path = folder / f"{account['id']}.yaml"
    path.write_text(yaml.safe_dump(account, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session", autouse=True)
def _private_account_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """`kam check` caches parsed files in the user's cache folder: the tests use a folder of
    their own (subprocesses inherit it), never the real one, the repository or the cwd."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KAM_CACHE_DIR", str(tmp_path_factory.mktemp("kam-cache")))
        yield


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts and ends in English: a Chinese build or `--lang zh` run in this
    process sets the active language (i18n.py)."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def site_review() -> Result:
    """The sample portfolio's review as its site shows it: compared with the previous
    review."""
    return review_since(ACCOUNTS, RULES, AS_OF, since=Since(cache=False))[0]


Reviewer = Callable[..., Result]


@pytest.fixture
def review_accounts(tmp_path: Path, rulebook: Rulebook) -> Reviewer:
    """Write the given accounts to a fresh folder and review them as of AS_OF."""
    counter = iter(range(1_000_000))

    def run(*accounts: Account, as_of: date = AS_OF,
            warned_before: dict[str, frozenset[str]] | None = None) -> Result:
        folder = tmp_path / f"accounts-{next(counter)}"
        folder.mkdir()
        for account in accounts:
            write_account(folder, account)
        return evaluate(load_portfolio(folder), rulebook, as_of, warned_before=warned_before)

    return run


@pytest.fixture
def review_one(review_accounts: Reviewer) -> Callable[[Account], AccountResult]:
    def run(account: Account) -> AccountResult:
        result = review_accounts(account)
        assert not result.errors, [str(e) for e in result.errors]
        (only,) = result.accounts
        return only

    return run


def variant(change: Callable[[Account], Any]) -> Account:
    """The healthy account with one change applied."""
    account = copy.deepcopy(healthy_account())
    change(account)
    return account


def pytest_configure(config: pytest.Config) -> None:
    """Under mutmut (bench/MUTATION.md) the tests must run the mutated copy in mutants/: a
    kam_review found elsewhere first (an editable install, a PYTHONPATH entry importlib had
    cached as missing before mutants/ existed) would leave every mutant without a test."""
    import kam_review

    if os.environ.get("MUTANT_UNDER_TEST") and "mutants" not in Path(kam_review.__file__).parts:
        pytest.exit(f"mutmut: kam_review imported from {kam_review.__file__}, not from "
                    "mutants/src: run mutmut without PYTHONPATH (bench/MUTATION.md)")
