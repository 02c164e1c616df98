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
