"""Properties: for any account file, valid or mangled, `kam check` reports and never crashes;
the loader takes any bytes and points every error at a place inside the file."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kam_review.cli import main
from kam_review.errors import RulebookError
from kam_review.paths import display_path
from kam_review.rulebook.loading import load_rulebook
from kam_review.source.accounts import load_account

from .conftest import AS_OF, RULES, healthy_account

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["2026-02-30", "2026-09-01", "2026-Q5", "yes", "closed", "../x", "<script>"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=8)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


@st.composite
def mangled_accounts(draw: st.DrawFn) -> str:
    account = copy.deepcopy(healthy_account())
    for _ in range(draw(st.integers(0, 4))):
        paths = _paths(account)
        path = draw(st.sampled_from(paths))
        parent: Any = account
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(_VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(_VALUES)
    text = yaml.safe_dump(account, sort_keys=False, allow_unicode=True)
    cut = draw(st.one_of(st.none(), st.integers(0, len(text))))
    return text if cut is None else text[:cut]


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=mangled_accounts())
def test_check_never_crashes(tmp_path: Path, text: str) -> None:
    (tmp_path / "test-account.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--accounts", str(tmp_path), "--as-of",
                                       str(AS_OF), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception), text)
    assert result.exit_code in (0, 2), result.output
    assert result.stdout.startswith("{")


# --- The loader, fed anything: it reports, never raises, and every error points into the file

_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_YAML_PIECES = [*"[]{}:-,'\"#&*!|>?%@` \n\t0123456789abexyz.+_~", "\r", "\x85", "\u2028", "é",
                "\x00", "\x07", "\ufeff", "0x1F", "0250000", "1:30:00", "0b1010", "1_000", "1e6",
                "yes", "No", "null", ".inf", ".nan", "&a ", "*a", "!!python/object ", "!!int ",
                "|\n  ", "|+\n  ", ">-\n  ", "? ", "<<: ", "---\n", "...\n", "%YAML 1.1\n"]
_YAMLISH = st.lists(st.sampled_from(_YAML_PIECES), max_size=120).map("".join)


def _assert_located(errors: list[Any], name: str, text: str | None, size: int) -> None:
    assert errors or text is not None
    lines = _LINE_BREAK.split(text) if text is not None else None
    for error in errors:
        assert error.file == name, error
        assert error.line >= 1 and error.column >= 1, error
        if lines is None:
            assert error.line <= size + 1, error  # bytes that are not UTF-8: line by b"\n"
            continue
        assert error.line <= len(lines), (error, len(lines))
        assert error.column <= len(lines[error.line - 1]) + 1, (error, lines[error.line - 1])


def _load(content: bytes) -> tuple[Any, list[Any]]:
    path = Path("fuzz") / "acme.yaml"
    account, errors = load_account(path, content)
    try:
        text: str | None = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    _assert_located(errors, str(path), text, content.count(b"\n"))
    assert (account is None) == bool(errors)
    return account, errors


@settings(max_examples=300, deadline=None)
@given(content=st.binary(max_size=400))
def test_loader_takes_any_bytes(content: bytes) -> None:
    _load(content)


@settings(max_examples=400, deadline=None)
@given(text=_YAMLISH)
@example(text="---")  # an empty document: its null value is marked on a line after the last
@example(text="id: x\n---\n")
def test_loader_takes_any_yaml_ish_text(text: str) -> None:
    _load(text.encode("utf-8"))


@st.composite
def edited_accounts(draw: st.DrawFn) -> str:
    """The healthy account's YAML with a few characters, pieces or lines changed."""
    text = yaml.safe_dump(healthy_account() | {"id": "acme"}, sort_keys=False)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "line"]))
        piece = draw(st.sampled_from(_YAML_PIECES))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif action == "replace":
            end = text.find("\n", at)
            text = text[:at] + piece + (text[end:] if end >= 0 else "")
        else:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, draw(st.sampled_from([lines[i], "  " + lines[i], lines[i].strip()])))
            text = "\n".join(lines)
    return text


@settings(max_examples=400, deadline=None)
@given(text=edited_accounts())
def test_loader_takes_edited_account_files(text: str) -> None:
    _load(text.encode("utf-8"))


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(0, 1100), kind=st.sampled_from(["[", "{a: ", "- "]),
       where=st.sampled_from(["financials", "market", "industry"]))
def test_loader_takes_any_nesting(depth: int, kind: str, where: str) -> None:
    if kind == "- ":
        nested = "".join("\n" + "  " * (i + 1) + "-" for i in range(depth)) + " x"
    else:
        nested = kind * depth + "1" + ("]" if kind == "[" else "}") * depth
    text = f"id: acme\nname: Acme\nowner: Li Wei\n{where}: {nested}\n"
    _, errors = _load(text.encode("utf-8"))
    if depth >= 33:
        assert any("nested deeper than 32 levels" in e.message for e in errors)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_YAMLISH)
def test_threshold_overrides_take_anything(tmp_path: Path, text: str) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("thresholds:\n  complacency_days: " + text, encoding="utf-8")
    try:
        load_rulebook(RULES, path)
    except RulebookError as error:
        _assert_located([e for e in error.errors if e.file.endswith("overrides.yaml")],
                        display_path(path), path.read_text(encoding="utf-8"), 0)


@st.composite
def edited_rule_files(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(["risks.yaml", "thresholds.yaml", "funnel.yaml"]))
    text = (RULES / name).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from([*_YAML_PIECES, "{all: 5}", "{any: [{}]}", " in [", "$x"]))
        if draw(st.booleans()):
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 30)):]
    return name, text


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=edited_rule_files())
def test_rule_files_take_anything(tmp_path_factory: pytest.TempPathFactory,
                                  case: tuple[str, str]) -> None:
    name, text = case
    rules = tmp_path_factory.mktemp("rules")
    shutil.copytree(RULES, rules, dirs_exist_ok=True)
    (rules / name).write_text(text, encoding="utf-8")
    try:
        load_rulebook(rules)
    except RulebookError as error:
        mine = [e for e in error.errors if Path(e.file).name == name]
        _assert_located(mine, display_path(rules / name), text, 0)
