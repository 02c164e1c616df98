"""Sheets back into plan documents, each value located at its cell, each change reported.

`build_documents(sheets, book)` reads the README-less sheets of layout.py (from a workbook, CSV
files or a Word table) into {rel name: (kind, LocMap)}. Every mapping and list it makes carries
the cell it came from (`annex.xlsx:Measures!F12`), so a check of the workbook reports each
finding at its cell. Nothing is dropped or changed silently: a converted value (`Note` of kind
`converted`) and a cell no column of the format takes (`unmapped`) are reported with their
cell, as are formulas without a calculated value (`formula`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..load.locations import LocList, LocMap, Location, cell_file, plain
from ..load.plan_folder import FOLDERS, SINGLE_FILES
from .cells import ABSENT, ESCAPE, from_cell, places
from .layout import PLAN_SHEET, README_SHEET, Group, Leaf, column_label, document_group, dynamic_prefixes, \
    label_forms, norm, sheets
from .records import OTHER
from .sources import Cell, RawSheet
from .tables import FILE_HEADER, PLAN_HEADERS, SCHEMA_FIELD, key_header, schema_line

CONTEXT = "(plan) "  # a column shown for reference only: its cells are not read
FOLDER_OF = {kind: folder for folder, kind in FOLDERS.items()}
FILE_OF = {kind: name for name, kind in SINGLE_FILES.items()}
ANY = Leaf((), frozenset({"text", "number", "integer", "null", "boolean", "names", "relative", "object"}))
TEXT = Leaf((), frozenset({"text"}))


@dataclass(frozen=True)
class Note:
    kind: str  # converted | unmapped | formula | sheet
    where: Location
    message: str


@dataclass
class Imported:
    docs: dict = field(default_factory=dict)  # rel -> (kind, LocMap)
    notes: list = field(default_factory=list)


class _Reader:
    def __init__(self, book: str, typed: bool):
        self.book = book
        self.typed = typed  # cells have types (a workbook); CSV and Word cells are all text
        self.out = Imported()
        self.keys: dict = {}  # (kind, key) -> rel of a folder's document
        self.files: dict = {}  # sheet name -> the file of its cells' Locations
        self.context: set = set()  # the reference-only columns of the sheet being read

    # --- cells -------------------------------------------------------------------------------
    def loc(self, sheet: str, r: int, c: int) -> Location:
        file = self.files.get(sheet)
        if file is None:
            file = self.files[sheet] = cell_file(self.book, sheet)
        return Location(file, r + 1, c + 1)

    def note(self, kind: str, where: Location, message: str) -> None:
        self.out.notes.append(Note(kind, where, message))

    def value(self, cell: Cell, leaf: Leaf, where: Location):
        raw = cell.value
        cls = raw.__class__
        if cell.formula is None:
            if cls is str and "text" in leaf.shape and len(leaf.shape) == 1 and raw[:1] not in ("!", " ", "") \
                    and raw.strip() == raw:
                return raw  # the common case: text in a text column
            if cls is int and ("number" in leaf.shape or "integer" in leaf.shape) and \
                    not places(cell.number_format) and (not leaf.is_year or 1900 <= raw <= 2200):
                return raw  # and a whole number in a number column, as from_cell reads it
        elif raw is None:
            self.note("formula", where, f"the formula {cell.formula} has no calculated value: open and save the "
                                        "workbook in a spreadsheet application, or type the value")
            return ABSENT
        if not self.typed and isinstance(raw, str) and not raw.startswith(ESCAPE):
            value, converted, problem = _typed_text(raw, leaf)
        else:
            value, converted, problem = from_cell(raw, leaf, cell.number_format, where)
        if cell.formula is not None and value is not ABSENT:
            self.note("converted", where, f"the last calculated value of the formula {cell.formula} was read")
        if converted:
            self.note("converted", where, str(converted))
        if problem:
            self.note("unmapped", where, problem)
        return plain(value) if isinstance(value, (dict, list)) else value

    def doc(self, kind: str, rel: str, where: Location) -> LocMap:
        found = self.out.docs.get(rel)
        if found is None:
            doc = LocMap(where)
            doc[SCHEMA_FIELD] = schema_line(kind)
            doc.key_locs[SCHEMA_FIELD] = where
            self.out.docs[rel] = (kind, doc)
            return doc
        return found[1]

    # --- the Plan sheet ------------------------------------------------------------------------
    def plan_sheet(self, sheet: RawSheet) -> None:
        cols = _header_index(sheet, PLAN_HEADERS)
        if cols is None:
            self.bad_headers(sheet, PLAN_HEADERS)
            return
        fcol, kcol, vcol = cols
        for r, row in enumerate(sheet.rows[1:], 1):
            file = _text(row, fcol)
            field_name = _text(row, kcol)
            cell = row[vcol] if vcol < len(row) else None
            if not file and not field_name and cell is None:
                continue
            where = self.loc(sheet.name, r, vcol if cell is not None else kcol)
            kind = SINGLE_FILES.get(file or "")
            if kind is None:
                hint = _hint(file or "", list(SINGLE_FILES))
                self.note("unmapped", self.loc(sheet.name, r, fcol),
                          f"row for unknown file {file!r}{hint}: not read")
                continue
            doc = self.doc(kind, file, self.loc(sheet.name, r, fcol))
            if field_name == SCHEMA_FIELD:
                doc.loc = self.loc(sheet.name, r, fcol)
                if cell is not None:
                    doc[SCHEMA_FIELD] = self.value(cell, TEXT, where)
                    doc.key_locs[SCHEMA_FIELD] = where
                continue
            group = document_group(kind)
            key, leaf = _plan_field(group, field_name or "")
            if cell is None:
                continue
            if key is None:
                children = {c.field for c in group.children}
                if field_name in children or (isinstance(cell.value, str) and cell.value.startswith(ESCAPE)):
                    value = self.value(cell, ANY, where)
                    if value is not ABSENT:
                        _set(doc, (field_name,), value, where)
                    continue
                known = [".".join(p for p in leaf.path) for leaf in group.leaves]
                self.note("unmapped", self.loc(sheet.name, r, kcol),
                          f"unknown field {field_name!r} of {file}{_hint(field_name or '', known)}: not read")
                continue
            value = self.value(cell, leaf, where)
            if value is not ABSENT:
                _set(doc, key, value, where)

    def bad_headers(self, sheet: RawSheet, expected) -> None:
        self.note("unmapped", self.loc(sheet.name, 0, 0),
                  f"sheet {sheet.name!r} does not have the headers {', '.join(expected)}: not read")

    # --- the sheets of records -----------------------------------------------------------------
    def table_sheet(self, raw: RawSheet, spec) -> None:
        if not raw.rows:
            return
        columns, lead = self.columns(raw, spec)
        if spec.multi and lead is None:
            header = FILE_HEADER if spec.field is None else key_header(spec.kind)
            self.note("unmapped", self.loc(raw.name, 0, 0),
                      f"sheet {raw.name!r} has no {header!r} column naming the document of each row: not read")
            return
        groups = _column_groups(spec.group, columns)
        read = set(columns) | {lead} | self.context
        file = self.loc(raw.name, 0, 0).file
        idcol = next((c for c, (_, key, _) in columns.items() if key == ("id",)), None)
        states: dict = {}
        current_key = None
        for r, row in enumerate(raw.rows[1:], 1):
            if row.count(None) == len(row):
                continue
            for c, cell in enumerate(row):
                if cell is not None and c not in read:
                    self.note("unmapped", Location(file, r + 1, c + 1),
                              "a value in a column without a known header: not read")
            if spec.multi and spec.field is None:
                key = _text(row, lead) or _text(row, idcol)
                if not key:
                    self.note("unmapped", self.loc(raw.name, r, lead),
                              "a document row with neither a file name nor an id: not read")
                    continue
                doc = self.folder_doc(spec.kind, key, self.loc(raw.name, r, lead), True)
            elif spec.multi:
                key = _text(row, lead)
                if key:
                    current_key = key
                elif current_key is None:
                    self.note("unmapped", self.loc(raw.name, r, lead),
                              "no document named on this row or above: the row is not read")
                    continue
                doc = self.folder_doc(spec.kind, current_key, self.loc(raw.name, r, lead), spec.field is None)
            else:
                doc = self.doc(spec.kind, FILE_OF[spec.kind], self.loc(raw.name, r, 0))
            values: dict = {}
            width = len(row)
            for group_id, cols in groups:
                own = {}
                for c, key, leaf in cols:
                    if c < width and row[c] is not None:
                        where = Location(file, r + 1, c + 1)
                        value = self.value(row[c], leaf, where)
                        if value is not ABSENT:
                            own[key] = (value, where)
                if own:
                    values[group_id] = own
            if spec.field is None:
                self.fill(doc, spec.group, values.get(id(spec.group), {}))
                continue
            state = states.setdefault(id(doc), {})
            self.place(spec.group, doc, not state.get("started"), values, state, raw.name, r)
            state["started"] = True

    def folder_doc(self, kind: str, key: str, where: Location, defining: bool) -> LocMap:
        rel = self.keys.get((kind, key))
        if rel is None:
            name = key if key.endswith((".yaml", ".yml")) else f"{key}.yaml"
            if "/" in name or "\\" in name or name.startswith("."):
                self.note("unmapped", where, f"{key!r} cannot name a file: use a plain name")
                name = re.sub(r"[\\/]", "_", name).lstrip(".") or "unnamed.yaml"
            rel = f"{FOLDER_OF[kind]}/{name}"
            self.keys[(kind, key)] = rel
            if not defining and rel not in self.out.docs:
                doc = self.doc(kind, rel, where)
                if any(leaf.path == ("id",) for leaf in document_group(kind).leaves):
                    doc["id"] = key[:-5] if key.endswith(".yaml") else key
                    doc.key_locs["id"] = where
                self.note("unmapped", where, f"{key!r} has no row of its own in the sheet of its documents: "
                                             "it was made with its id only")
                return doc
        return self.doc(kind, rel, where)

    def columns(self, raw: RawSheet, spec):
        """{column: (group, column key, leaf)} and the column naming each row's document."""
        known, dynamic, shown = {}, [], []
        for group in spec.group.walk():
            for leaf in group.leaves:
                if leaf.dynamic:
                    dynamic.extend((head, tail, group, leaf) for head, tail in dynamic_prefixes(group, leaf))
                else:
                    shown.append(column_label(group, leaf))
                    for form in label_forms(group, leaf):
                        known.setdefault(form, (group, leaf.path, leaf))
            known.setdefault(norm(f"{group.label} other fields"), (group, OTHER, None))
        lead_name = norm(FILE_HEADER if spec.field is None else key_header(spec.kind)) if spec.multi else None
        out, lead = {}, None
        header = raw.rows[0] if raw.rows else []
        self.context = set()
        for c, cell in enumerate(header):
            if cell is None:
                continue
            text = str(cell.value)
            h = norm(text)
            if text.startswith(CONTEXT):
                self.context.add(c)  # shown for reference (monitoring templates), not read
                continue
            if h == lead_name:
                lead = c
                continue
            if h in known:
                out[c] = known[h]
                continue
            found = _dynamic(text, h, dynamic)
            if found is not None:
                out[c] = found
                continue
            self.note("unmapped", self.loc(raw.name, 0, c),
                      f"unknown column {text!r}{_hint(h, shown)}: its cells are not read")
        return out, lead

    def fill(self, item: LocMap, group: Group, own: dict) -> None:
        for key, (value, where) in own.items():
            if key == OTHER:
                if isinstance(value, dict):
                    for k, v in value.items():
                        if k == "\x00schema":
                            item[SCHEMA_FIELD] = v
                        else:
                            _set(item, (k,), v, where)
                else:
                    self.note("unmapped", where, "an Other fields cell must hold a mapping (!yaml {key: value})")
                continue
            _set(item, key, value, where)

    def place(self, group: Group, parent: LocMap, parent_new: bool, values: dict, state: dict, sheet: str, r: int):
        own = values.get(id(group), {})
        current = state.get(id(group))
        first = group.leaves[0].path if group.leaves else None
        if parent_new and len(own) == 1 and first in own and own[first][0] == []:
            where = own[first][1]
            if group.field not in parent:
                parent[group.field] = LocList(where)
                parent.key_locs[group.field] = where
            return
        if not own:
            item = current[0] if (current and not parent_new and group.children) else None
            is_new = False
        elif group.children and not parent_new and current is not None \
                and {k: v for k, (v, _) in own.items()} == current[1]:
            item, is_new = current[0], False
        else:
            where = next(iter(own.values()))[1]  # the leftmost: `own` is filled in column order
            item = LocMap(where)
            self.fill(item, group, own)
            items = parent.get(group.field)
            if not isinstance(items, LocList):
                items = LocList(where)
                parent[group.field] = items
                parent.key_locs[group.field] = where
            items.append(item)
            items.item_locs.append(where)
            state[id(group)] = (item, {k: v for k, (v, _) in own.items()})
            for below in group.walk():
                if below is not group:
                    state.pop(id(below), None)
            is_new = True
        if item is None:
            for child in group.children:
                for below in child.walk():
                    for key, (value, where) in values.get(id(below), {}).items():
                        self.note("unmapped", where, f"a {below.name} value with no {group.name} on its row or "
                                                     "above: not read")
            return
        for child in group.children:
            self.place(child, item, is_new, values, state, sheet, r)


