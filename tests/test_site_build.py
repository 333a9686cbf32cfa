"""MkDocs builds the review site from the repository's mkdocs.yml, the same bytes every time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ACCOUNTS, REPO


def _build(target: Path) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-d", str(target)],
                   cwd=REPO, check=True, capture_output=True)
    return {str(p.relative_to(target)): p.read_bytes() for p in sorted(target.rglob("*"))
            if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first, second = _build(tmp_path / "a"), _build(tmp_path / "b")
    assert first.keys() == second.keys()
    changed = [name for name in first if first[name] != second[name]]
    assert changed == []
    for account in ACCOUNTS.glob("*.yaml"):
        assert f"accounts/{account.stem}/index.html" in first
    assert "rules/index.html" in first and "index.html" in first


def test_account_pages_stay_out_of_the_sidebar(tmp_path: Path) -> None:
    pages = _build(tmp_path / "site")
    overview = pages["index.html"].decode()
    sidebar = overview.split('class="md-sidebar md-sidebar--primary"', 1)[1].split(
        'class="md-content"', 1)[0]
    assert "accounts/" not in sidebar
    assert 'href="accounts/hanhai-retail/"' in overview
