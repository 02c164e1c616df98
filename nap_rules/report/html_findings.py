"""The findings part of the HTML report: causes ranked, a table of contents by goal, the
unknown bodies, and what the page's filters read (data attributes on each cause).

It shows the same causes as the text report (nap_rules.report.causes), one entry per cause
with its occurrences; each occurrence carries its file position and the document line it cites.
"""

from __future__ import annotations

from ..model.references import REF_INSTITUTION
from .causes import group_causes, item_order
from .ruleinfo import rule_infos

NO_GOAL = "none"  # the goal filter's value for findings on no goal (the plan, claims, the registry)


def findings_view(report, finding_views: list[dict]) -> dict:
    """`causes`, `toc`, `unknown_bodies` and the filter choices, from the findings' view dicts
    (in the order of `report.findings`)."""
    view_of = {id(f): v for f, v in zip(report.findings, finding_views)}
    infos = {info.id: info for info in rule_infos(report)}
    causes = []
    for c in group_causes(report.findings):
        goals = c.goals or [NO_GOAL]
        causes.append({
            "label": c.label, "anchor": f"cause-{c.label}", "severity": c.severity, "rule": c.rule,
            "rule_title": infos[c.rule].title if c.rule in infos else c.rule,
            "text": c.text, "count": len(c.findings), "measures": c.measures, "goals": goals,
            "goal_attr": " ".join(goals), "doc_lines": c.doc_lines,
            "findings": [view_of[id(f)] for f in c.findings],
        })
    toc: dict[str, dict] = {}
    for cause in causes:
        for goal in cause["goals"]:
            entry = toc.setdefault(goal, {"goal": goal, "count": 0, "causes": []})
            entry["count"] += sum(1 for f in cause["findings"] if (f["goal"] or NO_GOAL) == goal)
            entry["causes"].append({"label": cause["label"], "anchor": cause["anchor"],
                                    "severity": cause["severity"]})
    order = sorted(toc, key=lambda g: (g == NO_GOAL, item_order(g)))
    return {
        "causes": causes,
        "toc": [toc[g] for g in order],
        "unknown_bodies": _unknown_bodies(report.findings),
        "filter_rules": sorted({c["rule"] for c in causes}),
        "filter_goals": order,
        "severities": [s for s in ("error", "warning", "info") if any(c["severity"] == s for c in causes)],
    }


def _unknown_bodies(findings) -> list[dict]:
    """Each name a measure uses that the registry does not have: how often, as what, where."""
    out: dict[str, dict] = {}
    for f in findings:
        if f.rule != REF_INSTITUTION:
            continue
        name = f.cause_key.split(":", 1)[1]
        entry = out.setdefault(name, {"name": name, "count": 0, "responsible": 0, "measures": []})
        entry["count"] += 1
        entry["responsible"] += f.severity == "error"
        measure = f.item[1] if len(f.item) > 1 else ""
        if measure and measure not in entry["measures"]:
            entry["measures"].append(measure)
    for entry in out.values():
        entry["measures"].sort(key=item_order)
    return sorted(out.values(), key=lambda e: (-e["responsible"], -e["count"], e["name"]))
