"""The rule catalogue (docs/rules.md) as Markdown, generated from the rule specs themselves.

`render_catalogue` is pure: the same rules give the same bytes, so a test can assert that the
committed catalogue is up to date (`nap-rules rules doc --output docs/rules.md` rewrites it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..load.yaml_reader import load_yaml_file
from ..model.values import render
from .builtin import BUILTIN_RULES
from .rules import Rule

HEADER = """\
# Rule catalogue

Generated from the rule files by `nap-rules rules doc --output docs/rules.md`; do not edit by
hand. `nap-rules rules explain RULE_ID` prints the same information for one rule.

A rule runs once on every node of the kind it applies to (`plan`: once per plan), keeps the
nodes for which `where` holds, computes its `let` values in order and reports the node when
`assert` is false. The expression language is described in docs/rules-language.md, the nodes
and their fields in docs/model.md. Severities and parameters can be changed, and rules switched
off, in the plan's `.nap-rules.yaml`.
"""


def group_of(rule_id: str) -> str:
    """`NAP-TIME` for `NAP-TIME-002`."""
    return rule_id.rsplit("-", 1)[0]


def file_descriptions(rules: list[Rule]) -> dict[str, str]:
    """Group prefix -> the `description` of the rule file that defines the group's rules."""
    out: dict[str, str] = {}
    for path in dict.fromkeys(r.source.file for r in rules):
        doc = load_yaml_file(Path(path), str(path))
        text = doc.get("description") if hasattr(doc, "get") else None
        if not text:
            continue
        for rule in rules:
            if rule.source.file == path:
                out.setdefault(group_of(rule.id), " ".join(str(text).split()))
    return out


def render_catalogue(rules: list[Rule], descriptions: Mapping[str, str] | None = None) -> str:
    """Markdown: a table of every rule, then each group and each rule in full."""
    descriptions = descriptions or {}
    groups: dict[str, list[Rule]] = {}
    for rule in rules:
        groups.setdefault(group_of(rule.id), []).append(rule)
    out = [HEADER, "## All rules", "", "| id | severity | applies to | title |", "|---|---|---|---|"]
    for rule in rules:
        out.append(f"| [{rule.id}](#{_anchor(rule)}) | {rule.severity} | {rule.applies_to} | "
                   f"{_cell(rule.title)} |")
    out.append("")
    for group, members in groups.items():
        out += [f"## {group}", ""]
        if group in descriptions:
            text = descriptions[group]
            out += [text[len(group) + 2:] if text.startswith(group + ": ") else text, ""]
        for rule in members:
            out += _rule_section(rule)
    out += _builtin_section()
    return "\n".join(out).rstrip("\n") + "\n"


def _rule_section(rule: Rule) -> list[str]:
    lines = [
        f"### {rule.id}: {rule.title}",
        "",
        f"- severity: **{rule.severity}**",
        f"- applies to: `{rule.applies_to}`",
        f"- defined in: `{Path(rule.source.file).name}`",
    ]
    if rule.at:
        lines.append(f"- points at: the `{rule.at}` field")
    lines += ["", " ".join(rule.rationale.split()), "", "References:", ""]
    lines += [f"- {ref}" for ref in rule.references]
    lines += ["", "Check:", "", "```yaml"]
    if rule.where:
        lines.append(f"where: {_yaml_text(rule.where)}")
    if rule.params:
        lines.append("params:")
        lines += [f"  {name}: {render(value)}" for name, value in rule.params.items()]
    if rule.for_each:
        lines += ["for_each:", f"  {rule.for_each[0]}: {_yaml_text(rule.for_each[1])}"]
    if rule.let:
        lines.append("let:")
        lines += [f"  {name}: {_yaml_text(text)}" for name, text in rule.let]
    lines.append(f"assert: {_yaml_text(rule.assert_)}")
    lines.append(f"message: {_yaml_text(rule.message)}")
    if rule.detail:
        lines.append(f"detail: {_yaml_text(rule.detail)}")
    lines += ["```", "", "Examples:", "",
              f"- passes on {_example(rule.examples.passing, rule.examples.base)}",
              f"- fails on {_example(rule.examples.failing, rule.examples.base)}", ""]
    return lines


def _builtin_section() -> list[str]:
    lines = ["## Checks built into the tool", "",
             "These are reported by nap-rules itself while it reads the plan, not by rule files:",
             "schema problems, and references that do not resolve (for example, every body a",
             "measure names must be in institutions.yaml: NAP-REF-001, with a \"did you mean\"",
             "suggestion for a near miss).", "",
             "| id | title | why |", "|---|---|---|"]
    for rule_id, (title, why) in BUILTIN_RULES.items():
        lines.append(f"| {rule_id} | {_cell(title)} | {_cell(why)} |")
    lines.append("")
    return lines


def _anchor(rule: Rule) -> str:
    """The GitHub-style anchor of the rule's heading."""
    text = f"{rule.id}: {rule.title}".lower()
    kept = "".join(c for c in text if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _yaml_text(text: str) -> str:
    """An expression as a one-line double-quoted YAML scalar."""
    flat = " ".join(str(text).split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _example(side, base) -> str:
    if isinstance(side, tuple):
        return f"{len(side)} inline case{'s' * (len(side) != 1)} over `{base}`"
    return f"`{side}`"
