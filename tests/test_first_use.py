"""What a new user meets first: defaults, messages and docs that point at things that exist."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from nap_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_validate_defaults_to_plan_like_check(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "tests" / "hostile" / "cases" / "ok-minimal", tmp_path / "plan")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "0 findings in 5 files" in result.output


def test_nothing_refers_to_a_document_outside_the_repository():
    """The README, docs/, the schemas, the package and the plan are the reference."""
    places = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "schemas").glob("*.json"),
              *(ROOT / "nap_rules").rglob("*.py"), *(ROOT / "plan").rglob("*.yaml")]
    assert [str(p.relative_to(ROOT)) for p in places if "CONTRACT" in p.read_text(encoding="utf-8")] == []


def _rules_in(output: str) -> set[str]:
    return {line.split()[2] for line in output.splitlines() if line.startswith("plan/") or ".yaml:" in line.split(" ")[0]}


def _check(*args: str):
    return CliRunner().invoke(main, ["check", str(ROOT / "plan"), "--as-of", "2024-01-01", "--flat", *args])


def test_select_and_ignore_choose_rules_and_built_in_checks_by_id_or_group():
    everything = _rules_in(_check().output)
    assert {"NAP-REF-001", "NAP-TIME-002", "NAP-BUDGET-001"} <= everything
    assert _rules_in(_check("--select", "NAP-TIME").output) == {r for r in everything if r.startswith("NAP-TIME-")}
    assert _rules_in(_check("--select", "NAP-REF-001").output) == {"NAP-REF-001"}
    assert _rules_in(_check("--ignore", "NAP-REF,NAP-SCHEMA").output) == {r for r in everything if not r.startswith("NAP-REF-")}
    # the more specific entry wins
    assert _rules_in(_check("--select", "NAP-BUDGET", "--ignore", "NAP-BUDGET-001", "--select", "NAP-REF").output) \
        == {r for r in everything if r.startswith(("NAP-BUDGET-", "NAP-REF-")) and r != "NAP-BUDGET-001"}


def test_a_selection_that_names_no_rule_is_an_input_error_with_a_suggestion():
    result = _check("--select", "NAP-TIEM")
    assert result.exit_code == 2
    assert "--select: 'NAP-TIEM' names no rule or group (did you mean 'NAP-TIME'?)" in result.output


def _check_configured(tmp_path, config: str):
    """`check` of a copy of the published plan with `config` as its .nap-rules.yaml: (folder, result)."""
    plan = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan)
    (plan / ".nap-rules.yaml").write_text(config, encoding="utf-8")
    return plan, CliRunner().invoke(main, ["check", str(plan)])


def test_every_configuration_error_is_reported_in_one_run(tmp_path):
    plan, result = _check_configured(
        tmp_path,
        "schema: nap-rules/config/v1\n"
        "rules:\n"
        "  disable: [NAP-TIEM-002, NAP-RESP-001]\n"
        "  severity: {NAP-BUDGT: info}\n"
        "params:\n"
        "  NAP-NO-SUCH-RULE: {x: 1}\n")
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith(f"{plan}/.nap-rules.yaml:")]
    assert [line.split(": ", 1)[1].split(" (did you mean")[0] for line in lines] == [
        "rules.disable: 'NAP-TIEM-002' names no rule or group",
        "rules.severity: 'NAP-BUDGT' names no rule or group",
        "params: no rule 'NAP-NO-SUCH-RULE'",
    ]


def test_every_schema_error_of_the_configuration_is_reported_in_one_run(tmp_path):
    plan, result = _check_configured(
        tmp_path,
        "schema: nap-rules/config/v1\n"
        "rulez: {}\n"
        "waivers:\n"
        "  - {rule: NAP-RESP-001, node: 'measure:2.1.1', approved_by: X}\n")
    assert result.exit_code == 2
    assert f"{plan}/.nap-rules.yaml:2:1: " in result.output and "rulez" in result.output
    assert f"{plan}/.nap-rules.yaml:4:" in result.output and "reason" in result.output


def test_schema_findings_name_the_plan_item_and_a_date_where_a_year_belongs_gets_a_hint(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(ROOT / "tests" / "hostile" / "cases" / "ok-minimal", plan)
    goal = plan / "goals" / "PG1.yaml"
    goal.write_text(goal.read_text(encoding="utf-8").replace("deadline: 2023", "deadline: 31/12/2023", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(plan)])
    assert result.exit_code == 1
    assert ("NAP-SCHEMA-002  deadline of measure 1.1.1 must be a whole number, found '31/12/2023'; "
            "a year belongs here, not a date: write 2023  [measure:1.1.1]") in result.output


# clocks read in tests, none to bound how long something takes (tests/cputime.py bounds CPU time)
CLOCKS_READ = {
    "tests/test_atomic.py": "sets a file's modification time in the past",
    "tests/test_faults.py": "gives up waiting for a child after 600 s: a guard against a hang, no assertion",
}


def test_no_test_bounds_wall_clock_time():
    import re

    reading = re.compile(r"perf_counter|time\.time\(|monotonic")
    found = {str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py")
             if reading.search(p.read_text(encoding="utf-8")) and p.name != "test_first_use.py"}
    assert found <= set(CLOCKS_READ), found - set(CLOCKS_READ)
