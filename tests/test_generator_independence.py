"""Pages independent of the site generator: `kam build DIR` writes exactly the files the MkDocs
plugin hands MkDocs (website/site_files.py), and plain MkDocs with its own `mkdocs` theme (no
Material, no kam-review plugin) builds every page of that folder, strict-clean."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from logging.handlers import BufferingHandler
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.structure.files import get_files

from kam_review.review.previous import Since
from kam_review.review.results import Result
from kam_review.review.since import review_since
from kam_review.website.site_files import DEFAULTS, SCRIPTS, STYLESHEETS

from .conftest import ACCOUNTS, AS_OF, REPO, RULES
from .html_tree import parse

# What the root mkdocs.yml gives the plugin besides the review date.
SAMPLE_OPTIONS = ("--as-of", str(AS_OF), "--currency", "CNY", "--rates", "site/rates.yaml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kam build` of the sample portfolio, as the sample site reviews it."""
    folder = tmp_path_factory.mktemp("kam-build") / "out"
    run = subprocess.run([sys.executable, "-m", "kam_review", "build", str(folder),
                          *SAMPLE_OPTIONS], cwd=REPO, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    return folder


def _written(folder: Path) -> dict[str, bytes]:
    # The hidden marker says the folder is kam-review's; no generator publishes it.
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


@pytest.fixture(scope="module")
def sample() -> Result:
    result, _movement = review_since(ACCOUNTS, RULES, AS_OF, None, Since())
    return result


@pytest.fixture(scope="module")
def handed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, bytes]]]:
    """The files of the sample site once the plugins have added theirs (MkDocs' own build, up
    to on_files): each one's source (the plugin, or the folder it came from) and bytes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KAM_AS_OF", raising=False)
        # The plugin dates the build with this variable: put back as it was afterwards.
        patch.setenv("SOURCE_DATE_EPOCH", "0")
        site_dir = tmp_path_factory.mktemp("site") / "site"
        config = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir=str(site_dir))
        config.plugins.on_startup(command="build", dirty=False)
        config = config.plugins.on_config(config)
        files = get_files(config)
        files.add_files_from_theme(config.theme.get_env(), config)
        files = config.plugins.on_files(files, config=config)
        yield {f.src_uri: (f.generated_by or str(Path(f.abs_src_path or "").parent),
                           f.content_bytes) for f in files}
        config.plugins.on_shutdown()


def test_kam_build_writes_what_the_plugin_hands_mkdocs(
        built: Path, handed: dict[str, tuple[str, bytes]]) -> None:
    written = _written(built)
    generated = {uri for uri, (source, _bytes) in handed.items() if source == "kam-review"}
    # Every file the plugin generates, and nothing else but the guide and the assets, which
    # the sample site has of its own (site/docs, site/overrides): the same files.
    assert generated == set(written) - set(DEFAULTS)
    assert {uri: handed[uri][1] for uri in written} == written
    assert {"own-rules.md", *STYLESHEETS, *SCRIPTS} <= set(written)
    assert {"index.md", "risks.md", "funnel.md", "risks.csv", "actions.csv"} <= generated


def test_the_plugin_generates_the_guide_and_assets_a_site_lacks(
        tmp_path: Path, built: Path) -> None:
    """A team's own site, without the guide or the theme folder: the plugin hands MkDocs the
    guide and the assets `kam build` writes, and MkDocs copies them as they are."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_bytes((REPO / "site/docs/guide.md").read_bytes())
    del config["theme"]["custom_dir"]
    config.update(docs_dir=str(docs), site_dir=str(tmp_path / "site"))
    plugin = config["plugins"][1]["kam-review"]
    plugin.update(accounts=str(ACCOUNTS), rules=str(RULES),
                  rates=str(REPO / "site/rates.yaml"))
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("KAM_AS_OF", raising=False)
        build(load_config(config_file=str(config_file)))
    site = tmp_path / "site"
    for asset in (*STYLESHEETS, *SCRIPTS):
        assert (site / asset).read_bytes() == (built / asset).read_bytes(), asset
    assert (site / "own-rules/index.html").is_file()


@pytest.fixture(scope="module")
def plain_site(built: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[Path, list[logging.LogRecord]]]:
    """The `kam build` folder built by plain MkDocs: its own theme, only the Markdown
    extensions the pages use (those of the root mkdocs.yml), the pages' stylesheet and
    scripts, and no plugin but MkDocs' own search."""
    folder = tmp_path_factory.mktemp("plain")
    config_file = folder / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump({
        "site_name": "Key account review", "docs_dir": str(built),
        # Not strict, so that a warning is listed by the test rather than ending the build.
        "site_dir": str(folder / "site"), "strict": False, "theme": {"name": "mkdocs"},
        "markdown_extensions": ["tables", "attr_list", "md_in_html",
                                {"toc": {"permalink": True}}],
        "extra_css": list(STYLESHEETS), "extra_javascript": list(SCRIPTS)}), encoding="utf-8")
    # Every warning the build logs, kept (the buffer is never full, so never flushed).
    handler = BufferingHandler(capacity=1_000_000)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SOURCE_DATE_EPOCH", "0")
            build(load_config(config_file=str(config_file)))
    finally:
        logger.removeHandler(handler)
    yield folder / "site", handler.buffer


def _text(path: Path) -> str:
    return parse(path.read_text(encoding="utf-8")).text()


def test_plain_mkdocs_builds_every_page_strict_clean(
        plain_site: tuple[Path, list[logging.LogRecord]], sample: Result) -> None:
    site, records = plain_site
    # No warning at all, so strict-clean: the pages need nothing of Material nor of the
    # plugin to build.
    assert [record.getMessage() for record in records] == []
    assert (site / "index.html").is_file()
    for page in ("risks", "funnel", "changes", "owners", "rules", "own-rules"):
        assert (site / page / "index.html").is_file(), page
    for item in sample.accounts:
        assert (site / "accounts" / item.account.id / "index.html").is_file(), item.account.id
    assert (site / "risks.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (site / "assets/kam-review.css").is_file()


def test_plain_mkdocs_pages_say_what_the_review_found(
        plain_site: tuple[Path, list[logging.LogRecord]], sample: Result) -> None:
    site, _records = plain_site
    overview, risks = _text(site / "index.html"), _text(site / "risks/index.html")
    funnel = _text(site / "funnel/index.html")
    assert "Portfolio review as of Sep 30, 2026" in overview
    for item in sample.accounts:
        page = _text(site / "accounts" / item.account.id / "index.html")
        assert item.account.name in page and item.account.name in overview
        for finding in item.findings:
            assert sample.rulebook.rule(finding.rule).title in page, finding.rule
        if item.verdict is not None:
            assert f"Verdict: {item.verdict.health.shown}" in page
        for opportunity in item.account.opportunities:
            assert opportunity.name in funnel, opportunity.name
    for finding, account in sample.warnings():
        assert sample.rulebook.rule(finding.rule).title in risks
        assert account.name in risks
