"""Plain text: a reviewer's summary by cause (default), or one line per finding (`--flat`).

The summary opens with the counts by severity, then lists the causes (nap_rules.report.causes)
most serious first, one entry each with its occurrences listed compactly and the document lines
they cite; a rule with many causes of one severity (undefined names, say) gets one entry that
names each cause with its count. Then the plan items (goal, then measure) with the labels of
the causes found on them.

The flat form is the linter's: `file:line:col  SEVERITY  RULE  message [document Ln]  [node]`,
grouped by file: the document line is the plan item's line in the source document, when it
cites one; the node key in brackets is what a waiver names (`node: measure:1.1.10`).

In both, with a baseline only the new findings are listed, and the known and fixed ones are
counted; waived findings are listed after the summary with their waiver's reason; `--explain`
(flat form) adds, under each finding, the values its rule saw.
"""

from __future__ import annotations

import textwrap

from . import neutral
from .causes import Cause, group_causes, item_order

WIDTH = 120
SHOWN_ITEMS = 8  # occurrences named on a cause's line before "+N more"
SHOWN_LINES = 4  # document lines cited on a cause's line
GROUP_FROM = 5  # a rule with this many causes of one severity gets one entry naming them all
LISTED_FROM_GROUP = 12  # such an entry names each finding's item when it has at most this many


def render(report) -> str:
    shown = report.new_findings()
    lines = flat_lines(report, shown) if report.flat else summary_lines(report, shown)
    if report.flat:
        lines.append(_summary(report, shown))
    if report.baseline is not None:
        lines.append(f"{len(report.known)} known from the baseline {report.baseline}, {len(report.fixed)} fixed since")
        lines.extend(f"  fixed: {e.rule}  {e.node}  {e.message}" for e in report.fixed)
    if report.waived:
        lines.append(f"{len(report.waived)} waived:")
        lines.extend(_waived(w) for w in report.waived)
    lines.extend(report.notes)
    return "\n".join(neutral.lines(lines)) + "\n"


def _node(f) -> str:
    return f"  [{f.node}]" if f.node else ""


def _waived(w) -> str:
    f, waiver = w.finding, w.waiver
    until = f", until {waiver.expires.isoformat()}" if waiver.expires else ""
    return (f"  {f.rule} on {f.node or 'the file'} ({f.file}:{f.line}:{f.column}): {waiver.reason} "
            f"(approved by {waiver.approved_by}{until})")


# --- flat: one line per finding ------------------------------------------------------------

def flat_lines(report, shown) -> list[str]:
    lines: list[str] = []
    current = None
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
    return lines


# --- summary by cause ----------------------------------------------------------------------

class Entry:
    """One line of the ranked list: a cause, or the many causes of one rule at one severity."""

    def __init__(self, causes: list[Cause]):
        self.causes = causes
        self.label = ""

    @property
    def first(self) -> Cause:
        return self.causes[0]


def entries_of(causes: list[Cause]) -> list[Entry]:
    count: dict = {}
    for c in causes:
        count[(c.rule, c.severity)] = count.get((c.rule, c.severity), 0) + 1
    entries: list[Entry] = []
    grouped: dict = {}
    for c in causes:
        group = (c.rule, c.severity)
        if count[group] >= GROUP_FROM:
            if group in grouped:
                grouped[group].causes.append(c)
                continue
            grouped[group] = Entry([c])
            entries.append(grouped[group])
        else:
            entries.append(Entry([c]))
    numbers: dict[str, int] = {}
    for e in entries:
        letter = e.first.label[0]
        numbers[letter] = numbers.get(letter, 0) + 1
        e.label = f"{letter}{numbers[letter]}"
    return entries


def summary_lines(report, shown) -> list[str]:
    causes = group_causes(shown)
    lines = [_summary(report, shown, len(causes))]
    if not causes:
        return lines
    entries = entries_of(causes)
    lines += ["", "Causes, most serious first (then by measures reached, money involved, findings):"]
    for e in entries:
        lines += _entry_lines(e)
    lines += ["", "By plan item (the causes found on each; --flat lists every finding):"]
    lines += _by_item(entries)
    return lines