def _column_groups(top: Group, columns: dict) -> list:
    """[(id(group), [(column, key, leaf), …])] for the groups with columns, parents first, columns in order."""
    groups = []
    for group in top.walk():
        cols = [(c, key, ANY if key == OTHER else leaf) for c, (g, key, leaf) in columns.items() if g is group]
        if cols:
            groups.append((id(group), cols))
    return groups


def _dynamic(text: str, h: str, dynamic):
    clean = re.sub(r"\s+", " ", text.replace("_", " ")).strip()
    for head, tail, group, leaf in dynamic:
        if not h.startswith(head + " "):
            continue
        rest = clean[len(head) + 1:]
        if tail:
            if not norm(rest).endswith(" " + tail):
                continue
            rest = rest[: len(rest) - len(tail) - 1]
        rest = rest.strip()
        if not rest:
            continue
        star = leaf.path.index("*")
        return group, leaf.path[:star] + (rest,) + leaf.path[star + 1:], leaf
    return None


def _plan_field(group: Group, name: str):
    parts = tuple(name.split("."))
    for leaf in group.leaves:
        if not leaf.dynamic and leaf.path == parts:
            return leaf.path, leaf
    for leaf in group.leaves:
        if leaf.dynamic:
            star = leaf.path.index("*")
            head, tail = leaf.path[:star], leaf.path[star + 1:]
            if len(parts) > len(head) + len(tail) and parts[:star] == head and \
                    (not tail or parts[len(parts) - len(tail):] == tail):
                key = ".".join(parts[star:len(parts) - len(tail)])
                return head + (key,) + tail, leaf
    return None, None


