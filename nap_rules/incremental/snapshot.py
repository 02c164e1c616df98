"""The snapshot `check --cache` keeps of a run, as typed records, and its name.

A snapshot holds, per plan file, a summary (`FileSummary`) and, per rule, its findings grouped
by the file of the node evaluated and what the evaluation read (`Group`). It is stored in the
cache folder (nap_rules.load.file_cache) and read back through that module's allow-list, to
which `SNAPSHOT_TYPES` adds these records. Each file's summary is an entry of its own, named by
its contents, which the snapshot's entry names (`store`, `load`): a re-check after an edit of
one goal file writes that file's summary and the snapshot's own entry, not the summaries of
the files it left as they were (most of a large plan's snapshot).
"""

from __future__ import annotations

import hashlib
import pickle
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from .. import __version__
from ..model.graph import node_file

SNAPSHOT_FORMAT = "nap-rules snapshot v6"
PARTIAL_KIND = "goal"  # the files a partial graph may leave out


class FileSummary(NamedTuple):
    """What a re-check needs to know of a plan file without reading it."""

    defined: tuple  # keys of the nodes it defines, in order
    ids: tuple  # ((kind, id), how many of its nodes have it): repeated ids count across files
    kinds: frozenset  # kinds of the nodes it defines
    links: frozenset  # (key, relation) of each edge its nodes share with a node of another file
    missing: frozenset  # keys of the missing nodes its nodes link to
    dangling: tuple  # its unresolved references, as the graph builder keeps them
    edges: tuple  # the edges to nodes of other files made while it was read, (u, v, rel, label) in order
    schema: tuple  # its schema findings
    tables: dict | None  # for a goal file, {search: {value: keys of its nodes found}}


class FileEntry(NamedTuple):
    display: str
    kind: str
    key: bytes  # the cache key of its bytes
    summary: FileSummary | None  # None in the stored snapshot: `ref` names it
    ref: bytes | None = None  # the cache entry of `summary`, once stored


class Group(NamedTuple):
    """The evaluations of one rule on the nodes of one file that read the same things."""

    file: str
    tokens: frozenset  # what they read (nap_rules.incremental.tracking)
    steps: int
    findings: tuple
    keys: tuple | None  # the nodes, when a change elsewhere can reach them; else None


class RuleRecord(NamedTuple):
    steps: int
    groups: tuple


class Snapshot(NamedTuple):
    format: str
    independent: bool  # whether goal files link only to nodes of files that are not goal files
    files: tuple  # FileEntry per plan file, in read order
    missing: dict  # key -> (where it is first referred to, the kind expected) of the missing nodes
    searches: frozenset  # (kind, field, normalized) of every search the rules made
    rules: dict  # rule id -> RuleRecord


SNAPSHOT_TYPES = frozenset((__name__, cls.__name__) for cls in (FileSummary, FileEntry, Group, RuleRecord, Snapshot))


def run_key(cache, rules, params_override, as_of, limits, plan_dir, progress_dirs) -> bytes:
    """The name of the snapshot of a run: everything its findings depend on but the plan files."""
    h = hashlib.sha256(cache.salt)
    h.update(f"{SNAPSHOT_FORMAT}\n{__version__}\n".encode())
    h.update(code_digest())
    parts = [repr(rule) for rule in rules]
    parts.append(repr(sorted((k, sorted(v.items())) for k, v in (params_override or {}).items())))
    parts += [as_of.isoformat(), repr(limits), str(plan_dir), repr([str(d) for d in progress_dirs])]
    for part in parts:
        data = part.encode("utf-8", "surrogateescape")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


_CODE: list = []


def code_digest() -> bytes:
    """The SHA-256 of the code of nap-rules (every module of the package)."""
    if not _CODE:
        h = hashlib.sha256()
        package = Path(__file__).resolve().parent.parent
        for path in sorted(package.rglob("*.py")):
            h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
        _CODE.append(h.digest())
    return _CODE[0]


def store(cache, name: bytes, snapshot: Snapshot) -> None:
    """Store `snapshot` under `name`, each file's summary as an entry named by its contents
    (a file entry that has its `ref` already is stored as it is)."""
    files = []
    for entry in snapshot.files:
        ref = entry.ref
        if ref is None:
            ref = cache.put_content(pickle.dumps(entry.summary, protocol=5), b"file summary")
        files.append(entry._replace(summary=None, ref=ref))
    cache.put(name, snapshot._replace(files=tuple(files)))


def load(cache, name: bytes, listed_files: list) -> Snapshot | None:
    """The snapshot stored under `name` with its files' summaries, if it is `usable` for the
    files (display, kind) `listed_files` and every summary it names is whole; else None."""
    snapshot = cache.get(name, SNAPSHOT_TYPES)
    if not usable(snapshot, listed_files):
        return None
    files = []
    for entry in snapshot.files:
        summary = cache.get(entry.ref, SNAPSHOT_TYPES)
        if not (isinstance(summary, FileSummary) and (entry.kind != PARTIAL_KIND or isinstance(summary.tables, dict))):
            return None
        files.append(entry._replace(summary=summary))
    return snapshot._replace(files=tuple(files))


