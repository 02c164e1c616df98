"""Every standard rule (rules/*.yaml) against its fixture plans in tests/rules/<RULE-ID>/.

pass/ must give no finding of the rule; fail/ must give exactly the (rule, node) pairs listed
in expected.yaml. Both are checked at the evaluation date expected.yaml pins (`as_of`), with the
rule alone, and must be well-formed plans (no schema finding, no rule that cannot be evaluated),
so that a fixture never passes because nothing was checked.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
import yaml

from nap_rules.lang.compiler import Compiled
from nap_rules.ruleset.rules import load_ruleset_file, load_rulesets
from nap_rules.run.engine import ENGINE_RULE, evaluate
from nap_rules.run.pipeline import validate

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "rules"
FIXTURES = ROOT / "tests" / "rules"
RULES = load_rulesets([RULES_DIR])


def expected(rule) -> dict:
    return yaml.safe_load((FIXTURES / rule.id / "expected.yaml").read_text(encoding="utf-8"))


def run(rule, folder: Path, as_of: datetime.date):
    result = validate(folder)
    schema = [f for f in result.findings if f.rule.startswith("NAP-SCHEMA")]
    assert result.graph is not None and not schema, f"{folder} is not a valid plan: {schema}"
    findings = evaluate(result.graph, [rule], as_of=as_of)
    engine = [f.message for f in findings if f.rule == ENGINE_RULE]
    assert not engine, engine
    return findings


def as_of_of(rule) -> datetime.date:
    return datetime.date.fromisoformat(str(expected(rule)["as_of"]))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_passes_and_fails_on_its_fixtures(rule):
    as_of = as_of_of(rule)
    passing = run(rule, ROOT / rule.examples.passing, as_of)
    assert [(f.rule, f.node) for f in passing if f.rule == rule.id] == []
    failing = run(rule, ROOT / rule.examples.failing, as_of)
    got = sorted((f.rule, f.node) for f in failing if f.rule == rule.id)
    assert got == sorted((rule.id, node) for node in expected(rule)["fail"])


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_pass_fixture_exercises_the_rule(rule):
    """The passing plan has nodes the rule actually checks (its `where` holds for some)."""
    always_false = Compiled("False", lambda fr: False)
    probe = dataclasses.replace(rule, compiled=dataclasses.replace(rule.compiled, assert_=always_false))
    checked = run(probe, ROOT / rule.examples.passing, as_of_of(rule))
    assert [f for f in checked if f.rule == rule.id], f"{rule.id} checks nothing in its pass fixture"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule):
    assert rule.title.strip()
    assert len(rule.rationale.split()) >= 10, "the rationale says why a reviewer cares"
    assert rule.references and all(ref.strip() for ref in rule.references)
    assert rule.examples.passing == f"tests/rules/{rule.id}/pass"
    assert rule.examples.failing == f"tests/rules/{rule.id}/fail"
    for folder in (rule.examples.passing, rule.examples.failing):
        assert (ROOT / folder / "plan.yaml").is_file(), folder
    exp = expected(rule)
    assert set(exp) == {"as_of", "fail"} and exp["fail"], "expected.yaml: as_of and a non-empty fail list"


def test_every_fixture_folder_belongs_to_a_rule():
    ids = {r.id for r in RULES}
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert folders == ids


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_rule_file_loads(path):
    """Each file validates against schemas/ruleset.schema.json and compiles on its own."""
    rules = load_ruleset_file(path)
    prefix = {r.id.rsplit("-", 1)[0] for r in rules}
    assert len(prefix) == 1, f"{path.name} mixes rule groups {sorted(prefix)}"
