"""GitHub Actions workflow commands: each new finding becomes an annotation on the file and line.

`::error file=F,line=L,col=C,title=RULE::message`; info findings become notices. Findings the
baseline lists and waived ones are not annotated (they would bury the new ones); a closing
plain line counts them. Escaping follows the Actions toolkit (`@actions/core`, command.ts).
"""

from __future__ import annotations

from . import neutral
from ..load.locations import split_cell_file

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f, explain: bool = False) -> str:
    cell = split_cell_file(f.file)
    text = neutral.multiline
    if cell is not None:  # a workbook: the annotation names the file, the message the cell
        props = [f"file={escape_property(cell[0])}", f"title={escape_property(f.rule)}"]
        message = text(f"{f.place[len(cell[0]) + 1:]}: {f.message}" + (f" [{f.node}]" if f.node else ""))
        if explain and f.values:
            message += "\n" + "\n".join(text(f"{name} = {value}") for name, value in f.values)
        return f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(message)}"
    props = [f"file={escape_property(f.file)}"]
    if f.line >= 1:
        props.append(f"line={f.line}")
        if f.column >= 1:
            props.append(f"col={f.column}")
    props.append(f"title={escape_property(f.rule)}")
    message = text(f"{f.message} [{f.node}]" if f.node else f.message)
    if explain and f.values:
        message += "\n" + "\n".join(text(f"{name} = {value}") for name, value in f.values)
    return f"::{COMMANDS[f.severity]} {','.join(props)}::{escape_data(message)}"


def render(report) -> str:
    new = report.new_findings()
    lines = [annotation(f, report.explain) for f in new]
    counts = {s: sum(1 for f in new if f.severity == s) for s in COMMANDS}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    word = "new finding" if report.baseline is not None else "finding"
    tail = f"nap-rules: {len(new)} {word}{'s' if len(new) != 1 else ''} ({summary})"
    if report.baseline is not None:
        tail += f"; {len(report.known)} known from the baseline, {len(report.fixed)} fixed"
    if report.waived:
        tail += f"; {len(report.waived)} waived"
    lines.append(tail)
    return "\n".join(lines) + "\n"
