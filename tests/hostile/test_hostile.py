"""Hostile and broken input: every case of cases.yaml, run through the command line.

Each case is a plan folder under cases/ (committed), or a committed folder copied and then
changed at test time by the case's `generate:` steps (odd bytes, symlinks, pipes, deep
nesting, thousands of files: things a repository should not hold). The table gives the exact
outcome: exit code, a fragment of the message, and where (`file:line:column`, `file:line`,
or `file` alone when there is no line), all relative to the plan folder. No case prints a
traceback. What bounds a hostile input is what the tool counts (bytes, depth, alias
expansions, values, files, steps): the expected message names the limit that stopped it. As a
backstop against work no limit counts, a case may use at most CASE_CPU_SECONDS of CPU time,
many times what any case takes: CPU time, not wall-clock time, so a busy machine fails nothing.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import sys
from xml.etree import ElementTree
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from cputime import cpu_time

from nap_rules.cli import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from goal_files import goal_text, write_goals  # noqa: E402

CASES_DIR = HERE / "cases"
TABLE = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]
CATEGORIES = ("yaml", "values", "structure", "files", "rules", "output", "workbook")
COMMANDS = ("validate", "check", "diff")
CASE_CPU_SECONDS = 60.0
# only for a child that waits forever without using CPU (a FIFO opened for reading): no
# answer at all, however busy the machine
HANG_SECONDS = 600
KEYS = {"name", "category", "command", "args", "exit", "message", "at", "rule", "findings", "base",
        "generate", "runner", "graph", "absent", "parse", "why", "slow", "target"}

# --- generating the cases that are not committed ------------------------------------------

def _text_bytes(step: dict, text: str) -> bytes:
    if step.get("newline"):
        text = text.replace("\n", step["newline"])
    data = text.encode(step.get("encoding", "utf-8"))
    return (b"\xef\xbb\xbf" if step.get("bom") else b"") + data


def _fill(value, plan: Path, outside: Path):
    return value.replace("{plan}", str(plan)).replace("{outside}", str(outside)) if isinstance(value, str) else value


def generate(steps: list, plan: Path, outside: Path) -> None:
    for step in steps:
        (op, target), = [(k, v) for k, v in step.items() if k in OPS]
        OPS[op](plan / _fill(target, plan, outside) if isinstance(target, str) else target, step, plan, outside)


def _write(path: Path, step, plan, outside):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes.fromhex(step["hex"]) if "hex" in step else _text_bytes(step, step["text"]))


def _convert(path: Path, step, plan, outside):
    path.write_bytes(_text_bytes(step, path.read_text(encoding="utf-8")))


def _replace(path: Path, step, plan, outside):
    text = path.read_text(encoding="utf-8")
    assert step["old"] in text, f"generate: {step['old']!r} not in {path}"
    path.write_text(text.replace(step["old"], step["new"], 1), encoding="utf-8")


def _append(path: Path, step, plan, outside):
    with path.open("a", encoding="utf-8") as f:
        f.write(step["text"])


def _deep(path: Path, step, plan, outside):
    depth, style = step["depth"], step.get("style", "flow")
    nested = {"flow": "[" * depth + "]" * depth,
              "mapping": "{a: " * depth + "1" + "}" * depth,
              "block": "\n" + "- " * depth + "x"}[style]
    with path.open("a", encoding="utf-8") as f:
        f.write(f"deep: {nested}\n")


def _long_value(path: Path, step, plan, outside):
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{step['key']}: {'x' * step['length']}\n")


def _dangling(path: Path, step, plan, outside):
    """A goal with `count` measures (and indicators) and `count` references to no indicator."""
    n = step["count"]
    lines = ["schema: nap-rules/goal/v1", "id: PG9", "title: Goal nine", "outcome_indicators:"]
    lines += [f"  - OI-{i}-missing" for i in range(n)]
    lines += ["objectives:", '  - id: "9.1"', "    title: Objective nine", "    measures:"]
    for i in range(n):
        lines += [f'      - id: "9.1.{i}"', f"        title: Measure {i}", "        indicators:",
                  f'          - {{id: "9.1.{i}-a", name: Indicator {i}, baseline: {{year: 2020, value: 0}}, targets: {{}}}}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _goals(folder: Path, step, plan, outside):
    write_goals(folder, step["count"])


def _touch(folder: Path, step, plan, outside):
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(step["count"]):
        (folder / f"F{n:05d}.yaml").touch()


def _pad(path: Path, step, plan, outside):
    with path.open("a", encoding="utf-8") as f:
        f.write("# " + "x" * step["bytes"] + "\n")


def _copy_base(path: Path, step, plan, outside):
    shutil.copytree(CASES_DIR / step.get("base", "ok-minimal"), path, symlinks=True)


def _mkdir(path: Path, step, plan, outside):
    path.mkdir(parents=True)


def _symlink(path: Path, step, plan, outside):
    os.symlink(_fill(step["to"], plan, outside), path)


def _fifo(path: Path, step, plan, outside):
    os.mkfifo(path)


def _remove(path: Path, step, plan, outside):
    shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()


def _rename(path: Path, step, plan, outside):
    # the new name as bytes (latin-1 maps each character to one byte): a name that is not UTF-8
    os.rename(path, os.fsencode(plan) + b"/" + step["to"].encode("latin-1"))


def _chmod(path: Path, step, plan, outside):
    os.chmod(path, step["mode"])


def _workbook(path: Path, step, plan, outside):
    from workbooks import make

    make(path, step.get("form", "plain"), plan)


OPS = {"write": _write, "convert": _convert, "replace": _replace, "append": _append, "deep": _deep,
       "long_value": _long_value, "dangling": _dangling, "goals": _goals, "touch": _touch, "pad": _pad, "copy_base": _copy_base, "mkdir": _mkdir, "symlink": _symlink, "fifo": _fifo,
       "remove": _remove, "rename": _rename, "chmod": _chmod, "workbook": _workbook}


def prepare(case: dict, tmp_path: Path) -> Path:
    """The plan folder of a case: the committed one, or a generated copy."""
    if "generate" not in case:
        return CASES_DIR / case["name"]
    plan = tmp_path / case["name"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "elsewhere.yaml").write_text(goal_text(9), encoding="utf-8")
    shutil.copytree(CASES_DIR / case.get("base", "ok-minimal"), plan, symlinks=True)
    generate(case["generate"], plan, outside)
    return plan


# --- running ----------------------------------------------------------------------------

def _drop_read_override():
    """Runs in the child: without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH root obeys file modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run(case: dict, args: list[str]) -> tuple[int, str, str]:
    """(exit code, standard output and error, standard output alone)."""
    runner = case.get("runner", "inprocess")
    if runner == "inprocess":
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{type(result.exception).__name__}: {result.exception}"
        return result.exit_code, result.output, result.stdout
    env = dict(os.environ, PYTHONPATH=str(REPO))
    preexec = None
    if runner == "no-read-override":
        if os.geteuid() == 0:
            preexec = _drop_read_override
    elif runner != "subprocess":
        raise AssertionError(f"unknown runner {runner!r}")
    try:
        done = subprocess.run([sys.executable, "-m", "nap_rules", *args], cwd=REPO, env=env, capture_output=True,
                              timeout=HANG_SECONDS, preexec_fn=preexec)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no answer within {HANG_SECONDS} s") from None
    except subprocess.SubprocessError:
        if preexec is None:
            raise
        pytest.skip("running as root without the right to drop CAP_DAC_OVERRIDE: a mode-000 file stays readable")
    stdout = done.stdout.decode("utf-8", "replace")
    return done.returncode, stdout + done.stderr.decode("utf-8", "replace"), stdout


