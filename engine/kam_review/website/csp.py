"""The Content-Security-Policy every built page carries, and its `noindex`.

Scripts run only from the site's own files and, by their sha256 hash, the theme's own inline
scripts on that page; nothing from `data:` or another host, no plugin, no `<base>` moved.
An inline script inside the page's content (the Markdown rendered from account files and
hand-written pages) is never trusted: escaping should keep one from appearing at all, and
if it did, the browser would refuse to run it.

Files of the docs folder that MkDocs copies as they are get the same protection: an HTML
file gets a policy that runs no script at all, placed before anything the file says; an
SVG, XML or XHTML file, which no meta tag can protect, is refused when it holds something
that runs (a script, an event handler, a javascript: URL, a foreign object, a stylesheet
instruction, an entity declaration that could hide any of those).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from html import unescape

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_SOURCE = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)
# Script types the browser runs; any other (the theme's application/json) is data.
_RUNNABLE = {"", "text/javascript", "application/javascript", "module"}
# The policy goes right after <meta charset>, which must stay first, else after <head>.
_CHARSET = re.compile(r"<meta\s+charset=[^>]*>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
ROBOTS = '<meta name="robots" content="noindex, nofollow">'


def _inline_scripts(html: str) -> Counter[str]:
    """The sha256 source hashes of the runnable inline scripts, counted."""
    found: Counter[str] = Counter()
    for match in _SCRIPT.finditer(html):
        attributes, body = match.groups()
        kind = _TYPE.search(attributes)
        if _SOURCE.search(attributes) or (kind and kind.group(1).lower() not in _RUNNABLE):
            continue
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        found["sha256-" + base64.b64encode(digest).decode("ascii")] += 1
    return found


def policy(script_hashes: list[str], live_reload: bool = False, scripts: bool = True) -> str:
    """The policy allowing those inline scripts. With live_reload (`mkdocs serve`, which
    injects a different inline script into every page it serves) any inline script runs:
    a preview on the author's machine, never the built site. Without `scripts`, none."""
    hashes = [f"'{h}'" for h in script_hashes]
    sources = ["'self'", *(["'unsafe-inline'"] if live_reload else hashes)]
    scripts_from = " ".join(sources) if scripts else "'none'"
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts_from}",
        # The charts' SVG carries style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def protect(html: str, content: str = "", live_reload: bool = False,
            seen: set[str] | None = None) -> str:
    """The page with its policy and noindex in <head>. `content` is the page's own rendered
    text, inside the html: inline scripts found there are left out of the policy. The hashes
    of the scripts allowed are added to `seen`, for the site's header (see header)."""
    trusted = _inline_scripts(html) - _inline_scripts(content)
    if seen is not None:
        seen.update(trusted)
    meta = _meta(policy(sorted(trusted), live_reload))
    head = _CHARSET.search(html) or _HEAD.search(html)
    if head is None:
        return meta + html
    return html[:head.end()] + meta + html[head.end():]


def header(script_hashes: list[str]) -> str:
    """The Content-Security-Policy header the host should send with every file of the site:
    the pages' policy with the inline scripts of every page, and `frame-ancestors`, which a
    meta tag cannot carry. It also covers what no meta can: images, SVG, JSON."""
    return f"{policy(script_hashes)}; frame-ancestors 'none'"


def _meta(content: str) -> str:
    # The policy is built from fixed words and base64 hashes: nothing in it needs escaping.
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">{ROBOTS}'


# A document type declaration may come first; anything else, and the policy goes before it.
_DOCTYPE = re.compile(r"\A\s*<!doctype\s[^<>]*>", re.IGNORECASE)


def protect_static(text: str) -> str:
    """A hand-written HTML file of the docs folder, which MkDocs copies as it is, with a
    policy that runs no script at all (the site's script files included: the file may come
    with one). The policy goes first, after the doctype if there is one: a `<head>` found
    further on may sit inside a comment, and the parser puts a leading meta in the head."""
    doctype = _DOCTYPE.match(text)
    end = doctype.end() if doctype else 0
    return text[:end] + _meta(policy([], scripts=False)) + text[end:]


# What runs in an SVG or XML document opened on its own, whatever its case or namespace prefix.
_ACTIVE = (
    (re.compile(r"<\s*(?:[\w.-]+:)?script\b", re.I), "a <script> element"),
    (re.compile(r"<\s*(?:[\w.-]+:)?foreignobject\b", re.I), "a <foreignObject> (HTML in SVG)"),
    (re.compile(r"<\s*(?:[\w.-]+:)?(?:handler|iframe|embed|object)\b", re.I),
     "an element that runs or embeds code"),
    (re.compile(r"""(?:^|[\s/"':])on[a-z_.-]*\s*=""", re.I), "an event handler (on...=)"),
    (re.compile(r"<\?xml-stylesheet", re.I), "a stylesheet instruction (XSLT runs code)"),
    (re.compile(r"<!entity", re.I), "an entity declaration (it can hide any of these)"),
)
_NOT_IN_URLS = re.compile(r"[\x00-\x20]+")  # browsers drop them from a URL
_ENCODING = re.compile(r"""\A\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)""", re.I)


def active_content(text: str) -> str | None:
    """What in an SVG or XML document could run code when the browser opens it, or None.
    Character references are decoded first (`&#106;avascript:`), and a declared encoding
    must be UTF-8, as the text was read."""
    declared = _ENCODING.match(text)
    if declared and declared.group(1).lower().replace("-", "") not in ("utf8", "usascii"):
        return f"an encoding other than UTF-8 ({declared.group(1)})"
    decoded = unescape(text)
    for pattern, what in _ACTIVE:
        if pattern.search(decoded):
            return what
    if "javascript:" in _NOT_IN_URLS.sub("", decoded).lower():
        return "a javascript: URL"
    return None
