"""Plain text: one line per finding, `file:line:col  SEVERITY  RULE  message [document Ln]  [node]`,
grouped by file.

The document line is the plan item's line in the source document, when it cites one; the node
key in brackets is what a waiver names (`node: measure:1.1.10`). With a baseline only
the new findings are listed, and the known and fixed ones are counted; waived findings are
listed after the summary with their waiver's reason; `--explain` adds, under each finding, the
values its rule saw.
"""

from __future__ import annotations

from . import neutral


def render(report) -> str:
    lines: list[str] = []
    current = None
    shown = report.new_findings()
    for f in shown:
        if f.file != current:
            if current is not None:
                lines.append("")
            current = f.file
        lines.append(f"{f.place}  {f.severity.upper():7}  {f.rule}  {f.message}{f.cites()}{_node(f)}")
        if report.explain:
            lines.extend(f"    {name} = {value}" for name, value in f.values)
    if lines:
        lines.append("")
    lines.append(_summary(report, shown))
    if report.baseline is not None:
        lines.append(f"{len(report.known)} known from the baseline {report.baseline}, {len(report.fixed)} fixed since")
        lines.extend(f"  fixed: {e.rule}  {e.node}  {e.message}" for e in report.fixed)
    if report.waived:
        lines.append(f"{len(report.waived)} waived:")
        lines.extend(_waived(w) for w in report.waived)
    lines.extend(report.notes)
    return "\n".join(neutral.lines(lines)) + "\n"


def _summary(report, shown) -> str:
    counts = {s: 0 for s in report.counts()}
    for f in shown:
        counts[f.severity] += 1
    total = sum(counts.values())
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    files = f" in {report.files_checked} files" if report.files_checked else ""
    word = "new finding" if report.baseline is not None else "finding"
    return f"{report.plan or 'plan'}: {total} {word}{'s' if total != 1 else ''}{files} ({summary})"


def _node(f) -> str:
    return f"  [{f.node}]" if f.node else ""


def _waived(w) -> str:
    f, waiver = w.finding, w.waiver
    until = f", until {waiver.expires.isoformat()}" if waiver.expires else ""
    return (f"  {f.rule} on {f.node or 'the file'} ({f.file}:{f.line}:{f.column}): {waiver.reason} "
            f"(approved by {waiver.approved_by}{until})")
