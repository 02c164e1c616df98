"""`check --cache`: re-check a plan where only goal files changed by re-evaluating what changed.

A run with a cache folder keeps, besides each file's parsed document (nap_rules.load.file_cache), a
*snapshot* of the run: per plan file a summary (the nodes it defines, the nodes of other files
they link to, its unresolved references, its schema findings) and per rule the findings and
the dependency tokens (nap_rules.incremental.tracking) of every node it evaluated, grouped by the file of
the node and the tokens. The snapshot is named by everything the findings depend on besides
the plan files: the rules as configured, their parameters, the evaluation date, the limits,
the plan folder and the code of nap-rules.

The next run with the same name reads every file's bytes, and when only goal files changed
(same file list, no schema errors, goal files linking only to nodes of the other plan files,
no node id reused across files) it builds a *partial graph*: the plan, institutions,
indicators, budget and progress files, the changed goal files, and placeholders for the nodes
of the unchanged goal files that those link to. It then

- keeps each group of findings whose tokens the change cannot reach,
- evaluates the rules again on the nodes of the changed files and of the groups it can reach,
  with an index that refuses anything the partial graph does not hold whole,
- recomputes the reference findings from every file's unresolved references.

Whenever the partial graph cannot answer (a rule lists every measure, a group of an unchanged
goal file was reached, a limit was hit, …) the whole plan is checked as without a snapshot.
Either way the findings are those of a run without a cache: tests/test_incremental.py checks
that on generated plans and edits.
"""

from __future__ import annotations

import decimal
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..findings import Finding, sort_findings
from ..lang.runtime import DECIMAL_CONTEXT
from ..load.file_cache import FileCache
from ..load.plan_folder import PlanFiles, list_plan_files, load_cached
from ..load.schema_check import check_plan_files
from ..load.yaml_reader import read_file_bytes
from ..model.graph import GraphBuilder, Placeholder, node_file
from ..model.index import value_table
from ..run.engine import evaluate_rule
from .tracking import PLAIN, NeedFullRun, TrackingIndex

SNAPSHOT_FORMAT = "nap-rules snapshot v2"
PARTIAL_KIND = "goal"  # the files a partial graph may leave out


@dataclass
class Outcome:
    """What a check with a cache found: built-in and rule findings (None: rules not run)."""

    plan_id: str
    file_count: int
    builtin: list
    rule_findings: list | None
    incremental: bool  # whether the snapshot was used
    files: PlanFiles | None = None  # the files read (all of them unless `incremental`)
    graph: object = None  # the graph the rules ran on; None when `incremental`


class PartialGraph:
    """The nodes and adjacency of a partial build, laid out as networkx lays out a graph, for a
    GraphIndex: a partial graph is never handed out, so it needs no graph object."""

    def __init__(self, plan: str, nodes: dict, succ: dict, pred: dict):
        self.graph = {"plan": plan}
        self._node = nodes
        self._succ = succ
        self._pred = pred


# --- the snapshot's name ----------------------------------------------------------------------

def run_key(cache: FileCache, rules, params_override, as_of, limits, plan_dir, progress_dirs) -> bytes:
    """The name of the snapshot of a run: everything its findings depend on but the plan files."""
    h = hashlib.sha256(cache.salt)
    h.update(f"{SNAPSHOT_FORMAT}\n{__version__}\n".encode())
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    parts = [repr(rule) for rule in rules]
    parts.append(repr(sorted((k, sorted(v.items())) for k, v in (params_override or {}).items())))
    parts += [as_of.isoformat(), repr(limits), str(plan_dir), repr([str(d) for d in progress_dirs])]
    for part in parts:
        data = part.encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


# --- reading ----------------------------------------------------------------------------------

@dataclass
class Listed:
    files: PlanFiles  # the folder, with its ignored files; `files.files` filled as files are read
    entries: list  # (path, kind, display, bytes, cache key) per plan file, in read order


