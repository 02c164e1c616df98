"""What every format renders: the findings of one run and what it was run on."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..findings import SEVERITIES, Finding


@dataclass(frozen=True)
class Report:
    tool_version: str
    plan: str
    findings: tuple[Finding, ...]  # every finding still reported (waived ones are not here)
    files_checked: int = 0
    rules: tuple = ()  # the Rule specs that ran (for formats that describe rules)
    notes: tuple[str, ...] = ()  # one-line remarks for the summary (e.g. rules not run)
    extra: dict = field(default_factory=dict)
    baseline: str | None = None  # the baseline file the findings were compared with, if any
    known: tuple[Finding, ...] = ()  # those of `findings` that the baseline already lists
    fixed: tuple = ()  # baseline entries (baseline.BaselineEntry) that no longer occur
    waived: tuple = ()  # waivers.Waived: findings accepted by a waiver, with its reason
    explain: bool = False  # show the values each rule saw (Finding.values)

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            counts[f.severity] += 1
        return counts

    @cached_property
    def _known(self) -> frozenset:
        return frozenset(self.known)

    def is_known(self, finding: Finding) -> bool:
        return finding in self._known

    def new_findings(self) -> tuple[Finding, ...]:
        """The findings the baseline does not list (all of them without a baseline)."""
        return tuple(f for f in self.findings if f not in self._known)
