"""`nap-rules export PLAN_DIR --xlsx FILE` (and `--csv DIR`): the plan as a workbook drafters recognise.

A README sheet says how to fill it; every sheet has a frozen, filtered header row whose cells
carry the field's description as a comment, column widths that fit the content, money with
thousands separators, drop-down lists for fields with fixed values (status, kind, nature, …)
and for registry ids (bodies, goals), whole years between 1900 and 2200, and each record's
note shown as a comment on its first cell. The writing uses openpyxl's write-only mode, which
streams rows to the file instead of holding a cell object per value.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from ..errors import InputError
from ..load.canonical import decimal_text
from ..load.plan_folder import list_plan_files, load_document
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from .cells import to_cell
from .files import write_atomic
from .layout import README_SHEET
from .tables import Table, cell_of, plan_tables

EXTRA_ROWS = 500  # rows below the data that keep the drop-down lists and year checks
MAX_WIDTH, MIN_WIDTH = 60, 8
HEADER_FILL = "DDEBF7"


def read_docs(plan_dir, limits: ReadLimits = DEFAULT_READ_LIMITS) -> dict:
    """{name relative to the folder: (kind, document)} of every plan file of `plan_dir`."""
    files, listed = list_plan_files(plan_dir, limits)
    docs = {}
    for path, kind, display in listed:
        rel = Path(path).relative_to(files.root).as_posix()
        docs[rel] = (kind, load_document(path, kind, display, limits))
    return docs


def export_plan(plan_dir, xlsx: str | None = None, csv_dir: str | None = None,
                limits: ReadLimits = DEFAULT_READ_LIMITS) -> list[Table]:
    """Write the plan folder as a workbook and/or a folder of CSV files; the tables written."""
    docs = read_docs(plan_dir, limits)
    tables = plan_tables(docs)
    title = ""
    for kind, doc in docs.values():
        if kind == "plan" and isinstance(doc.get("title"), str):
            title = doc["title"]
    if xlsx:
        write_xlsx(tables, xlsx, title)
    if csv_dir:
        write_csv(tables, csv_dir)
    return tables


# --- xlsx ------------------------------------------------------------------------------------

def write_xlsx(tables: list[Table], path, title: str = "") -> None:
    data = workbook_bytes(tables, title)
    write_atomic(path, data)


def workbook_bytes(tables: list[Table], title: str = "") -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    _readme(wb, tables, title)
    index = {t.name: t for t in tables}
    for table in tables:
        _sheet(wb, table, index)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {"bold": Font(bold=True), "fill": PatternFill("solid", fgColor=HEADER_FILL),
            "wrap": Alignment(wrap_text=True, vertical="top"), "top": Alignment(vertical="top")}


def _sheet(wb, table: Table, index: dict) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    style = _styles()
    ws = wb.create_sheet(table.name)
    ncols = len(table.headers)
    ws.freeze_panes = "A2"
    widths = [max(MIN_WIDTH, min(MAX_WIDTH, len(h) + 2)) for h in table.headers]
    header = []
    for i, text in enumerate(table.headers):
        cell = WriteOnlyCell(ws, value=text)
        cell.font, cell.fill, cell.alignment = style["bold"], style["fill"], style["wrap"]
        leaf = table.leaves[i]
        if leaf is not None and leaf.description:
            cell.comment = _comment(Comment, leaf.description)
        header.append(cell)
    ws.append(header)
    wrap = style["wrap"]
    notes = table.notes
    for r, row in enumerate(table.rows):
        out = []
        for c, item in enumerate(row):
            if item is None:
                out.append(None)
                continue
            value, leaf = cell_of(item)
            if leaf is None:
                from .layout import Leaf

                leaf = Leaf((), frozenset({"text", "number", "integer", "null", "boolean", "names", "relative"}))
            shown, fmt = to_cell(value, leaf)
            long_text = isinstance(shown, str) and (len(shown) > 40 or "\n" in shown)
            note = notes.get((r, c))
            if fmt is None and not long_text and note is None and not (isinstance(shown, str) and shown[:1] == "="):
                out.append(shown)
            else:
                cell = WriteOnlyCell(ws, value=shown)
                if isinstance(shown, str):
                    cell.data_type = "s"  # text that starts with '=' stays text
                if fmt is not None:
                    cell.number_format = fmt
                if long_text:
                    cell.alignment = wrap
                if note:
                    cell.comment = _comment(Comment, note)
                out.append(cell)
            if r < 200 and isinstance(shown, str):
                longest = max((len(line) for line in shown.split("\n")), default=0)
                widths[c] = max(widths[c], min(MAX_WIDTH, longest + 2))
            elif r < 200:
                widths[c] = max(widths[c], min(MAX_WIDTH, len(str(shown)) + 4))
        ws.append(out)
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    merged = ws.merged_cells.ranges
    add = merged.add if isinstance(merged, set) else merged.append
    for r0, c0, r1, c1 in table.merges:
        add(CellRange(min_col=c0 + 1, min_row=r0 + 2, max_col=c1 + 1, max_row=r1 + 2))
    last = len(table.rows) + 1
    if ncols:
        ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{max(last, 2)}"
    _validations(ws, table, index, last + EXTRA_ROWS)


def _comment(Comment, text: str):
    comment = Comment(text[:30000], "nap-rules")
    comment.width, comment.height = 300, 150
    return comment


def _validations(ws, table: Table, index: dict, last: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for c, leaf in enumerate(table.leaves):
        if leaf is None:
            continue
        col = get_column_letter(c + 1)
        area = f"{col}2:{col}{last}"
        rule = None
        if c in table.refs:
            source = _ref_range(table.refs[c], index)
            if source:
                rule = DataValidation(type="list", formula1=source, allow_blank=True, errorStyle="warning",
                                      showErrorMessage=False)
                rule.prompt, rule.promptTitle = "An id from the list, or another name (one per line)", "Registry"
        elif leaf.enum and all(isinstance(v, str) for v in leaf.enum) and len(",".join(leaf.enum)) < 250:
            rule = DataValidation(type="list", formula1='"' + ",".join(leaf.enum) + '"', allow_blank=True,
                                  showErrorMessage=True)
            rule.error, rule.errorTitle = "Pick a value from the list", "Not an allowed value"
        elif leaf.is_year:
            rule = DataValidation(type="whole", operator="between", formula1="1900", formula2="2200",
                                  allow_blank=True, showErrorMessage=True)
            rule.error, rule.errorTitle = "A year: a whole number from 1900 to 2200", "Not a year"
        if rule is not None:
            rule.add(area)
            ws.data_validations.append(rule)


def _ref_range(name: str, index: dict) -> str | None:
    from openpyxl.utils import get_column_letter

    sheet = {"institutions": "Institutions", "goals": "Goals"}.get(name)
    table = index.get(sheet)
    if table is None:
        return None
    col = next((i for i, h in enumerate(table.headers) if h == "Id"), None)
    if col is None:
        return None
    letter = get_column_letter(col + 1)
    return f"'{sheet}'!${letter}$2:${letter}${max(len(table.rows) + 1 + EXTRA_ROWS, 2)}"


README = """How to fill this workbook

