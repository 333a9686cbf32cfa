"""`kam serve`'s rebuild (website/incremental.py): after an edit, the site folder equals a clean
`mkdocs build` of the edited files, byte for byte; an edited account file is rebuilt on its
own, anything else is a full build."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from kam_review.review.fast_check import worker_count
from kam_review.website import page_helper
from kam_review.website.incremental import LiveSite

from .conftest import REPO
from .test_page_html import _generate


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _clean(config_file: Path, site_dir: Path) -> dict[str, bytes]:
    build(load_config(config_file=str(config_file), site_dir=str(site_dir)))
    return _tree(site_dir)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample's accounts and rules beside a mkdocs.yml that reviews them."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    for folder in ("accounts", "rules"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config["docs_dir"] = str(REPO / "site" / "docs")
    config["theme"]["custom_dir"] = str(REPO / "site" / "overrides")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "kam-review" in plugin:
            plugin["kam-review"].update(accounts=str(tmp_path / "accounts"),
                                        rules=str(tmp_path / "rules"),
                                        rates=str(REPO / "site" / "rates.yaml"))
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _figure(accounts: Path) -> list[Path]:
    path = accounts / "hanhai-retail.yaml"
    _edit(path, "revenue: 2260000", "revenue: 2860000")
    return [path]


def _contact(accounts: Path) -> list[Path]:
    path = accounts / "hanhai-retail.yaml"
    _edit(path, "contacts:\n", "contacts:\n  - name: Gao Yan\n    title: Store Operations Manager\n"
          "    level: manager\n    roles: [user]\n    last_contact: 2026-09-20\n")
    return [path]


def _stage(accounts: Path) -> list[Path]:
    path = accounts / "hanhai-retail.yaml"
    _edit(path, "    stage: negotiation\n    stage_since: 2026-08-15",
          "    stage: closed\n    stage_since: 2026-09-25")
    return [path]


def _two_files(accounts: Path) -> list[Path]:
    return [*_figure(accounts), *_name(accounts)]


def _name(accounts: Path) -> list[Path]:
    path = accounts / "jiahe-home.yaml"
    _edit(path, "name: ", "name: Neo ")
    return [path]


@pytest.mark.parametrize("edit", [_figure, _contact, _stage, _two_files],
                         ids=["figure", "contact", "stage", "two-files"])
def test_an_edited_account_is_rebuilt_as_a_clean_build_makes_it(
        project: Path, edit: Callable[[Path], list[Path]]) -> None:
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    before = _tree(project / "live")
    changed = edit(project / "accounts")
    site.rebuild(changed)
    assert (site.full_builds, site.incremental_builds) == (1, 1)
    after = _tree(project / "live")
    assert after == _clean(project / "mkdocs.yml", project / "clean")
    moved = {name for name in after if after[name] != before.get(name)}
    assert "search/search_index.json" in moved
    assert not any(name.startswith("accounts/") and "hanhai-retail" not in name
                   and "jiahe-home" not in name for name in moved)


def test_a_renamed_account_file_is_a_full_build(project: Path) -> None:
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    accounts = project / "accounts"
    (accounts / "jiahe-home.yaml").rename(accounts / "jiahe-home-group.yaml")
    _edit(accounts / "jiahe-home-group.yaml", "id: jiahe-home", "id: jiahe-home-group")
    site.rebuild([accounts / "jiahe-home.yaml", accounts / "jiahe-home-group.yaml"])
    assert (site.full_builds, site.incremental_builds) == (2, 0)
    after = _tree(project / "live")
    assert "accounts/jiahe-home-group/index.html" in after
    assert "accounts/jiahe-home/index.html" not in after
    assert after == _clean(project / "mkdocs.yml", project / "clean")


def test_a_changed_rule_is_a_full_build(project: Path) -> None:
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    rule_file = sorted((project / "rules").glob("*.yaml"))[0]
    rule_file.write_text(rule_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    site.rebuild([rule_file])
    assert (site.full_builds, site.incremental_builds) == (2, 0)
    # An account edited next is rebuilt on its own again, on the new build's state.
    site.rebuild(_figure(project / "accounts"))
    assert (site.full_builds, site.incremental_builds) == (2, 1)
    assert _tree(project / "live") == _clean(project / "mkdocs.yml", project / "clean")


def test_an_account_file_with_an_error_is_a_full_build(project: Path) -> None:
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    path = project / "accounts" / "hanhai-retail.yaml"
    _edit(path, "revenue: 2260000", "revenue: lots")
    with pytest.raises(SystemExit):  # strict: the file's error is a warning, which aborts
        site.rebuild([path])
    assert site.incremental_builds == 0


def test_a_file_the_review_does_not_read_changes_nothing(project: Path) -> None:
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    before = _tree(project / "live")
    swap = project / "accounts" / ".hanhai-retail.yaml.swp"
    swap.write_bytes(b"\0editor state")
    site.rebuild([swap])
    assert (site.full_builds, site.incremental_builds) == (1, 1)
    assert _tree(project / "live") == before



def _clean_apart(config_file: Path, site_dir: Path) -> dict[str, bytes]:
    """A clean build in a process of its own: MkDocs keeps one instance of a plugin with
    startup hooks per process (search, kam-review), which a build in this one would configure
    anew under the live site."""
    shutil.rmtree(site_dir, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file), "-d",
                    str(site_dir)], check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(
                        sys.path)})
    return _tree(site_dir)


def _raise_last_revenue(path: Path, to: Callable[[int], int]) -> None:
    text = path.read_text(encoding="utf-8")
    last = list(re.finditer(r"^(\s*revenue: )(\d+)$", text, re.M))[-1]
    path.write_text(f"{text[:last.start(2)]}{to(int(last.group(2)))}{text[last.end(2):]}",
                    encoding="utf-8")


def _generated_edits(accounts: Path) -> Iterator[list[Path]]:
    """Edits of different kinds, made one at a time: a figure raised a little, a figure that
    collapses (the account's findings and class move), an account renamed (the portfolio
    pages' order moves), and two files at once."""
    first, second, third = (accounts / f"acct-{n:06d}.yaml" for n in (3, 17, 42))
    _raise_last_revenue(first, lambda figure: figure + 1_000)
    yield [first]
    _raise_last_revenue(second, lambda figure: 1)
    yield [second]
    _edit(third, "\nname: ", "\nname: Aardvark ")
    yield [third]
    _raise_last_revenue(first, lambda figure: figure * 3)
    _edit(second, "\nname: ", "\nname: Zeta ")
    yield [first, second]


def test_edits_of_a_generated_portfolio_are_rebuilt_as_a_clean_build_makes_them(
        project: Path) -> None:
    """At 60 generated accounts, after each of several edits in turn, the kept site equals a
    clean build, and among the account pages only the edited accounts' moved."""
    accounts = project / "accounts"
    shutil.rmtree(accounts)
    _generate(accounts, 60, 5)
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    before = _tree(project / "live")
    for count, changed in enumerate(_generated_edits(accounts), start=1):
        site.rebuild(changed)
        assert (site.full_builds, site.incremental_builds) == (1, count)
        after = _tree(project / "live")
        assert after == _clean_apart(project / "mkdocs.yml", project / "clean")
        # The pages were shared with the helper process, where there are cores for it.
        assert site.helped >= count if worker_count() > 1 else site.helped == 0
        edited = {f"accounts/{path.stem}/" for path in changed}
        assert {name for name in after if name.startswith("accounts/")
                and after[name] != before.get(name)} <= {
                    name for name in after if name.startswith(tuple(edited))}
        before = after


def _remove_a_contact(accounts: Path) -> Path:
    """Remove, from the first account file that has one, a contact nothing else names."""
    for path in sorted(accounts.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        section = re.search(r"^contacts:\n((?:[- ] .*\n)+)", text, re.M)
        assert section is not None
        for contact in re.finditer(r"^- name: (.*)\n(?:  .*\n)*", section.group(1), re.M):
            if text.count(contact.group(1)) == 1:
                start = section.start(1) + contact.start()
                path.write_text(text[:start] + text[section.start(1) + contact.end():],
                                encoding="utf-8")
                return path
    raise AssertionError("no contact to remove")


def _mixed_edits(project: Path) -> Iterator[tuple[list[Path], bool]]:
    """Edits of other kinds, one at a time, each with whether it is rebuilt on its own: a
    contact removed, an account added, an account deleted, a rule threshold changed (every
    account evaluated again), then a figure again after those full builds."""
    accounts = project / "accounts"
    first, second = _remove_a_contact(accounts), accounts / "acct-000023.yaml"
    yield [first], True
    added = accounts / "acct-000900.yaml"
    added.write_text(second.read_text(encoding="utf-8").replace(
        "id: acct-000023", "id: acct-000900").replace("\nname: ", "\nname: Added "),
        encoding="utf-8")
    yield [added], False
    second.unlink()
    yield [second], False
    thresholds = project / "rules" / "thresholds.yaml"
    _edit(thresholds, "    value: 0.1\n", "    value: 0.3\n")
    yield [thresholds], False
    _raise_last_revenue(first, lambda figure: figure // 2)
    yield [first], True


def test_edits_of_other_kinds_are_rebuilt_as_a_clean_build_makes_them(project: Path) -> None:
    """At 60 generated accounts, a removed contact is rebuilt on its own, an account added or
    deleted and a changed threshold are full builds, and after each the site equals a clean
    build; so does the rebuild of a figure after them (nothing kept from before them)."""
    accounts = project / "accounts"
    shutil.rmtree(accounts)
    _generate(accounts, 60, 5)
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    for changed, alone in _mixed_edits(project):
        counts = (site.full_builds, site.incremental_builds)
        site.rebuild(changed)
        assert (site.full_builds, site.incremental_builds) == (
            (counts[0], counts[1] + 1) if alone else (counts[0] + 1, counts[1]))
        assert _tree(project / "live") == _clean_apart(project / "mkdocs.yml",
                                                       project / "clean")


def _helper_gone(*args: object) -> None:
    os._exit(0)


def _cannot_keep_names(names: object) -> int:
    raise RuntimeError("the helper fails on every page")


@pytest.mark.skipif(worker_count() < 2, reason="the helper is forked only with two cores")
@pytest.mark.parametrize("failure", [("_serve", _helper_gone),
                                     ("keep_whole", _cannot_keep_names)],
                         ids=["helper-gone", "helper-fails"])
def test_pages_the_helper_does_not_convert_are_converted_by_the_rebuild(
        project: Path, monkeypatch: pytest.MonkeyPatch, failure: tuple[str, object]) -> None:
    """A helper process that is gone, or that fails on each page, costs the rebuild nothing
    but time: the pages are converted in the rebuild's own process, and the site equals a
    clean build. (The helper is forked from the build: what is patched here is what it runs.)"""
    monkeypatch.setattr(page_helper, *failure)
    site = LiveSite(project / "mkdocs.yml", project / "live")
    site.build()
    site.rebuild(_figure(project / "accounts"))
    assert (site.full_builds, site.incremental_builds, site.helped) == (1, 1, 0)
    assert _tree(project / "live") == _clean_apart(project / "mkdocs.yml", project / "clean")
    site.close()


def test_a_name_the_search_keeps_whole_reaches_the_helper(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the Chinese site, an account renamed to a name jieba would cut in two (闫梓 / 萱)
    is kept whole in the search index by the rebuild as by a clean build, on the pages the
    helper process converts too (the overview, offered to it first): the names go with the
    pages it is sent."""
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("KAM_AS_OF", raising=False)
    zh = REPO / "examples" / "zh"
    shutil.copytree(zh / "accounts", tmp_path / "accounts")
    config = yaml.safe_load((zh / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir=str(zh / "docs"), site_dir=str(tmp_path / "unused"))
    config["theme"]["custom_dir"] = str(REPO / "site" / "overrides")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "kam-review" in plugin:
            plugin["kam-review"].update(accounts=str(tmp_path / "accounts"),
                                        rules=str(REPO / "rules"))
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True),
                                         encoding="utf-8")
    site = LiveSite(tmp_path / "mkdocs.yml", tmp_path / "live")
    site.build()
    path = tmp_path / "accounts" / "baiyun-textile.yaml"
    _edit(path, "name: 白云纺织印染", "name: 闫梓萱纺织")
    site.rebuild([path])
    assert (site.full_builds, site.incremental_builds) == (1, 1)
    assert site.helped >= 1 if worker_count() > 1 else site.helped == 0
    live = _tree(tmp_path / "live")
    texts = [doc["text"] for doc in json.loads(live["search/search_index.json"])["docs"]]
    assert any("闫梓萱" in text for text in texts)
    assert live == _clean_apart(tmp_path / "mkdocs.yml", tmp_path / "clean")
    site.close()


_SERVE_THEN_WAIT = """
import sys, time
from pathlib import Path
from kam_review.website.incremental import LiveSite
LiveSite(Path(sys.argv[1]), Path(sys.argv[2])).build()
print("built", flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(worker_count() < 2 or not Path("/proc/self/task").is_dir(),
                    reason="the helper is forked only with two cores; children read from /proc")
def test_the_helper_ends_with_the_process_that_forked_it(project: Path) -> None:
    """Killed outright (no exit handler runs), kam serve's process leaves no helper behind:
    the pipe's other end closes with it, and the helper stops."""
    asker = subprocess.Popen([sys.executable, "-c", _SERVE_THEN_WAIT, str(project / "mkdocs.yml"),
                              str(project / "live")], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert asker.stdout is not None and asker.stdout.readline() == "built\n"
        children = Path(f"/proc/{asker.pid}/task/{asker.pid}/children").read_text().split()
        assert len(children) == 1  # the page helper
        helper = Path(f"/proc/{children[0]}")
    finally:
        asker.kill()
        asker.wait()
    for _ in range(100):
        if not helper.exists() or "Z" in (helper / "stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        os.kill(int(helper.name), signal.SIGKILL)
        raise AssertionError("the page helper outlived kam serve's process")
