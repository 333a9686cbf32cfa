"""The sample site's configuration pointed at another folder of accounts, for tests that
build a site of their own accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .conftest import REPO


def sample_site_config(folder: Path, accounts: Path, strict: bool = True,
                       **options: Any) -> Path:
    """mkdocs.yml in folder: the sample site reviewing `accounts`, with the plugin's options."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / "site" / "docs")
    config["theme"]["custom_dir"] = str(REPO / "site" / "overrides")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "kam-review" in plugin:
            plugin["kam-review"].update(accounts=str(accounts), rules=str(REPO / "rules"),
                                        rates=str(REPO / "site" / "rates.yaml"), **options)
    config["strict"] = strict
    path = folder / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path
