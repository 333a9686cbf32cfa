"""The validated account model: what an account file says, as typed, frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

BUYING_ROLES = (
    "decision_maker",
    "decision_owner",
    "influencer",
    "executor",
    "user",
    "technical",
    "coach",
)
LEVELS = ("executive", "director", "manager", "staff")
RELATIONSHIP_STAGES = ("gestation", "early", "mid", "partnership", "synergistic")
OPPORTUNITY_STAGES = (
    "target",
    "opportunity",
    "intent",
    "initiated",
    "recognition",
    "negotiation",
    "closed",
    "lost",
)
# Seed 002's four-step assessment, each key with its question. Seed 002 asks whether there
# is competition; what decides is whether we can hold our own in it, so a sole-source deal
# answers yes. `can_compete` was first written `compete`; the loader still reads that name.
QUALIFICATION_QUESTIONS = {"real": "is it a real opportunity?", "can_compete": "can we compete?",
                           "win": "can we win?", "worth": "is it worth winning?"}
# Why a deal was lost, each with what it means. Seed 002's four rejections (no need, no
# trust, no budget, no hurry) are no_need, relationship, no_budget and timing; seed 001 finds
# price rarely the real reason and product or quality problems an important one.
LOSS_REASONS = {
    "price": "our price or terms were not accepted",
    "product_fit": "our product or its quality did not meet the need",
    "competitor": "a competitor won it",
    "relationship": "the customer did not trust us enough",
    "no_need": "the customer found it had no need",
    "no_budget": "the customer had no budget",
    "timing": "the customer put it off",
    "no_decision": "the customer decided nothing",
    "other": "any other reason",
}
# Where an action of the plan stands; an action written without a status is open.
ACTION_STATUSES = ("open", "done", "dropped")

# Activities and complaints have a field called `date`; this name keeps the type visible.
Day = date

# A path to a value inside an account file, e.g. ("financials", 2, "revenue").
FieldPath = tuple[str | int, ...]


def format_path(path: FieldPath) -> str:
    """Render a field path the way users read it: financials[2].revenue."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{clip(part)}" if text else clip(part)
    return text or "(top level)"