def _where(plan: Path, at: str) -> str:
    if at.startswith("/"):  # a file named on the command line, outside the plan folder
        return at
    return f"{plan}/{at}" if at else str(plan)


def check_graph(case: dict, plan: Path) -> None:
    from nap_rules.run.pipeline import validate

    graph = validate(plan).graph
    assert graph is not None
    for key, at in case["graph"].get("nodes", {}).items():
        assert key in graph, f"no node {key}"
        source = graph.nodes[key]["source"]
        file, line = at.rsplit(":", 1)
        assert (source.file, source.line) == (f"{plan}/{file}", int(line)), (key, source)
    for u, v, rel in case["graph"].get("edges", []):
        assert any(d.get("rel") == rel for d in graph.get_edge_data(u, v, default={}).values()), (u, v, rel)
    for key, fields in case["graph"].get("fields", {}).items():
        for name, value in fields.items():
            assert graph.nodes[key][name] == value, (key, name, graph.nodes[key][name])


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"], marks=[pytest.mark.slow] if c.get("slow") else [])
                                  for c in TABLE])
def test_case(case, tmp_path):
    plan = prepare(case, tmp_path)
    outside = tmp_path / "outside"
    target = plan / case["target"] if "target" in case else plan  # a workbook made from the plan folder
    args = [case.get("command", "validate"), str(target)] + [_fill(a, plan, outside) for a in case.get("args", [])]
    if args[0] == "check" and "--format" not in args:
        args.append("--flat")  # the cases name findings by their file:line:col
    with cpu_time() as used:
        code, output, stdout = run(case, args)

    assert "Traceback" not in output, output[-3000:]
    assert code == case["exit"], output[-3000:]
    lines = [line for line in output.splitlines() if case["message"] in line]
    assert lines, f"{case['message']!r} not in output:\n{output[-3000:]}"
    if "at" in case:
        prefix = _where(plan, case["at"])
        # `file:line` also matches `file:line:column`; `file` alone is followed by ': '
        located = [line for line in lines if line.startswith(prefix + ":") or line.startswith(prefix + " ")]
        assert located, f"{case['message']!r} not reported at {case['at']}:\n{output[-3000:]}"
        if "rule" in case:
            assert any(f"  {case['rule']}  " in line for line in located), output[-3000:]
    if "findings" in case:
        counts = re.findall(r": (\d+) findings? in ", output)
        assert counts and int(counts[-1]) == case["findings"], output[-3000:]
    if "graph" in case:
        check_graph(case, plan)
    for fragment in case.get("absent", []):
        # "\n::" also finds the first line: a line of its own is what forges a CI command
        assert fragment not in "\n" + output, f"{fragment!r} in output:\n{output[-3000:]}"
    if case.get("parse") == "xml":
        ElementTree.fromstring(stdout.encode("utf-8"))  # well-formed, or it raises
    assert used.seconds < CASE_CPU_SECONDS, f"used {used.seconds:.1f} s of CPU time"


