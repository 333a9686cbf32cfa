"""The one count of findings by severity and kind, open and waived, that every output and page
shows: `kam check` in each format and the site's overview, owners and account pages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kam_review.review.results import Finding
from kam_review.vocabulary import Kind, Severity

KindFilter = Callable[[Kind], bool]


def every_kind(kind: Kind) -> bool:
    return True


@dataclass
class FindingCounts:
    """Findings counted by (severity, kind), open and waived apart. Every finding counts,
    class and focus included (they are findings in every format), unless a page asks for
    some kinds only."""

    open: Counter[tuple[Severity, Kind]] = field(default_factory=Counter)
    waived: Counter[tuple[Severity, Kind]] = field(default_factory=Counter)

    def add(self, findings: Iterable[Finding]) -> FindingCounts:
        for finding in findings:
            counter = self.waived if finding.waived else self.open
            counter[(finding.severity, finding.kind)] += 1
        return self

    def by_severity(self, waived: bool = False,
                    kinds: KindFilter = every_kind) -> Counter[Severity]:
        """Open (or waived) findings per severity, of the kinds asked for; every severity
        is a key, 0 included."""
        counter = self.waived if waived else self.open
        counts: Counter[Severity] = Counter(dict.fromkeys(Severity, 0))
        for (severity, kind), number in counter.items():
            if kinds(kind):
                counts[severity] += number
        return counts

    def by_kind(self, waived: bool = False) -> Counter[Kind]:
        counter = self.waived if waived else self.open
        counts: Counter[Kind] = Counter(dict.fromkeys(Kind, 0))
        for (_, kind), number in counter.items():
            counts[kind] += number
        return counts

    def total(self, waived: bool = False, kinds: KindFilter = every_kind) -> int:
        return sum(self.by_severity(waived, kinds).values())


def count_findings(findings: Iterable[Finding]) -> FindingCounts:
    return FindingCounts().add(findings)
