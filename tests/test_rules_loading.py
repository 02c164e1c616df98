"""Rule files: what loads, and every way a bad file is refused with its file, line and column."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nap_rules.errors import InputError
from nap_rules.lang.runtime import EvalLimits
from nap_rules.ruleset.rules import load_rulesets

GOOD_RULE = """\
  - id: {id}
    title: Targets fall inside the measure's own time span
    severity: warning
    applies_to: indicator
    where: "parent('measure') is not None"
    let:
      measure: "parent('measure')"
      bad_years: "[y for y in years(targets) if targets[y] is not None and not (measure.start <= y <= measure.deadline)]"
    assert: "not bad_years"
    message: "target set for {{bad_years}} but measure {{measure.id}} runs {{measure.start}}-{{measure.deadline}}"
    rationale: "A target outside the activity's span cannot be reached by it."
    references: ["Annex 1, column Start date / Deadline"]
    examples: {{pass: tests/rules/{id}/pass, fail: tests/rules/{id}/fail}}
"""


def ruleset(*rules: str) -> str:
    return "schema: nap-rules/ruleset/v1\nrules:\n" + "".join(rules)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str, name: str = "bad.yaml") -> InputError:
    write(tmp_path / "rules", name, text)
    with pytest.raises(InputError) as exc:
        load_rulesets([tmp_path / "rules"])
    return exc.value


def test_a_good_rule_file_loads_with_every_part(tmp_path):
    write(tmp_path / "rules", "time.yaml", ruleset(GOOD_RULE.format(id="NAP-TIME-002")))
    [rule] = load_rulesets([tmp_path / "rules"])
    assert rule.id == "NAP-TIME-002" and rule.severity == "warning"
    assert rule.applies_to == "indicator" and rule.where == "parent('measure') is not None"
    assert [name for name, _ in rule.let] == ["measure", "bad_years"]
    assert rule.assert_ == "not bad_years"
    assert rule.examples.passing == "tests/rules/NAP-TIME-002/pass"
    assert rule.references == ("Annex 1, column Start date / Deadline",)
    assert (rule.source.file, rule.source.line) == (str(tmp_path / "rules" / "time.yaml"), 3)
    assert rule.compiled.fields == {"targets"}


def test_files_load_in_name_order_and_folders_in_the_order_given(tmp_path):
    write(tmp_path / "a", "2.yaml", ruleset(GOOD_RULE.format(id="NAP-B-001")))
    write(tmp_path / "a", "1.yaml", ruleset(GOOD_RULE.format(id="NAP-A-001")))
    write(tmp_path / "b", "0.yaml", ruleset(GOOD_RULE.format(id="NAP-C-001")))
    write(tmp_path / "a", "notes.txt", "not a rule file")
    rules = load_rulesets([tmp_path / "a", tmp_path / "b"])
    assert [r.id for r in rules] == ["NAP-A-001", "NAP-B-001", "NAP-C-001"]


def test_unknown_key_in_a_rule(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace("    where:", "    wher:"))
    error = refused(tmp_path, text)
    assert "unknown key 'wher'" in error.message and "did you mean 'where'" in error.message
    assert error.location.file.endswith("bad.yaml")
    assert (error.location.line, error.location.column) == (7, 5)


def test_unknown_top_level_key(tmp_path):
    error = refused(tmp_path, "schema: nap-rules/ruleset/v1\nrule: []\n")
    assert error.location.line == 2 and "unknown key 'rule'" in error.message


def test_missing_required_key(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        '    rationale: "A target outside the activity\'s span cannot be reached by it."\n', ""))
    error = refused(tmp_path, text)
    assert "missing required key 'rationale'" in error.message and error.location.line == 3


def test_bad_severity_and_rule_id(tmp_path):
    error = refused(tmp_path, ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        "severity: warning", "severity: warn")))
    assert "'warn'; did you mean 'warning'? allowed values are: error, warning, info" in error.message
    assert error.location.line == 5
    error = refused(tmp_path, ruleset(GOOD_RULE.format(id="time-2")))
    assert "'time-2', which is not of the expected form: Group prefix and number, e.g. NAP-TIME-002" in error.message
    assert error.location.line == 3


def test_unknown_node_kind(tmp_path):
    error = refused(tmp_path, ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        "applies_to: indicator", "applies_to: indicators")))
    assert "did you mean 'indicator'" in error.message and error.location.line == 6


def test_unknown_field_in_an_expression_points_at_the_character(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        'assert: "not bad_years"', 'assert: "not bad_years and len(targts) > 0"'))
    error = refused(tmp_path, text)
    assert "rule NAP-TIME-002, assert: unknown name `targts`" in error.message
    assert "did you mean `targets`" in error.message
    line = text.splitlines()[error.location.line - 1]
    assert error.location.line == 11
    assert line[error.location.column - 1:].startswith("targts")


def test_unknown_field_of_a_related_node(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace("measure.deadline)]",
                                                               "measure.dedline)]"))
    error = refused(tmp_path, text)
    assert "let bad_years: measure has no field `dedline`" in error.message
    assert error.location.line == 10


def test_unknown_field_in_a_block_scalar(tmp_path):
    rule = GOOD_RULE.format(id="NAP-TIME-002").replace(
        '    assert: "not bad_years"\n',
        "    assert: >-\n      not bad_years\n      and satrt is None\n")
    error = refused(tmp_path, ruleset(rule))
    assert "unknown name `satrt`" in error.message
    assert error.location.line == 13


def test_a_let_value_may_use_only_the_names_above_it(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        '      measure: "parent(\'measure\')"\n', "").replace(
        "    assert:", "    assert: \"measure is None or not bad_years\"\n    x_:").replace(
        '    x_: "not bad_years"\n', "").replace(
        "      bad_years:", "      bad_years:").replace(
        "    let:\n", "    let:\n      early: \"bad_years\"\n"))
    error = refused(tmp_path, text)
    assert "`bad_years` is defined later in `let`" in error.message


def test_where_cannot_use_let_names(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        "where: \"parent('measure') is not None\"", 'where: "bad_years != []"'))
    error = refused(tmp_path, text)
    assert "`bad_years` is a `let` name: `where` is checked before" in error.message
    assert error.location.line == 7


def test_unknown_function(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        '"not bad_years"', '"not bad_years and open(id)"'))
    error = refused(tmp_path, text)
    assert "`open` is not a function of the rule language" in error.message


def test_bad_message_placeholder(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace("{measure.id}",
                                                               "{measure.idd}"))
    error = refused(tmp_path, text)
    assert "rule NAP-TIME-002, message: bad placeholder {measure.idd}" in error.message
    assert "measure has no field `idd`" in error.message
    line = text.splitlines()[error.location.line - 1]
    assert line[error.location.column - 1:].startswith("measure.idd}")  # the expression in the braces


def test_format_spec_in_a_message_is_refused(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace("{bad_years}",
                                                               "{bad_years!r:>10}"))
    error = refused(tmp_path, text)
    assert "bad placeholder {bad_years!r:>10}" in error.message and error.location.line == 12


def test_at_must_name_a_field_of_the_kind(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002") + "    at: target\n")
    error = refused(tmp_path, text)
    assert "at: indicator has no field 'target'" in error.message
    assert "did you mean 'targets'" in error.message and error.location.line == 16


def test_unknown_parameter(tmp_path):
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        '"not bad_years"', '"not bad_years or params.tolerence > 1"') +
        "    params: {tolerance: 5}\n")
    error = refused(tmp_path, text)
    assert "unknown parameter `tolerence`" in error.message and "did you mean" in error.message


def test_duplicate_rule_ids_across_two_files(tmp_path):
    write(tmp_path / "rules", "a.yaml", ruleset(GOOD_RULE.format(id="NAP-TIME-002")))
    write(tmp_path / "rules", "b.yaml", "# second file\n" +
          ruleset(GOOD_RULE.format(id="NAP-TIME-003"), GOOD_RULE.format(id="NAP-TIME-002")))
    with pytest.raises(InputError) as exc:
        load_rulesets([tmp_path / "rules"])
    error = exc.value
    assert error.location.file.endswith("b.yaml") and error.location.line == 17
    assert "duplicate rule id NAP-TIME-002 (first defined at" in error.message
    assert "a.yaml:3:5" in error.message


def test_duplicate_rule_ids_in_one_file(tmp_path):
    error = refused(tmp_path, ruleset(GOOD_RULE.format(id="NAP-TIME-002"),
                                      GOOD_RULE.format(id="NAP-TIME-002")))
    assert "duplicate rule id NAP-TIME-002" in error.message and error.location.line == 16


def test_bad_yaml_and_non_mapping_files(tmp_path):
    error = refused(tmp_path, "schema: nap-rules/ruleset/v1\nrules: [\n")
    assert error.location is not None and error.location.file.endswith("bad.yaml")
    error = refused(tmp_path, "- just\n- a list\n")
    assert "a rule file is a mapping" in error.message


def test_a_missing_rule_folder(tmp_path):
    with pytest.raises(InputError, match="rule folder not found"):
        load_rulesets([tmp_path / "nowhere"])


def test_expression_length_limit_is_configurable(tmp_path):
    long_assert = "not bad_years" + " and True" * 50
    text = ruleset(GOOD_RULE.format(id="NAP-TIME-002").replace(
        '"not bad_years"', f'"{long_assert}"'))
    write(tmp_path / "rules", "long.yaml", text)
    with pytest.raises(InputError, match="limit `expression_length` = 100"):
        load_rulesets([tmp_path / "rules"], limits=EvalLimits(expression_length=100))
    assert load_rulesets([tmp_path / "rules"], limits=EvalLimits(expression_length=1000))


def test_the_contract_example_loads(tmp_path):
    example = textwrap.dedent("""\
        schema: nap-rules/ruleset/v1
        rules:
          - id: NAP-TIME-002
            title: Targets fall inside the measure's own time span
            severity: warning               # error | warning | info
            applies_to: indicator
            where: "parent('measure') is not None"
            let:                            # named values, usable in assert and message
              measure: "parent('measure')"
              bad_years: "[y for y in years(targets) if targets[y] is not None and not (measure.start <= y <= measure.deadline)]"
            assert: "not bad_years"
            message: "target set for {bad_years} but measure {measure.id} runs {measure.start}-{measure.deadline}"
            rationale: "A target outside the activity's span cannot be reached by it."
            references: ["Annex 1, column Start date / Deadline"]
            examples: {pass: tests/rules/NAP-TIME-002/pass, fail: tests/rules/NAP-TIME-002/fail}
        """)
    write(tmp_path / "rules", "time.yaml", example)
    assert [r.id for r in load_rulesets([tmp_path / "rules"])] == ["NAP-TIME-002"]


def test_yml_files_load_like_yaml_files(tmp_path):
    write(tmp_path / "rules", "time.yml", ruleset(GOOD_RULE.format(id="NAP-TIME-002")))
    assert [r.id for r in load_rulesets([tmp_path / "rules"])] == ["NAP-TIME-002"]


def test_a_rule_folder_without_rule_files_is_an_error(tmp_path):
    write(tmp_path / "rules", "notes.txt", "not a rule file")
    with pytest.raises(InputError) as exc:
        load_rulesets([tmp_path / "rules"])
    assert "no rule file in this folder (rule files end in .yaml or .yml)" in str(exc.value)


def test_every_problem_of_the_rule_files_is_reported_in_one_run(tmp_path):
    bad = GOOD_RULE.format(id="MY-001").replace('"not bad_years"', '"not bad_yeras"')
    worse = GOOD_RULE.format(id="MY-002").replace("{measure.id}", "{measure.idd}")
    write(tmp_path / "rules", "a.yaml", ruleset(bad, worse, GOOD_RULE.format(id="MY-003")))
    write(tmp_path / "rules", "b.yaml", ruleset(GOOD_RULE.format(id="MY-003"))
          .replace("severity: warning", "severity: warn"))
    with pytest.raises(InputError) as exc:
        load_rulesets([tmp_path / "rules"])
    lines = str(exc.value).splitlines()
    assert len(lines) == 3, lines
    assert "a.yaml:11:18: " in lines[0] and "unknown name `bad_yeras`" in lines[0]
    assert "a.yaml:" in lines[1] and "measure has no field `idd`" in lines[1]
    assert "b.yaml:5:5: " in lines[2] and "severity" in lines[2]
    assert [p.message for p in exc.value.problems][0] == exc.value.message
