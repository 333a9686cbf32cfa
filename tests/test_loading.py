"""Bad account files: each problem is reported with file, line, column and field, and every
valid account beside it is still loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kam_review.source.accounts import load_portfolio
from kam_review.source.yamlsource import MAX_FILE_BYTES

from .conftest import healthy_account, write_account

GOOD = yaml.safe_dump(healthy_account(), sort_keys=False)


def _errors(tmp_path: Path, name: str, text: str | bytes) -> list[str]:
    """Load a folder holding a valid account and the given file; return the errors."""
    write_account(tmp_path, healthy_account())
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    portfolio = load_portfolio(tmp_path)
    assert [a.id for a in portfolio.accounts] == ["test-account"], "the valid account loads"
    return [str(e).replace(str(tmp_path) + "/", "") for e in portfolio.errors]


def _edit(old: str, new: str, account_id: str = "acme") -> str:
    text = GOOD.replace("id: test-account", f"id: {account_id}", 1)
    assert old in text, old
    return text.replace(old, new, 1)


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_wrong_type_names_file_line_column_and_field(tmp_path: Path) -> None:
    text = _edit("revenue: 1000000", "revenue: n/a")
    errors = _errors(tmp_path, "acme.yaml", text)
    line = _line_of(text, "revenue: n/a")
    assert errors == [f"acme.yaml:{line}:3: financials[0].revenue: expected a number, "
                      "got 'n/a'"]


def test_unknown_field_suggests_the_known_one(tmp_path: Path) -> None:
    text = _edit("owner: Li Wei", "owner: Li Wei\nindustri: retail")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert f"acme.yaml:{_line_of(text, 'industri')}:1: industri: unknown field 'industri' " \
           "(did you mean 'industry'?)" in error


def test_a_misspelt_required_field_is_one_error_not_two(tmp_path: Path) -> None:
    """`revenu:` for `revenue:` is the unknown field with the one meant; the required field
    it leaves missing is that same typo. A required field missing outright still says so."""
    text = _edit("revenue: 1000000", "revenu: 1000000")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert f"acme.yaml:{_line_of(text, 'revenu:')}:3: financials[0].revenu: unknown field " \
           "'revenu' (did you mean 'revenue'?)" in error
    text = _edit("revenue: 1000000", "units: 12")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert error.endswith("financials[0]: missing required field 'revenue'")


def test_duplicate_key_is_an_error_not_a_silent_overwrite(tmp_path: Path) -> None:
    text = _edit("owner: Li Wei", "owner: Li Wei\nowner: Zhou Lan")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    first = _line_of(text, "owner: Li Wei")
    assert error.startswith(f"acme.yaml:{first + 1}:1: owner: duplicate key 'owner' "
                            f"(first on line {first})")


def test_duplicate_quarter(tmp_path: Path) -> None:
    text = _edit("quarter: 2025-Q1", "quarter: 2024-Q4")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert "financials[1].quarter: duplicate quarter '2024-Q4' (also financials[0])" in error


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    (error,) = _errors(tmp_path, "other.yaml", _edit("x", "x"))
    assert error.startswith("other.yaml:1:1: id: 'acme' must equal the file name")


def test_id_must_be_a_slug(tmp_path: Path) -> None:
    errors = _errors(tmp_path, "acme.yaml", _edit("x", "x", account_id="'../../x'"))
    assert any("id: expected a slug" in e and "'../../x'" in e for e in errors)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("customer_since: '2020-01-01'", "customer_since: 2026-02-30",
     "customer_since: expected a real date written YYYY-MM-DD, got '2026-02-30'"),
    ("stage: intent", "stage: intnet",
     "opportunities[0].stage: expected one of target, opportunity, intent, initiated, "
     "recognition, negotiation, closed, lost, got 'intnet' (did you mean 'intent'?)"),
    ("level: executive", "level: boss", "contacts[0].level: expected one of executive"),
    ("- coach", "- sponsor", "contacts[1].roles[1]: expected one of decision_maker"),
    ("style: analytical", "style: loud", "contacts[0].style: expected one of analytical"),
    ("probability: 0.3", "probability: 1.5", "opportunities[0].probability: must be at most 1, "
                                             "got 1.5\n"),
    # A percentage where a share of 1 is meant: the hint says how to write it.
    ("probability: 0.3", "probability: 30", "opportunities[0].probability: must be at most 1, "
     "got 30: a share is written as a fraction of 1, 30% as 0.3"),
    ("probability: 0.3", "probability: 30%", "opportunities[0].probability: expected a number, "
     "got '30%': a share is written as a fraction of 1, 30% as 0.3"),
    ("revenue: 1000000", "revenue: 30%", "financials[0].revenue: expected a number, got "
                                         "'30%'\n"),
    ("probability: 0.3", "probability: 250", "opportunities[0].probability: must be at most 1, "
                                             "got 250\n"),
    ("probability: 0.3", "probability: 1.0001", "opportunities[0].probability: must be at "
                                                "most 1, got 1.0001\n"),
    # A field whose name holds an allowed one as a word, too far in spelling for difflib.
    ("due: '2027-06-30'", "due_date: '2027-06-30'",
     "plan.goals[0].due_date: unknown field 'due_date' (did you mean 'due'?)"),
    ("customer_since: '2020-01-01'", "customer_since: '2020-01-01'\nindustry_code: 1",
     "unknown field 'industry_code' (did you mean 'industry'?)"),
    ("revenue: 1000000", "revenue: -5", "financials[0].revenue: must be at least 0, got -5"),
    ("revenue: 1000000", "revenue: .nan", "financials[0].revenue: '.nan' is not a finite"),
    ("revenue: 1000000", "revenue: .inf", "financials[0].revenue: '.inf' is not a finite"),
    ("quarter: 2024-Q4", "quarter: 2024-Q5", "financials[0].quarter: expected a quarter"),
])
def test_bad_values(tmp_path: Path, old: str, new: str, expected: str) -> None:
    errors = _errors(tmp_path, "acme.yaml", _edit(old, new))
    # "\n" marks where a message must end.
    assert any(expected in e + "\n" for e in errors), errors


@pytest.mark.parametrize(("text", "expected"), [
    ("", "acme.yaml:1:1: the file is empty"),
    ("- just\n- a list\n", "acme.yaml:1:1: expected a mapping of account fields"),
    ("id: acme\nname: [unclosed\n", "acme.yaml:2:7: malformed YAML"),
    # An unfinished key is placed on its own line, not on the next one where it is noticed.
    ("id: acme\nname Acme\nowner: Li Wei\n",
     "acme.yaml:2:1: malformed YAML: while scanning a simple key: could not find expected ':' "
     "(noticed at line 3, column 1)"),
    (b"id: acme\nname: \xff\xfe\n", "acme.yaml:2:7: the file is not UTF-8 text"),
    ("id: !!python/object/apply:os.system ['true']\n", "id: unsupported YAML tag"),
    ("a: &x [1]\nb: *x\n", "acme.yaml:2:4: b: anchors and aliases"),
])
def test_broken_files(tmp_path: Path, text: str | bytes, expected: str) -> None:
    errors = _errors(tmp_path, "acme.yaml", text)
    assert any(e.startswith(expected) or expected in e for e in errors), errors


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    errors = _errors(tmp_path, "acme.yaml", "\n".join(lines) + "\n")
    assert any("anchors and aliases" in e for e in errors)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    text = "# " + "x" * MAX_FILE_BYTES + "\n"
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert f"the limit is {MAX_FILE_BYTES:,}" in error


def test_activity_must_name_a_contact(tmp_path: Path) -> None:
    text = _edit("with:\n  - Zhang Min", "with:\n  - Zhang Mn")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert "activities[0].with[0]: 'Zhang Mn' is not one of the contacts" in error


def test_yml_files_are_reported_not_ignored(tmp_path: Path) -> None:
    (error,) = _errors(tmp_path, "acme.yml", GOOD)
    assert "account files end in .yaml" in error


def test_qualification_accepts_yaml_booleans(tmp_path: Path) -> None:
    text = GOOD.replace("real: 'yes'", "real: yes").replace("win: 'yes'", "win: no")
    write_account(tmp_path, healthy_account())
    (tmp_path / "test-account.yaml").write_text(text, encoding="utf-8")
    (account,) = load_portfolio(tmp_path).accounts
    assert account.opportunities[0].qualification == {
        "real": "yes", "can_compete": "yes", "win": "no", "worth": "yes"}


def test_compete_is_the_former_name_of_can_compete(tmp_path: Path) -> None:
    text = GOOD.replace("can_compete: 'yes'", "compete: no")
    write_account(tmp_path, healthy_account())
    (tmp_path / "test-account.yaml").write_text(text, encoding="utf-8")
    (account,) = load_portfolio(tmp_path).accounts
    assert account.opportunities[0].qualification["can_compete"] == "no"
    assert "compete" not in account.opportunities[0].qualification


def test_the_competition_question_answered_twice_is_an_error(tmp_path: Path) -> None:
    text = _edit("can_compete: 'yes'", "can_compete: 'yes'\n    compete: 'no'")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert error.startswith(f"acme.yaml:{_line_of(text, ' compete:')}:")
    assert "opportunities[0].qualification.compete: compete is the former name of " \
           "can_compete: write the answer once, as can_compete" in error


def test_an_owner_who_hands_over_before_taking_over_is_an_error(tmp_path: Path) -> None:
    text = _edit("owner: Li Wei", "owner: Li Wei\nowner_history:\n- name: Zhou Lan\n"
                 "  from: '2026-08-01'\n  to: '2026-07-31'")
    (error,) = _errors(tmp_path, "acme.yaml", text)
    assert error.startswith(f"acme.yaml:{_line_of(text, 'from:')}:")
    assert "owner_history[0].from: 2026-08-01 is after to (2026-07-31)" in error


@pytest.mark.parametrize(("resolved", "error"), [
    ("2026-05-31", "complaints[0].resolved_on: 2026-05-31 is before the complaint's date "
                   "(2026-06-01): a complaint is resolved on or after the day it is raised"),
    ("2026-06-01", None),  # resolved the day it was raised
])
def test_a_complaint_resolved_before_it_was_raised_is_an_error(
        tmp_path: Path, resolved: str, error: str | None) -> None:
    account = healthy_account()
    account["complaints"][0]["resolved_on"] = resolved
    path = write_account(tmp_path, account)
    line = _line_of(path.read_text(encoding="utf-8"), f"resolved_on: '{resolved}'")
    errors = [str(e).replace(str(tmp_path) + "/", "") for e in load_portfolio(tmp_path).errors]
    assert errors == ([] if error is None else [f"test-account.yaml:{line}:3: {error}"])


@pytest.mark.parametrize(("history", "error"), [
    ([("opportunity", "2026-04-02"), ("intent", "2026-08-01")], None),
    # Kept only so far: stage_since dates the stage the deal reached after it.
    ([("opportunity", "2026-04-02")], None),
    # The same stage: the history dates it (stage.stale counts from it).
    ([("opportunity", "2026-04-02"), ("intent", "2026-06-01")], None),
    # A move written in stage alone, or a later move the stage does not show.
    ([("opportunity", "2026-04-02"), ("opportunity", "2026-08-01")],
     "opportunity, entered on 2026-08-01"),
    ([("intent", "2026-08-01"), ("negotiation", "2026-09-01")],
     "negotiation, entered on 2026-09-01"),
], ids=["agrees", "ends-before", "same-stage", "same-day", "later-move"])
def test_a_stage_history_that_moved_on_from_the_stage_is_an_error(
        tmp_path: Path, history: list[tuple[str, str]], error: str | None) -> None:
    account = healthy_account()
    account["opportunities"][0]["stage_history"] = [
        {"stage": stage, "entered": day} for stage, day in history]
    write_account(tmp_path, account)
    errors = [str(e).replace(str(tmp_path) + "/", "") for e in load_portfolio(tmp_path).errors]
    if error is None:
        assert errors == []
        return
    line = _line_of(yaml.safe_dump(account, sort_keys=False), "stage: intent")
    assert errors == [
        f"test-account.yaml:{line}:3: opportunities[0].stage: intent, but stage_history's latest "
        f"entry is {error}, and stage_since (2026-08-01) is not after it: when a deal moves, add "
        "the stage it entered to stage_history and set stage_since to that day"]


def test_owner_history_is_read(tmp_path: Path) -> None:
    text = _edit("owner: Li Wei", "owner: Li Wei\nowner_history:\n- {name: Zhou Lan, to: "
                 "'2026-07-31'}\n- {name: Chen Hao, from: '2020-01-01', to: '2023-05-31'}",
                 "test-account")
    write_account(tmp_path, healthy_account())
    (tmp_path / "test-account.yaml").write_text(text, encoding="utf-8")
    portfolio = load_portfolio(tmp_path)
    assert [str(e) for e in portfolio.errors] == []
    (account,) = portfolio.accounts
    assert [(p.name, str(p.from_), str(p.to)) for p in account.owner_history] == [
        ("Zhou Lan", "None", "2026-07-31"), ("Chen Hao", "2020-01-01", "2023-05-31")]


def test_a_day_done_on_an_action_not_done_is_an_error(tmp_path: Path) -> None:
    account = healthy_account() | {"id": "acme"}
    account["plan"]["actions"] = [{"what": "Visit", "owner": "Li Wei", "due": "2026-09-01",
                                   "done_on": "2026-08-30"}]
    errors = _errors(tmp_path, "acme.yaml", yaml.safe_dump(account, sort_keys=False))
    assert any("plan.actions[0].done_on: the action is open, not done: set its status to "
               "done, or remove done_on" in e for e in errors), errors
