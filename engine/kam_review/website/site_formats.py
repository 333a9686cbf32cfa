"""The language a site's pages are written in and how they write figures, from the site's
configuration (the theme's language, the plugin's `locale` and `currency`)."""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from kam_review.i18n import ENGLISH, set_language
from kam_review.locale_format import DEFAULT_LOCALE, LocaleFormat, check_currency, check_locale


def site_language(theme_language: str | None) -> str:
    """The language of the site's words is the theme's (`theme: language: zh`); a theme
    language kam-review does not write keeps its words English."""
    try:
        return set_language(theme_language or ENGLISH)
    except ValueError:
        return set_language(ENGLISH)


def figure_formats(locale: str | None, currency: str | None) -> LocaleFormat:
    """How the pages write figures: the `locale` option, else the theme's language, else
    English; amounts of accounts whose file names no currency in `currency`."""
    try:
        return LocaleFormat(check_locale(locale or DEFAULT_LOCALE),
                            None if currency is None else check_currency(currency))
    except ValueError as problem:
        raise PluginError(f"kam-review: {problem}") from None
