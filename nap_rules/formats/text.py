"""Plain text: one line per finding, `file:line:col  SEVERITY  RULE  message`, grouped by file."""

from __future__ import annotations


def render(report) -> str:
    lines: list[str] = []
    current = None
    for f in report.findings:
        if f.file != current:
            if current is not None:
                lines.append("")
            current = f.file
        lines.append(f"{f.file}:{f.line}:{f.column}  {f.severity.upper():7}  {f.rule}  {f.message}")
    counts = report.counts()
    total = sum(counts.values())
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    if lines:
        lines.append("")
    files = f" in {report.files_checked} files" if report.files_checked else ""
    lines.append(f"{report.plan or 'plan'}: {total} finding{'s' if total != 1 else ''}{files} ({summary})")
    lines.extend(report.notes)
    return "\n".join(lines) + "\n"
