"""What a change to goal files reaches: the dependency tokens (nap_rules.incremental.tracking)
whose answer may differ between the snapshot's run and this one.

A token is reached only when what it stands for changed, not whenever a changed file takes
part in it: a listing of a kind when the keys of that kind a changed file defines changed, a
search when the nodes it finds in a changed file changed, the edges of a node of another file
when the edges a changed file's nodes share with it changed (in order). Reading a node of a
changed file is always reached (its fields may have changed), so a search whose result is the
same keys is not reached by itself: whatever the evaluation then read of those keys is.
"""

from __future__ import annotations

from .snapshot import FileSummary


def _keys_by_kind(defined) -> dict:
    out: dict = {}
    for key in defined:
        out.setdefault(key.partition(":")[0], []).append(key)
    return out


def _edges_by_other(own_edges, mine: set, shared_edges) -> dict:
    """{key of a node of another file: [(own node, rel, label, whether the edge leaves it)]} of
    the edges between the nodes `mine` of a file and nodes of other files, in the order made."""
    out: dict = {}

    def add(u, v, rel, label):
        if u in mine:
            if v not in mine:
                out.setdefault(v, []).append((u, rel, label, True))
        elif v in mine:
            out.setdefault(u, []).append((v, rel, label, False))

    for u, v, rel, label in own_edges:
        add(u, v, rel, label)
    for edges in shared_edges:
        for u, v, rel, label in edges:
            if u in mine or v in mine:
                add(u, v, rel, label)
    return out


def reached_by(changes, searches, shared_before, shared_now, missing_before: dict, missing_now: dict,
               changed_kinds=None) -> set:
    """The tokens reached by `changes`: (file, its summary before, its summary now) per changed
    goal file. `shared_before`/`shared_now` are the edge lists the files that are not goal files
    recorded before and now; `missing_*` the tables of missing nodes (snapshot.missing_table).

    A file of `changed_kinds` ({file: the kinds of its nodes whose fields changed}) changed only the
    fields of some of its nodes, none of its keys or edges: its edges are not reached, nor its
    reads in the line of the plan tree ("FS"), which the re-check answers node by node, nor the
    reads of its nodes of other kinds."""
    reached: set = set()
    changed_kinds = changed_kinds or {}
    for display, old, new in changes:
        old: FileSummary
        new: FileSummary
        if display in changed_kinds:
            reached.update(("F", display, kind) for kind in changed_kinds[display])
        else:
            for kind in old.kinds | new.kinds:
                reached.add(("F", display, kind))
                reached.add(("FS", display, kind))
            reached.add(("FK", display))
            reached.add(("E", display))
        before, after = _keys_by_kind(old.defined), _keys_by_kind(new.defined)
        for kind in before.keys() | after.keys():
            reached.add(("KV", kind))
            if before.get(kind) != after.get(kind):
                reached.add(("K", kind))
        old_tables, new_tables = old.tables or {}, new.tables or {}
        for search in searches:
            was, now = old_tables.get(search, {}), new_tables.get(search, {})
            for value in was.keys() | now.keys():
                if was.get(value) != now.get(value):
                    reached.add(("L", *search, value))
        edges_before = _edges_by_other(old.edges, set(old.defined), shared_before)
        edges_now = _edges_by_other(new.edges, set(new.defined), shared_now)
        for other in edges_before.keys() | edges_now.keys():
            was, now = edges_before.get(other, []), edges_now.get(other, [])
            if was != now:
                reached.add(("N", other))
                reached.add(("ME", other))
                reached.update(("N", other, rel) for _, rel, _, _ in was + now)
    # an unresolved reference of any file can come or go with the nodes a changed file defines
    # (what a missing node holds comes from its first reference: it changes only when that does)
    if missing_now.keys() != missing_before.keys():
        reached.add(("K", "missing"))
        reached.add(("KV", "missing"))
    for k in missing_now.keys() | missing_before.keys():
        now_k, before_k = missing_now.get(k), missing_before.get(k)
        if now_k is None or before_k is None or now_k[1] != before_k[1]:
            reached.add(("M", k))  # what rules can read of it: that it exists, the kind expected
        if now_k is None or before_k is None or now_k[0] != before_k[0]:
            reached.add(("MS", k))  # where a finding on it points
    return reached
