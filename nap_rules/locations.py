"""Source locations, and the mapping/list types that carry them from YAML to findings."""

from __future__ import annotations

from typing import NamedTuple


class Location(NamedTuple):
    """A place in a file; a tuple so that millions of them stay cheap and sort naturally."""

    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class LocMap(dict):
    """A mapping read from YAML: `loc` is where it starts, `key_locs[key]` where each key is."""

    __slots__ = ("loc", "key_locs")

    def __init__(self, loc: Location, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.key_locs: dict[str, Location] = {}


class LocList(list):
    """A sequence read from YAML: `loc` is where it starts, `item_locs[i]` where item i is."""

    __slots__ = ("loc", "item_locs")

    def __init__(self, loc: Location, *args):
        super().__init__(*args)
        self.loc = loc
        self.item_locs: list[Location] = []


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
            loc = node.item_locs[step] if step < len(node.item_locs) else node.loc
            node = node[step]
        else:
            break
    return loc
