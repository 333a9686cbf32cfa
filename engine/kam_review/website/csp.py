"""The Content-Security-Policy every built page carries, and its `noindex`.

Scripts run only from the site's own files and, by their sha256 hash, the theme's own inline
scripts on that page; nothing from `data:` or another host, no plugin, no `<base>` moved.
An inline script inside the page's content (the Markdown rendered from account files and
hand-written pages) is never trusted: escaping should keep one from appearing at all, and
if it did, the browser would refuse to run it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter

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


def policy(script_hashes: list[str], live_reload: bool = False) -> str:
    """The policy allowing those inline scripts. With live_reload (`mkdocs serve`, which
    injects a different inline script into every page it serves) any inline script runs:
    a preview on the author's machine, never the built site."""
    hashes = [f"'{h}'" for h in script_hashes]
    scripts = " ".join(["'self'", *(["'unsafe-inline'"] if live_reload else hashes)])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        # The charts' SVG carries style attributes; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def protect(html: str, content: str = "", live_reload: bool = False) -> str:
    """The page with its policy and noindex in <head>. `content` is the page's own rendered
    text, inside the html: inline scripts found there are left out of the policy."""
    trusted = _inline_scripts(html) - _inline_scripts(content)
    # The policy is built from fixed words and base64 hashes: nothing in it needs escaping.
    meta = (f'<meta http-equiv="Content-Security-Policy" '
            f'content="{policy(sorted(trusted), live_reload)}">{ROBOTS}')
    head = _CHARSET.search(html) or _HEAD.search(html)
    if head is None:
        return meta + html
    return html[:head.end()] + meta + html[head.end():]
