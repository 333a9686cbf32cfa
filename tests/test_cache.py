"""The cache of parsed account files holds plain data, lives in the user's cache folder and is
never trusted: a crafted entry planted where `kam check` looks runs nothing and changes no
figure; the output always comes from the account file."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kam_review
import kam_review.review.evaluate
import kam_review.source.accounts
from kam_review.cli import main
from kam_review.paths import display_path
from kam_review.source.accounts import load_files
from kam_review.source.cache import AccountCache, content_key, entry_text, fingerprinted_files
from kam_review.source.cache_trust import SECRET_FILE

from .conftest import AS_OF, RULES, Account, healthy_account, quarters, write_account
from .git_support import new_repository


class _Payload:
    """Unpickling this runs a shell command that creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def _account() -> Account:
    # Figures no planted entry carries: 2.4M of revenue over the last four quarters.
    account = healthy_account()
    account["financials"] = quarters("2024-Q4", [400_000] * 4 + [600_000] * 4)
    return account


@pytest.fixture(autouse=True)
def _plain_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`kam check` on its plain path, which reads this cache (as the site and --since do); the
    fast path keeps reviews in a cache of its own, checked in test_fast_check.py."""
    monkeypatch.setenv("KAM_FAST", "0")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with accounts/, a cache folder outside it, and the cwd set to it."""
    folder = tmp_path / "work"
    (folder / "accounts").mkdir(parents=True)
    write_account(folder / "accounts", _account())
    monkeypatch.chdir(folder)
    monkeypatch.setenv("KAM_CACHE_DIR", str(tmp_path / "cache"))
    return folder


def _check(*extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts", "accounts",
                                       "--format", "json", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.stdout


def _cache_file(cache_folder: Path) -> Path:
    return AccountCache.for_accounts(Path("accounts"), cache_folder).path


def _plant(database: Path, file: Path, entry: object, *, mac: str | None = None) -> None:
    """Write an entry into a cache file under the key the tool would look up: sealed the way
    kam-review seals its own entries (a text entry, mac None), else forged straight into the
    table with the given MAC (any entry)."""
    key = content_key(file.read_bytes())
    if mac is None and isinstance(entry, str):
        cache = AccountCache(database)
        cache.put(display_path(file), key, entry)
        cache.flush()
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS entries "
                           "(path TEXT PRIMARY KEY, key TEXT, entry TEXT, mac TEXT)")
        connection.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                           (display_path(file), key.hex(), entry, mac or ""))
    connection.close()


def _stored(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT path, entry, mac FROM entries").fetchall()
    connection.close()
    return rows


def _json_entry(change: Callable[[dict[str, Any]], object]) -> str:
    """A well-formed entry for the account with ten times its revenue, then changed."""
    value = _account()
    for row in value["financials"]:
        row["revenue"] *= 10
    change(value)
    text = entry_text(value, {(): (1, 1)})
    assert text is not None
    return text


def _set(path: tuple[str | int, ...], new: object) -> Callable[[dict[str, Any]], None]:
    def change(value: dict[str, Any]) -> None:
        target: Any = value
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = new
    return change


_DAMAGED = {
    "revenue as text": _json_entry(_set(("financials", 7, "revenue"), "6000000")),
    "missing owner": _json_entry(lambda value: value.pop("owner")),
    "probability out of range": _json_entry(_set(("opportunities", 0, "probability"), 30)),
    "stage unknown": _json_entry(_set(("opportunities", 0, "stage"), "won")),
    "id of another file": _json_entry(_set(("id",), "someone-else")),
    "truncated": _json_entry(lambda value: None)[:300],
    "NaN revenue": _json_entry(lambda value: None).replace('"revenue": 6000000',
                                                           '"revenue": NaN', 1),
    "huge exponent": _json_entry(lambda value: None).replace('"revenue": 6000000',
                                                             '"revenue": 1e999', 1),
    "value not a mapping": '{"value": [1, 2], "locations": []}',
    "extra key": _json_entry(lambda value: None)[:-1] + ', "code": "os.system"}',
    "locations of the wrong type": '{"value": {}, "locations": [["id", true, "x"]]}',
    "deeply nested": '{"value": ' + "[" * 100_000 + "]" * 100_000 + ', "locations": []}',
    "not JSON": "\x80\x04 not json",
}


def _clean_run(work: Path) -> str:
    code, output = _check("--no-cache")
    assert code == 0, output
    assert "2.4M" in output  # the file's own figure, in class.loyal's message
    return output


@pytest.mark.parametrize("name", sorted(_DAMAGED))
def test_a_damaged_or_foreign_json_entry_is_a_miss(work: Path, tmp_path: Path,
                                                   name: str) -> None:
    expected = _clean_run(work)
    _plant(_cache_file(tmp_path / "cache"), work / "accounts" / "test-account.yaml",
           _DAMAGED[name])
    code, output = _check()
    assert (code, output) == (0, expected)
    assert "24M" not in output


def test_a_planted_entry_reaches_the_tool(work: Path, tmp_path: Path) -> None:
    """The control for the tests around it: a well-formed entry sealed with the cache folder's
    own secret is what the tool reads (only kam-review, run by the folder's owner, can write
    one), so a damaged or forged one that changes nothing was really looked at."""
    _plant(_cache_file(tmp_path / "cache"), work / "accounts" / "test-account.yaml",
           _json_entry(lambda value: None))
    code, output = _check()
    assert code == 0
    assert "24M" in output and "2.4M" not in output


def _sealed_elsewhere(work: Path, tmp_path: Path) -> str:
    """The MAC another cache folder (with a secret of its own) gives the planted entry."""
    other = _cache_file(tmp_path / "other-cache")
    _plant(other, work / "accounts" / "test-account.yaml", _json_entry(lambda value: None))
    ((_, _, mac),) = _stored(other)
    return mac


@pytest.mark.parametrize("mac", ["", "0" * 64, "elsewhere", "\u00e9" * 64])
def test_a_forged_entry_is_a_miss(work: Path, tmp_path: Path, mac: str) -> None:
    """The key of an entry is public (the hash of the loader and the file's bytes): a
    well-formed entry with other figures, written under the right key by anyone but
    kam-review with this folder's secret, is not used."""
    expected = _clean_run(work)
    if mac == "elsewhere":
        mac = _sealed_elsewhere(work, tmp_path)
    _plant(_cache_file(tmp_path / "cache"), work / "accounts" / "test-account.yaml",
           _json_entry(lambda value: None), mac=mac)
    assert _check() == (0, expected)


def _run(*extra: str) -> Any:
    return CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts", "accounts",
                                     "--format", "json", *extra])


