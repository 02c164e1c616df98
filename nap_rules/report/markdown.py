"""A Markdown summary for a pull-request comment: counts per severity, a table per rule.

Long tables show their first rows and fold the rest into `<details>`; findings the baseline
lists, fixed baseline entries and waived findings are folded too, so new findings lead.
"""

from __future__ import annotations

from collections import defaultdict

from ..findings import SEVERITIES
from . import neutral
from .ruleinfo import rule_infos

SHOWN = 10  # rows per rule before the rest is folded
FOLDED = 200  # rows at most inside one fold; a PR comment has a size limit


def cell(text) -> str:
    """Text safe inside a table cell: no markup, no HTML, no line or column breaks, no links,
    no control characters (nap_rules.report.neutral)."""
    return neutral.markdown(text)


def render(report) -> str:
    new = report.new_findings()
    out = [f"### nap-rules: {cell(report.plan or 'plan')}", ""]
    out += _counts(report, new)
    infos = {info.id: info for info in rule_infos(report)}
    by_rule = defaultdict(list)
    for f in new:
        by_rule[f.rule].append(f)
    if not new:
        out += ["", "No new findings." if report.baseline is not None else "No findings."]
    for rule_id in sorted(by_rule):
        info, items = infos[rule_id], by_rule[rule_id]
        out += ["", f"#### {cell(rule_id)}: {cell(info.title)}", "",
                f"{info.severity}, {len(items)} finding{'s' if len(items) != 1 else ''}", ""]
        out += _table(["location", "node", "message"], [_row(f, report.explain) for f in items])
    if report.known:
        rows = [[cell(f.rule), *_row(f, report.explain)] for f in report.known]
        out += _fold(f"Known findings, listed in the baseline: {len(rows)}", ["rule", "location", "node", "message"], rows)
    if report.fixed:
        rows = [[cell(e.rule), cell(e.node), cell(e.message)] for e in report.fixed]
        out += _fold(f"Fixed since the baseline: {len(rows)}", ["rule", "node", "message"], rows)
    if report.waived:
        rows = [[cell(w.finding.rule), cell(w.finding.node), cell(w.waiver.reason), cell(w.waiver.approved_by),
                 w.waiver.expires.isoformat() if w.waiver.expires else ""] for w in report.waived]
        out += _fold(f"Waived: {len(rows)}", ["rule", "node", "reason", "approved by", "expires"], rows)
    return "\n".join(out) + "\n"


def _counts(report, new) -> list[str]:
    def row(label, findings):
        return [label, *(str(sum(1 for f in findings if f.severity == s)) for s in SEVERITIES)]

    header = ["", *SEVERITIES]
    rows = [row("new" if report.baseline is not None else "findings", new)]
    if report.baseline is not None:
        rows.append(row("known (baseline)", report.known))
    if report.waived:
        rows.append(row("waived", [w.finding for w in report.waived]))
    lines = _table(header, rows, align="l" + "r" * len(SEVERITIES))
    if report.baseline is not None:
        lines += ["", f"Fixed since the baseline: {len(report.fixed)}."]
    return lines


def _row(f, explain: bool) -> list[str]:
    message = cell(f.message)
    if explain and f.values:
        message += "<br>" + "<br>".join(f"{cell(name)} = {cell(value)}" for name, value in f.values)
    return [cell(f.place if f.file.endswith("!") else f"{f.file}:{f.line}"), cell(f.node), message]


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    """The first SHOWN rows as a table, the rest folded into <details>."""
    shown, rest = rows[:SHOWN], rows[SHOWN:]
    lines = _grid(header, shown, align)
    if rest:
        lines += _fold(f"{len(rest)} more", header, rest, align)
    return lines


def _fold(summary: str, header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    lines = ["", f"<details><summary>{cell(summary)}</summary>", ""]
    lines += _grid(header, rows[:FOLDED], align)
    if len(rows) > FOLDED:
        lines += ["", f"… and {len(rows) - FOLDED} more: see the full report (`--format text`)."]
    return lines + ["", "</details>"]


def _grid(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    marks = [("---:" if a == "r" else "---") for a in align] if align else ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(marks) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]
