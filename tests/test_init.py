"""`kam init`: the starter repository passes `kam check`, `kam rules test` and builds with
MkDocs; it never replaces a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.source.template_texts import TEMPLATE_TEXTS

from .conftest import RULES


def _kam(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kam_review", *args], cwd=folder,
                          capture_output=True, text=True, check=False)


def test_the_starter_repository_checks_tests_and_builds(tmp_path: Path) -> None:
    team = tmp_path / "team"
    run = CliRunner().invoke(main, ["init", str(team)])
    assert run.exit_code == 0, run.output
    for name in ("accounts/example-account.yaml", "rules/team.yaml", "rules/tests/team.yaml",
                 "rules/risks.yaml", "rules/tests/fixtures/healthy-account.yaml",
                 "team-thresholds.yaml", "mkdocs.yml", "docs/about.md",
                 ".pre-commit-config.yaml", ".github/workflows/kam.yml", ".gitlab-ci.yml"):
        assert (team / name).is_file(), name
    # The bundled rules, copied as they are.
    assert (team / "rules" / "risks.yaml").read_bytes() == (RULES / "risks.yaml").read_bytes()
    for name in (".github/workflows/kam.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml"):
        assert yaml.safe_load((team / name).read_text(encoding="utf-8")), name
    check = _kam(team, "check", "--thresholds", "team-thresholds.yaml")
    assert check.returncode == 0, check.stderr
    assert "example-account: Example Account" in check.stdout
    tests = _kam(team, "rules", "test", "rules", "--require-coverage")
    assert tests.returncode == 0, tests.stdout
    assert "ok   stage.big-deal-long-shot: 4 of 4 checks passed (1 firing, 2 silent)" \
        in tests.stdout
    lint = _kam(team, "rules", "lint")
    assert lint.returncode == 0, lint.stderr
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=team,
                           capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    assert (team / "public" / "about" / "index.html").is_file()
    # The guide the rule catalogue links to comes with the plugin.
    assert "Writing your own rule" in (team / "public" / "own-rules" / "index.html").read_text(
        encoding="utf-8")
    assert "big-deal-long-shot" in (team / "public" / "rules" / "index.html").read_text(
        encoding="utf-8")


def test_init_never_replaces_a_file(tmp_path: Path) -> None:
    team = tmp_path / "team"
    (team / "rules").mkdir(parents=True)
    (team / "mkdocs.yml").write_text("site_name: ours\n", encoding="utf-8")
    (team / "rules" / "team.yaml").write_text("kind: risk\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["init", str(team)])
    assert run.exit_code == 2
    assert f"refusing to initialise {team}: {team}/mkdocs.yml, {team}/rules/team.yaml " \
           "already exist" in run.output
    assert (team / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: ours\n"
    assert not (team / "accounts").exists()
    assert sorted(p.name for p in team.rglob("*")) == ["mkdocs.yml", "rules", "team.yaml"]


def test_init_writes_the_example_account_around_the_review_date_given(tmp_path: Path) -> None:
    team = tmp_path / "team"
    run = CliRunner().invoke(main, ["init", str(team), "--as-of", "2026-09-30"])
    assert run.exit_code == 0, run.output
    assert "account.schema.json (for editors)" in run.output
    example = (team / "accounts" / "example-account.yaml").read_text(encoding="utf-8")
    assert "customer_since: 2026-09-30" in example
    check = _kam(team, "check", "--as-of", "2026-09-30", "--rules", str(team / "rules"))
    assert check.returncode in (0, 1), check.stderr  # findings, but no input error


def test_an_account_kam_new_wrote_and_nobody_filled_in_says_so(tmp_path: Path) -> None:
    new = _kam(tmp_path, "new", "acme-industries", "--accounts", "accounts")
    assert new.returncode == 0, new.stderr
    check = _kam(tmp_path, "check", "--accounts", "accounts")
    assert ("MEDIUM data.template-text: the account template's placeholder is still in 6 "
            "fields: owner, team, contacts[0].name, contacts[0].title, plan.summary, "
            "plan.actions[0].owner") in check.stdout, check.stdout


def test_every_placeholder_the_review_knows_is_in_the_template() -> None:
    template = (Path(__file__).parents[1] / "engine" / "kam_review" / "output"
                / "account-template.yaml").read_text(encoding="utf-8")
    for text in TEMPLATE_TEXTS:
        assert text in template, text