def usable(snapshot, listed_files: list) -> bool:
    """Whether the stored `snapshot` is whole, of this format, and lists the files (display, kind)
    `listed_files`, each naming the entry of its summary (checked before any summary is read)."""
    if not (isinstance(snapshot, Snapshot) and snapshot.format == SNAPSHOT_FORMAT and snapshot.independent is True
            and isinstance(snapshot.files, tuple) and isinstance(snapshot.rules, dict)
            and isinstance(snapshot.missing, dict) and isinstance(snapshot.searches, frozenset)):
        return False
    if not all(isinstance(f, FileEntry) and isinstance(f.ref, bytes) for f in snapshot.files):
        return False
    if not all(isinstance(r, RuleRecord) and all(isinstance(g, Group) for g in r.groups)
               for r in snapshot.rules.values()):
        return False
    return [(f.display, f.kind) for f in snapshot.files] == listed_files


def summarize(builder, displays, linked, every_edge_recorded: bool = False) -> dict:
    """{file: FileSummary} of the files `displays`, from a graph builder's nodes and adjacency
    (the builder records the edges between files: nap_rules.incremental.partial). For the
    files `linked` also `links` and `missing`; `schema` and `tables` are left empty.

    `every_edge_recorded`: the builder read every file, so that the edges it recorded are every
    edge between two files, and those of `linked` are found among them rather than by walking
    the adjacency of each of its nodes (a partial build replays edges it does not record)."""
    nodes = builder.nodes
    wanted = set(displays)
    defined: dict = {d: [] for d in displays}
    counted: dict = {d: [] for d in displays}
    from .partial import Placeholder

    last_file, keys, pairs = None, None, None
    for key, attrs in nodes.items():
        if type(attrs) is Placeholder:
            continue
        kind = attrs["kind"]
        if kind == "missing":
            continue
        file = attrs["source"].file
        if file != last_file:
            last_file = file
            keys, pairs = (defined[file], counted[file]) if file in wanted else (None, None)
        if keys is not None:
            keys.append(key)
            pairs.append((kind, attrs["id"]))
    links = {d: set() for d in linked}
    missing = {d: set() for d in linked}
    if every_edge_recorded:
        _cross_links(builder, links, missing)
    else:
        _adjacent_links(builder, defined, links, missing)
    dangling: dict = {d: [] for d in displays}
    for entry in builder.dangling:
        found = dangling.get(entry[3].file)
        if found is not None:
            found.append(entry)
    cross = builder.cross
    out = {}
    for d in displays:
        ids = Counter(counted[d])  # in the order of first use, as the keys were made
        out[d] = FileSummary(tuple(defined[d]), tuple(ids.items()), frozenset(kind for kind, _ in ids),
                             frozenset(links.get(d, ())), frozenset(missing.get(d, ())), tuple(dangling[d]),
                             tuple(cross.get(d, ())), (), None)
    return out


def _adjacent_links(builder, defined: dict, links: dict, missing: dict) -> None:
    """`links` and `missing` of the files `links` names, from the adjacency of each of their nodes."""
    nodes, succ, pred = builder.nodes, builder.succ, builder.pred
    for file, found in links.items():
        gone = missing[file]
        for u in defined[file]:
            for edges in (succ[u], pred[u]):
                for other, keyed in edges.items():
                    other_file = node_file(nodes[other])
                    if other_file == file:
                        continue
                    if other_file == "":
                        gone.add(other)
                    else:
                        found.update((other, data["rel"]) for data in keyed.values())


def _cross_links(builder, links: dict, missing: dict) -> None:
    """`links` and `missing` of the files `links` names, from the edges between files the
    builder recorded (all of them, when it read every file)."""
    nodes = builder.nodes
    for edges in builder.cross.values():
        for u, v, rel, _ in edges:
            file_u, file_v = node_file(nodes[u]), node_file(nodes[v])
            if file_u == file_v:
                continue
            for here, other, other_file in ((file_u, v, file_v), (file_v, u, file_u)):
                found = links.get(here)
                if found is None:
                    continue
                if other_file == "":
                    missing[here].add(other)
                else:
                    found.add((other, rel))


def independent(summaries: dict, kinds: dict) -> bool:
    """Whether every goal file links only to nodes of files that are not goal files."""
    goal_keys = set()
    for display, s in summaries.items():
        if kinds[display] == PARTIAL_KIND:
            goal_keys.update(s.defined)
    return all(not (linked(s) & goal_keys) for d, s in summaries.items() if kinds[d] == PARTIAL_KIND)


def linked(summary: FileSummary) -> set:
    """The keys of the nodes of other files a file's nodes share an edge with."""
    return {k for k, _ in summary.links}


def missing_table(nodes: dict, before=None) -> dict:
    """{key: (where it is first referred to, the kind expected)} of the missing nodes.

    A placeholder stands for a missing node first referred to by a goal file left out, which
    therefore holds what it held `before`.
    """
    from .partial import Placeholder

    out = {}
    for k, a in nodes.items():
        if dict.__getitem__(a, "kind") == "missing":  # a placeholder's kind too
            out[k] = before[k] if isinstance(a, Placeholder) else (a["source"], a.get("expected"))
    return out
