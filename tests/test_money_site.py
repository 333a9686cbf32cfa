"""The site's options for figures: the locale (the theme's language unless `locale` says
otherwise), the default currency and the rates file, each checked when the build starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, healthy_account, write_account

MKDOCS_YML = """\
site_name: Review
site_dir: public
theme:
  name: material
  font: false
  language: {language}
plugins:
  - kam-review:
      as_of: "2026-09-30"
      rules: {rules}
{options}
validation:
  nav:
    omitted_files: ignore
"""


def _build(tmp_path: Path, language: str = "en", **options: str
           ) -> subprocess.CompletedProcess[str]:
    (tmp_path / "accounts").mkdir(exist_ok=True)
    (tmp_path / "docs").mkdir(exist_ok=True)
    account = healthy_account()
    del account["currency"]
    write_account(tmp_path / "accounts", account)
    lines = "\n".join(f"      {key}: {value}" for key, value in options.items())
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML.format(
        language=language, rules=REPO / "rules", options=lines), encoding="utf-8")
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=False)


def _page(tmp_path: Path, name: str) -> str:
    return (tmp_path / "public" / name).read_text(encoding="utf-8")


def test_the_themes_language_writes_the_figures(tmp_path: Path) -> None:
    (tmp_path / "rates.yaml").write_text("base: CNY\ndate: 2026-09-30\nrates: {USD: 7.1}\n",
                                         encoding="utf-8")
    run = _build(tmp_path, "zh", currency="CNY", rates="rates.yaml")
    assert run.returncode == 0, run.stderr
    overview = _page(tmp_path, "index.html")
    assert "2026年9月30日" in overview and "¥425万" in overview
    # The rates' date is written as the locale writes dates, and the note in the site's
    # language.
    assert "按2026年9月30日的汇率换算（1 USD = 7.1 CNY，取自rates.yaml）" in _page(
        tmp_path, "funnel/index.html")


def test_the_locale_option_overrides_the_theme(tmp_path: Path) -> None:
    run = _build(tmp_path, "zh", locale="en", currency="HKD")
    assert run.returncode == 0, run.stderr
    page = _page(tmp_path, "accounts/test-account/index.html")
    assert "HK$4.25M" in page and "Sep 30, 2026" in page


@pytest.mark.parametrize(("options", "expected"), [
    ({"locale": "xx"}, "kam-review: 'xx' is not a locale kam-review can write figures in"),
    ({"currency": "RMB"}, "kam-review: 'RMB' is not an ISO 4217 currency code"),
    ({"rates": "missing.yaml"}, "missing.yaml:1:1: cannot read the file"),
])
def test_a_bad_option_stops_the_build_with_its_reason(tmp_path: Path, options: dict[str, str],
                                                      expected: str) -> None:
    run = _build(tmp_path, **options)
    assert run.returncode != 0
    assert expected in run.stderr
    assert "Traceback" not in run.stderr
