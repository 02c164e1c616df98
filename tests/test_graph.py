"""The plan graph: node and edge counts follow the data; load → graph never raises on valid plans."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from planfactory import goal, measure, write_plan

from nap_rules.run.pipeline import validate

institutions = st.lists(st.sampled_from(["MI", "MJ", "MIA", "XX"]), max_size=3, unique=True)
indicator_counts = st.integers(min_value=0, max_value=3)
measure_specs = st.lists(st.tuples(institutions, institutions, indicator_counts), min_size=0, max_size=6)
goal_specs = st.lists(measure_specs, min_size=1, max_size=3)


def build(tmp_path_factory, spec):
    goals = []
    for gi, measures in enumerate(spec, 1):
        ms = []
        for mi, (resp, contrib, n_ind) in enumerate(measures, 1):
            m = measure(f"{gi}.1.{mi}", responsible=resp, contributing=contrib)
            m["indicators"] = [dict(m["indicators"][0], id=f"{gi}.1.{mi}-{k}") for k in range(n_ind)]
            ms.append(m)
        goals.append(goal(f"PG{gi}", measures=ms))
    return write_plan(tmp_path_factory.mktemp("plan"), goals=goals)


@given(spec=goal_specs)
def test_counts_match_generated_data(tmp_path_factory, spec):
    result = validate(build(tmp_path_factory, spec))
    g = result.graph
    assert g is not None
    kinds = [d["kind"] for _, d in g.nodes(data=True)]
    n_measures = sum(len(ms) for ms in spec)
    n_indicators = sum(n for ms in spec for *_, n in ms)
    named = [name for ms in spec for r, c, _ in ms for name in r + c]
    unknown = {n for n in named if n == "XX"}
    assert kinds.count("plan") == 1 and kinds.count("goal") == len(spec) and kinds.count("objective") == len(spec)
    assert kinds.count("measure") == n_measures and kinds.count("indicator") == n_indicators
    assert kinds.count("institution") == 2 and kinds.count("missing") == len(unknown)
    rels = [d["rel"] for *_, d in g.edges(data=True)]
    assert rels.count("responsible") + rels.count("contributing") == len(named)
    assert rels.count("measured_by") == n_indicators
    assert rels.count("has_measure") == n_measures and rels.count("has_institution") == 2
    assert len([f for f in result.findings if f.rule == "NAP-REF-001"]) == named.count("XX")


def test_alias_resolves_to_the_registered_body_and_keeps_the_spelling(tmp_path):
    g = validate(write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", responsible=["MIA"])])])).graph
    [(u, v, d)] = [(u, v, d) for u, v, d in g.edges(data=True) if d["rel"] == "responsible"]
    assert (u, v, d["label"]) == ("measure:1.1", "institution:MI", "MIA")
    assert g.nodes["measure:1.1"]["responsible"] == ["MIA"]


def test_duplicate_ids_get_numbered_keys(tmp_path):
    inst = [{"id": "MI", "name": "Ministry of Interior", "kind": "ministry"},
            {"id": "MI", "name": "Ministry of Interior", "kind": "ministry"}]
    g = validate(write_plan(tmp_path / "p", institutions=inst)).graph
    assert g.nodes["institution:MI"]["occurrence"] == 1
    assert g.nodes["institution:MI~2"]["occurrence"] == 2
    assert g.nodes["institution:MI~2"]["source"].line == 6


def test_every_node_attribute_is_a_declared_field_and_none_shadows_the_location():
    """Rules read node fields by name (nap_rules.model.fields); the graph must not carry others,
    and no plan field may overwrite `kind` or the `source` location (docs/model.md)."""
    from nap_rules.load.locations import Location
    from nap_rules.model.fields import fields_of

    g = validate("plan").graph
    for key, attrs in g.nodes(data=True):
        assert isinstance(attrs["source"], Location), key
        extra = set(attrs) - fields_of(attrs["kind"]) - {"source", "field_locs", "kind", "id", "occurrence"}
        assert not extra, (key, extra)


def test_the_graph_is_the_one_networkx_builds_through_its_own_api():
    """The builder fills networkx's structures directly; the result must be indistinguishable."""
    import networkx as nx

    g = validate("plan").graph
    h = nx.MultiDiGraph(**g.graph)
    for key, attrs in g.nodes(data=True):
        h.add_node(key, **attrs)
    for u, v, k, data in g.edges(keys=True, data=True):
        h.add_edge(u, v, key=k, **data)
    assert nx.utils.graphs_equal(g, h)
    assert list(g.nodes) == list(h.nodes) and list(g.edges(keys=True)) == list(h.edges(keys=True))
    for u, nbrs in g.succ.items():
        for v, keyed in nbrs.items():
            assert g.pred[v][u] is g.succ[u][v] or g.pred[v][u] == keyed
    assert g.number_of_edges() == sum(len(k) for nbrs in g.pred.values() for k in nbrs.values())
    assert nx.utils.graphs_equal(g.copy(), g) and nx.utils.graphs_equal(g.reverse().reverse(), g)


