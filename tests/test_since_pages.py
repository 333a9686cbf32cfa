"""The pages' view of the movement: each account's revenue trend and "Since the last review"
section, the overview's summary and the changes page, each saying which previous review it
compares with, or that there is none."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import markdown
import pytest

from kam_review.i18n import locale_name, using
from kam_review.locale_format import LocaleFormat
from kam_review.review.movement import AccountMovement, Movement
from kam_review.review.since import review_since
from kam_review.website.pages import render_pages
from kam_review.website.pages.movement import revenue_trend

from .conftest import AS_OF, RULES, Account, Reviewer, healthy_account, quarters, write_account
from .git_support import git, new_repository
from .html_tree import parse
from .test_previous_review import commit


def _pages(tmp_path: Path, *accounts: Account, as_of: date = AS_OF) -> dict[str, str]:
    """The pages of accounts kept outside git: compared with the files as of 2026-06-30."""
    folder = tmp_path / "accounts"
    folder.mkdir(exist_ok=True)
    for account in accounts:
        write_account(folder, account)
    return render_pages(*review_since(folder, RULES, as_of))


def _grower() -> Account:
    """Loyal as of 2026-06-30, fast-growing as of 2026-09-30; its decision maker's contact
    came after the day, and its deal reached its stage on 2026-08-01."""
    account = healthy_account()
    account["financials"] = quarters("2024-Q4", [1_000_000] * 6 + [1_400_000, 1_800_000])
    return account


def _trend(review_accounts: Reviewer, revenues: list[float | None]) -> str:
    account = healthy_account()
    rows = quarters("2024-Q4", [r or 0 for r in revenues])
    account["financials"] = [row for row, r in zip(rows, revenues, strict=True)
                             if r is not None]
    (item,) = review_accounts(account).accounts
    return "\n".join(revenue_trend(item, AS_OF))


@pytest.mark.parametrize(("revenues", "said"), [
    ([1_000_000] * 3 + [1_250_000, 1_000_000, 1_000_000, 1_200_000, 1_500_000],
     "<strong>Revenue 2026-Q3</strong>: CN¥1.5M; year on year: ▲ +20% against 2025-Q3; quarter "
     "on quarter: ▲ +25% against 2026-Q2"),
    ([1_000_000] * 3 + [1_500_000, 1_000_000, 1_000_000, 1_500_000, 1_500_000],
     "year on year: = 0% against 2025-Q3; quarter on quarter: = 0% against 2026-Q2"),
    ([1_000_000] * 3 + [None, 1_000_000, 1_000_000, None, 900_000],
     "year on year: unknown (no row for 2025-Q3); quarter on quarter: unknown (no row for "
     "2026-Q2)"),
    ([1_000_000] * 3 + [0, 1_000_000, 1_000_000, 0, 900_000],
     "year on year: unknown (2025-Q3 had no revenue); quarter on quarter: unknown (2026-Q2 "
     "had no revenue)"),
    ([None] * 4 + [1_000_000, 1_000_000, 1_200_000, 900_000],
     "year on year: no quarter to compare with on file; quarter on quarter: ▼ -25% against "
     "2026-Q2"),
], ids=["up", "flat", "gaps", "zero-before", "one-year"])
def test_the_revenue_trend_says_year_on_year_and_quarter_on_quarter(
        review_accounts: Reviewer, revenues: list[float | None], said: str) -> None:
    trend = _trend(review_accounts, revenues)
    assert said in trend
    assert trend.startswith('<div class="kam-trend">') and 'role="img"' in trend
    # A quarter without a row is a gap (an unknown mark), never drawn as a zero.
    assert trend.count('class="kam-gap"') == sum(
        1 for r in revenues[revenues.index(next(r for r in revenues if r is not None)):]
        if r is None)


def test_an_account_page_shows_what_moved_since_the_previous_quarters_end(
        tmp_path: Path) -> None:
    page = _pages(tmp_path, _grower())["accounts/test-account.md"]
    section = page.split("## Since the last review", 1)[1].split("\n## ", 1)[0]
    # In the reader's words; how the comparison was found is for whoever keeps the site,
    # on the overview and the changes page, not on every account's page.
    assert section.startswith("\n\nCompared with Jun 30, 2026, the end of the previous "
                              "quarter, as the account files tell it today: no earlier review "
                              "is on record, so it is rebuilt from them. It leaves out what the "
                              "files date after Jun 30, 2026")
    overview = _pages(tmp_path, _grower())["index.md"]
    assert ("rebuilt from them (for whoever keeps the site: no earlier review is tagged "
            "(review-&#42;) (the accounts are not in a git repository)). It leaves out") \
        in overview
    # The two days compared head the table as the reader reads them.
    assert "|  | Jun 30, 2026 | Sep 30, 2026 |" in section
    assert "| Class | loyal | **fast-growing** (changed) |" in section
    assert "| Focus | key | key |" in section
    # Money in the account's currency.
    assert "| Revenue, last quarter | CN¥1.4M | CN¥1.8M | ▲ +CN¥400K |" in section
    assert "| Revenue, last 4 quarters | CN¥4.4M | CN¥5.2M | ▲ +CN¥800K |" in section
    assert "| Open opportunities | 1 | 1 | = |" in section
    # The stage by its name in the funnel, not its id.
    assert ("| POS refresh (pos-refresh) | moved to Confirmed intent on Aug 1, 2026 (the stage "
            "before is not on file) |") in section
    assert "**Actions completed since then**\n\n*None recorded.*" in section
    assert "[Changes since the last review](../changes.md)" in section
    # The revenue trend in the header card; the movement below the figures at a glance,
    # above the findings.
    assert page.index('<div class="kam-card" markdown>') < page.index('<div class="kam-trend">') \
        < page.index("## At a glance") < page.index("## Since the last review") \
        < page.index("## Findings")


def test_a_deal_moved_since_reads_from_the_stage_its_history_gives(tmp_path: Path) -> None:
    account = _grower()
    account["opportunities"][0] |= {"stage_since": "2026-07-05", "stage_history": [
        {"stage": "opportunity", "entered": "2026-04-02"},
        {"stage": "intent", "entered": "2026-07-05"}]}
    pages = _pages(tmp_path, account)
    for page in pages["accounts/test-account.md"], pages["changes.md"]:
        assert "Potential opportunity -&gt; Confirmed intent on Jul 5, 2026" in page
        assert "the stage before is not on file" not in page


def test_new_and_resolved_findings_show_with_their_figures(tmp_path: Path) -> None:
    account = _grower()
    account["contacts"][2]["left_on"] = "2026-07-10"  # left after the day: a new finding
    page = _pages(tmp_path, account)["accounts/test-account.md"]
    section = page.split("## Since the last review", 1)[1].split("\n## ", 1)[0]
    new = section.split("**New findings**", 1)[1].split("**Resolved findings**", 1)[0]
    assert "kam-sev-high" in new
    assert "[A key person changed](../rules.md#risk-key-contact-left)" in new
    assert "Chen Jun (Procurement Director; roles: influencer) left on Jul 10, 2026" in new
    resolved = section.split("**Resolved findings**", 1)[1].split("**Deals", 1)[0]
    assert "rules.md#advice-style-direct" in resolved


def test_a_deals_finding_since_is_named_by_the_deal(tmp_path: Path) -> None:
    """A deal is known by its name on the account page, the overview and the changes page,
    not by the id its file gives it."""
    account = _grower()
    # Past its close after the day: a new finding on the deal, raised on its id.
    account["opportunities"][0]["expected_close"] = "2026-08-31"
    pages = _pages(tmp_path, account)
    section = pages["accounts/test-account.md"].split("## Since the last review", 1)[1]
    new = section.split("**New findings**", 1)[1].split("**Resolved findings**", 1)[0]
    (row,) = [line for line in new.splitlines() if "stage-overdue" in line]
    assert "| POS refresh |" in row and "pos-refresh" not in row
    (change,) = [line for line in pages["changes.md"].splitlines()
                 if "new finding" in line and "Close date passed" in line]
    assert "Close date passed &#91;POS refresh&#93; |" in change


def test_the_overview_and_the_changes_page_sum_it_up(tmp_path: Path) -> None:
    stays = healthy_account() | {"id": "stays", "name": "Stays"}
    account = _grower()
    account["contacts"][2]["left_on"] = "2026-07-10"
    pages = _pages(tmp_path, account, stays)
    overview = pages["index.md"].split("## Since the last review", 1)[1].split("\n## ", 1)[0]
    assert "2 accounts in both reviews:" in overview
    assert "| [Test Account Ltd](accounts/test-account.md) | loyal | fast-growing |" in overview
    assert "Stays" not in overview.split("**Class changes**", 1)[1].split("**Verdict", 1)[0]
    assert ("| [Test Account Ltd](accounts/test-account.md) | [A key person changed]"
            "(rules.md#risk-key-contact-left) Chen Jun |") in overview
    changes = pages["changes.md"]
    assert changes.startswith("---\nhide:\n  - toc\n---\n\n# Changes since the last review\n")
    assert "| class |   |   | loyal | fast-growing |" in changes
    assert "| new finding | <span data-sort=\"4\" class=\"kam-sev kam-sev-high\">high</span> | " \
           "A key person changed &#91;Chen Jun&#93; |" in changes
    # Each account's money in its currency.
    assert "| figure |   | Revenue, last quarter | CN¥1.4M | CN¥1.8M (▲ +CN¥400K) |" in changes
    assert "[Changes since the last review](changes.md)" not in changes  # no link to itself


def test_a_finding_no_longer_evaluated_is_said_apart_from_the_resolved(
        tmp_path: Path) -> None:
    """Falling to 2026-Q2 (a high warning then), no row for 2026-Q3: the decline is not
    resolved but unknown, on the account page and in the overview's sum."""
    account = healthy_account() | {"financials": quarters(
        "2025-Q3", [1_650_000, 1_580_000, 1_420_000, 1_300_000])}
    pages = _pages(tmp_path, account)
    overview = pages["index.md"].split("## Since the last review", 1)[1].split("\n## ", 1)[0]
    assert "resolved; 0 accounts new since, 0 no longer reviewed. 1 finding no longer " \
           "evaluated (data missing now)." in overview
    page = pages["accounts/test-account.md"]
    unknown = page.split("**Findings no longer evaluated** (1)", 1)[1].split("**", 1)[0]
    assert "rules.md#risk-declining-revenue" in unknown
    assert "risk-declining-revenue" not in page.split("**Resolved findings**", 1)[1].split(
        "**Findings no longer evaluated**", 1)[0]