@pytest.mark.parametrize("loosen", ["folder", "database", "secret", "secret read"])
def test_a_cache_others_may_write_is_not_used(work: Path, tmp_path: Path, loosen: str) -> None:
    """As ssh does with its files: a cache folder or file the group or others may write (or,
    for the secret, read) is not used, and one line on stderr says why."""
    expected = _clean_run(work)
    folder = tmp_path / "cache"
    _plant(_cache_file(folder), work / "accounts" / "test-account.yaml",
           _json_entry(lambda value: None))
    path, mode = {"folder": (folder, 0o770), "database": (_cache_file(folder), 0o620),
                  "secret": (folder / SECRET_FILE, 0o620),
                  "secret read": (folder / SECRET_FILE, 0o640)}[loosen]
    path.chmod(mode)
    before = _stored(_cache_file(folder))
    run = _run()
    assert (run.exit_code, run.stdout) == (0, expected)
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"kam: the account cache is not used: {path}: ")
    assert ("600" if loosen.startswith("secret") else "go-w") in line
    assert _stored(_cache_file(folder)) == before  # nothing written either
    path.chmod(0o700 if loosen == "folder" else 0o600)
    assert "24M" in _run().stdout  # the control: the same cache, trusted again, is used


def test_a_link_in_place_of_the_secret_is_not_followed(work: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    planted = tmp_path / "known.key"
    planted.write_bytes(b"k" * 32)
    planted.chmod(0o600)
    (folder / SECRET_FILE).symlink_to(planted)
    run = _run()
    assert run.exit_code == 0
    assert f"{folder / SECRET_FILE} is not a regular file" in run.stderr
    assert not _cache_file(folder).exists()


def test_the_warning_is_one_line_per_run(work: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kam_review.review.evaluate, "BATCH_SIZE", 1)
    for number in range(3):
        write_account(work / "accounts", _account() | {"id": f"more-{number}"})
    (tmp_path / "cache").mkdir(mode=0o777)
    (tmp_path / "cache").chmod(0o777)
    run = _run()
    assert run.exit_code == 0
    assert len(run.stderr.splitlines()) == 1, run.stderr


@pytest.mark.parametrize("place", ["accounts", "accounts/sub", "rules", "repository"])
def test_a_cache_folder_inside_what_is_reviewed_is_not_used(
        work: Path, monkeypatch: pytest.MonkeyPatch, place: str) -> None:
    """KAM_CACHE_DIR=accounts would write a cache file into the repository, where anyone who
    may commit could plant entries: the accounts and rules folders and the git repository
    holding the accounts are refused with one line, and nothing is written there."""
    new_repository(work)
    shutil.copytree(RULES, work / "rules")
    before = _tree(work)
    folder = {"repository": ".kam-cache"}.get(place, place)
    monkeypatch.setenv("KAM_CACHE_DIR", folder)
    run = _run("--rules", "rules")
    assert run.exit_code == 0, run.output
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"kam: the account cache is not used: {folder} is inside ")
    assert _tree(work) == before


