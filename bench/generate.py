"""Synthetic key-account portfolios for the benchmark, deterministic from a seed.

`generate_portfolio(folder, count, seed)` writes `acct-000001.yaml` ... `acct-NNNNNN.yaml`,
each valid against engine/kam_review/source/account.schema.json and with the variety of the sample
portfolio in accounts/: 4 to 12 quarters of figures ending 2026-Q3 (growing, steady,
declining, dormant, volatile; most with cost, some distributors with units and inventory),
1 to 10 contacts, activities naming those contacts, complaints, a plan with SMART and
not-SMART goals, 0 to 6 opportunities across every funnel stage with their evidence and
qualification, scorecards on most accounts and a waiver on a few.

Every account depends only on (seed, its number), so a portfolio of 1,000 is the first
1,000 accounts of a portfolio of 100,000 with the same seed.

    python bench/generate.py FOLDER COUNT [--seed N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path
from random import Random
from typing import Any

import yaml

AS_OF = date(2026, 9, 30)
# From this many accounts the files are written by one process per core, CHUNK at a time.
PARALLEL_FROM = 2_000
CHUNK = 1_000
LAST_QUARTER = (2026, 3)

INDUSTRIES = ("retail", "logistics", "manufacturing", "healthcare", "education", "energy",
              "distribution", "automotive", "pharma", "e-commerce", "food", "chemicals",
              "electronics", "banking", "hospitality")
NAME_WORDS = ("Hanhai", "Donghai", "Guoneng", "Jiahe", "Jinlun", "Kangning", "Kuaigou",
              "Renhe", "Ruifeng", "Tianhe", "Xinyuan", "Beichen", "Haoyang", "Huaxin",
              "Baiyun", "Changjiang", "Dongfang", "Fuxing", "Hengda", "Huamei", "Jinyu",
              "Longteng", "Minsheng", "Nanfeng", "Qianhai", "Shenghua", "Taihe", "Wanxiang",
              "Xinghai", "Yuanda", "Zhongxin", "Anda", "Boyuan", "Chengxin", "Dahua",
              "Fengyuan", "Guanghua", "Hongxing", "Jiaxin", "Kaiyuan")
NAME_SUFFIX = {
    "retail": "Retail Group", "logistics": "Logistics", "manufacturing": "Manufacturing",
    "healthcare": "Hospital Group", "education": "Education Group", "energy": "Energy",
    "distribution": "IT Distribution", "automotive": "Auto Parts", "pharma": "Pharma",
    "e-commerce": "E-commerce", "food": "Foods", "chemicals": "Chemicals",
    "electronics": "Electronics", "banking": "Bank", "hospitality": "Hotels",
}
OWNERS = ("Li Wei", "Zhou Lan", "Chen Hao", "Wang Jing", "Zhao Lei", "Sun Mei", "Wu Tao",
          "Xu Ning", "Ma Lin", "Hu Yan", "Guo Peng", "Lin Xue", "He Bin", "Gao Ying",
          "Luo Jun", "Zheng Qi", "Liang Hong", "Song Yu", "Tang Ming", "Han Xiao")
SURNAMES = ("Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
            "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng",
            "Liang", "Xie", "Song", "Tang", "Han", "Feng", "Deng", "Cao", "Peng")
GIVEN = ("Min", "Fang", "Jun", "Jing", "Lei", "Yang", "Hui", "Jie", "Yu", "Lan", "Wei",
         "Hao", "Ning", "Tao", "Mei", "Xin", "Bo", "Qiang", "Li", "Yan", "Hong", "Ping",
         "Dong", "Hai", "Guohua", "Zhiming", "Wenjie", "Xiaoyu", "Jianguo", "Lu")
TITLES = {
    "executive": ("Chief Executive Officer", "Chief Information Officer",
                  "Chief Financial Officer", "Chief Operating Officer", "General Manager"),
    "director": ("Procurement Director", "IT Director", "Operations Director",
                 "Supply Chain Director", "Finance Director"),
    "manager": ("Store Systems Manager", "Warehouse Operations Manager", "IT Manager",
                "Procurement Manager", "Project Manager", "Quality Manager"),
    "staff": ("Buyer", "Systems Engineer", "Store Supervisor", "Analyst", "Technician"),
}
LEVELS = ("executive", "director", "manager", "staff")
LEVEL_WEIGHTS = (2, 3, 4, 2)
ROLES = ("decision_maker", "decision_owner", "influencer", "executor", "user", "technical",
         "coach")
ROLES_BY_LEVEL = {
    "executive": ("decision_maker", "decision_owner", "influencer"),
    "director": ("decision_maker", "decision_owner", "influencer", "technical"),
    "manager": ("influencer", "executor", "user", "technical", "coach"),
    "staff": ("executor", "user", "technical", "coach"),
}
STYLES = ("analytical", "direct", "social", "conceptual")
ATTITUDES = ("supporter", "neutral", "opponent")
ATTITUDE_WEIGHTS = (5, 4, 1)
ACTIVITY_KINDS = ("visit", "call", "meeting", "email", "demo", "event")
ACTIVITY_SUMMARIES = ("Quarterly business review", "Site visit to the main warehouse",
                      "Demo of the new handheld range", "Contract renewal talk",
                      "Follow-up on the service ticket", "Budget planning for next year")
COMPLAINT_TOPICS = ("quality", "delivery", "service", "price", "billing", "support", "other")
COMPLAINT_SUMMARIES = ("Batch arrived late at the regional DC", "Firmware crashes at checkout",
                       "Invoice did not match the contract price",
                       "On-site repair took a week", "Price increase not announced",
                       "Support line did not answer for two days")
STAGES = ("target", "opportunity", "intent", "initiated", "recognition", "negotiation",
          "closed", "lost")
STAGE_WEIGHTS = (3, 4, 4, 3, 3, 2, 3, 1)
# The characteristics of a deal at each stage, as in rules/funnel.yaml.
CHARACTERISTICS = (
    ("fits_target_profile",),
    ("basic_data_known", "competitors_known", "needs_known", "budget_known",
     "project_team_known"),
    ("interest_confirmed",),
    ("company_recognised", "project_need", "initial_budget", "leadership_backing",
     "timeline_set", "third_parties_involved", "our_team_set_up"),
    ("product_accepted", "shortlisted", "quote_submitted"),
    ("vendor_confirmed", "deal_timetable_set"),
    ("contract_signed", "payment_received", "goods_shipped"),
)
STAGE_PROBABILITY = {"target": 0.1, "opportunity": 0.2, "intent": 0.3, "initiated": 0.4,
                     "recognition": 0.6, "negotiation": 0.75, "closed": 1.0, "lost": 0.0}
PRODUCTS = ("POS refresh", "WMS upgrade", "RF handhelds", "Label printers", "Kiosk service",
            "Cold-chain sensors", "Network refresh", "Self-checkout", "ERP integration",
            "Data-centre racks", "Fleet tablets", "Service contract")
GOAL_TEXTS = ("Sign the {p} contract", "Grow TTM revenue", "Get introduced to the COO",
              "Open the logistics division", "Raise share of wallet", "Hold quarterly revenue",
              "Win the {p} tender", "Run a quarterly business review")
METRICS = ("revenue", "revenue_ttm", "contract_value", "stores", "share_of_wallet", "meetings")
COMPETITORS = ("Blue River Systems", "Kestrel", "Baiying POS", "Hongtu Systems", "Qiming WMS",
               "Xunda AIDC", "Northwind", "Zenith Tech")
CURRENCIES = ("CNY",) * 8 + ("USD", "EUR")
RELATIONSHIP_STAGES = ("gestation", "early", "mid", "partnership", "synergistic")
WAIVABLE = ("risk.no-executive-access", "risk.key-contact-left", "risk.margin-erosion",
            "risk.silent-account", "risk.complacency", "risk.buying-role-gap",
            "stage.stale", "plan.below-industry-growth")
ATTRACTIVENESS = ("growth", "size", "competition", "profitability", "need", "strategic")
RELATIONSHIP = ("frequency", "knowledge", "relationship", "contacts", "range", "price",
                "reputation", "finance", "service")
TRAJECTORIES = ("fast", "steady", "steady", "steady", "declining", "dormant", "volatile",
                "new")


def _day(rng: Random, earliest: date, latest: date) -> date:
    return earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))


def _quarters(count: int) -> list[str]:
    year, q = LAST_QUARTER
    out = []
    for _ in range(count):
        out.append(f"{year}-Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


def _financials(rng: Random, trajectory: str) -> tuple[list[dict[str, Any]], float]:
    count = rng.randint(4, 6) if trajectory == "new" else rng.randint(4, 12)
    quarters = _quarters(count)
    level = rng.choice((1, 2, 5, 10, 20, 50)) * rng.uniform(50_000, 200_000)
    growth = {"fast": rng.uniform(0.06, 0.15), "steady": rng.uniform(-0.02, 0.035),
              "declining": rng.uniform(-0.12, -0.04), "dormant": rng.uniform(-0.02, 0.03),
              "volatile": rng.uniform(-0.03, 0.05), "new": rng.uniform(0.0, 0.2)}[trajectory]
    noise = 0.25 if trajectory == "volatile" else 0.06
    margin = rng.uniform(0.12, 0.45)
    margin_drift = rng.choice((0.0, 0.0, 0.0, -0.01, -0.02, 0.005))
    with_cost = rng.random() < 0.8
    stock = rng.random() < 0.15
    unit_price = rng.uniform(200, 3_000)
    rows = []
    revenue = level
    for i, quarter in enumerate(quarters):
        revenue = max(0.0, revenue * (1 + growth) * (1 + rng.gauss(0, noise)))
        value = revenue
        if trajectory == "dormant" and i >= count - 2:
            value = revenue * rng.uniform(0.0, 0.08)
        amount = round(value, -3)
        row: dict[str, Any] = {"quarter": quarter, "revenue": int(amount)}
        if with_cost:
            row_margin = min(0.9, max(-0.2, margin + margin_drift * i + rng.gauss(0, 0.01)))
            row["cost"] = int(round(amount * (1 - row_margin), -3))
        if stock:
            row["units"] = int(amount / unit_price)
            if rng.random() < 0.9:
                row["inventory"] = int(round(amount * rng.uniform(0.3, 1.2), -3))
        rows.append(row)
    if count > 6 and rng.random() < 0.04:  # a quarter without a row: no sales that quarter
        del rows[rng.randint(1, count - 3)]
    return rows, level


def _contacts(rng: Random) -> list[dict[str, Any]]:
    count = min(10, max(1, int(rng.triangular(1, 10, 3))))
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        if name not in names:
            names.append(name)
    contacts = []
    for name in names:
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        contact: dict[str, Any] = {"name": name, "title": rng.choice(TITLES[level]),
                                   "level": level}
        role_count = rng.choices((0, 1, 2), (1, 6, 3))[0]
        contact["roles"] = rng.sample(ROLES_BY_LEVEL[level], role_count)
        if rng.random() < 0.9:
            contact["style"] = rng.choice(STYLES)
        if rng.random() < 0.9:
            contact["attitude"] = rng.choices(ATTITUDES, ATTITUDE_WEIGHTS)[0]
        if rng.random() < 0.92:
            recent = rng.random() < 0.85
            contact["last_contact"] = AS_OF - timedelta(
                days=rng.randint(0, 90) if recent else rng.randint(91, 500))
        if rng.random() < 0.1:
            left_on = AS_OF - timedelta(days=rng.randint(-30, 400))
            contact["left_on"] = left_on
            if contact.get("last_contact", left_on) > left_on:
                contact["last_contact"] = left_on - timedelta(days=rng.randint(0, 60))
        contacts.append(contact)
    # Most accounts know their decision maker and have a coach among the users.
    if rng.random() < 0.8:
        senior = [c for c in contacts if c["level"] in ("executive", "director")] or contacts
        _add_role(rng.choice(senior), "decision_maker")
    if rng.random() < 0.7:
        junior = [c for c in contacts if c["level"] in ("manager", "staff")] or contacts
        _add_role(rng.choice(junior), "coach")
    return contacts


def _add_role(contact: dict[str, Any], role: str) -> None:
    if role not in contact["roles"]:
        contact["roles"].append(role)


def _activities(rng: Random, names: list[str], quiet: bool) -> list[dict[str, Any]]:
    count = 0 if rng.random() < 0.05 else rng.randint(1, 14)
    latest = AS_OF - timedelta(days=100) if quiet else AS_OF
    days = [_day(rng, AS_OF - timedelta(days=540), latest) for _ in range(count)]
    if days and not quiet:  # an account in regular touch was visited lately
        days[0] = _day(rng, AS_OF - timedelta(days=75), AS_OF)
    days.sort()
    activities = []
    for day in days:
        activity: dict[str, Any] = {"date": day, "kind": rng.choice(ACTIVITY_KINDS),
                                    "with": rng.sample(names, rng.randint(1, min(3,
                                                                                 len(names))))}
        if rng.random() < 0.3:
            activity["summary"] = rng.choice(ACTIVITY_SUMMARIES)
        activities.append(activity)
    return activities


def _complaints(rng: Random) -> list[dict[str, Any]]:
    count = rng.choices((0, 1, 2, 3, 4), (2, 4, 3, 1, 1))[0]
    complaints = []
    for day in sorted(_day(rng, AS_OF - timedelta(days=540), AS_OF) for _ in range(count)):
        complaint: dict[str, Any] = {"date": day, "topic": rng.choice(COMPLAINT_TOPICS),
                                     "summary": rng.choice(COMPLAINT_SUMMARIES)}
        if rng.random() < 0.75:
            complaint["resolved_on"] = day + timedelta(days=rng.randint(2, 60))
        complaints.append(complaint)
    return complaints


def _plan(rng: Random, industry_growth: float) -> dict[str, Any]:
    plan: dict[str, Any] = {}
    if rng.random() < 0.9:
        plan["growth_target"] = round(industry_growth + rng.uniform(-0.1, 0.3), 2)
    if rng.random() < 0.85:
        product = rng.choice(PRODUCTS)
        plan["summary"] = (f"Win the **{product}** business and broaden the relationship.\n\n"
                           f"- Quarterly review with the buying team\n"
                           f"- Keep service quality high\n")
    goals = []
    for _ in range(rng.choices((0, 1, 2, 3, 4), (1, 3, 4, 2, 1))[0]):
        goal: dict[str, Any] = {"text": rng.choice(GOAL_TEXTS).format(p=rng.choice(PRODUCTS))}
        if rng.random() < 0.65:  # SMART
            goal["metric"] = rng.choice(METRICS)
            goal["target"] = rng.choice((60, 4, 0.3, rng.randint(1, 50) * 100_000))
            goal["due"] = _day(rng, AS_OF + timedelta(days=30), AS_OF + timedelta(days=540))
        elif rng.random() < 0.5:
            goal["metric"] = rng.choice(METRICS)
        goals.append(goal)
    if goals or rng.random() < 0.5:
        plan["goals"] = goals
    return plan


def _evidence(rng: Random, stage_index: int) -> dict[str, bool]:
    evidence: dict[str, bool] = {}
    for index, keys in enumerate(CHARACTERISTICS):
        for key in keys:
            if index <= stage_index:  # the deal's stage and the ones before: mostly shown
                roll = rng.random()
                if roll < 0.97:
                    evidence[key] = True
                elif roll < 0.985:
                    evidence[key] = False
            elif index == stage_index + 1:  # the next stage: some of it
                roll = rng.random()
                if roll < 0.5:
                    evidence[key] = True
                elif roll < 0.75:
                    evidence[key] = False
    return evidence


def _opportunities(rng: Random, level: float) -> list[dict[str, Any]]:
    count = rng.choices(range(7), (3, 4, 4, 3, 2, 1, 1))[0]
    used: set[str] = set()
    opportunities = []
    for _ in range(count):
        product = rng.choice(PRODUCTS)
        slug = product.lower().replace(" ", "-").replace("-centre", "-center")
        year = rng.choice((2026, 2027))
        base = f"{slug}-{year}"
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
        opportunity: dict[str, Any] = {"id": ident, "name": f"{product} {year}",
                                       "stage": stage}
        if rng.random() < 0.9:
            opportunity["stage_since"] = AS_OF - timedelta(
                days=int(rng.triangular(3, 300, 20)))
        if rng.random() < 0.9:
            opportunity["value"] = int(round(level * rng.uniform(0.2, 3.0), -4))
        if rng.random() < 0.85:
            ended = stage in ("closed", "lost")
            opportunity["expected_close"] = AS_OF + timedelta(
                days=rng.randint(-300, -5) if ended else rng.randint(-90, 420))
        if rng.random() < 0.85:
            probability = STAGE_PROBABILITY[stage] + rng.uniform(-0.2, 0.2)
            opportunity["probability"] = round(min(1.0, max(0.0, probability)), 2)
        stage_index = STAGES.index(stage) if stage != "lost" else rng.randint(0, 5)
        opportunity["evidence"] = _evidence(rng, stage_index)
        if rng.random() < 0.8:
            answers = ("yes",) * 8 + (True, True, "no", "unsure", False)
            opportunity["qualification"] = {q: rng.choice(answers)
                                            for q in ("real", "can_compete", "win", "worth")
                                            if rng.random() < 0.95}
        opportunities.append(opportunity)
    return opportunities


def _scores(rng: Random, trajectory: str) -> dict[str, Any]:
    bias = 1 if trajectory in ("fast", "new") else 0

    def score(shift: int) -> int:
        return min(5, max(1, round(rng.gauss(3 + shift, 1))))

    attractiveness = {name: score(bias) for name in ATTRACTIVENESS if rng.random() < 0.95}
    relationship = {name: score(0) for name in RELATIONSHIP if rng.random() < 0.95}
    return {"attractiveness": attractiveness, "relationship": relationship}


def make_account(number: int, seed: int = 1) -> dict[str, Any]:
    """Account number `number` (1-based) of the portfolio with this seed."""
    rng = Random(seed * 1_000_003 + number)
    industry = rng.choice(INDUSTRIES)
    trajectory = rng.choice(TRAJECTORIES)
    account: dict[str, Any] = {
        "id": f"acct-{number:06d}",
        "name": f"{rng.choice(NAME_WORDS)} {NAME_SUFFIX[industry]} {number}",
        "owner": rng.choice(OWNERS),
        "industry": industry,
    }
    if rng.random() < 0.95:
        young = trajectory == "new" or rng.random() < 0.1
        account["customer_since"] = _day(
            rng, AS_OF - timedelta(days=700 if young else 5_000),
            AS_OF - timedelta(days=90 if young else 800))
    account["currency"] = rng.choice(CURRENCIES)
    financials, level = _financials(rng, trajectory)
    account["financials"] = financials
    industry_growth = round(rng.uniform(-0.05, 0.2), 3)
    if rng.random() < 0.93:
        market: dict[str, Any] = {"industry_growth": industry_growth}
        if rng.random() < 0.85:
            market["wallet"] = int(round(level * 4 * rng.uniform(1.5, 8), -4))
        market["competitors"] = rng.sample(COMPETITORS, rng.randint(0, 3))
        if rng.random() < 0.3:
            market["investment"] = int(round(level * rng.uniform(0.2, 1.5), -4))
        account["market"] = market
    if rng.random() < 0.85:
        account["scores"] = _scores(rng, trajectory)
    if rng.random() < 0.9:
        account["relationship_stage"] = rng.choices(RELATIONSHIP_STAGES, (1, 3, 4, 3, 1))[0]
    contacts = _contacts(rng)
    account["contacts"] = contacts
    account["activities"] = _activities(rng, [c["name"] for c in contacts],
                                        quiet=rng.random() < 0.15)
    account["complaints"] = _complaints(rng)
    if rng.random() < 0.92:
        account["plan"] = _plan(rng, industry_growth)
    account["opportunities"] = _opportunities(rng, level)
    if rng.random() < 0.06:
        waivers = []
        for rule in rng.sample(WAIVABLE, rng.randint(1, 2)):
            waiver: dict[str, Any] = {"rule": rule, "reason": "Agreed at the last review",
                                      "until": AS_OF + timedelta(days=rng.randint(-120, 200)),
                                      "by": rng.choice(OWNERS)}
            waivers.append(waiver)
        account["waivers"] = waivers
    return account


HEADER = "# yaml-language-server: $schema=../engine/kam_review/source/account.schema.json\n"


def account_yaml(account: dict[str, Any]) -> str:
    text = yaml.dump(account, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                     width=100)
    return HEADER + text


def _write_accounts(folder: Path, numbers: range, seed: int) -> None:
    for number in numbers:
        account = make_account(number, seed)
        (folder / f"{account['id']}.yaml").write_text(account_yaml(account), encoding="utf-8")


def generate_portfolio(folder: Path, count: int, seed: int = 1) -> None:
    """Write `count` account files acct-000001.yaml ... into folder (created if needed), on
    every core from PARALLEL_FROM accounts (each account depends only on its number, so the
    files are the same whichever process writes them)."""
    folder.mkdir(parents=True, exist_ok=True)
    workers = os.cpu_count() or 1
    if count < PARALLEL_FROM or workers == 1:
        _write_accounts(folder, range(1, count + 1), seed)
        return
    chunks = [range(start, min(start + CHUNK, count + 1)) for start in range(1, count + 1, CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        for done in [pool.submit(_write_accounts, folder, chunk, seed) for chunk in chunks]:
            done.result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic portfolio of accounts.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    generate_portfolio(args.folder, args.count, args.seed)
    print(f"wrote {args.count} accounts to {args.folder} in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
