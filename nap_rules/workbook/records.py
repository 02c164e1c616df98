"""Records <-> rows of cells, for one sheet's group of columns (see layout.py).

`flatten` spreads a record over its columns and puts what its columns cannot hold exactly
(a key the schema does not know, an empty optional mapping, a value of the wrong form) in
the group's `Other fields` column, as `!yaml {key: value}`: nothing is lost, and a plan that
follows its schemas never needs it. `rows_of` lays records and their own lists out as bands
of rows, the record's cells on its first row and merged over its band.
"""

from __future__ import annotations

from .layout import Group, Leaf, column_label

OTHER = ("\x00other",)  # the column key of a group's `Other fields` column
EMPTY_LIST: list = []  # an optional list that is there but empty: `!yaml []` in its first column


def sort_key(key):
    text = str(key)
    return (0, int(text), "") if text.isdigit() and len(text) < 12 else (1, 0, text)


def flatten(item: dict, group: Group) -> tuple[dict, dict]:
    """({column key: value}, {key: value} of what goes to `Other fields`) of one record."""
    cells: dict = {}
    other: dict = {}
    skip = {c.field for c in group.children}
    tree = group.tree
    required = group.required_maps
    for key, value in item.items():
        if key in skip:
            continue
        node = tree.get(key)
        out: dict = {}
        if node is not None and _fits(value, node, (key,), out, required):
            cells.update(out)
        else:
            other[key] = value
    return cells, other


def _fits(value, node, path: tuple, out: dict, required) -> bool:
    if isinstance(node, Leaf):
        out[path] = value
        return True
    if not isinstance(value, dict):
        return False
    if not value:
        return "*" in node and path in required  # an empty keyed mapping the schema requires: no cell
    if "*" in node:
        sub = node["*"]
        for k, v in value.items():
            k = str(k)
            if not k or not _fits(v, sub, path + (k,), out, required):
                return False
        return True
    for k, v in value.items():
        n = node.get(k)
        if n is None or not _fits(v, n, path + (k,), out, required):
            return False
    return True


def leaf_of(group: Group, key: tuple) -> Leaf | None:
    """The leaf of a column key (a keyed mapping's key put back as `*`)."""
    node = group.tree
    for part in key:
        if not isinstance(node, dict):
            return None
        if part in node:
            node = node[part]
        elif "*" in node:
            node = node["*"]
        else:
            return None
    return node if isinstance(node, Leaf) else None


class Band:
    """The rows of a sheet being built: cell values by (group, column key), merged spans."""

    def __init__(self):
        self.rows: list[dict] = []
        self.spans: list[tuple[int, int, Group]] = []  # (first row, height, group) to merge
        self.keys: dict = {}  # group name -> {column key seen in the data}

    def add(self, items: list, group: Group) -> int:
        """Lay out `items` (records of `group`) from the current end; the number of rows used."""
        start = len(self.rows)
        for item in items:
            self._item(item, group, len(self.rows))
        return len(self.rows) - start

    def _item(self, item: dict, group: Group, at: int) -> int:
        rows = self.rows
        own, other = flatten(item, group)
        kids = []
        for child in group.children:
            if child.field not in item:
                continue
            value = item[child.field]
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                kids.append((child, value))
            elif value == [] and not child.required:
                kids.append((child, None))
            elif value != []:
                other[child.field] = value
        if other or not (own or kids):
            own[OTHER] = other
        seen = self.keys.setdefault(id(group), set())
        seen.update(own)
        while len(rows) <= at:
            rows.append({})
        first = rows[at]
        for key, value in own.items():
            first[(id(group), key)] = value
        height = 1
        for child, values in kids:
            if values is None:
                rows[at][(id(child), child.leaves[0].path)] = EMPTY_LIST
                self.keys.setdefault(id(child), set()).add(child.leaves[0].path)
                continue
            row = at
            for value in values:
                row += self._item(value, child, row)
            height = max(height, row - at)
        if height > 1:
            self.spans.append((at, height, group))
        return height


def columns(group: Group, seen: dict) -> list[tuple]:
    """(group, column key, leaf, header) of every column of `group` and its children, in order."""
    out = []
    keys = seen.get(id(group), set())
    for leaf in group.leaves:
        if not leaf.dynamic:
            out.append((group, leaf.path, leaf, column_label(group, leaf)))
            continue
        star = leaf.path.index("*")
        found = sorted({k[star] for k in keys if len(k) == len(leaf.path) and leaf_of(group, k) is leaf
                        and k[:star] == leaf.path[:star]}, key=sort_key)
        for value in found:
            key = leaf.path[:star] + (value,) + leaf.path[star + 1:]
            out.append((group, key, leaf, column_label(group, leaf, value)))
    if OTHER in keys:
        out.append((group, OTHER, None, f"{group.label} other fields".strip().capitalize()))
    for child in group.children:
        out.extend(columns(child, seen))
    return out
