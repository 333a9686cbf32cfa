"""One health verdict per account, decided by the verdict rules over what every other rule found
(open warnings after waivers, goals, class, data freshness), with its reasons; in `kam check`
and on the pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from kam_review.output.report import as_json, as_text
from kam_review.review.evaluate import evaluate
from kam_review.review.results import AccountResult, Result, Verdict
from kam_review.review.verdict import verdict_facts
from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.source.accounts import load_portfolio
from kam_review.vocabulary import Health
from kam_review.website.pages import render_pages

from .conftest import AS_OF, RULES, healthy_account, quarters, write_account

Account = dict[str, Any]

# The influencer Chen Jun left a month ago: a high warning (risk.key-contact-left).
LEFT = {"left_on": "2026-08-31"}
WAIVER = {"rule": "risk.key-contact-left", "subject": "Chen Jun",
          "reason": "Successor introduced, handover booked",
          "until": "2026-12-31", "by": "Zhou Lan"}


def _account(**changes: Any) -> Account:
    account = healthy_account()
    if changes.pop("left", False):
        account["contacts"][2] |= LEFT
    if changes.pop("waived", False):
        account["waivers"] = [WAIVER]
    if changes.pop("parked", False):  # at its stage for 182 days: stage.stale (medium)
        account["opportunities"][0]["stage_since"] = "2026-04-01"
    return account | changes


def _review(tmp_path: Path, rulebook: Rulebook, *accounts: Account) -> Result:
    folder = tmp_path / f"accounts-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    for account in accounts:
        write_account(folder, account)
    result = evaluate(load_portfolio(folder), rulebook, AS_OF)
    assert not result.errors, [str(e) for e in result.errors]
    return result


def _one(tmp_path: Path, rulebook: Rulebook, account: Account) -> AccountResult:
    (item,) = _review(tmp_path, rulebook, account).accounts
    return item


def test_the_verdict_fact_counts_open_warnings_after_waivers(tmp_path: Path,
                                                             rulebook: Rulebook) -> None:
    item = _one(tmp_path, rulebook, _account(left=True, waived=True, parked=True))
    facts = verdict_facts(item, rulebook)
    assert (facts.high_warnings, facts.waived_high, facts.waived_high_list) == (
        0, 1, "A key person changed [Chen Jun]")
    # Advice (info) and the class and focus findings are not warnings; a deal is named as
    # the reader knows it, not by its id.
    assert (facts.medium_warnings, facts.medium_warning_list, facts.low_warnings) == (
        1, "Stuck in a stage [POS refresh]", 0)
    assert (facts.account_class, facts.latest_quarter, facts.quarters_unreported) == (
        "loyal", "2026-Q3", 0)
    assert (facts.goals, facts.goals_unmeasured, facts.goals_off_track_list) == (1, 1, "none")
    assert item.verdict == Verdict(Health.WATCH, "verdict.watch", (
        "1 high finding accepted by a waiver: A key person changed [Chen Jun]",))


def test_our_new_account_manager_is_named_as_such_in_the_reasons(
        tmp_path: Path, rulebook: Rulebook) -> None:
    """The owner who took over is ours, not a contact of the customer's who left."""
    owner = healthy_account()["owner"]
    taken_over = _account(owner_history=[{"name": "Sun Yue", "from": "2022-03-01",
                                          "to": "2026-07-31"}])
    reasons = _one(tmp_path, rulebook, taken_over).verdict.reasons
    assert reasons == (
        f"1 open high warning: A key person changed [{owner}, our key account manager]",)
    left = _one(tmp_path, rulebook, _account(left=True)).verdict.reasons
    assert left == ("1 open high warning: A key person changed [Chen Jun]",)


def test_the_reasons_cite_what_decided(tmp_path: Path, rulebook: Rulebook) -> None:
    at_risk = _one(tmp_path, rulebook, _account(left=True)).verdict
    # Of "a high warning, or dormant", only what held is cited.
    assert at_risk == Verdict(Health.AT_RISK, "verdict.at-risk", (
        "1 open high warning: A key person changed [Chen Jun]",))
    healthy = _one(tmp_path, rulebook, _account(parked=True)).verdict
    assert healthy == Verdict(Health.HEALTHY, "verdict.healthy", (
        "no open high warning", "1 open medium warning (to watch from 2)",
        "no goal behind or missed (0 achieved, 0 on track)", "no high finding waived",
        "figures up to date (latest quarter 2026-Q3)"))


def test_goals_off_track_are_named(tmp_path: Path, rulebook: Rulebook) -> None:
    account = _account()
    account["plan"]["goals"] = [{"text": "Grow", "metric": "revenue", "period": "trailing",
                                 "baseline": {"value": 4_000_000, "date": "2025-09-30"},
                                 "target": 4_700_000, "due": "2027-09-30"}]
    verdict = _one(tmp_path, rulebook, account).verdict
    assert verdict is not None and verdict.health == Health.WATCH
    assert verdict.reasons == ('1 goal behind or missed: "Grow" behind',)


