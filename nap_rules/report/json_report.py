"""The machine-readable report (docs/ci.md, "The JSON report").

With a baseline or waivers in play, each finding also carries `status` (`new` or `known`), and
the report lists the waived findings and the baseline entries that no longer occur, so that a
CI job reading the JSON can fail on new findings only. Without them the report holds only
the tool, its version, the plan, the summary counts and the findings.
"""

from __future__ import annotations

import json


def render(report) -> str:
    triaged = report.baseline is not None or bool(report.waived)
    findings = []
    for f in report.findings:
        entry = f.to_json()
        if triaged:
            entry["status"] = "known" if report.is_known(f) else "new"
        findings.append(entry)
    doc = {
        "tool": "nap-rules",
        "version": report.tool_version,
        "plan": report.plan,
        "summary": report.counts(),
        "findings": findings,
    }
    if triaged:
        doc["baseline"] = {
            "file": report.baseline,
            "new": len(report.new_findings()),
            "known": len(report.known),
            "fixed": [e.to_json() for e in report.fixed],
        }
        doc["waived"] = [dict(w.finding.to_json(), reason=w.waiver.reason, approved_by=w.waiver.approved_by)
                         for w in report.waived]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