def list_files(plan_dir, limits, progress_dirs, cache: FileCache) -> Listed:
    files, listed = list_plan_files(plan_dir, limits, progress_dirs)
    entries = []
    for path, kind, display in listed:
        data = read_file_bytes(path, display, limits)
        entries.append((path, kind, display, data, cache.key(data, kind, display)))
    return Listed(files, entries)


def _shared(listed: Listed) -> frozenset:
    """The files that are not goal files, and "" for missing nodes: their nodes are always in a
    partial graph, so their groups list node keys and their edges are followed node by node."""
    return frozenset({e[2] for e in listed.entries if e[1] != PARTIAL_KIND} | {""})


def load(listed: Listed, indexes, limits, pure, cache):
    """The plan files of the entries `indexes`, in order; every entry's bytes are let go."""
    out = []
    for i, (path, kind, display, data, key) in enumerate(listed.entries):
        if i in indexes:
            out.append(load_cached(data, key, kind, display, limits, pure, cache))
        listed.entries[i] = (path, kind, display, None, key)
    return out


# --- file summaries ---------------------------------------------------------------------------

def summarize(builder: GraphBuilder, displays, linked) -> dict:
    """{file: summary} of the files `displays`, from a graph builder's nodes and adjacency.

    A summary: `defined` (node keys, in order), `kinds`, `dangling` (its unresolved references,
    as the graph builder keeps them), `edges` (the edges to nodes of other files made while it
    was read, in order, as the builder records them in `cross`); for the files `linked` also
    `links` ((key, relation) of each edge its nodes share with a node of another file) and
    `missing` (keys of missing nodes they link to).
    """
    nodes, succ, pred = builder.nodes, builder.succ, builder.pred
    out = {d: {"defined": [], "kinds": set(), "links": set(), "missing": set(), "dangling": []}
           for d in displays}
    for key, attrs in nodes.items():
        s = out.get(node_file(attrs))
        if s is not None and not isinstance(attrs, Placeholder):
            s["defined"].append(key)
            s["kinds"].add(attrs["kind"])
    for file in linked:
        s = out[file]
        for u in s["defined"]:
            for edges in (succ[u], pred[u]):
                for other, keyed in edges.items():
                    other_file = node_file(nodes[other])
                    if other_file == file:
                        continue
                    if other_file == "":
                        s["missing"].add(other)
                    else:
                        s["links"].update((other, data["rel"]) for data in keyed.values())
    for entry in builder._dangling:
        s = out.get(entry[3].file)
        if s is not None:
            s["dangling"].append(entry)
    cross = builder.cross or {}
    return {d: {"defined": tuple(s["defined"]), "kinds": frozenset(s["kinds"]),
                "links": frozenset(s["links"]), "missing": frozenset(s["missing"]), "dangling": tuple(s["dangling"]),
                "edges": tuple(cross.get(d, ()))} for d, s in out.items()}


def independent(summaries: dict, kinds: dict) -> bool:
    """Whether every goal file links only to nodes of files that are not goal files."""
    goal_keys = set()
    for display, s in summaries.items():
        if kinds[display] == PARTIAL_KIND:
            goal_keys.update(s["defined"])
    return all(not (linked(s) & goal_keys) for d, s in summaries.items() if kinds[d] == PARTIAL_KIND)


def linked(summary) -> set:
    """The keys of the nodes of other files a file's nodes share an edge with."""
    return {k for k, _ in summary["links"]}


# --- evaluation with records ------------------------------------------------------------------

class Recorder:
    """Groups one rule's evaluations by (file of the node, tokens) as the engine reports them."""

    def __init__(self, index: TrackingIndex, shared):
        self.index = index
        self.shared = shared  # files whose groups list their node keys
        self.groups: dict = {}
        self.steps = 0
        self._interned: dict = {}

    def __call__(self, key, findings, steps) -> None:
        tokens = frozenset(self.index.tokens)
        tokens = self._interned.setdefault(tokens, tokens)
        file = node_file(self.index.attrs[key])
        group = self.groups.get((file, tokens))
        if group is None:
            group = self.groups[(file, tokens)] = [0, [], [] if file in self.shared else None]
        group[0] += steps
        group[1].extend(findings)
        if group[2] is not None:
            group[2].append(key)
        self.steps += steps

    def stored(self) -> list:
        return [(file, tokens, steps, tuple(findings), None if keys is None else tuple(keys))
                for (file, tokens), (steps, findings, keys) in self.groups.items()]


