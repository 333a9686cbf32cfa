"""The Content-Security-Policy of a page: the theme's inline scripts by hash, nothing else."""

from __future__ import annotations

import base64
import hashlib
import re

from kam_review.website.csp import ROBOTS, protect


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def _script_src(html: str) -> set[str]:
    (policy,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    return set(directives["script-src"].split())


THEME = "var palette=__md_get(\"__palette\");"
CONTENT = '<p>Plan</p><script>alert("from an account file")</script>'
PAGE = (f'<html><head><meta charset="utf-8"><title>x</title><script>{THEME}</script>'
        '<script id="__config" type="application/json">{"a": 1}</script></head><body>'
        f'<article>{CONTENT}</article><script src="assets/bundle.js"></script>'
        '<script type="module">import "./x.js"</script></body></html>')


def test_only_the_theme_scripts_outside_the_content_are_allowed() -> None:
    protected = protect(PAGE, CONTENT)
    assert _script_src(protected) == {"'self'", _hash(THEME), _hash('import "./x.js"')}
    assert _hash('alert("from an account file")') not in protected
    assert _hash('{"a": 1}') not in protected  # data, never run


def test_a_content_script_equal_to_a_theme_script_keeps_the_theme_working() -> None:
    content = f"<script>{THEME}</script>"
    page = PAGE.replace(CONTENT, content)
    assert _hash(THEME) in _script_src(protect(page, content))


def test_the_policy_comes_right_after_the_charset_and_before_any_script() -> None:
    protected = protect(PAGE, CONTENT)
    assert protected.startswith('<html><head><meta charset="utf-8"><meta http-equiv='
                                '"Content-Security-Policy"')
    assert protected.index(ROBOTS) < protected.index("<script")
    added = protected[len('<html><head><meta charset="utf-8">'):
                      protected.index(ROBOTS) + len(ROBOTS)]
    assert protected.replace(added, "") == PAGE  # nothing else changed


def test_without_a_charset_the_policy_opens_the_head() -> None:
    protected = protect("<html><head lang=en><script>x()</script></head></html>")
    assert protected.startswith('<html><head lang=en><meta http-equiv="Content-Security-Policy"')
    assert _script_src(protected) == {"'self'", _hash("x()")}


def test_the_policy_is_deterministic_and_lists_no_host() -> None:
    first, second = protect(PAGE, CONTENT), protect(PAGE, CONTENT)
    assert first == second
    policy = first.split('content="', 1)[1].split('"', 1)[0]
    assert "http" not in policy and "data:" not in policy.split("img-src")[0]
    assert "object-src 'none'" in policy and "base-uri 'self'" in policy
    assert "form-action 'self'" in policy and "default-src 'self'" in policy


def test_a_live_reload_preview_runs_inline_scripts_without_hashes() -> None:
    assert _script_src(protect(PAGE, CONTENT, live_reload=True)) == {"'self'", "'unsafe-inline'"}
