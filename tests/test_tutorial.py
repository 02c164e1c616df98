"""The tutorial of docs/rules-language.md: its rule file is examples/tutorial/rules/mine.yaml,
both rules stay silent on the tutorial plan, each fires on its own failing case, and
`nap-rules rules test` runs their examples (and those of the standard rules)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from click.testing import CliRunner

from nap_rules.cli import main
from nap_rules.run.engine import evaluate
from nap_rules.run.pipeline import validate
from nap_rules.run.rule_tests import _patched, merge, run_folder_examples
from nap_rules.ruleset.rules import load_rulesets

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "examples" / "tutorial"
AS_OF = datetime.date(2024, 1, 1)


def test_the_tutorial_shows_the_rule_file_it_runs():
    doc = (ROOT / "docs" / "rules-language.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    assert (TUTORIAL / "rules" / "mine.yaml").read_text(encoding="utf-8") in blocks
    assert doc.index("## Tutorial") < doc.index("## A rule")


def test_neither_rule_fires_on_the_tutorial_plan_and_each_fires_on_its_case(tmp_path):
    rules = load_rulesets([TUTORIAL / "rules"])
    assert [r.id for r in rules] == ["MY-TIME-001", "MY-BUDGET-001"]
    assert evaluate(validate(TUTORIAL / "plan").graph, rules, as_of=AS_OF) == []
    for rule in rules:
        plan = _patched(TUTORIAL / "plan", rule.examples.failing[0], tmp_path / rule.id)
        found = evaluate(validate(plan).graph, rules, as_of=AS_OF)
        assert {f.rule for f in found} == {rule.id}
    messages = {r.id: evaluate(validate(_patched(TUTORIAL / "plan", r.examples.failing[0],
                                                 tmp_path / f"again-{r.id}")).graph,
                               [r], as_of=AS_OF)[0].message for r in rules}
    assert messages == {
        "MY-TIME-001": "measure 1.1.1 is due in 2021, but its indicator 1.1.1-a has no target "
                       "for 2021",
        "MY-BUDGET-001": "goal PG1: its measures cost 450,000, 45.00% of the plan's total of "
                         "1,000,000, more than 40%",
    }


def test_rules_test_reports_pass_or_fail_per_rule(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["rules", "test", "examples/tutorial/rules"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["PASS  MY-TIME-001  (2 examples)",
                                          "PASS  MY-BUDGET-001  (2 examples)",
                                          "2 of 2 rules pass their examples"]
    broken = (TUTORIAL / "rules" / "mine.yaml").read_text(encoding="utf-8")
    broken = broken.replace('"part <= params.limit"', '"part <= 10"')
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "mine.yml").write_text(broken.replace("../plan", str(TUTORIAL / "plan")))
    result = CliRunner().invoke(main, ["rules", "test", str(tmp_path / "rules")])
    assert result.exit_code == 1
    assert "FAIL  MY-BUDGET-001  (2 examples)" in result.output
    assert "pass " in result.output and "reports goal:PG1" in result.output
    assert "1 of 2 rules pass their examples" in result.output


def test_the_standard_rules_pass_their_own_examples():
    outcomes = run_folder_examples(ROOT / "rules")
    assert outcomes and all(o.ok for o in outcomes), [(o.rule.id, o.problems) for o in outcomes
                                                      if not o.ok]


def test_patches_merge_mappings_and_items_by_id():
    base = {"a": 1, "m": {"x": 1, "y": 2}, "items": [{"id": "1", "v": 1}, {"id": "2", "v": 2}],
            "plain": [1, 2]}
    patch = {"m": {"y": None}, "items": [{"id": "2", "v": 3}, {"id": "9"}], "plain": [3]}
    assert merge(base, patch) == {"a": 1, "m": {"x": 1, "y": None},
                                  "items": [{"id": "1", "v": 1}, {"id": "2", "v": 3}, {"id": "9"}],
                                  "plain": [3]}
