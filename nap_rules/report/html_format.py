"""Numbers and text as the HTML report prints them: exact (int and Decimal, never through float)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from ..model.values import is_number

CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
_CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def fmt_num(value) -> str:
    """A number as printed, with thousands separators; exact for int and Decimal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return format(value, ",f")
    return str(value)


def rounded(value, places: Decimal = _CENT) -> Decimal:
    """`value` to two decimals (half to even), trailing zeros after the point dropped."""
    with localcontext(CONTEXT):
        q = Decimal(value).quantize(places)
        if q == q.to_integral_value():
            return q.quantize(Decimal(1))
        return q.normalize() if q.as_tuple().exponent < 0 else q


def fmt_rounded(value) -> str:
    return "" if value is None else fmt_num(rounded(value))


def share(part, whole) -> Decimal | None:
    if not whole:
        return None
    with localcontext(CONTEXT):
        return Decimal(part) * 100 / Decimal(whole)


def sum_numbers(values) -> int | Decimal:
    total = 0
    for v in values:
        if is_number(v):
            total += v
    return total


def text_of(value) -> str | None:
    """A scalar field as text, numbers as written (a year is 2021, not 2,021); None for absent,
    lists or mappings."""
    if value is None or isinstance(value, (dict, list, tuple)):
        return None
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    return str(value)
