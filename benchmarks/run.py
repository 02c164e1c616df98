#!/usr/bin/env python3
"""Benchmark `nap-rules check` against the YAML parse floor and hand-written checks.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--repeat 3] [--json OUT]

For each size N it generates a seeded synthetic plan (benchmarks/generate.py) and measures,
in the same run and on the same files:

  floor        a whole process that only parses the files with PyYAML's C loader (GC paused)
  handwritten  a whole process running the six checks in plain Python (benchmarks/handwritten.py)
  nap-rules    a whole process: `nap-rules check --no-standard-rules --rules benchmarks/rules`
  fill         the same with an empty cache folder: the run that fills the cache
  warm         the same with the cache warm and one goal file of ten edited (a deadline moved);
               its report is compared with a run without the cache on the edited plan
  phases       read+parse, schema, graph, rules, report, timed in this process

Wall time, CPU time (user + system, the child's own processes included) and peak memory
come from `/usr/bin/time -v` where it exists (else wall time from this process and peak
memory from resource.getrusage of the child). On a shared machine the CPU ratios are the
steadier ones: a busy machine stretches wall time, not CPU time. Figures are medians of
--repeat runs; ratios compare medians from the same run. The counts of findings per check are
compared with the defects the generator injected, so a fast wrong answer does not pass.

Finally the bundled plan (plan/) is checked with all standard rules: cold without a cache,
and with a warm cache after a one-line edit of goals/PG1.yaml (medians of --bundled-repeat).
With --base DIR (a checkout of an earlier commit, e.g. `git worktree add DIR COMMIT`), the
same cold run of that code is timed in the same run, alternating, and the ratios are printed;
if DIR has a plan/, that code is also timed on its own plan (an earlier version may not read
today's plan: it then reports schema errors and runs no rule, which is less work).
These runs, and those of the generated plans, use compiled bytecode, as an installed package
does (an untimed run of each command on a plan of 3 000 measures compiles it): each checkout gets its own
PYTHONPYCACHEPREFIX in the run's temporary folder (PYTHONDONTWRITEBYTECODE unset for it),
filled by one untimed run first, so that neither side pays for compiling Python source (some
0.09 s of a 0.3 s run) and both are treated alike. --from-source times them compiling from
source instead, as a checkout run with PYTHONDONTWRITEBYTECODE=1 does. On a shared machine time
is noisy: --instructions also counts, with valgrind, the instructions of one cold run of each
checkout and of one warm run (steady within a fraction of a percent, but some 50 times slower).
Not a test: the test suite runs it once at a small size only to keep it working.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import generate  # noqa: E402

TIME = "/usr/bin/time"
AS_OF = "2024-01-01"
# finding rule -> the generator's defect kind it counts
RULE_KIND = {"BENCH-001": "no_responsible", "NAP-REF-001": "unregistered_body", "BENCH-003": "bad_dates",
             "BENCH-004": "target_outside_span", "BENCH-005": "budget_mismatch", "BENCH-006": "budget_mismatch",
             "BENCH-007": "duplicate_measure_id"}


def timed(argv: list[str], env=None) -> dict:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one child process.

    It runs in a neutral folder: `python -m` puts the working folder first on the module path,
    where a checkout would shadow the code PYTHONPATH names.
    """
    use_time = os.path.exists(TIME)
    cmd = [TIME, "-v", *argv] if use_time else argv
    start = time.perf_counter()
    if env is None:  # this checkout's code
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    rss = cpu = None
    if use_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        rss = int(m.group(1)) / 1024 if m else None
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", proc.stderr)
        if m:
            wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        times = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr)
        cpu = sum(float(t) for t in times) if len(times) == 2 else None
    else:
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "cpu": cpu, "rss_mib": rss, "code": proc.returncode, "stdout": proc.stdout,
            "stderr": proc.stderr}


def median_of(runs: list[dict], key: str):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def medians(runs: list[dict]) -> dict:
    return {key: median_of(runs, key) for key in ("wall", "cpu", "rss_mib")}


