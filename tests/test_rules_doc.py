"""docs/rules.md is generated from rules/*.yaml and must be up to date."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from nap_rules.cli import main
from nap_rules.ruleset.catalogue import file_descriptions, render_catalogue
from nap_rules.ruleset.rules import load_rulesets

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rules.md"
REGENERATE = "run `nap-rules rules doc --output docs/rules.md` and commit the result"


def test_committed_catalogue_is_up_to_date():
    rules = load_rulesets([ROOT / "rules"])
    assert DOC.read_text(encoding="utf-8") == render_catalogue(rules, file_descriptions(rules)), REGENERATE


def test_catalogue_names_every_rule_once_in_its_table():
    rules = load_rulesets([ROOT / "rules"])
    text = render_catalogue(rules)
    for rule in rules:
        assert text.count(f"| [{rule.id}](#") == 1
        assert f"### {rule.id}: {rule.title}" in text
    assert "NAP-REF-001" in text  # the registry check built into the tool is documented too


def test_rules_doc_command_writes_the_catalogue(tmp_path):
    out = tmp_path / "rules.md"
    result = CliRunner().invoke(main, ["rules", "doc", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
