"""Indexes over one plan graph (nodes by kind, edges by relation, field lookups) and node views.

Built once per run and passed to every rule; the edge and lookup indexes are built on first
use, so a rule set that never follows an edge never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..load.locations import Location
from .fields import STRUCTURAL_RELS


@dataclass(frozen=True, slots=True)
class NodeView:
    """A read-only handle on one node: rule expressions can read its plan fields, nothing else."""

    key: str
    attrs: dict = field(compare=False, repr=False)


_NOWHERE = Location("", 0, 0)


def node_location(attrs: dict) -> Location:
    """Where a node is defined: its `source`, else the first of its keys' locations."""
    src = attrs.get("source")
    if isinstance(src, Location):
        return src
    locs = attrs.get("field_locs")
    if locs:
        return locs.get("id") or min(locs.values())
    return _NOWHERE


def normalize_text(value):
    """Text compared for copy-paste: case and runs of whitespace ignored."""
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


class GraphIndex:
    """Lookup structures over one graph; read-only for the graph, lazily filled caches.

    Node lists come back in the order the graph holds them, which the graph builder makes
    the order of the plan files (docs/model.md); `related` keeps the order a node lists its
    references in.
    """

    def __init__(self, graph):
        self.graph = graph
        self.attrs: dict = getattr(graph, "_node", None) or dict(graph.nodes(data=True))
        self.plan_key = graph.graph.get("plan")
        by_kind: dict[str, list] = {}
        for k, attrs in self.attrs.items():
            kind = attrs.get("kind")
            group = by_kind.get(kind)
            if group is None:
                by_kind[kind] = [k]
            else:
                group.append(k)
        self.by_kind = by_kind
        # networkx's adjacency dicts, read directly: the public views wrap every access.
        self._succ = getattr(graph, "_succ", None) or graph.succ
        self._pred = getattr(graph, "_pred", None) or graph.pred
        self._cache: dict = {}
        self._views: dict = {}
        self._ancestors: dict = {}
        # {node: {relation: [neighbours]}}, filled per node on first use: each call after
        # the first answers in constant time however many edges the node has
        self._out: dict = {}
        self._in: dict = {}

    # --- views -------------------------------------------------------------------------------

    def view(self, key) -> NodeView:
        v = self._views.get(key)
        if v is None:
            v = self._views[key] = NodeView(key, self.attrs[key])
        return v

    def views(self, keys) -> list[NodeView]:
        get = self._views.get
        return [get(k) or self.view(k) for k in keys]

    def nodes_of(self, kind: str):
        """The keys of every node of `kind`, in graph order."""
        return self.by_kind.get(kind, ())

    def has_node(self, key: str) -> bool:
        return key in self.attrs

    # --- edges -------------------------------------------------------------------------------

    def outgoing(self, key, rel: str) -> list:
        """The targets of `key`'s edges of relation `rel`, in the order the graph holds them."""
        by_rel = self._out.get(key)
        if by_rel is None:
            by_rel = self._out[key] = _by_relation(self._succ[key])
        return by_rel.get(rel, _EMPTY)

    def incoming(self, key, rel: str) -> list:
        """The sources of the edges of relation `rel` into `key`, in the order the graph holds them."""
        by_rel = self._in.get(key)
        if by_rel is None:
            by_rel = self._in[key] = _by_relation(self._pred[key])
        return by_rel.get(rel, _EMPTY)

    def parents(self, key) -> list:
        """Structural parents of a node, the preferred relation first."""
        into = self._pred[key]
        if len(into) == 1:  # most nodes: one node above, by one edge
            ((u, edges),) = into.items()
            if len(edges) == 1:
                (d,) = edges.values()
                return [u] if d.get("rel") in _RANK else []
        found = [(_RANK[d.get("rel")], u) for u, edges in into.items()
                 for d in edges.values() if d.get("rel") in _RANK]
        if len(found) == 1:
            return [found[0][1]]
        found.sort(key=lambda pair: pair[0])
        return [u for _, u in found]

    def structural_children(self, key) -> list:
        return [v for v, edges in self._succ[key].items()
                for d in edges.values() if d.get("rel") in _RANK]

    def ancestor(self, key, kind: str):
        """The nearest node of `kind` above `key` in the plan tree, or None."""
        cache = self._ancestors
        found = cache.get((key, kind), _UNSET)
        if found is _UNSET:
            found = cache[(key, kind)] = self._find_ancestor(key, kind)
        return found

    def _find_ancestor(self, key, kind: str):
        seen = {key}
        frontier = [key]
        while frontier:
            upper = []
            for k in frontier:
                for p in self.parents(k):
                    if p in seen:
                        continue
                    if self.attrs[p].get("kind") == kind:
                        return p
                    seen.add(p)
                    upper.append(p)
            frontier = upper
        return None

    def descendants(self, key, kind: str) -> list:
        """Every node of `kind` below `key` in the plan tree, in graph order."""
        cached = self._cache.get(("descendants", key, kind))
        if cached is not None:
            return cached
        seen = {key}
        frontier = [key]
        found = []
        while frontier:
            lower = []
            for k in frontier:
                for c in self.structural_children(k):
                    if c not in seen:
                        seen.add(c)
                        lower.append(c)
                        if self.attrs[c].get("kind") == kind:
                            found.append(c)
            frontier = lower
        position = self._position()
        found.sort(key=position.__getitem__)
        self._cache[("descendants", key, kind)] = found
        return found

    def _position(self) -> dict:
        position = self._cache.get("position")
        if position is None:
            position = self._cache["position"] = {k: i for i, k in enumerate(self.attrs)}
        return position

    # --- field lookups -----------------------------------------------------------------------

    def lookup(self, kind: str, field_name: str, value, *, normalized: bool = False) -> list:
        """Keys of nodes of `kind` whose field equals `value` (or lists it), in graph order."""
        table = self._cache.get((kind, field_name, normalized))
        if table is None:
            table = self._cache[(kind, field_name, normalized)] = self.table(kind, field_name, normalized,
                                                                            self.by_kind.get(kind, ()))
        if normalized:
            value = normalize_text(value)
        try:
            return table.get(value, [])
        except TypeError:
            return []


    def table(self, kind: str, field_name: str, normalized: bool, keys) -> dict:
        """{value: [keys of nodes among `keys` whose field equals or lists it]}, in the order of `keys`."""
        return value_table(self.attrs, field_name, normalized, keys)


def value_table(attrs: dict, field_name: str, normalized: bool, keys) -> dict:
    """{value: [those of `keys` whose node's field equals or lists it]}, in the order of `keys`."""
    table: dict = {}
    for k in keys:
        v = attrs[k].get(field_name)
        for item in (v if isinstance(v, (list, tuple)) else (v,)):
            if normalized:
                item = normalize_text(item)
                if item is None or item == "":
                    continue
            try:
                table.setdefault(item, []).append(k)
            except TypeError:  # a mapping value cannot be looked up
                pass
    return table


def _by_relation(adjacency: dict) -> dict:
    """{relation: [neighbours]} of one node's adjacency dict, in its order."""
    out: dict = {}
    for other, edges in adjacency.items():
        for d in edges.values():
            rel = d.get("rel")
            found = out.get(rel)
            if found is None:
                out[rel] = [other]
            else:
                found.append(other)
    return out


_EMPTY: tuple = ()
_UNSET = object()
_RANK = {rel: i for i, rel in enumerate(STRUCTURAL_RELS)}
