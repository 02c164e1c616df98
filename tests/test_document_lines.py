"""Plan items cite the source document (`doc_line`); every finding carries the line its item cites."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner
from planfactory import PLAN, goal, measure, write_plan

from nap_rules.cli import main
from nap_rules.model.document import plan_document

DOCUMENT = "Title\n\n1.1.1\tThe measure as printed\tMI\n"


def _plan(tmp_path, checksum=None, cited=3):
    (tmp_path / "doc.txt").write_text(DOCUMENT, encoding="utf-8")
    document = {"title": "The published plan", "path": "../doc.txt"}
    if checksum is not None:
        document["sha256"] = checksum
    m = measure("1.1.1", responsible=["XX"], doc_line=cited)  # an unknown body: a NAP-REF-001 finding
    return write_plan(tmp_path / "p", plan={**PLAN, "document": document}, goals=[goal(measures=[m])])


def _check(plan, *args):
    return CliRunner().invoke(main, ["check", str(plan), "--as-of", "2024-01-01", *args])


def test_text_json_and_sarif_carry_the_document_line(tmp_path):
    plan = _plan(tmp_path)
    text = _check(plan, "--flat").output
    assert "body not in institutions.yaml: 'XX' [document L3]" in text
    assert "[document L3]" in _check(plan).output  # the summary by cause cites it too
    [ref] = [f for f in json.loads(_check(plan, "--format", "json").output)["findings"] if f["rule"] == "NAP-REF-001"]
    assert ref["doc_line"] == 3
    sarif = json.loads(_check(plan, "--format", "sarif").output)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "NAP-REF-001"]
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["region"] == {"startLine": 3}
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith("doc.txt")
    assert "The published plan" in related["message"]["text"]


def test_a_list_of_lines_cites_the_first(tmp_path):
    plan = _plan(tmp_path, cited=[3, 1])
    assert "[document L3]" in _check(plan).output


def test_the_html_report_quotes_the_line_only_from_the_declared_file(tmp_path):
    good = hashlib.sha256(DOCUMENT.encode()).hexdigest()
    plan = _plan(tmp_path, checksum=good)
    out = tmp_path / "r.html"
    CliRunner().invoke(main, ["report", str(plan), "--html", str(out), "--as-of", "2024-01-01"])
    assert "<q>1.1.1\tThe measure as printed\tMI</q>" in out.read_text(encoding="utf-8")
    assert plan_document(plan, read=True).quote(3).startswith("1.1.1")
    bad = _plan(tmp_path, checksum="0" * 64)
    CliRunner().invoke(main, ["report", str(bad), "--html", str(out), "--as-of", "2024-01-01"])
    page = out.read_text(encoding="utf-8")
    assert "document L3" in page and "<q>" not in page
    assert "does not have the declared sha256" in plan_document(bad, read=True).problem


def test_findings_without_a_cited_line_have_no_document_reference(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1.1", responsible=["XX"])])])
    assert "[document" not in _check(plan).output
    assert all("doc_line" not in f for f in json.loads(_check(plan, "--format", "json").output)["findings"])


def test_a_document_outside_the_plan_folder_is_read_only_with_its_checksum(tmp_path):
    unpinned = _plan(tmp_path)  # ../doc.txt without sha256: any file could be quoted so
    document = plan_document(unpinned, read=True)
    assert document.lines is None and "outside the plan folder" in document.problem
    out = tmp_path / "r.html"
    CliRunner().invoke(main, ["report", str(unpinned), "--html", str(out), "--as-of", "2024-01-01"])
    assert "The measure as printed" not in out.read_text(encoding="utf-8")


def test_a_document_that_is_a_pipe_is_not_waited_on(tmp_path):
    import os

    plan = write_plan(tmp_path / "p", plan={**PLAN, "document": {"title": "T", "path": "doc.txt"}},
                      goals=[goal(measures=[measure("1.1.1")])])
    os.mkfifo(plan / "doc.txt")
    document = plan_document(plan, read=True)
    assert document.lines is None and "not a regular file" in document.problem


def test_every_finding_on_the_published_plan_cites_a_document_line():
    from pathlib import Path
    plan = Path(__file__).resolve().parents[1] / "plan"
    findings = json.loads(_check(plan, "--format", "json").output)["findings"]
    assert findings and [f for f in findings if f.get("doc_line") is None] == []
    sarif = json.loads(_check(plan, "--format", "sarif").output)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"] if not r.get("relatedLocations")] == []
