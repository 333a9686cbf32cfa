"""Writing user text into Markdown pages safely.

Everything an account file says (names, titles, goals, messages built from them) is escaped
so that it shows as text: no HTML, no Markdown link or emphasis, no table break. The one
exception is a plan summary, which is Markdown by design: it is rendered to HTML and then
cleaned by a maintained sanitiser (nh3), so it keeps lists and emphasis but no script,
event handler or javascript: link. In a pull-request comment, user text is kept from
mentioning people and making links as well (`comment_text`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache

import markdown as markdown_lib
import nh3

from kam_review.i18n import _
from kam_review.text_safety import one_line

# Characters that mean something to Markdown or to the HTML it produces, as entities.
_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "{": "&#123;", "}": "&#125;",
    "[": "&#91;", "]": "&#93;", "#": "&#35;", "!": "&#33;", "|": "&#124;", "~": "&#126;",
    "=": "&#61;",
}
_TABLE = str.maketrans(_ENTITIES)
_ALLOWED_LINK_SCHEMES = {"http", "https", "mailto"}
# No images: an image would be fetched from wherever it points when the page opens, and the
# site must make no request to any host but its own.
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}
# What a code host makes live in a comment's text: @name (notifies a person, or a whole team),
# URLs (scheme://) and www. addresses (links). A word joiner (U+2060, which shows nothing)
# after the @, after the colon of :// and after www breaks each, and the text reads the same.
_ACTIVE = re.compile(r"@|:(?=//)|www(?=\.)", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def esc(text: object) -> str:
    """Any value as inert Markdown text, on one line (see text_safety.one_line)."""
    if type(text) is str:
        return _esc_text(text)
    return one_line(str(text)).translate(_TABLE)


# The pages repeat the same names and figures many times, and `kam serve` writes the
# portfolio's pages again after every edit; only text is kept (1 and True are equal keys).
@lru_cache(maxsize=1 << 17)
def _esc_text(text: str) -> str:
    return one_line(text).translate(_TABLE)


def comment_text(text: object) -> str:
    """Any value as inert Markdown text for a pull-request comment: escaped as `esc` does, and
    no mention, URL or www. address the code host would make live."""
    return _ACTIVE.sub(lambda match: match.group() + _WORD_JOINER, esc(text))


def code(text: object) -> str:
    """Any value as a Markdown code span, shown exactly as written. A code span decodes no
    entities, so nothing in it can be escaped: its fence is one backtick longer than the
    longest run of backticks inside. For running text, not for table cells."""
    body = one_line(str(text))
    fence = "`" * (max(map(len, re.findall("`+", body)), default=0) + 1)
    # A space on each side keeps a backtick at either end apart from the fence; Markdown
    # strips one such space again.
    pad = " " if body[:1] == "`" or body[-1:] == "`" else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def esc_code(text: object) -> str:
    """Generated text (a fact's meaning, what a rule needs) as inert Markdown, its parts in
    backticks (the account file's field names, `market.wallet`) as code spans. Not for text
    from an account file: a backtick there is only a character."""
    parts = one_line(str(text)).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: no code span
        return esc(text)
    return "".join(code(part) if odd else esc(part) for odd, part in
                   ((i % 2 == 1, part) for i, part in enumerate(parts)))


def safe_markdown_html(source: str) -> str:
    """A user's Markdown as sanitised HTML: formatting kept, anything active removed."""
    html = _converter().reset().convert(source)
    return nh3.clean(html, tags=_ALLOWED_TAGS, url_schemes=_ALLOWED_LINK_SCHEMES,
                     link_rel="noopener noreferrer")


# A converter per thread, reset between texts: making one loads its extensions and
# processors, which took longer than converting a plan's summary.
_CONVERTERS = threading.local()


def _converter() -> markdown_lib.Markdown:
    converter: markdown_lib.Markdown | None = getattr(_CONVERTERS, "markdown", None)
    if converter is None:
        converter = _CONVERTERS.markdown = markdown_lib.Markdown(
            extensions=["sane_lists"], output_format="html")
    return converter


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table; cells must already be escaped or trusted Markdown. Its headings are
    written in the active language (a heading the catalogue has no key for stays as it is)."""
    rows = list(rows)
    if not rows:
        return "*" + _("None.") + "*\n"
    lines = ["| " + " | ".join(_(head) for head in headers) + " |",
             "|" + "|".join("---" for _head in headers) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
