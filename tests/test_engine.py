"""The engine: where/let/assert/message, finding locations, parameters, configuration, order."""

from __future__ import annotations

import datetime
from decimal import Decimal

import networkx as nx
import pytest
from cputime import cpu_time
from rulegraph import AS_OF, GRAPH

from nap_rules.errors import InputError
from nap_rules.findings import Finding
from nap_rules.load.locations import Location
from nap_rules.ruleset.config import Config, apply_config, load_config
from nap_rules.ruleset.ruledoc import explain_rule, format_rule_list
from nap_rules.ruleset.rules import build_rule
from nap_rules.run.engine import ENGINE_RULE, evaluate

M1, M2 = "measure:1.1.1", "measure:1.1.2"


def rule(rule_id="T-ENGINE-001", *, kind="measure", assert_="True", message="found {id}",
         severity="warning", **extra):
    spec = {"id": rule_id, "title": f"title of {rule_id}", "severity": severity,
            "applies_to": kind, "assert": assert_, "message": message,
            "rationale": "why it matters", "references": ["Annex 1"],
            "examples": {"pass": f"tests/rules/{rule_id}/pass",
                         "fail": f"tests/rules/{rule_id}/fail"}}
    spec.update(extra)
    return build_rule(spec, Location("rules/test.yaml", 3, 5))


def run(*rules, **kwargs) -> list[Finding]:
    return evaluate(GRAPH, list(rules), as_of=kwargs.pop("as_of", AS_OF), **kwargs)


def test_assert_false_gives_one_finding_per_node_at_the_node():
    findings = run(rule(assert_="deadline >= 2023"))
    assert [(f.rule, f.severity, f.node, f.message) for f in findings] == \
        [("T-ENGINE-001", "warning", M1, "found 1.1.1")]
    source = GRAPH.nodes[M1]["source"]
    assert (findings[0].file, findings[0].line, findings[0].column) == \
        (source.file, source.line, source.column)


def test_where_selects_the_nodes_checked():
    assert run(rule(where="id == '1.1.2'", assert_="False")) and \
        [f.node for f in run(rule(where="id == '1.1.2'", assert_="False"))] == [M2]
    assert run(rule(where="None", assert_="False")) == []


def test_rules_run_only_on_their_kind_and_plan_rules_run_once():
    findings = run(rule(kind="plan", assert_="False", message="plan {id}"))
    assert [(f.node, f.message) for f in findings] == [("plan:P", "plan P")]
    assert run(rule(kind="claim", assert_="False")) and \
        {f.node for f in run(rule(kind="claim", assert_="False"))} == {"claim:C1"}


def test_let_values_are_computed_in_order_and_used_in_assert_and_message():
    r = rule(kind="indicator", where="parent('measure') is not None",
             let={"measure": "parent('measure')",
                  "bad_years": "[y for y in years(targets) if targets[y] is not None "
                               "and not (measure.start <= y <= measure.deadline)]"},
             assert_="not bad_years",
             message="target set for {bad_years} but measure {measure.id} runs "
                     "{measure.start}-{measure.deadline}")
    assert run(r) == []
    g = nx.MultiDiGraph(GRAPH)
    g.nodes["indicator:1.1.1-a"]["targets"] = {2021: 5, 2022: 10, 2023: 12}
    [finding] = evaluate(g, [r], as_of=AS_OF)
    assert finding.node == "indicator:1.1.1-a"
    assert finding.message == "target set for [2023] but measure 1.1.1 runs 2021-2022"
    # the let values and the fields read are kept for --explain
    assert finding.values == (("measure", M1), ("bad_years", "[2023]"),
                              ("targets", "{2021: 5, 2022: 10, 2023: 12}"))


def test_messages_render_numbers_plainly():
    r = rule(kind="indicator", where="id == '1.1.2-a'",
             let={"total": "sum(t for t in values(targets) if is_number(t)) * 2",
                  "ratio": "share(1, 8)", "ys": "years(targets)"},
             assert_="False", message="{total} {ratio} {ys} {baseline.value} {note}")
    [finding] = run(r)
    assert finding.message == "61.0 12.5 [2022, 2023] 40 none"


def test_at_points_the_finding_at_a_field():
    [finding] = run(rule(assert_="deadline >= 2023", at="deadline"))
    loc = GRAPH.nodes[M1]["field_locs"]["deadline"]
    assert (finding.line, finding.column) == (loc.line, loc.column)


def test_at_falls_back_to_the_node_when_the_field_has_no_location():
    g = nx.MultiDiGraph(GRAPH)
    g.nodes[M1]["field_locs"] = {}
    [finding] = evaluate(g, [rule(assert_="deadline >= 2023", at="deadline")], as_of=AS_OF)
    assert finding.line == GRAPH.nodes[M1]["source"].line


def test_a_node_without_a_location_object_is_placed_by_its_keys():
    g = nx.MultiDiGraph(GRAPH)
    g.nodes[M1]["source"] = "a data source, not a location"
    [finding] = evaluate(g, [rule(assert_="deadline >= 2023")], as_of=AS_OF)
    assert finding.line == GRAPH.nodes[M1]["field_locs"]["id"].line if "id" in \
        GRAPH.nodes[M1]["field_locs"] else finding.line > 0