def _wrap(first: str, rest: str) -> list[str]:
    return textwrap.wrap(first + rest, WIDTH, subsequent_indent=" " * 6, break_on_hyphens=False,
                         break_long_words=False) or [first]


def _entry_lines(e: Entry) -> list[str]:
    head = f"  {e.label:<4}{e.first.severity.upper():8}{e.first.rule}  "
    if len(e.causes) == 1:
        c = e.first
        occurrences = _occurrences(c)
        return _wrap(head, f"{c.text}{' — ' if occurrences else ''}{occurrences}{_cited(c.doc_lines)}")
    total = sum(len(c.findings) for c in e.causes)
    if total <= LISTED_FROM_GROUP:  # few enough to name each occurrence with its document line
        names = "; ".join(f"{_name(c)}: {', '.join(_item(f) for f in c.findings)}" for c in e.causes)
    else:
        names = ", ".join(f"{_name(c)} ×{len(c.findings)}" for c in e.causes)
    return _wrap(head, f"{_what(e.first)}: {len(e.causes)} causes, {total} findings — {names}")


def _name(c: Cause) -> str:
    return c.key.split(":", 1)[1]


def _item(f) -> str:
    item = (f.item[1] if len(f.item) > 1 and f.item[1] else "") or f.node.split(":", 1)[-1]
    return f"{item} [L{f.doc_line}]" if f.doc_line is not None else item


def _what(cause: Cause) -> str:
    """What a cause's text says, without the part that names the cause (for a grouped entry)."""
    return cause.text.split(":", 1)[0] if ":" in cause.text else cause.rule


def _occurrences(c: Cause) -> str:
    measures = c.measures
    if measures:
        items, noun = measures, "measure"
    else:
        items, noun = sorted({f.node.split(":", 1)[-1] or f.file for f in c.findings}, key=item_order), "item"
        if len(c.findings) == 1:
            return ""  # the message names its one item
    more = f", +{len(items) - SHOWN_ITEMS} more" if len(items) > SHOWN_ITEMS else ""
    plural = "s" if len(items) != 1 else ""
    found = f"{len(c.findings)} findings, " if len(c.findings) != len(items) else ""
    return f"{found}{len(items)} {noun}{plural}: {', '.join(items[:SHOWN_ITEMS])}{more}"


def _cited(doc_lines: list[int]) -> str:
    if not doc_lines:
        return ""
    more = f", +{len(doc_lines) - SHOWN_LINES}" if len(doc_lines) > SHOWN_LINES else ""
    return " [document " + ", ".join(f"L{n}" for n in doc_lines[:SHOWN_LINES]) + more + "]"


def _by_item(entries: list[Entry]) -> list[str]:
    labels: dict[tuple, list[str]] = {}  # (goal, item) -> entry labels
    for e in entries:
        for c in e.causes:
            for f in c.findings:
                goal, measure = (f.item + ("", ""))[:2]
                item = measure or f.node.split(":", 1)[-1] or f.file
                got = labels.setdefault((goal, item), [])
                if e.label not in got:
                    got.append(e.label)
    goals = sorted({g for g, _ in labels}, key=lambda g: (g == "", item_order(g)))
    out = []
    for goal in goals:
        items = sorted((item for g, item in labels if g == goal), key=item_order)
        parts = [f"{item} {' '.join(sorted(labels[(goal, item)], key=_label_order))}" for item in items]
        out += _wrap(f"  {(goal or 'other') + ':':<6}", " · ".join(parts))
    return out


def _label_order(label: str):
    return ("EWI".index(label[0]), int(label[1:]))


def _summary(report, shown, causes: int | None = None) -> str:
    counts = {s: 0 for s in report.counts()}
    for f in shown:
        counts[f.severity] += 1
    total = sum(counts.values())
    summary = ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items())
    # the files the findings are in, out of the files read
    files = len({f.file for f in shown if f.file})
    checked = report.files_checked
    where = ""
    if checked:
        where = f" in {files} of {checked} files" if total else f" in {checked} file{'s' if checked != 1 else ''}"
    word = "new finding" if report.baseline is not None else "finding"
    from_causes = f", {causes} cause{'s' if causes != 1 else ''}" if causes else ""
    return f"{report.plan or 'plan'}: {total} {word}{'s' if total != 1 else ''}{where} ({summary}){from_causes}"
