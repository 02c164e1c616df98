"""`nap-rules diff`: the changes from one revision of a plan to another, and the findings they add or fix.

The plan changes come from revisions.changes; findings are matched by semantic key (baseline.match),
so a finding that only moved is unchanged. Output as text or JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import InputError
from ..findings import SEVERITY_RANK, Finding, sort_findings
from ..model.values import format_value, is_number
from ..report import neutral
from ..review.baseline import match
from ..run.pipeline import Validated, validate
from .changes import MONEY, SECTIONS, Change, line_totals, plan_changes
from .git import is_revision, open_side


@dataclass
class PlanDiff:
    old: str  # how each side is named in the output
    new: str
    changes: list[Change] = field(default_factory=list)
    line_totals: list[Change] = field(default_factory=list)  # sums of the budget lines, when they moved
    new_findings: list[Finding] = field(default_factory=list)  # in NEW, not in OLD
    fixed_findings: list[Finding] = field(default_factory=list)  # in OLD, gone from NEW
    unchanged_findings: list[Finding] = field(default_factory=list)  # in both (NEW's copy)
    notes: list[str] = field(default_factory=list)

    def added_at_or_above(self, severity: str) -> list[Finding]:
        if severity == "never":
            return []
        return [f for f in self.new_findings if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[severity]]


def diff_plans(old: Validated, new: Validated, old_findings=None, new_findings=None,
               labels: tuple[str, str] | None = None) -> PlanDiff:
    """The differences from OLD to NEW; the findings default to each side's validation findings."""
    labels = labels or (old.files.display_root, new.files.display_root)
    diff = PlanDiff(*labels)
    if old.graph is None or new.graph is None:
        broken = " and ".join(label for label, v in zip(labels, (old, new)) if v.graph is None)
        diff.notes.append(f"plan changes not compared: {broken} breaks the schemas (see the findings)")
    else:
        diff.changes = plan_changes(old.graph, new.graph)
        diff.line_totals = line_totals(old.graph, new.graph)
    current = sort_findings(new.findings if new_findings is None else new_findings)
    previous = sort_findings(old.findings if old_findings is None else old_findings)
    added, pairs, gone = match(current, previous)
    diff.new_findings = sort_findings(added)
    diff.fixed_findings = sort_findings(gone)
    diff.unchanged_findings = sort_findings(f for f, _ in pairs)
    return diff


def diff_specs(old_spec: str, new_spec: str, reference: str | None = None, run=None) -> PlanDiff:
    """diff_plans for two plan folders or `git:REV`s.

    `run(folder)` gives a side's (Validated, findings); by default its validation findings.
    A `git:REV` is that revision of `reference`, by default whichever side is a folder.
    """
    run = run or _validation_only
    reference = reference or next((s for s in (new_spec, old_spec) if not is_revision(s)), "plan")
    def read(side):
        try:
            return run(str(side.folder))
        except InputError as exc:
            raise side.relabel_error(exc) from None

    with open_side(old_spec, reference) as old_side, open_side(new_spec, reference) as new_side:
        (old, old_found), (new, new_found) = (read(side) for side in (old_side, new_side))
        return diff_plans(old, new, old_side.relabel(old_found), new_side.relabel(new_found),
                          labels=(old_side.label, new_side.label))


def _validation_only(folder: str):
    validated = validate(folder)
    return validated, validated.findings


# --- output ------------------------------------------------------------------------------------

def _show(value, spec: str | None = None) -> str:
    """A value as the rule language's placeholders write it (model.values.format_value): amounts
    `money` (50,677,784), other numbers and years plainly (2022, 7.5)."""
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(_show(v, spec) for v in value) or "(none)"
    if isinstance(value, dict):
        if set(value) >= {"relative", "of"}:
            return f"{_show(value['relative'])}% relative to {value['of']}"
        return "{" + ", ".join(f"{k}: {_show(v, spec)}" for k, v in value.items()) + "}"
    if is_number(value):
        return format_value(value, spec)
    return str(value)


