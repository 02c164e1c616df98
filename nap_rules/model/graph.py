"""Builds the plan graph (CONTRACT §2, docs/model.md) from validated plan files, resolving references.

Every reference that does not resolve becomes an edge to a `missing` node plus a `NAP-REF-*`
finding on the referencing node, so that both rules and reports can see it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..findings import Finding
from ..load.locations import Location, LocList, LocMap
from ..load.plan_folder import PlanFiles
from .fields import cited_line

if TYPE_CHECKING:
    import networkx as nx

REF_INSTITUTION = "NAP-REF-001"
REF_INDICATOR = "NAP-REF-002"
REF_GOAL = "NAP-REF-003"
REF_MEASURE = "NAP-REF-004"
REF_RULE = {"institution": REF_INSTITUTION, "indicator": REF_INDICATOR, "goal": REF_GOAL, "measure": REF_MEASURE}

FIELDS = {
    "plan": ("title", "document", "country", "period", "baseline_year", "currency", "exchange_rates", "approved_by",
             "note"),
    "goal": ("title", "outcome_indicators", "note", "doc_line"),
    "objective": ("title", "note", "doc_line"),
    "measure": ("title", "responsible", "contributing", "start", "deadline", "status", "note", "doc_line"),
    "indicator": ("name", "unit", "direction", "nature", "frequency", "formula", "baseline", "note", "sdg",
                  "collected_by", "doc_line"),
    "institution": ("name", "aliases", "note", "doc_line"),
    "budget_line": ("goal", "nature", "total_cost", "planned", "gap", "note", "doc_line"),
    "claim": ("text", "tolerance", "shares_of_total_cost", "shares_by_nature", "shares_by_funding", "total_cost", "note",
              "doc_line"),
    "report": ("reported_by", "note"),
    "actual": ("indicator", "value", "note"),
    "status_update": ("measure", "status", "note"),
}
LIST_FIELDS = frozenset({"outcome_indicators", "responsible", "contributing", "collected_by", "aliases"})


def node_key(kind: str, ident) -> str:
    return f"{kind}:{ident}"


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
_SPECS = {kind: tuple((name, name in LIST_FIELDS) for name in names) for kind, names in FIELDS.items()}
_NO_EXTRA: dict = {}


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
class GraphBuilder:
    files: PlanFiles
    nodes: dict = field(default_factory=dict)  # key -> attribute dict
    succ: dict = field(default_factory=dict)  # u -> {v: {edge key: attribute dict}}
    pred: dict = field(default_factory=dict)  # v -> {u: the same {edge key: attribute dict}}
    findings: list[Finding] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # (kind, id) -> nodes with that id so far
    dangling: list = field(default_factory=list)  # (src, kind, ident, where) of unresolved references
    _institution_names: dict = field(default_factory=dict)  # spelling -> institution key
    _edge_data: dict = field(default_factory=dict)  # (rel, label) -> the EdgeData they share
    reading: str = ""  # the file being read

    # --- nodes -----------------------------------------------------------------------------
    def add(self, kind: str, doc: LocMap, display_file: str, ident=None, extra: dict = _NO_EXTRA) -> str:
        """Node `kind:ident` for the mapping `doc`: its kind's fields (a list field that is absent
        reads as an empty list), then `extra`."""
        ident = str(doc.get("id")) if ident is None else str(ident)
        counted = (kind, ident)
        count = self.counts.get(counted, 0) + 1
        self.counts[counted] = count
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
        out = self.succ[u]
        keyed = out.get(v)
        if keyed is None:
            out[v] = self.pred[v][u] = {0: data}
        else:
            keyed[len(keyed)] = data

    def _has(self, key: str) -> bool:
        """Whether `key` is a node (a partial build also knows the nodes of the files it left out)."""
        return key in self.nodes

    # --- references ------------------------------------------------------------------------
    def resolve(self, src: str, kind: str, ident, rel: str, where: Location, label=None):
        """Edge src -rel-> the node `kind:ident`, or to a `missing` node plus a NAP-REF finding."""
        if kind == "institution":
            target = self._institution_names.get(str(ident))
        else:
            target = node_key(kind, ident)
            if not self._has(target):
                target = None
        if target is None or self.nodes[target]["kind"] == "missing":
            target = node_key(kind, ident)
            if target not in self.nodes:
                self.nodes[target] = {"kind": "missing", "id": str(ident), "occurrence": 1, "expected": kind,
                                      "source": where, "field_locs": {}}
                self.succ[target] = {}
                self.pred[target] = {}
            self.dangling.append((src, kind, ident, where, cited_line(self.nodes[src].get("doc_line"))))
        if rel:
            self.edge(src, target, rel, label)
        return target

    def ref_findings(self) -> list[Finding]:
        """The NAP-REF findings of the dangling references, once the whole graph is known.

        Hints ("did you mean …?") are computed at the end, against every id of the kind, so
        they do not depend on the order in which files and items were read.
        """
        by_kind: dict[str, set] = {}
        dangling = self.all_dangling()
        for _, kind, ident, _, _ in dangling:
            by_kind.setdefault(kind, set()).add(str(ident))
        hints: dict = {}
        for kind, idents in by_kind.items():
            if kind == "institution":
                names = self._institution_names
            else:
                names = {n["id"] for n in self.nodes.values() if n["kind"] == kind}
                names.update(self.other_ids(kind))
            hints[kind] = close_matches(idents, names)
        out = []
        for src, kind, ident, where, doc_line in dangling:
            close = hints[kind].get(str(ident))
            hint = f"; did you mean {close!r}?" if close else ""
            what = {"institution": "body not in institutions.yaml"}.get(kind, f"unknown {kind}")
            message = f"{what}: {ident!r}{hint}"
            out.append(Finding(REF_RULE[kind], "error", src, message, where.file, where.line, where.column,
                               detail=f"{kind}:{ident}", doc_line=doc_line))
        return out

    def all_dangling(self) -> list:
        """Every unresolved reference of the plan, in the order the files were read."""
        return self.dangling

    def other_ids(self, kind: str):
        """Ids of `kind` defined by files this build did not read (none: it reads them all)."""
        return ()

    def is_a(self, key: str, kind: str) -> bool:
        return self._has(key) and self.nodes[key]["kind"] == kind

    # --- files -----------------------------------------------------------------------------
    def build(self) -> "nx.MultiDiGraph":
        return self.build_plan_graph().to_networkx()

    def build_plan_graph(self) -> PlanGraph:
        """The graph of the files, without a networkx object (see PlanGraph)."""
        return PlanGraph(self.build_parts(), self.nodes, self.succ, self.pred)

    def build_parts(self) -> str:
        """Fill `nodes`, `succ` and `pred` from the files; the plan node's key."""
        plan_file = self.files.one("plan")
        budget_file = self.files.one("budget")
        plan_doc = plan_file.doc
        totals = budget_file.doc.get("published_totals") if budget_file else None
        plan = self.add("plan", plan_doc, plan_file.display, extra={"budget_totals": totals})
        for f in self.files.of_kind("institutions"):
            self.reading = f.display
            self.institutions(plan, f)
        outcome_docs = [(f, doc) for f in self.files.of_kind("indicators") for doc in f.doc.get("indicators", [])]
        for f, doc in outcome_docs:
            # the file's `source` (where data comes from) is `data_source`: `source` is the location
            self.add("indicator", doc, f.display, extra={
                "level": "outcome", "measure": None, "goal": doc.get("goal"),
                "targets": _targets(doc.get("targets")), "data_source": doc.get("source")})
        self.goal_files(plan)
        for f, doc in outcome_docs:
            self.reading = f.display
            key = node_key("indicator", doc.get("id"))
            if doc.get("goal") is not None:
                self.resolve(key, "goal", doc["goal"], "", doc.key_locs.get("goal") or doc.loc)
        if budget_file:
            self.reading = budget_file.display
            self.budget(plan, budget_file)
        for f in self.files.of_kind("progress"):
            self.reading = f.display
            self.progress(plan, f)
        return plan

    def goal_files(self, plan: str) -> None:
        """The goal files, in order."""
        for f in self.files.of_kind("goal"):
            self.reading = f.display
            self.goal(plan, f)

    def institutions(self, plan: str, f):
        for doc in f.doc.get("institutions", []):
            # the file's `kind` (ministry, agency, …) must not shadow the node kind
            key = self.add("institution", doc, f.display, extra={"institution_kind": doc.get("kind")})
            self.edge(plan, key, "has_institution")
            if self.nodes[key]["occurrence"] == 1:
                for spelling in [doc.get("id"), *(doc.get("aliases") or [])]:
                    self._institution_names.setdefault(str(spelling), key)

    def goal(self, plan: str, f) -> str:
        doc = f.doc
        goal = self.add("goal", doc, f.display)
        goal_id = str(doc.get("id"))
        self.edge(plan, goal, "has_goal")
        for objective in doc.get("objectives", []):
            objective_id = str(objective.get("id"))
            okey = self.add("objective", objective, f.display, extra={"goal": goal_id})
            self.edge(goal, okey, "has_objective")
            for measure in objective.get("measures", []):
                self.measure(okey, measure, f.display, objective_id, goal_id)
        refs = doc.get("outcome_indicators") or []
        for i, ident in enumerate(refs):
            self.resolve(goal, "indicator", ident, "measured_by", _item_loc(refs, i, doc, "outcome_indicators"))
        return goal

    def measure(self, objective: str, doc: LocMap, display: str, objective_id: str, goal_id: str):
        mkey = self.add("measure", doc, display, extra={"objective": objective_id, "goal": goal_id})
        measure_id = self.nodes[mkey]["id"]
        self.edge(objective, mkey, "has_measure")
        names_of = self._institution_names
        for rel in ("responsible", "contributing"):
            names = doc.get(rel)
            if not names:
                continue
            for i, name in enumerate(names):
                target = names_of.get(str(name))
                if target is not None:
                    self.edge(mkey, target, rel, name)
                else:
                    self.resolve(mkey, "institution", name, rel, _item_loc(names, i, doc, rel), label=name)
        for ind in doc.get("indicators") or ():
            ikey = self.add("indicator", ind, display, extra={
                "level": "measure", "measure": measure_id, "goal": goal_id,
                "targets": _targets(ind.get("targets")), "data_source": None})
            self.edge(mkey, ikey, "measured_by")
        costs = doc.get("cost") or ()
        for i, cost in enumerate(costs):
            ident = f"{measure_id}/{cost.get('year')}-{cost.get('nature')}"
            if i and any(c is not cost and c.get("year") == cost.get("year") and c.get("nature") == cost.get("nature")
                         for c in costs[:i]):
                ident = f"{ident}-{i + 1}"
            lkey = self.add("budget_line", cost, display, ident=ident, extra={
                "level": "measure", "goal": goal_id, "measure": measure_id, "year": cost.get("year"),
                "total_cost": cost.get("amount"), "planned": cost.get("funded"), "gap": None,
                "funding_source": cost.get("source")})
            self.edge(mkey, lkey, "costed_by")

    def budget(self, plan: str, f):
        doc = f.doc
        for line in doc.get("lines", []):
            lkey = self.add("budget_line", line, f.display, extra={
                "level": "goal", "measure": None, "year": None, "funding_source": None})
            self.edge(plan, lkey, "has_budget_line")
            goal = node_key("goal", line.get("goal"))
            if self.is_a(goal, "goal"):
                self.edge(goal, lkey, "funded_by")
            else:
                self.resolve(lkey, "goal", line.get("goal"), "", line.key_locs.get("goal") or line.loc)
        for claim in doc.get("claims", []):
            ckey = self.add("claim", claim, f.display)
            self.edge(plan, ckey, "has_claim")
            shares = claim.get("shares_of_total_cost") or {}
            for goal_id in shares:
                if not self._has(node_key("goal", goal_id)):
                    self.resolve(ckey, "goal", goal_id, "", shares.key_locs.get(goal_id) or claim.loc)

    def progress(self, plan: str, f):
        doc = f.doc
        period = doc.get("period") or {}
        year, half = period.get("year"), period.get("half")
        stem = f.display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        rkey = self.add("report", doc, f.display, ident=stem, extra={"year": year, "half": half})
        self.edge(plan, rkey, "has_report")
        # an actual value reports on an indicator, a status update on a measure
        for entries, kind, subject in (("actuals", "actual", "indicator"),
                                       ("measures", "status_update", "measure")):
            for entry in doc.get(entries) or []:
                key = self.add(kind, entry, f.display, ident=f"{stem}/{entry.get(subject)}",
                               extra={"year": year, "half": half, "report": stem})
                self.edge(rkey, key, "contains")
                target = node_key(subject, entry.get(subject))
                if self.is_a(target, subject):
                    self.edge(target, key, "reported_in")
                else:
                    self.resolve(key, subject, entry.get(subject), "", entry.key_locs.get(subject) or entry.loc)


