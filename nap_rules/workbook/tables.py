"""The plan files as tables: one `Table` per sheet, with cell values, merges, notes and lists.

`plan_tables(files)` builds them from loaded plan documents (rel name -> (kind, doc)); export.py
writes them as a workbook or as CSV files, importer.py reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .layout import PLAN_SHEET, REGISTRY_FIELDS, Leaf, Sheet, document_group, file_kinds, humanise, sheets
from .records import OTHER, Band, columns, flatten, leaf_of

FILE_HEADER = "File"
KEY_HEADERS = {"goal": "Goal", "progress": "Report"}
PLAN_HEADERS = ("File", "Field", "Value")
SCHEMA_FIELD = "schema"


def key_header(kind: str) -> str:
    return KEY_HEADERS.get(kind, humanise([kind]))


@dataclass
class Table:
    name: str
    headers: list
    leaves: list  # Leaf (or None: text as it is) per column
    rows: list = field(default_factory=list)  # lists of values, one per column
    merges: list = field(default_factory=list)  # (first row, first column, last row, last column), 0-based, data rows
    notes: dict = field(default_factory=dict)  # (row, column) -> text shown as a cell comment
    groups: list = field(default_factory=list)  # (group, first column, last column) for the merges
    sheet: Sheet | None = None
    refs: dict = field(default_factory=dict)  # column -> registry name (institutions, goals)


TEXT = Leaf(("text",), frozenset({"text"}))


def schema_line(kind: str) -> str:
    return f"nap-rules/{kind}/v1"


def file_key(kind: str, rel: str, doc) -> tuple[str, str]:
    """(the File cell, the key rows of other sheets name the document by) of a folder's document."""
    name = rel.split("/", 1)[1]
    ident = doc.get("id") if isinstance(doc, dict) else None
    if isinstance(ident, str) and ident and name == f"{ident}.yaml" and "/" not in ident:
        return "", ident
    shown = name[:-5] if name.endswith(".yaml") and name[:-5] else name
    return shown, shown


def plan_tables(docs: dict) -> list[Table]:
    """Every sheet but README, from {rel name: (kind, document)}, rel names as in the folder."""
    by_kind: dict = {}
    for rel in sorted(docs):
        kind, doc = docs[rel]
        by_kind.setdefault(kind, []).append((rel, doc))
    tables = [_plan_sheet(by_kind)]
    for sheet in sheets():
        found = by_kind.get(sheet.kind, [])
        if sheet.multi and sheet.field is None:
            tables.append(_doc_sheet(sheet, found))
        elif sheet.multi:
            tables.append(_list_sheet(sheet, [(file_key(sheet.kind, rel, doc)[1], doc) for rel, doc in found]))
        else:
            tables.append(_list_sheet(sheet, [(None, doc) for _, doc in found[:1]]))
    return tables


def _plan_sheet(by_kind: dict) -> Table:
    table = Table(PLAN_SHEET, list(PLAN_HEADERS), [TEXT, TEXT, None])
    for kind, name, is_folder in file_kinds():
        if is_folder:
            continue
        for rel, doc in by_kind.get(kind, [])[:1]:
            group = document_group(kind)
            table.rows.append([rel, SCHEMA_FIELD, doc.get(SCHEMA_FIELD, schema_line(kind))])
            table.notes[(len(table.rows) - 1, 0)] = None
            lists = {c.field: c for c in group.children}
            cells, other = flatten(doc, group)
            order = {leaf.path: i for i, leaf in enumerate(group.leaves)}
            for key in sorted(cells, key=lambda k: (_order(order, k), k)):
                leaf = leaf_of(group, key)
                table.rows.append([rel, ".".join(key), (cells[key], leaf)])
            for key, child in lists.items():
                if key in doc:
                    value = doc[key]
                    if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                        other[key] = value
                    elif value == [] and not child.required:
                        other[key] = value
            for key, value in other.items():
                if key != SCHEMA_FIELD:
                    table.rows.append([rel, key, (value, None)])
    return table


def _order(order: dict, key: tuple) -> int:
    for path, i in order.items():
        if len(path) == len(key) and all(p == "*" or p == k for p, k in zip(path, key)):
            return i
    return len(order)