def test_a_goal_off_track_is_not_counted_again_among_the_medium_warnings(
        tmp_path: Path, rulebook: Rulebook) -> None:
    """Its finding (plan.goal-behind, medium) would name the goal a second time in the
    reasons, beside the goals off track."""
    account = _account(parked=True)
    account["plan"]["goals"] = [{"text": "Grow", "metric": "revenue", "period": "trailing",
                                 "baseline": {"value": 4_000_000, "date": "2025-09-30"},
                                 "target": 4_700_000, "due": "2027-09-30"}]
    item = _one(tmp_path, rulebook, account)
    assert {f.rule for f in item.open_findings} >= {"plan.goal-behind", "stage.stale"}
    facts = verdict_facts(item, rulebook)
    assert (facts.medium_warnings, facts.medium_warning_list, facts.goals_off_track) == (
        1, "Stuck in a stage [POS refresh]", 1)
    assert item.verdict is not None
    assert item.verdict.reasons == ('1 goal behind or missed: "Grow" behind',)


def test_stale_figures_are_not_enough_data_but_a_known_threat_is_at_risk(
        tmp_path: Path, rulebook: Rulebook) -> None:
    stale = _account(financials=quarters("2024-Q4", [1_000_000] * 7))
    assert _one(tmp_path, rulebook, stale).verdict == Verdict(
        Health.NOT_ENOUGH_DATA, "verdict.not-enough-data",
        ("figures 1 quarter behind, latest on file 2026-Q2",
         "class unclassified: the data on file decides no class"))
    threatened = _one(tmp_path, rulebook, stale | {"contacts": [
        c | LEFT if c["name"] == "Chen Jun" else c for c in stale["contacts"]]}).verdict
    assert threatened is not None and threatened.health == Health.AT_RISK


