"""Findings grouped by cause, ranked: what the text, Markdown and HTML reports show first.

A cause is one problem behind one or more findings (a rule's `cause` key; a finding of a rule
without one is its own cause). Causes rank by severity (the highest of their findings), then
reach: how many measures they touch, then how much money (the largest amount a finding of the
cause involves), then how many findings, then the key, so the order is stable.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import SEVERITY_RANK, Finding

SEVERITY_LETTER = {"error": "E", "warning": "W", "info": "I"}


@dataclass
class Cause:
    key: str
    rule: str
    severity: str
    text: str  # the cause in one line
    findings: list[Finding]
    label: str = ""  # E1, W2, … in the order shown

    @property
    def measures(self) -> list[str]:
        return sorted({f.item[1] for f in self.findings if len(f.item) > 1 and f.item[1]}, key=item_order)

    @property
    def goals(self) -> list[str]:
        return sorted({f.item[0] for f in self.findings if f.item and f.item[0]}, key=item_order)

    @property
    def money(self):
        amounts = [abs(f.amount) for f in self.findings if isinstance(f.amount, (int, float)) or _is_decimal(f.amount)]
        return max(amounts) if amounts else 0

    @property
    def doc_lines(self) -> list[int]:
        return sorted({f.doc_line for f in self.findings if f.doc_line is not None})

    def rank(self):
        return (-SEVERITY_RANK[self.severity], -len(self.measures), -self.money, -len(self.findings), self.key)


def _is_decimal(value) -> bool:
    from decimal import Decimal

    return isinstance(value, Decimal) and value.is_finite()


def item_order(ident: str):
    """Plan ids in reading order: 2.1.9 before 2.1.10."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in str(ident).replace("-", ".").split(".")]


def group_causes(findings) -> list[Cause]:
    """The causes of `findings`, ranked, each labelled E1…, W1…, I1… by its severity."""
    by_key: dict[str, Cause] = {}
    for f in findings:
        key = f.cause_key
        cause = by_key.get(key)
        if cause is None:
            by_key[key] = cause = Cause(key, f.rule, f.severity, f.cause_text or f.message, [])
        elif SEVERITY_RANK[f.severity] > SEVERITY_RANK[cause.severity]:
            cause.severity = f.severity
        cause.findings.append(f)
    causes = sorted(by_key.values(), key=Cause.rank)
    counters: dict[str, int] = {}
    for cause in causes:
        letter = SEVERITY_LETTER[cause.severity]
        counters[letter] = counters.get(letter, 0) + 1
        cause.label = f"{letter}{counters[letter]}"
    return causes
