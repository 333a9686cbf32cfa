"""The `kam` command as a user runs it: output, exit codes, determinism."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kam_review.source.accounts import SCHEMA_FILE

from .conftest import ACCOUNTS, AS_OF, REPO, healthy_account, write_account

SAMPLE_IDS = sorted(p.stem for p in ACCOUNTS.glob("*.yaml"))


def kam(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kam_review", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_json_output_is_byte_identical_across_runs() -> None:
    first = kam("check", "--as-of", str(AS_OF), "--format", "json")
    second = kam("check", "--as-of", str(AS_OF), "--format", "json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["as_of"] == "2026-09-30"
    assert data["errors"] == []
    assert [a["id"] for a in data["accounts"]] == SAMPLE_IDS
    finding = data["accounts"][0]["findings"][0]
    assert set(finding) == {"rule", "kind", "severity", "subject", "message", "action", "waived"}


def test_text_output_lists_findings_most_severe_first() -> None:
    run = kam("check", "--as-of", str(AS_OF))
    assert run.returncode == 0
    block = next(b for b in run.stdout.split("\n\n") if b.startswith("ruifeng-retail:"))
    # The heading, the account's verdict, then its findings.
    assert block.splitlines()[1].startswith("  verdict: at risk (verdict.at-risk): ")
    severities = [line.split()[0] for line in block.splitlines()[2:]]
    order = ["HIGH", "MEDIUM", "LOW", "INFO"]
    assert severities == sorted(severities, key=order.index)
    assert "HIGH   risk.declining-revenue: revenue by quarter, latest last: CN¥700K -> " \
        "CN¥560K -> CN¥420K -> CN¥260K -> CN¥30K -> CN¥12K; 5 falls in a row up to the last " \
        "quarter; against the same quarters a year before: -73.5% (4 quarters compared)" \
        in block


def test_fail_on_sets_exit_code_one_and_waivers_do_not_count(tmp_path: Path) -> None:
    account = healthy_account()
    # risk.no-executive-access, medium: neither an executive nor a director left.
    account["contacts"][0]["level"], account["contacts"][2]["level"] = "staff", "manager"
    write_account(tmp_path, account)
    assert kam("check", "--as-of", str(AS_OF), "--accounts", str(tmp_path),
               "--fail-on", "medium").returncode == 1
    assert kam("check", "--as-of", str(AS_OF), "--accounts", str(tmp_path),
               "--fail-on", "high").returncode == 0
    account["waivers"] = [{"rule": "risk.no-executive-access", "reason": "CEO meeting booked",
                           "until": "2026-10-31", "by": "Zhou Lan"}]
    write_account(tmp_path, account)
    run = kam("check", "--as-of", str(AS_OF), "--accounts", str(tmp_path), "--fail-on", "medium")
    assert run.returncode == 0, run.stdout
    assert "(waived until 2026-10-31 by Zhou Lan: CEO meeting booked)" in run.stdout
    # The day after the waiver ends, the finding counts again.
    run = kam("check", "--as-of", "2026-11-01", "--accounts", str(tmp_path),
              "--fail-on", "medium")
    assert run.returncode == 1
    assert "plan.waiver-expired" in run.stdout


def test_invalid_file_exits_two_and_still_reports_the_others(tmp_path: Path) -> None:
    shutil.copytree(ACCOUNTS, tmp_path / "accounts")
    broken = tmp_path / "accounts" / "hanhai-retail.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace(
        "revenue: 1980000", "revenue: n/a", 1), encoding="utf-8")
    run = kam("check", "--as-of", str(AS_OF), "--accounts", str(tmp_path / "accounts"),
              "--format", "json")
    assert run.returncode == 2
    data = json.loads(run.stdout)
    (error,) = data["errors"]
    assert error["file"].endswith("hanhai-retail.yaml")
    line = next(number for number, text in enumerate(
        broken.read_text(encoding="utf-8").splitlines(), start=1) if "revenue: n/a" in text)
    assert (error["line"], error["column"]) == (line, 5)
    assert error["field"] == "financials[0].revenue"
    assert error["message"] == "expected a number, got 'n/a'"
    assert [a["id"] for a in data["accounts"]] == [i for i in SAMPLE_IDS if i != "hanhai-retail"]


def test_rule_file_errors_exit_two_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    path = rules / "plans.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "plan_growth_target < industry_growth", "plan_growth_targte < industry_growth"),
        encoding="utf-8")
    run = kam("check", "--as-of", str(AS_OF), "--rules", str(rules))
    assert run.returncode == 2
    assert "plans.yaml:" in run.stderr
    assert "unknown fact 'plan_growth_targte' (did you mean 'plan_growth_target'?)" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("account_id", SAMPLE_IDS)
def test_explain_works_on_every_sample_account(account_id: str) -> None:
    run = kam("explain", account_id, "--as-of", str(AS_OF))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{account_id}: ")
    assert "Why this class" in run.stdout


def test_each_account_of_the_json_and_text_output_says_whose_it_is_and_its_class_shown(
        ) -> None:
    """What a report groups by (owner, team, currency) and the class as the pages show it;
    an account without a scorecard says so in the text, not by leaving the focus out."""
    data = json.loads(kam("check", "--as-of", str(AS_OF), "--format", "json").stdout)
    lanting = next(a for a in data["accounts"] if a["id"] == "lanting-hotels")
    assert {key: lanting[key] for key in ("owner", "team", "currency", "class", "class_shown",
                                          "focus")} == {
        "owner": "Zhou Lan", "team": "East China", "currency": "CNY", "class": "nurture",
        "class_shown": "nurture: new account", "focus": "low-profile"}
    text = kam("check", "--as-of", str(AS_OF)).stdout
    assert "lanting-hotels: Lanting Boutique Hotels (nurture: new account, focus low-profile; " \
        in text
    assert "renhe-hospital: Renhe People's Hospital (fast-growing, no scorecard; owner " in text


def test_explain_of_a_rule_id_says_what_it_checks_and_where_it_fired() -> None:
    run = kam("explain", "risk.single-threaded", "--as-of", str(AS_OF))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("risk.single-threaded: Single-threaded relationship\n"
                                 "  high · failure risks · seed 001 · tests each account\n")
    assert "\n  Fires when: \n" not in run.stdout  # no trailing space after the colon
    assert "\n  Fires when:\n    any of:\n      current contacts at most 1\n" in run.stdout
    assert "  Thresholds: Most current contacts of a single-threaded relationship: 1 " \
           "(single_threaded_max_contacts = 1)\n" in run.stdout
    assert "  Fires on, as of Sep 30, 2026: donghai-logistics, guoneng-energy (2 accounts)\n" \
        in run.stdout
    assert "    any of:\n      contacts_current <= $single_threaded_max_contacts\n" in run.stdout
    verdict = kam("explain", "verdict.healthy", "--as-of", str(AS_OF)).stdout
    assert "; assigns" not in verdict and " · assigns healthy\n" in verdict
    assert "Fires on, as of Sep 30, 2026: haoyang-chemicals, kangning-pharma (2 accounts)" \
        in verdict
    unknown = kam("explain", "risk.no-such-rule", "--as-of", str(AS_OF))
    assert unknown.returncode == 2 and "no valid account 'risk.no-such-rule'" in unknown.stderr


def test_explain_keeps_a_rules_groups_of_checks() -> None:
    run = kam("explain", "guoneng-energy", "--as-of", str(AS_OF))
    assert ("  class.dormant: applies\n    all of:\n      yes lifetime revenue: CN¥6.11M, "
            "needs more than CN¥0\n") in run.stdout
    assert ("      any of:\n        yes recent revenue against the quarters before: 3.7%, "
            "needs at most 10%\n") in run.stdout


def test_explain_takes_an_account_file_as_kam_check_does() -> None:
    by_file = kam("explain", "accounts/jiahe-home.yaml", "--as-of", str(AS_OF))
    assert by_file.returncode == 0, by_file.stderr
    assert by_file.stdout == kam("explain", "jiahe-home", "--as-of", str(AS_OF)).stdout
    missing = kam("explain", "accounts/no-such.yaml", "--as-of", str(AS_OF))
    assert missing.returncode == 2 and "no valid account 'no-such'" in missing.stderr
    # A bare file name is the account's, in --accounts (default accounts/).
    bare = kam("explain", "jiahe-home.yaml", "--as-of", str(AS_OF))
    assert bare.returncode == 0 and bare.stdout == by_file.stdout, bare.stderr


def test_explain_of_a_file_elsewhere_explains_that_file(tmp_path: Path) -> None:
    """A file outside accounts/ of the same name as one in it: its own review, not the
    other's."""
    write_account(tmp_path, healthy_account() | {"id": "jiahe-home", "name": "Elsewhere Ltd"})
    run = kam("explain", str(tmp_path / "jiahe-home.yaml"), "--as-of", str(AS_OF))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("jiahe-home: Elsewhere Ltd, as of ")


