"""The rule expression language: check a Python-syntax expression against an allow-list and
compile it, once, into closures over an evaluation `Frame` (docs/rules-language.md).

Nothing here ever calls `eval`, `compile` or `getattr` on user text: the parsed tree is walked
node by node, anything not explicitly allowed is refused with its position, and every allowed
node becomes a small Python function. `a.b` reads plan field `b` (or mapping key `b`) through
`read_field`, never a Python attribute.

The compiler is one class, `_Compiler`, in four parts: this module (names, fields, constants,
the rule file's `define` entries), `operators` (arithmetic, logic, comparisons, displays),
`comprehensions` (the `for`/`if` loop) and `calls` (functions of the language and defined ones).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from ..model.fields import ALL_FIELD_NAMES, fields_of
from ..model.index import NodeView
from ..model.values import render
from .calls import NOT_FUNCTIONS_HINT, Calls, StaticType, hint
from .comprehensions import Comprehensions, tree_nodes
from .functions import FUNCTIONS
from .operators import Operators
from .runtime import (  # noqa: F401 - EvalError, LimitError and bounder are re-exported
    SPECIAL_NAMES, EvalError, EvalLimits, Frame, LimitError, bounder, read_field,
)


class ExprError(Exception):
    """An expression refused when its rule file loads; `line` 1-based, `col` 0-based, in the text
    of the expression, or of the `define` entry `definition` when it is set."""

    def __init__(self, message: str, line: int = 1, col: int = 0, definition=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.definition = definition


@dataclass(frozen=True)
class Definition:
    """A `define` entry: a named value (`params` empty) or a function of `params`."""

    name: str
    params: tuple
    text: str
    tree: ast.Expression = field(repr=False, compare=False)
    sees: frozenset = frozenset()  # the definitions its text may use: those above it
    origin: Any = field(default=None, repr=False, compare=False)  # where it is written

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(self.params)})" if self.params else self.name


@dataclass(frozen=True)
class Scope:
    """The names an expression may use besides functions and its comprehension variables."""

    kind: str  # the rule's `applies_to`: plain names are this kind's fields
    lets: Mapping[str, StaticType] = field(default_factory=dict)  # let names in scope
    params: frozenset = frozenset()  # rule parameters, read as `params.name`
    hidden_lets: Mapping[str, str] = field(default_factory=dict)  # name -> why not in scope
    defines: Mapping[str, Definition] = field(default_factory=dict)  # the file's definitions


@dataclass(frozen=True)
class Compiled:
    text: str
    fn: Callable[[Frame], Any] = field(repr=False, compare=False)
    fields: frozenset = frozenset()  # fields of the rule's own node the expression reads
    static: StaticType = None


def compile_expression(text: str, scope: Scope, limits: EvalLimits) -> Compiled:
    """Check and compile one expression; raise ExprError (with position) on anything refused."""
    if not isinstance(text, str):
        raise ExprError(f"an expression must be text, not {render(text, 40)}")
    if len(text) > limits.expression_length:
        raise ExprError(limits.refusal("expression_length", "expression too long"))
    tree = _parse(text)
    comp = _Compiler(text, scope, limits)
    fn, static = comp.compile(tree.body, {}, 0)
    return Compiled(text, fn, frozenset(comp.fields), static)


@lru_cache(maxsize=1024)
def _parse(text: str) -> ast.Expression:
    # Parenthesised so that an expression may span lines as YAML block scalars write it. The
    # compiler only reads the tree, so one tree serves every expression of the same text (the
    # standard rules write `id` 85 times, 392 texts in 719 expressions).
    try:
        return ast.parse("(" + text + "\n)", mode="eval")
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1 - (line == 1), 0)
        raise ExprError(f"invalid syntax: {exc.msg}", line, col) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression too complex to parse") from None



# --- definitions -------------------------------------------------------------------------------

_DEFINITION_KEY = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\((\s*[A-Za-z][A-Za-z0-9_]*\s*"
                             r"(?:,\s*[A-Za-z][A-Za-z0-9_]*\s*)*)?\))?\s*")


def parse_definition(key, text, sees: frozenset = frozenset(), origin=None) -> Definition:
    """The `define` entry `key: text`, which may use the definitions named in `sees`.

    ExprError without `definition` for a bad key, with it for a refusal inside `text`.
    """
    m = _DEFINITION_KEY.fullmatch(str(key))
    if m is None:
        raise ExprError(f"bad definition name {str(key)!r}: write `name` for a value or "
                        "`name(a, b)` for a function of a and b")
    name = m.group(1)
    params = tuple(p.strip() for p in (m.group(2) or "").split(",") if p.strip())
    for n in (name, *params):
        if n.startswith("_") or n in FUNCTIONS or n in SPECIAL_NAMES:
            raise ExprError(f"`{n}` cannot be defined: it is a function or a reserved name")
    if len(set(params)) != len(params):
        raise ExprError(f"definition `{name}` names a parameter twice")
    if not isinstance(text, str):
        raise ExprError(f"definition `{name}`: an expression must be text, not {render(text, 40)}")
    definition = Definition(name, params, text, None, frozenset(sees), origin)
    try:
        tree = _parse(text)
    except ExprError as exc:
        raise ExprError(exc.message, exc.line, exc.col, definition) from None
    return Definition(name, params, text, tree, frozenset(sees), origin)


def check_definitions(definitions: Mapping[str, Definition]) -> None:
    """Refuse a definition that uses itself or one below it: there is no recursion."""
    for definition in definitions.values():
        tree = definition.tree
        nodes = tree_nodes(tree)
        bound = set(definition.params) | {n.id for c in nodes if isinstance(c, ast.comprehension)
                                         for n in tree_nodes(c.target) if isinstance(n, ast.Name)}
        for node in nodes:
            if not isinstance(node, ast.Name) or node.id not in definitions or node.id in bound \
                    or node.id in definition.sees:
                continue
            what = ("uses itself" if node.id == definition.name
                    else f"uses `{node.id}`, which is defined below it")
            line, col = _column(definition.text, node)
            raise ExprError(f"`{definition.name}` {what}: a definition may use only the "
                            "definitions above it (no recursion)", line, col, definition)


def _column(text: str, node) -> tuple[int, int]:
    """(line, 0-based column in characters) of an ast node of `_parse(text)`."""
    lines = text.split("\n")
    line = getattr(node, "lineno", 1)
    source = ("(" if line == 1 else "") + (lines[line - 1] if line <= len(lines) else "")
    col = len(source.encode()[:getattr(node, "col_offset", 0)].decode(errors="ignore"))
    return line, max(col - (line == 1), 0)


_REFUSED = {
    ast.Lambda: "lambda is not allowed",
    ast.NamedExpr: "assignment (`:=`) is not allowed",
    ast.JoinedStr: "f-strings are not allowed; use a message template",
    ast.FormattedValue: "f-strings are not allowed; use a message template",
    ast.Starred: "unpacking with `*` is not allowed",
    ast.Await: "`await` is not allowed",
    ast.Yield: "`yield` is not allowed",
    ast.YieldFrom: "`yield` is not allowed",
    ast.Slice: "a slice is only allowed inside `[...]`",
}


_METHODS: dict = {}  # type of tree node -> the _Compiler method that compiles it, False for none


class _Compiler(Operators, Comprehensions, Calls):
    """Compiles one expression of one rule; expands the definitions it uses in place."""

    def __init__(self, text: str, scope: Scope, limits: EvalLimits):
        self.text = text  # the text being compiled: the expression, or a definition in it
        self.length = len(text)  # with the text of every definition expanded
        self.scope = scope
        self.limits = limits
        self.fields: set[str] = set()
        self.own_fields = fields_of(scope.kind)
        self.slots = 0
        self.inside: Definition | None = None  # the definition being expanded
        self.values: dict = {}  # defined value -> (fn, static, its own depth), compiled once
        self.deepest = 0  # the deepest nesting reached so far

    # --- errors ------------------------------------------------------------------------------

    def error(self, node, message: str) -> ExprError:
        # ast columns are UTF-8 byte offsets in the wrapped text "(" + text.
        line, col = _column(self.text, node)
        return ExprError(message, line, col, self.inside)

    def unknown_name(self, node, name: str) -> ExprError:
        if self.inside is not None:
            if name in self.scope.defines:
                return self.error(node, f"`{name}` is defined below `{self.inside.name}`: a "
                                        "definition may use only the definitions above it")
            if name in self.scope.lets or name in self.scope.hidden_lets:
                return self.error(node, f"`{name}` is a name of the rule, which a definition "
                                        "does not see: pass it as a parameter")
        if name in self.scope.hidden_lets:
            return self.error(node, f"`{name}` {self.scope.hidden_lets[name]}")
        candidates = (list(self.own_fields) + list(self.scope.lets) + list(SPECIAL_NAMES)
                      + list(FUNCTIONS) + list(self.scope.defines))
        return self.error(node, f"unknown name `{name}`: not a field of {self.scope.kind}, "
                                f"a `let` name or a comprehension variable{hint(name, candidates)}")

    # --- dispatch ----------------------------------------------------------------------------

    def compile(self, node, env: dict, depth: int):
        if depth > self.deepest:
            self.deepest = depth
        if depth > self.limits.expression_depth:
            raise self.error(node, self.limits.refusal("expression_depth",
                                                       "expression nested too deeply"))
        method = _METHODS.get(type(node))
        if method is None:
            method = _METHODS[type(node)] = getattr(type(self), "c_" + type(node).__name__, False)
        if method is False:
            reason = _REFUSED.get(type(node))
            if reason is None:
                reason = f"`{type(node).__name__}` is not part of the rule language"
            raise self.error(node, reason)
        return method(self, node, env, depth + 1)

    def value(self, node, env, depth):
        return self.compile(node, env, depth)[0]

    # --- leaves ------------------------------------------------------------------------------

    def c_Constant(self, node, env, depth):
        v = node.value
        if isinstance(v, bool) or v is None:
            pass
        elif isinstance(v, int):
            if abs(v) >= 10 ** self.limits.number_digits:
                raise self.error(node, self.limits.refusal("number_digits", "number too large"))
        elif isinstance(v, float):
            v = self.decimal_literal(node)
        elif not isinstance(v, str):
            raise self.error(node, f"{type(v).__name__} literals are not allowed")
        return (lambda fr: v), None

    def decimal_literal(self, node) -> Decimal:
        """A fractional literal as the exact decimal written, never a binary float."""
        segment = ast.get_source_segment("(" + self.text + "\n)", node) or ""
        try:
            v = Decimal(segment.replace("_", ""))
        except InvalidOperation:
            raise self.error(node, f"not a decimal number: {segment}") from None
        if not v.is_finite() or v.adjusted() >= self.limits.number_digits:
            raise self.error(node, self.limits.refusal("number_digits", "number too large"))
        return v

    def c_Name(self, node, env, depth):
        name = node.id
        if name.startswith("_"):
            raise self.error(node, f"`{name}`: names starting with `_` are not allowed")
        if name in env:
            slot, static = env[name]
            return (lambda fr: fr.vars[slot]), static
        if self.inside is None and name in self.scope.lets:
            return (lambda fr: fr.vars[name]), self.scope.lets[name]
        definition = self.definition(name)
        if definition is not None:
            if definition.params:
                raise self.error(node, f"`{name}` is a defined function: call it, as "
                                       f"`{definition.signature}`")
            return self.expand(node, definition, (), depth)
        if name == "this":
            return Frame.this, ("node", self.scope.kind)
        if name == "as_of":
            return (lambda fr: fr.as_of), None
        if name == "params":
            return (lambda fr: fr.params), None
        if name in self.own_fields:
            self.fields.add(name)
            return (lambda fr: fr.attrs.get(name)), None
        if name in FUNCTIONS:
            raise self.error(node, f"`{name}` is a function: call it, as `{name}(...)`")
        raise self.unknown_name(node, name)

    def c_Attribute(self, node, env, depth):
        attr = node.attr
        if attr.startswith("_"):
            raise self.error(node, f"`.{attr}`: names starting with `_` are not allowed")
        base = node.value
        if isinstance(base, ast.Name) and base.id == "params" and "params" not in env \
                and "params" not in self.scope.lets:
            if attr not in self.scope.params:
                declared = ", ".join(sorted(self.scope.params)) or "none"
                raise self.error(node, f"unknown parameter `{attr}` (declared under `params`: "
                                       f"{declared}){hint(attr, self.scope.params)}")
            return (lambda fr: fr.params[attr]), None
        get_base, static = self.compile(base, env, depth)
        if static and static[0] == "node":
            allowed = fields_of(static[1])
            if attr not in allowed:
                raise self.error(node, f"{static[1]} has no field `{attr}`"
                                       f"{hint(attr, allowed)}")
        elif attr not in ALL_FIELD_NAMES:
            raise self.error(node, f"`.{attr}` is not a plan field: `a.b` reads plan field `b` of "
                                   f"node `a` or key `b` of a mapping{hint(attr, ALL_FIELD_NAMES)}")
        def read(fr):
            v = get_base(fr)
            if type(v) is NodeView:
                return v.attrs.get(attr)
            return read_field(v, attr)
        return read, None

    # --- definitions -------------------------------------------------------------------------

    def definition(self, name: str) -> Definition | None:
        """The definition `name` stands for here, if any: inside a definition, only those above."""
        definition = self.scope.defines.get(name)
        if definition is None or (self.inside is not None and name not in self.inside.sees):
            return None
        return definition

    def expand(self, node, definition: Definition, args, depth):
        """Compile `definition` in place, its parameters bound to `args` ((fn, static) pairs).

        Its text counts towards the expression's length, and its nesting towards the depth. A
        defined value (no parameters) sees nothing of the place it is used in, so it is compiled
        once per expression and counted once; a function is expanded at each call.
        """
        if not definition.params and definition.name in self.values:
            fn, static, own_depth = self.values[definition.name]
            if depth + own_depth > self.limits.expression_depth:
                raise self.error(node, self.limits.refusal("expression_depth",
                                                           "expression nested too deeply"))
            return fn, static
        self.length += len(definition.text)
        if self.length > self.limits.expression_length:
            raise self.error(node, self.limits.refusal(
                "expression_length", f"expression too long once its definitions are expanded "
                                     f"({self.length} characters with `{definition.name}`)"))
        env = {}
        binds = []
        for param, (fn, static) in zip(definition.params, args):
            self.slots += 1
            slot = f"{param}#{self.slots}"
            env[param] = (slot, static)
            binds.append((slot, fn))
        outer = (self.text, self.inside, self.deepest)
        self.text, self.inside, self.deepest = definition.text, definition, depth
        try:
            body, static = self.compile(definition.tree.body, env, depth)
            own_depth = self.deepest - depth
        finally:
            self.text, self.inside = outer[:2]
            self.deepest = max(outer[2], self.deepest)
        if not binds:
            fn = _once_per_node(definition.name, body)
            self.values[definition.name] = (fn, static, own_depth)
            return fn, static
        return _bound(binds, body), static


def _bound(binds, body):
    """`body` with each parameter slot bound to its argument's value, all computed first."""
    if len(binds) == 1:
        (slot, arg), = binds

        def call_one(fr):
            fr.vars[slot] = arg(fr)
            return body(fr)
        return call_one

    def call(fr):
        values = [arg(fr) for _, arg in binds]
        for (slot, _), value in zip(binds, values):
            fr.vars[slot] = value
        return body(fr)
    return call


def _once_per_node(name: str, body):
    """A defined value reads only the node, its fields and the rule's parameters (never a `let`
    or a loop variable), so it is computed once per node, however many times the rule uses it."""

    def value(fr):
        hit = fr.memo.get(name)
        if hit is not None and hit[0] == fr.key:
            return hit[1]
        result = body(fr)
        fr.memo[name] = (fr.key, result)
        return result
    return value


__all__ = ["Compiled", "Definition", "EvalError", "ExprError", "FUNCTIONS", "LimitError",
           "EvalLimits", "Scope", "SPECIAL_NAMES", "bounder", "compile_expression",
           "check_definitions", "parse_definition", "NOT_FUNCTIONS_HINT"]