def run_rules(index: TrackingIndex, rules, as_of, params_override, shared, plan_for=None):
    """Findings and per-rule records ({rule id: (steps, groups)}); None when a rule hit a run limit.

    `plan_for(rule)` gives (keys to evaluate, groups kept, steps kept) for an incremental run;
    without it every node of each rule's kind is evaluated.
    """
    findings: list[Finding] = []
    records: dict = {}
    with decimal.localcontext(DECIMAL_CONTEXT):
        for rule in rules:
            params = {**rule.params, **(params_override or {}).get(rule.id, {})}
            keys, kept, kept_steps = (None, [], 0) if plan_for is None else plan_for(rule)
            recorder = Recorder(index, shared)
            found = evaluate_rule(rule, index, as_of, params, keys=keys, record=recorder, steps_before=kept_steps)
            if kept_steps + recorder.steps > rule.compiled.limits.rule_steps:
                return None, None
            findings.extend(found)
            for group in kept:
                findings.extend(group[3])
            records[rule.id] = (kept_steps + recorder.steps, kept + recorder.stored())
    return findings, records


# --- the runs ---------------------------------------------------------------------------------

def check_cached(plan_dir, rules, *, as_of, limits, progress_dirs, cache_dir, params_override, pure=False) -> Outcome:
    """Check `plan_dir` with the cache folder `cache_dir`, incrementally when its snapshot allows."""
    cache = FileCache(cache_dir, limits)
    listed = list_files(plan_dir, limits, progress_dirs, cache)
    name = run_key(cache, rules, params_override, as_of, limits, plan_dir, progress_dirs)
    snapshot = cache.get(name)
    if _usable(snapshot, listed):
        try:
            return _incremental(listed, snapshot, rules, as_of, params_override, limits, pure, cache, name)
        except NeedFullRun:
            pass
    return _full(listed, rules, as_of, params_override, limits, pure, cache, name)


SUMMARY_KEYS = frozenset({"defined", "kinds", "links", "missing", "dangling", "edges", "schema"})


def _usable(snapshot, listed: Listed) -> bool:
    """Whether `snapshot` is whole, of this format, and lists the same files as `listed`."""
    if not (isinstance(snapshot, dict) and snapshot.get("format") == SNAPSHOT_FORMAT and snapshot.get("independent")
            and isinstance(snapshot.get("files"), tuple) and isinstance(snapshot.get("rules"), dict)
            and isinstance(snapshot.get("missing"), dict) and isinstance(snapshot.get("searches"), frozenset)):
        return False
    files = snapshot["files"]
    if not all(isinstance(f, tuple) and len(f) == 4 and isinstance(f[3], dict) and SUMMARY_KEYS <= f[3].keys()
               and (f[1] != PARTIAL_KIND or "tables" in f[3]) for f in files):
        return False
    return [(e[2], e[1]) for e in listed.entries] == [(f[0], f[1]) for f in files]


