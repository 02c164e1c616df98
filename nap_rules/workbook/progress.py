"""Monitoring templates: one workbook per reporting institution, and reading the returned ones.

`export --progress-template YEAR [--half H] --to DIR` writes, for every body responsible for
at least one measure, a workbook with its measures (Measure status: one row each, Status to
choose) and their indicators (Actuals: one row each, Value to fill), the plan's own values
beside them in `(plan) …` columns for reference (title, deadline, unit, baseline, the year's
target), which the import does not read. `import --progress FILE… --to DIR` reads returned
workbooks into progress reports (`DIR/progress/<year>[-H<half>]-<body>.yaml`), leaving out
the rows left empty, and says so; the monitoring rules (NAP-PROGRESS-*) then check them.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..load.locations import LocList
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from .export import read_docs, workbook_bytes
from .files import write_atomic
from .importer import Imported, Note
from .layout import Leaf
from .tables import TEXT, plan_tables

from .importer import CONTEXT  # headers of columns shown for reference, not read back
NUMBER = Leaf(("value",), frozenset({"number", "null"}))


def reporting_bodies(docs: dict) -> dict:
    """{body id: [measure records]} of the bodies responsible for measures, by registry id where known."""
    names = {}
    for kind, doc in docs.values():
        if kind == "institutions":
            for inst in doc.get("institutions") or []:
                if isinstance(inst, dict) and isinstance(inst.get("id"), str):
                    names.setdefault(inst["id"], inst["id"])
                    for alias in inst.get("aliases") or []:
                        names.setdefault(alias, inst["id"])
    out: dict = {}
    for rel in sorted(docs):
        kind, doc = docs[rel]
        if kind != "goal":
            continue
        for objective in doc.get("objectives") or []:
            for measure in (objective.get("measures") or []) if isinstance(objective, dict) else []:
                if not isinstance(measure, dict):
                    continue
                for name in measure.get("responsible") or []:
                    body = names.get(name, name)
                    if isinstance(body, str) and measure not in out.setdefault(body, []):
                        out[body].append(measure)
    return out


def report_name(year: int, half: int | None, body: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", body).strip("-.") or "body"
    return f"{year}{f'-H{half}' if half else ''}-{safe}"


def export_templates(plan_dir, year: int, half: int | None, to_dir, limits: ReadLimits = DEFAULT_READ_LIMITS) -> list[str]:
    docs = read_docs(plan_dir, limits)
    written, taken = [], set()
    for body, measures in sorted(reporting_bodies(docs).items()):
        name = report_name(year, half, body)
        n = 1
        while name.lower() in taken:  # two spellings that make one file name ("DK&M", "DK & M")
            n += 1
            name = f"{report_name(year, half, body)}-{n}"
        taken.add(name.lower())
        period = {"year": year} if half is None else {"year": year, "half": half}
        report = {"schema": "nap-rules/progress/v1", "period": period, "reported_by": body,
                  "actuals": [{"indicator": ind["id"]} for m in measures for ind in m.get("indicators") or []
                              if isinstance(ind, dict) and "id" in ind],
                  "measures": [{"measure": m["id"]} for m in measures if "id" in m]}
        tables = [t for t in plan_tables({f"progress/{name}.yaml": ("progress", report)})
                  if t.sheet is not None and t.sheet.kind == "progress"]
        _context(tables, measures, year)
        title = f"Monitoring {year}{f' H{half}' if half else ''}: {body}"
        path = Path(to_dir) / f"{name}.xlsx"
        write_atomic(path, workbook_bytes(tables, title))
        written.append(str(path))
    return written


def _context(tables, measures: list, year: int) -> None:
    indicators = {ind["id"]: (m, ind) for m in measures for ind in m.get("indicators") or []
                  if isinstance(ind, dict) and "id" in ind}
    by_id = {m.get("id"): m for m in measures}
    for table in tables:
        if table.name == "Actuals":
            _add(table, "Indicator", ["Measure", "Indicator name", "Unit", "Baseline", f"Target {year}"],
                 lambda key: _indicator_context(indicators.get(key), year), value_header="Value")
        elif table.name == "Measure status":
            _add(table, "Measure", ["Measure title", "Start", "Deadline"],
                 lambda key: [by_id.get(key, {}).get(f) for f in ("title", "start", "deadline")])


def _indicator_context(found, year: int) -> list:
    if found is None:
        return [None] * 5
    measure, ind = found
    baseline = ind.get("baseline") if isinstance(ind.get("baseline"), dict) else {}
    target = (ind.get("targets") or {}).get(str(year))
    return [measure.get("id"), ind.get("name"), ind.get("unit"), baseline.get("value"),
            target if not isinstance(target, dict) else f"{target.get('relative')}% of {target.get('of')}"]


def _add(table, key_header: str, names: list, context, value_header: str | None = None) -> None:
    col = table.headers.index(key_header)
    table.headers += [CONTEXT + n for n in names]
    table.leaves += [None] * len(names)
    for row in table.rows:
        key = row[col][0] if isinstance(row[col], tuple) else row[col]
        row += [(v, TEXT if isinstance(v, str) else NUMBER) if v is not None else None for v in context(key)]


def import_returns(sources, limits: ReadLimits = DEFAULT_READ_LIMITS) -> Imported:
    """Progress reports from returned monitoring workbooks; rows left empty are left out, and said so."""
    from .source import read_sources

    out = Imported()
    for source in sources:
        imported = read_sources([source], limits)
        out.notes.extend(imported.notes)
        for rel, (kind, doc) in imported.docs.items():
            if kind != "progress":
                out.notes.append(Note("unmapped", doc.loc, f"{rel} is not a progress report: not read"))
                continue
            for field, key, need in (("actuals", "indicator", "value"), ("measures", "measure", "status")):
                items = doc.get(field)
                if not items:
                    continue
                kept = LocList(items.loc)
                for item in items:
                    if need in item:
                        kept.append(item)
                        kept.item_locs.append(item.loc)
                    else:
                        out.notes.append(Note("converted", item.loc, f"no {need} given for {key} "
                                                                     f"{item.get(key)}: left out of the report"))
                doc[field] = kept
            if rel in out.docs:
                out.notes.append(Note("unmapped", doc.loc, f"{rel} is returned twice: the second is not read"))
                continue
            out.docs[rel] = (kind, doc)
    return out
