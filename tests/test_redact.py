"""Contact names redacted: one pseudonym per contact everywhere, and no name in any output."""

from __future__ import annotations

import json
import os
import re
import shutil
import string
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kam_review.cli import main
from kam_review.review.evaluate import review
from kam_review.review.redact import redact_account
from kam_review.source.accounts import load_account
from kam_review.source.model import Account, Activity, Contact

from .conftest import ACCOUNTS, AS_OF, REPO, RULES, healthy_account, write_account


def _contact_names() -> list[str]:
    names = []
    for path in sorted(ACCOUNTS.glob("*.yaml")):
        names += [c["name"] for c in yaml.safe_load(path.read_text(encoding="utf-8"))
                  .get("contacts", [])]
    return names


def _leaks(text: str, names: list[str]) -> list[str]:
    """The names found in text as whole words, in any case."""
    return [name for name in names
            if re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", text, re.IGNORECASE)]


def test_one_pseudonym_per_contact_in_every_field(tmp_path: Path) -> None:
    account = healthy_account()
    account["contacts"].append({"name": "Zhang Minghui", "level": "staff"})
    account["activities"][0]["summary"] = "Met ZHANG  MIN and zhang minghui; Zhang Mingyu absent"
    account["complaints"][0]["summary"] = "Wang Fang reported it"
    account["plan"]["summary"] = "Win **Zhang Min** over; Chen Jun decides"
    account["plan"]["goals"][0]["text"] = "Chen Jun signs the POS refresh"
    account["opportunities"][0]["name"] = "POS refresh (sponsor Zhang Min)"
    account["waivers"] = [{"rule": "risk.contact-neglected", "subject": "Chen Jun",
                           "reason": "Chen Jun is on leave until October", "until": "2026-12-31",
                           "by": "Zhou Lan"}]
    (loaded, errors) = load_account(write_account(tmp_path, account))
    assert loaded is not None, errors
    redacted = redact_account(loaded)
    assert [c.name for c in redacted.contacts] == [
        "Contact 1 (executive)", "Contact 2 (manager)", "Contact 3 (director)",
        "Contact 4 (staff)"]
    assert redacted.activities[0].with_ == ("Contact 1 (executive)",)
    assert redacted.activities[0].summary == (
        "Met Contact 1 (executive) and Contact 4 (staff); Zhang Mingyu absent")
    assert redacted.complaints[0].summary == "Contact 2 (manager) reported it"
    assert redacted.plan is not None
    assert redacted.plan.summary == "Win **Contact 1 (executive)** over; Contact 3 (director) " \
        "decides"
    assert redacted.plan.goals[0].text == "Contact 3 (director) signs the POS refresh"
    assert redacted.opportunities[0].name == "POS refresh (sponsor Contact 1 (executive))"
    assert redacted.waivers[0].subject == "Contact 3 (director)"
    assert redacted.waivers[0].reason == "Contact 3 (director) is on leave until October"
    assert (redacted.owner, redacted.waivers[0].by) == ("Li Wei", "Zhou Lan")
    assert loaded.contacts[0].name == "Zhang Min"


def test_redacted_review_finds_the_same_with_pseudonyms() -> None:
    plain = review(ACCOUNTS, RULES, AS_OF)
    redacted = review(ACCOUNTS, RULES, AS_OF, redact=True)

    def summary(result: object) -> Counter[tuple[str, str, str, bool]]:
        return Counter((a.account.id, f.rule, f.severity, f.waived)
                       for a in result.accounts for f in a.findings)  # type: ignore[attr-defined]

    assert summary(redacted) == summary(plain)
    # A waiver of one contact's finding still applies to that contact's finding.
    (left,) = [f for f in redacted.account("hanhai-retail").findings
               if f.rule == "risk.key-contact-left"]
    assert left.waived and left.subject == "Contact 3 (director)"
    assert _leaks(json.dumps([str(f) for a in redacted.accounts for f in a.findings]),
                  _contact_names()) == []


def test_check_and_build_redact_every_output(tmp_path: Path) -> None:
    names = _contact_names()
    runner = CliRunner()
    for output in ("text", "json", "markdown", "sarif", "junit"):
        run = runner.invoke(main, ["check", "--as-of", str(AS_OF), "--accounts", str(ACCOUNTS),
                                   "--rules", str(RULES), "--format", output,
                                   "--redact-contacts"])
        assert run.exit_code == 0, run.output
        assert _leaks(run.stdout, names) == [], output
    run = runner.invoke(main, ["build", str(tmp_path / "pages"), "--as-of", str(AS_OF),
                               "--accounts", str(ACCOUNTS), "--rules", str(RULES),
                               "--redact-contacts"])
    assert run.exit_code == 0, run.output
    pages = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "pages").rglob("*.md")}
    assert len(pages) > 14
    assert {str(p): _leaks(text, names) for p, text in pages.items()
            if _leaks(text, names)} == {}
    assert "Contact 3 (director)" in pages[tmp_path / "pages" / "accounts" / "hanhai-retail.md"]


