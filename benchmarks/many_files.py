#!/usr/bin/env python3
"""How `nap-rules check` grows with the number of goal files: many files of one measure each.

    python benchmarks/many_files.py [--sizes 2500,10000] [--repeat 1] [--keep DIR]

For each size N it writes a plan folder of N goal files (one goal, one objective and one
measure each, its body registered) besides plan.yaml and institutions.yaml, and
times a whole `nap-rules check` process with the standard rules on it (`--limit max_files`
set to the N + 2 files, so 10 000 goal files sit just over the max_files default of 10 000
files). It prints the seconds per size, median of --repeat runs, and the ratio of each size's
time to the first's: with growth linear in the number of files, 10 000 files take about 4
times as long as 2 500. Not a test: the hostile case files-thousands-of-goal-files checks
2 000 files for correctness only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from goal_files import write_goals  # noqa: E402

PLAN = """\
schema: nap-rules/plan/v1
id: many-files
title: A plan of many small goal files
period: {start: 2021, end: 2023}
currency: EUR
"""

INSTITUTIONS = """\
schema: nap-rules/institutions/v1
institutions:
  - id: MI
    name: Ministry of the Interior
    kind: ministry
"""


def write_plan(folder: Path, goals: int) -> None:
    write_goals(folder / "goals", goals)
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (folder / "institutions.yaml").write_text(INSTITUTIONS, encoding="utf-8")


def check_seconds(folder: Path, goals: int) -> tuple[float, int, str]:
    argv = [sys.executable, "-m", "nap_rules", "check", str(folder), "--as-of", "2024-01-01",
            "--limit", f"max_files={goals + 2}"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - start
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return seconds, done.returncode, last


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,10000", help="numbers of goal files (default 2500,10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the median is reported")
    parser.add_argument("--keep", metavar="DIR", help="write the plans under DIR and keep them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="nap-many-files-"))
    results = []
    try:
        for goals in sizes:
            folder = base / f"plan-{goals}"
            if folder.exists():
                shutil.rmtree(folder)
            write_plan(folder, goals)
            runs = [check_seconds(folder, goals) for _ in range(args.repeat)]
            seconds = statistics.median(r[0] for r in runs)
            code, summary = runs[0][1], runs[0][2]
            if code not in (0, 1):
                print(f"{goals} goal files: exit {code}: {summary}", file=sys.stderr)
                return 2
            results.append((goals, seconds))
            print(f"{goals:>6} goal files  {seconds:7.2f} s  ({summary})", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    first_goals, first = results[0]
    for goals, seconds in results[1:]:
        print(f"{goals} / {first_goals} files: {goals / first_goals:.1f}x the files, "
              f"{seconds / first:.2f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
