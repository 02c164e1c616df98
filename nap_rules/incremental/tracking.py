"""A graph index that records what each rule evaluation reads, and guards a partial graph.

`check --cache` keeps, for every rule and node it evaluated, the set of *tokens* that
evaluation depended on, so that a later run can keep its findings when none of them changed
(nap_rules.incremental.recheck). The tokens are coarse, per file:

    ("F", file, kind)   a node of `kind` defined in `file` was read (its fields, its kind, its
                  existence)
    ("FK", file)  the kind of a node defined in `file` was read, in a walk up or down the plan
                  tree (parent(), descendants(): the nodes it returns are read as above)
    ("FS", file, kind)  the same as F, for a node of the same goal file as the node evaluated, and
                  in its line of the plan tree: itself, an ancestor, or a descendant (a
                  re-check whose change is confined to a few items re-evaluates only the nodes
                  in their lines)
    ("E", file)   the edges of a node defined in `file` were followed
    ("N", key)    the edges of the node `key` were followed, for the nodes of the files
                  named in `edges_by_node` (those many goal files link to: institutions, …)
    ("N", key, rel)  only its edges of relation `rel` were followed, for those nodes
    ("K", kind)   the keys of every node of `kind` were listed (nodes()), or a key of that kind
                  was asked for (node())
    ("KV", kind)  the nodes of `kind` were searched for a value that is not plain text or a number
    ("L", kind, field, normalized, value)
                  the nodes of `kind` whose `field` equals or lists `value` were searched for
                  (lookup(), duplicates_of())
    ("M", key)    the `missing` node `key` (an unresolved reference) was read
    ("MS", key)   a rule was evaluated on the missing node `key` (its findings point where it is
                  first referred to)
    ("ME", key)   the edges of the `missing` node `key` were followed

Every way an expression reaches the graph (nap_rules.lang.functions) goes through one of the
methods below, so the record is complete. On a partial graph, where some goal files were left
out, the index answers a listing of a kind such a file defines with the keys the snapshot
keeps of it, and a search with the tables the snapshot keeps; it refuses what the partial graph
does not hold: the fields and the edges of a placeholder (a node of a file left out:
nap_rules.incremental.partial.Placeholder). A refusal raises NeedFile, which no rule can catch,
and the re-check reads that file too (or NeedFullRun, and the whole plan is checked).
"""

from __future__ import annotations

from decimal import Decimal

from ..model.graph import node_file
from ..model.index import GraphIndex, normalize_text

# values a search token may hold: what a snapshot can store and compare
PLAIN = (str, int, float, bool, Decimal, type(None))


def node_file_of(attrs: dict, key) -> str | None:
    """The file of node `key` (None for a node the graph does not hold)."""
    found = attrs.get(key)
    return node_file(found) if found is not None else None


def walk_up(index: GraphIndex, key):
    """The ancestors of `key` in the plan tree within its own file, nearest first, read without
    recording, one at a time; the walk up stops at a node with more than one structural parent
    (a read of a node above it is then ("F", file, kind))."""
    attrs, file = index.attrs, node_file_of(index.attrs, key)
    while True:
        parents = GraphIndex.parents(index, key)
        if len(parents) != 1 or node_file_of(attrs, parents[0]) != file:
            return
        key = parents[0]
        yield key


def line_up(index: GraphIndex, key) -> list:
    """Every ancestor `walk_up` gives."""
    return list(walk_up(index, key))


class NeedFullRun(BaseException):
    """The partial graph cannot answer this evaluation: check the whole plan.

    A BaseException, so that the engine's containment of rule failures does not turn it into
    a finding.
    """


class NeedFile(NeedFullRun):
    """The partial graph cannot answer without the goal file `file`, which it left out."""

    def __init__(self, file: str, why: str = ""):
        super().__init__(f"{why} (in {file})")
        self.file = file


