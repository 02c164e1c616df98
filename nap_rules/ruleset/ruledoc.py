"""Rule documentation as text: the `rules list` table and the `rules explain` page."""

from __future__ import annotations

from ..model.values import render
from .rules import Rule


def format_rule_list(rules: list[Rule]) -> str:
    """One line per rule: id, severity and title, in aligned columns."""
    if not rules:
        return "no rules\n"
    id_width = max(len(r.id) for r in rules)
    sev_width = max(len(r.severity) for r in rules)
    return "".join(f"{r.id:<{id_width}}  {r.severity:<{sev_width}}  {r.title}\n" for r in rules)


def explain_rule(rule: Rule) -> str:
    """Everything a reviewer needs to understand one rule, from its own definition."""
    lines = [
        f"{rule.id}: {rule.title}",
        "",
        f"severity:    {rule.severity}",
        f"applies to:  {rule.applies_to}",
        f"defined at:  {rule.source}",
        "",
        "rationale:",
        *_indent(rule.rationale),
        "",
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
    lines += [
        "examples:",
        f"  passes on: {_example(rule.examples.passing, rule.examples.base)}",
        f"  fails on:  {_example(rule.examples.failing, rule.examples.base)}",
    ]
    return "\n".join(lines) + "\n"


def _indent(text: str, width: int = 2) -> list[str]:
    return [" " * width + line for line in str(text).strip().splitlines()] or [" " * width]


def _example(side, base) -> str:
    if isinstance(side, tuple):
        return f"{len(side)} inline case{'s' * (len(side) != 1)} over {base}"
    return side
