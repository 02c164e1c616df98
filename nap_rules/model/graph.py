"""Builds the plan graph (docs/model.md) from validated plan files, resolving references.

`GraphBuilder` holds the nodes and edges as they are added; what each kind of file adds is
in `file_nodes.FileNodes`, the resolution of references and the findings of those that do
not resolve in `references.ReferenceResolver`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..findings import Finding
from ..incremental.tracking import NeedFullRun
from ..load.locations import Location, LocMap
from ..load.plan_folder import PlanFiles
from .fields import FILE_FIELDS, LIST_FIELDS
from .file_nodes import FileNodes, ordered
from .references import ReferenceResolver

if TYPE_CHECKING:
    import networkx as nx


class EdgeData(dict):
    """The attributes of a plan-graph edge (`rel`, and `label` for a named body).

    A plan of 100 000 measures has hundreds of thousands of edges and only a few distinct
    attribute dicts: edges with the same relation and label share one, which is therefore
    read only (a change through one edge would reach every edge that shares it).
    """

    __slots__ = ()

    def _read_only(self, *args, **kwargs):
        raise TypeError("the attributes of a plan-graph edge are read only: they are shared by every edge "
                        "with the same relation and label")

    __setitem__ = __delitem__ = __ior__ = setdefault = pop = popitem = clear = update = _read_only

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return EdgeData, (dict(self),)


# (field name, whether an absent value reads as an empty list), per node kind
_SPECS = {kind: tuple((name, name in LIST_FIELDS) for name in names) for kind, names in FILE_FIELDS.items()}
_NO_EXTRA: dict = {}


def _graph(graph_attrs: dict, nodes: dict, succ: dict, pred: dict) -> "nx.MultiDiGraph":
    """A MultiDiGraph over adjacency built in place.

    The structure is networkx's own (node -> attribute dict; succ[u][v] and pred[v][u] the
    same {edge key: attribute dict}), filled directly: through `add_node`/`add_edge` each of
    hundreds of thousands of nodes and edges would cost a call, a keyword dict and a copy.
    tests/test_graph.py checks the result against a graph built through the public API.
    """
    import networkx as nx  # here: a partial build (nap_rules.incremental.recheck) needs no graph object

    g = nx.MultiDiGraph()
    g.graph.update(graph_attrs)
    g._node = nodes
    g._adj = g._succ = succ
    g._pred = pred
    return g


@dataclass
class GraphBuilder(FileNodes, ReferenceResolver):
    """The nodes and edges of a plan graph being built, in networkx's own adjacency structure."""

    files: PlanFiles
    nodes: dict = field(default_factory=dict)  # key -> attribute dict
    succ: dict = field(default_factory=dict)  # u -> {v: {edge key: attribute dict}}
    pred: dict = field(default_factory=dict)  # v -> {u: the same {edge key: attribute dict}}
    findings: list[Finding] = field(default_factory=list)
    _counts: dict = field(default_factory=dict)
    _dangling: list = field(default_factory=list)  # (src, kind, ident, where) of unresolved references
    _institution_names: dict = field(default_factory=dict)  # spelling -> institution key
    _edge_data: dict = field(default_factory=dict)  # (rel, label) -> the EdgeData they share
    reading: str = ""  # the file being read
    # With a dict, the edges between nodes of different files, per file being read, in order.
    cross: dict | None = None
    # A partial build (nap_rules.incremental.recheck) leaves some goal files out. `goal_order` lists every
    # goal file in order; for one left out, `replay` has its edges to nodes of other files (as
    # `cross` recorded them), `elsewhere` maps the keys of its nodes to it, `missing_elsewhere`
    # holds the missing nodes it links to and `dangling_elsewhere` its unresolved references.
    goal_order: tuple = ()
    replay: dict = field(default_factory=dict)
    elsewhere: dict = field(default_factory=dict)
    missing_elsewhere: frozenset = frozenset()
    dangling_elsewhere: list = field(default_factory=list)
    placeholder_uses: list = field(default_factory=list)  # (file being read, key) per placeholder asked for
    with_codes: bool = False  # whether text fields get their `codes` (file_nodes.FileNodes.build_parts)

    # --- nodes -----------------------------------------------------------------------------
    def add(self, kind: str, doc: LocMap, display_file: str, ident=None, extra: dict = _NO_EXTRA) -> str:
        """Node `kind:ident` for the mapping `doc`: its kind's fields (a list field that is absent
        reads as an empty list), then `extra`."""
        ident = str(doc.get("id")) if ident is None else str(ident)
        counted = (kind, ident)
        count = self._counts.get(counted, 0) + 1
        self._counts[counted] = count
        key = f"{kind}:{ident}" if count == 1 else f"{kind}:{ident}~{count}"
        attrs = {"kind": kind, "id": ident, "occurrence": count, "source": doc.loc, "field_locs": doc.key_locs}
        get = doc.get
        for name, is_list in _SPECS.get(kind, ()):
            value = get(name)
            if value is None:
                attrs[name] = [] if is_list else None
            elif isinstance(value, dict):
                attrs[name] = ordered(value)
            else:
                attrs[name] = value
        if extra:
            attrs.update(extra)
        self.nodes[key] = attrs
        self.succ[key] = {}
        self.pred[key] = {}
        return key

    def edge(self, u: str, v: str, rel: str, label=None):
        """Edge u -rel-> v, keyed 0, 1, … among the edges from u to v (as networkx keys them)."""
        data = self._edge_data.get((rel, label))
        if data is None:
            data = self._edge_data[(rel, label)] = EdgeData(rel=rel) if label is None else EdgeData(rel=rel, label=label)
        if self.cross is not None:
            reading = self.reading
            if node_file(self.nodes[u]) != reading or node_file(self.nodes[v]) != reading:
                self.cross.setdefault(reading, []).append((u, v, rel, label))
        out = self.succ[u]
        keyed = out.get(v)
        if keyed is None:
            out[v] = self.pred[v][u] = {0: data}
        else:
            keyed[len(keyed)] = data

    def _has(self, key: str) -> bool:
        """Whether `key` is a node, adding a placeholder for a node of a file left out."""
        if key in self.nodes:
            return True
        file = self.elsewhere.get(key)
        if file is None:
            return False
        self._placeholder(key, file)
        self.placeholder_uses.append((self.reading, key))
        return True

    def _placeholder(self, key: str, file: str, kind: str | None = None) -> None:
        prefix, _, ident = key.partition(":")
        ident, _, repeat = ident.partition("~")
        self.nodes[key] = Placeholder(kind=kind or prefix, id=ident, occurrence=int(repeat or 1), placeholder=True,
                                      source=Location(file, 0, 0))
        self.succ[key] = {}
        self.pred[key] = {}

    def replay_edges(self, edges) -> None:
        """The edges a goal file left out of a partial build has to nodes of other files."""
        cross, self.cross = self.cross, None  # recorded already
        nodes = self.nodes
        for u, v, rel, label in edges:
            if u not in nodes:
                self._placeholder(u, self.reading, "missing" if u in self.missing_elsewhere else None)
            if v not in nodes:
                self._placeholder(v, self.reading, "missing" if v in self.missing_elsewhere else None)
            self.edge(u, v, rel, label)
        self.cross = cross

    # --- the whole graph ---------------------------------------------------------------------
    def build(self) -> "nx.MultiDiGraph":
        plan = self.build_parts()
        return _graph({"plan": plan}, self.nodes, self.succ, self.pred)


def node_file(attrs) -> str:
    """The file a node is defined in; "" for a missing node (no file defines it)."""
    return "" if attrs["kind"] == "missing" else attrs["source"].file


class Placeholder(dict):
    """The attributes of a node of a file a partial build left out: its kind and id, no fields.

    Reading any other field raises NeedFullRun (nap_rules.incremental.tracking): only the whole plan
    can answer it.
    """

    __slots__ = ()
    KNOWN = frozenset({"kind", "id", "occurrence", "placeholder", "source"})

    def get(self, key, default=None):
        if key not in Placeholder.KNOWN:
            raise NeedFullRun(f"field {key} of {self.get('kind')} {self.get('id')}")
        return dict.get(self, key, default)

    def __getitem__(self, key):
        if key not in Placeholder.KNOWN:
            raise NeedFullRun(f"field {key} of {self.get('kind')} {self.get('id')}")
        return dict.__getitem__(self, key)


def build_graph(files: PlanFiles) -> tuple["nx.MultiDiGraph", list[Finding]]:
    builder = GraphBuilder(files)
    graph = builder.build()
    return graph, builder.findings + builder.ref_findings()
