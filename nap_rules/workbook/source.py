"""A workbook (or CSV files, or a Word document) as the plan the pipeline checks.

`is_workbook(path)` says whether a plan argument names one; `read_workbook_plan` gives the
same `PlanFiles` a plan folder gives, each document located at its cells, and the findings
of reading it: a converted value (NAP-WORKBOOK-001, info), a cell that cannot be mapped
(NAP-WORKBOOK-002, warning) and a formula without a calculated value (NAP-WORKBOOK-003,
error). Node keys and finding details do not depend on where a value was read, so baselines
and waivers match the same findings whether the plan is a folder or a workbook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..findings import Finding
from ..load.plan_folder import PlanFile, PlanFiles, printable
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits

if TYPE_CHECKING:  # the importer is loaded only to read a workbook, not to check a plan folder
    from .importer import Imported

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".docx")
CONVERTED, UNMAPPED, FORMULA = "NAP-WORKBOOK-001", "NAP-WORKBOOK-002", "NAP-WORKBOOK-003"
RULE_OF_NOTE = {"converted": (CONVERTED, "info"), "sheet": (CONVERTED, "info"), "unmapped": (UNMAPPED, "warning"),
                "formula": (FORMULA, "error")}


def is_workbook(path) -> bool:
    p = Path(path)
    return p.suffix.lower() in SUFFIXES and not p.is_dir()


def read_sources(paths, limits: ReadLimits = DEFAULT_READ_LIMITS) -> Imported:
    """The plan documents of one workbook, Word document, CSV file or folder of CSV files, or several CSV files."""
    from .importer import build_documents
    from .sources import read_csv, read_xlsx

    paths = [str(p) for p in paths]
    raw, typed, book = [], True, None
    for shown in paths:
        path = Path(shown)
        display = printable(shown)
        suffix = path.suffix.lower()
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv")
            if not found:
                raise InputError("no .csv files in this folder", file=display)
            raw += read_csv(found, lambda p: printable(str(Path(shown) / p.name)), limits)
            typed, book = False, book or display
        elif not path.exists():
            raise InputError("no such file", file=display)
        elif suffix in (".xlsx", ".xlsm"):
            raw += read_xlsx(path, display, limits)
            book = book or display
        elif suffix == ".csv":
            raw += read_csv([path], lambda p: display, limits)
            typed, book = False, book or display
        elif suffix == ".docx":
            from .docx import read_docx

            raw += read_docx(path, display, limits)
            typed, book = False, book or display
        else:
            raise InputError("not a workbook: expected .xlsx, .csv, .docx, or a folder of .csv files", file=display)
    if len(paths) > 1:  # several CSV files: their cells are named by the folder, sheet by sheet
        book = printable(str(Path(paths[0]).parent))
    return build_documents(raw, book or "workbook", typed)


def read_workbook_plan(path, limits: ReadLimits = DEFAULT_READ_LIMITS) -> tuple[PlanFiles, list[Finding]]:
    """The plan files of a workbook, and the findings of reading it (see the module docstring)."""
    imported = read_sources([path], limits)
    display = printable(str(path))
    files = PlanFiles(root=Path(path).resolve().parent, display_root=display)
    if not any(kind == "plan" for kind, _ in imported.docs.values()):
        raise InputError("no plan in this workbook: its Plan sheet needs the rows of plan.yaml "
                         "(id, title, period, currency)", file=display)
    for rel in sorted(imported.docs):  # the order a plan folder's files are read in
        kind, doc = imported.docs[rel]
        files.files.append(PlanFile(kind, f"{display}:{rel}", doc))
    return files, note_findings(imported.notes)


def note_findings(notes) -> list[Finding]:
    out = []
    for note in notes:
        rule, severity = RULE_OF_NOTE[note.kind]
        where = note.where
        out.append(Finding(rule, severity, "", note.message, where.file, where.line, where.column,
                           detail=f"{note.kind} {note.message}"))
    return out
