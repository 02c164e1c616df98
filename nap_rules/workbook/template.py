"""`nap-rules init DIR [--xlsx FILE]`: a new plan with every file, its schema line and one worked example.

The example is one goal with one objective, one measure with one indicator and one cost, the
bodies it names, an outcome indicator, a budget line that agrees with the measure's cost, and
a monitoring report; it passes the schemas, so a drafter can replace it row by row. A file kind
without an example here gets its schema line and the lists its schema requires, empty.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from ..load.canonical import dump_document
from .export import workbook_bytes
from .files import write_atomic
from .layout import document_group, file_kinds
from .tables import plan_tables, schema_line


def example(year: int) -> dict:
    """{rel name: (kind, document)} of the worked example, for a plan starting in `year`."""
    end = year + 2
    return {
        "plan.yaml": ("plan", {
            "id": f"nap-{year}-{end}", "title": f"National Action Plan {year}-{end}", "country": "AL",
            "period": {"start": year, "end": end}, "baseline_year": year - 1, "currency": "ALL",
            "exchange_rates": {"EUR": 125}, "approved_by": "Decision of the Council of Ministers No. …"}),
        "institutions.yaml": ("institutions", {"institutions": [
            {"id": "MI", "name": "Ministry of Interior", "aliases": ["MIA"], "kind": "ministry"},
            {"id": "MJ", "name": "Ministry of Justice", "kind": "ministry"}]}),
        "goals/PG1.yaml": ("goal", {
            "id": "PG1", "title": "Reduce the threat of organised crime", "outcome_indicators": ["OI-1"],
            "objectives": [{"id": "1.1", "title": "Strengthen investigations", "measures": [{
                "id": "1.1.1", "title": "Train investigators in financial investigations",
                "responsible": ["MI"], "contributing": ["MJ"], "start": year, "deadline": end,
                "cost": [{"year": year, "nature": "current", "amount": 1000000, "funded": 800000,
                          "source": "state_budget"}],
                "indicators": [{"id": "1.1.1-a", "name": "Number of investigators trained", "unit": "people",
                                "direction": "increase", "baseline": {"year": year - 1, "value": 20},
                                "targets": {str(y): 20 + 20 * (y - year + 1) for y in range(year, end + 1)}}]}]}]}),
        "indicators.yaml": ("indicators", {"indicators": [{
            "id": "OI-1", "name": "Share of cases referred to the prosecutor", "goal": "PG1", "unit": "percent",
            "direction": "increase", "baseline": {"year": year - 1, "value": Decimal("7.5")},
            "targets": {str(end): {"relative": 10, "of": "baseline", "unit": "percent"}}}]}),
        "budget.yaml": ("budget", {
            "lines": [{"id": "PG1-current", "goal": "PG1", "nature": "current", "total_cost": 1000000,
                       "planned": 800000, "gap": 200000}],
            "published_totals": {"total_cost": 1000000, "planned": 800000, "gap": 200000}}),
        f"progress/{year}-H1.yaml": ("progress", {
            "period": {"year": year, "half": 1}, "reported_by": "MI",
            "actuals": [{"indicator": "1.1.1-a", "value": 30}],
            "measures": [{"measure": "1.1.1", "status": "in_progress"}]}),
    }


def init_plan(plan_dir, xlsx: str | None = None, year: int | None = None) -> list[str]:
    """Write the new plan folder (refused if it holds files) and, with `xlsx`, its workbook."""
    root = Path(plan_dir)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InputError("already exists and is not an empty folder: init writes a new plan", file=str(plan_dir))
    docs = {}
    for rel, (kind, body) in example(year or datetime.date.today().year).items():
        docs[rel] = (kind, {"schema": schema_line(kind), **body})
    covered = {kind for kind, _ in docs.values()}
    for kind, name, is_folder in file_kinds():
        if kind not in covered:
            doc = {"schema": schema_line(kind)}
            for child in document_group(kind).children:
                if child.required:
                    doc[child.field] = []
            docs[f"{name}/example.yaml" if is_folder else name] = (kind, doc)
    written = []
    for rel in sorted(docs):
        kind, doc = docs[rel]
        write_atomic(root / rel, dump_document(doc, kind).encode("utf-8"))
        written.append(rel)
    if xlsx:
        write_atomic(xlsx, workbook_bytes(plan_tables(docs), docs["plan.yaml"][1]["title"]))
    return written
