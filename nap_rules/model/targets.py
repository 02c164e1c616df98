"""What an indicator's yearly targets mean as numbers: relative targets resolved.

One definition for the rules (`resolve_targets` in the expression language) and the reviewer's
report, so that both read "+5% of baseline" the same way (docs/model.md, indicator).
"""

from __future__ import annotations

from decimal import Decimal


def resolve_targets(targets: dict, baseline) -> dict:
    """Targets by year, in year order, each a number or None.

    `{relative: r, of: baseline}` is baseline * (1 + r/100); `{relative: r, of: previous}` is
    the value before it (the latest earlier year with a number, else the baseline) times
    (1 + r/100). With `unit: points` the reference is moved by r percentage points instead
    (baseline + r); `unit: percent`, or no unit, is the per cent reading. A relative target whose reference is unknown (no baseline) is None, as is "-".
    Values are the checked plan's: numbers, None, or relative targets; decimals are computed in
    the caller's decimal context.
    """
    out = {}
    previous = baseline
    for year in sorted(targets, key=int):
        value = targets[year]
        if isinstance(value, dict):
            base = baseline if value.get("of") == "baseline" else previous
            if base is None:
                value = None
            elif value.get("unit") == "points":
                value = Decimal(base) + Decimal(value["relative"])
            else:
                value = Decimal(base) * (100 + Decimal(value["relative"])) / 100
        out[year] = value
        if value is not None:
            previous = value
    return out
