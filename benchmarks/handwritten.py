#!/usr/bin/env python3
"""The six benchmark checks written by hand: what an ideal special-purpose checker costs.

    python benchmarks/handwritten.py PLAN_DIR      # prints the violation counts as JSON

Files are read with PyYAML's C loader (libyaml) with the garbage collector paused, then
checked in one pass of plain Python. `run(plan_dir)` returns the counts; `parse_only(plan_dir)`
only loads the files, for a benchmark runner to separate parse cost from check cost.

Counting rules (benchmarks/generate.py injects each defect as exactly one violation of its own
kind and none of the others). Measures are taken in file order: goals/*.yaml sorted by name,
then document order.

no_responsible       One per measure whose `responsible` list is absent or empty.

unregistered_body    One per name in a measure's `responsible` or `contributing` list that is
                     neither an institution id nor an alias in institutions.yaml.

bad_dates            One per measure whose start or deadline is missing, or start > deadline,
                     or start or deadline lies outside plan.yaml `period` [start, end]. A
                     measure counts once, however many of these hold.

target_outside_span  One per measure indicator with at least one non-null target (a number or
                     a relative target) in a year y where not start <= y <= deadline of its
                     measure. The test is the same whatever the dates: the span is taken as
                     written, so when start > deadline it is empty and every non-null target
                     is outside it, and a span reaching outside the period is not clipped.
                     Indicators of a measure without a start or deadline are not tested. (The
                     generator gives bad_dates measures targets only inside their own span,
                     none when it is empty, so a bad_dates defect never counts here.)

budget_mismatch      One per goal line in budget.yaml with total_cost != planned + gap; plus
                     one per (goal, nature) pair, over the pairs that have a goal line or a
                     measure cost item, where the sum of `amount` over the cost items of the
                     goal's measures with that nature differs from the summed total_cost of the
                     goal's lines with that nature (a side with nothing is 0).

duplicate_measure_id One per measure whose id an earlier measure already has: an id used k
                     times counts k - 1.
"""

from __future__ import annotations

import gc
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

KINDS = (
    "no_responsible",
    "unregistered_body",
    "bad_dates",
    "target_outside_span",
    "budget_mismatch",
    "duplicate_measure_id",
)


def _load(path: Path):
    with open(path, "rb") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)


def parse_only(plan_dir) -> dict:
    """Load every plan file with the C loader, gc paused: {"plan": …, "goals": […], …}."""
    plan_dir = Path(plan_dir)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return {
            "plan": _load(plan_dir / "plan.yaml"),
            "institutions": _load(plan_dir / "institutions.yaml"),
            "goals": [_load(p) for p in sorted((plan_dir / "goals").glob("*.yaml"))],
            "indicators": _load(plan_dir / "indicators.yaml"),
            "budget": _load(plan_dir / "budget.yaml"),
        }
    finally:
        if enabled:
            gc.enable()


def check(docs: dict) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    known = set()
    for body in docs["institutions"].get("institutions") or []:
        known.add(body["id"])
        known.update(body.get("aliases") or [])
    period = docs["plan"]["period"]
    first, last = period["start"], period["end"]

    seen = set()
    costs = defaultdict(int)  # (goal, nature) -> sum of measure cost amounts
    for goal in docs["goals"]:
        goal_id = goal["id"]
        for objective in goal.get("objectives") or []:
            for m in objective.get("measures") or []:
                if m["id"] in seen:
                    counts["duplicate_measure_id"] += 1
                seen.add(m["id"])
                responsible = m.get("responsible") or []
                if not responsible:
                    counts["no_responsible"] += 1
                for name in responsible + (m.get("contributing") or []):
                    if name not in known:
                        counts["unregistered_body"] += 1
                start, deadline = m.get("start"), m.get("deadline")
                if start is None or deadline is None:
                    counts["bad_dates"] += 1
                else:
                    if start > deadline or not (first <= start <= last and first <= deadline <= last):
                        counts["bad_dates"] += 1
                    for ind in m.get("indicators") or []:
                        targets = ind.get("targets") or {}
                        if any(v is not None and not start <= int(y) <= deadline
                               for y, v in targets.items()):
                            counts["target_outside_span"] += 1
                for item in m.get("cost") or []:
                    costs[goal_id, item["nature"]] += item.get("amount") or 0

    totals = defaultdict(int)  # (goal, nature) -> summed total_cost of the goal lines
    for line in (docs["budget"] or {}).get("lines") or []:
        total = line.get("total_cost") or 0
        if total != (line.get("planned") or 0) + (line.get("gap") or 0):
            counts["budget_mismatch"] += 1
        totals[line["goal"], line["nature"]] += total
    for key in costs.keys() | totals.keys():
        if costs.get(key, 0) != totals.get(key, 0):
            counts["budget_mismatch"] += 1
    return counts


def run(plan_dir) -> dict[str, int]:
    """The violation counts per kind for the plan folder."""
    return check(parse_only(plan_dir))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python benchmarks/handwritten.py PLAN_DIR", file=sys.stderr)
        return 2
    print(json.dumps(run(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
