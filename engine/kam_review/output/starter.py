"""`kam init`: a team's accounts repository to start from.

It holds one example account (as `kam new` writes it), a copy of the bundled rules with their
tests (a rules/ folder replaces the bundled rules, so a team that keeps its own keeps them
all) and the team's own example rule and its tests, a thresholds override, the site's
mkdocs.yml, the pre-commit hook and CI workflows for GitHub Actions and GitLab CI. No
existing file is ever replaced: when any file it would write is there, it writes nothing.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from kam_review.errors import KamError
from kam_review.output.output_folder import WriteRefused
from kam_review.output.scaffold import TEAM_SCHEMA, new_account
from kam_review.paths import shown
from kam_review.resources import bundled_rules_folder
from kam_review.source.accounts import SCHEMA_FILE

_FILES = Path(__file__).with_name("starter_files")
# Each starter file by where it goes in the new repository.
STARTER = {
    "mkdocs.yml": "mkdocs.yml",
    "docs/about.md": "about.md",
    "team-thresholds.yaml": "team-thresholds.yaml",
    "rules/team.yaml": "team-rule.yaml",
    "rules/tests/team.yaml": "team-rule-tests.yaml",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/kam.yml": "github-workflow.yml",
    ".gitlab-ci.yml": "gitlab-ci.yml",
    ".gitignore": "gitignore",
}
EXAMPLE_ACCOUNT = "example-account"


def planned_files(target: Path) -> dict[Path, bytes | None]:
    """What `kam init` writes, by path: the bytes, or None for the example account (written
    by `kam new`'s template)."""
    bundled = bundled_rules_folder()
    planned: dict[Path, bytes | None] = {}
    for path in sorted(bundled.rglob("*.yaml")):
        planned[target / "rules" / path.relative_to(bundled)] = path.read_bytes()
    for where, name in STARTER.items():
        planned[target / where] = (_FILES / name).read_bytes()
    # The schema editors check account files against, committed with them: `kam new` names
    # it relative to the file, which works on every machine that clones the repository.
    planned[target / TEAM_SCHEMA] = SCHEMA_FILE.read_bytes()
    planned[target / "accounts" / f"{EXAMPLE_ACCOUNT}.yaml"] = None
    return planned


def init_repository(target: Path, today: date) -> list[Path]:
    """Write the starter repository into `target` (created if missing); the paths written."""
    planned = planned_files(target)
    there = [path for path in planned if os.path.lexists(path)]
    if there:
        listed = ", ".join(shown(path) for path in there[:5])
        more = f" and {len(there) - 5} more" if len(there) > 5 else ""
        raise KamError(f"refusing to initialise {shown(target)}: {listed}{more} already "
                       "exist; kam init never replaces a file (run it in a new folder)")
    written = []
    for path, content in planned.items():
        if content is None:
            written.append(new_account(EXAMPLE_ACCOUNT, path.parent, today))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as stream:
                stream.write(content)
        except FileExistsError:
            raise WriteRefused(f"refusing to write {shown(path)}: it appeared while kam init "
                               "ran; it is never replaced") from None
        written.append(path)
    return written
