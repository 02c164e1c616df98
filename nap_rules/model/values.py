"""Plan values as the rules and reports see them: type names, number checks, stable order, text.

A plan value is None, a bool, an int or exact Decimal, text, a date, a list, a set, a mapping,
a node (NodeView) or a Location. Rules, messages, the HTML report, the catalogue and plan diffs
all write values through `render`, so a value reads the same wherever it appears, and through
`format_value` where a message placeholder names a format (`{total:money}`, `{share:pct}`).
"""

from __future__ import annotations

import datetime
import decimal
import difflib
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

# --- formats: how a message placeholder, --explain, the HTML report and diffs write a value ---

FORMAT_NAMES = ("money", "num", "pct", "list", "date")
MAX_DECIMALS = 12  # `{x:.N}`: N from 0 to this


def format_problem(spec: str) -> str | None:
    """None if `spec` is a known format, else why not (with a suggestion)."""
    if spec in FORMAT_NAMES:
        return None
    if spec.startswith(".") and spec[1:].isdigit() and spec[1:].isascii():
        if int(spec[1:]) <= MAX_DECIMALS:
            return None
        return f"at most {MAX_DECIMALS} decimals (`.0` to `.{MAX_DECIMALS}`)"
    known = ", ".join(f"`{n}`" for n in FORMAT_NAMES) + ", `.N` (N decimals)"
    match = difflib.get_close_matches(spec, FORMAT_NAMES, n=1, cutoff=0.5)
    hint = f" (did you mean `{match[0]}`?)" if match else ""
    return f"unknown format `{spec}`{hint}; the formats are {known}"


def format_value(value, spec: str | None, limit: int = 10_000) -> str:
    """`value` as a placeholder `{value:spec}` writes it; ValueError if it has the wrong type.

    money: 138,302,992 (thousands separators; two decimals unless whole); num: 25 or 25.50
    (two decimals unless whole, no separators); pct: 88.44%;
    .N: N decimals; list: items separated by commas; date: 2024-06-30. Halves round away
    from zero. None is `none` in every format.
    """
    if spec is None or value is None:
        return render(value, limit)
    if spec == "list":
        if isinstance(value, dict):
            items = [f"{render(k, limit)}: {render(value[k], limit)}" for k in mapping_keys(value)]
        elif isinstance(value, (list, tuple, range, set, frozenset)):
            seq = ordered(value) if isinstance(value, (set, frozenset)) else value
            items = [render(item, limit) for item in seq]
        else:
            return render(value, limit)
        text = ", ".join(items)
        return text if len(text) <= limit else text[:limit] + "…"
    if spec == "date":
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise ValueError(f"format `date` needs a date, got {type_name(value)} {render(value, 60)}")
    if not is_number(value):
        raise ValueError(f"format `{spec}` needs a number, got {type_name(value)} "
                         f"{render(value, 60)}")
    number = Decimal(value)
    if spec == "money":
        if number == number.to_integral_value():
            return f"{int(number):,}"
        return format(_rounded(number, 2), ",f")
    if spec == "num":
        if number == number.to_integral_value():
            return str(int(number))
        return format(_rounded(number, 2), "f")
    if spec == "pct":
        return format(_rounded(number, 2), "f") + "%"
    return format(_rounded(number, int(spec[1:])), "f")


def _rounded(number: Decimal, places: int) -> Decimal:
    with decimal.localcontext() as ctx:
        ctx.prec = max(number.adjusted(), 0) + places + 2
        return number.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
