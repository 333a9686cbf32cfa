"""Property: for any account file, valid or mangled, `kam check` reports and never crashes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam_review.cli import main

from .conftest import AS_OF, healthy_account

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
