"""`mkdocs build` empties its site_dir right after the plugins' on_config: the kam-review plugin
refuses a site_dir that is not the site's to empty, before anything is deleted, and accepts a
new or empty folder, its own earlier site and MkDocs' own earlier output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kam_review.output.output_folder import MARKER, MARKER_TEXT

from .conftest import REPO, healthy_account, write_account
from .test_output_safety import snapshot

MKDOCS_YML = """\
site_name: Review
docs_dir: docs
site_dir: {site_dir}
theme:
  name: material
  font: false
  custom_dir: overrides
plugins:
  - kam-review:
      as_of: "2026-09-30"
      thresholds: team-thresholds.yaml
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "team"
    for folder in ("accounts", "docs", "overrides", "notes", ".git"):
        (root / folder).mkdir(parents=True)
    write_account(root / "accounts", healthy_account())
    shutil.copytree(REPO / "rules", root / "rules")
    (root / "docs" / "about.md").write_text("# About\n", encoding="utf-8")
    (root / "overrides" / "main.html").write_text('{% extends "base.html" %}\n',
                                                  encoding="utf-8")
    (root / "notes" / "todo.txt").write_text("keep me\n", encoding="utf-8")
    (root / "team-thresholds.yaml").write_text("thresholds:\n  complacency_days: 20\n",
                                               encoding="utf-8")
    return root


def mkdocs_build(root: Path, site_dir: str) -> subprocess.CompletedProcess[str]:
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(site_dir=site_dir), encoding="utf-8")
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    env.pop("KAM_AS_OF", None)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


REFUSED = [
    ("accounts", "refusing to write into accounts/: it is an input folder"),
    ("rules", "refusing to write into rules/: it is an input folder"),
    ("overrides", "refusing to write into overrides/: it is an input folder"),
    ("notes", "refusing to write into notes/: it is not empty and kam-review did not create"),
    ("accounts/site", "it is inside the input folder accounts/"),
    ("team-thresholds.yaml", "refusing to write team-thresholds.yaml: it is an existing file"),
    (".git/site", "inside a git repository's .git folder"),
    (".", "docs_dir' should not be within the 'site_dir'"),  # MkDocs' own check comes first
    ("..", "docs_dir' should not be within the 'site_dir'"),
]


@pytest.mark.parametrize(("site_dir", "message"), REFUSED, ids=[s for s, _ in REFUSED])
def test_an_unsafe_site_dir_is_refused_before_it_is_emptied(project: Path, site_dir: str,
                                                            message: str) -> None:
    (project / "mkdocs.yml").write_text("", encoding="utf-8")
    before = snapshot(project.parent)
    run = mkdocs_build(project, site_dir)
    assert run.returncode != 0
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    after = snapshot(project.parent)
    after.pop("team/mkdocs.yml"), before.pop("team/mkdocs.yml")
    assert after == before
    assert (project / "accounts" / "test-account.yaml").is_file()


def _mkdocs_output(folder: Path) -> None:
    """What MkDocs leaves in a site_dir, from a build before the plugin marked its folders."""
    (folder / "assets").mkdir(parents=True)
    for name in ("index.html", "404.html", "sitemap.xml", "assets/old.css"):
        (folder / name).write_text("old\n", encoding="utf-8")


@pytest.mark.parametrize("state", ["absent", "empty", "marked", "mkdocs-output"])
def test_a_site_dir_of_its_own_is_built(project: Path, state: str) -> None:
    site = project / "public"
    if state != "absent":
        site.mkdir()
    if state == "marked":
        (site / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        (site / "stale.html").write_text("old\n", encoding="utf-8")
    if state == "mkdocs-output":
        _mkdocs_output(site)
    run = mkdocs_build(project, "public")
    assert run.returncode == 0, run.stderr
    assert (site / "accounts" / "test-account" / "index.html").is_file()
    assert (site / MARKER).read_text(encoding="utf-8") == MARKER_TEXT
    assert not (site / "stale.html").exists() and not (site / "assets" / "old.css").exists()


def test_a_folder_that_only_looks_like_a_site_is_refused(project: Path) -> None:
    site = project / "public"
    _mkdocs_output(site)
    (site / "acme.yaml").write_text("id: acme\n", encoding="utf-8")
    run = mkdocs_build(project, "public")
    assert run.returncode != 0
    assert "refusing to write into public/: it is not empty" in run.stderr
    assert (site / "acme.yaml").is_file()


def test_the_make_site_swap_keeps_working(project: Path) -> None:
    """`make site` builds into build/.site-new and renames it to build/site; a plain
    `mkdocs build` into build/site afterwards finds its own marked site."""
    new = mkdocs_build(project, "build/.site-new")
    assert new.returncode == 0, new.stderr
    (project / "build" / ".site-new").rename(project / "build" / "site")
    again = mkdocs_build(project, "build/site")
    assert again.returncode == 0, again.stderr
    assert (project / "build" / "site" / "index.html").is_file()
