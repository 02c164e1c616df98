"""The changes between two plan graphs, in plan terms: what a reviewer of a revision looks for.

Goals and objectives added, removed or retitled; measures added, removed, retitled, re-dated,
moved to another objective, responsibility moved;
indicators added or removed, targets and baselines changed; budget lines and published totals
changed, with the absolute and relative change of amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model.values import is_number

MONEY = ("total_cost", "planned", "gap")
QUANTITIES = frozenset({"target_changed", "baseline_changed", "budget_line_changed", "total_changed"})

# kind -> heading in the text output, in output order
SECTIONS = {
    "goal_added": "Goals and objectives", "goal_removed": "Goals and objectives",
    "goal_retitled": "Goals and objectives", "objective_added": "Goals and objectives",
    "objective_removed": "Goals and objectives", "objective_retitled": "Goals and objectives",
    "measure_added": "Measures", "measure_removed": "Measures", "measure_retitled": "Measures",
    "measure_redated": "Measures", "measure_moved": "Measures", "responsibility_moved": "Responsibility",
    "indicator_added": "Indicators", "indicator_removed": "Indicators", "target_changed": "Indicators",
    "baseline_changed": "Indicators", "budget_line_added": "Budget", "budget_line_removed": "Budget",
    "budget_line_changed": "Budget", "total_changed": "Budget",
}


@dataclass(frozen=True)
class Change:
    kind: str  # a key of SECTIONS
    node: str  # the node key in the plan that changed (NEW's, or OLD's when removed)
    field: str = ""  # e.g. "responsible", "targets.2022", "total_cost", "published_totals.in_currency.EUR.gap"
    old: Any = None
    new: Any = None

    @property
    def delta(self):
        """new - old for amounts and indicator values (not for years); None otherwise."""
        if self.kind not in QUANTITIES or self.field.endswith(".year"):
            return None
        return self.new - self.old if is_number(self.old) and is_number(self.new) else None

    @property
    def percent(self):
        if self.delta is None or self.old == 0:
            return None
        return (Decimal(self.delta) * 100 / Decimal(self.old)).quantize(Decimal("0.01"))

    def to_json(self) -> dict:
        out = {"kind": self.kind, "node": self.node, "field": self.field,
               "old": plain(self.old), "new": plain(self.new)}
        if self.delta is not None:
            out["delta"] = plain(self.delta)
            out["percent"] = plain(self.percent)
        return out


def _nodes(graph, kind: str) -> dict:
    return {key: attrs for key, attrs in graph.nodes(data=True) if attrs.get("kind") == kind}


def plan_changes(old, new) -> list[Change]:
    changes: list[Change] = []
    changes += _outline_changes(old, new, "goal") + _outline_changes(old, new, "objective")
    changes += _measure_changes(old, new)
    changes += _indicator_changes(old, new)
    changes += _budget_changes(old, new)
    changes += _total_changes(old, new)
    order = list(dict.fromkeys(SECTIONS))
    return sorted(changes, key=lambda c: (order.index(c.kind), _natural(c.node), c.field))


def _outline_changes(old, new, kind: str) -> list[Change]:
    """Goals or objectives added, removed or retitled."""
    before, after = _nodes(old, kind), _nodes(new, kind)
    out = [Change(f"{kind}_added", k, "title", None, after[k].get("title")) for k in after.keys() - before.keys()]
    out += [Change(f"{kind}_removed", k, "title", before[k].get("title"), None) for k in before.keys() - after.keys()]
    out += [Change(f"{kind}_retitled", k, "title", before[k].get("title"), after[k].get("title"))
            for k in before.keys() & after.keys() if before[k].get("title") != after[k].get("title")]
    return out


def _measure_changes(old, new) -> list[Change]:
    before, after = _nodes(old, "measure"), _nodes(new, "measure")
    out = [Change("measure_added", k, "title", None, after[k].get("title")) for k in after.keys() - before.keys()]
    out += [Change("measure_removed", k, "title", before[k].get("title"), None) for k in before.keys() - after.keys()]
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        if a.get("title") != b.get("title"):
            out.append(Change("measure_retitled", key, "title", a.get("title"), b.get("title")))
        for name in ("start", "deadline"):
            if a.get(name) != b.get(name):
                out.append(Change("measure_redated", key, name, a.get(name), b.get(name)))
        if (a.get("goal"), a.get("objective")) != (b.get("goal"), b.get("objective")):
            out.append(Change("measure_moved", key, "objective", a.get("objective"), b.get("objective")))
        for rel in ("responsible", "contributing"):
            # compared as the bodies they resolve to: a new spelling of the same body is no move
            if _bodies(old, key, rel) != _bodies(new, key, rel):
                out.append(Change("responsibility_moved", key, rel, list(a.get(rel) or []), list(b.get(rel) or [])))
    return out


def _bodies(graph, key: str, rel: str) -> frozenset:
    return frozenset(v for _, v, data in graph.out_edges(key, data=True) if data.get("rel") == rel)


def _indicator_changes(old, new) -> list[Change]:
    before, after = _nodes(old, "indicator"), _nodes(new, "indicator")
    measures_both = _nodes(old, "measure").keys() & _nodes(new, "measure").keys()

    def reported(attrs) -> bool:  # indicators of an added or removed measure go with it
        return attrs.get("level") != "measure" or f"measure:{attrs.get('measure')}" in measures_both

    out = [Change("indicator_added", k, "name", None, after[k].get("name"))
           for k in after.keys() - before.keys() if reported(after[k])]
    out += [Change("indicator_removed", k, "name", before[k].get("name"), None)
            for k in before.keys() - after.keys() if reported(before[k])]
    for key in before.keys() & after.keys():
        a, b = before[key], after[key]
        ta, tb = a.get("targets") or {}, b.get("targets") or {}
        for year in sorted(set(ta) | set(tb)):
            if _value(ta.get(year)) != _value(tb.get(year)):
                out.append(Change("target_changed", key, f"targets.{year}", ta.get(year), tb.get(year)))
        ba, bb = a.get("baseline") or {}, b.get("baseline") or {}
        for name in ("value", "year"):
            if _value(ba.get(name)) != _value(bb.get(name)):
                out.append(Change("baseline_changed", key, f"baseline.{name}", ba.get(name), bb.get(name)))
    return out


def _budget_changes(old, new) -> list[Change]:
    before, after = _nodes(old, "budget_line"), _nodes(new, "budget_line")
    measures_both = _nodes(old, "measure").keys() & _nodes(new, "measure").keys()

    def reported(attrs) -> bool:
        return attrs.get("level") != "measure" or f"measure:{attrs.get('measure')}" in measures_both

    out = [Change("budget_line_added", k, "total_cost", None, after[k].get("total_cost"))
           for k in after.keys() - before.keys() if reported(after[k])]
    out += [Change("budget_line_removed", k, "total_cost", before[k].get("total_cost"), None)
            for k in before.keys() - after.keys() if reported(before[k])]
    for key in before.keys() & after.keys():
        for name in MONEY:
            a, b = before[key].get(name), after[key].get(name)
            if _value(a) != _value(b):
                out.append(Change("budget_line_changed", key, name, a, b))
    return out


def _total_changes(old, new) -> list[Change]:
    plan_old, plan_new = old.graph.get("plan"), new.graph.get("plan")
    a = _flatten((old.nodes[plan_old].get("budget_totals") if plan_old else None) or {}, "published_totals")
    b = _flatten((new.nodes[plan_new].get("budget_totals") if plan_new else None) or {}, "published_totals")
    node = plan_new or plan_old or "plan"
    return [Change("total_changed", node, name, a.get(name), b.get(name))
            for name in sorted(set(a) | set(b)) if _value(a.get(name)) != _value(b.get(name))]


def line_totals(old, new) -> list[Change]:
    """Sums of the plan's own budget lines (budget.yaml), so a changed line shows its effect."""
    def sums(graph) -> dict:
        lines = [a for a in _nodes(graph, "budget_line").values() if a.get("level") == "goal"]
        return {name: sum(a.get(name) or 0 for a in lines) for name in MONEY} if lines else {}

    a, b = sums(old), sums(new)
    node = new.graph.get("plan") or "plan"
    return [Change("total_changed", node, f"lines.{name}", a.get(name), b.get(name))
            for name in MONEY if a.get(name) != b.get(name)]


def _flatten(mapping, prefix: str) -> dict:
    out = {}
    for key, value in mapping.items():
        path = f"{prefix}.{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        else:
            out[path] = value
    return out


# --- values ------------------------------------------------------------------------------------

def _value(value):
    """A comparable form: 1 and 1.0 are the same target; mappings compare by content."""
    if isinstance(value, dict):
        return tuple(sorted((str(k), _value(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_value(v) for v in value)
    return Decimal(value) if is_number(value) else value


def plain(value):
    """JSON-ready: Decimal becomes int or float, mappings and lists plain containers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _natural(key: str) -> tuple:
    """measure:1.10.1 after measure:1.9.1."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in key.replace(":", ".").split("."))