def test_explain_names_the_failed_condition_of_each_class() -> None:
    run = kam("explain", "beichen-education", "--as-of", str(AS_OF))
    assert "class: unclassified (needs revenue of 2026-Q3 to measure its growth over a year)" \
        in run.stdout
    # Growth over a year is unknown without 2026-Q3: the rule is not evaluated, and the
    # comparison neither holds nor fails (?): in words, then as the rule writes it.
    assert "  class.fast-growing: not evaluated\n    ?   growth over a year: unknown, needs " \
           "at least +20%\n        growth_yearly >= $fast_growing_min_growth  (growth_yearly " \
           "= absent: from the quarters on file: the last 4 quarters against the 4 before, " \
           in run.stdout
    assert "unknown when the last quarter has no row, $fast_growing_min_growth = 0.2)" \
        in run.stdout


def test_build_writes_the_markdown_tree(tmp_path: Path) -> None:
    run = kam("build", str(tmp_path / "out"), "--as-of", str(AS_OF))
    assert run.returncode == 0, run.stderr
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.md"))
    # With what moved since the previous review, by default, as the site has it; and the
    # guide the rule catalogue links to, which the site has too.
    assert written == sorted(["index.md", "rules.md", "risks.md", "funnel.md", "owners.md",
                              "changes.md", "own-rules.md"]
                             + [f"accounts/{i}.md" for i in SAMPLE_IDS])