class TrackingIndex(GraphIndex):
    """A GraphIndex whose reads add tokens to `tokens`; `begin(key)` starts a node's record."""

    def __init__(self, graph, *, edges_by_node=frozenset(), incomplete_kinds=frozenset(), elsewhere=None):
        super().__init__(graph)
        self.searches: set = set()  # (kind, field, normalized) of every search made
        self._edges_by_node = edges_by_node
        # on a partial graph: searches of incomplete kinds are answered with the tables of the
        # files left out (nap_rules.incremental.recheck.Elsewhere)
        self._elsewhere = elsewhere
        self.tokens: set = set()
        self._incomplete_kinds = incomplete_kinds
        # the tokens of the nodes of a file, one tuple per file and not one per node (a node's
        # token is read from its attributes each time); those that name a node, kept per node
        self._file_tokens: dict = {}  # file -> {kind: ("F", file, kind)}
        self._edge_tokens: dict = {}  # file -> ("E", file)
        self._node_tokens: dict = {}  # (what, key) -> that token
        self._walks: dict = {}  # (what, key, kind) -> (result, tokens) of ancestor/descendants walks
        self._token_sets: dict = {}  # the distinct token sets of those walks, each kept once
        self._line_tokens: dict = {}  # ("F", file, kind) -> ("FS", file, kind)
        self._kind_tokens: dict = {}  # file -> ("FK", file)
        self._line = None  # the ancestors of `_anchor` in its own file, once asked for
        self._anchor = None  # the node reads are classified against: the node evaluated
        self._anchor_file = None  # its goal file (None for a node of a file that is not a goal file)

    # --- tokens ----------------------------------------------------------------------------

    def file_token(self, key) -> tuple:
        attrs = self.attrs[key]
        kind = attrs["kind"]
        if kind == "missing":
            return self._of_node("M", key)
        file = attrs["source"].file
        of_file = self._file_tokens.get(file)
        if of_file is None:
            of_file = self._file_tokens[file] = {}
        token = of_file.get(kind)
        if token is None:
            token = of_file[kind] = ("F", file, kind)
        return token

    def edge_token(self, key) -> tuple:
        attrs = self.attrs[key]
        if attrs["kind"] == "missing":
            return self._of_node("ME", key)
        file = attrs["source"].file
        token = self._edge_tokens.get(file)
        if token is None:
            if file in self._edges_by_node:
                return self._of_node("N", key)
            token = self._edge_tokens[file] = ("E", file)
        return token

    def _of_node(self, what: str, key) -> tuple:
        token = (what, key)
        return self._node_tokens.setdefault(token, token)

    def read_token(self, key) -> tuple:
        """The token of reading node `key`: ("FS", file, kind) when it is in the line of the
        plan tree of the node reads are classified against (`_anchor`) within one goal file,
        else ("F", file, kind)."""
        token = self.file_token(key)
        if token[1] != self._anchor_file or token[0] != "F":
            return token
        anchor = self._anchor
        if key == anchor or key in self._anchor_line() or anchor in walk_up(self, key):  # stops at it
            return self._line_token(token)
        return token

    def _line_token(self, token: tuple) -> tuple:
        """("FS", file, kind) for the token ("F", file, kind)."""
        found = self._line_tokens.get(token)
        if found is None:
            found = self._line_tokens[token] = ("FS", *token[1:])
        return found

    def kind_token(self, key) -> tuple:
        """The token of reading only the kind of node `key` (a walk up or down the plan tree):
        ("FK", file), or that of a missing node."""
        token = self.file_token(key)
        if token[0] != "F":
            return token
        found = self._kind_tokens.get(token[1])
        if found is None:
            found = self._kind_tokens[token[1]] = ("FK", token[1])
        return found

    def _anchor_line(self) -> frozenset:
        """The ancestors of the node reads are classified against, in its own file."""
        found = self._line
        if found is None:
            found = self._line = frozenset(line_up(self, self._anchor))
        return found

    def begin(self, key) -> None:
        """Start the record of evaluating a rule on `key`, against which reads are classified
        (`read_token`): the node itself is read in its own line."""
        token = self.file_token(key)
        self._anchor, self._line = key, None
        if token[0] == "F" and token[1] not in self._edges_by_node:
            self._anchor_file = token[1]
            token = self._line_token(token)
        else:
            self._anchor_file = None
        self.tokens = {token, ("MS", key)} if token[0] == "M" else {token}

    def _edges(self, key, rel=None) -> None:
        if self._elsewhere is not None and self._elsewhere.is_placeholder(key):
            raise NeedFile(self.attrs[key]["source"].file, f"the edges of {key}")
        token = self.edge_token(key)
        if rel is not None and token[0] == "N":
            token = ("N", key, rel)
        self.tokens.add(token)

    def _kind(self, kind) -> None:
        self.tokens.add(("K", kind))

    # --- the reads -------------------------------------------------------------------------

    def view(self, key):
        self._node(key)
        return super().view(key)

    def views(self, keys):
        for key in keys:
            self._node(key)
        return super().views(keys)

    def _node(self, key) -> None:
        if key not in self.attrs and self._elsewhere is not None:
            self._elsewhere.placeholder(key)  # a node of a file left out, found by a search
        self.tokens.add(self.read_token(key))

    def nodes_of(self, kind: str):
        self._kind(kind)
        if kind in self._incomplete_kinds:
            return self._elsewhere.listing(kind, super().nodes_of(kind))
        return super().nodes_of(kind)

    def has_node(self, key: str) -> bool:
        self._kind(key.partition(":")[0] if isinstance(key, str) else key)
        if self._elsewhere is not None and key not in self.attrs and self._elsewhere.defines(key):
            return True
        return super().has_node(key)

    def lookup(self, kind: str, field_name: str, value, *, normalized: bool = False) -> list:
        probe = normalize_text(value) if normalized else value
        if type(probe) in PLAIN:
            self.tokens.add(("L", kind, field_name, normalized, probe))
        else:
            if kind in self._incomplete_kinds:
                raise NeedFullRun(f"a search of {kind} for a value the snapshot has no table of")
            self.tokens.add(("KV", kind))
        self.searches.add((kind, field_name, normalized))
        return super().lookup(kind, field_name, value, normalized=normalized)

    def table(self, kind: str, field_name: str, normalized: bool, keys) -> dict:
        if kind not in self._incomplete_kinds:
            return super().table(kind, field_name, normalized, keys)
        if self._elsewhere is None:  # pragma: no cover - incomplete kinds come with what holds them
            raise NeedFullRun(kind)
        here = super().table(kind, field_name, normalized, [k for k in keys if not self._elsewhere.is_placeholder(k)])
        return self._elsewhere.merged(here, (kind, field_name, normalized))

    def outgoing(self, key, rel: str) -> list:
        self._edges(key, rel)
        return super().outgoing(key, rel)

    def incoming(self, key, rel: str) -> list:
        self._edges(key, rel)
        return super().incoming(key, rel)

    def parents(self, key) -> list:
        self._edges(key)
        found = super().parents(key)
        for k in found:  # a walk reads their kinds
            self.tokens.add(self.kind_token(k))
        return found

    def structural_children(self, key) -> list:
        self._edges(key)
        found = super().structural_children(key)
        for k in found:
            self.tokens.add(self.kind_token(k))
        return found

    def ancestor(self, key, kind: str):
        return self._walk("ancestor", key, kind, self._find_ancestor)

    def descendants(self, key, kind: str) -> list:
        return self._walk("descendants", key, kind, super().descendants)

    def _walk(self, what: str, key, kind: str, walk):
        """A cached walk whose tokens are added again each time its result is used: it reads
        only kinds ("FK") and edges, the same from whichever node it is used."""
        found = self._walks.get((what, key, kind))
        if found is None:
            outer = self.tokens
            self.tokens = set()
            try:
                result = walk(key, kind)
                tokens = frozenset(self.tokens)
                tokens = self._token_sets.setdefault(tokens, tokens)  # walks share a few distinct sets
                found = self._walks[(what, key, kind)] = (result, tokens)
            finally:
                self.tokens = outer | self.tokens
        else:
            self.tokens |= found[1]
        return found[0]
