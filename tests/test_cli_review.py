"""The review features on the command line: baselines, waivers, --explain, CI formats, `diff`."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft7Validator
from planedits import PUBLISHED, copy_plan, edit, revise

from nap_rules.cli import main

AS_OF = "2024-01-01"  # pinned: time rules depend on the evaluation date
SARIF_SCHEMA = Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json"
MUTATION = ("responsible: [MI, NCASH]", "responsible: []")  # measure 2.1.1 loses its responsible body


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def check(*args: str):
    return run("check", *args, "--as-of", AS_OF)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("baseline") / "plan-baseline.json"
    result = check(str(PUBLISHED), "--write-baseline", str(path))
    assert result.exit_code == 0, result.output
    return path


def finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.split(":")[0].endswith(".yaml")]


# --- baseline ---------------------------------------------------------------------------------

def test_the_published_plan_against_its_own_baseline_passes(baseline):
    assert json.loads(baseline.read_text())["findings"], "the published plan has known findings"
    result = check(str(PUBLISHED), "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert finding_lines(result.stdout) == []
    assert ": 0 new findings" in result.stdout and " 0 fixed since" in result.stdout


def test_without_the_baseline_the_published_plan_fails():
    assert check(str(PUBLISHED)).exit_code == 1


def test_one_new_inconsistency_fails_and_is_the_only_finding_named(baseline, tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG2.yaml", *MUTATION)
    result = check(str(plan), "--baseline", str(baseline))
    assert result.exit_code == 1, result.output
    (line,) = finding_lines(result.stdout)
    assert "NAP-RESP-001" in line and "measure 2.1.1" in line
    assert ": 1 new finding " in result.stdout


REFORMATTED = ["plan.yaml", "institutions.yaml", "indicators.yaml", "goals/PG1.yaml", "goals/PG2.yaml",
               "goals/PG3.yaml", "budget.yaml"]


@pytest.mark.parametrize("name", REFORMATTED)
def test_reformatting_a_plan_file_keeps_the_baseline_matching(baseline, tmp_path, name):
    plan = copy_plan(tmp_path / "plan")
    path = plan / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, sort_keys=True, indent=4, allow_unicode=True, width=1000), encoding="utf-8")
    assert path.read_text(encoding="utf-8") != (PUBLISHED / name).read_text(encoding="utf-8")
    result = check(str(plan), "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert ": 0 new findings" in result.stdout and " 0 fixed since" in result.stdout


def test_a_fixed_finding_is_reported_as_fixed(baseline, tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG1.yaml", "responsible: [MB]", "responsible: [MI]")
    result = check(str(plan), "--baseline", str(baseline))
    assert result.exit_code == 0, result.output
    assert " 1 fixed since" in result.stdout
    assert "fixed: NAP-REF-001  measure:1.1.2  body not in institutions.yaml: 'MB'" in result.stdout


def test_an_unreadable_baseline_is_an_input_error(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("{}", encoding="utf-8")
    result = check(str(PUBLISHED), "--baseline", str(bad))
    assert result.exit_code == 2 and result.output.startswith(f"{bad}: not a baseline file")
    assert check(str(PUBLISHED), "--baseline", str(tmp_path / "none.json")).exit_code == 2


def test_the_configured_baseline_is_used(baseline, tmp_path):
    plan = copy_plan(tmp_path / "plan")
    shutil.copy(baseline, plan / "known.json")
    (plan / ".nap-rules.yaml").write_text("schema: nap-rules/config/v1\nbaseline: known.json\n", encoding="utf-8")
    result = check(str(plan))
    assert result.exit_code == 0, result.output


# --- waivers ----------------------------------------------------------------------------------

WAIVER = """schema: nap-rules/config/v1
waivers:
  - rule: NAP-RESP
    node: measure:2.1.1
    reason: Responsibility to be assigned by the new DCM
    approved_by: National Anti-Trafficking Coordinator
    expires: 2024-06-30
