"""Words for readers: singular and plural, and names written as the words they stand for.

Every count a reader sees is written with its noun in the right number ("1 quarter",
"2 quarters", never "quarter(s)"). A noun is given as its singular, and its plural when that
is not the regular one: "quarter", "person|people", "visit or meeting|visits or meetings". A
rule's message asks for it in the format of a figure: `{zero_revenue_run:int quarter}`.
Plurals go through the gettext catalogue (i18n.ngettext); without a translation the
number rule is English's (CLDR: one for the integer 1 written without decimals, other
for everything else, 0 and 1.5 included), read from the number as it is shown, so that a
figure rounded to "1" is one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kam_review.i18n import _, ngettext

NOUN_SEPARATOR = "|"
_SIBILANT = re.compile(r"(s|x|z|ch|sh)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")


def is_one(shown: str) -> bool:
    """Whether a number as shown takes the singular: "1" and "+1", not "1.0", "0" or "1.5"."""
    return shown.lstrip("+") == "1"


def plural_of(noun: str) -> str:
    """The regular English plural of a noun's last word: quarter -> quarters, match ->
    matches, opportunity -> opportunities."""
    if _SIBILANT.search(noun):
        return noun + "es"
    if _CONSONANT_Y.search(noun):
        return noun[:-1] + "ies"
    return noun + "s"


def noun_form(shown: str, noun: str) -> str:
    """The noun in the number the shown figure asks for; `noun` is "singular" or
    "singular|plural"."""
    singular, _, plural = noun.partition(NOUN_SEPARATOR)
    if is_one(shown):
        return singular
    return plural or plural_of(singular)


def counted(count: int | str, noun: str) -> str:
    """A count with its noun: counted(1, "deal") -> "1 deal", counted(0, "deal") -> "0 deals"."""
    shown = str(count)
    singular, _, plural = noun.partition(NOUN_SEPARATOR)
    # The catalogue keys a counted noun as "{count} quarter" / "{count} quarters": a language
    # with other plural rules (or none, as Chinese) writes its own form of the whole phrase.
    form = ngettext(f"{{count}} {singular}", f"{{count}} {plural or plural_of(singular)}",
                    1 if is_one(shown) else 2)
    return form.replace("{count}", shown)


def key_words(key: str) -> str:
    """A key written in a file as the words it stands for: budget_known -> budget known."""
    return key.replace("_", " ")


def as_phrase(label: str) -> str:
    """A label written for a table heading, as a phrase inside a sentence: "Growth over a
    year" -> "growth over a year"; a first word in capitals (GMROII, ROI) stays as it is."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.upper() == first:
        return label
    return label[:1].lower() + label[1:]


def rule_and_subject(rule: str, subject: str, shown: Callable[[str], str] = str) -> str:
    """A finding's rule and its subject, each as `shown` writes it; an account's own finding
    has no subject, and no space where one would stand: "risk.key-contact-left Chen Jun"."""
    return " ".join(shown(part) for part in (rule, subject) if part)


def bracketed(text: str, detail: str) -> str:
    """"text (detail)" as the reader's language writes it (Chinese with full-width
    brackets)."""
    return _("{text} ({detail})").format(text=text, detail=detail)


def labelled(label: str, value: str) -> str:
    """"label: value" as the reader's language writes it (Chinese with a full-width colon)."""
    return _("{label}: {value}").format(label=label, value=value)
