"""The engine benchmark keeps working: its hand-written checks and the rules agree (no timing)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import engine_vs_python  # noqa: E402


def test_engine_and_hand_written_checks_find_the_same_violations(capsys):
    assert engine_vs_python.main(["--n", "300", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "ratio engine / python" in out and "MISMATCH" not in out