def _doc_sheet(sheet: Sheet, docs: list) -> Table:
    band = Band()
    group = sheet.group
    files = []
    for rel, doc in docs:
        shown, _ = file_key(sheet.kind, rel, doc)
        body = {k: v for k, v in doc.items() if k != SCHEMA_FIELD}
        if doc.get(SCHEMA_FIELD) != schema_line(sheet.kind):
            body["\x00schema"] = doc.get(SCHEMA_FIELD)
        lists = {c.field for c in document_group(sheet.kind).children}
        band.add([{k: v for k, v in body.items() if k not in lists}], group)
        files.append(shown)
    cols = columns(group, band.keys)
    table = Table(sheet.name, [FILE_HEADER] + [c[3] for c in cols], [TEXT] + [c[2] for c in cols], sheet=sheet)
    for shown, row in zip(files, band.rows):
        table.rows.append([shown or None] + [_value(row, c) for c in cols])
    _refs(table, cols, 1)
    return table


def _list_sheet(sheet: Sheet, docs: list) -> Table:
    band = Band()
    group = sheet.group
    keys = []
    for key, doc in docs:
        value = doc.get(sheet.field) if isinstance(doc, dict) else None
        start = len(band.rows)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            band.add(value, group)
        elif value == [] and not group.required and sheet.multi:
            band.rows.append({(id(group), group.leaves[0].path): []})
            band.keys.setdefault(id(group), set()).add(group.leaves[0].path)
        keys.extend([key] * (len(band.rows) - start))
    cols = columns(group, band.keys)
    lead = [key_header(sheet.kind)] if sheet.multi else []
    table = Table(sheet.name, lead + [c[3] for c in cols], [TEXT] * len(lead) + [c[2] for c in cols], sheet=sheet)
    offset = len(lead)
    for key, row in zip(keys, band.rows):
        table.rows.append(([key] if sheet.multi else []) + [_value(row, c) for c in cols])
    positions = {}
    for i, (g, _, _, _) in enumerate(cols):
        first, last = positions.get(id(g), (i, i))
        positions[id(g)] = (min(first, i), max(last, i))
    for start, height, g in band.spans:
        first, last = positions[id(g)]
        for c in range(first, last + 1):
            table.merges.append((start, c + offset, start + height - 1, c + offset))
    if sheet.multi:
        _merge_keys(table, keys)
    _notes(table, cols, offset)
    _refs(table, cols, offset)
    return table


def _merge_keys(table: Table, keys: list) -> None:
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if i - start > 1:
                table.merges.append((start, 0, i - 1, 0))
                for r in range(start + 1, i):
                    table.rows[r][0] = None
            start = i


def _value(row: dict, col):
    group, key, leaf, _ = col
    value = row.get((id(group), key), _NOTHING)
    if value is _NOTHING:
        return None
    return (value, leaf)


_NOTHING = object()


def _notes(table: Table, cols, offset: int) -> None:
    """A record's note, shown as a comment on its first cell as well (the Note column is what counts)."""
    by_group: dict = {}
    for i, (group, key, _, _) in enumerate(cols):
        by_group.setdefault(id(group), [i, None])
        if key == ("note",):
            by_group[id(group)][1] = i
    for first, note in by_group.values():
        if note is None:
            continue
        for r, row in enumerate(table.rows):
            cell = row[note + offset]
            if cell is not None and isinstance(cell[0], str) and row[first + offset] is not None:
                table.notes[(r, first + offset)] = cell[0]


def _refs(table: Table, cols, offset: int) -> None:
    for i, (_, key, leaf, _) in enumerate(cols):
        if leaf is not None and len(key) == 1 and key[0] in REGISTRY_FIELDS:
            table.refs[i + offset] = REGISTRY_FIELDS[key[0]]


def cell_of(item):
    """(value, leaf) of a table cell, or (None, None) for an empty one."""
    if item is None:
        return None, None
    if isinstance(item, tuple):
        return item
    return item, TEXT


__all__ = ["Table", "plan_tables", "OTHER", "cell_of"]