def node_file(attrs) -> str:
    """The file a node is defined in; "" for a missing node (no file defines it)."""
    return "" if attrs["kind"] == "missing" else attrs["source"].file


def _item_loc(items, i: int, doc: LocMap, key: str) -> Location:
    if isinstance(items, LocList) and i < len(items.item_locs):
        return items.item_locs[i]
    return doc.key_locs.get(key, doc.loc)


def _targets(targets) -> dict:
    """Year keys back to integers (files hold them as text, see docs/model.md), in year order."""
    if not targets:
        return {}
    return {int(year): ordered(value) if isinstance(value, dict) else value
            for year, value in sorted(targets.items(), key=lambda item: int(item[0]))}


# The order of the keys of a mapping in a plan file carries no meaning: in the graph every
# mapping value (period, baseline, exchange rates, a relative target, claim shares, …) has its
# keys in one fixed order, so that nothing computed from it (a message that shows the value,
# a sum, a listing) depends on how the author ordered the keys.
KEY_ORDER = {k: i for i, k in enumerate(("year", "half", "start", "end", "value", "relative", "of", "per_year",
                                         "total_cost", "planned", "gap", "in_currency", "note"))}


def _key_rank(key):
    text = str(key)
    if text.isdigit():
        return (0, int(text), "")
    return (1, KEY_ORDER.get(text, len(KEY_ORDER)), text)


