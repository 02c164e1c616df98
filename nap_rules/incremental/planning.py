"""What a re-check evaluates again and what it keeps (nap_rules.incremental.recheck).

`Session` is the engine's session of a check with a cache: it records each rule's groups of
findings (`Recorder`) and, in a re-check, evaluates only the nodes a `Planner` gives for the
rule, adding the groups it keeps from the snapshot. The helpers at the end find, for a goal
file that changed only the fields of some nodes, the nodes to evaluate again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..load.locations import LocList, LocMap
from ..model.graph import node_file
from ..model.index import GraphIndex
from .partial import Placeholder
from .snapshot import Group, RuleRecord, Snapshot
from .tracking import NeedFile, TrackingIndex, line_up

_LOCAL = frozenset({"F", "FK", "FS", "E"})  # tokens of a file's own reads


class RunLimit(Exception):
    """A rule passed its step limit for the run: its record would be incomplete."""


class Recorder:
    """Groups one rule's evaluations by (file of the node, tokens) as the engine reports them.

    A group lists its node keys when its file is one of `shared` or when it read anything a
    change to another goal file can reach; the groups of a goal file that read only that file
    (and files that are not goal files) are reached only when it changes, and need no keys.
    """

    def __init__(self, index: TrackingIndex, shared):
        self.index = index
        self.shared = shared
        self.groups: dict = {}
        self.steps = 0
        self._interned: dict = {}
        # the last evaluation's file, tokens (the index's set, not changed once its evaluation
        # ended) and group: consecutive nodes of a file mostly read alike
        self._last = (None, None, None)

    def _local(self, tokens, file: str) -> bool:
        shared = self.shared
        return all((t[0] in _LOCAL) and (t[1] == file or t[0] == "F" and t[1] in shared) for t in tokens)

    def __call__(self, key, findings, steps) -> None:
        live = self.index.tokens
        file = node_file(self.index.attrs[key])
        last_file, last_live, group = self._last
        if file != last_file or live != last_live:
            tokens = frozenset(live)
            tokens = self._interned.setdefault(tokens, tokens)
            group = self.groups.get((file, tokens))
            if group is None:
                keyed = file in self.shared or not self._local(tokens, file)
                group = self.groups[(file, tokens)] = [0, [], [] if keyed else None]
            self._last = (file, live, group)
        group[0] += steps
        group[1].extend(findings)
        if group[2] is not None:
            group[2].append(key)
        self.steps += steps

    def stored(self) -> tuple:
        return tuple(Group(file, tokens, steps, tuple(findings), None if keys is None else tuple(keys))
                     for (file, tokens), (steps, findings, keys) in self.groups.items())


class Session:
    """An evaluation session for the engine (nap_rules.run.engine.evaluate) that records every
    rule's groups; with `plan_for` (an incremental run) it evaluates only the nodes it gives and
    adds the groups it keeps from the snapshot."""

    def __init__(self, index: TrackingIndex, shared, plan_for=None):
        self.index = index
        self.shared = shared
        self.plan_for = plan_for
        self.records: dict = {}
        self._current = None

    def start(self, rule):
        keys, kept, kept_steps = (None, (), 0) if self.plan_for is None else self.plan_for(rule)
        recorder = Recorder(self.index, self.shared)
        self._current = (recorder, kept, kept_steps)
        return keys, kept_steps, recorder

    @property
    def whole(self) -> bool:
        """Whether every node is evaluated (a run that fills the cache): then the engine may
        split the nodes over worker processes (nap_rules.run.parallel), which send back `part`."""
        return self.plan_for is None

    def finish(self, rule, found) -> list:
        recorder, kept, kept_steps = self._current
        steps = kept_steps + recorder.steps
        if steps > rule.compiled.limits.rule_steps:
            raise RunLimit(rule.id)
        self.records[rule.id] = RuleRecord(steps, merged(tuple(kept) + recorder.stored()))
        out = list(found)
        for group in kept:
            out.extend(group.findings)
        return out

    def part(self, rule) -> tuple:
        """In a worker that evaluated `rule` on a run of its nodes: what it recorded."""
        recorder = self._current[0]
        return recorder.steps, list(recorder.groups.items()), frozenset(self.index.searches)

    def finish_parts(self, rule, parts, found) -> list:
        """`finish` for a rule evaluated in worker processes, from their `part`s in node order
        (each of a run of consecutive nodes): the groups one process records."""
        recorder = Recorder(self.index, self.shared)
        groups = recorder.groups
        for steps, run_groups, searches in parts:
            recorder.steps += steps
            self.index.searches |= searches
            for name, (group_steps, findings, keys) in run_groups:
                group = groups.get(name)
                if group is None:
                    groups[name] = [group_steps, list(findings), None if keys is None else list(keys)]
                    continue
                group[0] += group_steps
                group[1].extend(findings)
                if group[2] is not None:
                    group[2].extend(keys)
        self._current = (recorder, (), 0)
        return self.finish(rule, found)


# what a file's summary must keep for a change to be one of fields only
_STRUCTURE = ("defined", "ids", "kinds", "links", "missing", "dangling", "edges")


def nodes_in_line(before, after, doc, items, index, display: str) -> tuple[frozenset, frozenset] | None:
    """For the goal file `display`, read again in part with the (path, old item, new item) of
    `items` replaced (nap_rules.load.reparse): the keys of the nodes to evaluate again and the
    kinds of the nodes whose own fields changed; None when its keys, ids or edges are not those
    of the last run (`before` and `after`: its summaries). Else only the fields of nodes made
    from those items changed: those nodes, their descendants and their ancestors in the file
    are all that a read in the line of the plan tree ("FS") can reach, and a read of a node of
    another kind ("F") reads what it read before."""
    if any(getattr(before, f) != getattr(after, f) for f in _STRUCTURE):
        return None
    by_place = {index.attrs[k]["source"]: k for k in after.defined}
    keys: set = set()
    kinds: set = set()
    for path, old_item, new_item in items:
        owner = _owner(doc, path, by_place)
        if owner is None:
            return None
        keys.update(_subtree(index, owner, display))
        keys.update(line_up(index, owner))
        if isinstance(new_item, dict) and new_item.loc in by_place:
            _changed_kinds(old_item, new_item, by_place, index, kinds)
        else:  # an item of a list of its owner's own: the owner's fields changed
            kinds.add(index.attrs[owner]["kind"])
    return frozenset(keys), frozenset(kinds)


def _changed_kinds(old, new, by_place: dict, index, kinds: set) -> None:
    """Add to `kinds` the kind of each node made from a mapping of `new` whose own fields (its
    place, its keys and their places, every value but the lists of its child nodes, types
    included) differ from those of the mapping at the same place in `old`."""
    if isinstance(new, LocMap):
        key = by_place.get(new.loc)
        if key is not None and (not isinstance(old, LocMap) or _own(old, by_place) != _own(new, by_place)):
            kinds.add(index.attrs[key]["kind"])
        for k, v in new.items():
            _changed_kinds(old.get(k) if isinstance(old, LocMap) else None, v, by_place, index, kinds)
    elif isinstance(new, LocList):
        for i, v in enumerate(new):
            _changed_kinds(old[i] if isinstance(old, LocList) and i < len(old) else None, v, by_place, index, kinds)


def _own(mapping: LocMap, by_place: dict) -> tuple:
    """What a node takes from its mapping: everything but the lists whose items are nodes."""
    locs = mapping.key_locs
    return (mapping.loc, tuple((k, locs[k], _shape(v)) for k, v in mapping.items()
                               if not (isinstance(v, LocList) and any(isinstance(x, LocMap) and x.loc in by_place
                                                                      for x in v))))


def _shape(value) -> tuple:
    """A value with its types and the places of its keys and items, for an exact comparison."""
    if isinstance(value, LocMap):
        locs = value.key_locs
        return ("map", value.loc, tuple((k, locs[k], _shape(v)) for k, v in value.items()))
    if isinstance(value, LocList):
        locs = value.item_locs
        return ("list", value.loc, tuple((locs[i], _shape(v)) for i, v in enumerate(value)))
    return (type(value), value)


def _owner(doc, path, by_place: dict):
    """The key of the innermost node made from a mapping on `path` (from the root of `doc`)."""
    node, found = doc, by_place.get(getattr(doc, "loc", None))
    for step in path:
        node = node[step]
        if isinstance(node, dict):
            found = by_place.get(node.loc, found)
    return found


def _subtree(index, key, file: str) -> set:
    """`key` and its descendants in its own file (read without recording: `index` may track)."""
    out, todo = {key}, [key]
    while todo:
        for child in GraphIndex.structural_children(index, todo.pop()):
            if child not in out and node_file(index.attrs[child]) == file:
                out.add(child)
                todo.append(child)
    return out


def merged(groups) -> tuple:
    """`groups` with those of one file and tokens that do not list their nodes made one."""
    out: dict = {}
    for g in groups:
        if g.keys is not None:
            out[id(g)] = g
            continue
        same = out.get((g.file, g.tokens))
        out[(g.file, g.tokens)] = g if same is None else Group(
            g.file, g.tokens, same.steps + g.steps, same.findings + g.findings, None)
    return tuple(out.values())


@dataclass(eq=False)
class Planner:
    """Per rule, for an incremental run: the nodes to evaluate, the groups kept and their steps."""

    snapshot: Snapshot
    nodes: dict
    index: TrackingIndex
    changed_files: set
    widened_files: set
    reached: set
    shared: frozenset
    in_lines: dict  # changed file whose change is one of fields only -> the nodes to evaluate again
    _by_kind: dict = field(default_factory=dict)  # kind -> _read_nodes(kind)

    def __call__(self, rule):
        nodes, reached, changed_files, in_lines = self.nodes, self.reached, self.changed_files, self.in_lines
        kept, again, whole = [], set(), set()
        record = self.snapshot.rules.get(rule.id)
        for group in record.groups if record is not None else ():
            if group.file in changed_files and group.file not in in_lines:
                continue
            hit = not group.tokens.isdisjoint(reached)
            if not hit and group.file in self.shared:  # a missing node can be gone
                hit = not all(k in nodes for k in group.keys)
            if not hit and group.file in in_lines:
                kept.append(_without(group, in_lines[group.file]))
            elif not hit:
                kept.append(group)
            elif group.keys is None:
                whole.add(group.file)  # a file read again whose group does not list its nodes
            else:
                again.update(group.keys)
        if whole:
            kept = [g for g in kept if g.file not in whole]
        kept_keys = {k for g in kept if g.keys is not None for k in g.keys}
        todo = []
        widened = self.widened_files
        for k, file in self._read_nodes(rule.applies_to):
            if file is None:
                # a missing node first referred to in a goal file left out has groups of its
                # own, and this one was reached
                if k not in kept_keys:
                    raise NeedFile(dict.__getitem__(nodes[k], "source").file, f"{rule.id} on {k}")
                continue
            if file in in_lines and file not in whole:
                if k in again or k in in_lines[file]:
                    todo.append(k)
            elif file in changed_files or file in whole:
                todo.append(k)
            elif file in widened:
                if k in again:
                    todo.append(k)
            elif k not in kept_keys:
                todo.append(k)
        return todo, kept, sum(g.steps for g in kept)

    def _read_nodes(self, kind: str) -> list:
        """(key, its file) of the nodes of `kind` of the files read, in graph order, and (key,
        None) of the placeholders of missing nodes; the placeholders of the nodes of goal files
        left out are in those files' groups, kept."""
        found = self._by_kind.get(kind)
        if found is None:
            nodes = self.nodes
            found = self._by_kind[kind] = []
            for k in self.index.by_kind.get(kind, ()):
                attrs = nodes[k]
                if type(attrs) is not Placeholder:
                    found.append((k, node_file(attrs)))
                elif dict.__getitem__(attrs, "kind") == "missing":
                    found.append((k, None))
        return found


def _without(group: Group, keys: frozenset) -> Group:
    """`group` without the findings on (and, when it lists them, the nodes) `keys`, which are
    evaluated again. Its steps stay those of the last run: an upper bound."""
    findings = tuple(f for f in group.findings if f.node not in keys)
    listed = None if group.keys is None else tuple(k for k in group.keys if k not in keys)
    return group._replace(findings=findings, keys=listed)
