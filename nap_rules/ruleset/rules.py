"""Rule sets: read `*.yaml` rule files, validate them, and compile every expression once.

A rule file that cannot be used (bad YAML, a schema error, an unknown field or function in an
expression, a bad message placeholder, a rule id defined twice) raises `InputError` with the
file, line and column, before any plan is checked (CONTRACT §3).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from ..errors import InputError
from ..lang.compiler import (
    FUNCTIONS,
    SPECIAL_NAMES,
    Compiled,
    ExprError,
    Scope,
    Template,
    compile_expression,
    compile_template,
)
from ..lang.runtime import Limits
from ..load import located_schema
from ..load.located_schema import hint as _hint
from ..load.locations import Location, LocMap, locate
from ..load.yaml_reader import load_yaml_data, read_file_bytes
from ..model.fields import fields_of


@dataclass(frozen=True)
class Examples:
    passing: str  # a plan folder on which the rule reports nothing
    failing: str  # a plan folder on which the rule reports


@dataclass(frozen=True)
class CompiledRule:
    where: Compiled | None
    lets: tuple  # ((name, Compiled), ...) in order
    assert_: Compiled
    message: Template
    detail: Template | None
    fields: frozenset  # fields of the node the rule reads anywhere
    limits: Limits


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    applies_to: str
    where: str | None
    let: tuple  # ((name, expression), ...) in order
    assert_: str
    message: str
    rationale: str
    references: tuple
    examples: Examples
    params: Mapping = field(compare=False)  # name -> default value
    at: str | None
    detail: str | None
    source: Location
    compiled: CompiledRule = field(compare=False, repr=False)

    def with_severity(self, severity: str) -> "Rule":
        return dataclasses.replace(self, severity=severity)


def load_rulesets(dirs: list[Path], limits: Limits = Limits()) -> list[Rule]:
    """Every rule in the `*.yaml` files of `dirs` (each folder's files in name order)."""
    rules: list[Rule] = []
    seen: dict[str, Location] = {}
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError("rule folder not found", file=str(folder))
        for path in sorted(folder.glob("*.yaml")):
            for rule in load_ruleset_file(path, limits=limits):
                if rule.id in seen:
                    first = seen[rule.id]
                    raise InputError(f"duplicate rule id {rule.id} (first defined at {first})",
                                     rule.source)
                seen[rule.id] = rule.source
                rules.append(rule)
    return rules


def load_ruleset_file(path: Path, display: str | None = None,
                      limits: Limits = Limits()) -> list[Rule]:
    display = display if display is not None else str(path)
    data = read_file_bytes(path, display)
    doc = load_yaml_data(data, display)
    if not isinstance(doc, LocMap):
        raise InputError("a rule file is a mapping with `schema:` and `rules:`",
                         getattr(doc, "loc", None), file=display)
    located_schema.check(doc, "ruleset")
    lines = data.decode("utf-8-sig").split("\n")  # decoded already by the loader
    seen: dict[str, Location] = {}
    rules = []
    for i, spec in enumerate(doc["rules"]):
        rule = build_rule(spec, locate(doc, ["rules", i], doc.loc), limits, _Positions(lines))
        if rule.id in seen:
            raise InputError(f"duplicate rule id {rule.id} (first defined at {seen[rule.id]})",
                             rule.source)
        seen[rule.id] = rule.source
        rules.append(rule)
    return rules


# --- compiling one rule ----------------------------------------------------------------------

class _Positions:
    """Finds where an expression's text sits in the file, to point errors at the character."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    def locate(self, key_loc: Location, text: str, line: int, col: int) -> tuple[Location, str]:
        """The file location of (line, col) inside `text`, whose key is at `key_loc`.

        Exact when the expression's line appears verbatim in the file (plain and quoted
        scalars without escapes, literal blocks); else where the text from that column on
        first appears after the key (folded blocks); else the key, with the position in words.
        """
        text_lines = text.split("\n")
        wanted = text_lines[line - 1] if line <= len(text_lines) else ""
        start = key_loc.line - 1
        end = min(start + len(text_lines) + text.count(" ") + 3, len(self.lines))
        for n in range(start, end):
            offset = key_loc.column - 1 if n == start else 0
            idx = self.lines[n].find(wanted, offset) if wanted.strip() else -1
            if idx >= 0 and (line == 1 or n > start):
                return Location(key_loc.file, n + 1, idx + col + 1), ""
        rest = wanted[col:col + 40].rstrip()
        for size in range(len(rest), min(3, len(rest)) - 1, -1):
            for n in range(start, end):
                offset = key_loc.column - 1 if n == start else 0
                idx = self.lines[n].find(rest[:size], offset) if size else -1
                if idx >= 0:
                    return Location(key_loc.file, n + 1, idx + 1), ""
        return key_loc, f" (expression line {line}, column {col + 1})"


def build_rule(spec: Mapping, source: Location, limits: Limits = Limits(),
               positions: _Positions | None = None) -> Rule:
    """A compiled Rule from one validated rule entry; InputError on anything refused."""
    positions = positions or _Positions([])
    rule_id = str(spec["id"])
    kind = spec["applies_to"]
    params = dict(spec.get("params") or {})
    let_spec = list((spec.get("let") or {}).items())
    let_names = [name for name, _ in let_spec]

    def where_of(*path) -> Location:
        return locate(spec, list(path), source)

    def compile_part(path: tuple, text, scope: Scope, template: bool = False):
        try:
            if template:
                return compile_template(text, scope, limits)
            return compile_expression(text, scope, limits)
        except ExprError as exc:
            loc, extra = positions.locate(where_of(*path), str(text), exc.line, exc.col)
            part = " ".join(str(p) for p in path)
            raise InputError(f"rule {rule_id}, {part}: {exc.message}{extra}", loc) from None

    for name in let_names:
        if name in FUNCTIONS or name in SPECIAL_NAMES or name.startswith("_"):
            raise InputError(f"rule {rule_id}: `{name}` cannot be a `let` name: it is a function "
                             "or a reserved name", where_of("let", name))
    if spec.get("at") is not None and spec["at"] not in fields_of(kind):
        raise InputError(f"rule {rule_id}, at: {kind} has no field {spec['at']!r}"
                         f"{_hint(spec['at'], fields_of(kind))}", where_of("at"))

    param_names = frozenset(params)
    why_where = "is a `let` name: `where` is checked before the `let` values are computed"
    where = None
    if spec.get("where") is not None:
        scope = Scope(kind, {}, param_names, {n: why_where for n in let_names})
        where = compile_part(("where",), spec["where"], scope)
    lets: list[tuple[str, Compiled]] = []
    statics: dict = {}
    for i, (name, text) in enumerate(let_spec):
        later = {n: "is defined later in `let`; a value may use only those above it"
                 for n in let_names[i:]}
        compiled = compile_part(("let", name), text, Scope(kind, dict(statics), param_names, later))
        lets.append((name, compiled))
        statics[name] = compiled.static
    full = Scope(kind, statics, param_names)
    assert_ = compile_part(("assert",), spec["assert"], full)
    message = compile_part(("message",), spec["message"], full, template=True)
    detail = None
    if spec.get("detail") is not None:
        detail = compile_part(("detail",), spec["detail"], full, template=True)

    parts = [p for p in (where, assert_, message, detail) if p is not None]
    read = frozenset().union(*(p.fields for p in parts), *(c.fields for _, c in lets))
    compiled = CompiledRule(where, tuple(lets), assert_, message, detail, read, limits)
    examples = spec.get("examples") or {}
    return Rule(
        id=rule_id, title=str(spec["title"]), severity=spec["severity"], applies_to=kind,
        where=spec.get("where"), let=tuple((n, str(t)) for n, t in let_spec),
        assert_=str(spec["assert"]), message=str(spec["message"]),
        rationale=str(spec.get("rationale", "")),
        references=tuple(str(r) for r in spec.get("references") or ()),
        examples=Examples(str(examples.get("pass", "")), str(examples.get("fail", ""))),
        params=MappingProxyType(params), at=spec.get("at"), detail=spec.get("detail"),
        source=source, compiled=compiled,
    )
