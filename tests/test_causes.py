"""Findings grouped by cause: one entry per cause in text, every occurrence with its cause key in JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from nap_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _check(*args):
    return CliRunner().invoke(main, ["check", str(ROOT / "plan"), "--as-of", "2024-01-01", *args])


def test_the_published_plan_reads_in_at_most_60_lines_and_names_every_cause(monkeypatch):
    monkeypatch.chdir(ROOT)  # `nap-rules check plan/` as the README runs it
    text = CliRunner().invoke(main, ["check", "plan/"]).output
    report = json.loads(CliRunner().invoke(main, ["check", "plan/", "--format", "json"]).output)
    assert len(text.splitlines()) <= 60, text
    causes = {f["cause"] for f in report["findings"]}
    assert text.splitlines()[0].endswith(f"{len(causes)} causes")
    entries = re.findall(r"^  ([EWI]\d+) +(NAP-[A-Z0-9-]+)  (.*)$", text, re.M)
    named = 0
    grouped_rules = set()
    for _, rule, rest in entries:
        grouped = re.search(r" \((\d+) causes[,)]", rest)
        named += int(grouped.group(1)) if grouped else 1
        if grouped:
            grouped_rules.add(rule)
    assert named == len(causes)
    flowing = " ".join(text.split())  # entries wrap over lines
    by_rule: dict = {}
    for cause in causes:
        by_rule.setdefault(cause.split(":", 1)[0], []).append(cause.split(":", 1)[1])
    assert {"NAP-REF-001", "NAP-RESP-008", "NAP-SERIES-003", "NAP-ABBR-002"} <= grouped_rules
    for rule, keys in by_rule.items():  # an entry for several causes names each of them
        if rule in grouped_rules:
            for key in keys:
                assert re.search(rf"(: |, |; ){re.escape(key)}( ×| \[|: |, |; )", flowing), (rule, key)


def test_every_cause_of_the_full_rule_set_has_one_entry():
    text = _check().output
    causes = {f["cause"] for f in json.loads(_check("--format", "json").output)["findings"]}
    assert text.splitlines()[0].endswith(f"{len(causes)} causes")


def test_json_lists_every_occurrence_with_its_cause_key():
    findings = json.loads(_check("--format", "json").output)["findings"]
    assert len(findings) == 222 and all(f["cause"] for f in findings)
    causes = {f["cause"] for f in findings}
    assert {"NAP-REF-001:ON", "NAP-BUDGET-001:PG2", "NAP-BUDGET-001:PG3"} <= causes
    series = [f for f in findings if f["rule"] == "NAP-IND-007"]
    assert len(series) == 9 and len({f["cause"] for f in series}) == 3
    assert [f["node"] for f in findings if f["cause"] == "NAP-BUDGET-001:PG2"] == [
        "budget_line:PG2-current", "budget_line:PG2-capital"]


def test_the_paired_budget_gap_is_one_cause_explained_once():
    text = _check().output
    assert "goal PG2: 2,875,000 booked in the wrong row (PG2-current, PG2-capital)" in text
    assert text.count("NAP-BUDGET-001") == 2  # one entry per goal


def test_every_measure_without_an_accountable_body_is_named_with_its_document_line():
    findings = json.loads(_check("--format", "json").output)["findings"]
    resp = {f["node"]: f["doc_line"] for f in findings if f["rule"] == "NAP-RESP-008"}
    assert resp == {"measure:1.1.1": 608, "measure:1.1.2": 609, "measure:1.1.3": 611, "measure:2.1.6": 636,
                    "measure:2.2.1": 657, "measure:2.2.2": 658, "measure:2.2.3": 659, "measure:2.2.4": 661,
                    "measure:3.1.1": 671, "measure:3.1.7": 683}
    text = _check().output
    for node, line in resp.items():
        assert f"{node.split(':')[1]} [L{line}]" in " ".join(text.split())  # entries wrap


def test_unknown_bodies_are_errors_as_responsible_and_warnings_as_contributors():
    findings = json.loads(_check("--format", "json").output)["findings"]
    ref = [f for f in findings if f["rule"] == "NAP-REF-001"]
    assert {f["severity"] for f in ref if f["cause"] == "NAP-REF-001:ON"} == {"warning"}
    assert {f["severity"] for f in ref if f["cause"] == "NAP-REF-001:MD"} == {"error"}


def test_flat_text_keeps_one_line_per_finding_with_the_document_line():
    lines = [line for line in _check("--flat").output.splitlines() if line.startswith("plan/") or "/plan/" in line]
    assert len(lines) == 222
    cited = [line for line in lines if "  NAP-REF-001  " in line or "  NAP-RESP-008  " in line or "  NAP-BUDGET-001  " in line]
    assert len(cited) == 132 and all("[document L" in line for line in cited)


def test_sarif_gives_each_result_its_cause_and_document_line():
    sarif = json.loads(_check("--format", "sarif").output)
    results = sarif["runs"][0]["results"]
    assert all(r["properties"]["cause"] for r in results)
    cited = [r for r in results if r["ruleId"] in ("NAP-REF-001", "NAP-RESP-008", "NAP-BUDGET-001")]
    assert cited and all(r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in cited)


def test_the_footer_counts_the_files_with_findings_and_budget_totals_are_located_in_budget_yaml(tmp_path):
    text = _check("--ignore", "NAP-SERIES,NAP-NARR,NAP-ABBR,NAP-COST,NAP-TIME-009").output
    assert "in 5 of 9 files" in text.splitlines()[0]  # files with findings, of the files read
    fixture = ROOT / "tests" / "rules" / "NAP-BUDGET-002" / "fail"
    out = CliRunner().invoke(main, ["check", str(fixture), "--as-of", "2024-01-01", "--flat"]).output
    [line] = [x for x in out.splitlines() if "  NAP-BUDGET-002  " in x]
    assert line.startswith(f"{fixture}/budget.yaml:")


def test_builtin_checks_are_listed_and_explained():
    runner = CliRunner()
    listed = runner.invoke(main, ["rules", "list"]).output
    for rule in ("NAP-SCHEMA-001", "NAP-REF-001", "NAP-ENGINE", "NAP-WAIVER-002"):
        assert rule in listed
    explained = runner.invoke(main, ["rules", "explain", "NAP-REF-001"])
    assert explained.exit_code == 0 and "by the unknown name" in explained.output
    catalogue = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "### NAP-REF-001: " in catalogue and "### NAP-ENGINE: " in catalogue


def test_a_cause_named_after_its_item_says_which_item_when_it_stands_alone():
    fixture = ROOT / "tests" / "rules" / "NAP-SERIES-001" / "fail"
    text = CliRunner().invoke(main, ["check", str(fixture), "--as-of", "2024-01-01"]).output
    assert "  W1  NAP-SERIES-001  targets below the baseline, no decrease declared: 1.1.1-a — 1 measure" in text
    report = json.loads(CliRunner().invoke(main, ["check", str(fixture), "--as-of", "2024-01-01",
                                                  "--format", "json"]).output)
    assert [f["cause"] for f in report["findings"]] == ["NAP-SERIES-001:1.1.1-a"]
