"""The finding: one violation of one rule at one node, with a stable sort order."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def sort_key(self):
        return (self.file, self.line, self.column, self.rule, self.node, self.message)

    def to_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "node": self.node,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


def sort_findings(findings) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)