def nap_rules_argv(plan: Path, extra=()) -> list[str]:
    return [sys.executable, "-m", "nap_rules", "check", str(plan), "--no-standard-rules",
            "--rules", str(HERE / "rules"), "--format", "json", "--fail-on", "never", "--as-of", AS_OF, *extra]


def counts_by_kind(report_json: str) -> dict:
    report = json.loads(report_json)
    counts = Counter()
    for f in report["findings"]:
        kind = RULE_KIND.get(f["rule"])
        if kind:
            counts[kind] += 1
    return dict(counts)


def phases(plan: Path) -> dict:
    """Per-phase seconds of one check, in this process (GC paused as the CLI does)."""
    from nap_rules.findings import Report
    from nap_rules.load.plan_folder import read_plan_dir
    from nap_rules.load.schema_check import check_plan_files
    from nap_rules.model.graph import build_graph
    from nap_rules.report import render
    from nap_rules.ruleset.rules import load_rulesets
    from nap_rules.run.engine import evaluate
    from nap_rules.run.pipeline import collector_paused

    out = {}
    with collector_paused():
        t = time.perf_counter()
        files = read_plan_dir(plan)
        out["read+parse"] = time.perf_counter() - t
        t = time.perf_counter()
        schema = check_plan_files(files)
        out["schema"] = time.perf_counter() - t
        t = time.perf_counter()
        graph, refs = build_graph(files)
        out["graph"] = time.perf_counter() - t
        t = time.perf_counter()
        rules = load_rulesets([HERE / "rules"])
        findings = evaluate(graph, rules, as_of=datetime.date.fromisoformat(AS_OF))
        out["rules"] = time.perf_counter() - t
        t = time.perf_counter()
        render("json", Report("bench", "bench", tuple(schema + refs + findings)))
        out["report"] = time.perf_counter() - t
    return out


def edit_goal_file(goal: Path, i: int) -> None:
    """One edit of a goal file: its first measure's deadline moves by a year, and a comment."""
    text = re.sub(r"deadline: (\d+)", lambda m: f"deadline: {int(m.group(1)) ^ 1}", goal.read_text(), count=1)
    goal.write_text(text + f"# edited {i}\n")


def size_argvs(plan: Path) -> tuple[list, list]:
    """The commands of the parse floor and of the hand-written checks on `plan`."""
    floor_argv = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); import handwritten; handwritten.parse_only({str(plan)!r})"]
    return floor_argv, [sys.executable, str(HERE / "handwritten.py"), str(plan)]


def compile_first(workdir: Path) -> None:
    """One untimed run of every command on a plan large enough to be read in worker processes,
    so that the timed runs find every module they import compiled (`code_env`)."""
    plan = workdir / "plan-warm-up"
    generate.generate(3000, plan, seed=1, defect_rate=0.02)
    env = code_env(ROOT, workdir / "bytecode")
    for argv in (*size_argvs(plan), nap_rules_argv(plan), nap_rules_argv(plan, ["--cache", str(workdir / "cache-warm-up")])):
        timed(argv, env)
    edit_goal_file(plan / "goals" / "PG3.yaml", 0)
    timed(nap_rules_argv(plan, ["--cache", str(workdir / "cache-warm-up")]), env)


