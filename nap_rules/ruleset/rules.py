"""Rule sets: read `*.yaml` / `*.yml` rule files, validate them, and compile every expression once.

A rule file that cannot be used (bad YAML, a schema error, an unknown field or function in an
expression, a bad message placeholder, a rule id defined twice) raises `InputError` with the
file, line and column, before any plan is checked (docs/rules-language.md); every problem of the
files read is reported in the one error, not only the first.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping, NamedTuple

from ..errors import InputError
from ..lang.compiler import (
    FUNCTIONS,
    SPECIAL_NAMES,
    Compiled,
    Definition,
    ExprError,
    Scope,
    compile_expression,
)
from ..lang.runtime import EvalLimits
from ..lang.templates import Template, compile_template
from ..load.located_schema import hint as _hint
from ..load.locations import Location, locate, plain
from ..model.fields import fields_of
from .definitions import SUFFIXES, Libraries, definition_error
from .positions import Positions


@dataclass(frozen=True)
class Examples:
    passing: str | tuple  # a plan folder on which the rule reports nothing, or inline cases
    failing: str | tuple  # a plan folder on which the rule reports, or inline cases
    base: str | None = None  # the plan folder inline cases patch
    as_of: str | None = None  # the evaluation date of the examples, YYYY-MM-DD


def _examples(spec: Mapping) -> Examples:
    def side(value):
        if isinstance(value, list):
            return tuple(plain(case) for case in value)
        return str(value if value is not None else "")
    return Examples(side(spec.get("pass")), side(spec.get("fail")),
                    None if spec.get("base") is None else str(spec["base"]),
                    None if spec.get("as_of") is None else str(spec["as_of"]))


@dataclass(frozen=True)
class CompiledRule:
    where: Compiled | None
    for_each: tuple | None  # (name, Compiled): the items the rule checks one by one, or None
    lets: tuple  # ((name, Compiled), ...) in order
    assert_: Compiled
    message: Template
    detail: Template | None
    fields: frozenset  # fields of the node the rule reads anywhere
    limits: EvalLimits
    cause_key: Template | None = None  # findings with the same key are one cause
    cause_message: Template | None = None  # the cause in one line
    cause_amount: Compiled | None = None  # the money a finding involves
    reported: tuple = ()  # the `let` (or `for_each`) names whose values reports show

    @property
    def formats(self) -> dict:
        """name -> the format the message or detail writes it with (for --explain)."""
        out = dict(self.detail.formats) if self.detail is not None else {}
        out.update(self.message.formats)
        return out


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    applies_to: str
    where: str | None
    for_each: tuple | None  # (name, expression)
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
    # the definitions in the rule's scope, (signature, text): part of what the rule means, so
    # that a changed library changes the rule (and the name of a cached run's snapshot)
    definitions: tuple = ()
    cause: tuple = ()  # ((part, text), ...): the rule's `cause` as written (key, message, amount)

    def with_severity(self, severity: str) -> "Rule":
        return dataclasses.replace(self, severity=severity)


def rule_files(folder: Path) -> list[Path]:
    """The rule files of a folder, in name order: `*.yaml` and `*.yml`, not its subfolders."""
    return sorted(p for p in Path(folder).iterdir() if p.suffix in SUFFIXES and p.is_file())


def load_rulesets(dirs: list[Path], limits: EvalLimits = EvalLimits(), cache=None) -> list[Rule]:
    """Every rule in the rule files of `dirs` (each folder's files in name order).

    A folder that does not exist or holds no rule file is an error; so is a rule id defined
    twice. The problems of every file are reported together. A process that checks many times
    (a test run, a watch loop) compiles a rule set once: the rules are reused while every file
    read for them, rule files and libraries, holds the same bytes. `cache`, a FileCache
    (nap_rules.load.file_cache), keeps the files' parsed and schema-checked documents between
    runs (the expressions are compiled in every process: compiled code is never cached there).
    """
    key = (os.getcwd(), tuple(str(d) for d in dirs), limits)
    kept = _COMPILED.get(key)
    if kept is not None and kept.unchanged():
        return list(kept.rules)
    libraries = Libraries(cache)
    folders: dict[Path, tuple] = {}
    rules = _load_rulesets(dirs, limits, libraries, folders)
    files: dict[Path, bytes | None] = dict(libraries.read_bytes)
    for path in libraries.probed - set(files):
        files[path] = _bytes_or_none(path)
    _COMPILED.pop(key, None)
    _COMPILED[key] = _Compiled(folders, files, tuple(rules))
    while len(_COMPILED) > 8:
        del _COMPILED[next(iter(_COMPILED))]
    return rules


class _Compiled(NamedTuple):
    """A rule set compiled in this process, with what it was compiled from."""

    folders: dict  # each rule folder read: its rule files, in name order
    files: dict  # each file read or looked for (rule files, libraries): its bytes, None if absent
    rules: tuple

    def unchanged(self) -> bool:
        """Whether every folder and file behind the rule set still holds what it held then."""
        try:
            if any(tuple(rule_files(folder)) != names for folder, names in self.folders.items()):
                return False
        except OSError:
            return False
        return all(_bytes_or_none(path) == data for path, data in self.files.items())


# rule sets compiled in this process, the last eight: (cwd, folders, limits) -> _Compiled
_COMPILED: dict[tuple, _Compiled] = {}


def _bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _load_rulesets(dirs, limits, libraries, folders) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, Location] = {}
    problems: list[InputError] = []
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise InputError("rule folder not found", file=str(folder))
        files = rule_files(folder)
        if not files:
            raise InputError("no rule file in this folder (rule files end in .yaml or .yml)",
                             file=str(folder))
        folders[folder] = tuple(files)
        for path in files:
            try:
                found = load_ruleset_file(path, limits=limits, libraries=libraries)
            except InputError as exc:
                problems.append(exc)
                continue
            for rule in found:
                _add_rule(rule, seen, rules, problems)
    if problems:
        raise InputError.combine(problems)
    return rules


def load_ruleset_file(path: Path, display: str | None = None,
                      limits: EvalLimits = EvalLimits(),
                      libraries: Libraries | None = None) -> list[Rule]:
    """The rules of one file; InputError reporting each of its problems."""
    display = display if display is not None else str(path)
    libraries = libraries or Libraries()
    data, doc = libraries.document(path, display, "a rule file is a mapping with `schema:` and `rules:`")
    if "rules" not in doc:
        raise InputError("a rule file has `rules:`; a file of `define:` only is a library: put "
                         "it in a subfolder (such as lib/) and pull it in with `use:`", doc.loc)
    positions = Positions(data.decode("utf-8-sig").split("\n"))  # decoded already by the loader
    defines = libraries.definitions(doc, path, display, positions)
    seen: dict[str, Location] = {}
    rules = []
    problems = []
    for i, spec in enumerate(doc["rules"]):
        try:
            rule = build_rule(spec, locate(doc, ["rules", i], doc.loc), limits, positions, defines)
        except InputError as exc:
            problems.append(exc)
            continue
        _add_rule(rule, seen, rules, problems)
    if problems:
        raise InputError.combine(problems)
    return rules


def _add_rule(rule: Rule, seen: dict, rules: list, problems: list) -> None:
    """Adds `rule` to `rules`, or a problem to `problems` when its id is one of `seen` (id -> where)."""
    if rule.id in seen:
        problems.append(InputError(f"duplicate rule id {rule.id} (first defined at "
                                   f"{seen[rule.id]})", rule.source))
        return
    seen[rule.id] = rule.source
    rules.append(rule)


# --- compiling one rule ----------------------------------------------------------------------

def build_rule(spec: Mapping, source: Location, limits: EvalLimits = EvalLimits(),
               positions: Positions | None = None,
               defines: Mapping[str, Definition] | None = None) -> Rule:
    """A compiled Rule from one validated rule entry; InputError on anything refused."""
    compiled = _RuleCompiler(spec, source, limits, positions or Positions([]),
                             defines or {}).compile()
    examples = spec.get("examples") or {}
    each_spec = next(iter((spec.get("for_each") or {}).items()), None)
    return Rule(
        id=str(spec["id"]), title=str(spec["title"]), severity=spec["severity"],
        applies_to=spec["applies_to"], where=spec.get("where"),
        for_each=each_spec and (each_spec[0], str(each_spec[1])),
        let=tuple((n, str(t)) for n, t in (spec.get("let") or {}).items()),
        assert_=str(spec["assert"]), message=str(spec["message"]),
        rationale=str(spec.get("rationale", "")),
        references=tuple(str(r) for r in spec.get("references") or ()),
        examples=_examples(examples),
        params=MappingProxyType(dict(spec.get("params") or {})), at=spec.get("at"),
        detail=spec.get("detail"), source=source, compiled=compiled,
        definitions=tuple(sorted((d.signature, d.text) for d in (defines or {}).values())),
        cause=tuple((part, str((spec.get("cause") or {})[part])) for part in ("key", "message", "amount")
                    if (spec.get("cause") or {}).get(part) is not None),
    )


class _RuleCompiler:
    """Checks the names of one rule entry and compiles its parts, in the order they run."""

    def __init__(self, spec, source, limits, positions, defines):
        self.spec = spec
        self.source = source
        self.limits = limits
        self.positions = positions
        self.defines = defines
        self.id = str(spec["id"])
        self.kind = spec["applies_to"]
        self.params = frozenset(spec.get("params") or {})
        self.let_spec = list((spec.get("let") or {}).items())
        self.let_names = [name for name, _ in self.let_spec]
        self.each_spec = next(iter((spec.get("for_each") or {}).items()), None)

    def where_of(self, *path) -> Location:
        return locate(self.spec, list(path), self.source)

    def part(self, path: tuple, text, scope: Scope, template: bool = False):
        scope = Scope(scope.kind, scope.lets, scope.params, scope.hidden_lets, self.defines)
        label = " ".join(str(p) for p in path)
        try:
            if template:
                return compile_template(text, scope, self.limits)
            return compile_expression(text, scope, self.limits)
        except ExprError as exc:
            if exc.definition is not None:
                raise definition_error(exc, f"rule {self.id}, {label}: in definition "
                                            f"`{exc.definition.name}`", None) from None
            loc, extra = self.positions.locate(self.where_of(*path), str(text), exc.line, exc.col)
            raise InputError(f"rule {self.id}, {label}: {exc.message}{extra}", loc) from None

    def check_names(self) -> None:
        named = [("let", n) for n in self.let_names]
        if self.each_spec is not None:
            named.insert(0, ("for_each", self.each_spec[0]))
        for part, name in named:
            if name in FUNCTIONS or name in SPECIAL_NAMES or name.startswith("_"):
                raise InputError(f"rule {self.id}: `{name}` cannot be a `{part}` name: it is a "
                                 "function or a reserved name", self.where_of(part, name))
            if name in self.defines:
                raise InputError(f"rule {self.id}: `{name}` is a definition of this file (or of "
                                 f"a library it uses); a `{part}` name cannot hide it",
                                 self.where_of(part, name))
        if self.each_spec is not None and self.each_spec[0] in self.let_names:
            raise InputError(f"rule {self.id}: `{self.each_spec[0]}` is both the `for_each` name "
                             "and a `let` name", self.where_of("let", self.each_spec[0]))
        at = self.spec.get("at")
        if at is not None and at not in fields_of(self.kind):
            raise InputError(f"rule {self.id}, at: {self.kind} has no field {at!r}"
                             f"{_hint(at, fields_of(self.kind))}", self.where_of("at"))

    def compile(self) -> CompiledRule:
        self.check_names()
        kind, params, spec = self.kind, self.params, self.spec
        where = None
        if spec.get("where") is not None:
            why = "is a `let` name: `where` is checked before the `let` values are computed"
            hidden = {n: why for n in self.let_names}
            if self.each_spec is not None:
                hidden[self.each_spec[0]] = ("is the `for_each` name: `where` is checked before "
                                             "the items are listed")
            where = self.part(("where",), spec["where"], Scope(kind, {}, params, hidden))
        statics: dict = {}
        each = None
        if self.each_spec is not None:
            name, text = self.each_spec
            why = "is a `let` name: `for_each` is evaluated before the `let` values"
            compiled = self.part(("for_each", name), text,
                                 Scope(kind, {}, params, {n: why for n in self.let_names}))
            static = compiled.static
            statics[name] = ("node", static[1]) if static and static[0] == "nodes" else None
            each = (name, compiled)
        lets: list[tuple[str, Compiled]] = []
        for i, (name, text) in enumerate(self.let_spec):
            later = {n: "is defined later in `let`; a value may use only those above it"
                     for n in self.let_names[i:]}
            compiled = self.part(("let", name), text, Scope(kind, dict(statics), params, later))
            lets.append((name, compiled))
            statics[name] = compiled.static
        full = Scope(kind, statics, params)
        assert_ = self.part(("assert",), spec["assert"], full)
        message = self.part(("message",), spec["message"], full, template=True)
        detail = None
        if spec.get("detail") is not None:
            detail = self.part(("detail",), spec["detail"], full, template=True)
        cause = spec.get("cause") or {}
        cause_key = cause_message = cause_amount = None
        if cause:
            cause_key = self.part(("cause", "key"), cause["key"], full, template=True)
            if cause.get("message") is not None:
                cause_message = self.part(("cause", "message"), cause["message"], full, template=True)
            if cause.get("amount") is not None:
                cause_amount = self.part(("cause", "amount"), cause["amount"], full)
        parts = [p for p in (where, each and each[1], assert_, message, detail, cause_key, cause_message,
                             cause_amount) if p is not None]
        read = frozenset().union(*(p.fields for p in parts), *(c.fields for _, c in lets))
        reported = tuple(str(n) for n in spec.get("report") or ())
        known = set(self.let_names) | ({self.each_spec[0]} if self.each_spec is not None else set())
        for name in reported:
            if name not in known:
                raise InputError(f"rule {self.id}, report: `{name}` is not a `let` or `for_each` name of "
                                 "the rule", self.where_of("report"))
        return CompiledRule(where, each, tuple(lets), assert_, message, detail, read, self.limits,
                            cause_key, cause_message, cause_amount, reported)
