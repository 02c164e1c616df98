"""The benchmark generator injects exactly the defects it reports, and the hand-written checker
finds exactly those."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
PLAN_FILES = {
    "plan.yaml": "plan",
    "institutions.yaml": "institutions",
    "indicators.yaml": "indicators",
    "budget.yaml": "budget",
    **{f"goals/PG{g}.yaml": "goal" for g in range(1, 11)},
}


def _module(name):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handwritten = _module("handwritten")


def generate(out: Path, n=300, seed=0, rate=0.05) -> dict:
    subprocess.run(
        [sys.executable, str(BENCHMARKS / "generate.py"), str(n), str(out),
         "--seed", str(seed), "--defect-rate", str(rate)],
        check=True,
    )
    return json.loads((out / "defects.json").read_text())


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("seed", [1, 2])
def test_checker_counts_equal_injected_defects(tmp_path, seed):
    injected = generate(tmp_path / "plan", seed=seed)
    assert list(injected) == list(handwritten.KINDS)
    assert all(count >= 1 for count in injected.values()), injected
    assert handwritten.run(tmp_path / "plan") == injected


def test_command_line_prints_the_counts(tmp_path):
    injected = generate(tmp_path / "plan", seed=3)
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "handwritten.py"), str(tmp_path / "plan")],
        capture_output=True, text=True, check=True,
    )
    assert json.loads(result.stdout) == injected


@pytest.mark.parametrize("n", [0, 7, 300])
def test_without_defects_nothing_is_found(tmp_path, n):
    injected = generate(tmp_path / "plan", n=n, rate=0)
    assert set(injected.values()) == {0}
    assert handwritten.run(tmp_path / "plan") == injected


def test_every_measure_defective_is_still_counted_exactly(tmp_path):
    injected = generate(tmp_path / "plan", n=300, rate=1)
    assert sum(injected.values()) == 300
    assert handwritten.run(tmp_path / "plan") == injected


def test_same_seed_same_bytes(tmp_path):
    generate(tmp_path / "a", seed=7)
    generate(tmp_path / "b", seed=7)
    generate(tmp_path / "c", seed=8)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")


@pytest.mark.slow  # parses a generated plan of the default size
def test_files_parse_and_start_with_their_schema(tmp_path):
    folder = tmp_path / "plan"
    generate(folder, seed=1)
    assert set(snapshot(folder)) == set(PLAN_FILES) | {"defects.json"}
    for name, kind in PLAN_FILES.items():
        text = (folder / name).read_text(encoding="utf-8")
        assert text.startswith(f"schema: nap-rules/{kind}/v1\n"), name
        assert yaml.safe_load(text)["schema"] == f"nap-rules/{kind}/v1"


def test_measures_are_spread_evenly_with_the_documented_fields(tmp_path):
    folder = tmp_path / "plan"
    generate(folder, n=300, seed=1, rate=0)
    docs = handwritten.parse_only(folder)
    objectives = [o for g in docs["goals"] for o in g["objectives"]]
    assert len(docs["goals"]) == 10 and len(objectives) == 50
    assert {len(o["measures"]) for o in objectives} == {6}
    measure = objectives[0]["measures"][0]
    assert list(measure) == ["id", "title", "responsible", "contributing", "start", "deadline",
                             "indicators", "cost"]
    indicator = measure["indicators"][0]
    assert indicator["id"] == f"{measure['id']}-a"
    assert list(indicator["targets"]) == [2021, 2022, 2023]
    assert indicator["baseline"]["year"] == 2020
    lines = docs["budget"]["lines"]
    assert len(lines) == 20
    assert list(lines[0]) == ["id", "goal", "nature", "total_cost", "planned", "gap"]
    assert docs["budget"]["published_totals"]["total_cost"] == sum(x["total_cost"] for x in lines)
    assert len(docs["indicators"]["indicators"]) == 10
    assert any(b.get("aliases") for b in docs["institutions"]["institutions"])
