"""`nap-rules graph`: the plan graph as node-link JSON, GraphML and DOT, read back losslessly."""

import io
import json

import networkx as nx
import pydot
from click.testing import CliRunner
from planfactory import goal, measure, write_plan

from nap_rules.cli import main
from nap_rules.run.pipeline import validate


def export(plan, fmt):
    result = CliRunner().invoke(main, ["graph", str(plan), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_json_holds_every_node_and_edge_with_its_fields():
    graph = validate("plan").graph
    data = json.loads(export("plan", "json"))
    assert len(data["nodes"]) == graph.number_of_nodes() and len(data["edges"]) == graph.number_of_edges()
    nodes = {n["key"]: n for n in data["nodes"]}
    m = nodes["measure:2.2.3"]
    assert (m["id"], m["start"], m["deadline"], m["kind"]) == ("2.2.3", 2021, 2022, "measure")
    assert m["source"].startswith("plan/goals/PG2.yaml:")
    assert nodes["indicator:2.2.3-a"]["targets"] == {"2021": 26, "2022": 36, "2023": 45}
    assert nodes["indicator:OI-1"]["baseline"]["value"] == "40.4"  # exact decimals stay exact
    rels = {(e["source"], e["target"], e["rel"]) for e in data["edges"]}
    assert ("measure:1.1.1", "institution:MD", "responsible") in rels
    assert nodes["institution:MD"]["kind"] == "missing"  # MD is in no registry (NAP-REF-001)


def test_graphml_reads_back_with_the_same_shape():
    graph = validate("plan").graph
    back = nx.read_graphml(io.BytesIO(export("plan", "graphml").encode()), force_multigraph=True)
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()
    assert back.nodes["institution:MI"]["name"] == "Ministry of Interior"


def test_dot_parses_and_labels_kinds_and_relations(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1.1")])])
    [dot] = pydot.graph_from_dot_data(export(plan, "dot"))
    names = {n.get_name().strip('"') for n in dot.get_nodes()}
    assert {"plan:test-plan", "goal:PG1", "measure:1.1.1", "institution:MI"} <= names
    labels = {e.get("label").strip('"') for e in dot.get_edges()}
    assert {"has_goal", "has_measure", "responsible", "contributing", "measured_by"} <= labels


def test_a_plan_that_breaks_its_schema_has_no_graph(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1.1", start="soon")])])
    result = CliRunner().invoke(main, ["graph", str(plan)])
    assert result.exit_code == 2 and "fix them to build its graph" in result.output


def test_dot_without_pydot_says_how_to_get_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pydot", None)  # as if it were not installed
    plan = write_plan(tmp_path / "p")
    result = CliRunner().invoke(main, ["graph", str(plan), "--format", "dot"])
    assert result.exit_code == 2
    assert "pip install pydot" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
