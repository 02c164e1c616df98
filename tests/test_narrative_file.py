"""narrative.yaml and abbreviations.yaml load through the plan folder like the other files."""

from __future__ import annotations

import shutil
from pathlib import Path

from nap_rules.run.pipeline import validate

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "rules" / "NAP-NARR-006" / "pass"


def plan_with(tmp_path: Path, **files) -> Path:
    folder = tmp_path / "plan"
    shutil.copytree(BASE, folder)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_published_plan_reads_both_files():
    result = validate(ROOT / "plan")
    kinds = [a["kind"] for a in result.graph.nodes.values()]
    assert kinds.count("narrative") == 55 and kinds.count("abbreviation") == 40
    row = result.graph.nodes["abbreviation:GDPUE~2"]
    assert row["doc_line"] == 74 and row["occurrence"] == 2
    narrative = result.graph.nodes["narrative:2.1.15"]
    assert narrative["doc_line"] == 369 and narrative["indicators"][0]["doc_line"] == 413
    assert narrative["codes"] == ["VT", "PVT"]  # with an abbreviations table, the text's codes are searchable


def test_unknown_measure_and_indicator_are_reference_errors(tmp_path):
    folder = plan_with(tmp_path, narrative="""schema: nap-rules/narrative/v1
measures:
- measure: '9.9.9'
  doc_line: 3
  title: A measure the table does not have
  indicators:
  - {indicator: 9.9.9-a, name: Number of things, doc_line: 4}
""")
    result = validate(folder)
    refs = sorted((f.rule, f.node, f.detail) for f in result.findings if f.rule.startswith("NAP-REF"))
    assert refs == [("NAP-REF-002", "narrative:9.9.9", "indicator:9.9.9-a"),
                    ("NAP-REF-004", "narrative:9.9.9", "measure:9.9.9")]


def test_a_misshapen_row_is_a_schema_finding(tmp_path):
    folder = plan_with(tmp_path, abbreviations="""schema: nap-rules/abbreviations/v1
abbreviations:
- {code: MI, name: Ministry of Interior}
""")
    result = validate(folder)
    schema = [f for f in result.findings if f.rule.startswith("NAP-SCHEMA")]
    assert schema and schema[0].file.endswith("abbreviations.yaml") and schema[0].line == 3
