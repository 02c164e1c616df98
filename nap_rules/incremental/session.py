"""How a run with a cache records what each rule evaluation gave and read (nap_rules.incremental.recheck).

The engine (nap_rules.run.engine.evaluate) calls a `Session` before and after each rule; its
`Recorder` groups the evaluations of the rule by the file of the node and the tokens it read
(nap_rules.incremental.tracking), as the snapshot keeps them.
"""

from __future__ import annotations

from ..model.graph import node_file
from .snapshot import Group, RuleRecord
from .tracking import TrackingIndex


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

    def _local(self, tokens, file: str) -> bool:
        shared = self.shared
        return all((t[0] == "F" or t[0] == "E") and (t[1] == file or t[0] == "F" and t[1] in shared) for t in tokens)

    def __call__(self, key, findings, steps) -> None:
        tokens = frozenset(self.index.tokens)
        tokens = self._interned.setdefault(tokens, tokens)
        file = node_file(self.index.attrs[key])
        group = self.groups.get((file, tokens))
        if group is None:
            keyed = file in self.shared or not self._local(tokens, file)
            group = self.groups[(file, tokens)] = [0, [], [] if keyed else None]
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
        self.records[rule.id] = RuleRecord(steps, tuple(kept) + recorder.stored())
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
