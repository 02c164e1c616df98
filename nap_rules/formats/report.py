"""What every format renders: the findings of one run and what it was run on."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import SEVERITIES, Finding


@dataclass(frozen=True)
class Report:
    tool_version: str
    plan: str
    findings: tuple[Finding, ...]
    files_checked: int = 0
    rules: tuple = ()  # the Rule specs that ran (for formats that describe rules)
    notes: tuple[str, ...] = ()  # one-line remarks for the summary (e.g. rules not run)
    extra: dict = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            counts[f.severity] += 1
        return counts
