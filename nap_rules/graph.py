"""Builds the plan graph (CONTRACT §2, docs/model.md) from validated plan files, resolving references.

Every reference that does not resolve becomes an edge to a `missing` node plus a `NAP-REF-*`
finding on the referencing node, so that both rules and reports can see it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import networkx as nx

from .findings import Finding
from .locations import LocList, LocMap, Location
from .plandir import PlanFiles

REF_INSTITUTION = "NAP-REF-001"
REF_INDICATOR = "NAP-REF-002"
REF_GOAL = "NAP-REF-003"
REF_MEASURE = "NAP-REF-004"
REF_RULE = {"institution": REF_INSTITUTION, "indicator": REF_INDICATOR, "goal": REF_GOAL, "measure": REF_MEASURE}

FIELDS = {
    "plan": ("title", "country", "period", "baseline_year", "currency", "exchange_rates", "approved_by", "note"),
    "goal": ("title", "outcome_indicators", "note"),
    "objective": ("title", "note"),
    "measure": ("title", "responsible", "contributing", "start", "deadline", "status", "note"),
    "indicator": ("name", "unit", "direction", "nature", "frequency", "formula", "baseline", "note", "sdg",
                  "collected_by"),
    "institution": ("name", "aliases", "note"),
    "budget_line": ("goal", "nature", "total_cost", "planned", "gap", "note"),
    "claim": ("text", "tolerance", "shares_of_total_cost", "shares_by_nature", "shares_by_funding", "total_cost", "note"),
    "report": ("reported_by", "note"),
    "actual": ("indicator", "value", "note"),
    "status_update": ("measure", "status", "note"),
}
LIST_FIELDS = frozenset({"outcome_indicators", "responsible", "contributing", "collected_by", "aliases"})


def node_key(kind: str, ident) -> str:
    return f"{kind}:{ident}"


@dataclass
class GraphBuilder:
    files: PlanFiles
    g: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    findings: list[Finding] = field(default_factory=list)
    _counts: dict = field(default_factory=dict)
    _dangling: list = field(default_factory=list)  # (src, kind, ident, where) of unresolved references
    _institution_names: dict = field(default_factory=dict)  # spelling -> institution key
    _edges: int = 0

    # --- nodes -----------------------------------------------------------------------------
    def add(self, kind: str, doc: LocMap, display_file: str, ident=None, **extra) -> str:
        ident = str(doc.get("id")) if ident is None else str(ident)
        count = self._counts.get((kind, ident), 0) + 1
        self._counts[(kind, ident)] = count
        key = node_key(kind, ident) if count == 1 else f"{node_key(kind, ident)}~{count}"
        attrs = {
            "kind": kind, "id": ident, "occurrence": count, "source": doc.loc,
            "field_locs": doc.key_locs,
        }
        for name in FIELDS.get(kind, ()):
            value = doc.get(name)
            if isinstance(value, dict):
                value = ordered(value)
            attrs[name] = ([] if value is None else value) if name in LIST_FIELDS else value
        attrs.update(extra)
        self.g.add_node(key, **attrs)
        return key

    def edge(self, u: str, v: str, rel: str, **attrs):
        # an explicit key: networkx's own key search is the slowest part of a large build
        self._edges += 1
        self.g.add_edge(u, v, key=self._edges, rel=rel, **attrs)

    # --- references ------------------------------------------------------------------------
    def resolve(self, src: str, kind: str, ident, rel: str, where: Location, label=None):
        """Edge src -rel-> the node `kind:ident`, or to a `missing` node plus a NAP-REF finding."""
        if kind == "institution":
            target = self._institution_names.get(str(ident))
        else:
            target = node_key(kind, ident)
            if target not in self.g:
                target = None
        if target is None or self.g.nodes[target]["kind"] == "missing":
            target = node_key(kind, ident)
            if target not in self.g:
                self.g.add_node(target, kind="missing", id=str(ident), occurrence=1, expected=kind,
                                source=where, field_locs={})
            self._dangling.append((src, kind, ident, where))
        extra = {"label": label} if label is not None else {}
        if rel:
            self.edge(src, target, rel, **extra)
        return target

    def ref_findings(self) -> list[Finding]:
        """The NAP-REF findings of the dangling references, once the whole graph is known.

        Hints ("did you mean …?") are computed at the end, against every id of the kind, so
        they do not depend on the order in which files and items were read.
        """
        by_kind: dict[str, set] = {}
        for _, kind, ident, _ in self._dangling:
            by_kind.setdefault(kind, set()).add(str(ident))
        hints: dict = {}
        for kind, idents in by_kind.items():
            names = self._institution_names if kind == "institution" else {
                n["id"] for _, n in self.g.nodes(data=True) if n["kind"] == kind}
            hints[kind] = close_matches(idents, names)
        out = []
        for src, kind, ident, where in self._dangling:
            close = hints[kind].get(str(ident))
            hint = f"; did you mean {close!r}?" if close else ""
            what = {"institution": "body not in institutions.yaml"}.get(kind, f"unknown {kind}")
            message = f"{what}: {ident!r}{hint}"
            out.append(Finding(REF_RULE[kind], "error", src, message, where.file, where.line, where.column,
                               detail=f"{kind}:{ident}"))
        return out

    # --- files -----------------------------------------------------------------------------
    def build(self) -> nx.MultiDiGraph:
        plan_file = self.files.one("plan")
        budget_file = self.files.one("budget")
        plan_doc = plan_file.doc
        totals = budget_file.doc.get("published_totals") if budget_file else None
        plan = self.add("plan", plan_doc, plan_file.display, budget_totals=totals)
        self.g.graph["plan"] = plan
        for f in self.files.of_kind("institutions"):
            self.institutions(plan, f)
        outcome_docs = [(f, doc) for f in self.files.of_kind("indicators") for doc in f.doc.get("indicators", [])]
        for f, doc in outcome_docs:
            # the file's `source` (where data comes from) is `data_source`: `source` is the location
            self.add("indicator", doc, f.display, level="outcome", measure=None, goal=doc.get("goal"),
                     targets=_targets(doc.get("targets")), data_source=doc.get("source"))
        for f in self.files.of_kind("goal"):
            self.goal(plan, f)
        for f, doc in outcome_docs:
            key = node_key("indicator", doc.get("id"))
            if doc.get("goal") is not None:
                self.resolve(key, "goal", doc["goal"], "", doc.key_locs.get("goal", doc.loc))
        if budget_file:
            self.budget(plan, budget_file)
        for f in self.files.of_kind("progress"):
            self.progress(plan, f)
        return self.g

    def institutions(self, plan: str, f):
        for doc in f.doc.get("institutions", []):
            # the file's `kind` (ministry, agency, …) must not shadow the node kind
            key = self.add("institution", doc, f.display, institution_kind=doc.get("kind"))
            self.edge(plan, key, "has_institution")
            if self.g.nodes[key]["occurrence"] == 1:
                for spelling in [doc.get("id"), *(doc.get("aliases") or [])]:
                    self._institution_names.setdefault(str(spelling), key)

    def goal(self, plan: str, f) -> str:
        doc = f.doc
        goal = self.add("goal", doc, f.display)
        goal_id = str(doc.get("id"))
        self.edge(plan, goal, "has_goal")
        for objective in doc.get("objectives", []):
            okey = self.add("objective", objective, f.display, goal=goal_id)
            self.edge(goal, okey, "has_objective")
            for measure in objective.get("measures", []):
                self.measure(okey, measure, f.display, str(objective.get("id")), goal_id)
        refs = doc.get("outcome_indicators") or []
        for i, ident in enumerate(refs):
            self.resolve(goal, "indicator", ident, "measured_by", _item_loc(refs, i, doc, "outcome_indicators"))
        return goal

    def measure(self, objective: str, doc: LocMap, display: str, objective_id: str, goal_id: str):
        mkey = self.add("measure", doc, display, objective=objective_id, goal=goal_id)
        self.edge(objective, mkey, "has_measure")
        for rel in ("responsible", "contributing"):
            names = doc.get(rel) or []
            for i, name in enumerate(names):
                self.resolve(mkey, "institution", name, rel, _item_loc(names, i, doc, rel), label=name)
        for ind in doc.get("indicators") or []:
            ikey = self.add("indicator", ind, display, level="measure", measure=str(doc.get("id")), goal=goal_id,
                            targets=_targets(ind.get("targets")), data_source=None)
            self.edge(mkey, ikey, "measured_by")
        for i, cost in enumerate(doc.get("cost") or []):
            ident = f"{doc.get('id')}/{cost.get('year')}-{cost.get('nature')}"
            if i and any(c is not cost and c.get("year") == cost.get("year") and c.get("nature") == cost.get("nature")
                         for c in doc["cost"][:i]):
                ident = f"{ident}-{i + 1}"
            lkey = self.add("budget_line", cost, display, ident=ident, level="measure", goal=goal_id,
                            measure=str(doc.get("id")), year=cost.get("year"), total_cost=cost.get("amount"),
                            planned=cost.get("funded"), gap=None, funding_source=cost.get("source"))
            self.edge(mkey, lkey, "costed_by")

    def budget(self, plan: str, f):
        doc = f.doc
        for line in doc.get("lines", []):
            lkey = self.add("budget_line", line, f.display, level="goal", measure=None, year=None, funding_source=None)
            self.edge(plan, lkey, "has_budget_line")
            goal = node_key("goal", line.get("goal"))
            if goal in self.g and self.g.nodes[goal]["kind"] == "goal":
                self.edge(goal, lkey, "funded_by")
            else:
                self.resolve(lkey, "goal", line.get("goal"), "", line.key_locs.get("goal", line.loc))
        for claim in doc.get("claims", []):
            ckey = self.add("claim", claim, f.display)
            self.edge(plan, ckey, "has_claim")
            shares = claim.get("shares_of_total_cost") or {}
            for goal_id in shares:
                if node_key("goal", goal_id) not in self.g:
                    self.resolve(ckey, "goal", goal_id, "", shares.key_locs.get(goal_id, claim.loc))

    def progress(self, plan: str, f):
        doc = f.doc
        period = doc.get("period") or {}
        year, half = period.get("year"), period.get("half")
        stem = f.display.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        rkey = self.add("report", doc, f.display, ident=stem, year=year, half=half)
        self.edge(plan, rkey, "has_report")
        for i, actual in enumerate(doc.get("actuals") or []):
            akey = self.add("actual", actual, f.display, ident=f"{stem}/{actual.get('indicator')}",
                            year=year, half=half, report=stem)
            self.edge(rkey, akey, "contains")
            target = node_key("indicator", actual.get("indicator"))
            if target in self.g and self.g.nodes[target]["kind"] == "indicator":
                self.edge(target, akey, "reported_in")
            else:
                self.resolve(akey, "indicator", actual.get("indicator"), "", actual.key_locs.get("indicator", actual.loc))
        for update in doc.get("measures") or []:
            ukey = self.add("status_update", update, f.display, ident=f"{stem}/{update.get('measure')}",
                            year=year, half=half, report=stem)
            self.edge(rkey, ukey, "contains")
            target = node_key("measure", update.get("measure"))
            if target in self.g and self.g.nodes[target]["kind"] == "measure":
                self.edge(target, ukey, "reported_in")
            else:
                self.resolve(ukey, "measure", update.get("measure"), "", update.key_locs.get("measure", update.loc))


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
    """The same mapping (a LocMap keeps its locations) with its keys in the fixed order, recursively."""
    out = LocMap(mapping.loc) if isinstance(mapping, LocMap) else {}
    for key in sorted(mapping, key=_key_rank):
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


def build_graph(files: PlanFiles) -> tuple[nx.MultiDiGraph, list[Finding]]:
    builder = GraphBuilder(files)
    graph = builder.build()
    return graph, builder.findings + builder.ref_findings()
