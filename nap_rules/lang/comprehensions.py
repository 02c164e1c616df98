"""Compiling comprehensions: `for`/`if` clauses, loop variables, and the one loop that runs
them, charging each item its steps (a part of `_Compiler`)."""

from __future__ import annotations

import ast

from ..model.values import render
from .functions import FUNCTIONS
from .runtime import SPECIAL_NAMES, EvalError, LimitError, iterate


class Comprehensions:
    """The `c_<node>` methods of comprehensions and generator arguments; mixed into the compiler."""

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
        """Compile the `for`/`if` clauses: (clauses, the env inside them).

        `elt` is the element expression(s), for the step cost of each item. A clause is
        (iterable, bind, slot, conditions, cost), `slot` set when the target is one name;
        `walk` runs them.
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
            slot = inner[gen.target.id][0] if isinstance(gen.target, ast.Name) else None
            env.update(inner)
            conds = tuple(self.value(c, env, depth) for c in gen.ifs)
            # One step per expression node evaluated for each item: the conditions, the next
            # clause's iterable, and for the last clause the element itself.
            body = list(gen.ifs) + ([generators[n + 1].iter] if n + 1 < len(generators)
                                    else [elt])
            cost = 1 + sum(_size(b) for b in body)
            clauses.append((get_iter, bind, slot, conds, cost))
        return tuple(clauses), env

    @staticmethod
    def walk(clauses, emit):
        """The loop of every comprehension: `run(fr)` yields `emit(fr)` for each binding of the
        clauses that passes their conditions, charging each item its steps."""
        last = len(clauses) - 1

        def run(fr, i=0):
            get_iter, bind, slot, conds, cost = clauses[i]
            names = fr.vars
            for item in iterate(fr, get_iter(fr)):
                steps = fr.steps + cost
                if steps > fr.next_check:
                    fr.checkpoint(steps)
                fr.steps = steps
                if slot is not None:
                    names[slot] = item
                else:
                    bind(fr, item)
                for c in conds:
                    if not c(fr):
                        break
                else:
                    if i == last:
                        yield emit(fr)
                    else:
                        yield from run(fr, i + 1)
        return run

    def collected(self, make, run):
        """`build(fr)`: the collection `make()` gives, filled with the items of `run`."""
        limits = self.limits
        cap = limits.sequence_length

        def build(fr):
            out, add = make()
            for value in run(fr):
                add(value)
                if len(out) > cap:
                    raise LimitError(limits.refusal("sequence_length", "collection too long"))
            return out
        return build

    def c_ListComp(self, node, env, depth):
        clauses, inner = self.loop(node.generators, node.elt, env, depth)
        elt, static = self.compile(node.elt, inner, depth)

        def make():
            out = []
            return out, out.append
        kind = ("nodes", static[1]) if static and static[0] == "node" else None
        return self.collected(make, self.walk(clauses, elt)), kind

    def c_SetComp(self, node, env, depth):
        clauses, inner = self.loop(node.generators, node.elt, env, depth)
        elt = self.value(node.elt, inner, depth)

        def make():
            out = set()
            return out, out.add
        build = self.collected(make, self.walk(clauses, elt))

        def build_set(fr):
            try:
                return build(fr)
            except TypeError:
                raise EvalError("lists and mappings cannot be members of a set") from None
        return build_set, None

    def c_DictComp(self, node, env, depth):
        clauses, inner = self.loop(node.generators, ast.Tuple([node.key, node.value]), env, depth)
        key = self.value(node.key, inner, depth)
        val = self.value(node.value, inner, depth)

        def make():
            out = {}

            def put(pair):
                out[pair[0]] = pair[1]
            return out, put
        build = self.collected(make, self.walk(clauses, lambda fr: (key(fr), val(fr))))

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
        clauses, inner = self.loop(node.generators, node.elt, env, depth)
        return self.walk(clauses, self.value(node.elt, inner, depth))


def _size(node) -> int:
    """How many nodes the tree of `node` has."""
    return len(tree_nodes(node))


def tree_nodes(tree) -> list:
    """The nodes of `tree` in the order `ast.walk` gives them (breadth first), as a list: about
    twice as quick as `ast.walk`, which compiling the standard rules would call thousands of times."""
    out = [tree]
    for node in out:  # grows as it goes
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                out.append(value)
            elif isinstance(value, list):
                out.extend(item for item in value if isinstance(item, ast.AST))
    return out
