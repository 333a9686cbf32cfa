"""What an import changes, in words: a unified diff per file, a summary of the counts, and
the same as Markdown for a pull request's body."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from kam_review.output.importing.plan import FileChange, ImportPlan
from kam_review.paths import display_path
from kam_review.wording import counted


@dataclass(frozen=True)
class Counts:
    created: int
    updated: int
    quarters_added: int
    figures_changed: int
    deals_moved: int
    deals_added: int
    contacts_added: int
    activities_added: int

    @classmethod
    def of(cls, plan: ImportPlan) -> Counts:
        files = [change.changes for change in plan.files]
        return cls(sum(c.created for c in files), sum(not c.created for c in files),
                   sum(len(c.quarters_added) for c in files),
                   sum(len(c.figures_changed) for c in files),
                   sum(len(c.deals_moved) for c in files), sum(len(c.deals_added) for c in files),
                   sum(len(c.contacts_added) for c in files),
                   sum(c.activities_added for c in files))

    def words(self) -> list[str]:
        return [counted(self.created, "account") + " created",
                counted(self.updated, "account") + " updated",
                counted(self.quarters_added, "quarter") + " added",
                counted(self.figures_changed, "figure") + " changed",
                counted(self.deals_moved, "deal") + " moved",
                counted(self.deals_added, "deal") + " added",
                counted(self.contacts_added, "contact") + " added",
                counted(self.activities_added, "activity|activities") + " added"]


def unified_diff(change: FileChange) -> str:
    name = display_path(change.path)
    old, new = (name, name) if name.startswith("/") else (f"a/{name}", f"b/{name}")
    before = [] if change.before is None else change.before.splitlines(keepends=True)
    return "".join(difflib.unified_diff(
        before, change.after.splitlines(keepends=True),
        fromfile="/dev/null" if change.before is None else old, tofile=new))


def text_summary(plan: ImportPlan, rows: int, written: bool) -> str:
    lines = [f"{counted(rows, 'row')} read; " + ", ".join(Counts.of(plan).words()) + "."]
    lines += [f"conflict: {conflict}" for conflict in plan.conflicts]
    lines += [f"{change.account}: {_MATCHED} {', '.join(change.changes.deals_matched)}"
              for change in plan.files if change.changes.deals_matched]
    lines += [f"{change.account}: {_UNDATED}" for change in _undated(plan)]
    if plan.files:
        lines.append(f"{counted(len(plan.files), 'file')} written." if written else
                     "Nothing written (a dry run): --write applies these changes.")
    else:
        lines.append("Nothing to change from the rows read." if plan.errors else
                     "Nothing to change: the account files already hold the export.")
    return "\n".join(lines) + "\n"


def markdown_summary(plan: ImportPlan, system: str, rows: int) -> str:
    """A pull request's body: the counts, what changed per account, the conflicts and the
    errors, and the next step of the quarterly routine."""
    counts = Counts.of(plan)
    out = [f"## Import from {system}", "",
           f"{counted(rows, 'row')} read: " + ", ".join(counts.words()) + ".", ""]
    for change in sorted(plan.files, key=lambda c: c.account):
        out.append(f"- **{change.account}** ({'new' if change.changes.created else 'updated'}"
                   f"): " + "; ".join(_items(change)))
    undated = _undated(plan)
    if undated:
        out += ["", f"**{', '.join(c.account for c in undated)}**: {_UNDATED}"]
    if plan.conflicts:
        out += ["", f"### {counted(len(plan.conflicts), 'conflict')} (closed quarters kept)", ""]
        out += [f"- {conflict}" for conflict in plan.conflicts]
    if plan.errors:
        out += ["", f"### {counted(len(plan.errors), 'row')} not imported", ""]
        out += [f"- `{error}`" for error in plan.errors[:50]]
    out += ["", "Next: `kam check` reviews the portfolio with these figures."]
    return "\n".join(out) + "\n"


# An exported deal found in the file by its name (merge._named_alike), as the reports say it.
_MATCHED = ("deals matched by name (the file's id kept; give the file's deal the export's id "
            "to match by it)")


# A new account the export gives no first order: its years as a customer are counted from the
# export's first quarter with revenue (rulebook/history.buying_years), so an export of the
# last four quarters makes every such account a new one (class.nurture-new).
_UNDATED = ("created without customer_since (the export maps no column to it): until the "
            "file gives the first order's date, the review counts the account's years from its "
            "first quarter with revenue on file, and takes one on file for a year or less for "
            "a new account")


def _undated(plan: ImportPlan) -> list[FileChange]:
    """The files created without customer_since, by account id."""
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return sorted((change for change in plan.files if change.changes.created
                   and (yaml.load(change.after, Loader=loader) or {}).get("customer_since")
                   is None), key=lambda change: change.account)


def _items(change: FileChange) -> Iterator[str]:
    c = change.changes
    if c.quarters_added:
        yield "quarters added " + ", ".join(c.quarters_added)
    if c.figures_changed:
        yield "figures " + ", ".join(c.figures_changed)
    if c.deals_moved:
        yield "deals moved " + ", ".join(c.deals_moved)
    if c.deals_added:
        yield "deals added " + ", ".join(c.deals_added)
    if c.deals_matched:
        yield f"{_MATCHED} " + ", ".join(c.deals_matched)
    if c.contacts_added:
        yield "contacts added " + ", ".join(c.contacts_added)
    if c.activities_added:
        yield counted(c.activities_added, "activity|activities") + " added"
    if c.fields_changed:
        yield "fields " + ", ".join(c.fields_changed)