def test_node_attribute_dicts_of_one_kind_share_their_keys_and_are_plain_dicts():
    """Each node's attribute dict holds only its values (docs/model.md): smaller than the same
    dict on its own, yet a dict like any other, and a change to one reaches no other node."""
    import copy
    import pickle
    import sys

    g = validate("plan").plan_graph
    indicators = [attrs for attrs in g._node.values() if attrs["kind"] == "indicator"]
    assert len(indicators) > 2
    for attrs in indicators:
        alone = {**attrs}
        assert type(attrs) is dict and list(attrs) == list(alone) and attrs == alone
        assert sys.getsizeof(attrs) < sys.getsizeof(alone)
    first, second = indicators[0], indicators[1]
    assert pickle.loads(pickle.dumps(first)) == first and copy.copy(first) == first
    copy.copy(first)["note"] = "changed"
    assert first["note"] != "changed" and second["note"] != "changed"


def test_edge_attributes_are_shared_and_read_only():
    import copy

    g = validate("plan").graph
    u, v, k, data = next(iter(g.edges(keys=True, data=True)))
    assert data == {"rel": data["rel"], **({"label": data["label"]} if "label" in data else {})}
    with pytest.raises(TypeError):
        g.edges[u, v, k]["weight"] = 1
    with pytest.raises(TypeError):
        data.update(rel="other")
    assert copy.deepcopy(g).edges[u, v, k] == data and g.edges[u, v, k]["rel"] == data["rel"]


def test_nodes_without_edges_and_pairs_joined_by_one_edge_share_read_only_dicts_until_an_edge_is_added():
    from pathlib import Path

    from nap_rules.load.locations import Location, LocMap
    from nap_rules.load.plan_folder import PlanFiles
    from nap_rules.model.graph import GraphBuilder

    b = GraphBuilder(PlanFiles(Path("."), "."))
    a, bb, c = (b.add("institution", LocMap(Location("f.yaml", 1, 1)), "f.yaml", ident=i) for i in "abc")
    no_edges = b.succ[a]
    assert no_edges == {} and no_edges is b.succ[bb] is b.succ[c]  # one empty adjacency for all
    with pytest.raises(TypeError):
        no_edges[bb] = {}
    b.edge(a, bb, "responsible")
    assert b.succ[bb] is no_edges == {} and b.succ[a] is not no_edges  # a's first edge: a dict of its own
    b.edge(a, c, "responsible")
    b.edge(c, bb, "contributing")
    shared = b.succ[a][bb]
    assert shared is b.succ[a][c] is b.pred[c][a] and shared == {0: {"rel": "responsible"}}
    with pytest.raises(TypeError):
        shared[1] = shared[0]
    b.edge(a, bb, "contributing")  # a second edge from a to b
    own = b.succ[a][bb]
    assert own is b.pred[bb][a] and own == {0: {"rel": "responsible"}, 1: {"rel": "contributing"}}
    assert b.succ[a][c] == {0: {"rel": "responsible"}}  # the other pairs keep the shared keys
    b.edge(a, bb, "responsible")
    assert b.succ[a][bb] is own and list(own) == [0, 1, 2]
