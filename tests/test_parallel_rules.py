"""A check whose rules are evaluated in worker processes, and whose graph is built while workers
read the files, reports what one process reports, byte for byte; a worker that fails or dies,
a rule that reaches its step limit and a file that breaks its schema or cannot be read change
nothing either."""

from __future__ import annotations

import datetime
import os
import shutil
import sys
from pathlib import Path

import pytest

from nap_rules.check import check_plan
from nap_rules.errors import InputError
from nap_rules.load import parallel as parallel_read
from nap_rules.report import render
from nap_rules.run import parallel

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

AS_OF = datetime.date(2024, 1, 1)
BENCH = dict(rule_dirs=(str(ROOT / "benchmarks" / "rules"),), standard_rules=False)


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parallel-rules") / "plan"
    generate.generate(300, folder, seed=11, defect_rate=0.05)
    return folder


@pytest.fixture
def split(monkeypatch):
    """Every plan large enough for workers, in units of 100 nodes: `split(n)` sets how many."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "MIN_UNIT", 100)
    monkeypatch.setattr(parallel_read, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel_read, "LARGE_FILE", 0)

    def workers(n: int) -> None:
        monkeypatch.setenv("NAP_RULES_WORKERS", str(n))

    return workers


def checked(plan: Path, cache: Path | None = None, **options):
    options = {**BENCH, **options}
    result, report = check_plan(str(plan), as_of=AS_OF, cache=str(cache) if cache else None, **options)
    return result, report


def outputs(plan: Path, **options) -> tuple:
    _, report = checked(plan, **options)
    return render("json", report), render("sarif", report), report.extra.get("rule_values")


@pytest.mark.parametrize("options", [BENCH, dict(standard_rules=True)], ids=["bench rules", "standard rules"])
def test_workers_find_what_one_process_finds(plan, split, options):
    split(1)
    one = outputs(plan, **options)
    split(2)
    two = outputs(plan, **options)
    assert two[:2] == one[:2]
    assert '"rule": "BENCH-' in one[0] or options.get("standard_rules")
    assert one[0].count('"rule":') > 10


def test_units_cover_every_node_once_the_last_ones_first():
    handed = parallel.units([10_000, 0, 4_500], 2)
    assert sorted(handed) == [(0, 0, 2_000), (0, 2_000, 4_000), (0, 4_000, 6_000), (0, 6_000, 8_000),
                              (0, 8_000, 10_000), (2, 0, 2_000), (2, 2_000, 4_000), (2, 4_000, 4_500)]
    assert handed[:2] == [(0, 8_000, 10_000), (2, 4_000, 4_500)]


REPORTED = """schema: nap-rules/ruleset/v1
rules:
  - id: T-VALUES
    title: A measure's indicators, reported
    severity: info
    applies_to: measure
    let:
      named: "len(related('measured_by'))"
    assert: "named < 2"
    message: "measure {id} has {named} indicators"
    report: [named]
    rationale: "Reports a value on every measure."
    references: ["tests/test_parallel_rules.py"]
    examples: {pass: tests, fail: tests}