def bench_size(n: int, repeat: int, workdir: Path, from_source: bool = False) -> dict:
    plan = workdir / f"plan-{n}"
    expected = generate.generate(n, plan, seed=0, defect_rate=0.02)
    floor_argv, hand_argv = size_argvs(plan)
    runs = {"floor": [], "handwritten": [], "nap-rules": [], "fill": [], "warm": []}
    env = code_env(ROOT, None if from_source else workdir / "bytecode")  # compiled by compile_first
    cache = workdir / f"cache-{n}"
    for _ in range(repeat):
        runs["floor"].append(timed(floor_argv, env))
        runs["handwritten"].append(timed(hand_argv, env))
        runs["nap-rules"].append(timed(nap_rules_argv(plan), env))
    got = counts_by_kind(runs["nap-rules"][-1]["stdout"])
    hand_counts = json.loads(runs["handwritten"][-1]["stdout"])
    cache_supported = "--cache" in subprocess.run([sys.executable, "-m", "nap_rules", "check", "--help"],
                                                  capture_output=True, text=True).stdout
    if cache_supported:
        for i in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)
            runs["fill"].append(timed(nap_rules_argv(plan, ["--cache", str(cache)]), env))  # fill the cache
            edit_goal_file(plan / "goals" / "PG3.yaml", i)
            runs["warm"].append(timed(nap_rules_argv(plan, ["--cache", str(cache)]), env))
        # the warm run reports what a run without the cache reports on the edited plan
        warm_matches = runs["warm"][-1]["stdout"] == timed(nap_rules_argv(plan), env)["stdout"]
    else:
        warm_matches = None
    result = {
        "n": n,
        "warm_matches_cold": warm_matches,
        "expected_defects": expected,
        "nap_rules_counts": got,
        "handwritten_counts": hand_counts,
        "correct": (got == {k: v for k, v in expected.items() if v} and hand_counts == expected
                    and warm_matches is not False),
        "phases": phases(plan),
    }
    for name, rs in runs.items():
        result[name] = medians(rs) if rs else None
    floor = result["floor"]["wall"]
    ours = result["nap-rules"]["wall"]
    result["ratio_to_floor"] = ours / floor
    result["ratio_to_handwritten"] = ours / result["handwritten"]["wall"]
    if result["warm"]:
        result["warm_ratio"] = result["warm"]["wall"] / ours
        result["fill_ratio"] = result["fill"]["wall"] / ours
        cold_cpu = result["nap-rules"]["cpu"]
        if cold_cpu:
            result["warm_cpu_ratio"] = result["warm"]["cpu"] / cold_cpu
            result["fill_cpu_ratio"] = result["fill"]["cpu"] / cold_cpu
        cold_rss = result["nap-rules"]["rss_mib"]
        if cold_rss:
            result["warm_rss_ratio"] = (result["warm"]["rss_mib"] or 0) / cold_rss
            result["fill_rss_ratio"] = (result["fill"]["rss_mib"] or 0) / cold_rss
    return result


def code_env(code: Path, bytecode: Path | None) -> dict:
    """The environment of a child running the checkout `code`: with `bytecode`, Python keeps and
    reuses the compiled modules (its own and the libraries') in that folder."""
    env = dict(os.environ, PYTHONPATH=str(code))
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return env


def instructions(argv: list[str], env: dict, folder: Path) -> int | None:
    """The instructions one child process executes (valgrind's callgrind), or None without valgrind.

    Unlike time, the count hardly depends on what else the machine runs; the child runs some 50
    times slower. String hashing is seeded alike in every child.
    """
    if shutil.which("valgrind") is None:
        return None
    out = folder / "callgrind.out"
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
                          env=dict(env, PYTHONHASHSEED="0"), capture_output=True, text=True, cwd=tempfile.gettempdir())
    m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
    return int(m.group(1).replace(",", "")) if m else None


def bundled_instructions(argv, env, base_env, own_argv, cache: Path, goal: Path, texts: tuple[str, str]) -> dict:
    """Instructions of one cold run of each checkout, and of a warm run after a one-line edit."""
    folder = cache.parent
    goal.write_text(texts[0])
    counts = {"cold": instructions(argv, env, folder)}
    if base_env:
        counts["base"] = instructions(argv, base_env, folder)
    if own_argv:
        counts["base_own_plan"] = instructions(own_argv, base_env, folder)
    timed(argv + ["--cache", str(cache)], env)  # the cache holds the published plan
    goal.write_text(texts[1])
    counts["warm"] = instructions(argv + ["--cache", str(cache)], env, folder)
    return counts


