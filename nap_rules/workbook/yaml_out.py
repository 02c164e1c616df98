"""Canonical YAML (nap_rules.load.canonical) of an imported document, written faster.

`canonical.dump_document` builds YAML nodes and runs PyYAML's pure-Python emitter, which is
most of an import's time for a large plan. Most plan documents hold only plain block mappings,
sequences and simple scalars, for which the emitter's output is fixed: this writes those
straight from the data, in the key order `canonical` takes from the schema, and hands any
document with something else (a quoted or multi-line text, an empty key, a long key, a tag
that would need writing, a value `canonical` refuses) to `canonical` and PyYAML whole. The
result is the same text either way (tests/test_workbook.py compares them on the published plan,
on generated plans and on random documents).
"""

from __future__ import annotations

import re
from decimal import Decimal

import yaml

from ..load import canonical

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
# text PyYAML writes plain when nothing else reads it as another type: no indicator first, no
# ': ' or ' #', no quotes, no leading or trailing space, printable ASCII
_SIMPLE = re.compile(r"[A-Za-z0-9_(][A-Za-z0-9 _.,/()+&%=;$-]*\Z")
_RESOLVERS = canonical.yaml.resolver.Resolver.yaml_implicit_resolvers
_MAX_KEY = 128
_MAX_KEPT = 10_000
_KEYS: dict = {}  # (type, key) -> its text and ':' as written, for the first keys met
_BRANCHES: dict = {}  # (id(root), id(schema)) -> (root, schema, resolved), for schemas without anyOf/oneOf


class _NotSimple(Exception):
    pass


def dump(doc, kind: str) -> str:
    """The same text as `canonical.dump_document(doc, kind)`."""
    schema = canonical._schema(kind) if kind else {}
    out: list[str] = []
    try:
        if not isinstance(doc, dict):
            raise _NotSimple
        _mapping(doc, schema, schema, "", out, True)
    except _NotSimple:
        node = canonical._node(doc, schema, schema)
        return yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=canonical._WIDTH)
    return "".join(out)


def _resolves(text: str) -> str:
    for tag, regexp in _RESOLVERS.get(text[:1], ()):
        if regexp.match(text):
            return tag
    return _STR


def _text(text: str) -> str:
    """A text value written plain, or in single quotes where YAML would read it as another type."""
    if not _SIMPLE.match(text) or text.endswith(" ") or "  " in text:
        raise _NotSimple
    return text if _resolves(text) == _STR else f"'{text}'"


def _key(key) -> str:
    cls = key.__class__
    found = _KEYS.get((cls, key))
    if found is not None:
        return found
    if cls is int or (cls is str and canonical._YEAR_KEY.match(key)):
        raw, tag = str(int(key)), "int"
        if _resolves(raw) != _INT:
            raise _NotSimple
        text = raw
    elif cls is str:
        raw, tag = key, "str"
        text = _text(key)
    else:
        raise _NotSimple  # a subclass, or a type canonical refuses: its own path decides
    if len(raw) + len(tag) + 2 >= _MAX_KEY:  # the emitter counts the key's tag (`!!str`)
        raise _NotSimple
    found = text + ":"
    if len(_KEYS) < _MAX_KEPT:
        _KEYS[(cls, key)] = found
    return found


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value)
        tag = _INT
    elif isinstance(value, Decimal):
        text = canonical.decimal_text(value)
        tag = _FLOAT
    elif isinstance(value, str):
        return _text(value)
    else:
        raise _NotSimple
    if _resolves(text) != tag:
        raise _NotSimple
    return text


def _branch(root: dict, schema, value) -> dict:
    """canonical._branch, remembered for the schemas whose branch does not depend on the value."""
    if not schema:
        return {}
    found = _BRANCHES.get((id(root), id(schema)))
    if found is not None and found[0] is root and found[1] is schema:
        return found[2]
    resolved = canonical._resolve(root, schema)
    if "anyOf" in resolved or "oneOf" in resolved:
        return canonical._branch(root, schema, value)
    if len(_BRANCHES) < _MAX_KEPT:  # kept alive here, so that their ids are not reused
        _BRANCHES[(id(root), id(schema))] = (root, schema, resolved)
    return resolved


def _mapping(value: dict, schema, root: dict, pad: str, out: list, first_inline: bool) -> None:
    schema = _branch(root, schema, value)
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    extra = extra if isinstance(extra, dict) else {}
    for i, key in enumerate(canonical._key_order(schema, value)):
        out.append(("" if i == 0 and first_inline else pad) + _key(key))
        item = value[key]
        if isinstance(item, dict):
            if not item:
                out.append(" {}\n")
                continue
            out.append("\n")
            _mapping(item, props[key] if key in props else extra, root, pad + "  ", out, False)
        elif isinstance(item, (list, tuple)):
            if not item:
                out.append(" []\n")
                continue
            out.append("\n")
            _sequence(item, props[key] if key in props else extra, root, pad, out)
        else:
            out.append(" " + _scalar(item) + "\n")


def _sequence(value, schema, root: dict, pad: str, out: list) -> None:
    items = _branch(root, schema, value).get("items", {})
    for item in value:
        if isinstance(item, dict):
            if not item:
                raise _NotSimple
            out.append(f"{pad}- ")
            _mapping(item, items, root, pad + "  ", out, True)
        elif isinstance(item, (list, tuple)):
            raise _NotSimple
        else:
            out.append(f"{pad}- {_scalar(item)}\n")