def ordered(mapping: dict) -> dict:
    """The same mapping (a LocMap keeps its locations) with its keys in the fixed order, recursively.

    A mapping already in that order, all the way down (the usual case), is returned as it is.
    """
    keys = sorted(mapping, key=_key_rank)
    if keys == list(mapping) and not any(isinstance(v, dict) and ordered(v) is not v for v in mapping.values()):
        return mapping
    out = LocMap(mapping.loc) if isinstance(mapping, LocMap) else {}
    for key in keys:
        value = mapping[key]
        out[key] = ordered(value) if isinstance(value, dict) else value
    if isinstance(mapping, LocMap):
        out.key_locs.update((k, mapping.key_locs[k]) for k in out if k in mapping.key_locs)
    return out


# "did you mean" compares each dangling id with every known id of its kind: a plan with
# thousands of both would spend minutes on hints, so past this many comparisons there are none.
HINT_COMPARISONS = 300_000


def close_matches(idents, names) -> dict:
    """{ident: the closest known name} for the idents that have one (difflib, cutoff 0.75)."""
    names = sorted(set(names))
    if not names or len(idents) * len(names) > HINT_COMPARISONS:
        return {}
    by_length: dict[int, list[str]] = {}
    for name in names:
        by_length.setdefault(len(name), []).append(name)
    out = {}
    for ident in sorted(idents):
        # a ratio of 0.75 needs the shorter string to be at least 0.6 of the longer one
        size = len(ident)
        candidates = [n for length, group in by_length.items() if 5 * min(size, length) >= 3 * max(size, length)
                      for n in group]
        close = difflib.get_close_matches(ident, candidates, n=1, cutoff=0.75)
        if close:
            out[ident] = close[0]
    return out


def build_graph(files: PlanFiles) -> tuple["nx.MultiDiGraph", list[Finding]]:
    builder = GraphBuilder(files)
    graph = builder.build()
    return graph, builder.findings + builder.ref_findings()


def build_plan_graph(files: PlanFiles) -> tuple[PlanGraph, list[Finding]]:
    """build_graph without the networkx object: what a check needs."""
    builder = GraphBuilder(files)
    graph = builder.build_plan_graph()
    return graph, builder.findings + builder.ref_findings()
