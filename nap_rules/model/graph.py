"""Builds the plan graph (docs/model.md) from validated plan files, resolving references.

`GraphBuilder` holds the nodes and edges as they are added; what each kind of file adds is
in `file_nodes.FileNodes`, the resolution of references and the findings of those that do
not resolve in `references.ReferenceResolver`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..findings import Finding
from ..load.locations import LocMap
from ..load.plan_folder import PlanFiles
from .fields import FILE_FIELDS, LIST_FIELDS
from .file_nodes import FileNodes, ordered
from .references import ReferenceResolver

if TYPE_CHECKING:
    import networkx as nx


class Shared(dict):
    """A dict of the plan graph that many nodes or edges share, and that is therefore read only
    (a change through one would reach all that share it): copies are the dict itself."""

    __slots__ = ()
    SHARED_BY = "several parts of the graph"

    def _read_only(self, *args, **kwargs):
        raise TypeError(f"this dict of the plan graph is read only: it is shared by {self.SHARED_BY}")

    __setitem__ = __delitem__ = __ior__ = setdefault = pop = popitem = clear = update = _read_only

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return type(self), (dict(self),)


class EdgeData(Shared):
    """The attributes of a plan-graph edge (`rel`, and `label` for a named body).

    A plan of 100 000 measures has hundreds of thousands of edges and only a few distinct
    attribute dicts: edges with the same relation and label share one.
    """

    __slots__ = ()
    SHARED_BY = "every edge with the same relation and label (the attributes of a plan-graph edge)"


class EdgeKeys(Shared):
    """{edge key: EdgeData} of the one edge from a node to another.

    Most pairs of nodes are joined by a single edge: each relation and label has one such
    dict, shared by every pair it joins (a plan of 100 000 measures has close to a million
    pairs). A second edge between the same two nodes gives them a dict of their own.
    """

    __slots__ = ()
    SHARED_BY = "every pair of nodes joined by one edge of the same relation and label (their edge keys)"


class NoEdges(Shared):
    """The adjacency of a node without outgoing edges (most nodes), one for them all; its first
    edge gives the node a dict of its own."""

    __slots__ = ()
    SHARED_BY = "every node without outgoing edges (their adjacency)"


NO_EDGES = NoEdges()


# (field name, whether an absent value reads as an empty list), per node kind
_SPECS = {kind: tuple((name, name in LIST_FIELDS) for name in names) for kind, names in FILE_FIELDS.items()}
_NO_EXTRA: dict = {}


class _Attributes:
    """The attribute dicts of one kind of node are the `__dict__` of instances of one such class.

    CPython lets the instance dicts of a class share one table of keys (PEP 412), so each dict
    holds only its values: an indicator's 23 attributes take about 260 bytes instead of about
    830 in a dict of its own, a third of the memory of a plan's graph. They are plain dicts in
    every other way (type, order, equality, copies, pickling). A dict whose keys come in another
    order gets a table of its own, as any dict does.
    """

    __slots__ = ("__dict__",)


_ATTRIBUTE_CLASSES: dict = {}  # node kind -> its subclass of _Attributes


def _attribute_dict(kind: str) -> dict:
    """An empty attribute dict for a node of `kind`, sharing its keys with the others of that kind."""
    cls = _ATTRIBUTE_CLASSES.get(kind)
    if cls is None:
        cls = _ATTRIBUTE_CLASSES[kind] = type(f"_{kind.title().replace('_', '')}Attributes", (_Attributes,), {})
    return cls().__dict__


class PlanGraph:
    """The nodes and adjacency of a plan graph, laid out as networkx lays out a MultiDiGraph
    (node -> attribute dict; succ[u][v] and pred[v][u] the same {edge key: attribute dict}).

    Rules read it through a GraphIndex and need no graph object; `to_networkx()` makes the
    MultiDiGraph that exports and reports use, over the same dicts (networkx is imported only
    then: it is most of the start-up time of a small run).
    """

    __slots__ = ("graph", "_node", "_succ", "_pred", "_nx")

    def __init__(self, plan: str, nodes: dict, succ: dict, pred: dict):
        self.graph = {"plan": plan}
        self._node = nodes
        self._succ = succ
        self._pred = pred
        self._nx = None

    def to_networkx(self) -> "nx.MultiDiGraph":
        if self._nx is None:
            self._nx = _graph(self.graph, self._node, self._succ, self._pred)
        return self._nx


def _graph(graph_attrs: dict, nodes: dict, succ: dict, pred: dict) -> "nx.MultiDiGraph":
    """A MultiDiGraph over adjacency built in place.

    The structure is networkx's own, filled directly: through `add_node`/`add_edge` each of
    hundreds of thousands of nodes and edges would cost a call, a keyword dict and a copy.
    tests/test_graph.py checks the result against a graph built through the public API.
    """
    import networkx as nx

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
    counts: dict = field(default_factory=dict)  # (kind, id) -> nodes with that id so far
    dangling: list = field(default_factory=list)  # (src, kind, ident, where, document line) of unresolved references
    _institution_names: dict = field(default_factory=dict)  # spelling -> institution key
    _edge_data: dict = field(default_factory=dict)  # (rel, label) -> (the EdgeData they share, its EdgeKeys)
    reading: str = ""  # the file being read
    with_codes: bool = False  # whether text fields get their `codes` (file_nodes.FileNodes.build_parts)
    goals: object = None  # the goal files as they are read, when `files` holds only the others

    # --- nodes -----------------------------------------------------------------------------
    def add(self, kind: str, doc: LocMap, display_file: str, ident=None, extra: dict = _NO_EXTRA) -> str:
        """Node `kind:ident` for the mapping `doc`: its kind's fields (a list field that is absent
        reads as an empty list), then `extra`."""
        ident = str(doc.get("id")) if ident is None else str(ident)
        counted = (kind, ident)
        count = self.counts.get(counted, 0) + 1
        self.counts[counted] = count
        key = f"{kind}:{ident}" if count == 1 else f"{kind}:{ident}~{count}"
        attrs = _attribute_dict(kind)
        attrs["kind"] = kind
        attrs["id"] = ident
        attrs["occurrence"] = count
        attrs["source"] = doc.loc
        attrs["field_locs"] = doc.key_locs
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
        self.succ[key] = NO_EDGES
        self.pred[key] = {}
        return key

    def edge(self, u: str, v: str, rel: str, label=None):
        """Edge u -rel-> v, keyed 0, 1, … among the edges from u to v (as networkx keys them)."""
        shared = self._edge_data.get((rel, label))
        if shared is None:
            data = EdgeData(rel=rel) if label is None else EdgeData(rel=rel, label=label)
            shared = self._edge_data[(rel, label)] = (data, EdgeKeys({0: data}))
        out = self.succ[u]
        if out is NO_EDGES:
            out = self.succ[u] = {}
        keyed = out.get(v)
        if keyed is None:
            out[v] = self.pred[v][u] = shared[1]
        elif type(keyed) is EdgeKeys:  # a second edge: the pair gets keys of its own
            out[v] = self.pred[v][u] = {**keyed, len(keyed): shared[0]}
        else:
            keyed[len(keyed)] = shared[0]

    def _has(self, key: str) -> bool:
        """Whether `key` is a node (a partial build also knows the nodes of the files it left out)."""
        return key in self.nodes

    # --- the whole graph ---------------------------------------------------------------------
    def build(self) -> "nx.MultiDiGraph":
        return self.build_plan_graph().to_networkx()

    def build_plan_graph(self) -> PlanGraph:
        """The graph of the files, without a networkx object (see PlanGraph)."""
        return PlanGraph(self.build_parts(), self.nodes, self.succ, self.pred)


def node_file(attrs) -> str:
    """The file a node is defined in; "" for a missing node (no file defines it)."""
    return "" if attrs["kind"] == "missing" else attrs["source"].file


def build_graph(files: PlanFiles) -> tuple["nx.MultiDiGraph", list[Finding]]:
    builder = GraphBuilder(files)
    graph = builder.build()
    return graph, builder.findings + builder.ref_findings()


def build_plan_graph(files: PlanFiles) -> tuple[PlanGraph, list[Finding]]:
    """build_graph without the networkx object: what a check needs."""
    builder = GraphBuilder(files)
    graph = builder.build_plan_graph()
    return graph, builder.findings + builder.ref_findings()
