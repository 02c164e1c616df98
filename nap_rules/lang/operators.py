"""Compiling the operators and displays of the rule language: arithmetic, logic, comparisons,
conditionals, indexes and slices, lists, tuples, sets and mappings (a part of `_Compiler`)."""

from __future__ import annotations

import ast

from .runtime import EvalError, make_binop, make_compare, size_cost, subscript

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Pow: "**"}
_CMPOPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
           ast.In: "in", ast.NotIn: "not in"}


class Operators:
    """The `c_<node>` methods of operators and displays; mixed into the compiler."""

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


def _is(fr, a, b):
    return a is b


def _is_not(fr, a, b):
    return a is not b
