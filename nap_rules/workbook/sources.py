"""Reading the sheets of a workbook, a folder of CSV files or a CSV file, as raw rows of cells.

A workbook is untrusted input: before openpyxl opens it, the zip container is checked (its
size, the unpacked size of every part and its compression ratio, the number of parts, no
DTD in any XML part), so that a zip bomb or an XML entity attack is refused with exit 2 and
not unpacked; openpyxl then parses with defusedxml installed. A sheet is read in openpyxl's
read-only mode, row by row; a formula cell gives its last calculated value, read in a
second pass over that sheet only when the sheet has formulas.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits

# Workbook limits (docs/limits.md), besides the plan limits (max_file_bytes for the file itself).
MAX_UNPACKED_BYTES = 1 << 30  # all parts of the zip container, unpacked
MAX_RATIO = 200  # unpacked / packed size of one part above 1 MiB
MAX_PARTS = 10_000
MAX_COLUMNS = 1_000  # columns of one sheet
MAX_CELLS = 20_000_000  # cells with a value, over all sheets
_PROLOG_BYTES = 4096  # where a DTD would have to be


@dataclass(slots=True)
class Cell:
    value: object
    number_format: str | None = None
    formula: str | None = None  # the formula, when the value is its calculated result


@dataclass
class RawSheet:
    name: str
    rows: list  # list of lists of Cell or None
    hidden: bool = False
    notes: list = field(default_factory=list)  # (row, column, message) found while reading


def refuse(message: str, display: str):
    raise InputError(message, file=display)


def check_container(path: Path, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS) -> None:
    """Refuse what is not a sound .xlsx zip container, before any of it is unpacked."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        refuse(f"cannot read: {exc.strerror or exc}", display)
    if size > limits.max_file_bytes:
        refuse(f"file is {size} bytes, over {limits.max_file_bytes} (limit max_file_bytes; raise it with "
               "--limit max_file_bytes=N)", display)
    with open(path, "rb") as f:
        head = f.read(8)
    if not head.startswith(b"PK"):
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            refuse("is an old binary Excel file (.xls) or an encrypted workbook: save it as .xlsx", display)
        kind = "text (a CSV file renamed .xlsx?): import it as .csv" if _looks_like_text(path) else "not a zip container"
        refuse(f"not an .xlsx workbook: the file is {kind}", display)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_PARTS:
                refuse(f"the workbook has {len(infos)} parts, over {MAX_PARTS}", display)
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    refuse(f"part {info.filename} unpacks to {info.file_size} bytes from {info.compress_size} "
                           f"(over {MAX_RATIO} times): refused as a zip bomb", display)
            if total > MAX_UNPACKED_BYTES:
                refuse(f"the workbook unpacks to {total} bytes, over {MAX_UNPACKED_BYTES}: refused as a zip bomb",
                       display)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                refuse("not an .xlsx workbook: the zip has no xl/workbook.xml", display)
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with z.open(info) as part:
                        prolog = part.read(_PROLOG_BYTES)
                    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                        refuse(f"part {info.filename} declares a DTD or XML entities, which workbooks never "
                               "need: refused (XML entity attacks)", display)
    except zipfile.BadZipFile as exc:
        refuse(f"not an .xlsx workbook: damaged zip container ({exc})", display)
    except (OSError, RuntimeError, NotImplementedError) as exc:
        refuse(f"cannot read the workbook: {exc}", display)


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as f:
        head = f.read(4096)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def read_xlsx(path, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS) -> list[RawSheet]:
    """Every sheet of the workbook as rows of Cells."""
    path = Path(path)
    check_container(path, display, limits)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the library finds wrong: exit 2, not a traceback
        refuse(f"cannot read the workbook: {type(exc).__name__}: {exc}", display)
    out = []
    cells = 0
    try:
        for ws in wb.worksheets:
            sheet, formulas, count = _read_sheet(ws, display, cells)
            cells += count
            if formulas:
                _cached_values(path, ws.title, sheet, display)
            out.append(sheet)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        refuse(f"cannot read the workbook: {type(exc).__name__}: {exc}", display)
    finally:
        wb.close()
    return out


