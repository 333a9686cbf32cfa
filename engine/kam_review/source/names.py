"""The one validation layer for names in account files: the account, its owner, contacts,
the people activities were with, and opportunities.

A name must show something and show it as stored: a name that is blank once white space and
invisible characters are taken away (zero-width spaces and joiners, soft hyphens, other
format characters, fillers) is refused, and so is one holding a control or bidirectional
control character. Names are compared in one normal form, so that one person written two ways
(NFC and NFD, a zero-width space inside, full-width letters, other case or spacing) is one
person: for duplicate contacts, activities, waiver approvers and redaction alike.
"""

from __future__ import annotations

import unicodedata

from kam_review.text_safety import BIDI_CONTROLS, escaped, terminal_text

# Letters and symbols that draw nothing: Hangul fillers and the blank Braille pattern.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# A character shows something when it is a letter, number, punctuation or symbol; marks
# only decorate the character before them.
_VISIBLE_CATEGORIES = frozenset("LNPS")


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in _VISIBLE_CATEGORIES and char not in _BLANK_LOOKING


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _BLANK_LOOKING


def normalise_name(name: str) -> str:
    """The form in which two names are the same name: NFKC (which composes accents and maps
    full-width letters, as CJK input methods type them, to plain ones), invisible characters
    removed, case folded, white space collapsed."""
    text = "".join(c for c in unicodedata.normalize("NFKC", name) if not _invisible(c))
    return " ".join(unicodedata.normalize("NFKC", text.casefold()).split())


def name_problems(name: str) -> list[str]:
    """What is wrong with a name, each as a message; empty when it is a good name."""
    shown = terminal_text(name)
    problems = []
    controls = terminal_text("".join(sorted({c for c in name if unicodedata.category(c) == "Cc"})))
    if controls:
        problems.append(f"'{shown}' holds the control character(s) {controls}: a name is one "
                        "line of plain text")
    bidi = terminal_text("".join(sorted(set(name) & BIDI_CONTROLS)))
    if bidi:
        problems.append(f"'{shown}' holds the bidirectional control character(s) {bidi}, which "
                        "make text show in another order than it is written: remove them")
    if not any(_visible(c) for c in name):
        every = "".join(c if c == " " else escaped(c) for c in name)
        problems.append(f"'{every}' shows nothing: a name needs a visible character (white "
                        "space, zero-width and other invisible characters do not count)")
    return problems
