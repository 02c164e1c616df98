"""Compiling calls: the functions of the rule language (nap_rules.lang.functions), checked
by name, arity and literal arguments, and calls of a rule file's own `define` functions,
expanded in the scope of the rule (a part of `_Compiler`)."""

from __future__ import annotations

import ast
import difflib

from ..model.fields import ALL_FIELD_NAMES, KINDS, REL_SOURCE, REL_TARGET, RELS, STRUCTURAL_RELS, fields_of
from .functions import FUNCTIONS

StaticType = tuple | None  # ("node", kind) or ("nodes", kind): for load-time field checks

NOT_FUNCTIONS_HINT = "see docs/rules-language.md for the functions a rule may call"


class Calls:
    """The `c_Call` method and what it needs; mixed into the compiler."""

    def c_Call(self, node, env, depth):
        if not isinstance(node.func, ast.Name):
            raise self.error(node, "only the listed functions can be called, by name "
                                   f"(no methods, no calling a result); {NOT_FUNCTIONS_HINT}")
        name = node.func.id
        definition = self.definition(name) if name not in env else None
        if definition is not None:
            return self.call_definition(node, definition, env, depth)
        spec = FUNCTIONS.get(name)
        if spec is None or name in env or name in self.scope.lets:
            if name.startswith("_"):
                raise self.error(node, f"`{name}`: names starting with `_` are not allowed")
            raise self.error(node, f"`{name}` is not a function of the rule language"
                                   f"{hint(name, FUNCTIONS)}; {NOT_FUNCTIONS_HINT}")
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

    def call_definition(self, node, definition, env, depth):
        if node.keywords:
            raise self.error(node, f"{definition.name}(): keyword arguments are not supported; "
                                   f"pass arguments by position: {definition.signature}")
        n = len(node.args)
        if not definition.params:
            raise self.error(node, f"`{definition.name}` is a defined value, not a function: "
                                   f"write `{definition.name}` without parentheses")
        if n != len(definition.params):
            raise self.error(node, f"{definition.name}() takes {len(definition.params)} "
                                   f"argument{'s' * (len(definition.params) != 1)}, got {n}: "
                                   f"{definition.signature}")
        args = []
        for a in node.args:
            if isinstance(a, ast.GeneratorExp):
                raise self.error(a, "a generator expression is only allowed as the argument of "
                                    "a function of the language; pass a list `[x for ...]`")
            args.append(self.compile(a, env, depth))
        return self.expand(node, definition, args, depth)

    def check_literal_args(self, node, spec) -> None:
        literal = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                   for a in node.args]
        for position, what in spec.literal_args:
            value = literal[position] if position < len(literal) else None
            if value is None:
                continue
            arg = node.args[position]
            if what == "kind" and value not in KINDS:
                raise self.error(arg, f"unknown node kind {value!r}{hint(value, KINDS)}")
            if what == "rel" and value not in RELS:
                raise self.error(arg, f"unknown relation {value!r}{hint(value, RELS)}")
            if what == "structural" and value not in STRUCTURAL_RELS:
                raise self.error(arg, f"{value!r} is not a structural relation "
                                      f"(children follows {', '.join(STRUCTURAL_RELS)}; "
                                      "use related() for other relations)")
            if what == "field":
                allowed = fields_of(self.scope.kind) if len(node.args) == 1 else ALL_FIELD_NAMES
                if value not in allowed:
                    raise self.error(arg, f"unknown field {value!r}{hint(value, allowed)}")
            if what == "field_of_kind_arg0" and literal[0] in KINDS:
                allowed = fields_of(literal[0])
                if value not in allowed:
                    raise self.error(arg, f"{literal[0]} has no field {value!r}"
                                          f"{hint(value, allowed)}")
        if spec.name == "sort_by":
            for arg, value in zip(node.args[1:], literal[1:]):
                if value is not None and value not in ALL_FIELD_NAMES:
                    raise self.error(arg, f"unknown field {value!r}"
                                          f"{hint(value, ALL_FIELD_NAMES)}")

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


def hint(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.7)
    return f" (did you mean `{match[0]}`?)" if match else ""
