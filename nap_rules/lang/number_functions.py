"""Functions of the rule language over numbers, dates and value types: abs, round, share, date, type_of."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from ..model.targets import resolve_targets
from ..model.values import is_number, render
from .collection_functions import expect_mapping, f_years
from .runtime import EvalError, bounded, number, type_name


def f_abs(fr, x):
    return abs(number(x, "abs()"))


def f_round(fr, x, ndigits=0):
    number(x, "round()")
    if not isinstance(ndigits, int) or isinstance(ndigits, bool) or abs(ndigits) > 28:
        raise EvalError("round(): the number of digits must be a whole number from -28 to 28")
    rounded = Decimal(x).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)
    return int(rounded) if ndigits <= 0 else rounded


def f_isclose(fr, a, b, tolerance=0):
    number(a, "isclose() first value")
    number(b, "isclose() second value")
    number(tolerance, "isclose() tolerance")
    return abs(a - b) <= tolerance


def f_share(fr, part, whole):
    number(part, "share() part")
    number(whole, "share() whole")
    if whole == 0:
        raise EvalError("share(): the whole is zero")
    return bounded(Decimal(part) * 100 / Decimal(whole), fr.limits)


def f_interpolate(fr, x0, y0, x1, y1, x):
    for v, what in ((x0, "x0"), (y0, "y0"), (x1, "x1"), (y1, "y1"), (x, "x")):
        number(v, f"interpolate() {what}")
    if x1 == x0:
        raise EvalError("interpolate(): x0 and x1 are equal")
    return bounded(y0 + Decimal(y1 - y0) * (x - x0) / (x1 - x0), fr.limits)


def f_resolve_targets(fr, targets, baseline):
    """Targets by year with relative targets turned into numbers (nap_rules.model.targets)."""
    targets = expect_mapping(targets, "resolve_targets")
    if baseline is not None:
        number(baseline, "resolve_targets() baseline")
    by_year = {}
    for year in f_years(fr, targets):
        value = targets[year] if year in targets else targets[str(year)]
        if isinstance(value, dict):
            number(value.get("relative"), "resolve_targets() relative")
            if value.get("of") not in ("baseline", "previous"):
                raise EvalError(f"resolve_targets(): `of` must be baseline or previous, not {render(value.get('of'), 40)}")
        elif value is not None:
            number(value, f"resolve_targets() target for {year}")
        by_year[year] = value
    return {year: None if value is None else bounded(value, fr.limits)
            for year, value in resolve_targets(by_year, baseline).items()}


def f_is_number(fr, x):
    return is_number(x)


def f_type_of(fr, x):
    return type_name(x)


def f_date(fr, *args):
    try:
        if len(args) == 1 and isinstance(args[0], str) and len(args[0]) <= 10:
            return datetime.date.fromisoformat(args[0])
        if len(args) == 3 and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return datetime.date(*args)
    except ValueError as exc:
        raise EvalError(f"date(): {exc}") from None
    raise EvalError("date(): expected 'YYYY-MM-DD' or year, month, day")
