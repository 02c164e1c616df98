"""The rule expression language: check a Python-syntax expression against an allow-list and
compile it, once, into closures over an evaluation `Frame` (docs/rules-language.md).

Nothing here ever calls `eval`, `compile` or `getattr` on user text: the parsed tree is walked
node by node, anything not explicitly allowed is refused with its position, and every allowed
node becomes a small Python function. `a.b` reads plan field `b` (or mapping key `b`) through
`read_field`, never a Python attribute.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping

from ..model.fields import (
    ALL_FIELD_NAMES,
    KINDS,
    REL_SOURCE,
    REL_TARGET,
    RELS,
    STRUCTURAL_RELS,
    fields_of,
)
from ..model.index import NodeView
from ..model.values import render
from .functions import FUNCTIONS
from .runtime import (
    EvalError,
    Frame,
    LimitError,
    EvalLimits,
    bounder,
    iterate,
    make_binop,
    make_compare,
    read_field,
    size_cost,
    subscript,
)

SPECIAL_NAMES = ("this", "as_of", "params")

# A static type for load-time field checks: ("node", kind) or ("nodes", kind), else None.
StaticType = tuple | None


class ExprError(Exception):
    """An expression refused when its rule file loads; `line` 1-based, `col` 0-based, in the text."""

    def __init__(self, message: str, line: int = 1, col: int = 0, definition=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.definition = definition  # the `define` entry whose text (line, col) is in, if any


@dataclass(frozen=True)
class Scope:
    """The names an expression may use besides functions and its comprehension variables."""

    kind: str  # the rule's `applies_to`: plain names are this kind's fields
    lets: Mapping[str, StaticType] = field(default_factory=dict)  # let names in scope
    params: frozenset = frozenset()  # rule parameters, read as `params.name`
    hidden_lets: Mapping[str, str] = field(default_factory=dict)  # name -> why not in scope


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


def _parse(text: str) -> ast.Expression:
    # Parenthesised so that an expression may span lines as YAML block scalars write it.
    try:
        return ast.parse("(" + text + "\n)", mode="eval")
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1 - (line == 1), 0)
        raise ExprError(f"invalid syntax: {exc.msg}", line, col) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression too complex to parse") from None


_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Pow: "**"}
_CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.In: "in", ast.NotIn: "not in"}
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
_NOT_FUNCTIONS_HINT = "see docs/rules-language.md for the functions a rule may call"


class _Compiler:
    def __init__(self, text: str, scope: Scope, limits: EvalLimits):
        self.lines = text.split("\n")
        self.scope = scope
        self.limits = limits
        self.fields: set[str] = set()
        self.own_fields = fields_of(scope.kind)
        self.slots = 0

    # --- errors ------------------------------------------------------------------------------

    def error(self, node, message: str) -> ExprError:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        # ast columns are UTF-8 byte offsets in the wrapped text "(" + text.
        source = ("(" if line == 1 else "") + self.lines[line - 1] if line <= len(self.lines) else ""
        col = len(source.encode()[:col].decode(errors="ignore")) - (line == 1)
        return ExprError(message, line, max(col, 0))

    def unknown_name(self, node, name: str) -> ExprError:
        if name in self.scope.hidden_lets:
            return self.error(node, f"`{name}` {self.scope.hidden_lets[name]}")
        candidates = (list(self.own_fields) + list(self.scope.lets) + list(SPECIAL_NAMES)
                      + list(FUNCTIONS))
        return self.error(node, f"unknown name `{name}`: not a field of {self.scope.kind}, "
                                f"a `let` name or a comprehension variable{_hint(name, candidates)}")

    # --- dispatch ----------------------------------------------------------------------------

    def compile(self, node, env: dict, depth: int):
        if depth > self.limits.expression_depth:
            raise self.error(node, self.limits.refusal("expression_depth",
                                                       "expression nested too deeply"))
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            reason = _REFUSED.get(type(node))
            if reason is None:
                reason = f"`{type(node).__name__}` is not part of the rule language"
            raise self.error(node, reason)
        return method(node, env, depth + 1)

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
        segment = ast.get_source_segment("(" + "\n".join(self.lines) + "\n)", node) or ""
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
        if name in self.scope.lets:
            return (lambda fr: fr.vars[name]), self.scope.lets[name]
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
                                       f"{declared}){_hint(attr, self.scope.params)}")
            return (lambda fr: fr.params[attr]), None
        get_base, static = self.compile(base, env, depth)
        if static and static[0] == "node":
            allowed = fields_of(static[1])
            if attr not in allowed:
                raise self.error(node, f"{static[1]} has no field `{attr}`"
                                       f"{_hint(attr, allowed)}")
        elif attr not in ALL_FIELD_NAMES:
            raise self.error(node, f"`.{attr}` is not a plan field: `a.b` reads plan field `b` of "
                                   f"node `a` or key `b` of a mapping{_hint(attr, ALL_FIELD_NAMES)}")
        def read(fr):
            v = get_base(fr)
            if type(v) is NodeView:
                return v.attrs.get(attr)
            return read_field(v, attr)
        return read, None

    # --- operators ---------------------------------------------------------------------------

    def c_BinOp(self, node, env, depth):
        symbol = _BINOPS.get(type(node.op))
        if symbol is None:
            raise self.error(node, "bitwise and matrix operators are not part of the rule language")
        left, ls = self.compile(node.left, env, depth)
        right, rs = self.compile(node.right, env, depth)
        op = make_binop(symbol, self.limits)
        static = ls if symbol == "+" and ls == rs and ls and ls[0] == "nodes" else None
        return (lambda fr: op(fr, left(fr), right(fr))), static

    def c_UnaryOp(self, node, env, depth):
        operand = self.value(node.operand, env, depth)
        if isinstance(node.op, ast.Not):
            return (lambda fr: not operand(fr)), None
        if isinstance(node.op, ast.USub):
            return (lambda fr: -operand(fr)), None
        if isinstance(node.op, ast.UAdd):
            return (lambda fr: +operand(fr)), None
        raise self.error(node, "bitwise operators are not part of the rule language")

    def c_BoolOp(self, node, env, depth):
        parts = [self.value(v, env, depth) for v in node.values]
        if len(parts) == 2:
            a, b = parts
            if isinstance(node.op, ast.And):
                return (lambda fr: a(fr) and b(fr)), None
            return (lambda fr: a(fr) or b(fr)), None
        if isinstance(node.op, ast.And):
            def conj(fr):
                v = None
                for p in parts:
                    v = p(fr)
                    if not v:
                        return v
                return v
            return conj, None

        def disj(fr):
            v = None
            for p in parts:
                v = p(fr)
                if v:
                    return v
            return v
        return disj, None

    def c_Compare(self, node, env, depth):
        first = self.value(node.left, env, depth)
        steps = []
        operands = [node.left] + node.comparators
        for i, (op, right) in enumerate(zip(node.ops, node.comparators)):
            get = self.value(right, env, depth)
            if isinstance(op, (ast.Is, ast.IsNot)):
                if not any(isinstance(o, ast.Constant) and o.value is None
                           for o in (operands[i], right)):
                    raise self.error(node, "`is` and `is not` only compare with None; "
                                           "use `==` and `!=`")
                fn = _is if isinstance(op, ast.Is) else _is_not
            else:
                fn = make_compare(_CMPOPS[type(op)])
            steps.append((fn, get))
        if len(steps) == 1:
            (fn, second), = steps
            if fn is _is_not and isinstance(node.comparators[0], ast.Constant):
                return (lambda fr: first(fr) is not None), None
            if fn is _is and isinstance(node.comparators[0], ast.Constant):
                return (lambda fr: first(fr) is None), None
            right = node.comparators[0]
            if isinstance(right, ast.Constant) and not isinstance(right.value, str):
                value = second(None)
                return (lambda fr: fn(fr, first(fr), value)), None
            return (lambda fr: fn(fr, first(fr), second(fr))), None

        def chain(fr):
            left = first(fr)
            for fn, get in steps:
                right = get(fr)
                if not fn(fr, left, right):
                    return False
                left = right
            return True
        return chain, None

    def c_IfExp(self, node, env, depth):
        test = self.value(node.test, env, depth)
        body, bs = self.compile(node.body, env, depth)
        orelse, os_ = self.compile(node.orelse, env, depth)
        return (lambda fr: body(fr) if test(fr) else orelse(fr)), (bs if bs == os_ else None)

    def c_Subscript(self, node, env, depth):
        container = self.value(node.value, env, depth)
        index = self.index(node.slice, env, depth)
        if isinstance(node.slice, ast.Slice):
            def copy(fr):
                part = subscript(container(fr), index(fr))
                fr.charge(size_cost(part))
                return part
            return copy, None

        def item(fr):
            c = container(fr)
            if type(c) is dict:
                i = index(fr)
                if i in c:
                    return c[i]
                return subscript(c, i)
            return subscript(c, index(fr))
        return item, None

    def index(self, node, env, depth):
        if not isinstance(node, ast.Slice):
            return self.value(node, env, depth)
        parts = [None if p is None else self.value(p, env, depth)
                 for p in (node.lower, node.upper, node.step)]
        lower, upper, step = (p or (lambda fr: None) for p in parts)

        def make_slice(fr):
            bounds = (lower(fr), upper(fr), step(fr))
            if any(b is not None and (not isinstance(b, int) or isinstance(b, bool))
                   for b in bounds):
                raise EvalError("slice bounds must be whole numbers")
            if bounds[2] == 0:
                raise EvalError("slice step cannot be zero")
            return slice(*bounds)
        return make_slice

    # --- displays ----------------------------------------------------------------------------

    def c_List(self, node, env, depth):
        items = [self.value(e, env, depth) for e in node.elts]
        return (lambda fr: [f(fr) for f in items]), None

    def c_Tuple(self, node, env, depth):
        items = [self.value(e, env, depth) for e in node.elts]
        return (lambda fr: tuple(f(fr) for f in items)), None

    def c_Set(self, node, env, depth):
        items = [self.value(e, env, depth) for e in node.elts]

        def make_set(fr):
            try:
                return {f(fr) for f in items}
            except TypeError:
                raise EvalError("lists and mappings cannot be members of a set") from None
        return make_set, None

    def c_Dict(self, node, env, depth):
        if any(k is None for k in node.keys):
            raise self.error(node, "unpacking with `**` is not allowed")
        pairs = [(self.value(k, env, depth), self.value(v, env, depth))
                 for k, v in zip(node.keys, node.values)]

        def make_dict(fr):
            try:
                return {k(fr): v(fr) for k, v in pairs}
            except TypeError:
                raise EvalError("lists and mappings cannot be mapping keys") from None
        return make_dict, None

    # --- comprehensions ----------------------------------------------------------------------

    def bind_target(self, target, env, static, inner: dict):
        if isinstance(target, ast.Name):
            name = target.id
            if name.startswith("_") or name in FUNCTIONS or name in SPECIAL_NAMES:
                raise self.error(target, f"`{name}` cannot be a loop variable: "
                                         "it is a function or a reserved name")
            self.slots += 1
            slot = f"{name}#{self.slots}"
            inner[name] = (slot, static)

            def bind(fr, item):
                fr.vars[slot] = item
            return bind
        if isinstance(target, ast.Tuple):
            binders = [self.bind_target(t, env, None, inner) for t in target.elts]
            n = len(binders)

            def unpack(fr, item):
                if not isinstance(item, (tuple, list)) or len(item) != n:
                    raise EvalError(f"cannot unpack {render(item, 60)} into {n} names")
                for b, v in zip(binders, item):
                    b(fr, v)
            return unpack
        raise self.error(target, "a loop variable must be a name or names: `for x in ...`, "
                                 "`for k, v in ...`")

    def loop(self, generators, elt, env, depth):
        """Compile the `for`/`if` clauses: returns (generator over bindings, inner env).

        `elt` is the element expression(s), for the step cost of each item. The result also
        carries `.single`: for one `for` clause, (iterable, bind, conds, cost), so that list,
        set and mapping comprehensions can loop without a generator.
        """
        clauses = []
        env = dict(env)
        for n, gen in enumerate(generators):
            if gen.is_async:
                raise self.error(gen.target, "`async for` is not allowed")
            get_iter, static = self.compile(gen.iter, env, depth)
            element = ("node", static[1]) if static and static[0] == "nodes" else None
            inner: dict = {}
            bind = self.bind_target(gen.target, env, element, inner)
            env.update(inner)
            conds = tuple(self.value(c, env, depth) for c in gen.ifs)
            # One step per expression node evaluated for each item: the conditions, the next
            # clause's iterable, and for the last clause the element itself.
            body = list(gen.ifs) + ([generators[n + 1].iter] if n + 1 < len(generators)
                                    else [elt])
            cost = 1 + sum(_size(b) for b in body)
            clauses.append((get_iter, bind, conds, cost))
        last = len(clauses) - 1

        def run(fr, i=0):
            get_iter, bind, conds, cost = clauses[i]
            for item in iterate(fr, get_iter(fr)):
                steps = fr.steps + cost
                if steps > fr.next_check:
                    fr.checkpoint(steps)
                fr.steps = steps
                bind(fr, item)
                for c in conds:
                    if not c(fr):
                        break
                else:
                    if i == last:
                        yield
                    else:
                        yield from run(fr, i + 1)
        return _Loop(run, clauses[0] if len(clauses) == 1 else None), env

    def collected(self, make, loop, emit_fns):
        limits = self.limits
        cap = limits.sequence_length
        run = loop.run
        if loop.single is not None:
            get_iter, bind, conds, cost = loop.single
            emit_one = emit_fns[0] if len(emit_fns) == 1 else None
            emit_two = emit_fns if len(emit_fns) == 2 else None

            def build_single(fr):
                out, add = make()
                for item in iterate(fr, get_iter(fr)):
                    steps = fr.steps + cost
                    if steps > fr.next_check:
                        fr.checkpoint(steps)
                    fr.steps = steps
                    bind(fr, item)
                    for c in conds:
                        if not c(fr):
                            break
                    else:
                        if emit_one is not None:
                            add(emit_one(fr))
                        else:
                            add(emit_two[0](fr), emit_two[1](fr))
                        if len(out) > cap:
                            raise LimitError(limits.refusal("sequence_length",
                                                            "collection too long"))
                return out
            return build_single

        def build(fr):
            out, add = make()
            for _ in run(fr):
                add(*[f(fr) for f in emit_fns])
                if len(out) > cap:
                    raise LimitError(limits.refusal("sequence_length", "collection too long"))
            return out
        return build

    def c_ListComp(self, node, env, depth):
        loop, inner = self.loop(node.generators, node.elt, env, depth)
        elt, static = self.compile(node.elt, inner, depth)

        def make():
            out = []
            return out, out.append
        kind = ("nodes", static[1]) if static and static[0] == "node" else None
        return self.collected(make, loop, [elt]), kind

    def c_SetComp(self, node, env, depth):
        loop, inner = self.loop(node.generators, node.elt, env, depth)
        elt = self.value(node.elt, inner, depth)

        def make():
            out = set()
            return out, out.add
        build = self.collected(make, loop, [elt])

        def build_set(fr):
            try:
                return build(fr)
            except TypeError:
                raise EvalError("lists and mappings cannot be members of a set") from None
        return build_set, None

    def c_DictComp(self, node, env, depth):
        loop, inner = self.loop(node.generators, ast.Tuple([node.key, node.value]), env, depth)
        key = self.value(node.key, inner, depth)
        val = self.value(node.value, inner, depth)

        def make():
            out = {}
            return out, out.__setitem__
        build = self.collected(make, loop, [key, val])

        def build_dict(fr):
            try:
                return build(fr)
            except TypeError:
                raise EvalError("lists and mappings cannot be mapping keys") from None
        return build_dict, None

    def c_GeneratorExp(self, node, env, depth):
        raise self.error(node, "a generator expression `(x for ...)` is only allowed as the "
                               "argument of a function such as any(), all(), sum() or count(); "
                               "use a list `[x for ...]`")

    def generator_argument(self, node, env, depth):
        loop, inner = self.loop(node.generators, node.elt, env, depth)
        elt = self.value(node.elt, inner, depth)
        run = loop.run
        if loop.single is None:
            return lambda fr: (elt(fr) for _ in run(fr))
        get_iter, bind, conds, cost = loop.single

        def single(fr):  # one `for` clause: the loop of `run` and the element in one generator
            for item in iterate(fr, get_iter(fr)):
                steps = fr.steps + cost
                if steps > fr.next_check:
                    fr.checkpoint(steps)
                fr.steps = steps
                bind(fr, item)
                for c in conds:
                    if not c(fr):
                        break
                else:
                    yield elt(fr)
        return single

    # --- calls -------------------------------------------------------------------------------

    def c_Call(self, node, env, depth):
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only the listed functions can be called, by name "
                                   f"(no methods, no calling a result); {_NOT_FUNCTIONS_HINT}")
        name = node.func.id
        spec = FUNCTIONS.get(name)
        if spec is None or name in env or name in self.scope.lets:
            if name.startswith("_"):
                raise self.error(node, f"`{name}`: names starting with `_` are not allowed")
            raise self.error(node, f"`{name}` is not a function of the rule language"
                                   f"{_hint(name, FUNCTIONS)}; {_NOT_FUNCTIONS_HINT}")
        if node.keywords:
            raise self.error(node, f"{name}(): keyword arguments are not supported; "
                                   f"pass arguments by position: {spec.signature}")
        n = len(node.args)
        if n < spec.min_args or (spec.max_args is not None and n > spec.max_args):
            raise self.error(node, f"{name}() takes {_arity(spec)}, got {n}: {spec.signature}")
        self.check_literal_args(node, spec)
        args = []
        statics = []
        for a in node.args:
            if isinstance(a, ast.GeneratorExp):
                args.append(self.generator_argument(a, env, depth))
                statics.append(None)
            else:
                fn, st = self.compile(a, env, depth)
                args.append(fn)
                statics.append(st)
        return _call(spec.impl, args), self.call_type(name, node.args, statics)

    def check_literal_args(self, node, spec) -> None:
        literal = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                   for a in node.args]
        for position, what in spec.literal_args:
            value = literal[position] if position < len(literal) else None
            if value is None:
                continue
            arg = node.args[position]
            if what == "kind" and value not in KINDS:
                raise self.error(arg, f"unknown node kind {value!r}{_hint(value, KINDS)}")
            if what == "rel" and value not in RELS:
                raise self.error(arg, f"unknown relation {value!r}{_hint(value, RELS)}")
            if what == "structural" and value not in STRUCTURAL_RELS:
                raise self.error(arg, f"{value!r} is not a structural relation "
                                      f"(children follows {', '.join(STRUCTURAL_RELS)}; "
                                      "use related() for other relations)")
            if what == "field":
                allowed = fields_of(self.scope.kind) if len(node.args) == 1 else ALL_FIELD_NAMES
                if value not in allowed:
                    raise self.error(arg, f"unknown field {value!r}{_hint(value, allowed)}")
            if what == "field_of_kind_arg0" and literal[0] in KINDS:
                allowed = fields_of(literal[0])
                if value not in allowed:
                    raise self.error(arg, f"{literal[0]} has no field {value!r}"
                                          f"{_hint(value, allowed)}")
        if spec.name == "sort_by":
            for arg, value in zip(node.args[1:], literal[1:]):
                if value is not None and value not in ALL_FIELD_NAMES:
                    raise self.error(arg, f"unknown field {value!r}"
                                          f"{_hint(value, ALL_FIELD_NAMES)}")

    def call_type(self, name, args, statics) -> StaticType:
        first = args[0].value if args and isinstance(args[0], ast.Constant) else None
        if name == "parent" and first in KINDS:
            return ("node", first)
        if name in ("nodes", "descendants", "lookup") and first in KINDS:
            return ("nodes", first)
        if name in ("children", "related") and first in REL_TARGET:
            return ("nodes", REL_TARGET[first])
        if name == "related_in" and first in REL_SOURCE:
            return ("nodes", REL_SOURCE[first])
        if name == "plan":
            return ("node", "plan")
        if name == "duplicates_of" and len(args) == 1:
            return ("nodes", self.scope.kind)
        arg = statics[0] if statics else None
        if name in ("first", "last") and arg and arg[0] == "nodes":
            return ("node", arg[1])
        if name in ("sort_by", "list") and arg and arg[0] == "nodes":
            return arg
        return None


def _is(fr, a, b):
    return a is b


def _is_not(fr, a, b):
    return a is not b


def _size(node) -> int:
    return sum(1 for _ in ast.walk(node))


@dataclass(frozen=True)
class _Loop:
    run: Callable  # run(fr) -> generator yielding once per binding
    single: tuple | None  # (iterable, bind, conditions, cost) when there is one `for` clause


def _call(impl, args):
    if not args:
        return lambda fr: impl(fr)
    if len(args) == 1:
        a, = args
        return lambda fr: impl(fr, a(fr))
    if len(args) == 2:
        a, b = args
        return lambda fr: impl(fr, a(fr), b(fr))
    return lambda fr: impl(fr, *[f(fr) for f in args])


def _arity(spec) -> str:
    if spec.max_args is None:
        return f"at least {spec.min_args} argument{'s' * (spec.min_args != 1)}"
    if spec.min_args == spec.max_args:
        return f"{spec.min_args} argument{'s' * (spec.min_args != 1)}"
    return f"{spec.min_args} to {spec.max_args} arguments"


def _hint(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.7)
    return f" (did you mean `{match[0]}`?)" if match else ""


__all__ = ["Compiled", "EvalError", "ExprError", "FUNCTIONS", "LimitError", "EvalLimits", "Scope",
           "SPECIAL_NAMES", "bounder", "compile_expression"]
