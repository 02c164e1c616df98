"""Plan values as the rules and reports see them: type names, number checks, stable order, text.

A plan value is None, a bool, an int or exact Decimal, text, a date, a list, a set, a mapping,
a node (NodeView) or a Location. Rules, messages, the HTML report, the catalogue and plan diffs
all write values through `render`, so a value reads the same wherever it appears.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import GeneratorType

from ..load.locations import Location
from .index import NodeView


def type_name(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple, range)):
        return "list"
    if isinstance(value, (set, frozenset)):
        return "set"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, NodeView):
        return "node"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, GeneratorType):
        return "generator"
    return "value"


def is_number(value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def ordered(items) -> list:
    """A set's items in a stable order, so that messages are the same on every run."""
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda v: (type_name(v), render(v, 200)))


def mapping_keys(mapping) -> list:
    """A mapping's keys in sorted order, so results do not depend on how a file orders them."""
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


class _Full(Exception):
    pass


def render(value, limit: int = 10_000) -> str:
    """A value as plain text: `none`, `true`, `1200.50`, `[2021, 2022]`, `measure:1.1.1`.

    Output longer than `limit` characters is cut with `…`.
    """
    parts: list[str] = []
    budget = [limit]

    def put(text: str) -> None:
        parts.append(text)
        budget[0] -= len(text)
        if budget[0] < 0:
            raise _Full

    def walk(v) -> None:
        if v is None:
            put("none")
        elif v is True or v is False:
            put("true" if v else "false")
        elif type(v) is Decimal:
            put(format(v, "f") if v.is_finite() and abs(v.adjusted()) < 100 else str(v))
        elif isinstance(v, (int, str)):
            put(str(v))
        elif isinstance(v, NodeView):
            put(str(v.key))
        elif isinstance(v, (datetime.date, Location)):
            put(str(v))
        elif isinstance(v, dict):
            put("{")
            for i, k in enumerate(mapping_keys(v)):
                put(", " if i else "")
                walk(k)
                put(": ")
                walk(v[k])
            put("}")
        elif isinstance(v, (list, tuple, range, set, frozenset)):
            items = ordered(v) if isinstance(v, (set, frozenset)) else v
            put("[")
            for i, item in enumerate(items):
                put(", " if i else "")
                walk(item)
            put("]")
        else:
            put(f"<{type_name(v)}>")

    try:
        walk(value)
    except _Full:
        return "".join(parts)[:limit] + "…"
    return "".join(parts)