def _set(item: LocMap, key: tuple, value, where: Location) -> None:
    node = item
    for part in key[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, LocMap):
            nxt = LocMap(where)
            node[part] = nxt
            node.key_locs[part] = where
        node = nxt
    node[key[-1]] = value
    node.key_locs[key[-1]] = where


def _typed_text(raw: str, leaf: Leaf):
    """A CSV or Word cell: numbers in number columns are numbers without a note, as CSV has no types."""
    value, converted, problem = from_cell(raw, leaf, None)
    if converted and ("number" in leaf.shape or "integer" in leaf.shape) and re.fullmatch(r"-?\d+(\.\d+)?", raw):
        converted = None
    return value, converted, problem


def _text(row, c) -> str | None:
    if c is None or c >= len(row) or row[c] is None or row[c].value is None:
        return None
    value = row[c].value
    return str(int(value)) if isinstance(value, float) and value == int(value) else str(value).strip()


def _header_index(sheet: RawSheet, names) -> tuple | None:
    if not sheet.rows:
        return None
    header = [norm(c.value) if c is not None and c.value is not None else "" for c in sheet.rows[0]]
    found = []
    for name in names:
        if norm(name) not in header:
            return None
        found.append(header.index(norm(name)))
    return tuple(found)


def _hint(text: str, options) -> str:
    close = difflib.get_close_matches(norm(text), [norm(o) for o in options], n=1, cutoff=0.6)
    if not close:
        return ""
    shown = next(o for o in options if norm(o) == close[0])
    return f"; did you mean {shown!r}?"


