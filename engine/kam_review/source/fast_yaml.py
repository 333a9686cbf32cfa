"""A fast reading of an account file, used only where it provably reads what the strict one does.

The strict reader (yamlsource.py) composes libyaml's node tree and walks it in Python; that is
most of the time a file takes to load. py-yaml12 (Rust, YAML 1.2) builds the plain value about
eight times faster, but YAML 1.2 types some values otherwise than YAML 1.1, which the strict
reader follows (`yes`, `017`, `1:30`, `1e3`, `-.5`, long integers), it expands anchors and
aliases, keeps the last of duplicate keys and knows no line numbers. So this reader declines
(returns None) wherever the two could differ, and the caller reads the file strictly:

- the text holds anything the screen below names (tabs, carriage returns, escapes, a BOM,
  directives or document markers, merge keys, anchors, aliases or tags where a value starts,
  number forms YAML 1.1 reads otherwise, digit runs beyond a 64-bit integer, long lines);
- a key is not text, a number is not finite, the nesting is too deep, or a text that YAML 1.1
  would read as something else (yes, 1_000, ~) stands unquoted anywhere in the file;
- the lines do not hold the value's structure where yaml_lines.py expects it.

What it returns is the strict reader's value with the locations a valid account keeps; any
problem the checks find afterwards sends the file to the strict reader too (accounts.py), so
every error message is the strict reader's.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from kam_review.source.model import FieldPath
from kam_review.source.yaml_lines import kept_locations
from kam_review.source.yaml_values import STANDARD
from kam_review.source.yamlsource import MAX_DEPTH, MAX_FILE_BYTES, YamlDocument

try:  # the fast reading is an optimisation: without the package every file is read strictly
    import yaml12
    _parse_yaml12: Callable[[str], Any] | None = yaml12.parse_yaml
except ImportError:  # pragma: no cover - py-yaml12 is a dependency
    _parse_yaml12 = None

# KAM_FAST=0 (or off, no, false) turns every fast path off: account files are read strictly,
# `kam check` reviews as review_in_batches does, and the site converts every page as MkDocs
# does (the paths the fast ones are compared with).
FAST_VARIABLE = "KAM_FAST"

# Characters and texts that send a file to the strict reader wherever they stand: tabs, the
# line breaks YAML 1.1 knows besides \n, a BOM, escapes, merge keys, document markers and
# directives.
_REFUSED = ("\t", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "\\", "<<", "\n---", "\n...",
            "\n%")
# Patterns that do the same; each is searched on its own (one alternation is slower).
_REFUSED_FORMS = tuple(re.compile(pattern) for pattern in (
    yaml.reader.Reader.NON_PRINTABLE.pattern,  # what the strict reader refuses to read
    r"[\s\[{,:?][-+]?0[0-9A-Za-z_]",  # 017, 0o17, 0x1F, 00: octal and the like to YAML 1.1
    r"[0-9.][eE][-+]?[0-9]",  # exponents: YAML 1.1 wants a dot and a sign
    r"[-+]\.[0-9]",  # -.5 is text to YAML 1.1
))
# What starts an alias, an anchor, a tag, a block scalar or a reserved indicator where a
# value starts; inside a text (**bold**, R&D, a > b) they are harmless. A block scalar is
# read fast only after `key:` or `-` on its line (yaml_lines.py reads each again).
_INDICATORS = re.compile("[*&!|>%@`]")
_BLOCK_HEADER = re.compile(r"[|>](?:[1-9]?[-+]?|[-+][1-9]?) *(?:#.*)?$", re.MULTILINE)
_VALUE_STARTS = frozenset("\n:?-[{,")
# A key longer than this is refused by libyaml (1,024 characters), not by py-yaml12.
_MAX_KEY = 1000
# Beyond a 64-bit integer py-yaml12 reads a float, the strict reader an integer.
_MAX_EXACT = 2.0 ** 63
# The number, boolean, null, merge and value forms of YAML 1.1 (PyYAML's resolver): a text
# of such a form, unquoted, is read as something else by the strict reader. Dates stay text
# there too, so the timestamp form is left out.
_YAML11_FORMS: dict[str, re.Pattern[str]] = {
    first: re.compile("|".join(pattern.pattern for tag, pattern in resolvers
                               if tag != f"{STANDARD}timestamp"), re.VERBOSE)
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
    if first and any(tag != f"{STANDARD}timestamp" for tag, _ in resolvers)}


def fast_enabled() -> bool:
    """Whether the fast paths are on (KAM_FAST)."""
    return os.environ.get(FAST_VARIABLE, "1").strip().lower() not in ("0", "off", "no", "false")


def read_fast(text: str) -> YamlDocument | None:
    """The document the strict reader makes of a valid account file's text, with the
    locations a valid account keeps; None where this reader cannot be sure of it."""
    refused = _refused(text)
    if _parse_yaml12 is None or refused:
        return None
    try:
        value = _parse_yaml12(text)
    except (ValueError, TypeError, OverflowError):
        return None
    doubtful: set[str] = set()
    line_breaks: dict[FieldPath, str | None] = {}
    if not _plain(value, doubtful, line_breaks) or any(_unquoted(text, s) for s in doubtful):
        return None
    locations = kept_locations(text, value, blocks=refused is None)
    if locations is None:
        return None
    # The screen refuses what the strict reader cannot read (half a character, a lone
    # surrogate, among it) and every escape that could write one: no text holds one.
    return YamlDocument(value, locations, line_breaks=line_breaks, encodable=True)


def _refused(text: str) -> bool | None:
    """Whether the text holds anything the screen refuses; None (neither) where it holds
    nothing but block scalars, which yaml_lines.py must read again."""
    if any(part in text for part in _REFUSED) or text.startswith(("---", "...", "%")):
        return True
    if any(form.search(text) for form in _REFUSED_FORMS):
        return True
    blocks = False
    for found in _INDICATORS.finditer(text):
        at = found.start()
        before = at - 1
        while before >= 0 and text[before] == " ":
            before -= 1
        if before >= 0 and text[before] not in _VALUE_STARTS:
            continue
        if before < 0 or before == at - 1 or text[before] not in ":-" or \
                not _BLOCK_HEADER.match(text, at):
            return True
        blocks = True
    return None if blocks else False


def _plain(value: Any, doubtful: set[str], line_breaks: dict[FieldPath, str | None]) -> bool:
    """Whether a value is what the strict reader makes of it: every key text, every number
    finite and exact, no deeper than the strict reader allows. Texts of a YAML 1.1 form are
    collected in `doubtful`, to be looked up in the file; the texts with a line break in
    `line_breaks`, as the strict reader keeps them for the check of the one-line fields
    (where only whether there is one decides; the style is not known here)."""
    if type(value) is not dict:  # an account is a mapping; the strict reader says so
        return False
    forms = _YAML11_FORMS
    stack: list[tuple[Any, FieldPath]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= MAX_DEPTH:  # the strict reader's limit on lists and mappings
            return False
        mapping = type(node) is dict
        items: Iterable[tuple[str | int, Any]] = node.items() if mapping else enumerate(node)
        for key, item in items:
            if mapping and (type(key) is not str or len(key) >= _MAX_KEY):
                return False
            kind = type(item)
            if kind is str:
                form = forms.get(item[:1])
                if form is not None and form.match(item):
                    doubtful.add(item)
                if "\n" in item:
                    line_breaks[(*path, key)] = None
            elif kind is dict or kind is list:
                stack.append((item, (*path, key)))
            elif kind is float:
                if not abs(item) < _MAX_EXACT:  # inf and nan are not
                    return False
            elif not (item is None or kind is int or kind is bool):
                return False  # a tagged Yaml value
    return True


def _unquoted(text: str, value: str) -> bool:
    """Whether the text holds value where a plain (unquoted) scalar can stand: after
    whitespace, `:` or a flow bracket or comma, up to the line's end, a comment or the flow's
    next comma or bracket. A quoted occurrence does not count."""
    at = text.find(value)
    while at >= 0:
        end = at + len(value)
        stop = text.find("\n", end)
        rest = text[end:stop if stop >= 0 else None].lstrip(" ")
        if (at == 0 or text[at - 1] in " \n[{,:") and (not rest or rest[0] in "#,]}"):
            return True
        at = text.find(value, at + 1)
    return False


def read_fast_account(path: Path, content: bytes | None) -> YamlDocument | None:
    """read_fast of a file (or its bytes, already read); None where the strict reader must
    read it: KAM_FAST=0, a file too large, unreadable or not UTF-8, or one read_fast declines."""
    if not fast_enabled():
        return None
    try:
        if content is None and path.stat().st_size > MAX_FILE_BYTES:
            return None
        raw = content if content is not None else path.read_bytes()
        return None if len(raw) > MAX_FILE_BYTES else read_fast(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