def _full(listed, rules, as_of, params_override, limits, pure, cache, name) -> Outcome:
    files = listed.files
    files.files = load(listed, range(len(listed.entries)), limits, pure, cache)
    schema = check_plan_files(files)
    plan_id = files.plan_id
    count = len(files.files)
    if any(f.severity == "error" for f in schema):
        return Outcome(plan_id, count, sort_findings(schema), None, False, files)
    builder = GraphBuilder(files, cross={})
    graph = builder.build()
    refs = builder.findings + builder.ref_findings()
    kinds = {e[2]: e[1] for e in listed.entries}
    shared = _shared(listed)
    index = TrackingIndex(graph, edges_by_node=shared)
    findings, records = run_rules(index, rules, as_of, params_override, shared)
    if findings is None:  # a rule stopped at its run limit: evaluate plainly, keep no snapshot
        from ..run.engine import evaluate

        return Outcome(plan_id, count, sort_findings(schema + refs),
                       evaluate(graph, rules, as_of=as_of, params_override=params_override), False, files, graph)
    summaries = summarize(builder, list(kinds), [d for d, k in kinds.items() if k == PARTIAL_KIND])
    for f in files.files:
        summaries[f.display]["schema"] = tuple(f.schema_findings or ())
    searches = frozenset(index.searches)
    for display, s in summaries.items():
        if kinds[display] == PARTIAL_KIND:
            s["tables"] = search_tables(builder.nodes, searches, s["defined"])
    cache.put(name, {
        "format": SNAPSHOT_FORMAT,
        "independent": independent(summaries, kinds),
        "files": tuple((e[2], e[1], e[4], summaries[e[2]]) for e in listed.entries),
        "missing": _missing(builder.nodes),
        "searches": searches,
        "rules": records,
    })
    return Outcome(plan_id, count, sort_findings(schema + refs), sort_findings(findings), False, files, graph)


