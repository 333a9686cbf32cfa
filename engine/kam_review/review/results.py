"""The result model: what an evaluation found, for every output writer and page to read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from kam_review.errors import InputError
from kam_review.formatting import plain
from kam_review.i18n import _
from kam_review.locale_format import ENGLISH, LocaleFormat
from kam_review.rulebook.facts import FACT_TYPE
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.waivers import names_no_subject
from kam_review.source.model import Account, Waiver
from kam_review.vocabulary import Health, Kind, Severity

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True)
class Finding:
    account: str
    rule: str
    kind: Kind
    severity: Severity
    subject: str
    message: str
    action: str
    waiver: Waiver | None = None
    line: int = 1  # where the finding's subject stands in the account file
    impact: float = 0.0  # the money the finding is about (see impact)

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def warns(self) -> bool:
        """A warning: of a kind that warns (risks, funnel, plan, data), and more than a note
        (severity info: a deal ready for its next stage). The one test of every list and
        count of warnings: the risk register, the owners' and teams' counts, the CI
        summaries, an account's worst finding and its card."""
        return self.kind.warns and self.severity != Severity.INFO

    @property
    def waiver_note(self) -> str:
        """How every output says the finding is waived ("" when it is not)."""
        if self.waiver is None:
            return ""
        until = self.waiver.until
        return self.waived_until(str(until), None if until is None else plain().date(until))

    def waived_until(self, until: str, words: str | None = None) -> str:
        """waiver_note with the waiver's end written as `until` (a page's date) and in
        `words` (a language that writes dates in words picks them)."""
        if self.waiver is None:
            return ""
        # A waiver naming no subject accepts this finding without anyone having named it
        # (plan.waiver-unnamed): said wherever the finding shows as waived.
        note = _("waived until {day} by {by}, by a waiver naming no subject: {reason}") \
            if names_no_subject(self.waiver, self.subject) else \
            _("waived until {day} by {by}: {reason}")
        return note.format(day=until, date=words or until, by=self.waiver.by,
                           reason=self.waiver.reason)

    def sort_key(self) -> tuple[int, bool, float, int, str, str]:
        """Most severe first; at the same severity a warning before advice, then the larger
        impact first, then the kinds in their order; rule and subject make the order total."""
        return (self.severity.rank, self.kind == Kind.ADVICE, -self.impact, self.kind.rank,
                self.rule, self.subject)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "action": self.action,
            "waived": self.waived,
        }


def impact(fact: Mapping[str, Any], account_fact: Mapping[str, Any]) -> float:
    """A finding's impact, the money it is about: the deal's value for a finding on an
    opportunity; for any other, the account's revenue over the last 4 quarters (what is at
    risk when the account is lost or neglected). 0 when that figure is unknown, so a finding
    whose money is unknown ranks after those whose money is known."""
    money = fact.get("value") if fact.get(FACT_TYPE) == "opportunity" else account_fact.get(
        "revenue_ttm")
    return float(money) if isinstance(money, int | float) and not isinstance(money, bool) else 0.0


@dataclass(frozen=True)
class NotEvaluated:
    """A rule neither fired nor clear on an account: its condition depends on a fact the data
    does not give. It is listed and counted, never a finding (`--fail-on` ignores it)."""

    rule: str
    title: str
    subject: str
    needs: str  # "needs Revenue, last 4 quarters: revenue of 2026-Q2"

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "subject": self.subject, "needs": self.needs}


@dataclass(frozen=True)
class Verdict:
    """The account's health verdict: which verdict rule decided it and why, in the words of
    that rule's message, clause by clause; with no rule deciding (rule None), not enough data,
    and what the verdict rules needed."""

    health: Health
    rule: str | None
    reasons: tuple[str, ...]

    @property
    def shown(self) -> str:
        return self.health.shown

    @property
    def text(self) -> str:
        """The verdict, the rule that decided it and its reasons, on one line."""
        rule = f" ({self.rule})" if self.rule else ""
        return f"{self.shown}{rule}: {_('; ').join(self.reasons)}"

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.health.value, "rule": self.rule, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Check:
    """One comparison of a rule's condition, as it turned out for one account."""

    text: str
    held: bool
    values: tuple[tuple[str, Any], ...]  # the facts and thresholds it compared
    known: bool = True  # False: a fact it compares is absent, so it is neither held nor not
    # For readers: "growth over a year: +8%, needs at least +20%" (fact_words.leaf_words).
    words: str = ""

    @property
    def mark(self) -> str:
        """How the outputs show the outcome: held, failed, or unknown."""
        return "?" if not self.known else "yes" if self.held else "no"