def test_built_site_and_search_index_carry_no_contact_name(tmp_path: Path) -> None:
    for folder in ("accounts", "rules", "site"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert '      as_of: "2026-09-30"\n' in config
    (tmp_path / "mkdocs.yml").write_text(config.replace(
        '      as_of: "2026-09-30"\n', '      as_of: "2026-09-30"\n      redact_contacts: true\n'),
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("KAM_AS_OF", "KAM_BASE")}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "out")],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    built = {p: p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*")
             if p.suffix in (".html", ".json", ".xml")}
    assert tmp_path / "out" / "search" / "search_index.json" in built
    names = _contact_names()
    assert {str(p): _leaks(text, names) for p, text in built.items()
            if _leaks(text, names)} == {}
    assert "Contact 3 (director)" in built[tmp_path / "out" / "accounts" / "hanhai-retail" /
                                           "index.html"]


@pytest.mark.parametrize("text", ["Yan Lin called", "Zhang Mingyu", "Chen Junior"])
def test_a_longer_word_is_not_a_name(text: str, tmp_path: Path) -> None:
    account = healthy_account()
    account["contacts"].append({"name": "Yan Li"})
    account["activities"][0]["summary"] = text
    (loaded, errors) = load_account(write_account(tmp_path, account))
    assert loaded is not None, errors
    assert redact_account(loaded).activities[0].summary == text


_WORD = st.from_regex(r"[A-Z][a-z]{0,7}", fullmatch=True)
_NAMES = st.lists(st.lists(_WORD, min_size=1, max_size=3).map(" ".join)
                  .filter(lambda name: "contact" not in name.lower()),
                  min_size=1, max_size=4, unique_by=str.casefold)


def _mention(name: str, upper: bool, gap: str) -> str:
    written = gap.join(name.split())
    return written.upper() if upper else written.lower()


@settings(max_examples=150, deadline=None)
@given(names=_NAMES, data=st.data())
def test_no_name_survives_in_any_spelling(names: list[str], data: st.DataObject) -> None:
    pieces = []
    for name in names:
        pieces.append(data.draw(st.text(alphabet=string.printable, max_size=12)))
        pieces.append(_mention(name, data.draw(st.booleans()),
                               data.draw(st.sampled_from([" ", "  ", "\t"]))))
    text = " ".join(pieces)
    account = Account(id="a", name="A", owner="Owner", financials=(), source=Path("a.yaml"),
                      contacts=tuple(Contact(name) for name in names),
                      activities=(Activity(date(2026, 1, 1), "visit", summary=text),))
    summary = redact_account(account).activities[0].summary or ""
    for name in names:
        pattern = r"\s+".join(re.escape(part) for part in name.split())
        assert not re.search(rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])", summary,
                             re.IGNORECASE), (name, text, summary)