def bundled_plan(repeat: int = 5, base: str | None = None, from_source: bool = False,
                 count_instructions: bool = False) -> dict:
    """The bundled plan with all standard rules: cold, warm after a one-line edit, and (with
    `base`) cold with the code of another checkout, the runs alternating so load hits all alike.
    Each checkout runs from its own compiled bytecode unless `from_source`.

    The base checkout runs on this checkout's plan/ (the ratios) and, when it has one, on its own
    plan/ too: an earlier version may not read today's plan (new files are schema errors to it,
    and no rule runs), so the work differs; `base_same` tells whether the reports are the same.
    """
    with tempfile.TemporaryDirectory(prefix="nap-bundled-") as tmp:
        plan = Path(tmp) / "plan"
        shutil.copytree(ROOT / "plan", plan)
        cache = Path(tmp) / "cache"
        argv = [sys.executable, "-m", "nap_rules", "check", str(plan), "--format", "json",
                "--fail-on", "never", "--as-of", AS_OF]
        env = code_env(ROOT, None if from_source else Path(tmp) / "bytecode" / "this")
        base_env = code_env(Path(base), None if from_source else Path(tmp) / "bytecode" / "base") if base else None
        own_argv = None
        if base_env:
            timed(argv, base_env)  # compiles its bytecode, as the cache-filling run below does for this checkout
            if (Path(base) / "plan").is_dir():
                own_argv = [*argv[:4], str(Path(base) / "plan"), *argv[5:]]
        goal = plan / "goals" / "PG1.yaml"
        published = goal.read_text()
        edited = re.sub(r"deadline: (\d+)", lambda m: f"deadline: {int(m.group(1)) - 1}", published, count=1)
        runs: dict = {"cold": [], "warm": [], "base": [], "base_own_plan": []}
        same = base_same = True
        timed(argv + ["--cache", str(cache)], env)  # fill the cache
        for i in range(repeat):
            goal.write_text(published)
            runs["cold"].append(timed(argv, env))
            if base_env:
                runs["base"].append(timed(argv, base_env))
                base_same = base_same and runs["base"][-1]["stdout"] == runs["cold"][-1]["stdout"]
            if own_argv:
                runs["base_own_plan"].append(timed(own_argv, base_env))
            goal.write_text(edited if i % 2 == 0 else published)  # one line edited since the last run
            runs["warm"].append(timed(argv + ["--cache", str(cache)], env))
            same = same and runs["warm"][-1]["stdout"] == timed(argv, env)["stdout"]
        counts = (bundled_instructions(argv, env, base_env, own_argv, cache, goal, (published, edited))
                  if count_instructions else {})
    out = {"repeat": repeat, "same_reports": same, "code": runs["cold"][-1]["code"], "bytecode": not from_source}
    if counts:
        out["instructions"] = counts
    for name, rs in runs.items():
        if rs:
            out[name] = medians(rs)
    if runs["base"]:
        out["base_same"] = base_same
        for versus in ("base", "base_own_plan"):
            if versus not in out:
                continue
            out[f"cold_vs_{versus}"] = out["cold"]["wall"] / out[versus]["wall"]
            out[f"warm_vs_{versus}"] = out["warm"]["wall"] / out[versus]["wall"]
            if out[versus]["cpu"]:
                out[f"cold_cpu_vs_{versus}"] = out["cold"]["cpu"] / out[versus]["cpu"]
                out[f"warm_cpu_vs_{versus}"] = out["warm"]["cpu"] / out[versus]["cpu"]
    return out