Each sheet is one part of the plan; nap-rules reads the sheets back into plan files
(`nap-rules import FILE --to DIR`) or checks the workbook as it is (`nap-rules check FILE`).

Sheets
- Plan: the plan itself (id, title, period, currency, …) and the totals of the budget: one value per row.
- Goals: one row per policy goal.
- Measures: the action matrix, one row per measure indicator. A measure's cells are merged over its
  indicators' rows; an empty cell in the Goal, Objective or Measure columns continues the one above.
  Costs of a measure go in the Cost columns, one cost per row, beside its indicators.
- Institutions: the registry of bodies that Responsible and Contributing may name.
- Outcome indicators, Budget, Claims: the strategy's indicators, the budget lines, the narrative's figures.
- Progress, Actuals, Measure status: monitoring reports (one row per report in Progress).

Conventions
- Headers must stay as they are: nap-rules finds columns by their header, not their place.
- Several bodies in one cell: one per line (Alt+Enter), or separated by ';'.
- A target of '-' means "no target that year"; an empty cell means the year has no entry.
- A relative target: '+10% of baseline', '-2% of previous'.
- Years are whole numbers (2022), not dates. Amounts are numbers, not text.
- A cell starting with '!yaml ' holds a value written exactly in YAML (e.g. an empty list: !yaml []);
  nap-rules writes it where a plain cell cannot hold the value exactly.
- Notes: the Note column is what counts; the comment on a record's first cell only shows it.
- Formulas are allowed: their last calculated value is read.
"""


def _readme(wb, tables: list[Table], title: str) -> None:
    from openpyxl.cell import WriteOnlyCell

    style = _styles()
    ws = wb.create_sheet(README_SHEET)
    ws.column_dimensions["A"].width = 110
    head = WriteOnlyCell(ws, value=title or "Action plan")
    head.font = style["bold"]
    ws.append([head])
    for line in README.splitlines():
        ws.append([line] if line else [None])
    ws.append([None])
    ws.append(["Rows per sheet in this workbook:"])
    for t in tables:
        ws.append([f"- {t.name}: {len(t.rows)}"])


# --- csv -------------------------------------------------------------------------------------

def write_csv(tables: list[Table], folder) -> None:
    """One UTF-8 CSV file per sheet, `<sheet>.csv`, merged cells repeated as empty cells."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for table in tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([csv_text(item) for item in row])
        write_atomic(out / f"{table.name}.csv", buffer.getvalue().encode("utf-8"))


def csv_text(item) -> str:
    if item is None:
        return ""
    value, leaf = cell_of(item)
    shown, fmt = to_cell(value, leaf) if leaf is not None else (value, None)
    if fmt is not None and isinstance(value, Decimal):
        return decimal_text(value).rstrip(".") if value.as_tuple().exponent >= 0 else decimal_text(value)
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return str(shown)


__all__ = ["export_plan", "write_xlsx", "write_csv", "read_docs", "InputError"]