def _spec(change: Change) -> str | None:
    """`money` for the amounts of budget lines and totals; None (written plainly) otherwise."""
    return "money" if change.field.rsplit(".", 1)[-1] in MONEY else None


def _shorten(text, width: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(change: Change) -> str:
    """One line in plan terms, e.g. `measure 1.1.2: responsible MB → MI`."""
    kind, ident = change.node.partition(":")[::2]
    what = f"{kind.replace('_', ' ')} {ident}"
    if change.kind.endswith("_added"):
        return f"{what} added: {_shorten(change.new)}" if change.new is not None else f"{what} added"
    if change.kind.endswith("_removed"):
        return f"{what} removed: {_shorten(change.old)}" if change.old is not None else f"{what} removed"
    if change.kind.endswith("_retitled"):
        return f"{what} retitled: \"{_shorten(change.old, 50)}\" → \"{_shorten(change.new, 50)}\""
    spec = _spec(change)
    if change.kind == "total_changed":
        text = f"{_total_label(change.field)}: {_show(change.old, spec)} → {_show(change.new, spec)}"
    else:
        label = change.field.replace("targets.", "target ").replace(".", " ")
        text = f"{what}: {label} {_show(change.old, spec)} → {_show(change.new, spec)}"
    if change.delta is not None:
        delta = Decimal(change.delta)
        delta = int(delta) if delta == delta.to_integral_value() else delta
        sign = "+" if delta > 0 else ""
        percent = f", {sign}{format_value(change.percent, 'pct')}" if change.percent is not None else ""
        text += f" ({sign}{_show(delta, spec)}{percent})"
    return text


def _total_label(path: str) -> str:
    """lines.gap -> `gap of all budget lines`; published_totals.in_currency.EUR.gap -> `published gap in EUR`."""
    parts = path.split(".")
    if parts[0] == "lines":
        return f"{parts[-1]} of all budget lines"
    if len(parts) == 4 and parts[1] == "in_currency":
        return f"published {parts[3]} in {parts[2]}"
    return "published " + " ".join(parts[1:])


def render_text(diff: PlanDiff) -> str:
    lines = [f"Changes from {diff.old} to {diff.new}"]
    if not diff.changes and not diff.notes:
        lines.append("  no changes in the plan")
    section = None
    for change in diff.changes:
        if SECTIONS[change.kind] != section:
            section = SECTIONS[change.kind]
            lines += ["", f"{section}:"]
        lines.append(f"  {describe(change)}")
    if diff.line_totals:
        lines += ["", "Budget in total:"] + [f"  {describe(c)}" for c in diff.line_totals]
    lines += [f"  {note}" for note in diff.notes]
    for title, findings in ((f"New findings in {diff.new}", diff.new_findings),
                            (f"Findings fixed since {diff.old}", diff.fixed_findings)):
        lines += ["", f"{title}: {len(findings)}"]
        lines += [f"  {f.place}  {f.severity.upper():7}  {f.rule}  {f.message}" for f in findings]
    lines += ["", f"Unchanged findings: {len(diff.unchanged_findings)}"]
    return "\n".join(neutral.lines(lines)) + "\n"


def to_json(diff: PlanDiff) -> str:
    doc = {
        "old": diff.old, "new": diff.new,
        "changes": [c.to_json() for c in diff.changes],
        "line_totals": [c.to_json() for c in diff.line_totals],
        "findings": {"new": [f.to_json() for f in diff.new_findings],
                     "fixed": [f.to_json() for f in diff.fixed_findings],
                     "unchanged": [f.to_json() for f in diff.unchanged_findings]},
        "summary": {"changes": len(diff.changes), "new": len(diff.new_findings),
                    "fixed": len(diff.fixed_findings), "unchanged": len(diff.unchanged_findings)},
        "notes": diff.notes,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