"""


@pytest.fixture()
def waived_plan(tmp_path) -> Path:
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG2.yaml", *MUTATION)
    (plan / ".nap-rules.yaml").write_text(WAIVER, encoding="utf-8")
    return plan


def test_a_waiver_holds_through_its_expiry_day(waived_plan, baseline):
    result = run("check", str(waived_plan), "--baseline", str(baseline), "--as-of", "2024-06-30")
    assert result.exit_code == 0, result.output
    assert finding_lines(result.stdout) == [] and "1 waived" in result.stdout


def test_an_expired_waiver_stops_waiving_and_says_so(waived_plan, baseline):
    result = run("check", str(waived_plan), "--baseline", str(baseline), "--as-of", "2024-07-01")
    assert result.exit_code == 1, result.output
    lines = finding_lines(result.stdout)
    assert any("NAP-RESP-001" in line for line in lines)
    (note,) = [line for line in lines if "NAP-WAIVER-001" in line]
    assert note.startswith(f"{waived_plan}/.nap-rules.yaml:3:") and "expired on 2024-06-30" in note


def test_waived_findings_are_listed_with_their_reason(waived_plan):
    result = run("check", str(waived_plan), "--as-of", "2024-06-30", "--format", "markdown", "--fail-on", "never")
    assert "| NAP-RESP-001 | measure:2.1.1 | Responsibility to be assigned by the new DCM |" in result.stdout


def test_the_text_report_lists_waived_findings_with_their_reason(waived_plan):
    result = check(str(waived_plan), "--fail-on", "never")
    lines = result.stdout.splitlines()
    at = lines.index("1 waived:")
    assert lines[at + 1] == (f"  NAP-RESP-001 on measure:2.1.1 ({waived_plan}/goals/PG2.yaml:16:9): Responsibility to be "
                             "assigned by the new DCM (approved by National Anti-Trafficking Coordinator, until 2024-06-30)")


def test_the_text_report_shows_the_node_key_a_waiver_names(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG2.yaml", *MUTATION)
    (line,) = [line for line in finding_lines(check(str(plan)).stdout) if "NAP-RESP-001" in line]
    assert line.endswith("  [measure:2.1.1]")


def test_a_waiver_that_matches_nothing_is_reported(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    (plan / ".nap-rules.yaml").write_text(WAIVER, encoding="utf-8")
    result = check(str(plan), "--fail-on", "never")
    assert "NAP-WAIVER-002" in result.stdout and "matches no finding" in result.stdout


# --- --explain and the CI formats -------------------------------------------------------------

def test_explain_shows_the_values_the_rule_saw(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG2.yaml", *MUTATION)
    result = check(str(plan), "--explain")
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "NAP-RESP-001" in line)
    shown = lines[at + 1:at + 4]
    assert "    responsible = []" in shown and "    id = 2.1.1" in shown


def test_sarif_of_the_published_plan_validates(baseline):
    result = check(str(PUBLISHED), "--format", "sarif", "--baseline", str(baseline))
    doc = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert not list(Draft7Validator(schema).iter_errors(doc))
    results = doc["runs"][0]["results"]
    assert results and {r["baselineState"] for r in results} == {"unchanged"}
    ids = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "NAP-RESP-001" in ids  # every rule that ran, with or without findings


def test_junit_of_the_published_plan(tmp_path):
    out = tmp_path / "report.xml"
    result = check(str(PUBLISHED), "--format", "junit", "--output", str(out))
    suite = ET.parse(out).getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) > 0
    assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    assert result.exit_code == 1
    # the run fails on errors only (--fail-on error): warnings and info fail no test case
    assert {f.get("type") for f in suite.iter("failure")} == {"error"}
    warned = check(str(PUBLISHED), "--format", "junit", "--fail-on", "warning").stdout
    assert {f.get("type") for f in ET.fromstring(warned).iter("failure")} == {"error", "warning"}


def test_github_annotations_name_only_new_findings(baseline, tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG2.yaml", *MUTATION)
    result = check(str(plan), "--format", "github", "--baseline", str(baseline))
    (annotation,) = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotation.startswith(f"::error file={plan}/goals/PG2.yaml,line=") and "title=NAP-RESP-001::" in annotation


# --- diff -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def revised(tmp_path_factory) -> Path:
    return revise(copy_plan(tmp_path_factory.mktemp("revised") / "plan"))


def test_diff_lists_exactly_the_changes_and_their_findings(revised):
    result = run("diff", str(PUBLISHED), str(revised), "--format", "json", "--as-of", AS_OF, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(c["kind"], c["node"], c["field"], c["old"], c["new"]) for c in doc["changes"]] == [
        ("responsibility_moved", "measure:1.1.2", "responsible", ["MB"], ["MI"]),
        ("target_changed", "indicator:1.1.3-a", "targets.2022", 70, 75),
        ("budget_line_changed", "budget_line:PG1-current", "total_cost", 50677784, 50000000),
    ]
    # the body now resolves: the unknown-body finding is fixed
    assert [(f["rule"], f["node"]) for f in doc["findings"]["fixed"]] == [("NAP-REF-001", "measure:1.1.2")]
    # a changed budget line breaks the published sums: every new finding is about the budget
    new = doc["findings"]["new"]
    assert new and all(f["file"].endswith("budget.yaml") or f["file"].endswith("plan.yaml") for f in new)
    assert all(f["rule"].startswith("NAP-BUDGET") for f in new)


def test_diff_same_plan_has_no_changes():
    result = run("diff", str(PUBLISHED), str(PUBLISHED), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "no changes in the plan" in result.stdout and "New findings in" in result.stdout


def test_diff_fails_on_new_findings_at_or_above_the_bar(tmp_path):
    plan = copy_plan(tmp_path / "plan")
    edit(plan / "goals" / "PG2.yaml", *MUTATION)
    assert run("diff", str(PUBLISHED), str(plan), "--as-of", AS_OF).exit_code == 1
    assert run("diff", str(PUBLISHED), str(plan), "--as-of", AS_OF, "--fail-on", "never").exit_code == 0
    # going back fixes the finding and adds none
    assert run("diff", str(plan), str(PUBLISHED), "--as-of", AS_OF, "--fail-on", "info").exit_code == 0


def test_diff_against_a_git_revision(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    copy_plan(repo / "plan")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "published"]):
        subprocess.run(git + args, cwd=repo, check=True, capture_output=True)
    monkeypatch.chdir(repo)
    revise(Path("plan"))
    result = run("diff", "git:HEAD", "plan", "--as-of", AS_OF, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Changes from git:HEAD (plan) to plan")
    assert "plan/goals/PG1.yaml:31:23  ERROR    NAP-REF-001" in result.stdout
    assert run("diff", "git:no-such-revision", "plan").exit_code == 2


def test_the_repository_baseline_is_current():
    """.ci/run checks plan/ against tests/expected/plan-baseline.json, as a user's CI would.

    After a change to the rules or to plan/, write it again:
    nap-rules check plan/ --write-baseline tests/expected/plan-baseline.json
    """
    shipped = Path(__file__).parent / "expected" / "plan-baseline.json"
    result = run("check", str(PUBLISHED), "--baseline", str(shipped))
    assert result.exit_code == 0, result.output
    assert " 0 fixed since" in result.stdout, result.stdout


def test_an_unwritable_baseline_is_an_input_error(tmp_path):
    result = check(str(PUBLISHED), "--write-baseline", str(tmp_path / "missing" / "b.json"))
    assert result.exit_code == 2 and "cannot write the baseline" in result.output


def test_json_report_marks_new_and_known_findings_against_a_baseline(tmp_path):
    """A CI job reading the JSON can tell new findings from known ones; without a baseline the
    report keeps exactly the shape docs/ci.md describes."""
    import json
    import shutil

    from click.testing import CliRunner

    from nap_rules.cli import main

    plan = tmp_path / "plan"
    shutil.copytree("plan", plan)
    baseline = tmp_path / "baseline.json"
    runner = CliRunner()
    common = ["--as-of", "2024-01-01", "--format", "json"]
    plain = json.loads(runner.invoke(main, ["check", str(plan), *common]).output)
    assert set(plain) == {"tool", "version", "plan", "summary", "findings"}
    assert all("status" not in f for f in plain["findings"])
    assert runner.invoke(main, ["check", str(plan), "--as-of", "2024-01-01", "--write-baseline", str(baseline)]).exit_code == 0
    goal = plan / "goals" / "PG1.yaml"
    goal.write_text(goal.read_text().replace("responsible: [MD]", "responsible: []", 1))
    result = runner.invoke(main, ["check", str(plan), *common, "--baseline", str(baseline)])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    new = [(f["rule"], f["node"]) for f in doc["findings"] if f["status"] == "new"]
    assert new == [("NAP-RESP-001", "measure:1.1.1")]
    assert doc["baseline"]["new"] == 1 and doc["baseline"]["known"] == len(doc["findings"]) - 1
    assert [(e["rule"], e["node"]) for e in doc["baseline"]["fixed"]] == [("NAP-REF-001", "measure:1.1.1")]
