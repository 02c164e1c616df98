"""Source locations, and the mapping/list types that carry them from YAML to findings.

A plan of 100 000 measures has millions of keys and list items, each with a position. The
loader keeps those positions packed, one 8-byte number each in one array per file
(`Positions`), and `LocMap.loc`, `LocMap.key_locs[key]`, `LocList.item_locs[i]` make the
`Location` when asked. A mapping or list made in code (`LocMap(loc)`) keeps plain Location
objects instead, and a loaded one switches to them as soon as it is changed in a way that
would move its keys or items.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from operator import indexOf
from typing import NamedTuple


class Location(NamedTuple):
    """A place in a file; a tuple so that millions of them stay cheap and sort naturally."""

    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return place(self.file, self.line, self.column)


def place(file: str, line: int, column: int) -> str:
    """How a report names a place: `file:line:column`, or `book.xlsx:Sheet!F12` for a workbook cell."""
    if file.endswith("!") and line >= 1 and column >= 1:
        return f"{file}{column_letters(column)}{line}"
    return f"{file}:{line}:{column}"


def cell_file(book: str, sheet: str) -> str:
    """The `file` of the Locations of a sheet's cells (row = line, column = column): `book:Sheet!`."""
    plain = sheet.replace("_", "").replace(".", "").isalnum() and not sheet[:1].isdigit()
    return f"{book}:{sheet if plain else chr(39) + sheet.replace(chr(39), chr(39) * 2) + chr(39)}!"


def split_cell_file(file: str) -> tuple[str, str] | None:
    """(workbook, sheet reference) of a cell Location's file, None for any other file."""
    if not file.endswith("!"):
        return None
    book, sep, sheet = file[:-1].rpartition(":")
    if not sep:
        return None
    return book, sheet


def column_letters(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Positions:
    """The positions read from one file, packed as `line << shift | column` in one array.

    `shift` is 32, or more for a file of 4 GiB or more, whose positions then live in a list
    of Python integers (an array holds 64 bits at most).
    """

    __slots__ = ("file", "shift", "packed")

    def __init__(self, file: str, size: int = 0):
        self.file = file
        self.shift = max(32, size.bit_length() + 1)
        self.packed = array("Q") if self.shift == 32 else []

    def location(self, i: int) -> Location:
        p = self.packed[i]
        shift = self.shift
        return Location(self.file, p >> shift, p & ((1 << shift) - 1))

    def __getstate__(self):
        return (self.file, self.shift, self.packed)

    def __setstate__(self, state):
        file, shift, packed = state
        if not (isinstance(file, str) and type(shift) is int and isinstance(packed, (array, list))):
            raise TypeError("not the positions of a file")
        self.file, self.shift, self.packed = file, shift, packed


# Mappings larger than this switch to plain Locations on the first key lookup, so that
# finding a key's place among the mapping's keys never makes a lookup cost its size.
_SCAN = 32


class KeyLocs(Mapping):
    """`LocMap.key_locs` of a mapping read from a file: key -> Location, read only.

    Writing through it (`update`, `[key] = loc`) switches the mapping to plain Locations.
    """

    __slots__ = ("_map",)

    def __init__(self, mapping: LocMap):
        self._map = mapping

    def _index(self, key) -> int:
        """The position index of `key`, or -1."""
        m = self._map
        if key not in m:
            return -1
        n = m._n
        if n > _SCAN:
            return -2
        i = indexOf(m, key)
        return m._at + 1 + i if i < n else -1

    def __getitem__(self, key) -> Location:
        m = self._map
        if m._locs is None:
            i = self._index(key)
            if i >= 0:
                return m._src.location(i)
            if i == -1:
                raise KeyError(key)
        return m._unpack()[key]

    def get(self, key, default=None):
        m = self._map
        if m._locs is None:
            i = self._index(key)
            if i >= 0:
                return m._src.location(i)
            if i == -1:
                return default
        return m._unpack().get(key, default)

    def __contains__(self, key) -> bool:
        m = self._map
        if m._locs is None:
            i = self._index(key)
            if i != -2:
                return i >= 0
        return key in m._unpack()

    def __iter__(self):
        m = self._map
        if m._locs is None:
            return iter([k for k, _ in zip(m, range(m._n))])
        return iter(m._locs)

    def __len__(self) -> int:
        m = self._map
        return min(m._n, len(m)) if m._locs is None else len(m._locs)

    def items(self):
        m = self._map
        if m._locs is None:
            src, at = m._src, m._at + 1
            return [(k, src.location(at + i)) for i, k in zip(range(m._n), m)]
        return m._locs.items()

    def values(self):
        return [loc for _, loc in self.items()]

    def keys(self):
        return list(self)

    def __setitem__(self, key, loc: Location) -> None:
        self._map._unpack()[key] = loc

    def update(self, *args, **kwargs) -> None:
        self._map._unpack().update(*args, **kwargs)

    def __eq__(self, other):
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class ItemLocs(Sequence):
    """`LocList.item_locs` of a list read from a file: index -> Location, read only."""

    __slots__ = ("_list",)

    def __init__(self, items: LocList):
        self._list = items

    def __len__(self) -> int:
        lst = self._list
        return min(lst._n, len(lst)) if lst._locs is None else len(lst._locs)

    def __getitem__(self, index):
        lst = self._list
        if lst._locs is not None:
            return lst._locs[index]
        n = len(self)
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(n))]
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("item_locs index out of range")
        return lst._src.location(lst._at + 1 + index)

    def __iter__(self):
        lst = self._list
        if lst._locs is not None:
            return iter(lst._locs)
        src, at = lst._src, lst._at + 1
        return iter([src.location(at + i) for i in range(len(self))])

    def __eq__(self, other):
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return repr(list(self))


