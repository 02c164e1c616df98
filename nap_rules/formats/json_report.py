"""The machine-readable report of CONTRACT §5."""

from __future__ import annotations

import json


def render(report) -> str:
    doc = {
        "tool": "nap-rules",
        "version": report.tool_version,
        "plan": report.plan,
        "summary": report.counts(),
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
