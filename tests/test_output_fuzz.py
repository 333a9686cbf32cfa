"""Property: whatever page map and destination the page writer is given (`..`, absolute paths,
odd Unicode, NUL, names too long), it writes nothing outside its output folder and raises
nothing but KamError; what it accepts, it writes exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kam_review.errors import KamError
from kam_review.output.output_folder import MARKER
from kam_review.website.pages import write_pages

from .test_output_safety import snapshot

_PARTS = st.one_of(
    st.sampled_from(["..", ".", "", "accounts", "index.md", "a.md", "..\\..\\x.md", "C:",
                     ".hidden.md", MARKER, "~", "é.md", "\u202eevil.md", "x" * 300, " ",
                     "\ud800.md", "a\0b.md", "line\nbreak.md", "/"]),
    st.text(min_size=1, max_size=12),
)
_NAMES = st.one_of(
    st.lists(_PARTS, min_size=1, max_size=4).map("/".join),
    st.sampled_from(["/etc/passwd", "//x.md", "/{root}/victim.md", "{root}/victim.md",
                     "../victim.md", "../../victim.md", "out/../../victim.md"]),
    st.text(max_size=20),
)
# Names a page may well have: visible, any script, no separator.
_PLAIN = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/\\."),
                 min_size=1, max_size=10)
_PLAIN_NAMES = st.lists(_PLAIN, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".md")
_PAGES = st.one_of(
    st.dictionaries(_NAMES, st.text(max_size=30), max_size=6),
    st.dictionaries(_PLAIN_NAMES, st.text(max_size=30), min_size=1, max_size=6),
)
_FOLDERS = st.sampled_from(["out", "out", "out", "out/", "out/nested", "sibling", "..", ".",
                            "out\0x", "{root}", "{root}/sandbox/out"])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "sandbox" / "sibling").mkdir(parents=True)
    (root / "sandbox" / "sibling" / "keep.md").write_text("keep\n", encoding="utf-8")
    return root


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages=_PAGES, folder=_FOLDERS)
def test_the_page_writer_stays_in_its_folder(sandbox: Path, pages: dict[str, str], folder: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    work = sandbox / "sandbox"
    monkeypatch.chdir(work)
    pages = {name.replace("{root}", str(sandbox)): text for name, text in pages.items()}
    target = Path(folder.replace("{root}", str(sandbox)))
    outside = {k: v for k, v in snapshot(sandbox).items() if not k.startswith("sandbox/out")}
    try:
        write_pages(pages, target)
    except KamError as error:
        event(f"refused: {error.message.partition(': ')[2][:40]}")
        written = None
    else:
        event("written")
        written = target
    # Nothing outside the output folder changed, and nothing was left beside it.
    assert {k: v for k, v in snapshot(sandbox).items()
            if not k.startswith("sandbox/out")} == outside
    if written is not None:
        files = {str(p.relative_to(written)): p.read_bytes().decode("utf-8")
                 for p in written.rglob("*") if p.is_file()}
        assert files == pages | {MARKER: files[MARKER]}
    shutil.rmtree(work / "out", ignore_errors=True)