def build_documents(raw_sheets: list[RawSheet], book: str, typed: bool = True) -> Imported:
    """The plan documents of the sheets (see the module docstring); sheets found by name."""
    reader = _Reader(book, typed)
    specs = {norm(s.name): s for s in sheets()}
    by_name = {}
    for raw in raw_sheets:
        h = norm(raw.name)
        if h == norm(README_SHEET):
            continue
        if h != norm(PLAN_SHEET) and h not in specs:
            if raw.rows:
                names = [PLAN_SHEET] + [s.name for s in sheets()]
                reader.note("unmapped", reader.loc(raw.name, 0, 0),
                            f"unknown sheet {raw.name!r}{_hint(raw.name, names)}: not read")
            continue
        for r, c, message in raw.notes:
            reader.note("converted", reader.loc(raw.name, r, c), message)
        if raw.hidden:
            reader.note("sheet", reader.loc(raw.name, 0, 0), f"sheet {raw.name!r} is hidden; it was read all the same")
        by_name[h] = raw
    if norm(PLAN_SHEET) in by_name:
        reader.plan_sheet(by_name[norm(PLAN_SHEET)])
    ordered = sorted(sheets(), key=lambda s: not (s.multi and s.field is None))  # documents before their lists
    for spec in ordered:
        raw = by_name.get(norm(spec.name))
        if raw is not None:
            if spec.multi and spec.field is None:
                _define_keys(reader, raw, spec)
            reader.table_sheet(raw, spec)
    _defaults(reader.out.docs)
    return reader.out


