"""Writes the plan graph (docs/model.md) for other tools: node-link JSON, GraphML or DOT.

networkx writes all three; this module only turns attribute values into what each format can
hold (locations as `file:line:column`, exact decimals as text, lists and mappings as JSON).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import networkx as nx

from ..load.locations import Location

FORMATS = ("json", "graphml", "dot")
_DROPPED = {"field_locs"}  # per-key positions: for reports, not for other tools


def _plain(value):
    """A JSON-ready copy of a plan value: exact numbers stay exact (integers, or decimal text)."""
    if isinstance(value, Location):
        return f"{value.file}:{value.line}:{value.column}"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _scalar(value):
    """GraphML and DOT attributes are scalars: anything structured becomes its JSON text."""
    value = _plain(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def exportable(graph: nx.MultiDiGraph, scalar: bool) -> nx.MultiDiGraph:
    convert = _scalar if scalar else _plain
    out = nx.MultiDiGraph()
    for key, attrs in graph.nodes(data=True):
        out.add_node(key, **{k: convert(v) for k, v in attrs.items() if k not in _DROPPED and v is not None})
    for u, v, k, attrs in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **{a: convert(b) for a, b in attrs.items() if b is not None})
    return out


def render(graph: nx.MultiDiGraph, fmt: str) -> str:
    if fmt == "json":
        # each node's graph key goes under "key": "id" is the plan id, a field like the others
        data = nx.node_link_data(exportable(graph, scalar=False), edges="edges", name="key")
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "graphml":
        buffer = io.BytesIO()
        nx.write_graphml(exportable(graph, scalar=True), buffer, encoding="utf-8")
        return buffer.getvalue().decode("utf-8")
    if fmt == "dot":
        try:
            import pydot  # noqa: F401 - networkx's DOT writer imports it only when called
        except ImportError:
            raise RuntimeError("DOT output needs pydot: pip install pydot") from None
        from networkx.drawing.nx_pydot import to_pydot
        # a drawing needs kinds and relations only; keys are quoted, DOT reads ':' as a port
        dot = nx.MultiDiGraph()
        for key, attrs in graph.nodes(data=True):
            dot.add_node(json.dumps(key), kind=attrs["kind"], label=json.dumps(f"{attrs['kind']} {attrs['id']}"))
        for u, v, attrs in graph.edges(data=True):
            dot.add_edge(json.dumps(u), json.dumps(v), label=attrs["rel"])
        return to_pydot(dot).to_string()
    raise ValueError(f"unknown graph format {fmt!r}; one of {', '.join(FORMATS)}")
