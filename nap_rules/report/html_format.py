"""Numbers and text as the HTML report prints them: exact (int and Decimal, never through float)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from ..model.values import format_value, is_number, render

CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
TENTH = Decimal("0.1")


def fmt_num(value) -> str:
    """An amount as a rule's `{x:money}` placeholder writes it (138,302,992; 250,000.50): the
    same function (model.values.format_value), exact for int and Decimal."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_value(value, "money")
    return str(value)


def fmt_plain(value) -> str:
    """A number as a placeholder without a format writes it (an exchange rate, a relative target)."""
    return "" if value is None else render(value)


def fmt_pct(value) -> str:
    """A share as `{x:pct}` writes it: 88.44%."""
    return "" if value is None else format_value(value, "pct")


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