def test_detail_template():
    [finding] = run(rule(assert_="deadline >= 2023", detail="measure {id} ends {deadline}"))
    assert finding.detail == "measure 1.1.1 ends 2022"
    assert run(rule(assert_="deadline >= 2023"))[0].detail == ""


def test_params_defaults_and_overrides():
    r = rule(assert_="deadline - start <= params.max_years",
             message="runs over {params.max_years} years", params={"max_years": 0})
    assert [f.message for f in run(r)] == ["runs over 0 years", "runs over 0 years"]
    assert run(r, params_override={"T-ENGINE-001": {"max_years": 1}}) == []
    assert len(run(r, params_override={"OTHER-RULE-1": {"max_years": 1}})) == 2


def test_as_of_is_the_evaluation_date():
    r = rule(assert_="as_of.year <= deadline", message="{id} overdue on {as_of}")
    assert [f.message for f in run(r, as_of=datetime.date(2023, 1, 1))] == \
        ["1.1.1 overdue on 2023-01-01"]
    assert run(r, as_of=datetime.date(2022, 6, 30)) == []


def test_findings_are_sorted_by_file_line_and_rule_and_deterministic():
    rules = [rule("T-B-001", assert_="False"), rule("T-A-001", assert_="False"),
             rule("T-C-001", kind="indicator", assert_="False")]
    findings = run(*rules)
    assert findings == sorted(findings, key=Finding.sort_key)
    assert [(f.rule, f.node) for f in findings][:2] == [("T-A-001", M1), ("T-B-001", M1)]
    assert run(*rules) == findings and run(*reversed(rules)) == findings


def test_an_exception_becomes_one_engine_finding_naming_rule_node_and_phase():
    r = rule(let={"ratio": "1 / (deadline - 2022)"}, assert_="ratio > 0")
    [finding] = run(r)
    assert finding.rule == ENGINE_RULE and finding.severity == "error" and finding.node == M1
    assert finding.message == ("rule T-ENGINE-001 could not be evaluated on measure:1.1.1 "
                               "(let ratio): division by zero")
    [finding] = run(rule(assert_="False", message="{title.title}"))[:1]
    assert "(message)" in finding.message


def test_severity_override_from_the_configuration():
    rules = [rule("NAP-TIME-001", severity="error"), rule("NAP-TIME-002", severity="warning"),
             rule("NAP-IND-001", severity="warning")]
    config = Config(severity=(("NAP-TIME", "info"), ("NAP-TIME-001", "warning")))
    applied = apply_config(rules, config)
    assert [(r.id, r.severity) for r in applied] == \
        [("NAP-TIME-001", "warning"), ("NAP-TIME-002", "info"), ("NAP-IND-001", "warning")]
    [finding, *_] = run(rule("NAP-TIME-002", assert_="False").with_severity("info"))
    assert finding.severity == "info"


def test_enable_and_disable_by_id_and_prefix():
    rules = [rule("NAP-TIME-001"), rule("NAP-TIME-002"), rule("NAP-IND-001")]
    ids = lambda config: [r.id for r in apply_config(rules, config)]  # noqa: E731
    assert ids(Config(disable=("NAP-TIME",))) == ["NAP-IND-001"]
    assert ids(Config(disable=("NAP-TIME",), enable=("NAP-TIME-002",))) == \
        ["NAP-TIME-002", "NAP-IND-001"]
    assert ids(Config(disable=("NAP",), enable=("NAP-IND",))) == ["NAP-IND-001"]
    assert ids(Config(disable=("NAP-TIME-001",), enable=("NAP-TIME-001",))) == \
        ["NAP-TIME-002", "NAP-IND-001"]
    with pytest.raises(InputError, match="'NAP-TME' names no rule or group"):
        apply_config(rules, Config(disable=("NAP-TME",)))


def test_configuration_file(tmp_path):
    (tmp_path / ".nap-rules.yaml").write_text(
        "schema: nap-rules/config/v1\n"
        "rules:\n"
        "  disable: [NAP-TIME]\n"
        "  severity: {NAP-IND: error}\n"
        "  paths: [more-rules]\n"
        "params:\n"
        "  NAP-IND-001: {tolerance: 2.5}\n"
        "baseline: baseline.json\n"
        "waivers:\n"
        "  - {rule: NAP-IND-001, node: 'measure:1.1.1', reason: agreed, approved_by: MoF,"
        " expires: 2024-12-31}\n"
        "limits: {steps: 5000}\n", encoding="utf-8")
    config = load_config(tmp_path)
    assert config.disable == ("NAP-TIME",) and config.severity == (("NAP-IND", "error"),)
    assert config.paths == (tmp_path / "more-rules",)
    assert config.params["NAP-IND-001"] == {"tolerance": Decimal("2.5")}
    assert config.baseline == tmp_path / "baseline.json"
    assert config.waivers[0].expires == datetime.date(2024, 12, 31)
    assert config.limits.steps == 5000
    r = rule("NAP-IND-001", params={"tolerance": 1})
    assert [x.severity for x in apply_config([r, rule("NAP-TIME-001")], config)] == ["error"]
    with pytest.raises(InputError, match="no parameter 'tolerance'") as exc:
        apply_config([rule("NAP-IND-001"), rule("NAP-TIME-001")], config)
    assert exc.value.location.line == 7


