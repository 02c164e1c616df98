"""The budget part of the HTML report: the cost table, the published totals, the chart and the
narrative's claims.

Whether a line adds up, whether a published total matches the lines or the exchange rate, and
what the table gives for each figure a claim states are the values the budget rules computed
(their `report` values, kept by the engine for every line and claim they check): the page shows
what the rules decided, so the two cannot disagree. Without a rule's values (the rule is switched
off, or the page is built without them) the check is shown as not made. Sums for the subtotal
rows and the chart are only added up here for display.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from ..model.values import is_number
from .html_format import CONTEXT as _CONTEXT
from .html_format import TENTH as _TENTH
from .html_format import fmt_num, fmt_pct, fmt_plain
from .html_format import sum_numbers as _sum
from .html_format import text_of as _text

# chart geometry (px)
BAR_LABEL, BAR_AREA, BAR_HEIGHT, BAR_GAP, BAR_VALUE = 70, 520, 22, 12, 150


def _checked(values: dict, rule: str, key: str) -> list[dict]:
    """What `rule` reported on node `key` (one dict per item it checked), [] if it did not check it."""
    return values.get((rule, key), [])


def linked(graph, key, rel):
    """The nodes `key` links to through `rel`."""
    return [v for _, v, r in graph.out_edges(key, data="rel") if r == rel]


def _line_view(graph, key, anchors, by_node, values) -> dict:
    line = graph.nodes[key]
    total, planned, gap = line.get("total_cost"), line.get("planned"), line.get("gap")
    checked = _checked(values, "NAP-BUDGET-001", key)
    computed = checked[0]["computed"] if checked else None
    ok = checked[0]["passed"] if checked else None
    return {
        "id": str(line.get("id")),
        "anchor": anchors.of_node.get(key),
        "nature": _text(line.get("nature")) or "",
        "total": fmt_num(total), "planned": fmt_num(planned), "gap": fmt_num(gap),
        "computed": fmt_num(computed),
        "ok": ok,
        "difference": fmt_num(total - computed) if ok is False and is_number(total) and is_number(computed) else "",
        "note": _text(line.get("note")),
        "findings": by_node.get(key, []),
        "_values": (total, planned, gap),
        "_goal": line.get("goal"),
    }


def budget_view(graph, plan_key, anchors, by_node, values) -> dict | None:
    """The budget section: None when the plan has no budget."""
    plan = graph.nodes[plan_key]
    totals = plan.get("budget_totals") if isinstance(plan.get("budget_totals"), dict) else None
    line_keys = linked(graph, plan_key, "has_budget_line")
    claim_keys = linked(graph, plan_key, "has_claim")
    if not line_keys and totals is None and not claim_keys:
        return None
    currency = _text(plan.get("currency")) or ""
    goal_keys = linked(graph, plan_key, "has_goal")
    goal_titles = {graph.nodes[g].get("id"): _text(graph.nodes[g].get("title")) for g in goal_keys}
    grouped: dict = {}
    for g in goal_keys:
        grouped[graph.nodes[g].get("id")] = []
    for key in line_keys:
        grouped.setdefault(graph.nodes[key].get("goal"), []).append(key)
    groups = []
    all_lines = []
    for goal_id, keys in grouped.items():
        if not keys:
            continue
        lines = [_line_view(graph, k, anchors, by_node, values) for k in keys]
        all_lines += lines
        groups.append({"goal": _text(goal_id) or "(no goal)", "title": goal_titles.get(goal_id),
                       "known_goal": goal_id in goal_titles,
                       "goal_anchor": anchors.of_node.get(f"goal:{goal_id}") if goal_id in goal_titles else None,
                       "lines": lines, "total": _totals_row(lines)})
    grand = _totals_row(all_lines) if all_lines else None
    published = _published(totals, currency, plan.get("exchange_rates"), values, plan_key) if totals else None
    return {
        "currency": currency,
        "groups": groups,
        "grand": grand,
        "published": published,
        "chart": _bar_chart(groups, currency),
        "claims": [_claim_view(graph, k, anchors, by_node, values) for k in claim_keys],
    }


def _totals_row(lines) -> dict:
    total = _sum(line["_values"][0] for line in lines)
    planned = _sum(line["_values"][1] for line in lines)
    gaps = [line["_values"][2] for line in lines if is_number(line["_values"][2])]
    gap = _sum(gaps) if gaps else None
    computed = planned + (gap or 0)
    return {"total": fmt_num(total), "planned": fmt_num(planned), "gap": fmt_num(gap),
            "computed": fmt_num(computed), "ok": total == computed,
            "difference": "" if total == computed else fmt_num(total - computed),
            "_values": (total, planned, gap)}


def _published(totals, currency, rates, values, plan_key) -> dict:
    columns = ("total_cost", "planned", "gap")
    printed = [totals.get(c) for c in columns]
    added = {v["column"]: v for v in _checked(values, "NAP-BUDGET-002", plan_key)}
    converted = {tuple(v["printed_as"]): v for v in _checked(values, "NAP-BUDGET-003", plan_key)}
    adds_up = {v["cur"]: v["passed"] for v in _checked(values, "NAP-BUDGET-004", plan_key)}
    home = {"currency": currency, "rate": "", "cells": []}
    for c, value in zip(columns, printed):
        check = added.get(c)
        mismatch = check is not None and not check["passed"]
        home["cells"].append({"value": fmt_num(value), "mismatch": mismatch,
                              "expected": fmt_num(check["added"]) if mismatch else ""})
    home["adds_up"] = adds_up.get(currency, True)
    rows = []
    rates = rates if isinstance(rates, dict) else {}
    in_currency = totals.get("in_currency") if isinstance(totals.get("in_currency"), dict) else {}
    for cur, amounts in in_currency.items():
        if not isinstance(amounts, dict):
            continue
        rate = rates.get(cur)
        row = {"currency": str(cur), "rate": fmt_plain(rate) if is_number(rate) else "no rate in plan.yaml", "cells": []}
        for c in columns:
            check = converted.get((cur, c))
            expected = check["expected"] if check is not None else None
            row["cells"].append({"value": fmt_num(amounts.get(c)), "mismatch": check is not None and not check["passed"],
                                 "expected": fmt_num(expected) if expected is not None else ""})
        row["adds_up"] = adds_up.get(cur, True)
        rows.append(row)
    return {"home": home, "other": rows}


def _px(value, scale) -> str:
    """A length in pixels (one decimal) for `value` on a bar area of BAR_AREA for `scale`."""
    with localcontext(_CONTEXT):
        return str((Decimal(value) * BAR_AREA / Decimal(scale)).quantize(_TENTH))


def _bar_chart(groups, currency) -> dict | None:
    """Total cost per goal, with the planned and gap parts stacked under the outline of the total."""
    if not groups:
        return None
    values = [g["total"]["_values"] for g in groups]
    scale = max(max(t, p + (g or 0)) for t, p, g in values)
    if not scale or scale <= 0:
        return None
    bars = []
    for i, (group, (total, planned, gap)) in enumerate(zip(groups, values)):
        y = 30 + i * (BAR_HEIGHT + BAR_GAP)
        planned_w = _px(max(planned, 0), scale)
        gap_w = _px(max(gap or 0, 0), scale)
        bars.append({
            "goal": group["goal"], "y": y, "text_y": y + BAR_HEIGHT // 2 + 5,
            "planned_w": planned_w, "gap_x": str(BAR_LABEL + Decimal(planned_w)), "gap_w": gap_w,
            "total_w": _px(max(total, 0), scale), "value_x": BAR_LABEL + BAR_AREA + 8,
            "label": f"{fmt_num(total)} {currency}".rstrip(),
            "title": (f"{group['goal']}: total cost {fmt_num(total)}, planned {fmt_num(planned)}, "
                      f"gap {fmt_num(gap) or 'empty'}" + ("" if group["total"]["ok"] else " (planned + gap differs)")),
            "ok": group["total"]["ok"],
        })
    height = 30 + len(groups) * (BAR_HEIGHT + BAR_GAP) + 4
    return {"width": BAR_LABEL + BAR_AREA + BAR_VALUE, "height": height, "bars": bars,
            "x0": BAR_LABEL, "area": BAR_AREA, "bar_h": BAR_HEIGHT}


# the budget rules that check a claim's figures, what each item is, and how it is labelled
CLAIM_RULES = (
    ("NAP-BUDGET-005", "goal", "{}: share of the total cost", "%"),
    ("NAP-BUDGET-006", "nature", "{} costs: share of the total cost", "%"),
    ("NAP-BUDGET-007", "part", "{}", "%"),
    ("NAP-BUDGET-008", "cur", "total cost in {}", ""),
)


def _funding_label(v: dict) -> str:
    """NAP-BUDGET-007's item in words: the stated funding against the planned column, or the gap."""
    if v.get("part") == "gap":
        return "financial gap: share of the total cost"
    named = [f"{name} {fmt_plain(x)}%" for name, x in (("state budget", v.get("budget")), ("donors", v.get("donors")))
             if is_number(x)]
    return f"funded ({' + '.join(named)}) against the planned column"


