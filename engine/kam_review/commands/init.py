"""`kam init`: a team's accounts repository to start from (output/starter.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.output.starter import init_repository
from kam_review.paths import shown


def init(folder: Path, as_of: date) -> None:
    written = init_repository(folder, as_of)
    common.echo(f"wrote {len(written)} files into {shown(folder)}/: accounts/, rules/ (the "
                "bundled rules, your own in rules/team.yaml, rule tests in rules/tests/), "
                "team-thresholds.yaml, mkdocs.yml, account.schema.json (for editors), "
                ".pre-commit-config.yaml, "
                ".github/workflows/kam.yml, .gitlab-ci.yml\n"
                "next: kam check --thresholds team-thresholds.yaml; kam rules test rules; "
                "mkdocs serve\n")
