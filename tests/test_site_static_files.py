"""Files of the docs folder that MkDocs copies as they are: an HTML file gets a policy that runs
no script, before anything it says; an SVG or XML file that could run code fails the build
with its name. tests/corpus/site holds the hostile files, each stating on its first line the
reason it is refused (`<!-- expect: ... -->`, left out of the file as the site gets it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kam_review.website.csp import ROBOTS, active_content, header, policy, protect_static

from .conftest import AS_OF, REPO

CORPUS = Path(__file__).with_name("corpus") / "site"
CASES = sorted(CORPUS.iterdir())
STATIC_POLICY = (f'<meta http-equiv="Content-Security-Policy" '
                 f'content="{policy([], scripts=False)}">{ROBOTS}')


def _case(path: Path) -> tuple[str, str]:
    """The expected reason and the file's text as the docs folder holds it."""
    first, rest = path.read_text(encoding="utf-8").split("\n", 1)
    assert first.startswith("<!-- expect: it holds ") and first.endswith(" -->"), path
    return first.removeprefix("<!-- expect: it holds ").removesuffix(" -->"), rest


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_each_hostile_document_is_found_out(path: Path) -> None:
    expected, text = _case(path)
    assert active_content(text) == expected


@pytest.mark.parametrize("text", [
    '<svg xmlns="http://www.w3.org/2000/svg"><text y="9" font-family="Consolas">Revenue on '
    'track, version 1.0</text><a href="risks/"><rect width="4" height="4"/></a></svg>',
    '<?xml version="1.0" encoding="utf-8"?>\n<urlset><url><loc>https://x/</loc></url></urlset>',
    '<svg xmlns="http://www.w3.org/2000/svg"><desc>the script of the meeting</desc></svg>',
])
def test_plain_documents_pass(text: str) -> None:
    assert active_content(text) is None


def test_the_policy_of_a_static_page_comes_before_anything_it_says() -> None:
    """After the doctype, else first: a `<head>` further on may sit in a comment (after a
    script), where a policy put after it would do nothing."""
    hidden = "<script>alert(1)</script><!-- <head> -->"
    assert protect_static(hidden).startswith(STATIC_POLICY + hidden[:8])
    page = "<!DOCTYPE html>\n<html><head><title>x</title></head><script>x()</script></html>"
    protected = protect_static(page)
    assert protected.startswith("<!DOCTYPE html>" + STATIC_POLICY)
    assert protected.replace(STATIC_POLICY, "", 1) == page
    assert "script-src 'none'" in STATIC_POLICY


def test_the_header_is_the_pages_policy_with_frame_ancestors() -> None:
    assert header(["sha256-x"]) == policy(["sha256-x"]) + "; frame-ancestors 'none'"


def _site(root: Path) -> Path:
    """A copy of the repository's site sources, the sample accounts and rules."""
    for folder in ("accounts", "rules", "site"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root / "site" / "docs"


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KAM_BASE"} | {"KAM_AS_OF": str(AS_OF)}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, env=env,
                          capture_output=True, text=True, check=False)


def test_a_static_html_file_gets_the_policy_and_svg_passes(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    evil = "<p>hi</p><script>alert(1)</script>\n"
    (docs / "evil.html").write_text(evil, encoding="utf-8")
    (docs / "nested").mkdir()
    (docs / "nested" / "Evil.HTM").write_text(evil, encoding="utf-8")
    chart = '<svg xmlns="http://www.w3.org/2000/svg"><text y="9">plain</text></svg>\n'
    (docs / "chart.svg").write_text(chart, encoding="utf-8")
    run = _build(tmp_path)
    assert run.returncode == 0, run.stderr
    site = tmp_path / "build" / "site"
    for name in ("evil.html", "nested/Evil.HTM"):
        built = (site / name).read_text(encoding="utf-8")
        assert built.startswith(STATIC_POLICY), name
        assert built.endswith(evil)
    assert (site / "chart.svg").read_text(encoding="utf-8") == chart
    assert "the HTTP header the site's host should send: Content-Security-Policy: " \
           "default-src 'self'; script-src 'self' 'sha256-" in run.stderr


def test_documents_that_could_run_code_fail_the_build_each_named(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    (docs / "hostile").mkdir()
    for path in CASES:
        (docs / "hostile" / path.name).write_text(_case(path)[1], encoding="utf-8")
    (docs / "hostile" / "utf-16.svg").write_bytes("<svg/>".encode("utf-16"))
    (docs / "hostile" / "packed.svgz").write_bytes(b"\x1f\x8b")
    run = _build(tmp_path)
    assert run.returncode == 1
    assert "kam-review: refusing to publish files that could run code in the browser" \
        in run.stderr
    for path in CASES:
        assert f"  hostile/{path.name}: it holds {_case(path)[0]}\n" in run.stderr, path.name
    assert "hostile/utf-16.svg: it is not UTF-8 text, so it cannot be checked" in run.stderr
    assert "hostile/packed.svgz: it holds compressed SVG, which cannot be checked" in run.stderr
    assert not (tmp_path / "build" / "site" / "hostile").exists()
