"""The one validation layer for names in account files: the account, its owner, contacts,
the people activities were with, opportunities and waivers' approvers.

A name must show something and show it as stored: a name that is blank once white space and
invisible characters are taken away (zero-width spaces and joiners, soft hyphens, variation
selectors, fillers, tag characters, other format and default-ignorable characters) is refused,
and so is one holding a control, line-break or bidirectional control character. Names are
compared in one normal form, so that one person written two ways (NFC and NFD, an invisible
character inside, full-width letters, other case or spacing) is one person: for duplicate
contacts, activities, waiver approvers and redaction alike.
"""

from __future__ import annotations

import unicodedata

from kam_review.i18n import _, ngettext
from kam_review.source.model import clip
from kam_review.text_safety import BIDI_CONTROLS, escaped, terminal_text

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): code points a
# renderer shows as nothing. Python's unicodedata has no such property, so they are listed.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
# Besides those, the blank Braille pattern draws nothing, and control and format characters
# show nothing either (white space is left to the space folding).
_INVISIBLE = frozenset({"\u2800", *(chr(code) for first, last in _DEFAULT_IGNORABLE
                                    for code in range(first, last + 1))})
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})
# A character shows something when it is a letter, number, punctuation or symbol; marks
# only decorate the character before them.
_VISIBLE_CATEGORIES = frozenset("LNPS")
# Line and paragraph separators: line breaks that are not control characters.
_LINE_SEPARATORS = frozenset({"Zl", "Zp"})
# Cyrillic and Greek small letters drawn like Latin ones, so that "Zh\u043eu Lan" (a Cyrillic
# o) is the owner "Zhou Lan". Only small letters, after case folding: folding capitals first
# would make a Cyrillic name compare differently in upper and lower case.
_LOOK_ALIKES = str.maketrans("\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb"
                             "\u0501\u051b\u051d\u03bf\u03c1\u03bd\u03b9\u03b1",
                             "aeopcyxijshdqwopvia")


def is_invisible(char: str) -> bool:
    """Whether a character shows nothing and is not white space: format and control
    characters, variation selectors, fillers and every other default-ignorable code point."""
    return (char in _INVISIBLE or unicodedata.category(char) in _HIDDEN_CATEGORIES) \
        and not char.isspace()


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in _VISIBLE_CATEGORIES and not is_invisible(char)


def without_invisible(text: str) -> str:
    """The text without the characters that show nothing (white space is kept): what a
    reader sees of it, and what names and waiver reasons are measured and compared on."""
    if text.isascii() and text.isprintable():  # the common case, decided in C
        return text
    return "".join(char for char in text if not is_invisible(char))


def shown_name(name: str) -> str:
    """A name for a message: control, format and every other invisible character shown as
    its escape (\\u034f), so that two spellings that look alike can be told apart."""
    return "".join(escaped(char) if is_invisible(char) else char for char in terminal_text(name))


def normalise_name(name: str) -> str:
    """The form in which two names are the same name: NFKC (which composes accents and maps
    full-width letters, as CJK input methods type them, to plain ones), invisible characters
    removed, case folded, Cyrillic and Greek look-alikes of Latin letters read as Latin, white
    space collapsed."""
    if name.isascii() and name.isprintable():
        # The common case: NFKC keeps printable ASCII as it is, none of it is invisible or a
        # look-alike, and its case folding is lower().
        return " ".join(name.lower().split())
    text = without_invisible(unicodedata.normalize("NFKC", name))
    folded = unicodedata.normalize("NFKC", text.casefold()).translate(_LOOK_ALIKES)
    return " ".join(folded.split())


def name_problems(name: str) -> list[str]:
    """What is wrong with a name, each as a message; empty when it is a good name."""
    if name.isascii() and name.isprintable() and name.strip():
        return []  # the common case, decided in C: letters, digits, marks and spaces
    shown = clip(shown_name(name))
    problems = []
    controls = sorted({c for c in name if unicodedata.category(c) == "Cc"})
    if controls:
        problems.append(_("'{name}' holds the {characters}: a name is one line of plain "
                          "text").format(name=shown, characters=_listed(
                              controls, ngettext("control character", "control characters",
                                                 len(controls)))))
    breaks = sorted({c for c in name if unicodedata.category(c) in _LINE_SEPARATORS})
    if breaks:
        problems.append(_("'{name}' holds the {characters}: a name is one line of plain "
                          "text").format(name=shown, characters=_listed(
                              breaks, ngettext("line break", "line breaks", len(breaks)))))
    bidi = sorted(set(name) & BIDI_CONTROLS)
    if bidi:
        problems.append(ngettext(
            "'{name}' holds the {characters}, which makes text show in another order than it "
            "is written: remove it",
            "'{name}' holds the {characters}, which make text show in another order than it "
            "is written: remove them", len(bidi)).format(name=shown, characters=_listed(
                bidi, ngettext("bidirectional control character",
                               "bidirectional control characters", len(bidi)))))
    if not any(_visible(c) for c in name):
        every = clip("".join(c if c == " " else escaped(c) for c in name))
        problems.append(_("'{name}' shows nothing: a name needs a visible character (white "
                          "space, zero-width and other invisible characters do not count)"
                          ).format(name=every))
    return problems


def _listed(characters: list[str], noun: str) -> str:
    """Characters a name must not hold, after their noun (in the number their count asks
    for): "control characters \\x01\\x02"."""
    return f"{noun} {terminal_text(''.join(characters))}"
