"""What the fast check's workers hand back (review/fast_worker.sealed_chunk): each file's
record as the cache keeps it, made where the file is reviewed; a record JSON cannot write
comes back as it is, is written the same, and is not cached. And the figures LocaleFormat
keeps once written are the texts it writes afresh."""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

import kam_review.review.fast_worker as fast_worker
from kam_review import locale_format
from kam_review.cli import main
from kam_review.locale_format import LocaleFormat
from kam_review.output.check_parts import parts_text, read_parts
from kam_review.review.fast_worker import Job, Parts, review_chunk, sealed_chunk, set_job
from kam_review.review.slim import record_texts
from kam_review.rulebook.lint_seal import LINT_ROW
from kam_review.rulebook.loading import load_rulebook
from kam_review.source.fast_yaml import FAST_VARIABLE

from .conftest import ACCOUNTS, AS_OF, RULES

CORPUS = Path(__file__).with_name("corpus") / "accounts"


def _check(monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[int, str]:
    monkeypatch.setenv(FAST_VARIABLE, "1" if fast else "0")
    result = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--accounts",
                                       str(ACCOUNTS), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.stdout


def test_a_sealed_record_is_the_cache_texts_of_the_review() -> None:
    set_job(Job(load_rulebook(RULES), AS_OF, LocaleFormat(), False,
                Parts(partial(parts_text, as_of=AS_OF), read_parts)))
    paths = [*sorted(ACCOUNTS.glob("*.yaml"))[:3], CORPUS / "action-unknown-rule.yaml"]
    items = [(str(path), path.read_bytes()) for path in paths]
    sealed = sealed_chunk(items)
    assert sealed == [record_texts(record) for record in review_chunk(items)]
    assert all(isinstance(texts, tuple) and isinstance(texts[0], str) for texts in sealed)
    # The bad file's error travels in its text: file, line, column and field.
    assert str(sealed[-1][0]).startswith(
        '[["tests/corpus/accounts/action-unknown-rule.yaml",2,1,"id","\'acme\' must equal')


def test_a_record_json_cannot_write_is_written_but_not_cached(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    plain = _check(monkeypatch, False)

    def refuse(record: object) -> str:
        raise ValueError("Out of range float values are not JSON compliant")
    monkeypatch.setattr(fast_worker, "record_texts", refuse)
    assert _check(monkeypatch, True) == plain
    (database,) = cache.glob("reviews-fast-*.sqlite")
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM entries WHERE path != ?",
                                      (LINT_ROW,)).fetchone()
    connection.close()
    assert count == 0  # no review; the rules' passed lint only
    monkeypatch.undo()
    monkeypatch.setenv("KAM_CACHE_DIR", str(cache))
    assert _check(monkeypatch, True) == plain  # reviewed again, and cached this time


@pytest.mark.parametrize("value", [5, 5.0, 999.6, 1234.5, -1_620_400, 2.5e9, 0.00003])
@pytest.mark.parametrize("currency", [None, "CNY", "USD"])
def test_a_kept_figure_is_the_text_written_afresh(value: float, currency: str | None) -> None:
    """The kept texts (typed: 5 and 5.0 apart) against the same figures written without
    them, in two locales."""
    for locale in ("en", "zh"):
        formats = LocaleFormat(locale, currency)
        for compact in (True, False):
            assert formats.money(value, compact) == locale_format._money.__wrapped__(
                formats.locale, currency, value + 0.0, compact)
        for kind, decimals, signed in (("percent", 1, True), ("decimal", 2, False)):
            assert formats._apply(kind, value, decimals, signed) == \
                locale_format._applied.__wrapped__(formats.locale, kind, value, decimals,
                                                   signed)
    assert LocaleFormat("en", "CNY").money(1234.5) == "CN¥1.23K"
    assert LocaleFormat("en", "CNY").whole_money(1234.5) == "CN¥1,234.50"
    assert LocaleFormat("en").percent(0.00003) == "0.003%"
