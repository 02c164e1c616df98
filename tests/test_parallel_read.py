"""Worker processes read a large plan's files to the same result, in the same order, with the
same errors, as one process does."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nap_rules.errors import InputError
from nap_rules.findings import Report
from nap_rules.load import parallel
from nap_rules.load.plan_folder import read_plan_dir
from nap_rules.load.schema_check import check_plan_files
from nap_rules.report import render

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import generate  # noqa: E402


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("parallel") / "plan"
    generate.generate(400, folder, seed=5, defect_rate=0.05)
    return folder


def read(plan: Path, monkeypatch, workers: int):
    monkeypatch.setenv("NAP_RULES_WORKERS", str(workers))
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "LARGE_FILE", 0)
    files = read_plan_dir(plan)
    return files, render("json", Report("t", "t", tuple(check_plan_files(files))))


def test_workers_read_what_one_process_reads(plan, monkeypatch):
    one, one_report = read(plan, monkeypatch, 1)
    two, two_report = read(plan, monkeypatch, 2)
    assert [(f.kind, f.display, f.doc) for f in two.files] == [(f.kind, f.display, f.doc) for f in one.files]
    assert [f.doc.loc for f in two.files] == [f.doc.loc for f in one.files]
    assert two_report == one_report


def test_a_file_a_worker_cannot_read_fails_as_in_one_process(plan, tmp_path, monkeypatch):
    import shutil

    broken = tmp_path / "plan"
    shutil.copytree(plan, broken)
    goal = broken / "goals" / "PG4.yaml"
    goal.write_text(goal.read_text() + "  - [unclosed\n")
    errors = []
    for workers in (1, 2):
        with pytest.raises(InputError) as caught:
            read(broken, monkeypatch, workers)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and "PG4.yaml" in errors[0]
