"""The fast reader of account files (source/fast_yaml.py, yaml_lines.py) against the strict one
(KAM_FAST=0): for every file of the sample, the Chinese example, the hostile corpus, generated
portfolios and files written for the differences of YAML 1.1 and 1.2, the same account, the
same errors (text, file, line, column, field), the same cached value and the same kept
locations, in the same order. Where the fast reader reads a file at all, the strict reader
finds nothing wrong with it and reads the same value."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kam_review.source import accounts
from kam_review.source.account_builder import _kept_locations
from kam_review.source.fast_yaml import FAST_VARIABLE, read_fast
from kam_review.source.yaml_lines import kept_locations
from kam_review.source.yamlsource import parse_yaml

from .conftest import ACCOUNTS, REPO, healthy_account

CORPUS = Path(__file__).with_name("corpus")
FILES = sorted([*ACCOUNTS.glob("*.yaml"), *(REPO / "examples" / "zh" / "accounts").glob("*.yaml"),
                *CORPUS.rglob("*.yaml")])


def _assert_same(path: Path, content: bytes, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both paths read the file alike; whether the fast reader read it."""
    monkeypatch.setenv(FAST_VARIABLE, "0")
    (strict, strict_errors), strict_value = accounts._read_account(path, content)
    monkeypatch.setenv(FAST_VARIABLE, "1")
    (fast, fast_errors), fast_value = accounts._read_account(path, content)
    assert fast == strict
    assert fast_errors == strict_errors
    assert repr(fast_value) == repr(strict_value)
    if strict is not None and fast is not None:
        assert list(fast.locations.items()) == list(strict.locations.items())
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    document = read_fast(text)
    if document is None:
        return False
    reading = parse_yaml(text, "file")
    assert reading.errors == []
    assert repr(document.value) == repr(reading.value)
    assert list(document.locations.items()) == list(_kept_locations(reading.locations).items())
    assert set(document.line_breaks) == set(reading.line_breaks)
    return True


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_file_reads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_same(path, path.read_bytes(), monkeypatch)


def test_a_text_with_half_a_character_is_never_read_fast() -> None:
    """What the fast reader reads holds no lone surrogate (the review skips its check for
    one there): a text that has one, given as it is, is refused."""
    text = (ACCOUNTS / "hanhai-retail.yaml").read_text(encoding="utf-8")
    document = read_fast(text)
    assert document is not None and document.encodable
    for half in ("\ud800", "\udcff"):
        named = text.replace("name: Hanhai Retail Group", f"name: Hanhai{half}")
        assert named != text and read_fast(named) is None


def test_the_sample_is_mostly_read_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    read = [path.name for path in sorted(ACCOUNTS.glob("*.yaml"))
            if _assert_same(path, path.read_bytes(), monkeypatch)]
    # Those left out hold a doubtful form in a comment or text (# seed 004, **bold** at a
    # line's start), which the strict reader reads just as well.
    assert len(read) >= 9, read


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_portfolios_are_read_fast_and_the_same(
        seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "generated"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(folder), "25",
                    "--seed", str(seed)], check=True, capture_output=True)
    files = sorted(folder.glob("*.yaml"))
    assert files
    assert all(_assert_same(path, path.read_bytes(), monkeypatch) for path in files)


def _valid_text() -> str:
    return yaml.safe_dump(healthy_account(), sort_keys=False, allow_unicode=True)


def _first(pattern: str, replacement: str, text: str) -> str:
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, pattern
    return changed