def test_without_a_previous_review_every_page_says_so(tmp_path: Path) -> None:
    new = healthy_account() | {"financials": quarters("2026-Q3", [300_000]),
                               "customer_since": "2026-07-15"}
    pages = _pages(tmp_path, new)
    sentence = ("No previous review to compare with: no earlier review is tagged (review-&#42;) "
                "(the accounts are not in a git repository), and no account file has figures "
                "by 2026-06-30.")
    for name in ("index.md", "changes.md", "accounts/test-account.md"):
        assert sentence in pages[name], name
    assert "| Class |" not in pages["accounts/test-account.md"].split(sentence, 1)[1].split(
        "## Findings", 1)[0]


def test_an_account_new_since_the_last_review(tmp_path: Path) -> None:
    new = healthy_account() | {"id": "newco", "name": "NewCo",
                               "financials": quarters("2026-Q3", [300_000])}
    new.pop("customer_since")
    pages = _pages(tmp_path, healthy_account(), new)
    assert "**New since the last review**: it was not in that review." in \
        pages["accounts/newco.md"]
    assert "| [NewCo](accounts/newco.md) | new account |" in pages["changes.md"]


def test_pages_without_a_movement_are_as_before(review_accounts: Reviewer) -> None:
    pages = render_pages(review_accounts(healthy_account()))
    assert "changes.md" not in pages
    assert all("Since the last review" not in page for page in pages.values())
    # The revenue trend is the account's own: it shows either way.
    assert '<div class="kam-trend">' in pages["accounts/test-account.md"]


