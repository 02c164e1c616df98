"""What the checker reports on the published plan, exactly as reviewed.

tests/expected/published-plan.json lists every (rule, node) of
`nap-rules check plan/ --as-of 2024-01-01 --format json`, each group reviewed against the
source document (its `review` notes give the lines). Any difference, a new finding or a
finding gone, fails this test: review it against the document before updating the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nap_rules.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected" / "published-plan.json"


def test_published_plan_findings_are_the_reviewed_ones(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check", "plan/", "--as-of", "2024-01-01", "--format", "json"])
    assert result.exit_code == 1, result.output  # the published plan has errors
    report = json.loads(result.output)
    got = sorted([f["rule"], f["node"]] for f in report["findings"])
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert got == expected["findings"]


def test_every_reported_rule_is_reviewed():
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert {rule for rule, _ in expected["findings"]} == set(expected["review"])
