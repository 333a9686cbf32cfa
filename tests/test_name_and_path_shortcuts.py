"""The shortcuts taken in reading an account file give what the long way gives: a name of
plain ASCII is normalised as the Unicode passes would, and a file is shown relative to the
working folder of the moment, however often it changes."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from kam_review.paths import display_path
from kam_review.source.names import normalise_name

# A zero-width space draws nothing and is dropped by normalising, and it is not ASCII: a name
# with one is normalised the long way.
LONG_WAY = "\u200b"


@pytest.mark.parametrize("name", [
    "Zhou Lan", "  ZHOU   lan ", "O'Brien-Smith", "Dr. A. B. C.", "x", " ", "",
    "Sales & Marketing (EMEA) #2", string.printable.strip(), "".join(map(chr, range(32, 127))),
])
def test_an_ascii_name_normalises_as_the_long_way_does(name: str) -> None:
    assert normalise_name(name) == normalise_name(name + LONG_WAY)


@pytest.mark.parametrize("char", [chr(code) for code in range(32, 127)])
def test_every_printable_ascii_character_normalises_as_the_long_way_does(char: str) -> None:
    name = f"A{char}b {char}"
    assert normalise_name(name) == normalise_name(LONG_WAY + name)


def test_a_file_is_shown_relative_to_the_working_folder_of_the_moment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = tmp_path / "team"
    inner.mkdir()
    account = inner / "acme.yaml"
    monkeypatch.chdir(tmp_path)
    assert display_path(account) == "team/acme.yaml"
    monkeypatch.chdir(inner)
    assert display_path(account) == "acme.yaml"
    monkeypatch.chdir(tmp_path)
    assert display_path(account) == "team/acme.yaml"


def test_a_file_outside_the_working_folder_is_shown_as_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = tmp_path / "team"
    inner.mkdir()
    monkeypatch.chdir(inner)
    outside = tmp_path / "acme.yaml"
    assert display_path(outside) == str(outside)
