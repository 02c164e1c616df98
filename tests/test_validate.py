"""`nap-rules validate`: exit codes, schema findings and reference findings, each at its line."""

import json

import pytest
from click.testing import CliRunner
from planfactory import goal, measure, write_plan

from nap_rules.cli import main


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def findings(result):
    return json.loads(result.output)["findings"]


def line_of(path, needle: str) -> int:
    for n, text in enumerate(path.read_text().splitlines(), 1):
        if needle in text:
            return n
    raise AssertionError(needle)


def test_clean_plan_exits_0(tmp_path):
    plan = write_plan(tmp_path / "p")
    result = run("validate", str(plan))
    assert result.exit_code == 0, result.output
    assert "0 findings" in result.output


def test_wrong_type_is_a_schema_finding_at_its_line(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", start="2021")])])
    result = run("validate", str(plan), "--format", "json")
    assert result.exit_code == 1
    [f] = findings(result)
    assert f["rule"] == "NAP-SCHEMA-002"
    assert f["node"] == "measure:1.1"
    assert f["file"] == f"{plan}/goals/PG1.yaml"
    assert f["line"] == line_of(plan / "goals" / "PG1.yaml", "start: '2021'")


def test_unknown_key_points_at_the_key_and_suggests(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", dedline=2023)])])
    result = run("validate", str(plan), "--format", "json")
    [f] = findings(result)
    assert f["rule"] == "NAP-SCHEMA-001"
    assert f["line"] == line_of(plan / "goals" / "PG1.yaml", "dedline:")
    assert "did you mean 'deadline'" in f["message"]


def test_missing_required_key(tmp_path):
    m = measure("1.1.1")
    del m["title"]
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[m])])
    [f] = findings(run("validate", str(plan), "--format", "json"))
    assert f["rule"] == "NAP-SCHEMA-003" and "'title'" in f["message"]
    assert f["line"] == line_of(plan / "goals" / "PG1.yaml", "- id: 1.1.1")


def test_duplicate_key_exits_2_with_location(tmp_path):
    plan = write_plan(tmp_path / "p")
    path = plan / "goals" / "PG1.yaml"
    path.write_text(path.read_text().replace("title: Goal PG1\n", "title: Goal PG1\ntitle: Again\n"))
    result = run("validate", str(plan))
    assert result.exit_code == 2
    assert f"{plan}/goals/PG1.yaml:4:1: duplicate key 'title'" in result.output


def test_missing_schema_line_exits_2(tmp_path):
    plan = write_plan(tmp_path / "p")
    path = plan / "institutions.yaml"
    path.write_text("\n".join(path.read_text().splitlines()[1:]) + "\n")
    result = run("validate", str(plan))
    assert result.exit_code == 2
    assert f"{plan}/institutions.yaml:1:1: missing 'schema: nap-rules/institutions/v1' line" in result.output


@pytest.mark.parametrize("value, fragment", [
    ("nap-rules/goals/v1", "unknown file kind 'goals'"),
    ("nap-rules/goal/v2", "unknown version 'v2'"),
    ("nap-rules/budget/v1", "declared as 'budget'"),
])
def test_wrong_schema_line_exits_2(tmp_path, value, fragment):
    plan = write_plan(tmp_path / "p")
    path = plan / "goals" / "PG1.yaml"
    path.write_text(path.read_text().replace("nap-rules/goal/v1", value))
    result = run("validate", str(plan))
    assert result.exit_code == 2
    assert f"{plan}/goals/PG1.yaml:1:1: " in result.output and fragment in result.output


def test_non_utf8_file_exits_2_with_location(tmp_path):
    plan = write_plan(tmp_path / "p")
    (plan / "goals" / "PG1.yaml").write_bytes(b"schema: nap-rules/goal/v1\nid: PG1\ntitle: Gr\xfc\xdfe\n")
    result = run("validate", str(plan))
    assert result.exit_code == 2
    assert f"{plan}/goals/PG1.yaml:3:10: not UTF-8" in result.output


def test_alias_bomb_exits_2(tmp_path):
    plan = write_plan(tmp_path / "p")
    lines = ["schema: nap-rules/goal/v1", "id: PG1", "title: x", "objectives: []", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 10)]
    (plan / "goals" / "PG1.yaml").write_text("\n".join(lines) + "\n")
    result = run("validate", str(plan))
    assert result.exit_code == 2
    assert f"{plan}/goals/PG1.yaml:6:" in result.output and "alias expansions" in result.output


def test_dangling_institution_is_a_ref_finding_on_the_measure(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", responsible=["MIA", "MJJ"])])])
    result = run("validate", str(plan), "--format", "json")
    assert result.exit_code == 1
    [f] = findings(result)
    assert (f["rule"], f["node"]) == ("NAP-REF-001", "measure:1.1")
    assert "'MJJ'" in f["message"] and "did you mean 'MJ'" in f["message"]
    assert f["line"] == line_of(plan / "goals" / "PG1.yaml", "- MJJ")


def test_missing_plan_yaml_exits_2(tmp_path):
    plan = write_plan(tmp_path / "p")
    (plan / "plan.yaml").unlink()
    result = run("validate", str(plan))
    assert result.exit_code == 2 and "missing plan.yaml" in result.output


def test_output_is_deterministic(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", responsible=["X", "Y"]), measure("1.2", contributing=["Z"])])])
    first = run("validate", str(plan), "--format", "json").output
    assert first == run("validate", str(plan), "--format", "json").output
    assert [f["line"] for f in json.loads(first)["findings"]] == sorted(f["line"] for f in json.loads(first)["findings"])


@pytest.mark.parametrize("value", ["max_depth=²", "max_depth=-1", "max_depth=", "nonsense=3", "max_depth"])
def test_a_bad_limit_option_is_a_usage_error(tmp_path, value):
    plan = write_plan(tmp_path / "p")
    result = run("validate", str(plan), "--limit", value)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "--limit" in result.output
