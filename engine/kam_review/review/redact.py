"""Contact names replaced by pseudonyms such as "Contact 3 (director)", for a review shared
where privacy law (PIPL, GDPR) keeps the names of the customer's people out of it.

A pure function over loaded accounts, applied before they are evaluated: facts, messages,
subjects, pages, the search index and every report are then built from the redacted
accounts, so no output can miss a name. Within an account a contact keeps one pseudonym
everywhere: in the buying team, in activities, in waivers' subjects and approvers, as an
action's owner, and wherever free text (titles, summaries, goals, actions, reasons,
opportunity names) spells the name in any way names.py takes for the same name: any case or
spacing, full-width letters, invisible characters inside. To find such spellings, a free
text that holds a name is shown in the form names are compared in (NFKC, invisible
characters removed), in redacted reviews only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

from kam_review.source.accounts import Portfolio
from kam_review.source.model import Account, Contact
from kam_review.source.names import normalise_name, without_invisible

Redactor = Callable[[str], str]


def pseudonym(number: int, contact: Contact) -> str:
    """The name a contact is shown under: its place in the account's list, and its level."""
    return f"Contact {number}" + (f" ({contact.level})" if contact.level else "")


def redact_portfolio(portfolio: Portfolio) -> Portfolio:
    return Portfolio([redact_account(a) for a in portfolio.accounts], list(portfolio.errors),
                     list(portfolio.refused))


def redact_account(account: Account) -> Account:
    names = {c.name: pseudonym(i, c) for i, c in enumerate(account.contacts, start=1)}
    if not names:
        return account
    text = _text_redactor(names)
    # Activities and waivers may name a contact in another spelling (see names.py).
    by_key = {_key(name): alias for name, alias in names.items()}

    def name(value: str) -> str:
        return by_key.get(_key(value)) or text(value)

    def maybe(value: str | None) -> str | None:
        return None if value is None else text(value)

    def approver(value: str | None) -> str | None:
        # The owner stays the owner, so that redaction cannot turn the owner's own waiver of
        # a high finding into someone else's.
        owner = value is not None and _key(value) == _key(account.owner)
        return value if value is None or owner else name(value)

    plan = account.plan
    if plan is not None:
        plan = replace(plan, summary=maybe(plan.summary), goals=tuple(
            replace(g, text=text(g.text), metric=maybe(g.metric)) for g in plan.goals),
            # A `goal:` answer that quotes a goal's text is redacted as the goal is.
            actions=tuple(replace(a, what=text(a.what), owner=name(a.owner),
                                  outcome=maybe(a.outcome), answers=maybe(a.answers))
                          for a in plan.actions))
    return replace(
        account,
        industry=maybe(account.industry),
        team=maybe(account.team),
        market=replace(account.market,
                       competitors=tuple(text(c) for c in account.market.competitors)),
        contacts=tuple(replace(c, name=names[c.name], title=maybe(c.title))
                       for c in account.contacts),
        activities=tuple(replace(a, with_=tuple(name(n) for n in a.with_),
                                 summary=maybe(a.summary)) for a in account.activities),
        complaints=tuple(replace(c, summary=maybe(c.summary)) for c in account.complaints),
        plan=plan,
        opportunities=tuple(replace(o, name=text(o.name)) for o in account.opportunities),
        waivers=tuple(replace(w, subject=None if w.subject is None else name(w.subject),
                              reason=maybe(w.reason), by=approver(w.by))
                      for w in account.waivers),
    )


def _text_redactor(names: dict[str, str]) -> Redactor:
    """Replaces every name inside a text, longest first, as a whole word ("Li Wei" not in
    "Li Weiming"), in any case and with any blanks, or none, between its parts."""
    patterns = []
    for name in sorted(names, key=lambda name: len(_shown(name)), reverse=True):
        parts = _shown(name).split()
        if not parts:
            continue
        pattern = r"\s*".join(re.escape(part) for part in parts)
        # Latin letters and digits need a word boundary; Chinese text has no spaces to find.
        before = r"(?<![A-Za-z0-9])" if parts[0][0].isascii() else ""
        after = r"(?![A-Za-z0-9])" if parts[-1][-1].isascii() else ""
        patterns.append(f"{before}{pattern}{after}")
    if not patterns:
        return lambda value: value
    matcher = re.compile("|".join(patterns), re.IGNORECASE)
    keys = {_joined_key(name): pseudonym for name, pseudonym in names.items()}

    def redact(value: str) -> str:
        shown = _shown(value)
        if not matcher.search(shown):
            return value  # a text without a name stays exactly as written
        return matcher.sub(lambda m: keys.get(_joined_key(m.group(0)), "a contact"), shown)

    return redact


def _shown(text: str) -> str:
    """Text in the form names are compared in, but for case and spacing: full-width letters
    made plain, accents composed, invisible characters removed."""
    return without_invisible(unicodedata.normalize("NFKC", text))


def _joined_key(name: str) -> str:
    """A name as compared, blanks left out: "Tang Jie" is also written "TangJie"."""
    return _key(name).replace(" ", "")


def _key(name: str) -> str:
    return normalise_name(name)