def _incremental(listed, snapshot, rules, as_of, params_override, limits, pure, cache, name) -> Outcome:
    if rule_ids_changed(snapshot, rules):
        raise NeedFullRun("the rules changed")
    old = snapshot["files"]
    changed = {i for i, e in enumerate(listed.entries) if e[4] != old[i][2]}
    if any(listed.entries[i][1] != PARTIAL_KIND for i in changed):
        raise NeedFullRun("a file other than a goal file changed")
    changed_files = {listed.entries[i][2] for i in changed}
    absent = {i for i, e in enumerate(listed.entries) if e[1] == PARTIAL_KIND and i not in changed}
    read = [i for i in range(len(listed.entries)) if i not in absent]
    files = listed.files
    files.files = load(listed, set(read), limits, pure, cache)
    schema = check_plan_files(files)
    if any(f.severity == "error" for f in schema):
        raise NeedFullRun("a changed file breaks its schema")
    for i in sorted(absent):
        schema.extend(old[i][3]["schema"])

    # the partial graph
    elsewhere: dict = {}
    dangling_elsewhere: list = []
    replay: dict = {}
    absent_kinds: set = set()
    absent_missing: set = set()
    for i in sorted(absent):
        display, _, _, s = old[i]
        elsewhere.update(dict.fromkeys(s["defined"], display))
        dangling_elsewhere.extend(s["dangling"])
        replay[display] = s["edges"]
        absent_kinds |= s["kinds"]
        absent_missing |= s["missing"]
    builder = GraphBuilder(files, cross={}, goal_order=tuple(e[2] for e in listed.entries if e[1] == PARTIAL_KIND),
                           replay=replay, elsewhere=elsewhere, missing_elsewhere=frozenset(absent_missing),
                           dangling_elsewhere=dangling_elsewhere)
    graph = PartialGraph(builder.build_parts(), builder.nodes, builder.succ, builder.pred)
    if any(reading in changed_files for reading, _ in builder.placeholder_uses):
        raise NeedFullRun("a changed file links to a node of an unchanged goal file")
    refs = builder.findings + builder.ref_findings()
    displays = [e[2] for e in listed.entries]
    partial = [d for i, d in enumerate(displays) if i not in absent]
    now = summarize(builder, partial, changed_files)
    goal_keys = set(elsewhere)
    for d in changed_files:
        goal_keys.update(now[d]["defined"])
    if any(linked(now[d]) & goal_keys for d in changed_files):
        raise NeedFullRun("a changed goal file links to a node of another goal file")
    others = set(elsewhere)
    for d in partial:
        if d not in changed_files:
            others.update(now[d]["defined"])
    mine = [k for i in changed for k in old[i][3]["defined"]] + [k for d in changed_files for k in now[d]["defined"]]
    if _base_ids(mine) & _base_ids(others):
        raise NeedFullRun("a changed goal file shares an id with another file")

    # what the change can reach: what a changed file held before, and holds now
    searches = snapshot["searches"]
    for display in changed_files:
        now[display]["tables"] = search_tables(builder.nodes, searches, now[display]["defined"])
    reached: set = set()
    for i in changed:
        display = displays[i]
        for s in (old[i][3], now[display]):
            reached |= {("F", display), ("E", display)}
            reached |= {("K", k) for k in s["kinds"]}
            reached |= {("N", k) for k, _ in s["links"]}
            reached |= {("N", k, rel) for k, rel in s["links"]}
            reached |= {("ME", k) for k in s["missing"]}
            for search, table in s["tables"].items():  # searches that found, or now find, its nodes
                reached |= {("L", *search, value) for value in table}
    # an unresolved reference of any file can come or go with the nodes a changed file defines
    # (what a missing node holds comes from its first reference: it changes only when that does)
    before = snapshot["missing"]
    missing = _missing(builder.nodes, before)
    if missing.keys() != before.keys():
        reached.add(("K", "missing"))
    for k in missing.keys() | before.keys():
        now_k, before_k = missing.get(k), before.get(k)
        if now_k is None or before_k is None or now_k[1] != before_k[1]:
            reached.add(("M", k))  # what rules can read of it: that it exists, the kind expected
        if now_k is None or before_k is None or now_k[0] != before_k[0]:
            reached.add(("MS", k))  # where a finding on it points
    # placeholders have their edges to other files only, and goal files left out define more of their kinds
    placeholders = {k for k, a in builder.nodes.items() if isinstance(a, Placeholder)}
    shared = _shared(listed)
    rank = {e[2]: (KIND_RANK[e[1]], i) for i, e in enumerate(listed.entries)}
    elsewhere_view = Elsewhere(builder, rank, [(displays[i], old[i][3]) for i in sorted(absent)])
    index = TrackingIndex(graph, edges_by_node=shared, incomplete_edges=frozenset(placeholders),
                          incomplete_kinds=frozenset(absent_kinds), elsewhere=elsewhere_view)
    absent_files = {displays[i] for i in absent}

    graph_nodes = builder.nodes

    def plan_for(rule):
        kept, kept_steps, kept_keys = [], 0, set()
        for group in snapshot["rules"].get(rule.id, (0, ()))[1]:
            file, tokens, steps, _, keys = group
            if file in changed_files:
                continue
            if tokens.isdisjoint(reached) and (keys is None or all(k in graph_nodes for k in keys)):
                kept.append(group)
                kept_steps += steps
                if keys is not None:
                    kept_keys.update(keys)
            elif file in absent_files or keys is None:
                raise NeedFullRun(f"{rule.id} on {file} depends on the change: {sorted(tokens & reached, key=repr)[:3]}")
        todo = []
        for k in index.by_kind.get(rule.applies_to, ()):
            if k in kept_keys:
                continue
            if k in placeholders:
                # a node of a goal file left out is in that file's groups; a missing node first
                # referred to there has groups of its own, and this one was reached
                if graph_nodes[k]["kind"] == "missing":
                    raise NeedFullRun(f"{rule.id} on {k} depends on the change")
                continue
            todo.append(k)
        return todo, kept, kept_steps

    findings, records = run_rules(index, rules, as_of, params_override, shared, plan_for)
    if findings is None:
        raise NeedFullRun("a rule reached its run limit")
    if not index.searches <= searches:
        raise NeedFullRun("a search the snapshot has no tables for")

    # the new snapshot
    files_out = []
    for i, (display, kind, _, s) in enumerate(old):
        if i in absent:
            files_out.append((display, kind, old[i][2], s))
            continue
        fresh = dict(now[display])
        fresh["schema"] = tuple(next(f for f in files.files if f.display == display).schema_findings or ())
        files_out.append((display, kind, listed.entries[i][4], fresh))
    cache.put(name, {"format": SNAPSHOT_FORMAT, "independent": True, "files": tuple(files_out), "missing": missing,
                     "searches": searches, "rules": records})
    return Outcome(files.plan_id, len(listed.entries), sort_findings(schema + refs), sort_findings(findings), True, files)


