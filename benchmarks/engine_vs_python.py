#!/usr/bin/env python3
"""Rule evaluation against the same checks written as plain Python over the same graph.

    python benchmarks/engine_vs_python.py [--n 100000] [--repeat 3]

Generates a seeded synthetic plan (benchmarks/generate.py), reads it and builds its graph
once, then in this one process times (median of --repeat):

  engine   nap_rules.run.engine.evaluate with benchmarks/rules/six-checks.yaml (rules compiled once,
           the graph index built inside the timing, as a check run does)
  python   the same checks as hand-written Python functions over the networkx graph

and prints the ratio. Both must find the same violations per check, or the script fails.
Loading and graph building are not timed here: benchmarks/run.py measures the whole process.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402

from nap_rules.ruleset.rules import load_rulesets  # noqa: E402
from nap_rules.run.engine import evaluate  # noqa: E402
from nap_rules.run.pipeline import collector_paused, validate  # noqa: E402

AS_OF = datetime.date(2024, 1, 1)


def _out(g, key, rel):
    return [v for _, v, d in g.out_edges(key, data=True) if d["rel"] == rel]


def _in(g, key, rel):
    return [u for u, _, d in g.in_edges(key, data=True) if d["rel"] == rel]


def python_checks(g) -> Counter:
    """BENCH-001 … BENCH-007 of six-checks.yaml, by hand, over the networkx graph."""
    found = Counter()
    nodes = g.nodes
    period = nodes[g.graph["plan"]]["period"]
    for key, n in g.nodes(data=True):
        kind = n["kind"]
        if kind == "measure":
            if not n["responsible"]:
                found["BENCH-001"] += 1
            s, d = n["start"], n["deadline"]
            if s is None or d is None or not (period["start"] <= s <= d <= period["end"]):
                found["BENCH-003"] += 1
            if n["occurrence"] != 1:
                found["BENCH-007"] += 1
        elif kind == "indicator" and n["level"] == "measure":
            [measure] = _in(g, key, "measured_by")
            m = nodes[measure]
            s, d = m["start"], m["deadline"]
            if s is not None and d is not None and any(
                    v is not None and not s <= y <= d for y, v in n["targets"].items()):
                found["BENCH-004"] += 1
        elif kind == "budget_line" and n["level"] == "goal":
            if n["total_cost"] != n["planned"] + n["gap"]:
                found["BENCH-005"] += 1
            [goal] = _in(g, key, "funded_by")
            costed = 0
            for objective in _out(g, goal, "has_objective"):
                for measure in _out(g, objective, "has_measure"):
                    for line in _out(g, measure, "costed_by"):
                        if nodes[line]["nature"] == n["nature"]:
                            costed += nodes[line]["total_cost"]
            if costed != n["total_cost"]:
                found["BENCH-006"] += 1
    return found


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nap-engine-") as tmp:
        generate.generate(args.n, Path(tmp), seed=0, defect_rate=0.02)
        graph = validate(tmp).graph
    rules = load_rulesets([HERE / "rules"])
    with collector_paused():
        engine_s, findings = timed(lambda: evaluate(graph, rules, as_of=AS_OF), args.repeat)
        python_s, by_hand = timed(lambda: python_checks(graph), args.repeat)
    by_engine = Counter(f.rule for f in findings if f.rule.startswith("BENCH-"))
    print(f"N={args.n} measures, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    print(f"engine (6 rules):       {engine_s:.3f} s")
    print(f"plain Python (6 checks): {python_s:.3f} s")
    print(f"ratio engine / python:  {engine_s / python_s:.2f}")
    print(f"violations: engine {dict(sorted(by_engine.items()))}")
    if by_engine != by_hand:
        print(f"MISMATCH: by hand {dict(sorted(by_hand.items()))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
