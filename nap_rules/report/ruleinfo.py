"""The rules a report mentions, described the same way whether a rule file or the tool defines them."""

from __future__ import annotations

from dataclasses import dataclass

from ..ruleset.builtin import BUILTIN_RULES


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    severity: str  # the rule's default severity
    rationale: str = ""
    references: tuple[str, ...] = ()


def all_findings(report) -> list:
    """Reported, known and waived findings alike: every finding the run produced."""
    return [*report.findings, *(w.finding for w in report.waived)]


def rule_infos(report) -> list[RuleInfo]:
    """The rules that ran, then any other rule id that reported, sorted by id."""
    infos = {r.id: RuleInfo(r.id, r.title, r.severity, r.rationale or "", tuple(r.references or ()))
             for r in report.rules}
    for f in all_findings(report):
        if f.rule not in infos:
            title, rationale = BUILTIN_RULES.get(f.rule, (f.rule, ""))
            infos[f.rule] = RuleInfo(f.rule, title, f.severity, rationale)
    return [infos[k] for k in sorted(infos)]