@dataclass(frozen=True)
class Explanation:
    """Why a class or focus rule did or did not apply to an account."""

    rule: str
    fired: bool
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class AccountResult:
    account: Account
    klass: str
    focus: str | None
    findings: tuple[Finding, ...]
    facts: tuple[dict[str, Any], ...]  # the account's own fact first
    # Rules whose outcome depends on an unknown fact; of the class and focus rules, those
    # tried before the one that assigned (all of them when none did).
    not_evaluated: tuple[NotEvaluated, ...] = ()
    # One health verdict, given once every other rule has run (review/verdict.py).
    verdict: Verdict | None = None
    # How the account's figures are written: the review's locale, the account's currency.
    formats: LocaleFormat = ENGLISH

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.waived)

    @property
    def waived_high(self) -> tuple[Finding, ...]:
        """High findings a waiver silences: every summary shows them, so that no waiver can
        hide a threat to the account from the review."""
        return tuple(f for f in self.findings if f.waived and f.severity == Severity.HIGH)

    @property
    def worst(self) -> Finding | None:
        """The account's headline: its first open warning, or its first advice when it has
        no open warning (advice never heads an account that has a warning, whatever the
        severities a rules folder gives)."""
        ranked = [f for f in self.open_findings if not f.kind.assigns]
        return min(ranked, key=lambda f: (not f.warns, f.sort_key()), default=None)

    @property
    def worst_warning(self) -> Finding | None:
        """The account's first open warning (worst), None without one: advice is no headline
        of a portfolio's table ("has an analytical style" is not what is worst about it)."""
        worst = self.worst
        return worst if worst is not None and worst.warns else None

    def assigned_by(self, kind: Kind) -> str | None:
        """The id of the rule that gave the account its class (or focus cell), None if none
        did: two rules may give the same label."""
        return next((f.rule for f in self.findings if f.kind == kind), None)


@dataclass(frozen=True)
class Result:
    as_of: date
    accounts: tuple[AccountResult, ...]
    errors: tuple[InputError, ...]
    rulebook: Rulebook
    # The review's locale and the portfolio's default currency (for accounts naming none).
    formats: LocaleFormat = ENGLISH

    @property
    def waived_high(self) -> list[tuple[AccountResult, Finding]]:
        return [(item, finding) for item in self.accounts for finding in item.waived_high]

    def account(self, account_id: str) -> AccountResult:
        return next(a for a in self.accounts if a.account.id == account_id)

    def class_shown(self, item: AccountResult) -> str:
        """The account's class as pages and reports show it, with the variant of the rule that
        gave it: "nurture: new account"."""
        return class_shown(item, self.rulebook)

    def accounts_by_rule(self) -> dict[str, list[Account]]:
        """The accounts each rule fired on, in the review's order: where it found something
        (waived or not), or, a verdict rule, where it decided the verdict."""
        fires: dict[str, list[Account]] = {}
        for item in self.accounts:
            decided = {item.verdict.rule} if item.verdict and item.verdict.rule else set()
            for rule_id in sorted({f.rule for f in item.findings} | decided):
                fires.setdefault(rule_id, []).append(item.account)
        return fires

    def warnings(self) -> list[tuple[Finding, Account]]:
        """Every warning of the portfolio with its account, in the risk register's order
        (the page and its CSV file): most severe first, at each severity the open ones before
        those a waiver accepts, then as Finding.sort_key ranks them."""
        return list(self._warnings)

    @cached_property
    def _warnings(self) -> tuple[tuple[Finding, Account], ...]:
        # Sorted once a result (it is frozen): the register's page and file both need it.
        return tuple(sorted(((f, item.account) for item in self.accounts for f in item.findings
                             if f.warns),
                            key=lambda pair: (pair[0].severity.rank, pair[0].waived,
                                              pair[0].sort_key(), pair[1].id)))


def class_shown(item: AccountResult, rulebook: Rulebook) -> str:
    """The account's class with the variant of the rule that gave it: "nurture: new
    account"; unclassified as such."""
    rule = item.assigned_by(Kind.CLASS)
    return _(item.klass) if rule is None else rulebook.rule(rule).shown_label