def test_what_a_tag_or_a_file_says_shows_as_written(tmp_path: Path) -> None:
    """A tag's name comes from whoever tagged; names and messages from the account file: all
    of it is text on every page of the movement, never markup."""
    tag = "review-<i>q2</i>&amp;_x_(y)"
    hostile = "Deal <script>alert(1)</script> *em* | `z`"
    repo = new_repository(tmp_path / "team")
    (repo / "accounts").mkdir()
    write_account(repo / "accounts", healthy_account())
    commit(repo, "Q2", "2026-07-03")
    git(repo, "tag", tag)
    account = _grower()
    account["opportunities"][0]["name"] = hostile
    account["opportunities"][0]["stage"] = "initiated"
    account["contacts"][2]["left_on"] = "2026-09-01"
    write_account(repo / "accounts", account)
    pages = render_pages(*review_since(repo / "accounts", RULES, AS_OF))
    for name in ("index.md", "changes.md", "accounts/test-account.md"):
        tree = parse(markdown.markdown(pages[name], extensions=[
            "tables", "attr_list", "md_in_html", "toc"]))
        assert not [n for n in tree.iter() if n.tag in ("i", "script")], name
        assert not [n for n in tree.iter() if n.tag in ("em", "code")
                    and n.text() in ("em", "z", "x")], name
        assert f"Compared with tag {tag} (2026-06-30)." in tree.text(), name
    text = parse(markdown.markdown(pages["accounts/test-account.md"], extensions=[
        "tables", "md_in_html"])).text()
    assert f"{hostile} (pos-refresh) Confirmed intent -> Project initiated on Aug 1, 2026" in text


