"""Writes a loaded plan document back as canonical YAML, so tools that rewrite plans lose nothing.

`dump_document(doc)` takes what `load.yaml_reader` returns (or any mapping of the same plain data) and
gives YAML text that reads back to an identical model:

- block style throughout; `schema` first, then the keys in the order of the file kind's JSON
  Schema (`schemas/<kind>.schema.json`), then any other keys sorted (year keys in numeric
  order); list order is kept, it is part of the plan;
- exact numbers: an `int` as written, a `Decimal` with every digit and its exponent (`40.40`
  stays `40.40`, `5.` stays a decimal and is not turned into the integer 5); binary floats,
  NaN and infinity are refused, as the loader refuses them;
- year keys (text made of digits, `"2021"`) are written as integers, which the loader reads
  back as the same text;
- a string is quoted whenever YAML would read it as something else (`"2021"`, `"yes"`,
  `"null"`, `"1.5"`, `"0100"`), written as a literal block when it has line breaks, and in
  double quotes with escapes when it holds characters a plan file cannot hold raw (control
  characters, U+0085/U+2028/U+2029, a byte-order mark);
- no anchors or aliases, whatever the input shares.

Comments and the author's spacing are not part of the model and are not kept.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

import yaml

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (
    _TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
_YEAR_KEY = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_RAW_FORBIDDEN = ("\x85", "\u2028", "\u2029")  # the loader refuses them written raw
_WIDTH = 1 << 20  # never fold a long value over several lines


class CanonicalError(ValueError):
    """A value that has no exact canonical form (a binary float, NaN, an unknown type)."""


def dump_document(doc, kind: str | None = None) -> str:
    """Canonical YAML text of one plan document (see the module docstring)."""
    if kind is None and isinstance(doc, dict) and isinstance(doc.get("schema"), str):
        parts = doc["schema"].split("/")
        kind = parts[1] if len(parts) == 3 else None
    schema = _schema(kind) if kind else {}
    node = _node(doc, schema, schema)
    return yaml.serialize(node, Dumper=yaml.SafeDumper, allow_unicode=True, width=_WIDTH)


@lru_cache(maxsize=None)
def _schema(kind: str) -> dict:
    from .schema_check import schema_for

    try:
        return schema_for(kind)
    except (OSError, ValueError):
        return {}


# --- the schema, as a guide to key order ---------------------------------------------------

def _resolve(root: dict, schema) -> dict:
    for _ in range(32):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {}
        schema = root
        for part in ref[2:].split("/"):
            schema = schema.get(part, {}) if isinstance(schema, dict) else {}
    return schema if isinstance(schema, dict) else {}


def _branch(root: dict, schema, value) -> dict:
    """The (sub)schema that describes `value`: through $ref, and the fitting anyOf/oneOf branch."""
    schema = _resolve(root, schema)
    for word in ("anyOf", "oneOf"):
        if word not in schema:
            continue
        for sub in schema[word]:
            sub = _resolve(root, sub)
            if isinstance(value, dict) and (sub.get("type") == "object" or "properties" in sub):
                props = sub.get("properties")
                if props is None or sub.get("additionalProperties", True) is not False or set(value) <= set(props):
                    return _branch(root, sub, value)
            elif isinstance(value, list) and (sub.get("type") == "array" or "items" in sub):
                return _branch(root, sub, value)
        return {}
    return schema


def _key_order(schema: dict, mapping: dict) -> list:
    known = [k for k in schema.get("properties", {}) if k in mapping]
    rest = sorted((k for k in mapping if k not in known), key=_sort_key)
    keys = known + rest
    if "schema" in mapping:
        keys.remove("schema")
        keys.insert(0, "schema")
    return keys


def _sort_key(key):
    text = str(key)
    return (0, int(text), "") if _YEAR_KEY.match(text) else (1, 0, text)


def _child(root: dict, schema: dict, key) -> dict:
    props = schema.get("properties", {})
    if key in props:
        return props[key]
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else {}


# --- values to YAML nodes --------------------------------------------------------------------

def _node(value, schema, root: dict):
    if isinstance(value, dict):
        schema = _branch(root, schema, value)
        pairs = [(_key_node(key), _node(value[key], _child(root, schema, key), root))
                 for key in _key_order(schema, value)]
        return yaml.MappingNode(_MAP, pairs, flow_style=False)
    if isinstance(value, (list, tuple)):
        schema = _branch(root, schema, value)
        items = schema.get("items", {})
        return yaml.SequenceNode(_SEQ, [_node(v, items, root) for v in value], flow_style=False)
    return _scalar(value)


def _key_node(key):
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise CanonicalError(f"a mapping key must be text or a whole number, not {key!r}")
    if isinstance(key, int) or _YEAR_KEY.match(key):
        return yaml.ScalarNode(_INT, str(int(key)))
    return _string(key)


def _scalar(value):
    if value is None:
        return yaml.ScalarNode(_NULL, "null")
    if isinstance(value, bool):
        return yaml.ScalarNode(_BOOL, "true" if value else "false")
    if isinstance(value, int):
        return yaml.ScalarNode(_INT, str(value))
    if isinstance(value, Decimal):
        return yaml.ScalarNode(_FLOAT, decimal_text(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float):
        raise CanonicalError(f"binary float {value!r}: plan amounts are int or Decimal, written exactly")
    raise CanonicalError(f"cannot write a {type(value).__name__} in a plan file")


def decimal_text(value: Decimal) -> str:
    """The exact YAML text of a Decimal: every digit, the exponent, and always a '.' (a float to YAML)."""
    if not value.is_finite():
        raise CanonicalError(f"{value} is not a finite number; plans hold finite amounts only")
    mantissa, e, exponent = str(value).partition("E")
    if "." not in mantissa:
        mantissa += "."
    return mantissa + ("e" + exponent if e else "")


def _string(text: str):
    if any(ch in text for ch in _RAW_FORBIDDEN):
        style = '"'
    elif "\n" in text:
        style = "|"  # the emitter falls back to double quotes when a block cannot be exact
    else:
        style = None
    return yaml.ScalarNode(_STR, text, style=style)