def _computed(value, unit_text: str) -> str:
    """A computed share as the rules' messages write it (`{actual:pct}`: 88.44%), an amount as money."""
    return fmt_pct(value) if unit_text == "%" else fmt_num(value) + unit_text


def _claim_view(graph, key, anchors, by_node, values) -> dict:
    claim = graph.nodes[key]
    rows = []
    for rule, item_name, label, unit in CLAIM_RULES:
        for v in _checked(values, rule, key):
            item = v.get(item_name)
            suffix = " points" if unit == "%" else f" {item}"
            unit_text = unit if unit == "%" else f" {item}"
            computed = v.get("actual", v.get("expected"))
            stated = v.get("stated")
            difference = ""
            if computed is not None and is_number(stated):
                with localcontext(_CONTEXT):
                    difference = fmt_num(Decimal(stated) - computed) + suffix
            allowed = v.get("allowed")
            rows.append({"label": _funding_label(v) if rule == "NAP-BUDGET-007" else label.format(item),
                         "stated": fmt_plain(stated) + unit_text if is_number(stated) else _text(stated) or "",
                         "computed": _computed(computed, unit_text) if computed is not None else "cannot be computed",
                         "difference": difference, "off": not v["passed"],
                         "allowed": fmt_num(allowed) + suffix if allowed is not None else ""})
    return {"id": str(claim.get("id")), "anchor": anchors.of_node.get(key), "text": _text(claim.get("text")),
            "note": _text(claim.get("note")), "rows": rows, "findings": by_node.get(key, [])}