def _define_keys(reader: _Reader, raw: RawSheet, spec) -> None:
    """Name each document of a folder's sheet: its File cell, else its id."""
    columns, lead = reader.columns(RawSheet(raw.name, raw.rows[:1], raw.hidden), spec)  # its header only
    idcol = next((c for c, (_, key, _) in columns.items() if key == ("id",)), None)
    for r, row in enumerate(raw.rows[1:], 1):
        name = _text(row, lead)
        ident = _text(row, idcol)
        key = name or ident
        if not key:
            continue
        if (spec.kind, key) in reader.keys:
            continue
        file = name or ident
        reader.folder_doc(spec.kind, file, reader.loc(raw.name, r, lead if name else idcol), True)


def _defaults(docs: dict) -> None:
    """Lists and mappings the schemas require, empty where no cell gave them."""
    for kind, doc in docs.values():
        _require(doc, document_group(kind))


def _require(item, group: Group) -> None:
    if not isinstance(item, LocMap):
        return
    for path in group.required_maps:
        path = tuple(p for p in path if p != "*")
        node = item
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, LocMap) and path and path[-1] not in node and (len(path) == 1 or node is not item):
            node[path[-1]] = LocMap(node.loc)
            node.key_locs[path[-1]] = node.loc
    for child in group.children:
        if child.field not in item and child.required:
            item[child.field] = LocList(item.loc)
            item.key_locs[child.field] = item.loc
        for sub in item.get(child.field) or ():
            _require(sub, child)