class _Located:
    """What LocMap and LocList share: `loc`, where they are, and the places of their keys or
    items, read from the packed positions (through `_VIEW`) until a change moves them, then
    plain Locations (`_locs`, a `_PLAIN`)."""

    __slots__ = ()
    _PLAIN: type  # dict (key -> Location) or list (index -> Location)
    _VIEW: type  # KeyLocs or ItemLocs: the read view of packed positions

    def __init__(self, loc: Location, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._src = loc
        self._at = 0
        self._n = 0
        self._locs = self._PLAIN()

    def _view(self):
        if self._locs is None:
            return self._VIEW(self)
        return self._locs

    def _replace(self, value) -> None:
        self._unpack()
        self._locs = self._PLAIN(value)

    def _unpack(self):
        """Switch to plain Locations (the keys or items are about to move, or a lookup would be slow)."""
        locs = self._locs
        if locs is None:
            src, at = self._src, self._at
            locs = self._paired([src.location(at + 1 + i) for i in range(min(self._n, len(self)))])
            self._src = src.location(at)
            self._locs = locs
        return locs

    @property
    def loc(self) -> Location:
        if self._locs is None:
            return self._src.location(self._at)
        return self._src

    @loc.setter
    def loc(self, value: Location) -> None:
        self._unpack()
        self._src = value


class LocMap(_Located, dict):
    """A mapping read from YAML: `loc` is where it starts, `key_locs[key]` where each key is.

    Read from a file: `_src` is the file's Positions, `_at` the index of the mapping's own
    position, followed by those of its first `_n` keys in order, and `_locs` is None.
    Made in code (or changed): `_src` is its Location and `_locs` a dict key -> Location.
    """

    __slots__ = ("_src", "_at", "_n", "_locs")
    _PLAIN, _VIEW = dict, KeyLocs
    key_locs = property(_Located._view, _Located._replace,
                        doc="Mapping key -> Location (a read view of the packed positions, or a plain dict).")

    def _paired(self, locations: list) -> dict:
        return dict(zip(self, locations))

    # what would move keys out of the order their positions were read in
    def __delitem__(self, key):
        self._unpack()
        super().__delitem__(key)

    def pop(self, *args):
        self._unpack()
        return super().pop(*args)

    def popitem(self):
        self._unpack()
        return super().popitem()

    def clear(self):
        self._unpack()
        super().clear()

    def __reduce_ex__(self, protocol):
        if self._locs is None:
            return _packed_map, (self._src, self._at, self._n, tuple(self.items()))
        return _plain_map, (self._src, self._locs, tuple(self.items()))


def _packed_map(src: Positions, at: int, n: int, items) -> LocMap:
    if type(src) is not Positions or type(at) is not int or type(n) is not int:
        raise TypeError("not a mapping read from a file")
    m = LocMap.__new__(LocMap)
    dict.update(m, items)
    m._src, m._at, m._n, m._locs = src, at, n, None
    return m


def _plain_map(loc: Location, locs: dict, items) -> LocMap:
    m = LocMap(loc, items)
    m._locs = locs
    return m


class LocList(_Located, list):
    """A sequence read from YAML: `loc` is where it starts, `item_locs[i]` where item i is.

    Stored like LocMap: positions in the file's Positions from `_at` (the list's own, then
    its first `_n` items'), or plain Locations in `_locs` for a list made in code.
    """

    __slots__ = ("_src", "_at", "_n", "_locs")
    _PLAIN, _VIEW = list, ItemLocs
    item_locs = property(_Located._view, _Located._replace,
                         doc="Sequence index -> Location (a read view of the packed positions, or a plain list).")

    def _paired(self, locations: list) -> list:
        return locations

    # what would move items away from the positions read for them
    def __setitem__(self, index, value):
        if not isinstance(index, int):
            self._unpack()
        super().__setitem__(index, value)

    def __delitem__(self, index):
        self._unpack()
        super().__delitem__(index)

    def insert(self, index, value):
        self._unpack()
        super().insert(index, value)

    def pop(self, *args):
        self._unpack()
        return super().pop(*args)

    def remove(self, value):
        self._unpack()
        super().remove(value)

    def sort(self, *args, **kwargs):
        self._unpack()
        super().sort(*args, **kwargs)

    def reverse(self):
        self._unpack()
        super().reverse()

    def clear(self):
        self._unpack()
        super().clear()

    def __reduce_ex__(self, protocol):
        if self._locs is None:
            return _packed_list, (self._src, self._at, self._n, tuple(self))
        return _plain_list, (self._src, self._locs, tuple(self))


def _packed_list(src: Positions, at: int, n: int, items) -> LocList:
    if type(src) is not Positions or type(at) is not int or type(n) is not int:
        raise TypeError("not a list read from a file")
    out = LocList.__new__(LocList)
    list.extend(out, items)
    out._src, out._at, out._n, out._locs = src, at, n, None
    return out


def _plain_list(loc: Location, locs: list, items) -> LocList:
    out = LocList(loc, items)
    out._locs = locs
    return out


def plain(value):
    """A loaded value with its mappings and lists as plain dicts and lists, without locations."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def locate(doc, path, default: Location) -> Location:
    """The location of the value at `path` (keys and indexes) inside a loaded document.

    Walks as deep as the path exists and returns the most precise location found: the key
    for a mapping entry, the item for a list entry, else the enclosing container.
    """
    loc = getattr(doc, "loc", default)
    node = doc
    for step in path:
        if isinstance(node, LocMap) and step in node:
            loc = node.key_locs.get(step, node.loc)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            locs = node.item_locs
            loc = locs[step] if step < len(locs) else node.loc
            node = node[step]
        else:
            break
    return loc