"""


def test_the_values_rules_report_come_back_in_node_order(plan, split, monkeypatch, tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "values.yaml").write_text(REPORTED)
    options = dict(rule_dirs=(str(tmp_path / "rules"),), standard_rules=True, rule_values=True)
    monkeypatch.setattr(parallel, "MIN_UNIT", 1)
    monkeypatch.setattr(parallel, "UNITS_PER_WORKER", 100)  # a few units per rule
    split(1)
    one = outputs(plan, **options)[2]
    split(3)
    three = outputs(plan, **options)[2]
    assert len([key for key in one if key[0] == "T-VALUES"]) == 300
    assert list(three.items()) == list(one.items())


def test_the_graph_built_while_reading_is_the_graph_of_one_process(plan, split):
    split(1)
    one = checked(plan)[0].plan_graph
    split(2)
    two = checked(plan)[0].plan_graph
    assert list(two._node) == list(one._node)
    assert two._node == one._node
    assert {k: dict(v) for k, v in two._succ.items()} == {k: dict(v) for k, v in one._succ.items()}


def _dies():
    os._exit(3)


def _fails():
    raise RuntimeError("a worker that fails")


@pytest.mark.parametrize("broken", [_dies, _fails], ids=["dies", "fails"])
def test_a_worker_that_dies_or_fails_leaves_the_rules_to_this_process(plan, split, monkeypatch, broken):
    split(1)
    one = outputs(plan)
    split(2)
    monkeypatch.setattr(parallel, "_worker", broken)
    assert outputs(plan) == one


@pytest.mark.parametrize("missing", [("Array",), ("Lock", "RLock")])
def test_without_the_semaphores_workers_need_the_work_is_done_here(plan, split, monkeypatch, missing):
    """A machine where shared counters or locks cannot be made (no /dev/shm) reads the files and
    evaluates the rules in one process, to the same reports."""
    import multiprocessing.context

    split(1)
    one = outputs(plan)
    split(2)

    def no_semaphores(*args, **kwargs):
        raise OSError(38, "Function not implemented")
    for name in missing:
        monkeypatch.setattr(multiprocessing.context.BaseContext, name, no_semaphores)
    assert outputs(plan) == one


def test_a_rule_past_its_step_limit_over_the_units_stops_where_one_process_stops(plan, split, tmp_path, monkeypatch):
    limited = tmp_path / "plan"
    shutil.copytree(plan, limited)
    monkeypatch.setattr(parallel, "MIN_UNIT", 50)
    # each unit stays under the limit, their sum does not
    (limited / ".nap-rules.yaml").write_text("schema: nap-rules/config/v1\nlimits:\n  rule_steps: 1500\n")
    split(1)
    one = outputs(limited)
    split(2)
    assert outputs(limited) == one
    assert "too many evaluation steps over the run" in one[0]


def test_a_run_that_fills_the_cache_then_a_recheck_report_what_one_process_reports(plan, split, tmp_path):
    edited = tmp_path / "plan"
    shutil.copytree(plan, edited)
    split(1)
    uncached = outputs(edited)[0]
    split(2)
    assert render("json", checked(edited, tmp_path / "cache")[1]) == uncached
    goal = edited / "goals" / "PG2.yaml"
    goal.write_text(goal.read_text().replace("deadline: 20", "deadline: 21", 1))
    split(1)
    uncached = outputs(edited)[0]
    split(2)
    assert render("json", checked(edited, tmp_path / "cache")[1]) == uncached


@pytest.mark.parametrize("name, kind", [("goals/PG3.yaml", "goal"), ("budget.yaml", "budget")])
def test_a_file_that_breaks_its_schema_stops_the_graph_as_in_one_process(plan, split, tmp_path, name, kind):
    broken = tmp_path / "plan"
    shutil.copytree(plan, broken)
    path = broken / name
    path.write_text(path.read_text().replace(f"schema: nap-rules/{kind}/v1", f"schema: nap-rules/{kind}/v1\nunknown: 1", 1))
    split(1)
    one = outputs(broken)
    split(2)
    result, report = checked(broken)
    assert (render("json", report), render("sarif", report)) == one[:2]
    assert result.plan_graph is None and name in one[0]


def test_an_unreadable_file_fails_as_in_one_process_while_the_graph_is_built(plan, split, tmp_path):
    broken = tmp_path / "plan"
    shutil.copytree(plan, broken)
    for name in ("PG2.yaml", "PG5.yaml"):  # the first in read order is reported
        goal = broken / "goals" / name
        goal.write_text(goal.read_text() + "  - [unclosed\n")
    errors = []
    for n in (1, 2):
        split(n)
        with pytest.raises(InputError) as caught:
            checked(broken)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "PG2.yaml" in errors[0]
