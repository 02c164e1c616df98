"""Canonical YAML (nap_rules.load.canonical) of an imported document, written faster.

`canonical.dump_document` builds YAML nodes and runs PyYAML's pure-Python emitter, which is
most of an import's time for a large plan. Most plan documents hold only plain block mappings,
sequences and simple scalars, for which the emitter's output is fixed: this writes those from
the same nodes directly, and hands any document with something else (a quoted or multi-line
text, an empty key, a long key, a tag that would need writing) to PyYAML whole. The result is
the same text either way (tests/test_workbook.py compares them on the published plan and on
generated plans).
"""

from __future__ import annotations

import re

import yaml

from ..load import canonical

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
# text PyYAML writes plain when nothing else reads it as another type: no indicator first, no
# ': ' or ' #', no quotes, no leading or trailing space, printable ASCII
_SIMPLE = re.compile(r"[A-Za-z0-9_(][A-Za-z0-9 _.,/()+&%=;$-]*\Z")
_RESOLVERS = canonical.yaml.resolver.Resolver.yaml_implicit_resolvers
_MAX_KEY = 128


class _NotSimple(Exception):
    pass


def dump(doc, kind: str) -> str:
    """The same text as `canonical.dump_document(doc, kind)`."""
    schema = canonical._schema(kind) if kind else {}
    node = canonical._node(doc, schema, schema)
    out: list[str] = []
    try:
        _mapping(node, 0, out, True)
    except _NotSimple:
        return yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=canonical._WIDTH)
    return "".join(out)


def _resolves(text: str) -> str:
    for tag, regexp in _RESOLVERS.get(text[:1], ()):
        if regexp.match(text):
            return tag
    return _STR


def _scalar(node, key: bool = False) -> str:
    if node.__class__ is not yaml.ScalarNode or node.style is not None:
        raise _NotSimple
    tag, text = node.tag, node.value
    if key and len(text) + len(tag) - len(_TAG) + 2 >= _MAX_KEY:  # the emitter counts the key's tag (`!!str`)
        raise _NotSimple
    if tag == _STR:
        if not _SIMPLE.match(text) or text.endswith(" ") or "  " in text:
            raise _NotSimple
        if _resolves(text) != _STR:
            return f"'{text}'"
        return text
    if tag in (_INT, _FLOAT, _BOOL, _NULL) and text and _resolves(text) == tag:
        return text
    raise _NotSimple


def _mapping(node, indent: int, out: list, first_inline: bool) -> None:
    pad = " " * indent
    for i, (key, value) in enumerate(node.value):
        out.append(("" if i == 0 and first_inline else pad) + _scalar(key, True) + ":")
        _value(value, indent, out)


def _value(node, indent: int, out: list) -> None:
    cls = node.__class__
    if cls is yaml.ScalarNode:
        out.append(" " + _scalar(node) + "\n")
    elif cls is yaml.MappingNode:
        if node.flow_style or not node.value:
            if node.value:
                raise _NotSimple
            out.append(" {}\n")
            return
        out.append("\n")
        _mapping(node, indent + 2, out, False)
    elif cls is yaml.SequenceNode:
        if not node.value:
            out.append(" []\n")
            return
        if node.flow_style:
            raise _NotSimple
        out.append("\n")
        _sequence(node, indent, out)
    else:
        raise _NotSimple


def _sequence(node, indent: int, out: list) -> None:
    pad = " " * indent
    for item in node.value:
        cls = item.__class__
        if cls is yaml.ScalarNode:
            out.append(f"{pad}- {_scalar(item)}\n")
        elif cls is yaml.MappingNode and item.value and not item.flow_style:
            out.append(f"{pad}- ")
            _mapping(item, indent + 2, out, True)
        else:
            raise _NotSimple