def clip(name: str, limit: int = 60) -> str:
    """A name written in a file, shortened for a message: a key can be any length."""
    return name if len(name) <= limit else name[:limit - 3] + "..."


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        year, q = text.split("-Q")
        return cls(int(year), int(q))

    @classmethod
    def containing(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def index(self) -> int:
        """A running number: consecutive quarters differ by one."""
        return self.year * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def last_day(self) -> date:
        if self.number == 4:
            return date(self.year, 12, 31)
        first_of_next = date(self.year, self.number * 3 + 1, 1)
        return date.fromordinal(first_of_next.toordinal() - 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass(frozen=True)
class QuarterFigures:
    quarter: Quarter
    revenue: float  # 0 for a quarter without sales; a quarter without a row is unknown
    cost: float | None = None
    units: float | None = None
    inventory: float | None = None  # the account's stock of our goods, at cost
    # The account's own business with our goods (a distributor's), for seed 000's KPIs.
    inventory_units: float | None = None
    resale_revenue: float | None = None
    resale_cost: float | None = None
    resale_units: float | None = None


@dataclass(frozen=True)
class Market:
    industry_growth: float | None = None
    wallet: float | None = None
    competitors: tuple[str, ...] = ()
    investment: float | None = None


@dataclass(frozen=True)
class Scores:
    attractiveness: dict[str, int] = field(default_factory=dict)
    relationship: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Contact:
    name: str
    title: str | None = None
    level: str | None = None
    roles: tuple[str, ...] = ()
    style: str | None = None
    attitude: str | None = None
    last_contact: date | None = None
    left_on: date | None = None


@dataclass(frozen=True)
class Activity:
    date: Day
    kind: str
    with_: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class Complaint:
    date: Day
    topic: str
    summary: str | None = None
    resolved_on: Day | None = None


@dataclass(frozen=True)
class GoalFigure:
    """A goal's metric as it stood on a day: its baseline, or an actual recorded by hand."""

    value: float
    date: Day


@dataclass(frozen=True)
class Goal:
    text: str
    metric: str | None = None
    target: float | None = None
    due: date | None = None
    # How the metric is measured (source/goals.py): a revenue goal's period ("2026",
    # "2026-Q3" or "trailing"), the level whose contacts count, deals won by count or value.
    period: str | None = None
    level: str | None = None
    measure: str | None = None
    baseline: GoalFigure | None = None
    actual: GoalFigure | None = None  # a custom metric's value, recorded by hand


@dataclass(frozen=True)
class SalesTarget:
    """A revenue target of the plan for one period: a year ("2026") or a quarter ("2026-Q4")."""

    period: str
    revenue: float


@dataclass(frozen=True)
class Whitespace:
    """Cross-selling (seeds 001, 002): the product lines of ours the account needs, and those
    it buys from us today (each one of product_lines)."""

    product_lines: tuple[str, ...] = ()
    we_sell: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """Who does what by when, from the plan's action list (seed 001's action plan)."""

    what: str
    owner: str
    due: date | None = None
    status: str = "open"
    outcome: str | None = None
    # What it responds to, as written: a rule id, goal:<number or text> or opportunity:<id>.
    answers: str | None = None
    done_on: date | None = None  # the day a done action was done

    @property
    def finished_on(self) -> date | None:
        """The day a done action was done: its `done_on`, else its due date stands for it."""
        return self.done_on or self.due


@dataclass(frozen=True)
class Plan:
    growth_target: float | None = None
    sales_targets: tuple[SalesTarget, ...] = ()
    summary: str | None = None
    goals: tuple[Goal, ...] = ()
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class StageEntry:
    """The day a deal entered a stage, as a CRM's stage history (Salesforce's
    OpportunityHistory) records it."""

    stage: str
    entered: date


@dataclass(frozen=True)
class Opportunity:
    id: str
    name: str
    stage: str
    stage_since: date | None = None
    value: float | None = None
    expected_close: date | None = None
    probability: float | None = None
    evidence: dict[str, bool] = field(default_factory=dict)
    # Answers normalised to "yes", "no" or "unsure".
    qualification: dict[str, str] = field(default_factory=dict)
    closed_on: date | None = None  # the day it was won (stage closed)
    lost_on: date | None = None  # the day it was lost (stage lost)
    loss_reason: str | None = None  # one of LOSS_REASONS
    product_line: str | None = None  # one of the account's whitespace.product_lines
    stage_history: tuple[StageEntry, ...] = ()  # oldest first (source/stage_history.py)


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str | None
    until: date | None
    by: str | None
    subject: str | None = None


@dataclass(frozen=True)
class PastOwner:
    """An earlier key account manager of the account, and when they handed it over."""

    name: str
    to: date
    from_: date | None = None


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    owner: str
    financials: tuple[QuarterFigures, ...]
    source: Path
    industry: str | None = None
    customer_since: date | None = None
    currency: str | None = None
    market: Market = Market()
    whitespace: Whitespace | None = None
    scores: Scores | None = None
    relationship_stage: str | None = None
    contacts: tuple[Contact, ...] = ()
    activities: tuple[Activity, ...] = ()
    complaints: tuple[Complaint, ...] = ()
    plan: Plan | None = None
    opportunities: tuple[Opportunity, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    owner_history: tuple[PastOwner, ...] = ()
    team: str | None = None  # the sales team or region the account belongs to
    # The account's key in each system it is imported from (kam import): system -> key.
    external_ids: dict[str, str] = field(default_factory=dict)
    # Where each value stands in the file: field path -> (line, column), 1-based.
    locations: dict[FieldPath, tuple[int, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def deal_name(self, deal_id: str) -> str:
        """A deal as the reader knows it, by its name; an id the file does not have, as it is."""
        return next((o.name for o in self.opportunities if o.id == deal_id), deal_id)

    def line_of(self, path: FieldPath) -> int:
        """The line of the nearest located ancestor of path (1 for the file)."""
        while path:
            if path in self.locations:
                return self.locations[path][0]
            path = path[:-1]
        return 1
