"""Functions of the rule language that walk the plan graph: parent, children, related, nodes, lookup.

Each takes the evaluation frame first (lang.functions); a node argument left out is the node
the rule is evaluated on."""

from __future__ import annotations

from ..model.index import NodeView
from ..model.values import render
from .runtime import EvalError, Frame, type_name

_THIS = object()  # the default node argument: the node the rule is evaluated on


def _key(fr: Frame, node, fname: str):
    if node is _THIS:
        return fr.key
    if type(node) is NodeView:
        return node.key
    raise EvalError(f"{fname}(): expected a node, got {type_name(node)} {render(node, 60)}")


def _views(fr: Frame, keys) -> list[NodeView]:
    fr.charge(len(keys))
    return fr.index.views(keys)


def f_parent(fr, kind, node=_THIS):
    index = fr.index
    found = index.ancestor(fr.key if node is _THIS else _key(fr, node, "parent"), kind)
    return None if found is None else index.view(found)


def f_children(fr, rel, node=_THIS):
    return _views(fr, fr.index.outgoing(_key(fr, node, "children"), rel))


def f_related(fr, rel, node=_THIS):
    return _views(fr, fr.index.outgoing(_key(fr, node, "related"), rel))


def f_related_in(fr, rel, node=_THIS):
    return _views(fr, fr.index.incoming(_key(fr, node, "related_in"), rel))


def f_descendants(fr, kind, node=_THIS):
    return _views(fr, fr.index.descendants(_key(fr, node, "descendants"), kind))


def f_nodes(fr, kind):
    return _views(fr, fr.index.nodes_of(kind))


def f_node(fr, key):
    if isinstance(key, str) and fr.index.has_node(key):
        return fr.index.view(key)
    return None


def f_plan(fr):
    key = fr.index.plan_key
    return None if key is None or key not in fr.index.attrs else fr.index.view(key)


def f_lookup(fr, kind, field_name, value):
    return _views(fr, fr.index.lookup(kind, field_name, value))


def f_duplicates_of(fr, field_name, node=_THIS):
    key = _key(fr, node, "duplicates_of")
    attrs = fr.index.attrs[key]
    same = fr.index.lookup(attrs.get("kind"), field_name, attrs.get(field_name), normalized=True)
    return _views(fr, [k for k in same if k != key]) if len(same) > 1 else []