# Written forms YAML 1.1 (the strict reader) and YAML 1.2 (py-yaml12) read differently, or
# that only the strict reader refuses: the fast reader must leave each file to the strict one.
DOUBTFUL = {
    "yes": ("^(owner: ).*$", r"\1yes"),
    "no-in-flow": (r"^(industry: ).*$", r"\1[no]"),
    "on": ("^(owner: ).*$", r"\1on"),
    "off": ("^(owner: ).*$", r"\1off"),
    "Yes-in-qualification": ("^(    real: ).*$", r"\1Yes"),
    "octal-0o": ("^(  revenue: ).*$", r"\g<1>0o17"),
    "octal-017": ("^(  revenue: ).*$", r"\g<1>017"),
    "hexadecimal": ("^(  revenue: ).*$", r"\g<1>0x1F"),
    "underscore": ("^(  revenue: ).*$", r"\g<1>1_000"),
    "sexagesimal": ("^(  revenue: ).*$", r"\g<1>1:30"),
    "exponent": ("^(  revenue: ).*$", r"\g<1>1e3"),
    "exponent-with-dot": ("^(  revenue: ).*$", r"\g<1>1.0e3"),
    "sign-dot": ("^(  revenue: ).*$", r"\g<1>-.5"),
    "infinity": ("^(  revenue: ).*$", r"\g<1>.inf"),
    "not-a-number": ("^(  revenue: ).*$", r"\g<1>.NaN"),
    "long-integer": ("^(  revenue: ).*$", r"\g<1>123456789012345678901234567890"),
    "long-integer-negative": ("^(  revenue: ).*$", r"\g<1>-9223372036854775809"),
    "merge-key": ("^(name: .*)$", "<<: {industry: retail}\n\\1"),
    "anchor-alias": ("^(owner: )(.*)$", r"\1&o \2\nteam: *o"),
    "tag": ("^(owner: )(.*)$", r"\1!!str \2"),
    "duplicate-key": ("^(owner: .*)$", "\\1\n\\1"),
    "duplicate-nested-key": ("^(  revenue: .*)$", "\\1\n\\1"),
    "number-key": ("^(external_ids:.*)$", "external_ids: {1: x}"),
    "null-key": ("^(name: .*)$", "~: x\n\\1"),
    "second-document": ("^(name: .*)$", "\\1\n---\nid: other"),
    "tab": ("^(name: .*)$", "\\1\t"),
    "equals": ("^(industry: ).*$", r"\1="),
    "empty-block-scalar-at-the-end": (r"\Z", "team: |\n"),
    "percent": ("^(industry: ).*$", r"\1%x"),
    "block-in-flow": ("^(industry: ).*$", r"\1[|x]"),
}


def _fixed_text() -> str:
    # The healthy account with the fields the cases change in a plain form.
    text = _valid_text()
    text = _first("^(  revenue: ).*$", r"\g<1>1000000", text)
    return text


