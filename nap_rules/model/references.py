"""References between plan items: resolved while the graph is built, NAP-REF findings for those that do not resolve.

Every reference that does not resolve becomes an edge to a `missing` node plus a `NAP-REF-*`
finding on the referencing node, so that both rules and reports can see it.
"""

from __future__ import annotations

import difflib

from ..findings import Finding
from ..load.locations import Location
from .fields import cited_line, node_key, place_of

REF_INSTITUTION = "NAP-REF-001"
REF_INDICATOR = "NAP-REF-002"
REF_GOAL = "NAP-REF-003"
REF_MEASURE = "NAP-REF-004"
REF_RULE = {"institution": REF_INSTITUTION, "indicator": REF_INDICATOR, "goal": REF_GOAL, "measure": REF_MEASURE}


class ReferenceResolver:
    """The reference resolution of `GraphBuilder` (nap_rules.model.graph), whose nodes it reads and adds to."""

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
            attrs = self.nodes[src]
            self.dangling.append((src, kind, ident, where, cited_line(attrs.get("doc_line")), rel, place_of(attrs)))
        if rel:
            self.edge(src, target, rel, label)
        return target

    def all_dangling(self) -> list:
        """Every unresolved reference of the plan, in the order the files were read."""
        return self.dangling

    def other_ids(self, kind: str):
        """Ids of `kind` defined by files this build did not read (none: it reads them all)."""
        return ()

    def ref_findings(self) -> list[Finding]:
        """The NAP-REF findings of the dangling references, once the whole graph is known.

        Hints ("did you mean …?") are computed at the end, against every id of the kind, so
        they do not depend on the order in which files and items were read.
        """
        by_kind: dict[str, set] = {}
        dangling = self.all_dangling()
        for _, kind, ident, *_ in dangling:
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
        for src, kind, ident, where, doc_line, rel, place in dangling:
            close = hints[kind].get(str(ident))
            hint = f"; did you mean {close!r}?" if close else ""
            what = {"institution": "body not in institutions.yaml"}.get(kind, f"unknown {kind}")
            message = f"{what}: {ident!r}{hint}"
            # an unknown body is an error where it is to answer for the measure, a warning as a contributor
            severity = "warning" if rel == "contributing" else "error"
            out.append(Finding(REF_RULE[kind], severity, src, message, where.file, where.line, where.column,
                               detail=f"{kind}:{ident}", doc_line=doc_line, cause=f"{REF_RULE[kind]}:{ident}",
                               cause_text=message, item=place))
        return out

    def is_a(self, key: str, kind: str) -> bool:
        return self._has(key) and self.nodes[key]["kind"] == kind


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
