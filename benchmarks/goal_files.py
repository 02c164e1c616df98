"""Goal files of one measure each, for plans of many small files: the many-files benchmark and
the tests that need such a plan (hostile input, exact money) write them with this.

`goal_text(n)` is goal G{n} with objective {n}.1 and measure {n}.1.1, the Ministry of the
Interior (MI) responsible, 2021 to 2023; `write_goals(folder, count)` writes G00001.yaml to
G{count}.yaml into `folder`.
"""

from __future__ import annotations

from pathlib import Path

GOAL = """\
schema: nap-rules/goal/v1
id: {goal_id}
title: Goal {n}
objectives:
  - id: "{n}.1"
    title: Objective {n}.1
    measures:
      - id: "{n}.1.1"
        title: Measure {n}.1.1
        responsible: [MI]
        start: 2021
        deadline: 2023
"""


def goal_text(n: int, goal_id: str | None = None, measure_lines: str = "") -> str:
    """Goal `goal_id` (default G{n}); `measure_lines`, indented as fields of the measure, end it."""
    return GOAL.format(n=n, goal_id=goal_id or f"G{n}") + measure_lines


def write_goals(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        (folder / f"G{n:05d}.yaml").write_text(goal_text(n), encoding="utf-8")
