"""benchmarks/run.py keeps working: one small run, its counts right (no timing is asserted)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # seconds: it generates and checks plans in child processes
def test_the_benchmark_runner_runs_and_counts_right(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "200", "--repeat", "1",
                           "--bundled-repeat", "1", "--json", str(out), "--base", str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(out.read_text())
    [result] = data["results"]
    assert result["n"] == 200 and result["correct"] is True
    assert result["nap-rules"]["wall"] > 0 and result["floor"]["wall"] > 0
    assert result["warm"] is not None and result["warm_ratio"] > 0  # the cache was exercised
    assert set(result["phases"]) == {"read+parse", "schema", "graph", "rules", "report"}
    assert data["bundled"]["code"] in (0, 1)
    # this checkout as its own base: the same reports, on this plan/ and on "its own" plan/
    assert data["bundled"]["bytecode"] is True and data["bundled"]["base_same"] is True
    assert data["bundled"]["base"]["wall"] > 0 and data["bundled"]["base_own_plan"]["wall"] > 0
    assert "| 200 |" in done.stdout
