"""benchmarks/generate.py for tests: a seeded synthetic plan folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "nap_benchmark_generate", Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py")
_MODULE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_MODULE)


def generate_plan(folder: Path, measures: int, seed: int = 0) -> Path:
    _MODULE.generate(measures, folder, seed)
    (folder / "defects.json").unlink()
    return folder
