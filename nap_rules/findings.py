"""The finding (one violation of one rule at one node, with a stable sort order) and the report of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .load.locations import place, split_cell_file

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning | info
    node: str  # graph node key, e.g. "measure:1.1.1"; "" for a file-level problem
    message: str
    file: str
    line: int
    column: int
    detail: str = ""  # a stable, line-independent detail used to match findings across revisions
    values: tuple = field(default=(), compare=False)  # (name, value) pairs the rule saw
    # the line of the plan's source document (plan.yaml `document`) that the node cites, if any
    doc_line: int | None = field(default=None, compare=False)

    @property
    def place(self) -> str:
        """`file:line:column`, or `book.xlsx:Sheet!F12` for a finding in a workbook."""
        return place(self.file, self.line, self.column)

    def sort_key(self):
        return (self.file, self.line, self.column, self.rule, self.node, self.message)

    def to_json(self) -> dict:
        out = {
            "rule": self.rule,
            "severity": self.severity,
            "node": self.node,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            **({"doc_line": self.doc_line} if self.doc_line is not None else {}),
        }
        cell = split_cell_file(self.file)
        if cell is not None:  # a workbook cell: the workbook, and the cell as a spreadsheet names it
            out["file"] = cell[0]
            out["cell"] = self.place[len(cell[0]) + 1:]
        return out

    def cites(self) -> str:
        """` [document L608]` when the finding's plan item cites a document line, else ""."""
        return f" [document L{self.doc_line}]" if self.doc_line is not None else ""


def sort_findings(findings) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)


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
    fail_on: str = "error"  # the severity at or above which a new finding fails the run (`--fail-on`)
    document: object = None  # model.document.Document: the source document the plan cites, if declared

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

    def fails(self, finding: Finding) -> bool:
        """True when `finding` fails the run: new, and at or above `fail_on` (never with "never")."""
        return (self.fail_on != "never" and SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[self.fail_on]
                and not self.is_known(finding))

    def new_findings(self) -> tuple[Finding, ...]:
        """The findings the baseline does not list (all of them without a baseline)."""
        return tuple(f for f in self.findings if f not in self._known)