def test_the_default_cache_folder_may_lie_in_a_repository(
        work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a folder the user chose is checked for its place: the user's own cache folder is
    kam-review's, even when (say) the home folder is a repository of dotfiles."""
    new_repository(tmp_path)
    monkeypatch.delenv("KAM_CACHE_DIR")
    monkeypatch.setattr(platformdirs, "user_cache_path",
                        lambda *args, **kwargs: tmp_path / "home-cache" / "kam-review")
    run = _run()
    assert (run.exit_code, run.stderr) == (0, "")
    assert _cache_file(tmp_path / "home-cache" / "kam-review").is_file()


@pytest.mark.parametrize("as_text", [False, True], ids=["blob", "protocol-0-text"])
def test_a_planted_pickle_runs_nothing(work: Path, tmp_path: Path, as_text: bool) -> None:
    expected = _clean_run(work)
    marker = tmp_path / "pwned"
    data = pickle.dumps(_Payload(marker), protocol=0 if as_text else pickle.HIGHEST_PROTOCOL)
    assert marker.name.encode() in data  # the payload really is in the entry
    file = work / "accounts" / "test-account.yaml"
    if as_text:  # sealed as kam-review's own entries are: the entry itself is refused
        _plant(_cache_file(tmp_path / "cache"), file, data.decode("ascii"))
    else:
        _plant(_cache_file(tmp_path / "cache"), file, data, mac="")
    # Also where earlier versions kept their cache.
    _plant(work / ".kam-cache" / "accounts.sqlite", file, data, mac="")
    code, output = _check()
    assert (code, output) == (0, expected)
    assert not marker.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CACHE_HOME is how Linux moves it")
def test_the_default_cache_is_the_users_cache_folder(work: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = platformdirs.user_cache_path("kam-review", appauthor=False)
    assert folder == tmp_path / "xdg" / "kam-review"
    expected = _clean_run(work)
    marker = tmp_path / "pwned"
    _plant(_cache_file(folder), work / "accounts" / "test-account.yaml",
           pickle.dumps(_Payload(marker)), mac="")
    assert _check() == (0, expected)
    assert not marker.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted([_cache_file(folder).name,
                                                              SECRET_FILE])


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_kam_cache_dir_is_honoured_and_nothing_is_written_beside_the_accounts(
        work: Path, tmp_path: Path) -> None:
    before = _tree(work)
    _clean_run(work)
    assert _check()[0] == 0
    assert _tree(work) == before
    written = sorted((tmp_path / "cache").iterdir())
    assert written == sorted([_cache_file(tmp_path / "cache"), tmp_path / "cache" / SECRET_FILE])
    ((path, entry, _),) = _stored(_cache_file(tmp_path / "cache"))
    assert path == "accounts/test-account.yaml"
    assert json.loads(entry)["value"]["owner"] == "Li Wei"  # plain data: the file's value


def test_no_cache_neither_reads_nor_writes(work: Path, tmp_path: Path) -> None:
    _clean_run(work)
    assert not (tmp_path / "cache").exists()


def test_a_warm_run_reads_no_file_and_prints_the_same_bytes(
        work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_account(work / "accounts", _account() | {"id": "other-account"})
    (work / "accounts" / "broken.yaml").write_text("id: broken\n", encoding="utf-8")
    cold = _check()
    parsed: list[Path] = []
    real_read = kam_review.source.accounts.read_yaml

    def counting(path: Path, **options: Any) -> Any:
        parsed.append(path)
        return real_read(path, **options)

    monkeypatch.setattr(kam_review.source.accounts, "read_yaml", counting)
    assert _check() == cold
    assert cold[0] == 2  # the broken file is reported again: only valid files are cached
    assert [p.name for p in parsed] == ["broken.yaml"]


def test_a_changed_file_misses(work: Path) -> None:
    _check()
    account = _account()
    account["financials"] = quarters("2024-Q4", [400_000] * 4 + [700_000] * 4)
    write_account(work / "accounts", account)
    code, output = _check()
    assert code == 0
    assert "2.8M" in output and "2.4M" not in output


def test_a_damaged_entry_of_an_invalid_file_keeps_its_errors(work: Path,
                                                             tmp_path: Path) -> None:
    file = work / "accounts" / "test-account.yaml"
    file.write_text(file.read_text(encoding="utf-8").replace("owner: Li Wei", "owner: 7"),
                    encoding="utf-8")
    expected = _check("--no-cache")
    _plant(_cache_file(tmp_path / "cache"), file, _DAMAGED["revenue as text"])
    assert _check() == expected
    assert expected[0] == 2 and "owner" in expected[1]


def test_the_cache_file_is_named_by_the_folders_real_path(work: Path, tmp_path: Path) -> None:
    (work / "link").symlink_to(work / "accounts")
    cache = tmp_path / "cache"
    assert _cache_file(cache) == AccountCache.for_accounts(work / "link", cache).path
    assert _cache_file(cache) == AccountCache.for_accounts(work / "accounts" / ".", cache).path
    assert _cache_file(cache) != AccountCache.for_accounts(work, cache).path
    assert _cache_file(cache).parent == cache


def test_an_unusable_cache_is_no_error(work: Path, tmp_path: Path) -> None:
    expected = _clean_run(work)
    database = _cache_file(tmp_path / "cache")
    database.parent.mkdir(parents=True)
    database.write_bytes(b"not a database" * 100)
    assert _check() == (0, expected)
    database.unlink()
    database.mkdir()  # a folder where the file should be
    assert _check() == (0, expected)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=25)
_ENTRIES = st.one_of(
    st.text(max_size=300),
    _JSON.map(json.dumps),
    st.builds(lambda value, rows: json.dumps({"value": value, "locations": rows}),
              st.dictionaries(st.sampled_from(["id", "name", "owner", "financials", "x"]),
                              _JSON), _JSON),
    st.integers(0, 2000).map(lambda cut: _json_entry(lambda value: None)[:cut]))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("fuzz") / "accounts"
    folder.mkdir()
    path = write_account(folder, _account())
    return path, load_files([path])


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(entry=_ENTRIES)
def test_no_entry_changes_what_a_file_loads_as(planted: tuple[Path, Any], entry: str) -> None:
    """Whatever text is found under a file's key, loading gives what parsing the file gives:
    no exception, no other figure."""
    path, expected = planted
    database = path.parent.parent / "cache.sqlite"
    database.unlink(missing_ok=True)
    _plant(database, path, entry)
    assert load_files([path], cache=AccountCache(database)) == expected


def test_the_fuzzed_entries_are_planted_where_they_are_read(planted: tuple[Path, Any]) -> None:
    path, expected = planted
    database = path.parent.parent / "cache.sqlite"
    database.unlink(missing_ok=True)
    _plant(database, path, _json_entry(lambda value: None))
    (account,) = load_files([path], cache=AccountCache(database)).accounts
    assert account.financials[-1].revenue == 6_000_000 != expected.accounts[0].financials[
        -1].revenue


def test_cached_values_depend_on_the_whole_package() -> None:
    """The caches key on the code of every layer and on the word catalogues: a review cached
    by an older evaluation, page or translation is never served."""
    package = Path(kam_review.__file__).parent
    hashed = {path.relative_to(package).as_posix() for path in fingerprinted_files()}
    assert {"source/yamlsource.py", "review/evaluate.py", "review/previous.py",
            "rulebook/facts.py", "source/account.schema.json",
            "locale/zh/LC_MESSAGES/kam.po"} <= hashed
    assert not any(name.endswith(".pyc") for name in hashed)


@pytest.mark.parametrize("preloaded", [False, True])
def test_the_entry_limit_counts_characters_not_bytes(tmp_path: Path, preloaded: bool) -> None:
    """An entry of three-byte characters is kept up to the limit in characters (three times
    as many bytes) and refused one character above it, read one by one or preloaded."""
    cache = AccountCache(tmp_path / "cache.sqlite", max_entry_chars=10)
    key = content_key(b"file")
    for name, text in (("at.yaml", "账" * 10), ("above.yaml", "账" * 11),
                       ("ascii.yaml", "a" * 10), ("ascii-above.yaml", "a" * 11)):
        cache.put(name, key, text)
    cache.flush()
    if preloaded:
        cache.preload()
    assert [cache.get_text(name, key) for name in
            ("at.yaml", "above.yaml", "ascii.yaml", "ascii-above.yaml")] == [
        "账" * 10, None, "a" * 10, None]


def test_what_utf8_cannot_write_is_not_kept_and_the_rest_is(tmp_path: Path) -> None:
    """A file name that is not UTF-8 reaches the cache as a lone surrogate, in the entry's
    name or its text (the errors name the file): that entry is left out, the others of the
    same write are kept, and nothing raises."""
    cache = AccountCache(tmp_path / "cache.sqlite")
    key = content_key(b"file")
    cache.put("bad-\udcff.yaml", key, "text")
    cache.put("named.yaml", key, '[["bad-\udcff.yaml",1,1]]')
    cache.put("good.yaml", key, "账 text")
    cache.flush()
    cache.preload()
    assert [cache.get_text(name, key) for name in ("named.yaml", "good.yaml")] == [
        None, "账 text"]
    assert cache.get_text("bad-\udcff.yaml", key) is None
