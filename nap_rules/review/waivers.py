"""Applies the waivers of `.nap-rules.yaml` (config.Waiver): accepted findings, each with a reason.

A waiver names a rule id or a group prefix (`NAP-TIME` covers `NAP-TIME-002`) and a node key.
It stops waiving after its `expires` day and says so; a waiver that matches nothing is itself
reported, so stale entries do not pile up.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Iterable

from ..findings import Finding, sort_findings
from ..ruleset.config import Waiver, matches

EXPIRED = "NAP-WAIVER-001"
UNUSED = "NAP-WAIVER-002"


def covers(waiver, finding: Finding) -> bool:
    return matches(waiver.rule, finding.rule) and finding.node == waiver.node


def expired(waiver, as_of: datetime.date) -> bool:
    """True after the waiver's last day (`expires` is the last day it applies)."""
    return waiver.expires is not None and waiver.expires < as_of


@dataclass(frozen=True)
class Waived:
    finding: Finding
    waiver: Waiver


def apply_waivers(findings: Iterable[Finding], waivers: Iterable[Waiver],
                  as_of: datetime.date) -> tuple[list[Finding], list[Waived], list[Finding]]:
    """(findings still reported, waived findings with their waiver, info findings about waivers)."""
    waivers = list(waivers)
    active = [w for w in waivers if not expired(w, as_of)]
    used: set[int] = set()
    kept: list[Finding] = []
    waived: list[Waived] = []
    for finding in findings:
        waiver = next((w for w in active if covers(w, finding)), None)
        if waiver is None:
            kept.append(finding)
        else:
            used.add(id(waiver))
            waived.append(Waived(finding, waiver))
    notes = []
    for w in waivers:
        if expired(w, as_of):
            would = sum(1 for f in kept if covers(w, f))
            notes.append(_expired_note(w, as_of, would))
        elif id(w) not in used:
            notes.append(_note(UNUSED, w, f"waiver of {w.rule} on {w.node} matches no finding: "
                                          f"remove it, or correct its rule or node{_near_miss(w, kept)}", ()))
    return kept, waived, sort_findings(notes)


def _near_miss(w: Waiver, findings: list[Finding]) -> str:
    """` (did you mean node 'measure:1.1.10'?)`: the finding the waiver was most likely meant for."""
    nodes = {f.node for f in findings if matches(w.rule, f.rule) and f.node}
    whole = sorted(n for n in nodes if n.partition(":")[2] == w.node)  # `1.1.10` for `measure:1.1.10`
    if whole:
        return f" (did you mean node {whole[0]!r}?)"
    near = difflib.get_close_matches(w.node, sorted(nodes), n=1)
    if near:
        return f" (did you mean node {near[0]!r}?)"
    rules = {f.rule for f in findings if f.node == w.node}
    near = difflib.get_close_matches(w.rule, sorted(rules), n=1, cutoff=0.8)
    if near:
        return f" (did you mean rule {near[0]!r}?)"
    if rules:
        return f" (findings on {w.node}: {', '.join(sorted(rules))})"
    return ""


def _expired_note(w: Waiver, as_of: datetime.date, would: int) -> Finding:
    if would:
        effect = f"its {would} finding{'s are' if would != 1 else ' is'} reported again"
    else:
        effect = "it would match no finding now"
    message = f"waiver of {w.rule} on {w.node} expired on {w.expires.isoformat()}: {effect}"
    return _note(EXPIRED, w, message, (("expires", w.expires.isoformat()), ("as_of", as_of.isoformat()),
                                       ("findings it matches", would)))


def _note(rule: str, w: Waiver, message: str, values: tuple) -> Finding:
    loc = w.source
    values = (("rule", w.rule), ("node", w.node), ("approved_by", w.approved_by)) + values
    return Finding(rule, "info", "", message, loc.file, loc.line, loc.column,
                   detail=f"{w.rule} {w.node}", values=values)
