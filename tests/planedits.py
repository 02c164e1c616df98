"""Revised copies of the published plan (plan/), made by exact text edits so nothing else changes."""

from __future__ import annotations

import shutil
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parent.parent / "plan"


def copy_plan(dest: Path) -> Path:
    shutil.copytree(PUBLISHED, dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in `path`; fails if there is not exactly one."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def revise(root: Path) -> Path:
    """A typical yearly revision: one measure moved to another body, one target, one budget line."""
    goals = root / "goals" / "PG1.yaml"
    edit(goals, "responsible: [MB]", "responsible: [MI]")  # measure 1.1.2
    edit(goals, "targets: {2021: 60, 2022: 70, 2023: 80}", "targets: {2021: 60, 2022: 75, 2023: 80}")  # 1.1.3-a
    edit(root / "budget.yaml", "total_cost: 50677784,", "total_cost: 50000000,")  # PG1-current
    return root
