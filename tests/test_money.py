"""Money is exact: amounts are int or Decimal from the file to every sum and comparison.

Two ways binary floats get money wrong, both pinned here:
- a false alarm: 0.1 + 0.1 + 0.1 is not 0.3 in floats, so three lines of 0.1 would not add up
  to a printed total of 0.3;
- a missed error: near 10^15 a float cannot tell 987654321012345.67 from 987654321012345.68, so a
  total that is one cent off would pass.
"""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from nap_rules.load.yaml_reader import load_yaml_file
from nap_rules.run.pipeline import validate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from goal_files import goal_text  # noqa: E402

BIG = "987654321012345.67"  # 17 significant digits: more than a binary float holds

PLAN = """\
schema: nap-rules/plan/v1
id: money
title: Exact money
country: AL
period: {start: 2021, end: 2023}
baseline_year: 2020
currency: ALL
exchange_rates: {EUR: 125}
"""
INSTITUTIONS = """\
schema: nap-rules/institutions/v1
institutions:
  - {id: MI, name: Ministry of Interior, kind: ministry}
"""
BUDGET = """\
schema: nap-rules/budget/v1
lines:
  - {{id: PG1-current, goal: PG1, nature: current, total_cost: 0.1, planned: 0.1, gap: 0}}
  - {{id: PG2-current, goal: PG2, nature: current, total_cost: 0.1, planned: 0.1, gap: 0}}
  - {{id: PG3-current, goal: PG3, nature: current, total_cost: 0.1, planned: 0.1, gap: 0}}
  - {{id: PG1-capital, goal: PG1, nature: capital, total_cost: 987654321012345.68, planned: {big}, gap: 0.01}}
published_totals:
  total_cost: 987654321012345.98
  planned: {planned_total}
  gap: 0.01
"""


def write(root: Path, planned_total: str = "987654321012345.97") -> Path:
    (root / "goals").mkdir(parents=True)
    (root / "plan.yaml").write_text(PLAN)
    (root / "institutions.yaml").write_text(INSTITUTIONS)
    costs = {1: ["{year: 2021, nature: current, amount: 0.1}",
                 "{year: 2021, nature: capital, amount: " + BIG + "}",
                 "{year: 2022, nature: capital, amount: 0.01}"],
             2: ["{year: 2021, nature: current, amount: 0.1}"],
             3: ["{year: 2021, nature: current, amount: 0.1}"]}
    for n, items in costs.items():
        text = goal_text(n, f"PG{n}", "        cost:\n" + "\n".join("          - " + c for c in items) + "\n")
        (root / "goals" / f"PG{n}.yaml").write_text(text)
    (root / "budget.yaml").write_text(BUDGET.format(big=BIG, planned_total=planned_total))
    return root


def test_binary_floats_would_get_these_amounts_wrong():
    # the premise: both failures are real for floats
    assert 0.1 + 0.1 + 0.1 != 0.3
    assert float(BIG) + 0.01 == float("987654321012345.67") == float("987654321012345.68")


def test_amounts_are_read_as_exact_decimals(tmp_path):
    plan = write(tmp_path / "plan")
    budget = load_yaml_file(plan / "budget.yaml")
    lines = budget["lines"]
    assert all(type(line["total_cost"]) is Decimal for line in lines)
    assert type(lines[0]["gap"]) is int  # a whole number stays an int
    assert lines[3]["planned"] == Decimal(BIG) and str(lines[3]["planned"]) == BIG
    small = [line["total_cost"] for line in lines[:3]]
    assert sum(small) == Decimal("0.3") == budget["published_totals"]["total_cost"] - Decimal(BIG) - Decimal("0.01")
    assert lines[3]["planned"] + lines[3]["gap"] == lines[3]["total_cost"]
    assert sum(line["total_cost"] for line in lines) == budget["published_totals"]["total_cost"]
    assert sum(line["planned"] for line in lines) == budget["published_totals"]["planned"]


def test_the_graph_keeps_the_exact_amounts(tmp_path):
    graph = validate(write(tmp_path / "plan")).graph
    lines = [d for _, d in graph.nodes(data=True) if d["kind"] == "budget_line"]
    measure_capital = sum(d["total_cost"] for d in lines if d["level"] == "measure" and d["nature"] == "capital")
    goal_capital = sum(d["total_cost"] for d in lines if d["level"] == "goal" and d["nature"] == "capital")
    assert measure_capital == goal_capital == Decimal("987654321012345.68")
    assert not any(isinstance(d.get(f), float) for d in lines for f in ("total_cost", "planned", "gap"))


def _budget_findings(plan: Path) -> set:
    from nap_rules.check import run_check

    report = run_check(str(plan), as_of=datetime.date(2022, 6, 30))
    return {f.rule for f in report.findings if f.rule in ("NAP-BUDGET-001", "NAP-BUDGET-002", "NAP-BUDGET-009")}


@pytest.mark.skipif(not (Path(__file__).resolve().parents[1] / "rules" / "budget.yaml").is_file(),
                    reason="the standard budget rules are not in this checkout")
def test_sums_that_are_exact_raise_no_false_alarm(tmp_path):
    assert _budget_findings(write(tmp_path / "plan")) == set()


@pytest.mark.skipif(not (Path(__file__).resolve().parents[1] / "rules" / "budget.yaml").is_file(),
                    reason="the standard budget rules are not in this checkout")
def test_a_total_one_cent_off_is_found(tmp_path):
    # 987654321012345.96 is 987654321012345.97 to a float: only exact arithmetic sees the cent
    assert float("987654321012345.96") == float("987654321012345.97")
    assert _budget_findings(write(tmp_path / "plan", planned_total="987654321012345.96")) == {"NAP-BUDGET-002"}
