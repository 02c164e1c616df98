"""`check --cache`: re-check a plan where only goal files changed by re-evaluating what changed.

A run with a cache folder keeps, besides each file's parsed document (nap_rules.load.file_cache),
a *snapshot* of the run (nap_rules.incremental.snapshot): per plan file a summary, per rule the
findings and the dependency tokens (nap_rules.incremental.tracking) of every node it evaluated,
grouped by the file of the node and the tokens. The snapshot is named by everything the
findings depend on besides the plan files.

The next run with the same name reads every file's bytes, and when only goal files changed
(same file list, no schema errors, goal files linking only to nodes of the other plan files, no
change to how often an id another file defines is used) it builds a *partial graph*
(nap_rules.incremental.partial) of the files that are not goal files, the changed goal files,
and placeholders for the nodes of the other goal files that those link to. It then

- works out which tokens the change reaches (nap_rules.incremental.reach),
- keeps each group of findings none of whose tokens is reached,
- reads also the goal files some of whose reached groups it left out, and evaluates the rules
  again on the nodes of the changed files and of the reached groups, through the engine's
  own loop (nap_rules.run.engine.evaluate) with an index that records and guards,
- recomputes the reference findings from every file's unresolved references.

An evaluation that needs a node of a goal file left out reads that file too and starts again;
whenever the partial graph cannot answer at all (a limit was hit, most goal files are reached,
…) the whole plan is checked as without a snapshot. Either way the findings are those of a run
without a cache: tests/test_incremental.py checks that on generated plans and edits.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..findings import sort_findings
from ..load.file_cache import FileCache
from ..load.plan_folder import (
    PlanFile, PlanFiles, cached_document, from_cache, list_plan_files, load_cached, load_checked,
)
from ..load.reparse import reparse
from ..load.schema_check import check_plan_files, items_pass
from ..load.yaml_reader import read_file_bytes
from ..model.graph import GraphBuilder
from ..run.engine import evaluate
from ..run.pipeline import build_while_read
from .partial import Elsewhere, PartialBuilder, RecordingBuilder, search_tables
from .planning import Planner, RunLimit, Session, nodes_in_line
from .reach import reached_by
from .snapshot import (
    PARTIAL_KIND, SNAPSHOT_FORMAT, FileEntry, Snapshot, independent, linked, missing_table, run_key,
    summarize,
)
from .snapshot import load as load_snapshot
from .snapshot import store as store_snapshot
from .tracking import NeedFile, NeedFullRun, TrackingIndex


@dataclass
class Outcome:
    """What a check with a cache found: built-in and rule findings (None: rules not run)."""

    plan_id: str
    file_count: int
    builtin: list
    rule_findings: list | None
    incremental: bool  # whether the snapshot was used
    files: PlanFiles | None = None  # the files read (all of them unless `incremental`)
    graph: object = None  # the graph the rules ran on (a PlanGraph); None when `incremental`
    complete: object = None  # when `incremental`: () -> (all files, the whole graph)


# --- reading ----------------------------------------------------------------------------------

@dataclass(slots=True)
class Entry:
    path: Path
    kind: str
    display: str
    data: bytes | None  # let go of once read
    key: bytes  # its cache entry name


@dataclass
class Listed:
    files: PlanFiles  # the folder, with its ignored files; `files.files` filled as files are read
    entries: list  # Entry per plan file, in read order


def list_files(plan_dir, limits, progress_dirs, cache: FileCache) -> Listed:
    files, listed = list_plan_files(plan_dir, limits, progress_dirs)
    entries = []
    for path, kind, display in listed:
        data = read_file_bytes(path, display, limits)
        entries.append(Entry(path, kind, display, data, cache.key(data, kind, display)))
    return Listed(files, entries)


# --- the runs ---------------------------------------------------------------------------------

def check_cached(plan_dir, rules, *, as_of, limits, progress_dirs, cache_dir, params_override, pure=False) -> Outcome:
    """Check `plan_dir` with the cache folder `cache_dir`, incrementally when its snapshot allows."""
    cache = FileCache(cache_dir, limits)
    listed = list_files(plan_dir, limits, progress_dirs, cache)
    name = run_key(cache, rules, params_override, as_of, limits, plan_dir, progress_dirs)
    run = CachedRun(listed, rules, as_of, params_override, limits, pure, cache, name)
    snapshot = load_snapshot(cache, name, [(e.display, e.kind) for e in listed.entries])
    if snapshot is not None:
        try:
            return run.incremental(snapshot)
        except (NeedFullRun, RunLimit):
            pass
    return run.full()


# a re-check that would read more than this share of the goal files checks the whole plan
WIDEST = 0.5


@dataclass(eq=False)
class CachedRun:
    """One check with the cache: the whole plan (`full`) or what a change reaches (`incremental`)."""

    listed: Listed
    rules: list
    as_of: object
    params_override: object
    limits: object
    pure: bool
    cache: FileCache
    name: bytes  # the cache entry of the run's snapshot

    def __post_init__(self):
        entries = self.listed.entries
        self.displays = [e.display for e in entries]
        # the files that are not goal files, and "" for missing nodes: their nodes are always in a
        # partial graph, so their groups list node keys and their edges are followed node by node
        self.shared = frozenset({e.display for e in entries if e.kind != PARTIAL_KIND} | {""})
        self.goal_indexes = [i for i, e in enumerate(entries) if e.kind == PARTIAL_KIND]
        self._read: dict[int, PlanFile] = {}
        self._pending: dict = {}  # file -> (Workers, its job) while a worker reads it
        self._before: dict[int, bytes] = {}  # changed goal file -> its entry in the last run
        self._items: dict[int, list] = {}  # changed goal file read again in part -> (path, old item, new item)

    # --- files ---------------------------------------------------------------------------------

    def file(self, i: int) -> PlanFile:
        """Plan file `i`, from the cache when its bytes were read before; its bytes are let go."""
        found = self._read.get(i)
        if found is not None:
            return found
        e = self.listed.entries[i]
        workers, j = self._pending.pop(i, (None, None))
        done = workers.result(j) if workers is not None else None
        data = e.data
        if done is not None:  # read by a worker
            from ..load.parallel import unpickled

            self.cache.put_pickled(e.key, done)
            found = PlanFile(e.kind, e.display, *unpickled(done))
        else:
            if data is None:  # let go of already: read again, and it must be the same
                data = read_file_bytes(e.path, e.display, self.limits)
                if self.cache.key(data, e.kind, e.display) != e.key:
                    raise NeedFullRun(f"{e.display} changed while it was checked")
            found = self._reread(i, data)
            if found is None:
                found = load_cached(data, e.key, e.kind, e.display, self.limits, self.pure, self.cache)
        if e.kind == PARTIAL_KIND:
            self.cache.put_source(e.key, data)
        self._read[i] = found
        e.data = None
        return found

    def _reread(self, i: int, data: bytes) -> PlanFile | None:
        """Changed goal file `i` read from its document in the last run, parsing only its
        changed lines again (nap_rules.load.reparse); None when that cannot be done."""
        before = self._before.get(i)
        if before is None:
            return None
        e = self.listed.entries[i]
        old_data = self.cache.source(before)
        if old_data is None or self.cache.key(old_data, e.kind, e.display) != before:
            return None  # not kept, or not the bytes the last run read
        old = cached_document(self.cache, before)
        if old is None:
            return None
        old_doc, old_findings, (whole, items) = old
        got = reparse(old_data, data, old_doc, e.display, self.limits, self.pure)
        if got is None:
            return None
        # a file that passed its schema, whose new items pass theirs, passes it still
        passed = not old_findings and items_pass(e.kind, got.replaced)
        self._items[i] = [(path, old_item, item) for (path, item), old_item in zip(got.replaced, got.old)]
        return load_checked(got.doc, e.key, e.kind, e.display, self.cache, () if passed else None,
                            patch=(whole, items + tuple((tuple(path), item) for path, item in got.replaced)))

    def _reading(self, indexes):
        """Start reading the files `indexes` that the cache does not hold, the large ones in worker
        processes (nap_rules.load.parallel): `file` takes each as it comes back and keeps it in
        the cache. The Workers, to be closed."""
        from ..load.parallel import Workers

        entries = self.listed.entries
        misses = []
        for i in indexes:
            e = entries[i]
            if i in self._read or e.data is None:
                continue
            found = from_cache(self.cache, e.key, e.kind, e.display)
            if found is not None:
                self._read[i] = found
                e.data = None
            else:
                misses.append(i)
        jobs = [(e.path, e.data, e.kind, e.display, len(e.data)) for e in (entries[i] for i in misses)]
        # in the order the graph builder reads them (nap_rules.run.pipeline.build_while_read)
        workers = Workers(jobs, self.limits, self.pure, order=lambda j: (jobs[j][2] == PARTIAL_KIND, j))
        self._pending = {i: (workers, j) for j, i in enumerate(misses)}
        return workers

    def _files(self, indexes) -> PlanFiles:
        return dataclasses.replace(self.listed.files, files=[self.file(i) for i in indexes])

    def _complete(self):
        """Every file and the whole graph, for a caller of an incremental run that asks for them."""
        files = self._files(range(len(self.listed.entries)))
        return files, GraphBuilder(files).build_plan_graph()

    def _evaluate(self, graph, index, session):
        return evaluate(graph, self.rules, as_of=self.as_of, params_override=self.params_override, index=index,
                        session=session)

    # --- a whole run ---------------------------------------------------------------------------

    def full(self) -> Outcome:
        entries = self.listed.entries
        built = None
        with self._reading(range(len(entries))) as reading:
            if reading.pool is not None:  # the graph is built while workers read the goal files
                built = build_while_read([e.kind for e in entries], self.file, self.listed.files, RecordingBuilder)
            files = self._files(range(len(entries)))
        self.listed.files = files
        schema = check_plan_files(files)
        plan_id, count = files.plan_id, len(files.files)
        if any(f.severity == "error" for f in schema):
            return Outcome(plan_id, count, sort_findings(schema), None, False, files)
        if built is None:
            builder = RecordingBuilder(files)
            graph = builder.build_plan_graph()
        else:
            builder, graph = built
        refs = builder.findings + builder.ref_findings()
        index = TrackingIndex(graph, edges_by_node=self.shared)
        session = Session(index, self.shared)
        try:
            findings = self._evaluate(graph, index, session)
        except RunLimit:  # a rule stopped at its run limit: evaluate plainly, keep no snapshot
            findings = evaluate(graph, self.rules, as_of=self.as_of, params_override=self.params_override)
            return Outcome(plan_id, count, sort_findings(schema + refs), findings, False, files, graph)
        searches, records = frozenset(index.searches), session.records
        del index, session  # the tracking index is not needed for the snapshot: let it go first
        kinds = {e.display: e.kind for e in entries}
        summaries = summarize(builder, list(kinds), [d for d, k in kinds.items() if k == PARTIAL_KIND],
                              every_edge_recorded=True)
        for f in files.files:
            tables = search_tables(builder.nodes, searches, summaries[f.display].defined) if f.kind == PARTIAL_KIND else None
            summaries[f.display] = summaries[f.display]._replace(schema=tuple(f.schema_findings or ()), tables=tables)
        missing = missing_table(builder.nodes)
        del builder  # nor are its id counts and recorded edges, once summarized: pickling needs room
        store_snapshot(self.cache, self.name, Snapshot(
            SNAPSHOT_FORMAT, independent(summaries, kinds),
            tuple(FileEntry(e.display, e.kind, e.key, summaries[e.display]) for e in entries),
            missing, searches, records))
        return Outcome(plan_id, count, sort_findings(schema + refs), findings, False, files, graph)

    # --- a re-check ----------------------------------------------------------------------------

    def incremental(self, snapshot: Snapshot) -> Outcome:
        if set(snapshot.rules) != {r.id for r in self.rules}:
            raise NeedFullRun("the rules changed")
        entries = self.listed.entries
        changed = {i for i, e in enumerate(entries) if e.key != snapshot.files[i].key}
        if any(entries[i].kind != PARTIAL_KIND for i in changed):
            raise NeedFullRun("a file other than a goal file changed")
        self._before = {i: snapshot.files[i].key for i in changed}
        widened: set = set()
        where = {d: i for i, d in enumerate(self.displays)}
        while True:
            try:
                return self._recheck(snapshot, changed, widened)
            except NeedFile as need:
                files = need.file if isinstance(need.file, (set, frozenset)) else {need.file}
                more = {where.get(f) for f in files}
                if None in more or more & (changed | widened):
                    raise NeedFullRun(str(need)) from None
                widened |= more
                if len(widened) > WIDEST * len(self.goal_indexes):
                    raise NeedFullRun("the change reaches most goal files") from None

    def _recheck(self, snapshot: Snapshot, changed: set, widened: set) -> Outcome:
        old = snapshot.files
        displays = self.displays
        absent = [i for i in self.goal_indexes if i not in changed and i not in widened]
        absent_set = set(absent)
        read = [i for i in range(len(displays)) if i not in absent_set]
        files = self._files(read)
        self.listed.files = files
        schema = check_plan_files(files)
        if any(f.severity == "error" for f in schema):
            raise NeedFullRun("a changed file breaks its schema")
        for i in absent:
            schema.extend(old[i].summary.schema)

        # the partial graph
        builder = PartialBuilder(files, tuple(displays[i] for i in self.goal_indexes),
                                 {displays[i]: old[i].summary for i in absent})
        graph = builder.build_plan_graph()
        changed_files = {displays[i] for i in changed}
        if any(reading in changed_files for reading, _ in builder.placeholder_uses):
            raise NeedFullRun("a changed file links to a node of an unchanged goal file")
        refs = builder.findings + builder.ref_findings()
        now = summarize(builder, [displays[i] for i in read if i not in widened], changed_files)
        goal_keys = set(builder.elsewhere)
        for i in widened:
            goal_keys.update(old[i].summary.defined)
        for d in changed_files:
            goal_keys.update(now[d].defined)
        if any(linked(now[d]) & goal_keys for d in changed_files):
            raise NeedFullRun("a changed goal file links to a node of another goal file")
        self._same_repeats(old, now, changed)
        rank = {e.display: (KIND_RANK[e.kind], i) for i, e in enumerate(self.listed.entries)}
        kinds_elsewhere = frozenset(k for i in absent for k in old[i].summary.kinds)
        index = TrackingIndex(graph, edges_by_node=self.shared, incomplete_kinds=kinds_elsewhere,
                              elsewhere=Elsewhere(builder, rank))
        in_lines, changed_kinds = self._in_lines(old, now, changed, files, index)

        # what the change reaches
        searches = snapshot.searches
        for d in changed_files:
            now[d] = now[d]._replace(tables=search_tables(builder.nodes, searches, now[d].defined))
        missing = missing_table(builder.nodes, snapshot.missing)
        shared_files = [i for i in range(len(displays)) if self.listed.entries[i].kind != PARTIAL_KIND]
        reached = reached_by([(displays[i], old[i].summary, now[displays[i]]) for i in sorted(changed)], searches,
                             [old[i].summary.edges for i in shared_files], [now[displays[i]].edges for i in shared_files],
                             snapshot.missing, missing, changed_kinds)
        absent_files = {displays[i] for i in absent}
        need = {g.file for record in snapshot.rules.values() for g in record.groups
                if g.file in absent_files and not g.tokens.isdisjoint(reached)}
        if need:
            raise NeedFile(need, "findings the change reaches")

        plan_for = Planner(snapshot, builder.nodes, index, changed_files, {displays[i] for i in widened}, reached,
                            self.shared, in_lines)
        session = Session(index, self.shared, plan_for)
        findings = self._evaluate(graph, index, session)
        if not index.searches <= searches:
            raise NeedFullRun("a search the snapshot has no tables for")

        # the new snapshot
        files_out = []
        schema_of = {f.display: f.schema_findings for f in files.files}
        for i, entry in enumerate(old):
            if i in absent_set or i in widened:
                files_out.append(entry)
                continue
            summary = now[entry.display]._replace(schema=tuple(schema_of[entry.display] or ()))
            files_out.append(FileEntry(entry.display, entry.kind, self.listed.entries[i].key, summary))
        store_snapshot(self.cache, self.name, Snapshot(SNAPSHOT_FORMAT, True, tuple(files_out), missing, searches,
                                                       session.records))
        return Outcome(files.plan_id, len(displays), sort_findings(schema + refs), findings, True, files,
                       complete=self._complete)

    def _in_lines(self, old, now, changed, files, index) -> tuple[dict, dict]:
        """For each changed goal file read again in part (nap_rules.load.reparse) that changed
        only fields of its nodes (nap_rules.incremental.planning.nodes_in_line): {file: the
        keys of the nodes to evaluate again} and {file: the kinds of the nodes whose fields
        changed}."""
        keys_of, kinds_of = {}, {}
        docs = {f.display: f.doc for f in files.files}
        for i in changed:
            display = self.displays[i]
            if i in self._items:
                found = nodes_in_line(old[i].summary, now[display], docs[display], self._items[i], index, display)
                if found is not None:
                    keys_of[display], kinds_of[display] = found
        return keys_of, kinds_of

    def _same_repeats(self, old, now, changed) -> None:
        """A changed file that uses an id more or fewer times than before, where another file
        defines it too, changes the keys (`kind:id~N`) of that file's nodes: a whole check."""
        diff = set()
        for i in changed:
            before, after = dict(old[i].summary.ids), dict(now[self.displays[i]].ids)
            diff.update(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if not diff:
            return
        for j, entry in enumerate(old):
            if j not in changed and any(counted in diff for counted, _ in entry.summary.ids):
                raise NeedFullRun("a changed goal file changes how often an id of another file is used")


# the order in which the graph builder reads the kinds of files (nap_rules.model.graph.GraphBuilder.build)
KIND_RANK = {"plan": 0, "institutions": 1, "abbreviations": 2, "indicators": 3, "goal": 4, "narrative": 5, "budget": 6,
             "progress": 7}