def test_configuration_errors_are_located(tmp_path):
    (tmp_path / ".nap-rules.yaml").write_text(
        "schema: nap-rules/config/v1\nrules:\n  disabel: [NAP-TIME]\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown key 'disabel'") as exc:
        load_config(tmp_path)
    assert exc.value.location.line == 3
    (tmp_path / ".nap-rules.yaml").write_text(
        "schema: nap-rules/config/v1\nwaivers:\n  - {rule: NAP-X-1, node: n, reason: r}\n",
        encoding="utf-8")
    with pytest.raises(InputError, match="missing required key 'approved_by'"):
        load_config(tmp_path)
    (tmp_path / ".nap-rules.yaml").write_text(
        "schema: nap-rules/config/v1\nwaivers:\n  - {rule: NAP-X-1, node: n, reason: r, "
        "approved_by: a, expires: 2024-02-30}\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a date"):
        load_config(tmp_path)


def test_no_configuration_file_means_defaults(tmp_path):
    assert load_config(tmp_path) == Config()


def test_rule_list_and_explain():
    rules = [rule("NAP-TIME-001", severity="error"), rule("NAP-IND-010", severity="info")]
    assert format_rule_list(rules, builtin_checks=False) == ("NAP-TIME-001  error  title of NAP-TIME-001\n"
                                                             "NAP-IND-010   info   title of NAP-IND-010\n")
    listed = format_rule_list(rules)  # the checks built into the tool follow the rules
    assert "NAP-REF-001" in listed and listed.index("NAP-IND-010") < listed.index("NAP-REF-001")
    text = explain_rule(rule(where="start is not None", let={"span": "deadline - start"},
                             assert_="span >= 0", params={"tolerance": Decimal("0.5")}))
    for part in ("T-ENGINE-001: title of T-ENGINE-001", "severity:    warning",
                 "applies to:  measure", "why it matters", "- Annex 1", "start is not None",
                 "span:", "deadline - start", "span >= 0", "found {id}", "tolerance: 0.5",
                 "passes on: tests/rules/T-ENGINE-001/pass", "fails on:  tests/rules/T-ENGINE-001/fail"):
        assert part in text


@pytest.mark.slow  # builds a graph of 100 000 nodes
def test_a_simple_rule_over_a_large_graph_takes_linear_time():
    g = nx.MultiDiGraph(plan="plan:P")
    loc = Location("plan/goals/PG1.yaml", 1, 1)
    for i in range(100_000):
        g.add_node(f"measure:{i}", kind="measure", id=str(i), occurrence=1, source=loc,
                   field_locs={}, start=2021, deadline=2023 if i % 1000 else 2020)
    r = rule(assert_="start <= deadline")
    with cpu_time() as used:
        findings = evaluate(g, [r], as_of=AS_OF)
    assert len(findings) == 100
    # about 0.1 s of CPU time; work that grew with the square of 100 000 nodes would take hours
    assert used.seconds < 20


def test_the_field_table_matches_the_graph_of_the_published_plan():
    from pathlib import Path

    from nap_rules.model.fields import fields_of
    from nap_rules.run.pipeline import validate

    graph = validate(Path(__file__).parent.parent / "plan").graph
    for key, attrs in graph.nodes(data=True):
        readable = set(attrs) - {"source", "field_locs"}
        assert readable <= fields_of(attrs["kind"]), key


def test_configuration_applies_to_built_in_checks_too(tmp_path):
    """`disable` and `severity` in .nap-rules.yaml reach NAP-REF-* findings like any rule's."""
    import json
    import shutil

    from click.testing import CliRunner

    from nap_rules.cli import main

    plan = tmp_path / "plan"
    shutil.copytree("plan", plan)
    args = ["check", str(plan), "--format", "json", "--as-of", "2024-01-01", "--fail-on", "never"]
    before = json.loads(CliRunner().invoke(main, args).output)["findings"]
    assert any(f["rule"] == "NAP-REF-001" for f in before)
    (plan / ".nap-rules.yaml").write_text("schema: nap-rules/config/v1\nrules:\n  severity: {NAP-REF-001: info}\n")
    lowered = json.loads(CliRunner().invoke(main, args).output)["findings"]
    assert {f["severity"] for f in lowered if f["rule"] == "NAP-REF-001"} == {"info"}
    (plan / ".nap-rules.yaml").write_text("schema: nap-rules/config/v1\nrules:\n  disable: [NAP-REF]\n")
    after = json.loads(CliRunner().invoke(main, args).output)["findings"]
    assert not [f for f in after if f["rule"].startswith("NAP-REF")]
    assert len(after) == len(before) - len([f for f in before if f["rule"].startswith("NAP-REF")])