# the order in which the graph builder reads the kinds of files (nap_rules.model.graph.GraphBuilder.build)
KIND_RANK = {"plan": 0, "institutions": 1, "abbreviations": 2, "indicators": 3, "goal": 4, "narrative": 5, "budget": 6,
             "progress": 7}


def search_tables(nodes: dict, searches, keys) -> dict:
    """{(kind, field, normalized): {value: keys}} of the nodes `keys`, for each search; plain values only."""
    out = {}
    for kind, field_name, normalized in searches:
        of_kind = [k for k in keys if nodes[k]["kind"] == kind]
        table = value_table(nodes, field_name, normalized, of_kind)
        out[(kind, field_name, normalized)] = {v: tuple(ks) for v, ks in table.items() if type(v) in PLAIN}
    return out


class Elsewhere:
    """What a partial graph knows of the goal files it left out: the keys of their nodes and,
    for each search the rules make, which of their nodes each value finds."""

    def __init__(self, builder: GraphBuilder, rank: dict, absent: list):
        self.builder = builder
        self.rank = rank  # file -> its place in the order the graph builder reads files
        self.absent = absent  # (file, summary) of each goal file left out, in order
        self._position: dict | None = None

    def is_placeholder(self, key) -> bool:
        return isinstance(self.builder.nodes.get(key), Placeholder)

    def placeholder(self, key) -> None:
        file = self.builder.elsewhere.get(key)
        if file is None:
            raise NeedFullRun(key)
        self.builder._placeholder(key, file)

    def merged(self, here: dict, search: tuple) -> dict:
        """The table of a search over the whole plan: `here` (the partial graph's) and the files'."""
        out = {v: list(ks) for v, ks in here.items()}
        touched = set()
        for _, summary in self.absent:
            table = summary["tables"].get(search)
            if table is None:
                raise NeedFullRun(f"no table for the search {search}")
            for value, keys in table.items():
                out.setdefault(value, []).extend(keys)
                touched.add(value)
        position = self.position()
        for value in touched:
            if len(out[value]) > 1:
                out[value].sort(key=position.__getitem__)
        return out

    def position(self) -> dict:
        """key -> (file's place, place in its file): the order of the nodes in the whole graph."""
        if self._position is None:
            position: dict = {}
            counts: dict = {}
            for key, attrs in self.builder.nodes.items():
                if isinstance(attrs, Placeholder) or attrs["kind"] == "missing":
                    continue
                file = attrs["source"].file
                i = counts.get(file, 0)
                counts[file] = i + 1
                position[key] = (self.rank[file], i)
            for file, summary in self.absent:
                place = self.rank[file]
                position.update((k, (place, i)) for i, k in enumerate(summary["defined"]))
            self._position = position
        return self._position


def _missing(nodes: dict, before=None) -> dict:
    """{key: (where it is first referred to, the kind expected)} of the missing nodes.

    A placeholder stands for a missing node first referred to by a goal file left out, which
    therefore holds what it held `before`.
    """
    out = {}
    for k, a in nodes.items():
        if a["kind"] == "missing":
            out[k] = before[k] if isinstance(a, Placeholder) else (a["source"], a.get("expected"))
    return out


def rule_ids_changed(snapshot, rules) -> bool:
    return set(snapshot["rules"]) != {r.id for r in rules}


def _base_ids(keys) -> set:
    """The node keys without the `~N` of a repeated id: the second node with an id is keyed
    `kind:id~2` (docs/model.md), and which one that is depends on every file."""
    return {k.split("~")[0] for k in keys}
