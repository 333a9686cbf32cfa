"""The rule catalogue as a reference for rule authors: each rule's tests, each threshold's
value, source and readers, each fact's range, and the guide it links to."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kam_review.review.evaluate import review
from kam_review.rulebook.loading import Rulebook
from kam_review.website.pages.catalogue import rules_page
from kam_review.website.pages.rule_reference import RuleTests, thresholds_table

from .conftest import ACCOUNTS, AS_OF, REPO, RULES


def test_the_catalogue_links_the_guide_and_gives_each_rules_tests() -> None:
    page = rules_page(review(ACCOUNTS, RULES, AS_OF))
    assert "[Writing your own rule](own-rules.md)" in page
    assert (REPO / "site" / "docs" / "own-rules.md").is_file()
    # risk.complacency: 5 firing cases and 3 near misses in rules/tests/risks.yaml.
    entry = page[page.index("{#risk-complacency}"):]
    assert "*Tests:* 5 cases where it fires, 3 where it stays silent" in entry[:3000]
    assert "| Probability | fraction | 0% to 100% |" not in page  # columns in their order
    assert "| `probability` | Probability | number | fraction | 0% to 100% |" in page
    assert "| `relationship_score` | Relationship | number | score | 1 to 5 |" in page


def test_thresholds_show_their_source_and_the_rules_that_read_them() -> None:
    result = review(ACCOUNTS, RULES, AS_OF)
    table = thresholds_table(result.rulebook)
    line = next(row for row in table.splitlines() if "`complacency_days`" in row)
    threshold = result.rulebook.thresholds["complacency_days"]
    assert f"| `thresholds.yaml`, line {threshold.line} |" in line
    assert "[Complacency](rules.md#risk-complacency)" in line
    industry = next(row for row in table.splitlines() if "`default_industry_growth`" in row)
    assert "| the facts |" in industry
    overridden = replace(result.rulebook, thresholds=result.rulebook.thresholds | {
        "complacency_days": replace(threshold, value=60)})
    line = next(row for row in thresholds_table(overridden).splitlines()
                if "`complacency_days`" in row)
    assert f"the portfolio's override (default in `thresholds.yaml`, line {threshold.line})" \
        in line


def test_rule_tests_are_counted_again_only_when_a_file_of_the_folder_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    rulebook = replace(review(ACCOUNTS, RULES, AS_OF).rulebook, folder=folder)
    counted: list[Path] = []
    count = RuleTests._count

    def counting(self: RuleTests, book: Rulebook) -> None:
        counted.append(book.folder)
        count(self, book)
    monkeypatch.setattr(RuleTests, "_count", counting)
    first = RuleTests(rulebook).line("risk.complacency")
    assert RuleTests(rulebook).line("risk.complacency") == first and len(counted) == 1
    cases = folder / "tests" / "risks.yaml"
    text = cases.read_text(encoding="utf-8")
    # One byte more, in a file below the folder: counted again, the same counts.
    cases.write_text(text + "\n", encoding="utf-8")
    assert RuleTests(rulebook).line("risk.complacency") == first and len(counted) == 2
    # The same bytes under another name: counted again.
    cases.rename(folder / "tests" / "risk-cases.yaml")
    RuleTests(rulebook)
    assert len(counted) == 3
