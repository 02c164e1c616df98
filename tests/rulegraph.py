"""A small plan graph built by hand (docs/model.md), and helpers to evaluate expressions on it."""

from __future__ import annotations

import datetime
import decimal
from decimal import Decimal

import networkx as nx

from nap_rules.lang.compiler import Scope, compile_expression
from nap_rules.lang.runtime import DECIMAL_CONTEXT, Frame, EvalLimits
from nap_rules.load.locations import Location
from nap_rules.model.index import GraphIndex

FILE = "plan/goals/PG1.yaml"
AS_OF = datetime.date(2024, 3, 1)


def make_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(plan="plan:P")
    line = [0]

    def node(kind, ident, file=FILE, **fields):
        line[0] += 10
        key = f"{kind}:{ident}"
        g.add_node(key, kind=kind, id=ident, occurrence=fields.pop("occurrence", 1),
                   source=Location(file, line[0], 5),
                   field_locs={name: Location(file, line[0] + i + 1, 7)
                               for i, name in enumerate(fields)},
                   **fields)
        return key

    def edge(u, v, rel, **attrs):
        g.add_edge(u, v, rel=rel, **attrs)

    plan = node("plan", "P", file="plan/plan.yaml", title="Test plan", country="AL",
                period={"start": 2021, "end": 2023}, baseline_year=2020, currency="ALL",
                exchange_rates={"EUR": 125},
                budget_totals={"total_cost": 100, "planned": 80, "gap": 20,
                               "in_currency": {"EUR": {"total_cost": Decimal("0.8")}}})
    mi = node("institution", "MI", file="plan/institutions.yaml", name="Ministry of Interior",
              aliases=["MIA"], institution_kind="ministry")
    mj = node("institution", "MJ", file="plan/institutions.yaml", name="Ministry of Justice",
              aliases=[], institution_kind="ministry")
    mj2 = node("institution", "MJ~2", file="plan/institutions.yaml", name="ministry of  justice",
               aliases=[], institution_kind="ministry", occurrence=2)
    pg1 = node("goal", "PG1", title="Reduce the threat", outcome_indicators=["OI-1"])
    o11 = node("objective", "1.1", title="Combating trafficking", goal="PG1")
    m1 = node("measure", "1.1.1", title="Train police officers", responsible=["MI"],
              contributing=["MJ", "MB"], start=2021, deadline=2022, status="planned",
              note=None, objective="1.1", goal="PG1")
    i1 = node("indicator", "1.1.1-a", name="Officers trained", level="measure", measure="1.1.1",
              goal="PG1", unit="people", direction="increase", nature="annual",
              baseline={"year": 2020, "value": 0}, targets={2021: 5, 2022: 10, 2023: None},
              note=None, collected_by=[])
    m2 = node("measure", "1.1.2", title="train  Police officers", responsible=["MIA"],
              contributing=[], start=2022, deadline=2023, status="planned", note=None,
              objective="1.1", goal="PG1")
    i2 = node("indicator", "1.1.2-a", name="Cases", level="measure", measure="1.1.2", goal="PG1",
              unit="cases", direction="decrease", nature="cumulative",
              baseline={"year": 2020, "value": 40}, targets={2022: {"relative": 5, "of": "baseline"},
                                                             2023: Decimal("30.5")},
              note=None, collected_by=[])
    l1 = node("budget_line", "1.1.1/2021-current", level="measure", goal="PG1", measure="1.1.1",
              nature="current", year=2021, total_cost=60, planned=50, gap=None)
    l2 = node("budget_line", "1.1.2/2022-current", level="measure", goal="PG1", measure="1.1.2",
              nature="current", year=2022, total_cost=40, planned=30, gap=None)
    oi = node("indicator", "OI-1", file="plan/indicators.yaml", name="Awareness", level="outcome",
              measure=None, goal="PG1", unit="percent", direction="increase", nature="growing",
              baseline={"year": 2020, "value": Decimal("40.4")},
              targets={2023: {"relative": 10, "of": "baseline"}}, collected_by=["MI"])
    line1 = node("budget_line", "PG1-current", file="plan/budget.yaml", level="goal", goal="PG1",
                 measure=None, nature="current", year=None, total_cost=100, planned=80, gap=20)
    claim = node("claim", "C1", file="plan/budget.yaml", text="PG1 takes 100%",
                 tolerance=Decimal("0.05"), shares_of_total_cost={"PG1": 100})
    missing = node("missing", "MB", expected="institution")
    report = node("report", "2022-H1", file="plan/progress/2022-H1.yaml", year=2022, half=1,
                  reported_by="MI")
    actual = node("actual", "2022-H1/1.1.1-a", file="plan/progress/2022-H1.yaml",
                  indicator="1.1.1-a", value=4, year=2022, half=1, report="2022-H1")
    update = node("status_update", "2022-H1/1.1.1", file="plan/progress/2022-H1.yaml",
                  measure="1.1.1", status="in_progress", year=2022, half=1, report="2022-H1")

    edge(plan, pg1, "has_goal")
    for inst in (mi, mj, mj2):
        edge(plan, inst, "has_institution")
    edge(plan, line1, "has_budget_line")
    edge(plan, claim, "has_claim")
    edge(plan, report, "has_report")
    edge(pg1, o11, "has_objective")
    edge(pg1, oi, "measured_by")
    edge(pg1, line1, "funded_by")
    edge(o11, m1, "has_measure")
    edge(o11, m2, "has_measure")
    edge(m1, mi, "responsible", label="MI")
    edge(m1, mj, "contributing", label="MJ")
    edge(m1, missing, "contributing", label="MB")
    edge(m2, mi, "responsible", label="MIA")
    edge(m1, i1, "measured_by")
    edge(m2, i2, "measured_by")
    edge(m1, l1, "costed_by")
    edge(m2, l2, "costed_by")
    edge(i1, actual, "reported_in")
    edge(m1, update, "reported_in")
    edge(report, actual, "contains")
    edge(report, update, "contains")
    return g


GRAPH = make_graph()


def evaluate(text: str, key: str = "indicator:1.1.1-a", *, lets: dict | None = None,
             params: dict | None = None, limits: EvalLimits = EvalLimits(), graph=None):
    """Compile `text` for the kind of node `key` and evaluate it on that node."""
    graph = graph if graph is not None else GRAPH
    index = GraphIndex(graph)
    kind = graph.nodes[key]["kind"]
    frame = Frame(index, AS_OF, dict(params or {}), limits)
    frame.at(key, graph.nodes[key])
    statics = {}
    with decimal.localcontext(DECIMAL_CONTEXT):
        for name, expr in (lets or {}).items():
            compiled = compile_expression(expr, Scope(kind, dict(statics), frozenset(params or ())),
                                          limits)
            frame.vars[name] = compiled.fn(frame)
            statics[name] = compiled.static
        compiled = compile_expression(text, Scope(kind, statics, frozenset(params or ())), limits)
        return compiled.fn(frame)
