#!/usr/bin/env python3
"""The rule phase of two checkouts of nap-rules on the same plan, as a ratio, in one run.

    python benchmarks/compare_checkouts.py BASE_DIR [--n 10000] [--repeat 3] [--rules DIR]

BASE_DIR is another checkout (for example `git worktree add ../base <commit>`). A seeded
synthetic plan of --n measures is generated once; then, alternating between BASE_DIR and this
checkout (each in a fresh process, so each imports its own `nap_rules`), the plan is read and
its graph built untimed, and loading plus `evaluate` with the rules of --rules (default: this
checkout's benchmarks/rules, the rules of benchmarks/run.py) is timed in CPU seconds of the
process, which other work on a busy machine disturbs less than the wall clock. Prints the median of --repeat of
each and their ratio (this checkout / BASE_DIR), and fails if the findings differ. With
--standard-rules each checkout runs its own standard rules (`rules/`) instead, and the two
must report the same (rule, node) pairs, however many findings each pair gives.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

_CHILD = r"""
import datetime, json, sys, time
from nap_rules.load.plan_folder import read_plan_dir
from nap_rules.model.graph import build_graph
from nap_rules.ruleset.rules import load_rulesets
from nap_rules.run.engine import evaluate
from nap_rules.run.pipeline import collector_paused
plan, rules_dir = sys.argv[1], sys.argv[2]
with collector_paused():
    graph, _ = build_graph(read_plan_dir(plan))
    t = time.process_time()
    rules = load_rulesets([rules_dir])
    findings = evaluate(graph, rules, as_of=datetime.date(2024, 1, 1))
    seconds = time.process_time() - t
print(json.dumps({"seconds": seconds, "findings": sorted([f.rule, f.node] for f in findings)}))
"""


def run(checkout: Path, plan: Path, rules: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run([sys.executable, "-c", _CHILD, str(plan), str(rules)], env=env,
                         capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rules", type=Path, default=HERE / "rules")
    parser.add_argument("--standard-rules", action="store_true",
                        help="each checkout runs its own rules/ folder")
    args = parser.parse_args(argv)
    here = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        generate.generate(args.n, plan)
        times: dict[str, list[float]] = {"base": [], "this": []}
        found = {}
        for _ in range(args.repeat):
            for name, checkout in (("base", args.base), ("this", here)):
                rules = checkout / "rules" if args.standard_rules else args.rules
                result = run(checkout.resolve(), plan, rules.resolve())
                times[name].append(result["seconds"])
                found[name] = result["findings"]
    base, this = (statistics.median(times[k]) for k in ("base", "this"))
    print(f"rule phase, {args.n} measures, median of {args.repeat}: base {base:.3f} s, "
          f"this checkout {this:.3f} s, ratio {this / base:.3f}")
    print(f"  runs: base {[round(t, 3) for t in times['base']]}, "
          f"this {[round(t, 3) for t in times['this']]}")
    if args.standard_rules:
        found = {k: sorted(set(map(tuple, v))) for k, v in found.items()}
    if found["base"] != found["this"]:
        print("the two checkouts report different findings", file=sys.stderr)
        return 1
    print(f"  same findings: {len(found['this'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
