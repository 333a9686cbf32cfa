"""Where the files that ship with kam-review are: in the installed package, or in a checkout."""

from __future__ import annotations

from pathlib import Path

from kam_review.paths import real

_PACKAGE = Path(__file__).parent
_CHECKOUT = _PACKAGE.parents[1]


def bundled(name_in_package: str, path_in_checkout: str) -> Path:
    """A bundled folder: inside an installed wheel it sits in the package; in a checkout (and
    an editable install) it is the repository's own folder."""
    installed = _PACKAGE / name_in_package
    return installed if installed.is_dir() else _CHECKOUT / path_in_checkout


def bundled_rules_folder() -> Path:
    return bundled("rules", "rules")


def is_installed_rules(folder: Path) -> bool:
    """Whether `folder` is the rules folder installed inside the package (a wheel): rules that
    are what this version of kam-review ships. A checkout's rules/ is a folder in git."""
    installed = _PACKAGE / "rules"
    return installed.is_dir() and real(folder) == real(installed)


def default_rules_folder(root: Path) -> Path:
    """The rules a portfolio is reviewed with when none are named: its own `rules/` folder
    beside it, else the bundled ones."""
    local = root / "rules"
    return local if local.is_dir() else bundled_rules_folder()


def bundled_guide(name: str) -> Path:
    """A page of the site's own docs that every site gets (the rule-writing guide)."""
    return bundled("guides", "site/docs") / name


def bundled_overrides_folder() -> Path:
    return bundled("overrides", "site/overrides")
