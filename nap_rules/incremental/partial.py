"""Graph builds for `check --cache`: one that records the edges between files, and a partial one.

A run that fills the cache builds the whole graph with a `RecordingBuilder`, which also keeps,
per file read, the edges it made to nodes of other files, in order. A re-check builds a
*partial* graph with a `PartialBuilder`: the files that are not goal files, the goal files it
reads, and for every goal file it leaves out, placeholders for its nodes that the others link
to and its edges to them, replayed in file order, so that keys, repeated-id counts and every
listing come out as in the whole graph. `Elsewhere` answers, for the graph index, what the
left-out files hold: the keys of their nodes and the tables of the searches the rules make.
"""

from __future__ import annotations

from ..load.locations import Location
from ..model.graph import NO_EDGES, GraphBuilder
from ..model.index import value_table
from .snapshot import FileSummary
from .tracking import PLAIN, NeedFile, NeedFullRun


class Placeholder(dict):
    """The attributes of a node of a file a partial build left out: its kind and id, no fields.

    Reading any other field raises NeedFile: the re-check reads that file too.
    """

    __slots__ = ()
    KNOWN = frozenset({"kind", "id", "occurrence", "placeholder", "source"})

    def _refuse(self, key):
        raise NeedFile(dict.__getitem__(self, "source").file,
                       f"field {key} of {dict.get(self, 'kind')} {dict.get(self, 'id')}")

    def get(self, key, default=None):
        if key not in Placeholder.KNOWN:
            self._refuse(key)
        return dict.get(self, key, default)

    def __getitem__(self, key):
        if key not in Placeholder.KNOWN:
            self._refuse(key)
        return dict.__getitem__(self, key)


class RecordingBuilder(GraphBuilder):
    """A GraphBuilder that keeps, per file read, the edges it made to nodes of other files."""

    def __init__(self, files):
        super().__init__(files)
        self.cross: dict = {}  # file being read -> [(u, v, rel, label), ...] in order

    def edge(self, u: str, v: str, rel: str, label=None):
        reading, nodes = self.reading, self.nodes
        source, target = nodes[u], nodes[v]
        # node_file, inlined (an edge of every node): a missing node is of no file
        if (source["source"].file != reading or target["source"].file != reading
                or source["kind"] == "missing" or target["kind"] == "missing"):
            self.cross.setdefault(reading, []).append((u, v, rel, label))
        GraphBuilder.edge(self, u, v, rel, label)


class PartialBuilder(RecordingBuilder):
    """A build that reads the goal files among `files` and stands in for the others.

    `goal_order` lists every goal file in the order of the whole build; `absent` maps each goal
    file left out to its summary from the snapshot.
    """

    def __init__(self, files, goal_order: tuple, absent: dict[str, FileSummary]):
        super().__init__(files)
        self.goal_order = goal_order
        self.absent = absent
        self.elsewhere: dict = {}  # key of a node of a file left out -> that file
        missing: set = set()
        for display, summary in absent.items():
            self.elsewhere.update(dict.fromkeys(summary.defined, display))
            missing |= summary.missing
        self.missing_elsewhere = frozenset(missing)
        self.placeholder_uses: list = []  # (file being read, key) per placeholder a file asked for
        self._sources: dict = {}  # file -> the Location its placeholders share

    def goal_files(self, plan: str) -> None:
        loaded = {f.display: f for f in self.files.of_kind("goal")}
        for display in self.goal_order:
            self.reading = display
            f = loaded.get(display)
            if f is not None:
                self.goal(plan, f)
                continue
            summary = self.absent[display]
            self.replay_edges(summary.edges)
            counts = self.counts
            for counted, n in summary.ids:  # its ids count as read: later repeats get the same keys
                counts[counted] = counts.get(counted, 0) + n

    def replay_edges(self, edges) -> None:
        """The edges a goal file left out has to nodes of other files (recorded already, so not
        recorded again: GraphBuilder's `edge`)."""
        nodes = self.nodes
        missing = self.missing_elsewhere
        add = super(RecordingBuilder, self).edge  # GraphBuilder's
        for u, v, rel, label in edges:
            if u not in nodes:
                self.placeholder(u, self.reading, "missing" if u in missing else None)
            if v not in nodes:
                self.placeholder(v, self.reading, "missing" if v in missing else None)
            add(u, v, rel, label)

    def placeholder(self, key: str, file: str, kind: str | None = None) -> None:
        prefix, _, ident = key.partition(":")
        ident, _, repeat = ident.partition("~")
        source = self._sources.get(file)
        if source is None:
            source = self._sources[file] = Location(file, 0, 0)
        self.nodes[key] = Placeholder(kind=kind or prefix, id=ident, occurrence=int(repeat) if repeat else 1,
                                      placeholder=True, source=source)
        self.succ[key] = NO_EDGES  # made a dict by its first edge (GraphBuilder.edge)
        self.pred[key] = {}

    def _has(self, key: str) -> bool:
        if key in self.nodes:
            return True
        file = self.elsewhere.get(key)
        if file is None:
            return False
        self.placeholder(key, file)
        self.placeholder_uses.append((self.reading, key))
        return True

    def all_dangling(self) -> list:
        out = list(self.dangling)
        for summary in self.absent.values():
            out.extend(summary.dangling)
        return out

    def other_ids(self, kind: str):
        return [ident for summary in self.absent.values() for (k, ident), _ in summary.ids if k == kind]


class Elsewhere:
    """What a partial graph knows of the goal files it left out: the keys of their nodes and,
    for each search the rules make, which of their nodes each value finds."""

    def __init__(self, builder: PartialBuilder, rank: dict):
        self.builder = builder
        self.rank = rank  # file -> its place in the order the graph builder reads files
        self._position: dict | None = None
        self._listings: dict = {}

    def is_placeholder(self, key) -> bool:
        return isinstance(self.builder.nodes.get(key), Placeholder)

    def defines(self, key) -> bool:
        return key in self.builder.elsewhere

    def placeholder(self, key) -> None:
        file = self.builder.elsewhere.get(key)
        if file is None:
            raise NeedFullRun(key)
        self.builder.placeholder(key, file)

    def listing(self, kind: str, here) -> list:
        """The keys of every node of `kind` in the whole plan, in its order: those of the
        partial graph (`here`) and those of the files left out."""
        found = self._listings.get(kind)
        if found is None:
            prefix = f"{kind}:"
            keys = [k for k in here if not self.is_placeholder(k)]
            for summary in self.builder.absent.values():
                keys.extend(k for k in summary.defined if k.startswith(prefix))
            position = self.position()
            keys.sort(key=position.__getitem__)
            found = self._listings[kind] = keys
        return found

    def merged(self, here: dict, search: tuple) -> dict:
        """The table of a search over the whole plan: `here` (the partial graph's) and the files'."""
        out = {v: list(ks) for v, ks in here.items()}
        touched = set()
        for summary in self.builder.absent.values():
            table = (summary.tables or {}).get(search)
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
            for file, summary in self.builder.absent.items():
                place = self.rank[file]
                position.update((k, (place, i)) for i, k in enumerate(summary.defined))
            self._position = position
        return self._position


def search_tables(nodes: dict, searches, keys) -> dict:
    """{(kind, field, normalized): {value: keys}} of the nodes `keys`, for each search; plain values only."""
    out = {}
    for kind, field_name, normalized in searches:
        of_kind = [k for k in keys if nodes[k]["kind"] == kind]
        table = value_table(nodes, field_name, normalized, of_kind)
        out[(kind, field_name, normalized)] = {v: tuple(ks) for v, ks in table.items() if type(v) in PLAIN}
    return out
