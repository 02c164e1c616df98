"""Reading again only the lines of a file that changed since it was last read.

A re-check after an edit of one measure should not parse a goal file of ten thousand
measures again. Given the file's previous text and its located document, `reparse` finds the
lines that changed and, when each lies inside one item of a block list (a measure, an
indicator, a target), parses only those items' lines and puts the results in place of the old
items. The result equals what reading the whole new text gives — values, keys, every line and
column — or `reparse` returns None and the caller reads the whole file. It returns None
whenever it cannot be sure:

- the text is not plain UTF-8 with `\\n` line ends, or starts with a directive or a byte-order
  mark, or the edit adds or removes lines (other than comments after the last value);
- a changed line is outside every block-list item, or inside an item that is not written
  `- ...` on the line where its value starts;
- an item's old or new lines hold an anchor (`&`), a document marker, or do not read on their
  own as exactly that one item, starting where it started;
- an item's new lines hold more values than its old ones (the file's `max_nodes` limit) or
  reach deeper than the file's `max_depth` allows at that depth.

Items are read by the same reader, with the same limits, as a whole file; their lines are
parsed after as many empty lines as precede them, so that their positions are those of the
whole file.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from typing import NamedTuple

from ..errors import InputError
from .locations import LocList, LocMap
from .yaml_reader import ReadLimits, load_yaml_text

_DASH = re.compile(r" *(?:- +)+")  # what precedes an item's value on its first line: indent and dashes
_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.MULTILINE)


class Reread(NamedTuple):
    """A document read again in part: the items replaced, each with its path from the root
    (keys and indexes), as the schema check of the items alone needs them."""

    doc: LocMap
    replaced: list  # (path, new item)
    old: list  # the items they replaced, in the same order


def reparse(old_data: bytes, new_data: bytes, old_doc, display: str, limits: ReadLimits,
            pure: bool = False) -> Reread | None:
    """The located document of `new_data`, made from `old_doc` (the document of `old_data`,
    which this changes in place) by reading only the changed items again; None when that
    cannot be done exactly (the caller then reads the whole file)."""
    if len(new_data) > limits.max_file_bytes or not isinstance(old_doc, LocMap):
        return None
    try:
        old_text, new_text = old_data.decode("utf-8"), new_data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "\r" in new_text or "\r" in old_text or new_text[:1] in ("%", "\ufeff") or old_text[:1] in ("%", "\ufeff"):
        return None
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    end = _content_end(old_lines)
    if end != _content_end(new_lines):
        return None
    tail = old_lines[end:-1] if old_text.endswith("\n") else old_lines[end:]
    if new_lines[end:end + len(tail)] != tail:
        return None  # the old comments at the end stay as they were (one may close a quoted value)
    changed = [i for i in range(end) if old_lines[i] != new_lines[i]]
    if not changed:
        return Reread(old_doc, [], [])
    windows = {}
    for i in changed:
        if windows and _inside(windows, i):
            continue
        window = _window(old_doc, i + 1, old_lines, end)
        if window is None or window[1] - window[0] > end // 2:
            return None  # past half the file, reading it whole costs about as much
        windows[window[0]] = window
    spans = sorted((w[0], w[1]) for w in windows.values())
    if any(a_end > b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])):
        return None  # items inside one another: one of them is read whole
    replacements = []
    for start, stop, parent, index, path in windows.values():
        depth = len(path) - 1
        new_item = _read_item(new_lines, start, stop, parent.item_locs[index], display, limits, depth, pure)
        old_item = _read_item(old_lines, start, stop, parent.item_locs[index], display, limits, depth, pure)
        if new_item is None or old_item is None or new_item[1] > old_item[1]:
            return None
        replacements.append((parent, index, path, new_item[0]))
    old_items = [parent[index] for parent, index, _, _ in replacements]
    for parent, index, _, item in replacements:
        parent[index] = item
    return Reread(old_doc, [(path, item) for _, _, path, item in replacements], old_items)


def _content_end(lines: list) -> int:
    """The number of lines up to the last that is not a comment at the start of a line (nor the
    empty rest after the final line break): comments appended at the end change no value."""
    n = len(lines)
    while n and (lines[n - 1].startswith("#") or (n == len(lines) and lines[n - 1] == "")):
        n -= 1
    return n


def _inside(windows: dict, line_index: int) -> bool:
    return any(start <= line_index < stop for start, stop, *_ in windows.values())


def _window(doc, line: int, lines: list, end: int):
    """(first line index, end line index, list, item index, path of the item from the root) of
    the innermost block-list item (written `- ...` on the line where its value starts) whose
    lines hold 1-based `line`, or None. The path's length less one is the depth of the list."""
    node, path, found = doc, [], None
    while isinstance(node, (LocMap, LocList)):
        if isinstance(node, LocList):
            locs = node.item_locs
            if len(locs) != len(node):
                return None
            i = bisect_right(locs, line, key=lambda loc: loc.line) - 1
            if i < 0:
                break
            loc = locs[i]
            path.append(i)
            if _DASH.fullmatch(lines[loc.line - 1][:loc.column - 1]):
                found = (node, i, tuple(path))
            node = node[i]
        else:
            locs = node.key_locs
            keys = [k for k in locs if locs[k].line <= line]
            if not keys or len(locs) != len(node):
                break
            key = max(keys, key=lambda k: (locs[k].line, locs[k].column))
            path.append(key)
            node = node[key]
    if found is None:
        return None
    parent, i, path = found
    loc = parent.item_locs[i]
    first = lines[loc.line - 1]
    dash = len(first) - len(first.lstrip(" "))  # the column of the item's first dash, 0-based
    if i + 1 < len(parent):
        stop = parent.item_locs[i + 1].line - 1
    else:
        stop = loc.line
        while stop < end and (not lines[stop].strip() or lines[stop].lstrip().startswith("#")
                              or len(lines[stop]) - len(lines[stop].lstrip(" ")) > dash):
            stop += 1
    if not loc.line <= line <= stop:
        return None
    return loc.line - 1, stop, parent, i, path


def _read_item(lines: list, start: int, stop: int, where, display: str, limits: ReadLimits, depth: int, pure: bool):
    """(the item, its count of values) read from lines [start, stop) alone, or None when they
    do not read as exactly one list item at `where`."""
    text = "\n".join(lines[start:stop])
    if "&" in text or _MARKER.search(text) or depth >= limits.max_depth:
        return None
    item_limits = dataclasses.replace(limits, max_depth=limits.max_depth - depth)
    try:
        read = load_yaml_text("\n" * start + text + "\n", display, item_limits, pure)
    except InputError:
        return None
    if not isinstance(read, LocList) or len(read) != 1 or read.item_locs[0] != where:
        return None
    return read[0], _count(read[0])


def _count(value) -> int:
    """Values in `value`, counted as the reader counts them against `max_nodes`."""
    if isinstance(value, LocMap):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, LocList):
        return 1 + sum(_count(v) for v in value)
    return 1
