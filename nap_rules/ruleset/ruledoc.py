"""Rule documentation as text: the `rules list` table and the `rules explain` page."""

from __future__ import annotations

from ..model.values import render
from .builtin import Builtin, builtins
from .rules import Rule


def format_rule_list(rules: list[Rule], builtin_checks: bool = True) -> str:
    """One line per rule: id, severity and title, in aligned columns; then the built-in checks."""
    rows = [(r.id, r.severity, r.title) for r in rules]
    if builtin_checks:
        rows += [(b.id, b.severity, f"{b.title} (built in)") for b in builtins()]
    if not rows:
        return "no rules\n"
    id_width = max(len(r[0]) for r in rows)
    sev_width = max(len(r[1]) for r in rows)
    return "".join(f"{i:<{id_width}}  {s:<{sev_width}}  {t}\n" for i, s, t in rows)


def explain_builtin(b: Builtin) -> str:
    """`rules explain` for a check built into the tool."""
    lines = [
        *_opening(b.id, b.title, b.severity, b.applies_to, "defined in:  the tool itself (built-in check)",
                  b.rationale),
        "checked:",
        *_indent(b.checked),
        "",
        "references:",
        *(f"  - {ref}" for ref in b.references),
        "",
        "causes:",
        *_indent(b.cause),
    ]
    if any(b.examples):
        lines += ["", "examples:"]
        if b.examples[0]:
            lines.append(f"  passes on: {b.examples[0]}")
        if b.examples[1]:
            lines.append(f"  fails on:  {b.examples[1]}")
    return "\n".join(lines) + "\n"


def explain_rule(rule: Rule) -> str:
    """Everything a reviewer needs to understand one rule, from its own definition."""
    lines = [
        *_opening(rule.id, rule.title, rule.severity, rule.applies_to, f"defined at:  {rule.source}",
                  rule.rationale),
        "references:",
        *(f"  - {ref}" for ref in rule.references),
        "",
    ]
    if rule.where:
        lines += ["where:", *_indent(rule.where), ""]
    if rule.for_each:
        name, text = rule.for_each
        lines += ["for_each:", f"  {name}:", *_indent(text, 4), ""]
    if rule.let:
        lines.append("let:")
        for name, text in rule.let:
            lines += [f"  {name}:", *_indent(text, 4)]
        lines.append("")
    lines += ["assert:", *_indent(rule.assert_), "", "message:", *_indent(rule.message), ""]
    if rule.params:
        lines.append("parameters (defaults):")
        lines += [f"  {name}: {render(value)}" for name, value in rule.params.items()]
        lines.append("")
    if rule.at:
        lines += [f"points at:   the node's `{rule.at}` field", ""]
    if rule.cause:
        lines.append("causes (findings with the same key are one cause):")
        lines += [f"  {part}: {text}" for part, text in rule.cause]
        lines.append("")
    lines += [
        "examples:",
        f"  passes on: {_example(rule.examples.passing, rule.examples.base)}",
        f"  fails on:  {_example(rule.examples.failing, rule.examples.base)}",
    ]
    return "\n".join(lines) + "\n"


def _opening(rule_id, title, severity, applies_to, defined: str, rationale: str) -> list[str]:
    """What `rules explain` opens with for a rule and a built-in check alike."""
    return [f"{rule_id}: {title}", "", f"severity:    {severity}", f"applies to:  {applies_to}", defined, "",
            "rationale:", *_indent(rationale), ""]


def _indent(text: str, width: int = 2) -> list[str]:
    return [" " * width + line for line in str(text).strip().splitlines()] or [" " * width]


def _example(side, base) -> str:
    if isinstance(side, tuple):
        return f"{len(side)} inline case{'s' * (len(side) != 1)} over {base}"
    return side