def _rules_without(tmp_path: Path, rule_id: str) -> Path:
    """The bundled rules but one verdict rule, cut out of its file as written."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / "verdict.yaml"
    head, *rules = path.read_text(encoding="utf-8").split("\n  - id: ")
    kept = [rule for rule in rules if not rule.startswith(rule_id + "\n")]
    assert len(kept) == len(rules) - 1
    path.write_text("\n  - id: ".join([head, *kept]), encoding="utf-8")
    return folder


def test_no_rule_deciding_is_not_enough_data_with_what_was_needed(tmp_path: Path) -> None:
    """No row and no first order: how far behind the figures are is unknown, so no verdict
    rule can decide; the verdict says what they needed."""
    rulebook = load_rulebook(_rules_without(tmp_path, "verdict.not-enough-data"))
    account = _account(financials=[])
    del account["customer_since"]
    verdict = _one(tmp_path, rulebook, account).verdict
    assert verdict is not None
    assert (verdict.health, verdict.rule) == (Health.NOT_ENOUGH_DATA, None)
    assert verdict.reasons == ("verdict.healthy needs quarters behind: complete quarters at "
                               "the end without a row (as the account fact; absent when the "
                               "file has no row and no `customer_since`)",)


def test_the_thresholds_set_the_verdict(tmp_path: Path) -> None:
    overrides = tmp_path / "team.yaml"
    overrides.write_text("thresholds:\n  verdict_watch_min_medium: 1\n", encoding="utf-8")
    rulebook = load_rulebook(RULES, overrides)
    verdict = _one(tmp_path, rulebook, _account(parked=True)).verdict
    assert verdict is not None and verdict.health == Health.WATCH


def test_a_rules_folder_without_verdict_rules_gives_no_verdict(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    (folder / "verdict.yaml").unlink()
    result = _review(tmp_path, load_rulebook(folder), _account())
    assert result.accounts[0].verdict is None
    assert json.loads(as_json(result))["accounts"][0]["verdict"] is None
    assert "Verdict" not in render_pages(result)["accounts/test-account.md"].split("##")[0]


def test_kam_check_gives_each_verdict(tmp_path: Path, rulebook: Rulebook) -> None:
    result = _review(tmp_path, rulebook, _account(left=True),
                     _account(id="test-account-2", name="Second Account"))
    second, first = json.loads(as_json(result))["accounts"]  # in the order of file names
    assert first["verdict"] == {"verdict": "at-risk", "rule": "verdict.at-risk", "reasons": [
        "1 open high warning: A key person changed [Chen Jun]"]}
    assert second["verdict"]["verdict"] == "healthy"
    text = as_text(result).splitlines()
    heading = text.index("test-account: Test Account Ltd (loyal, focus key; owner Li Wei)")
    assert text[heading + 1] == ("  verdict: at risk (verdict.at-risk): 1 open high "
                                 "warning: A key person changed [Chen Jun]")
    assert "Verdicts: 1 at risk, 1 healthy" in text


Pages = dict[str, str]


def _pages(tmp_path: Path, rulebook: Rulebook) -> Pages:
    second = _account(id="test-account-2", name="Second Account", owner="Zhou Lan")
    return render_pages(_review(tmp_path, rulebook, _account(left=True), second,
                                _account(id="test-account-3", name="Third Account",
                                         parked=True)))


def _section(page: str, heading: str) -> str:
    return page.split(heading, 1)[1].split("\n## ", 1)[0]


def test_the_account_page_opens_with_the_verdict_and_its_reasons(tmp_path: Path,
                                                                 rulebook: Rulebook) -> None:
    page = _pages(tmp_path, rulebook)["accounts/test-account.md"]
    top = page.split("## At a glance", 1)[0]
    assert ('**Verdict: <span class="kam-verdict kam-verdict-at-risk">at risk</span>** '
            "by the rule [At risk](../rules.md#verdict-at-risk), because:") in top
    assert "- 1 open high warning: A key person changed &#91;Chen Jun&#93;" in top


def test_the_overview_lists_accounts_by_verdict(tmp_path: Path, rulebook: Rulebook) -> None:
    overview = _section(_pages(tmp_path, rulebook)["index.md"], "## Accounts by verdict")
    assert '| <span class="kam-verdict kam-verdict-at-risk">at risk</span> | 1 |' in overview
    assert '| <span class="kam-verdict kam-verdict-healthy">healthy</span> | 2 |' in overview
    groups = overview.split("### ")[1:]
    assert [group.splitlines()[0] for group in groups] == ["At risk (1)", "Healthy (2)"]
    assert groups[1].count("- [") == 2 and "[Second Account]" in groups[1]


def test_the_owners_page_gives_each_owner_their_accounts_by_verdict(
        tmp_path: Path, rulebook: Rulebook) -> None:
    owners = _pages(tmp_path, rulebook)["owners.md"]
    li_wei = _section(owners, "## Li Wei")
    assert ('- <span class="kam-verdict kam-verdict-at-risk">at risk</span> '
            "[Test Account Ltd](accounts/test-account.md)") in li_wei
    assert ('- <span class="kam-verdict kam-verdict-healthy">healthy</span> '
            "[Third Account](accounts/test-account-3.md)") in li_wei
    assert "at risk" not in _section(owners, "## Zhou Lan")


def _goal_rows(page: str) -> list[list[str]]:
    rows = [line for line in page.splitlines() if line.startswith("| ") and "kam-goal" in line]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows]


def test_a_goal_fallen_below_its_baseline_says_so(tmp_path: Path, rulebook: Rulebook) -> None:
    account = _account()
    account["plan"]["goals"] = [
        {"text": "Grow", "metric": "revenue", "period": "trailing",
         "baseline": {"value": 4_500_000, "date": "2025-09-30"}, "target": 5_000_000,
         "due": "2027-09-30"}]
    pages = render_pages(_review(tmp_path, rulebook, account))
    (behind,) = _goal_rows(pages["accounts/test-account.md"])
    assert behind[6].endswith("<br>-50% of the way (below the baseline), 50% of the time")


def test_every_goal_shows_actual_against_target_progress_and_status(
        tmp_path: Path, rulebook: Rulebook) -> None:
    account = _account()
    account["plan"]["goals"] = [
        {"text": "Grow", "metric": "revenue", "period": "trailing",
         "baseline": {"value": 4_000_000, "date": "2025-09-30"}, "target": 4_700_000,
         "due": "2027-09-30"},
        {"text": "Grow more", "metric": "revenue", "target": 5_000_000, "due": "2027-06-30"}]
    pages = render_pages(_review(tmp_path, rulebook, account))
    (behind, unmeasured) = _goal_rows(pages["accounts/test-account.md"])
    # Amounts in the account's currency, dates as the reader reads them (sorting as dates).
    assert behind[:6] == ["Grow", "revenue, trailing", "CN¥4M on Sep 30, 2025",
                          "CN¥4.25M<br><small>revenue of the last 4 quarters to 2026-Q3</small>",
                          "CN¥4.7M", '<span data-sort="20270930">Sep 30, 2027</span>']
    assert 'aria-label="35.7% of the way, 50% of the time"' in behind[6]
    assert behind[6].endswith("<br>35.7% of the way, 50% of the time")
    assert behind[7] == ('<span class="kam-goal kam-goal-behind">behind</span>: 40% of the '
                         "way needed by now")
    assert unmeasured[3:] == ["—", "CN¥5M", '<span data-sort="20270630">Jun 30, 2027</span>', "—", (
        '<span class="kam-goal kam-goal-cannot-be-measured">cannot be measured</span>: a '
        "revenue goal needs a period: a year (2026), a quarter (2026-Q3) or trailing (the "
        "last 4 complete quarters)")]
    # The overview lists the goals behind or missed with the same figures.
    (listed,) = _goal_rows(_section(pages["index.md"], "## Goals"))
    assert listed[0] == "[Test Account Ltd](accounts/test-account.md)" and listed[1:] == behind

