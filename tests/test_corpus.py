"""The hostile input corpus: every bad account or rule file in tests/corpus is reported with its
file, line and field, exit code 2 and no traceback, while the valid account beside it is still
evaluated. Each corpus file states the error it expects on its first line (`# expect: ...`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kam_review.cli import main
from kam_review.source.yamlsource import MAX_FILE_BYTES

from .conftest import AS_OF, RULES, healthy_account, write_account

CORPUS = Path(__file__).with_name("corpus")


def _expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def _check(accounts: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    result = CliRunner().invoke(main, ["check", "--accounts", str(accounts), "--as-of",
                                       str(AS_OF), "--format", "json", *extra])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    data = json.loads(result.stdout) if result.stdout.startswith("{") else {}
    return result.exit_code, data, result.output


def _with_valid(tmp_path: Path) -> Path:
    folder = tmp_path / "accounts"
    folder.mkdir()
    write_account(folder, healthy_account())
    return folder


@pytest.mark.parametrize("case", sorted((CORPUS / "accounts").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_bad_account_file(case: Path, tmp_path: Path) -> None:
    folder = _with_valid(tmp_path)
    shutil.copy(case, folder / "acme.yaml")
    code, data, _ = _check(folder)
    assert code == 2
    errors = [f"{Path(str(e['file'])).name}:{e['line']}:{e['column']}: {e['field']}: "
              f"{e['message']}" if e["field"] else
              f"{Path(str(e['file'])).name}:{e['line']}:{e['column']}: {e['message']}"
              for e in data["errors"]]  # type: ignore[attr-defined]
    expected = _expected(case)
    assert any(expected in error for error in errors), errors
    assert all(error.startswith("acme.yaml:") for error in errors), errors
    evaluated = [a["id"] for a in data["accounts"]]  # type: ignore[attr-defined]
    assert "test-account" in evaluated


@pytest.mark.parametrize("case", sorted((CORPUS / "findings").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_account_file_that_loads_but_must_not_pass(case: Path, tmp_path: Path) -> None:
    """tests/corpus/findings: files that are valid input, yet a rule must catch what they try
    (an owner approving their own waiver under another spelling, a reason that shows
    nothing); the expected finding (`rule: message`) is open."""
    folder = _with_valid(tmp_path)
    shutil.copy(case, folder / "acme.yaml")
    code, data, output = _check(folder)
    assert code == 0 and not data["errors"], output
    (acme,) = [a for a in data["accounts"] if a["id"] == "acme"]  # type: ignore[attr-defined]
    found = [f"{f['rule']}: {f['message']}" for f in acme["findings"] if not f["waived"]]
    assert any(_expected(case) in finding for finding in found), found


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("acme.yaml", b"", "acme.yaml:1:1: the file is empty"),
    ("acme.yaml", b"id: acme\nname: \xff\xfe\n", "acme.yaml:2:7: the file is not UTF-8 text"),
    ("acme.yaml", b"# " + b"x" * (50 * 1024 * 1024) + b"\n",
     f"the limit is {MAX_FILE_BYTES:,}"),
])
def test_files_that_are_not_yaml_text(tmp_path: Path, name: str, content: bytes,
                                      expected: str) -> None:
    folder = _with_valid(tmp_path)
    (folder / name).write_bytes(content)
    code, data, _ = _check(folder)
    assert code == 2
    assert any(expected in f"{Path(str(e['file'])).name}:{e['line']}:{e['column']}: "
               f"{e['message']}" for e in data["errors"])  # type: ignore[attr-defined]
    assert [a["id"] for a in data["accounts"]] == ["test-account"]  # type: ignore[index]


def test_python_tags_build_no_object(tmp_path: Path) -> None:
    folder = _with_valid(tmp_path)
    marker = tmp_path / "pwned"
    (folder / "acme.yaml").write_text(
        f"id: !!python/object/apply:os.system ['touch {marker}']\nname: x\n", encoding="utf-8")
    code, _, _ = _check(folder)
    assert code == 2
    assert not marker.exists()


def test_two_files_claiming_one_id(tmp_path: Path) -> None:
    folder = _with_valid(tmp_path)
    twin = healthy_account()
    write_account(folder, twin)
    (folder / "test-account-copy.yaml").write_text(
        (folder / "test-account.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, data, _ = _check(folder)
    assert code == 2
    (error,) = data["errors"]  # type: ignore[misc]
    assert "must equal the file name" in error["message"]
    assert [a["id"] for a in data["accounts"]] == ["test-account"]  # type: ignore[index]


@pytest.mark.parametrize("case", sorted((CORPUS / "rules").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_bad_rule_file(case: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    shutil.copy(case, rules / "bad.yaml")
    code, _, output = _check(_with_valid(tmp_path), "--rules", str(rules))
    assert code == 2
    assert _expected(case) in output, output
    assert "bad.yaml:" in output
