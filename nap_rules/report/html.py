"""The reviewer's report (`nap-rules report PLAN_DIR --html FILE`): one self-contained HTML page.

The page shows what a reviewer reads a plan for (the budget, the measures with their bodies,
dates and indicators, the findings) and puts each finding next to the element it concerns.
It is built in two steps: the checked plan is turned into a plain view (strings, numbers
already formatted, lists and dicts), then `templates/report.html.j2` renders that view with
Jinja2, with autoescaping on for every value, so that text from the plan files is always
text and never markup.

The budget checks it shows are the values the rules computed (nap_rules.report.html_budget);
the findings are grouped by cause (nap_rules.report.html_findings).

The page needs nothing else: its CSS is inline, its charts are inline SVG, and it loads no
script, font or image; its one inline script only filters the findings. Numbers are formatted exactly (int and Decimal, never through float)
and nothing in the page depends on the clock except the evaluation date given to it, so the
same input gives the same bytes.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from decimal import Decimal, localcontext
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import __version__
from ..model.targets import resolve_targets
from ..model.values import is_number
from .html_budget import budget_view
from .html_budget import linked as _out
from .html_findings import findings_view
from .html_format import CONTEXT as _CONTEXT
from .html_format import TENTH as _TENTH
from .html_format import fmt_num, fmt_plain  # noqa: F401 - fmt_num: part of this module's API
from .html_format import text_of as _text

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html.j2"
NOT_CHECKED = ("The plan breaks its schemas, so it could not be checked further: its graph was not built, "
               "no rule was run, and the budget and indicators cannot be shown. Fix the schema findings "
               "below and run the report again.")

# chart geometry (px)
SPARK_W, SPARK_H, SPARK_PAD = 120, 36, 4


# --- anchors ----------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class Anchors:
    """Stable, unique `id` attributes for the elements findings can point at."""

    def __init__(self):
        self.of_node: dict[str, str] = {}
        self._used: set[str] = set()

    def new(self, prefix: str, ident) -> str:
        base = f"{prefix}-{_UNSAFE.sub('_', str(ident)) or '_'}"
        anchor, n = base, 1
        while anchor in self._used:
            n += 1
            anchor = f"{base}~{n}"
        self._used.add(anchor)
        return anchor

    def node(self, key: str, prefix: str, ident) -> str:
        if key not in self.of_node:
            self.of_node[key] = self.new(prefix, ident)
        return self.of_node[key]


# --- the view ---------------------------------------------------------------------------------

def build_view(validated, report, *, as_of: datetime.date) -> dict:
    """Everything the template shows, as plain data: text already formatted, nothing to compute."""
    graph = validated.graph
    anchors = Anchors()  # every id it makes has a `kind-` prefix: none is a section's id
    plan_key = graph.graph.get("plan") if graph is not None else None
    if graph is not None:
        _assign_anchors(graph, anchors)
        if plan_key is not None:
            anchors.of_node[plan_key] = "summary"
    findings = _findings(report, anchors)
    by_node: dict[str, list] = defaultdict(list)
    for f in findings:
        by_node[f["node"]].append(f)
    view = {
        "header": _header(validated, report, as_of, graph, plan_key),
        "checked": graph is not None,
        "not_checked": NOT_CHECKED,
        "notes": list(report.notes),
        "counts": [{"severity": s, "count": n} for s, n in report.counts().items()],
        "total": len(report.findings),
        "plan_findings": by_node.get(plan_key, []) if plan_key else [],
        "budget": None,
        "goals": [],
        "orphan_outcomes": None,
        **findings_view(report, findings),
        "waived": _waived(report),
        "known": len(report.known),
        "baseline": report.baseline,
    }
    if graph is not None and plan_key is not None:
        view["budget"] = budget_view(graph, plan_key, anchors, by_node, report.extra.get("rule_values") or {})
        view["goals"], view["orphan_outcomes"], view["has_actuals"] = _indicators(graph, plan_key, anchors, by_node)
    else:
        view["has_actuals"] = False
    return view


def _assign_anchors(graph, anchors: Anchors):
    prefixes = {"goal": "goal", "objective": "objective", "measure": "measure", "indicator": "indicator",
                "budget_line": "line", "claim": "claim"}
    for key, data in graph.nodes(data=True):
        prefix = prefixes.get(data.get("kind"))
        if prefix and not (prefix == "line" and data.get("level") == "measure"):
            anchors.node(key, prefix, data.get("id"))
    # a reported value or status is shown with its indicator or measure, a measure's cost with it
    shown_with = {"actual": "reported_in", "status_update": "reported_in", "budget_line": "costed_by"}
    for key, data in graph.nodes(data=True):
        rel_in = shown_with.get(data.get("kind"))
        if rel_in and (rel_in != "costed_by" or data.get("level") == "measure"):
            for source, _, rel in graph.in_edges(key, data="rel"):
                if rel == rel_in and source in anchors.of_node:
                    anchors.of_node[key] = anchors.of_node[source]
                    break


def _findings(report, anchors: Anchors) -> list[dict]:
    out = []
    document = report.document.read() if report.document is not None else None
    for i, f in enumerate(report.findings, 1):
        out.append({
            "anchor": f"finding-{i}",
            "rule": f.rule,
            "severity": f.severity,
            "location": f.place,
            "node": f.node,
            "node_anchor": anchors.of_node.get(f.node),
            "message": f.message,
            "known": report.is_known(f),
            "doc_line": f.doc_line,
            "goal": f.item[0] if f.item else "",
            "quote": document.quote(f.doc_line) if document is not None else None,
        })
    return out


def _header(validated, report, as_of, graph, plan_key) -> dict:
    if graph is not None and plan_key is not None:
        plan = graph.nodes[plan_key]
    else:
        plan_file = validated.files.one("plan")
        plan = plan_file.doc if plan_file is not None else {}
    period = plan.get("period") if isinstance(plan.get("period"), dict) else {}
    start, end = _text(period.get("start")), _text(period.get("end"))
    currency = _text(plan.get("currency"))
    rates = plan.get("exchange_rates") if isinstance(plan.get("exchange_rates"), dict) else {}
    return {
        "title": _text(plan.get("title")) or report.plan or "Plan",
        "id": _text(plan.get("id")) or report.plan or "",
        "country": _text(plan.get("country")),
        "period": f"{start or '?'}–{end or '?'}" if (start or end) else None,
        "baseline_year": _text(plan.get("baseline_year")),
        "currency": currency,
        "rates": [f"1 {cur} = {fmt_plain(rate)} {currency or ''}".rstrip() for cur, rate in rates.items()
                  if is_number(rate)],
        "approved_by": _text(plan.get("approved_by")),
        "as_of": as_of.isoformat(),
        "version": __version__,
        "files": report.files_checked,
        "rules": len(report.rules),
    }


# --- budget -----------------------------------------------------------------------------------

# --- measures and indicators --------------------------------------------------------------------

def _indicators(graph, plan_key, anchors, by_node):
    has_actuals = bool(_out(graph, plan_key, "has_report"))
    shown: set[str] = set()
    goals = []
    outcome_by_goal: dict = defaultdict(list)
    outcome_keys = [k for k, d in graph.nodes(data=True)
                    if d.get("kind") == "indicator" and d.get("level") == "outcome"]
    for k in outcome_keys:
        outcome_by_goal[graph.nodes[k].get("goal")].append(k)
    for gkey in _out(graph, plan_key, "has_goal"):
        goal = graph.nodes[gkey]
        objectives = []
        for okey in _out(graph, gkey, "has_objective"):
            objective = graph.nodes[okey]
            measures = [_measure_view(graph, mkey, anchors, by_node, shown)
                        for mkey in _out(graph, okey, "has_measure")]
            objectives.append({"id": str(objective.get("id")), "title": _text(objective.get("title")),
                               "anchor": anchors.of_node.get(okey), "findings": by_node.get(okey, []),
                               "measures": measures})
        refs, missing = [], []
        for ikey in _out(graph, gkey, "measured_by") + outcome_by_goal.get(goal.get("id"), []):
            if ikey in refs:
                continue
            if graph.nodes[ikey].get("kind") == "indicator":
                refs.append(ikey)
            elif ikey not in missing:
                missing.append(ikey)
        shown.update(refs)
        goals.append({"id": str(goal.get("id")), "title": _text(goal.get("title")), "anchor": anchors.of_node.get(gkey),
                      "findings": by_node.get(gkey, []), "objectives": objectives,
                      "outcome": _indicator_table(graph, refs, anchors, by_node) if refs else None,
                      "missing_outcome": [str(graph.nodes[k].get("id")) for k in missing]})
    rest = [k for k in outcome_keys if k not in shown]
    orphans = _indicator_table(graph, rest, anchors, by_node) if rest else None
    return goals, orphans, has_actuals


def _bodies(graph, mkey, rel) -> list[dict]:
    out = []
    for _, target, data in graph.out_edges(mkey, data=True):
        if data.get("rel") != rel:
            continue
        node = graph.nodes[target]
        known = node.get("kind") == "institution"
        out.append({"label": str(data.get("label", node.get("id"))), "known": known,
                    "name": _text(node.get("name")) if known else "not in institutions.yaml"})
    return out


def _measure_view(graph, mkey, anchors, by_node, shown) -> dict:
    m = graph.nodes[mkey]
    indicator_keys = [k for k in _out(graph, mkey, "measured_by") if graph.nodes[k].get("kind") == "indicator"]
    shown.update(indicator_keys)
    costs = []
    findings = list(by_node.get(mkey, []))
    for lkey in _out(graph, mkey, "costed_by"):
        line = graph.nodes[lkey]
        costs.append({"year": _text(line.get("year")) or "", "nature": _text(line.get("nature")) or "",
                      "amount": fmt_num(line.get("total_cost")), "funded": fmt_num(line.get("planned")),
                      "source": _text(line.get("funding_source")) or ""})
        findings += by_node.get(lkey, [])
    statuses = []
    for ukey in _out(graph, mkey, "reported_in"):
        update = graph.nodes[ukey]
        if update.get("kind") != "status_update":
            continue
        statuses.append({"report": str(update.get("report")), "status": _text(update.get("status")) or ""})
        findings += by_node.get(ukey, [])
    findings.sort(key=lambda f: int(f["anchor"].rsplit("-", 1)[1]))
    return {
        "id": str(m.get("id")), "title": _text(m.get("title")), "anchor": anchors.of_node.get(mkey),
        "responsible": _bodies(graph, mkey, "responsible"), "contributing": _bodies(graph, mkey, "contributing"),
        "start": _text(m.get("start")) or "?", "deadline": _text(m.get("deadline")) or "?",
        "status": _text(m.get("status")), "statuses": statuses, "note": _text(m.get("note")),
        "costs": costs, "findings": findings,
        "indicators": _indicator_table(graph, indicator_keys, anchors, by_node) if indicator_keys else None,
    }


def fmt_relative(target: dict) -> str:
    """A relative target as written: `+5% of baseline`, `-2% of previous`."""
    rate = target.get("relative")
    text = (("+" if is_number(rate) and rate >= 0 else "") + fmt_plain(rate)) if is_number(rate) else str(rate)
    out = f"{text}% of {target.get('of')}"
    if target.get("per_year"):
        out += " per year"
    return out


def _indicator_table(graph, keys, anchors, by_node) -> dict:
    years = sorted({y for k in keys for y in (graph.nodes[k].get("targets") or {}) if isinstance(y, int)})
    rows = [_indicator_row(graph, k, years, anchors, by_node) for k in keys]
    return {"years": [str(y) for y in years], "rows": rows}


def _actuals(graph, ikey) -> list[dict]:
    out = []
    for akey in _out(graph, ikey, "reported_in"):
        a = graph.nodes[akey]
        if a.get("kind") != "actual":
            continue
        year, half = a.get("year"), a.get("half")
        period = f"{year}-H{half}" if half else f"{year}"
        out.append({"period": period, "value": fmt_num(a.get("value")), "report": str(a.get("report")),
                    "_x": _period_x(year, half), "_v": a.get("value")})
    out.sort(key=lambda a: (a["_x"] is None, a["_x"] or 0, a["report"]))
    return out


def _period_x(year, half):
    """Where a value reported for a period sits on the time axis: targets are due at year end."""
    if not isinstance(year, int) or isinstance(year, bool):
        return None
    return Decimal(year) - (Decimal("0.5") if half == 1 else 0)


def _indicator_row(graph, ikey, years, anchors, by_node) -> dict:
    ind = graph.nodes[ikey]
    baseline = ind.get("baseline") if isinstance(ind.get("baseline"), dict) else {}
    base_value, base_year = baseline.get("value"), baseline.get("year")
    targets = ind.get("targets") or {}
    with localcontext(_CONTEXT):
        resolved = resolve_targets(targets, base_value)
    cells = []
    for y in years:
        if y not in targets:
            cells.append({"text": "", "resolved": "", "kind": "none"})
            continue
        value = targets[y]
        if value is None:
            cells.append({"text": "–", "resolved": "", "kind": "dash"})
        elif isinstance(value, dict):
            r = resolved.get(y)
            cells.append({"text": fmt_relative(value), "resolved": fmt_num(r) if r is not None else "",
                          "kind": "relative"})
        else:
            cells.append({"text": fmt_num(value), "resolved": "", "kind": "number"})
    actuals = _actuals(graph, ikey)
    findings = list(by_node.get(ikey, []))
    for akey in _out(graph, ikey, "reported_in"):
        findings += by_node.get(akey, [])
    findings.sort(key=lambda f: int(f["anchor"].rsplit("-", 1)[1]))
    facts = [x for x in (_text(ind.get("unit")), _text(ind.get("direction")), _text(ind.get("nature"))) if x]
    baseline_text = ""
    if base_value is not None or base_year is not None:
        baseline_text = f"{_text(base_year) or '?'}: {fmt_num(base_value) if base_value is not None else '–'}"
    return {
        "id": str(ind.get("id")), "name": _text(ind.get("name")), "anchor": anchors.of_node.get(ikey),
        "facts": " · ".join(facts), "baseline": baseline_text,
        "baseline_note": _text(baseline.get("note")), "cells": cells,
        "actuals": [{k: v for k, v in a.items() if not k.startswith("_")} for a in actuals],
        "spark": _sparkline(base_year, base_value, resolved, actuals),
        "note": _text(ind.get("note")), "findings": findings,
    }


def _sparkline(base_year, base_value, resolved, actuals) -> dict | None:
    """Baseline → targets as a line, actuals as dots, on a small time-by-value chart."""
    plan_points = []
    if isinstance(base_year, int) and is_number(base_value):
        plan_points.append((Decimal(base_year), Decimal(base_value)))
    for year, value in resolved.items():
        if isinstance(year, int) and value is not None:
            plan_points.append((Decimal(year), Decimal(value)))
    actual_points = [(a["_x"], Decimal(a["_v"])) for a in actuals if a["_x"] is not None and is_number(a["_v"])]
    points = plan_points + actual_points
    if len(points) < 2:
        return None
    xs, vs = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi, v_lo, v_hi = min(xs), max(xs), min(vs), max(vs)
    inner_w, inner_h = SPARK_W - 2 * SPARK_PAD, SPARK_H - 2 * SPARK_PAD

    def xy(point):
        x, v = point
        with localcontext(_CONTEXT):
            px = SPARK_PAD + (inner_w * (x - x_lo) / (x_hi - x_lo) if x_hi != x_lo else Decimal(inner_w) / 2)
            py = SPARK_PAD + (inner_h * (v_hi - v) / (v_hi - v_lo) if v_hi != v_lo else Decimal(inner_h) / 2)
            return str(px.quantize(_TENTH)), str(py.quantize(_TENTH))

    line = " ".join(",".join(xy(p)) for p in plan_points)
    first = xy(plan_points[0]) if plan_points else None
    dots = [dict(zip(("x", "y"), xy(p))) for p in actual_points]
    label = []
    if isinstance(base_year, int) and is_number(base_value):
        label.append(f"baseline {base_year}: {fmt_num(base_value)}")
    label += [f"{y}: {fmt_num(v)}" for y, v in resolved.items() if v is not None]
    label += [f"actual {a['period']}: {a['value']}" for a in actuals]
    return {"w": SPARK_W, "h": SPARK_H, "line": line, "start": first, "dots": dots,
            "single": len(plan_points) == 1, "label": "; ".join(label)}


# --- findings ---------------------------------------------------------------------------------

def _waived(report) -> list[dict]:
    out = []
    for w in report.waived:
        f, waiver = w.finding, w.waiver
        expires = getattr(waiver, "expires", None)
        out.append({"rule": f.rule, "location": f.place, "node": f.node, "message": f.message,
                    "reason": str(getattr(waiver, "reason", "") or ""),
                    "approved_by": str(getattr(waiver, "approved_by", "") or ""),
                    "expires": expires.isoformat() if expires else ""})
    return out


# --- rendering --------------------------------------------------------------------------------

def environment() -> Environment:
    """Jinja2 with autoescaping on for every template and value: plan text is never markup."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render_html(validated, report, *, as_of: datetime.date) -> str:
    """The report of one checked plan as one self-contained HTML page."""
    view = build_view(validated, report, as_of=as_of)
    return environment().get_template(TEMPLATE).render(**view)


def write_html(path: str | Path, text: str) -> None:
    """Writes the page as UTF-8 bytes, line ends as rendered, whatever the platform."""
    from ..load.atomic import write_atomic

    write_atomic(path, text.encode("utf-8"))
