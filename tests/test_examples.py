"""examples/monitoring: illustrative reports that show each monitoring case on the published plan."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nap_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
MONITORING = ROOT / "examples" / "monitoring"


def test_every_example_report_says_it_is_illustrative():
    files = sorted(MONITORING.glob("*.yaml"))
    assert files
    for path in files:
        head = path.read_text(encoding="utf-8").split("\n", 3)[1]
        assert head.startswith("# ILLUSTRATIVE DATA, NOT PUBLISHED FIGURES"), path.name


def test_examples_show_on_track_at_risk_off_track_and_overdue(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "plan/", "--progress", "examples/monitoring",
                                       "--as-of", "2023-07-01", "--format", "json"])
    findings = json.loads(result.output)["findings"]
    from_reports = [f for f in findings if f["file"].startswith("examples/")]
    assert from_reports == []  # every report reads cleanly: known indicators and measures
    monitoring = sorted((f["rule"], f["node"]) for f in findings
                        if f["rule"].startswith("NAP-PROGRESS") or f["rule"] == "NAP-TIME-008")
    assert monitoring == [
        ("NAP-PROGRESS-001", "indicator:3.1.1-b"),  # off track
        ("NAP-PROGRESS-001", "indicator:OI-4"),     # off track, decreasing indicator
        ("NAP-PROGRESS-002", "indicator:3.1.2-a"),  # at risk
        ("NAP-TIME-008", "measure:2.2.3"),          # overdue, reported in progress
        ("NAP-TIME-008", "measure:3.2.4"),          # overdue, in no report
    ]