def table(results: list[dict], bundled: dict) -> str:
    lines = ["| N | floor s | hand-written s | nap-rules s | x floor | x hand | peak MiB | fill/cold | warm/cold "
             "| fill MiB | warm MiB | correct |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def ratio(r, key):
        return f"{r[key]:.2f}" if r.get(key) else "-"

    for r in results:
        fill_rss = f"{r['fill']['rss_mib'] or 0:.0f}" if r.get("fill") else "-"
        warm_rss = f"{r['warm']['rss_mib'] or 0:.0f}" if r.get("warm") else "-"
        lines.append(f"| {r['n']} | {r['floor']['wall']:.2f} | {r['handwritten']['wall']:.2f} | {r['nap-rules']['wall']:.2f} "
                     f"| {r['ratio_to_floor']:.2f} | {r['ratio_to_handwritten']:.2f} | {r['nap-rules']['rss_mib'] or 0:.0f} "
                     f"| {ratio(r, 'fill_ratio')} | {ratio(r, 'warm_ratio')} | {fill_rss} | {warm_rss} "
                     f"| {'yes' if r['correct'] else 'NO'} |")
    lines.append("")
    lines.append("phases (s): " + "; ".join(
        f"N={r['n']}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["phases"].items()) for r in results))
    cpu = [f"N={r['n']}: warm/cold {r['warm_cpu_ratio']:.2f}, fill/cold {r['fill_cpu_ratio']:.2f}"
           for r in results if r.get("warm_cpu_ratio")]
    if cpu:
        lines.append("CPU time ratios: " + "; ".join(cpu))
    if len(results) > 1:
        a, b = results[-2], results[-1]
        lines.append(f"growth {a['n']} -> {b['n']}: x{b['nap-rules']['wall'] / a['nap-rules']['wall']:.1f}")
    cold, warm = bundled["cold"], bundled["warm"]
    lines.append(f"bundled plan/, all standard rules, from {'bytecode' if bundled.get('bytecode') else 'source'}, "
                 f"median of {bundled['repeat']}: cold {cold['wall']:.3f} s "
                 f"{cold['rss_mib'] or 0:.0f} MiB; warm cache after a one-line edit {warm['wall']:.3f} s "
                 f"{warm['rss_mib'] or 0:.0f} MiB; reports {'the same' if bundled['same_reports'] else 'DIFFERENT'}")
    counts = bundled.get("instructions") or {}
    if counts.get("cold"):
        lines.append("  instructions (callgrind, one run each): " + ", ".join(
            f"{name} {n / 1e9:.3f} G" for name, n in counts.items() if n)
            + "".join(f"; {run}/{versus} {counts[run] / counts[versus]:.2f}" for versus in ("base", "base_own_plan")
                      for run in ("cold", "warm") if counts.get(versus) and counts.get(run)))
    for versus, what in (("base", "this plan/"), ("base_own_plan", "its own plan/")):
        if versus not in bundled:
            continue
        same = f"; reports {'the same' if bundled['base_same'] else 'different'}" if versus == "base" else ""
        lines.append(f"  base checkout, cold, {what}: {bundled[versus]['wall']:.3f} s{same}; "
                     f"cold/base {bundled[f'cold_vs_{versus}']:.2f}, warm/base {bundled[f'warm_vs_{versus}']:.2f}"
                     + (f"; CPU time: cold/base {bundled[f'cold_cpu_vs_{versus}']:.2f}, "
                        f"warm/base {bundled[f'warm_cpu_vs_{versus}']:.2f}" if f"cold_cpu_vs_{versus}" in bundled else ""))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", default=str(HERE / "out" / "results.json"))
    parser.add_argument("--bundled-repeat", type=int, default=5)
    parser.add_argument("--base", default=None, metavar="DIR",
                        help="a checkout of an earlier commit whose cold run on plan/ is timed in the same run")
    parser.add_argument("--from-source", action="store_true",
                        help="time the bundled plan's runs compiling Python source (default: from bytecode)")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions of the bundled plan's runs with valgrind (slow, steady)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="nap-bench-") as tmp:
        if not args.from_source:
            compile_first(Path(tmp))
        results = [bench_size(n, args.repeat, Path(tmp), args.from_source) for n in sizes]
    bundled = bundled_plan(args.bundled_repeat, args.base, args.from_source, args.instructions)
    print(table(results, bundled))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"results": results, "bundled": bundled}, indent=2, default=str) + "\n")
    return 0 if all(r["correct"] for r in results) and bundled["same_reports"] else 1


if __name__ == "__main__":
    sys.exit(main())
