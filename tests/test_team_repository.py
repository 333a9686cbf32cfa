"""A team's own repository of account files, with kam-review installed as a package: its own
accounts/, mkdocs.yml and thresholds, the bundled rules, and a changes page against a tag."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ACCOUNTS, REPO, healthy_account, write_account

MKDOCS_YML = """\
site_name: Team review
site_dir: public
theme:
  name: material
  font: false
plugins:
  - search
  - kam-review:
      as_of: "2026-09-30"
      thresholds: team-thresholds.yaml
      base: last-review
nav:
  - Overview: index.md
  - Changes: changes.md
  - Risks: risks.md
  - Rules: rules.md
validation:
  nav:
    omitted_files: ignore
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """kam-review built as a wheel and installed into a folder of its own."""
    # Built from a clean copy: setuptools' build/ folder in a working tree may hold stale files.
    source = tmp_path_factory.mktemp("source")
    for name in ("engine", "rules", "site"):
        shutil.copytree(REPO / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(source)], check=True, capture_output=True)
    target = tmp_path_factory.mktemp("site-packages")
    (wheel,) = wheels.glob("kam_review-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    return target


def run(command: list[str], cwd: Path, installed: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(installed), "NO_MKDOCS_2_WARNING": "1"}
    env.pop("KAM_AS_OF", None)
    env.pop("KAM_BASE", None)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def test_the_wheel_carries_rules_and_theme(installed: Path) -> None:
    package = installed / "kam_review"
    assert (package / "rules" / "thresholds.yaml").is_file()
    assert (package / "rules" / "risks.yaml").is_file()
    assert (package / "overrides" / "assets" / "kam-review.css").is_file()
    # Every module and data file of the package, whichever subpackage it lives in.
    source = REPO / "engine" / "kam_review"
    shipped = [path.relative_to(source) for path in source.rglob("*")
               if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts]
    assert Path("source/account.schema.json") in shipped
    assert [path for path in shipped if not (package / path).is_file()] == []


def test_a_team_repository_builds_its_site(installed: Path, tmp_path: Path) -> None:
    team = tmp_path / "team-accounts"
    (team / "accounts").mkdir(parents=True)
    (team / "docs").mkdir()
    (team / "docs" / "about.md").write_text("# About\n\nOur team's review.\n", encoding="utf-8")
    shutil.copy(ACCOUNTS / "hanhai-retail.yaml", team / "accounts")
    write_account(team / "accounts", healthy_account())
    (team / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (team / "team-thresholds.yaml").write_text(
        "thresholds:\n  complacency_days: 10\n", encoding="utf-8")
    git(team, "init", "-q", "-b", "main")
    git(team, "config", "user.email", "t@example.com")
    git(team, "config", "user.name", "T")
    git(team, "add", "-A")
    git(team, "commit", "-qm", "accounts")
    git(team, "tag", "last-review")
    account = healthy_account()
    account["contacts"][2]["left_on"] = "2026-09-01"
    write_account(team / "accounts", account)

    where = run([sys.executable, "-c", "import kam_review; print(kam_review.__file__)"], team,
                installed)
    assert where.stdout.startswith(str(installed)), where.stdout

    build = run([sys.executable, "-m", "mkdocs", "build", "--strict"], team, installed)
    assert build.returncode == 0, build.stderr
    site = team / "public"
    for page in ("index.html", "accounts/hanhai-retail/index.html",
                 "accounts/test-account/index.html", "rules/index.html", "about/index.html",
                 "assets/kam-review.css", "assets/kam-review.js"):
        assert (site / page).is_file(), page
    account_page = (site / "accounts/test-account/index.html").read_text(encoding="utf-8")
    # The team's threshold applies: a visit 20 days ago is complacent by its standard.
    assert "risk.complacency" in account_page
    changes = (site / "changes/index.html").read_text(encoding="utf-8")
    assert "A key person changed &#91;Chen Jun&#93;" in changes
    assert "Changes since the last review" in account_page

    check = run([sys.executable, "-m", "kam_review", "check", "--as-of", "2026-09-30",
                 "--thresholds", "team-thresholds.yaml"], team, installed)
    assert check.returncode == 0, check.stderr
    assert "risk.complacency" in check.stdout
