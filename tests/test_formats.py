"""The report formats: SARIF against the official schema, JUnit counts, GitHub commands, Markdown."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from jsonschema import Draft7Validator

from nap_rules.findings import Finding, Report
from nap_rules.load.locations import Location
from nap_rules.report import FORMATS, render
from nap_rules.report.github import escape_data, escape_property
from nap_rules.report.markdown import SHOWN, cell
from nap_rules.review.baseline import BaselineEntry
from nap_rules.review.waivers import Waived
from nap_rules.ruleset.config import Waiver

SARIF_SCHEMA = Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json"


def rule(ident, title, severity="warning", rationale="Because.", references=()):
    return SimpleNamespace(id=ident, title=title, severity=severity, rationale=rationale, references=references)


RULES = (
    rule("NAP-TIME-002", "Targets fall inside the measure's own time span", "warning",
         "A target outside the activity's span cannot be reached by it.", ("Annex 1, Start date / Deadline",)),
    rule("NAP-BUD-001", "Budget lines add up to the published totals", "error", "Totals must reconcile."),
    rule("NAP-IND-003", "Every measure has an indicator", "info", ""),
)

F_TIME = Finding("NAP-TIME-002", "warning", "indicator:3.1.2-a", "target set for [2024] but measure 3.1.2 runs 2021-2023",
                 "plan/goals/PG3.yaml", 88, 11, detail="2024", values=(("bad_years", "[2024]"), ("measure.start", "2021")))
F_BUD = Finding("NAP-BUD-001", "error", "plan:nap", "lines add up to 412 | published 413\nsee budget.yaml",
                "plan/budget.yaml", 14, 3, detail="total_cost")
F_INFO = Finding("NAP-IND-003", "info", "measure:1.1.2", "measure 1.1.2 has no indicator", "plan/goals/PG1.yaml", 20, 7)
F_REF = Finding("NAP-REF-001", "error", "measure:1.1.2", "body not in institutions.yaml: 'MB'", "plan/goals/PG1.yaml", 22, 22,
                detail="institution:MB")
WAIVER = Waiver("NAP-IND", "measure:1.1.4", "Indicator agreed with the ministry", "Steering committee",
                datetime.date(2030, 1, 1), Location("plan/.nap-rules.yaml", 5, 5))
F_WAIVED = Finding("NAP-IND-003", "info", "measure:1.1.4", "measure 1.1.4 has no indicator", "plan/goals/PG1.yaml", 40, 7)


def report(**changes) -> Report:
    base = dict(tool_version="0.1.0", plan="nap-thb-2021-2023", findings=(F_BUD, F_INFO, F_REF, F_TIME),
                files_checked=6, rules=RULES)
    base.update(changes)
    return Report(**base)


def sarif_of(rep: Report) -> dict:
    doc = json.loads(render("sarif", rep))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(doc),
                    key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    return doc


# --- registry ---------------------------------------------------------------------------------

def test_every_registered_format_renders_a_report():
    assert {"sarif", "junit", "github", "markdown"} <= set(FORMATS)
    for name in FORMATS:
        assert render(name, report()).endswith("\n")


def test_formats_are_imported_only_when_asked_for():
    code = "import sys, nap_rules.report; print(any(m.startswith('nap_rules.report.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- SARIF ------------------------------------------------------------------------------------

def test_the_shipped_schema_is_the_sarif_2_1_0_schema():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert "sarif-schema-2.1.0.json" in schema["$id"]
    Draft7Validator.check_schema(schema)


@pytest.mark.parametrize("rep", [
    report(),
    report(findings=(), rules=()),
    report(findings=(F_BUD, F_INFO, F_REF, F_TIME), baseline="b.json", known=(F_TIME,),
           fixed=(BaselineEntry("NAP-X-001", "measure:9", "", "gone", "plan/goals/PG9.yaml"),),
           waived=(Waived(F_WAIVED, WAIVER),), explain=True),
    report(findings=(Finding("NAP-REF-001", "error", "", "odd \x01 text ✓", "my plan/goals/P G1.yaml", 0, 0),), rules=()),
], ids=["plain", "empty", "baseline-waivers-explain", "odd-text-and-no-position"])
def test_sarif_validates_against_the_official_schema(rep):
    sarif_of(rep)


def test_sarif_has_one_result_per_finding_with_its_rule_and_1_based_region():
    doc = sarif_of(report())
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == 4
    by_rule = {r["ruleId"]: r for r in results}
    time = by_rule["NAP-TIME-002"]
    assert rules[time["ruleIndex"]]["id"] == "NAP-TIME-002"
    assert time["level"] == "warning" and by_rule["NAP-BUD-001"]["level"] == "error"
    assert by_rule["NAP-IND-003"]["level"] == "note"
    location = time["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "plan/goals/PG3.yaml"
    assert location["region"] == {"startLine": 88, "startColumn": 11}
    assert time["message"]["text"] == F_TIME.message
    assert time["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "indicator:3.1.2-a"


def test_sarif_rule_metadata_comes_from_the_rule_specs():
    rules = {r["id"]: r for r in sarif_of(report())["runs"][0]["tool"]["driver"]["rules"]}
    time = rules["NAP-TIME-002"]
    assert time["shortDescription"]["text"] == "Targets fall inside the measure's own time span"
    assert time["fullDescription"]["text"] == "A target outside the activity's span cannot be reached by it."
    assert time["name"] == "TargetsFallInsideTheMeasureSOwnTimeSpan"
    assert time["defaultConfiguration"]["level"] == "warning"
    assert "Annex 1, Start date / Deadline" in time["help"]["text"]
    assert "helpUri" not in time
    assert "fullDescription" not in rules["NAP-IND-003"]
    # a finding of a check built into the tool is described too
    assert rules["NAP-REF-001"]["shortDescription"]["text"] == "Every body a measure names is in institutions.yaml"


def test_sarif_fingerprints_follow_the_semantic_key_not_the_line():
    moved = Finding(F_TIME.rule, F_TIME.severity, F_TIME.node, "reworded", "plan/goals/PG3.yaml", 120, 3, detail=F_TIME.detail)
    one = sarif_of(report(findings=(F_TIME,)))["runs"][0]["results"][0]["partialFingerprints"]
    two = sarif_of(report(findings=(moved,)))["runs"][0]["results"][0]["partialFingerprints"]
    assert one == two
    other = Finding(F_TIME.rule, F_TIME.severity, "indicator:3.1.2-b", F_TIME.message, F_TIME.file, 88, 11, detail=F_TIME.detail)
    three = sarif_of(report(findings=(other,)))["runs"][0]["results"][0]["partialFingerprints"]
    assert three != one


def test_sarif_marks_baseline_state_and_waivers():
    rep = report(baseline="b.json", known=(F_TIME,), waived=(Waived(F_WAIVED, WAIVER),))
    results = sarif_of(rep)["runs"][0]["results"]
    states = {r["ruleId"] + " " + r["properties"]["node"]: r.get("baselineState") for r in results}
    assert states["NAP-TIME-002 indicator:3.1.2-a"] == "unchanged"
    assert states["NAP-BUD-001 plan:nap"] == "new"
    waived = [r for r in results if "suppressions" in r]
    assert len(waived) == 1
    assert waived[0]["suppressions"][0]["justification"].startswith("Indicator agreed with the ministry")


def test_sarif_explain_carries_the_values():
    results = sarif_of(report(explain=True))["runs"][0]["results"]
    time = next(r for r in results if r["ruleId"] == "NAP-TIME-002")
    assert time["properties"]["values"] == {"bad_years": "[2024]", "measure.start": "2021"}


def test_sarif_output_is_deterministic():
    assert render("sarif", report()) == render("sarif", report())


# --- JUnit ------------------------------------------------------------------------------------

def junit_of(rep: Report) -> ET.Element:
    return ET.fromstring(render("junit", rep).encode("utf-8"))


def test_junit_has_one_test_case_per_rule_and_one_failure_per_finding():
    second = Finding("NAP-TIME-002", "warning", "indicator:3.1.3-a", "m", "plan/goals/PG3.yaml", 99, 11)
    root = junit_of(report(findings=(F_BUD, F_INFO, F_REF, F_TIME, second), fail_on="info"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    # three rule specs, plus NAP-REF-001 which reported without being in the rule files
    assert [c.get("name").split(":")[0] for c in cases] == ["NAP-BUD-001", "NAP-IND-003", "NAP-REF-001", "NAP-TIME-002"]
    failures = {c.get("name").split(":")[0]: len(c.findall("failure")) for c in cases}
    assert failures == {"NAP-BUD-001": 1, "NAP-IND-003": 1, "NAP-REF-001": 1, "NAP-TIME-002": 2}
    assert suite.get("tests") == "4" and suite.get("failures") == "4"
    assert root.get("tests") == "4" and root.get("failures") == "4"


@pytest.mark.parametrize("fail_on, failing", [
    ("error", {"NAP-BUD-001", "NAP-REF-001"}),
    ("warning", {"NAP-BUD-001", "NAP-REF-001", "NAP-TIME-002"}),
    ("info", {"NAP-BUD-001", "NAP-REF-001", "NAP-TIME-002", "NAP-IND-003"}),
    ("never", set()),
])
def test_junit_fails_only_what_fails_the_run(fail_on, failing):
    suite = junit_of(report(fail_on=fail_on)).find("testsuite")
    cases = {c.get("name").split(":")[0]: c for c in suite.findall("testcase")}
    assert {rule for rule, c in cases.items() if c.find("failure") is not None} == failing
    assert suite.get("failures") == str(len(failing))
    for rule in set(cases) - failing:
        assert f"below --fail-on {fail_on}: " in cases[rule].find("system-out").text


def test_junit_rules_without_findings_pass_and_known_or_waived_findings_do_not_fail():
    rep = report(findings=(F_BUD, F_TIME), baseline="b.json", known=(F_TIME,), waived=(Waived(F_WAIVED, WAIVER),))
    suite = junit_of(rep).find("testsuite")
    cases = {c.get("name").split(":")[0]: c for c in suite.findall("testcase")}
    assert len(cases) == 3  # the three rules that ran
    assert suite.get("failures") == "1"
    assert [len(c.findall("failure")) for c in cases.values()] == [1, 0, 0]
    assert "known (in the baseline)" in cases["NAP-TIME-002"].find("system-out").text
    assert "waived (Indicator agreed with the ministry)" in cases["NAP-IND-003"].find("system-out").text


def test_junit_failure_names_the_place_and_survives_odd_text():
    odd = Finding("NAP-BUD-001", "error", "plan:nap", "a < b & \"c\" \x07 d", "plan/budget.yaml", 3, 4)
    case = junit_of(report(findings=(odd,))).find("testsuite/testcase")
    failure = case.find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message").startswith("plan/budget.yaml:3:4: error NAP-BUD-001 plan:nap: a < b & \"c\"")


def test_junit_empty_report_is_valid_xml():
    root = junit_of(report(findings=(), rules=()))
    assert root.get("tests") == "0" and root.find("testsuite") is not None


# --- GitHub -----------------------------------------------------------------------------------

def test_github_escaping_follows_the_actions_toolkit():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_github_annotations():
    out = render("github", report()).splitlines()
    assert out[0] == "::error file=plan/budget.yaml,line=14,col=3,title=NAP-BUD-001::" \
                     "lines add up to 412 | published 413%0Asee budget.yaml [plan:nap]"
    assert out[1].startswith("::notice file=plan/goals/PG1.yaml,line=20,col=7,title=NAP-IND-003::")
    assert out[3].startswith("::warning file=plan/goals/PG3.yaml,line=88,col=11,title=NAP-TIME-002::")
    assert out[-1] == "nap-rules: 4 findings (2 errors, 1 warning, 1 info)"


def test_github_annotates_only_new_findings_and_escapes_properties():
    odd = Finding("NAP-REF-001", "error", "", "x", "plan/goals/a,b:c.yaml", 2, 1)
    rep = report(findings=(odd, F_TIME), baseline="b.json", known=(F_TIME,), waived=(Waived(F_WAIVED, WAIVER),))
    out = render("github", rep).splitlines()
    assert out[0] == "::error file=plan/goals/a%2Cb%3Ac.yaml,line=2,col=1,title=NAP-REF-001::x"
    assert len(out) == 2
    assert out[1] == "nap-rules: 1 new finding (1 error, 0 warnings, 0 info); 1 known from the baseline, 0 fixed; 1 waived"


def test_github_explain_adds_the_values_on_escaped_lines():
    line = render("github", report(findings=(F_TIME,), explain=True)).splitlines()[0]
    assert line.endswith("runs 2021-2023 [indicator:3.1.2-a]%0Abad_years = [2024]%0Ameasure.start = 2021")


# --- Markdown ---------------------------------------------------------------------------------

def test_markdown_cell_escaping():
    assert cell("a | b\nc") == "a \\| b<br>c"
    assert cell("<details> & *x*") == "&lt;details&gt; &amp; \\*x\\*"


def test_markdown_summary_counts_and_a_table_per_rule():
    text = render("markdown", report())
    assert "### nap-rules: nap-thb-2021-2023" in text
    assert "| findings | 2 | 1 | 1 |" in text
    for rule_id in ("NAP-BUD-001", "NAP-IND-003", "NAP-REF-001", "NAP-TIME-002"):
        assert f"#### {rule_id}: " in text
    assert "| plan/budget.yaml:14 | plan:nap | lines add up to 412 \\| published 413<br>see budget.yaml |" in text
    for line in text.splitlines():
        if line.startswith("| "):  # an escaped pipe never opens a column
            assert len(line.replace("\\|", "").split("|")) - 2 in (3, 4)


def test_markdown_folds_long_lists():
    many = tuple(Finding("NAP-TIME-002", "warning", f"indicator:{i}", f"m{i}", "plan/goals/PG3.yaml", i, 1)
                 for i in range(1, SHOWN + 6))
    text = render("markdown", report(findings=many))
    head, _, folded = text.partition("<details><summary>5 more</summary>")
    assert head.count("| plan/goals/PG3.yaml:") == SHOWN
    assert folded.count("| plan/goals/PG3.yaml:") == 5 and "</details>" in folded


def test_markdown_with_baseline_and_waivers():
    rep = report(findings=(F_BUD, F_TIME), baseline="b.json", known=(F_TIME,),
                 fixed=(BaselineEntry("NAP-X-001", "measure:9", "", "gone", "plan/goals/PG9.yaml"),),
                 waived=(Waived(F_WAIVED, WAIVER),))
    text = render("markdown", rep)
    assert "| new | 1 | 0 | 0 |" in text and "| known (baseline) | 0 | 1 | 0 |" in text
    assert "| waived | 0 | 0 | 1 |" in text
    assert "#### NAP-BUD-001" in text and "#### NAP-TIME-002" not in text
    assert "<details><summary>Known findings, listed in the baseline: 1</summary>" in text
    assert "<details><summary>Fixed since the baseline: 1</summary>" in text
    assert "| NAP-IND-003 | measure:1.1.4 | Indicator agreed with the ministry | Steering committee | 2030-01-01 |" in text


def test_markdown_without_findings():
    assert "No findings." in render("markdown", report(findings=()))
    assert "No new findings." in render("markdown", report(findings=(), baseline="b.json"))
