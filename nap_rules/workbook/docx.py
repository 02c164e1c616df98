"""The action matrix of a Word document (.docx) as the Measures sheet.

The table whose header row names the most columns of the Measures sheet is read (python-docx,
which parses with lxml and resolves no external entity). A cell's paragraphs are its lines
(several bodies, one per line); a cell merged across columns counts once; a cell merged down
several rows repeats its text on each, which the import reads as the same measure (or
objective) continued. A row that is one merged cell across the table is a heading: a policy
goal (`Policy goal 1: Reduce …`) when the table has no Goal column, its number giving the goal
id (`PG1`) and its text the goal's title; each such reading is reported.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import InputError
from ..load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from .layout import label_forms, norm, sheets
from .sources import MAX_COLUMNS, MAX_PARTS, MAX_RATIO, MAX_UNPACKED_BYTES, Cell, RawSheet

GOAL_HEADING = re.compile(r"\s*(?:policy\s+)?goal\s*([0-9]+|[IVX]+)\s*[:.\-–]?\s*(.*)", re.I | re.S)
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def _check_container(path: Path, display: str, limits: ReadLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise InputError(f"file is {size} bytes, over {limits.max_file_bytes} (limit max_file_bytes; raise it "
                         "with --limit max_file_bytes=N)", file=display)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if len(infos) > MAX_PARTS or total > MAX_UNPACKED_BYTES or any(
                    i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
                raise InputError("the document unpacks to too much: refused as a zip bomb", file=display)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with z.open(info) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise InputError(f"part {info.filename} declares a DTD or XML entities: refused", file=display)
    except zipfile.BadZipFile:
        raise InputError("not a Word document (.docx): not a zip container", file=display) from None


def read_docx(path, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS) -> list[RawSheet]:
    path = Path(path)
    _check_container(path, display, limits)
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - whatever the library finds wrong: exit 2, not a traceback
        raise InputError(f"cannot read the Word document: {type(exc).__name__}: {exc}", file=display) from None
    spec = next(s for s in sheets() if s.kind == "goal" and s.field == "objectives")
    known = {form for group in spec.group.walk() for leaf in group.leaves for form in label_forms(group, leaf)}
    known |= {"goal", "target"}
    best, score = None, 0
    for table in document.tables:
        rows = _rows(table)
        if not rows:
            continue
        found = sum(1 for cell in rows[0] if cell is not None and (norm(cell.value) in known or
                                                                   norm(cell.value).startswith("target ")))
        if found > score:
            best, score = rows, found
    if best is None or score < 2:
        raise InputError("no action-matrix table in this document: no table has a header row with the "
                         "columns of the Measures sheet (Measure, Responsible, Indicator, …)", file=display)
    return _goals_from_headings(best, spec.name)


def _rows(table) -> list[list]:
    out = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            key = id(cell._tc)
            if key in seen:
                cells.append(None)  # merged across columns: read once
                continue
            seen.add(key)
            text = "\n".join(p.text for p in cell.paragraphs).strip()
            cells.append(Cell(text) if text else None)
        if len(cells) > MAX_COLUMNS:
            raise InputError(f"a table row has {len(cells)} cells, beyond {MAX_COLUMNS}")
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    return out


def _goals_from_headings(rows: list, name: str) -> list[RawSheet]:
    """The Measures sheet; with goal headings and no Goal column, a Goal column and a Goals sheet."""
    header = [norm(c.value) if c is not None else "" for c in rows[0]]
    if "goal" in header:
        return [RawSheet(name, rows)]
    width = max(len(r) for r in rows)
    measures = [rows[0] + [None] * (width - len(rows[0])) + [Cell("Goal")]]  # last: the table's columns keep their letters
    goals = [[Cell("File"), Cell("Id"), Cell("Title")]]
    current, notes = None, []
    for r, row in enumerate(rows[1:], 1):
        filled = [c for c in row if c is not None]
        if len(filled) == 1 and row[0] is not None and len(row) <= 1 + row.count(None):
            match = GOAL_HEADING.match(filled[0].value)
            number = match.group(1).upper() if match else str(len(goals))
            number = str(ROMAN.get(number, number))
            current = f"PG{number}"
            title = (match.group(2) if match else filled[0].value).strip() or filled[0].value
            goals.append([None, Cell(current), Cell(title)])
            notes.append((r, 0, f"the heading row {filled[0].value[:60]!r} read as goal {current}"))
            measures.append([])
            continue
        measures.append(row + [None] * (width - len(row)) + [Cell(current) if current else None])
    sheet = RawSheet(name, measures)
    sheet.notes = notes
    return [RawSheet("Goals", goals), sheet]
