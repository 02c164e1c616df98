"""Plain text: a reviewer's summary by cause (default), or one line per finding (`--flat`).

The summary opens with the counts by severity, then lists the causes (nap_rules.report.causes)
most serious first, one entry each with its occurrences listed compactly and the document lines
they cite; the causes of one rule at one severity share one entry, naming each cause, when they
share their one-line text or are many (undefined names, say). Then the measures, by goal, with
the labels of the causes found on them (items outside a measure are named in their entries).

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
from .ruleinfo import rule_infos

WIDTH = 120
SHOWN_LINES = 4  # document lines cited on a cause's line
LISTED_UP_TO = 12  # a grouped entry names each finding's item and document line up to this many
GROUP_FROM = 5  # a rule with this many causes of one severity gets one entry naming them all


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
    """One entry per cause, except that the causes of one rule at one severity share an entry
    when they share their one-line text (the cause names tell them apart) or are many."""
    members: dict = {}
    for c in causes:
        members.setdefault((c.rule, c.severity), []).append(c)
    entries: list[Entry] = []
    grouped: dict = {}
    for c in causes:
        group = (c.rule, c.severity)
        same = members[group]
        if len(same) >= GROUP_FROM or (len(same) > 1 and len({x.text for x in same}) == 1):
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
    titles = {info.id: info.title for info in rule_infos(report)}
    lines += ["", "Causes (E error, W warning, I info), most serious first, then by measures reached, money, findings:"]
    for e in entries:
        lines += _entry_lines(e, titles)
    lines += ["", "By measure (the causes found on each; --flat lists every finding):"]
    lines += _by_item(entries)
    return lines


def _wrap(first: str, rest: str) -> list[str]:
    return textwrap.wrap(first + rest, WIDTH, subsequent_indent=" " * 6, break_on_hyphens=False,
                         break_long_words=False) or [first]


def _entry_lines(e: Entry, titles: dict) -> list[str]:
    head = f"  {e.label:<4}{e.first.rule}  "
    if len(e.causes) == 1:
        c = e.first
        return _wrap(head, f"{c.text}{_own_name(c)}{_reached(c)}")
    findings = [f for c in e.causes for f in c.findings]
    causes = sorted(e.causes, key=lambda c: (-len(c.findings), item_order(_name(c))))
    if len(findings) <= LISTED_UP_TO:  # few enough to name each occurrence with its document line
        names, cited = "; ".join(_named(c) for c in causes), ""
    else:
        names = ", ".join(_name(c) + (f" ×{len(c.findings)}" if len(c.findings) > 1 else "") for c in causes)
        cited = _cited(sorted({n for c in e.causes for n in c.doc_lines}))
    return _wrap(head, f"{_what(e, titles)} ({_reach(findings, len(e.causes))}): {names}{cited}")


def _name(c: Cause) -> str:
    return c.key.split(":", 1)[1]


def _named(c: Cause) -> str:
    """A cause's name and its occurrences with their document lines; the name alone where the
    one occurrence is the item the name already says (`2.1.1-a [L628]`, not `2.1.1-a: 2.1.1 [L628]`)."""
    name = _name(c)
    items = [_item(f) for f in c.findings]
    if len(items) == 1 and (name.startswith(items[0][0]) or items[0][0].startswith(name)):
        return name + items[0][1]
    return f"{name}: {', '.join(item + cited for item, cited in items)}"


def _item(f) -> tuple[str, str]:
    """The plan item of a finding (its measure, else its node's id) and ` [L608]` if it cites one."""
    return _place(f)[1], f" [L{f.doc_line}]" if f.doc_line is not None else ""


def _own_name(c: Cause) -> str:
    """`: 1.1.5-a` where the cause is named after its plan item and its text does not say which
    (`targets below the baseline, no decrease declared: 1.1.5-a`)."""
    name = _name(c) if c.key.count(":") else ""
    if name and name not in c.text and any(f.node.split(":", 1)[-1] == name for f in c.findings):
        return f": {name}"
    return ""


def _what(e: Entry, titles: dict) -> str:
    """What the causes of an entry have in common: their one-line text when they share it, the
    part of it before the cause's own name (`body not in institutions.yaml`), or the rule's title."""
    texts = {c.text for c in e.causes}
    if len(texts) == 1:
        return texts.pop()
    heads = {text.split(":", 1)[0] for text in texts if ":" in text}
    if len(heads) == 1 and all(":" in text for text in texts):
        return heads.pop()
    return titles.get(e.first.rule, e.first.rule)


def _reach(findings, causes: int = 0) -> str:
    """How many causes, findings and measures: `3 causes, 10 measures`, `3 findings, 2 measures`;
    which measures, the section by measure says."""
    measures = {f.item[1] for f in findings if len(f.item) > 1 and f.item[1]}
    parts = [f"{causes} causes"] if causes else []
    if causes and len(findings) > max(causes, len(measures)):
        parts.append(f"{len(findings)} findings")
    if measures and len(measures) != causes:
        parts.append(f"{len(measures)} measure{'s' if len(measures) != 1 else ''}")
    return ", ".join(parts)


def _reached(c: Cause) -> str:
    """` — 2 measures [document L564, L565]`: the reach, then the document lines cited."""
    reach = _reach(c.findings)
    return (f" — {reach}" if reach else "") + _cited(c.doc_lines)


def _cited(doc_lines: list[int]) -> str:
    if not doc_lines:
        return ""
    more = f", +{len(doc_lines) - SHOWN_LINES}" if len(doc_lines) > SHOWN_LINES else ""
    return " [document " + ", ".join(f"L{n}" for n in doc_lines[:SHOWN_LINES]) + more + "]"


def _place(f) -> tuple[str, str]:
    """(goal, item) a finding is listed under: its measure, else its node's id (or file)."""
    goal, measure = (f.item + ("", ""))[:2]
    return goal, measure or f.node.split(":", 1)[-1] or f.file


def _by_item(entries: list[Entry]) -> list[str]:
    labels: dict[tuple, list[str]] = {}  # (goal, item) -> entry labels
    measures = {f.item[1] for e in entries for c in e.causes for f in c.findings if len(f.item) > 1}
    for e in entries:
        for c in e.causes:
            for f in c.findings:
                if _place(f)[1] in measures:  # other items are named in their causes' entries
                    labels.setdefault(_place(f), []).append(e.label)
    goal_of = {item: goal for goal, item in labels if goal}
    merged: dict[tuple, list[str]] = {}
    for (goal, item), got in labels.items():  # a measure's narrative is listed with the measure
        at = merged.setdefault((goal or goal_of.get(item, ""), item), [])
        at.extend(label for label in got if label not in at)
    goals = sorted({g for g, _ in merged}, key=lambda g: (g == "", item_order(g)))
    out = []
    for goal in goals:
        alike: dict[str, list[str]] = {}  # the items with the same causes are listed together
        for item in sorted((item for g, item in merged if g == goal), key=item_order):
            alike.setdefault(" ".join(sorted(merged[(goal, item)], key=_label_order)), []).append(item)
        parts = [f"{', '.join(items)} {found}" for found, items in alike.items()]
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