@pytest.mark.parametrize("case", sorted(DOUBTFUL))
def test_doubtful_forms_are_read_strictly(case: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, replacement = DOUBTFUL[case]
    text = _fixed_text()
    if case == "Yes-in-qualification":
        text = _first(r"^(    real: ).*$", r"\1'yes'", text)
    if case == "number-key" and "external_ids:" not in text:
        text += "external_ids: {}\n"
    changed = _first(pattern, replacement, text)
    assert read_fast(changed) is None
    path = tmp_path / "test-account.yaml"
    _assert_same(path, changed.encode("utf-8"), monkeypatch)


# Forms both read alike: the fast reader reads them, and to the same account.
ALIKE = {
    "quoted-yes": ("^(owner: ).*$", r"\1'yes'"),
    "double-quoted-no": ("^(owner: ).*$", r'\1"no"'),
    "tilde-for-null": ("^(industry: ).*$", r"\1~"),
    "null": ("^(industry: ).*$", r"\1null"),
    "date-unquoted": ("^(customer_since: ).*$", r"\g<1>2020-01-01"),
    "date-quoted": ("^(customer_since: ).*$", r"\1'2020-01-01'"),
    "timestamp": ("^(customer_since: ).*$", r"\g<1>2020-01-01 10:00:00"),
    "zero": ("^(  revenue: ).*$", r"\g<1>0"),
    "big-integer": ("^(  revenue: ).*$", r"\g<1>922337203685477580"),
    "float": ("^(  revenue: ).*$", r"\g<1>1000000.5"),
    "true-in-flow": ("^(industry: ).*$", r"\1[true, False, NULL]"),
    "block-scalar": ("^(name: ).*$", "\\1|\n  Test Account\n  Ltd"),
    "folded-scalar": ("^(name: ).*$", "\\1>-\n  Test Account\n  Ltd"),
    "comment-with-octal": ("^(name: .*)$", "\\1  # 017 and yes in a comment"),
    "empty-block-scalar": ("^(industry: ).*$", r"\1|"),
    "block-scalar-kept": ("^(name: .*)$", "\\1\nteam: |+\n  North\n\n"),
    "bold-text": ("^(name: ).*$", r"\1Test **Account** & Co"),
}


@pytest.mark.parametrize("case", sorted(ALIKE))
def test_forms_both_read_alike_are_read_fast(case: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    pattern, replacement = ALIKE[case]
    changed = _first(pattern, replacement, _fixed_text())
    path = tmp_path / "test-account.yaml"
    # A doubtful form in a comment (017, yes) or in a time (10:00:00 holds :00) is enough to
    # leave the file to the strict reader.
    fast = case not in ("comment-with-octal", "timestamp")
    assert _assert_same(path, changed.encode("utf-8"), monkeypatch) == fast


def test_bom_and_crlf_are_read_strictly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = _fixed_text()
    path = tmp_path / "test-account.yaml"
    for content in ("\ufeff" + text, text.replace("\n", "\r\n")):
        assert read_fast(content) is None
        _assert_same(path, content.encode("utf-8"), monkeypatch)


def test_locations_follow_the_lines() -> None:
    """Where list items start (after `- `, on the next line, inside a flow list), where a
    waiver's rule stands (inside a flow mapping too), as libyaml's marks say."""
    text = ("# a comment\n\nitems:\n- a\n- b: 1\n  c: [x,  y]\n-\n  d: 1\n"
            "waivers:\n  - {rule: r.one, reason: 'x, y'}\n  - rule: r.two\n")
    value = {"items": ["a", {"b": 1, "c": ["x", "y"]}, {"d": 1}],
             "waivers": [{"rule": "r.one", "reason": "x, y"}, {"rule": "r.two"}]}
    found = kept_locations(text, value)
    reading = parse_yaml(text, "file")
    assert found == _kept_locations(reading.locations)
    assert found is not None
    assert found[("items", 2)] == (8, 3)
    assert found[("waivers", 0, "rule")] == (10, 6)


def test_a_value_the_lines_do_not_hold_is_refused() -> None:
    text = "items:\n- a\n- b\n"
    assert kept_locations(text, {"items": ["a"]}) is None  # an item more in the file
    assert kept_locations(text, {"items": ["a", "b", "c"]}) is None  # one less
    assert kept_locations("a: 1\na: 2\n", {"a": 2}) is None  # a duplicate key
    assert kept_locations("a: {b: 1, b: 2}\n", {"a": {"b": 2}}) is None
    assert kept_locations('"a": 1\n', {"a": 1}) is None  # a key in quotes


# Pieces a mutation inserts: doubtful forms, YAML's indicators, indentation and line breaks.
PIECES = ["yes", "no", "on", "017", "0o17", "0x1F", "1_000", "1:30", "1e3", "-.5", ".inf", "~",
          "null", "'yes'", '"x"', "&a ", "*a", "!!str ", "<<: {a: 1}", "\t", "[", "]", "{", "}",
          ",", ": ", "- ", "#", "'", '"', "|", ">", "|-", "|+", ">-", "|2", " ", "\n", "\n  ",
          "?", "%", "12345678901234567890123", "true", "Null", "-", "rule", "answers"]


def _mutant(text: str, rnd: random.Random) -> str:
    """The text with a line repeated, removed, indented or cut, or a piece put in."""
    lines = text.split("\n")
    for _ in range(rnd.randint(1, 2)):
        roll, i = rnd.random(), rnd.randrange(len(lines))
        if roll < 0.2:
            lines.insert(i, lines[rnd.randrange(len(lines))])
        elif roll < 0.3:
            del lines[i]
        elif roll < 0.45:
            lines[i] = " " * rnd.choice([1, 2]) + lines[i]
        elif roll < 0.55:
            lines[i] = lines[i][rnd.choice([1, 2]):]
        else:
            at = rnd.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rnd.choice(PIECES) + lines[i][at + rnd.choice(
                [0, 0, 1, 3, 100]):]
    return "\n".join(lines)


def test_mutated_files_read_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sample and Chinese files changed at random (the same changes on every run): both paths
    read each alike, and the fast reader reads many of them."""
    rnd = random.Random(15)
    bases = [path.read_text(encoding="utf-8") for path in FILES if "corpus" not in path.parts]
    read = sum(_assert_same(tmp_path / "acme.yaml", _mutant(rnd.choice(bases), rnd).encode(),
                            monkeypatch) for _ in range(150))
    assert read >= 20
