"""Small plan folders for tests, written as real YAML files."""

from __future__ import annotations

from pathlib import Path

import yaml

PLAN = {"schema": "nap-rules/plan/v1", "id": "test-plan", "title": "Test plan", "country": "AL",
        "period": {"start": 2021, "end": 2023}, "baseline_year": 2020, "currency": "ALL",
        "exchange_rates": {"EUR": 125}}

INSTITUTIONS = [{"id": "MI", "name": "Ministry of Interior", "aliases": ["MIA"], "kind": "ministry"},
                {"id": "MJ", "name": "Ministry of Justice", "kind": "ministry"}]


def measure(ident: str, **fields) -> dict:
    m = {"id": ident, "title": f"Measure {ident}", "responsible": ["MI"], "contributing": ["MJ"],
         "start": 2021, "deadline": 2023,
         "indicators": [{"id": f"{ident}-a", "name": f"Indicator of {ident}", "unit": "cases",
                         "baseline": {"year": 2020, "value": 0}, "targets": {2021: 1, 2022: 2, 2023: 3}}]}
    m.update(fields)
    return m


def goal(ident: str = "PG1", measures=None, objective: str | None = None, **fields) -> dict:
    obj = objective or f"{ident[2:]}.1"
    g = {"schema": "nap-rules/goal/v1", "id": ident, "title": f"Goal {ident}",
         "objectives": [{"id": obj, "title": f"Objective {obj}",
                         "measures": measures if measures is not None else [measure(f"{obj}.1")]}]}
    g.update(fields)
    return g


def write_plan(root: Path, goals=None, institutions=None, plan=None, budget=None, indicators=None,
               progress=None, extra_files=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "goals").mkdir(exist_ok=True)
    dump(root / "plan.yaml", plan or PLAN)
    dump(root / "institutions.yaml", {"schema": "nap-rules/institutions/v1",
                                      "institutions": INSTITUTIONS if institutions is None else institutions})
    for g in goals if goals is not None else [goal()]:
        dump(root / "goals" / f"{g['id']}.yaml", g)
    if budget is not None:
        dump(root / "budget.yaml", {"schema": "nap-rules/budget/v1", **budget})
    if indicators is not None:
        dump(root / "indicators.yaml", {"schema": "nap-rules/indicators/v1", "indicators": indicators})
    for name, report in (progress or {}).items():
        (root / "progress").mkdir(exist_ok=True)
        dump(root / "progress" / f"{name}.yaml", {"schema": "nap-rules/progress/v1", **report})
    for name, text in (extra_files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def dump(path: Path, data) -> None:
    # schema first, block style, keys in the given order: like a hand-written plan file
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")
