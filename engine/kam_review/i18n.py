"""The language the product writes in, and the words it writes: one active language, set once
per run (`--lang` / KAM_LANG for the command line, the site config's `theme.language` for the
MkDocs plugin), English by default.

UI strings go through `_()` and `ngettext()`; their translations are gettext catalogues kept
as `.po` files in the package (locale/<lang>/LC_MESSAGES/kam.po), read with Babel and
compiled in memory on first use. A string with no translation (no entry, or an empty
msgstr) is written in English. Rule texts are translated in the rule files themselves
(rulebook/rule_schema.py); `pick` chooses between such texts.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ENGLISH = "en"
# The languages the product writes, and the Babel locale each writes figures in.
LANGUAGES = {ENGLISH: "en", "zh": "zh_Hans_CN"}
LANG_VARIABLE = "KAM_LANG"
DOMAIN = "kam"
LOCALE_FOLDER = Path(__file__).parent / "locale"

_active = ENGLISH


def check_language(name: str) -> str:
    """The language code as kam-review names it (`zh`, `en`; `zh-CN`, `zh_Hans` -> zh);
    ValueError for a language it does not write."""
    code = name.replace("-", "_").split("_", 1)[0].lower()
    if code not in LANGUAGES:
        raise ValueError(f"'{name}' is not a language kam-review writes (one of "
                         f"{', '.join(LANGUAGES)})")
    return code


def set_language(name: str | None) -> str:
    """Make `name` (None: KAM_LANG, else English) the language everything is written in."""
    global _active
    _active = check_language(name or os.environ.get(LANG_VARIABLE) or ENGLISH)
    return _active


def language() -> str:
    """The active language: en or zh."""
    return _active


def locale_name() -> str:
    """The Babel locale figures are written in for the active language."""
    return LANGUAGES[_active]


@contextmanager
def using(name: str) -> Iterator[None]:
    """The language `name` inside the block, the one before it after."""
    before = _active
    set_language(name)
    try:
        yield
    finally:
        set_language(before)


def catalogue_path(lang: str) -> Path:
    return LOCALE_FOLDER / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(lang: str) -> Catalog:
    with catalogue_path(lang).open("rb") as po:
        return read_po(po, locale=LANGUAGES[lang], domain=DOMAIN)


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == ENGLISH or not catalogue_path(lang).is_file():
        return gettext.NullTranslations()
    mo = BytesIO()
    # Empty msgstrs are left out (use_fuzzy=False skips fuzzy ones): gettext then falls back.
    write_mo(mo, read_catalogue(lang))
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def in_language(lang: str, message: str) -> str:
    """`message` in the language `lang`, whichever is active (English without one)."""
    return _translations(lang).gettext(message) if message else message


def _(message: str) -> str:
    """`message` in the active language (English when it has no translation)."""
    if not message:  # gettext keys the catalogue header by ""
        return message
    return _translations(_active).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of `singular`/`plural` that `count` takes, in the active language."""
    return _translations(_active).ngettext(singular, plural, count)


def pick(english: str, texts: Mapping[str, str] | None) -> str:
    """A text given per language: the active language's if `texts` has it, else English."""
    if texts is None or _active == ENGLISH:
        return english
    return texts.get(_active) or english


def listed(items: Iterable[str], separator: str = ", ", empty: str = "none") -> str:
    """Words in a list as the active language writes one ("a, b" / "a、b"), `empty` in its
    words when there is none."""
    return _(separator).join(items) or _(empty)


def words(*texts: str) -> list[str]:
    """Each text in the active language: table headings, `words("Name", "Title")`."""
    return [_(text) for text in texts]