def test_the_changes_page_in_chinese_names_stages_and_writes_dates_in_chinese(
        tmp_path: Path) -> None:
    account = _grower()
    account["opportunities"][0]["stage"] = "initiated"
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, account)
    with using("zh"):
        # Figures and dates in the Chinese locale, as the site writes them in Chinese.
        pages = render_pages(*review_since(folder, RULES, AS_OF,
                                           formats=LocaleFormat(locale_name())))
    changes = pages["changes.md"]
    assert "与上一季度末2026年6月30日比较，依据的是今天的客户文件" in changes
    assert "它不包括文件中日期晚于2026年6月30日的内容" in changes
    # The stage by its Chinese name in the funnel, the day in Chinese words.
    moved = "进入引导客户立项，于2026年8月1日（之前的阶段不在文件中）"
    assert f"| POS refresh（pos-refresh） |   | {moved} |" in changes
    assert "initiated" not in changes and "2026-06-30" not in changes
    section = pages["accounts/test-account.md"].split("## 自上次回顾以来", 1)[1]
    assert f"| POS refresh（pos-refresh） | {moved} |" in section


def test_each_account_page_finds_its_own_movement_and_a_new_review_its_own(
        tmp_path: Path) -> None:
    """The pages look an account's movement up by its id in a table made once per Movement:
    each account finds its own (the first of its id, as a scan finds it), and a later review
    (a new Movement, as `kam serve` makes after an edit) finds the later one."""
    first = healthy_account()
    first["id"], first["name"] = "first-ltd", "First Ltd"
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, first)
    write_account(folder, _grower())
    result, movement = review_since(folder, RULES, AS_OF)
    assert len(result.accounts) == 2

    def scanned(moved: Movement, account_id: str) -> AccountMovement | None:
        return next((m for m in moved.accounts if m.id == account_id), None)
    for item in result.accounts:
        assert movement.for_account(item.account.id) is scanned(movement, item.account.id)
        assert movement.for_account(item.account.id) is not None
    assert movement.for_account("no-such-account") is None
    _, newer = review_since(folder, RULES, date(2026, 10, 31))
    for item in result.accounts:
        assert newer.for_account(item.account.id) is scanned(newer, item.account.id)
        assert newer.for_account(item.account.id) is not movement.for_account(item.account.id)


def test_a_finding_whose_contact_left_no_longer_applies_and_is_not_resolved(
        tmp_path: Path) -> None:
    """Chen Jun, met as of 2026-06-30 (his style's advice then), left on 2026-08-15: the
    advice is not resolved but no longer applies, on the account page, the overview and the
    changes page, each saying why."""
    account = healthy_account()
    account["contacts"][2]["left_on"] = "2026-08-15"
    pages = _pages(tmp_path, account)
    page = pages["accounts/test-account.md"]
    ended = page.split("**Findings that no longer apply** (", 1)[1].split("**", 1)[0]
    assert "rules.md#advice-style-direct" in ended
    assert "(no longer applies: Chen Jun left on Aug 15, 2026)" in ended
    assert "Chen Jun" not in page.split("**Resolved findings**", 1)[1].split(
        "**Findings that no longer apply**", 1)[0]
    overview = pages["index.md"].split("## Since the last review", 1)[1].split("\n## ", 1)[0]
    assert "finding that no longer applies (a contact left, or its subject is no longer on " \
           "file)." in overview
    rows = [row for row in pages["changes.md"].splitlines()
            if "finding that no longer applies" in row]
    assert rows and all("Chen Jun left on Aug 15, 2026" in row for row in rows)


def test_an_action_done_after_the_review_date_is_not_done_since(tmp_path: Path) -> None:
    """Done on Aug 10, 2026: completed since the last review. Done "2027-08-10" (a year
    mistyped): not done by the review date, so not among them (data.after-review-date)."""
    account = healthy_account()
    account["plan"]["actions"] = [
        {"what": "Visit the plant", "owner": "Li Wei", "due": "2026-08-15", "status": "done",
         "done_on": "2026-08-10"},
        {"what": "Send the proposal", "owner": "Li Wei", "due": "2026-08-15",
         "status": "done", "done_on": "2027-08-10"}]
    page = _pages(tmp_path, account)["accounts/test-account.md"]
    done = page.split("**Actions completed since then**", 1)[1].split("\n\n", 2)[1]
    assert done == "- Visit the plant (Aug 10, 2026)"