# --- the table itself ---------------------------------------------------------------------

def test_table_is_well_formed():
    names = [c["name"] for c in TABLE]
    assert len(names) == len(set(names)), "case names repeat"
    for case in TABLE:
        assert set(case) <= KEYS, (case["name"], set(case) - KEYS)
        assert case["category"] in CATEGORIES, case["name"]
        assert case["exit"] in (0, 1, 2), case["name"]
        assert case.get("command", "validate") in COMMANDS, case["name"]
        committed = CASES_DIR / case["name"]
        if "generate" in case:
            assert (CASES_DIR / case.get("base", "ok-minimal")).is_dir(), case["name"]
            assert not committed.exists(), f"{case['name']}: generated cases have no committed folder"
        else:
            assert (committed / "plan.yaml").is_file(), f"{case['name']}: no committed plan folder"
        if case["exit"] != 0:
            assert "at" in case, f"{case['name']}: a failing case says where"


def test_every_committed_folder_is_a_case():
    names = {c["name"] for c in TABLE} | {c.get("base", "ok-minimal") for c in TABLE}
    assert {p.name for p in CASES_DIR.iterdir() if p.is_dir()} <= names


def test_each_category_has_cases():
    counts = {cat: sum(c["category"] == cat for c in TABLE) for cat in CATEGORIES}
    assert sum(counts.values()) >= 40 and all(n >= 5 for n in counts.values()), counts