def test_new_writes_a_valid_commented_account(tmp_path: Path) -> None:
    run = kam("new", "acme-industries", "--accounts", str(tmp_path))
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "acme-industries.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    # The editor's schema is the published one, and it exists where the comment says.
    schema_uri = text.splitlines()[0].removeprefix("# yaml-language-server: $schema=")
    assert schema_uri.startswith("file://") and Path(schema_uri[7:]).is_file(), schema_uri
    check = kam("check", "--accounts", str(tmp_path), "--as-of", str(AS_OF))
    assert check.returncode == 0, check.stderr
    assert "acme-industries: Acme Industries" in check.stdout
    again = kam("new", "acme-industries", "--accounts", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert "not a valid id" in kam("new", "../evil", "--accounts", str(tmp_path)).stderr


def test_new_writes_its_dates_around_the_review_date_given(tmp_path: Path) -> None:
    """Checked at the review date it was written for, the new file's dates are no later than
    it (customer since, last contact), and its plan's due dates after it."""
    run = kam("new", "acme", "--accounts", str(tmp_path), "--as-of", "2026-09-30")
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "acme.yaml").read_text(encoding="utf-8")
    assert "customer_since: 2026-09-30" in text and "last_contact: 2026-09-30" in text
    assert "{quarter: 2026-Q3, revenue: 0, cost: 0}" in text and "due: 2026-10-30" in text
    assert kam("new", "globex", "--accounts", str(tmp_path), "--as-of", "2026-02-30"
               ).returncode == 2


def test_new_names_the_schema_as_a_committed_file_must(tmp_path: Path) -> None:
    """A team's file names a schema every clone can open: as the folder's files name it,
    else kam init's copy at the repository's root, relative to the file."""
    team = tmp_path / "team"
    assert kam("init", str(team)).returncode == 0
    assert (team / "account.schema.json").read_bytes() == SCHEMA_FILE.read_bytes()
    line = "# yaml-language-server: $schema=../account.schema.json"
    for account_id in ("acme", "globex"):
        run = kam("new", account_id, "--accounts", str(team / "accounts"))
        assert run.returncode == 0, run.stderr
        text = (team / "accounts" / f"{account_id}.yaml").read_text(encoding="utf-8")
        assert text.splitlines()[0] == line
    deeper = team / "regions" / "north"
    deeper.mkdir(parents=True)
    assert kam("new", "initech", "--accounts", str(deeper)).returncode == 0
    assert (deeper / "initech.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../account.schema.json\n")
    # The folder's own files decide, whatever lies above.
    own = team / "own"
    own.mkdir()
    (own / "first.yaml").write_text("# yaml-language-server: $schema=https://schemas.example/"
                                    "account.json\nid: first\n", encoding="utf-8")
    assert kam("new", "second", "--accounts", str(own)).returncode == 0
    assert (own / "second.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=https://schemas.example/account.json\n")


def test_check_only_the_given_files() -> None:
    run = kam("check", "accounts/jiahe-home.yaml", "--as-of", str(AS_OF), "--format", "json")
    assert [a["id"] for a in json.loads(run.stdout)["accounts"]] == ["jiahe-home"]


def test_batches_give_the_same_output_as_one_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """kam check writes batch by batch; the output must not depend on the batch size."""
    from click.testing import CliRunner

    import kam_review.review.evaluate
    from kam_review.cli import main

    whole = kam("check", "--as-of", str(AS_OF), "--format", "json", "--no-cache").stdout
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(kam_review.review.evaluate, "BATCH_SIZE", 3)
    for output in ("json", "text"):
        batched = CliRunner().invoke(main, ["check", "--as-of", str(AS_OF), "--format", output,
                                            "--no-cache"])
        expected = whole if output == "json" else kam("check", "--as-of", str(AS_OF),
                                                      "--no-cache").stdout
        assert batched.stdout == expected