def _read_sheet(ws, display: str, cells_before: int):
    hidden = getattr(ws, "sheet_state", "visible") != "visible"
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    rows = []
    formulas = 0
    count = 0
    formats: dict = {}  # style id -> number format
    for row in ws.iter_rows():
        if len(row) > MAX_COLUMNS:
            refuse(f"sheet {ws.title!r} has a cell in column {len(row)}, beyond {MAX_COLUMNS} columns", display)
        out = []
        for cell in row:
            value = cell.value
            if value is None:
                out.append(None)
                continue
            count += 1
            if cell.data_type == "f":
                formulas += 1
                out.append(Cell(None, cell.number_format, str(value)))
            elif value.__class__ is str:
                out.append(Cell(value))
            else:
                # the format of a number (its decimal places); style 0 is General
                style = getattr(cell, "_style_id", 1)
                fmt = None
                if style and isinstance(value, (int, float)):
                    fmt = formats.get(style)
                    if fmt is None:
                        fmt = formats[style] = cell.number_format
                out.append(Cell(value, fmt))
        while out and out[-1] is None:
            out.pop()
        rows.append(out)
        if cells_before + count > MAX_CELLS:
            refuse(f"more than {MAX_CELLS} cells with a value: refused as too large", display)
    while rows and not rows[-1]:
        rows.pop()
    return RawSheet(ws.title, rows, hidden), formulas, count


def _cached_values(path: Path, title: str, sheet: RawSheet, display: str) -> None:
    """Fill the formula cells of `sheet` with their last calculated values (None: never calculated)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[title]
        ws.reset_dimensions()
        for r, row in enumerate(ws.iter_rows()):
            if r >= len(sheet.rows):
                break
            mine = sheet.rows[r]
            for c, cell in enumerate(row[:len(mine)]):
                if mine[c] is not None and mine[c].formula is not None:
                    mine[c].value = cell.value
                    if isinstance(cell.value, (int, float)):
                        mine[c].number_format = cell.number_format
    finally:
        wb.close()


def read_csv(paths: list, display_of, limits: ReadLimits = DEFAULT_READ_LIMITS) -> list[RawSheet]:
    """CSV files (UTF-8, a byte-order mark allowed), one sheet each, named by the file's stem."""
    out = []
    for path in paths:
        path = Path(path)
        display = display_of(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            refuse(f"cannot read: {exc.strerror or exc}", display)
        if len(data) > limits.max_file_bytes:
            refuse(f"file is {len(data)} bytes, over {limits.max_file_bytes} (limit max_file_bytes; raise it with "
                   "--limit max_file_bytes=N)", display)
        if data.startswith(b"PK\x03\x04"):
            refuse("not a CSV file: it is a zip container (an .xlsx workbook renamed .csv?)", display)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            refuse(f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as CSV UTF-8", display)
        if "\x00" in text:
            refuse("not a CSV file: it holds NUL characters", display)
        dialect = csv.excel
        first = text.split("\n", 1)[0]
        if first.count(";") > first.count(",") and first.count(";") > first.count("\t"):
            dialect = csv.excel
            dialect = type("semicolon", (csv.excel,), {"delimiter": ";"})
        elif first.count("\t") > first.count(","):
            dialect = csv.excel_tab
        rows = []
        try:
            for row in csv.reader(io.StringIO(text, newline=""), dialect):
                if len(row) > MAX_COLUMNS:
                    refuse(f"a row has {len(row)} columns, beyond {MAX_COLUMNS}", display)
                cells = [Cell(v) if v != "" else None for v in row]
                while cells and cells[-1] is None:
                    cells.pop()
                rows.append(cells)
        except csv.Error as exc:
            refuse(f"not a readable CSV file: {exc}", display)
        while rows and not rows[-1]:
            rows.pop()
        out.append(RawSheet(path.stem, rows))
    return out
