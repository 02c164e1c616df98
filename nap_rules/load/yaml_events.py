"""YAML events to located data: PyYAML's flat event stream turned into LocMap/LocList and scalars.

`EventBuilder` keeps an explicit stack (no recursion, so no nesting exhausts the C stack) and
refuses what would lose data or run away: duplicate keys, tags other than plain data,
recursive aliases, alias expansion beyond a bound, nesting beyond a bound, too many values.
Scalars become values through `yaml_scalars.ScalarReader`.
"""

from __future__ import annotations

import sys

import yaml

from ..errors import InputError
from .locations import Location, LocList, LocMap, Positions
from .yaml_scalars import (
    MEMO_LENGTH, REFUSED_IN_TEXT, TAG_MAP, TAG_SEQ, TAG_STR, ScalarReader, limit_hint, shown,
)


class _Frame:
    """A list or mapping being filled: the value, for a mapping the key awaiting its value, and
    the packed positions of the container and of each of its keys or items so far."""

    __slots__ = ("value", "is_map", "key", "anchor", "pos")

    def __init__(self, value, is_map: bool, anchor, pos: int):
        self.value = value
        self.is_map = is_map
        self.key = None
        self.anchor = anchor
        self.pos = [pos]


class _ScalarAnchor:
    """An anchored scalar: its value, and its tag and text for an alias used as a key."""

    __slots__ = ("value", "tag", "text")

    def __init__(self, value, tag: str, text: str):
        self.value, self.tag, self.text = value, tag, text


class EventBuilder:
    """Turns the parser's event stream into LocMap/LocList/scalars, enforcing the limits.

    Positions are packed into the file's `Positions` (see nap_rules.load.locations): a container's
    own position and those of its keys or items sit together, written when it closes.
    """

    def __init__(self, file: str, limits, size: int = 0, text: str = ""):
        self.file = file
        self.limits = limits
        self.alias_uses = 0
        self.count = 0
        self.positions = Positions(file, size)
        self.shift = self.positions.shift
        self.scalars = ScalarReader(file, limits, text)
        self.anchors: dict = {}  # name -> LocMap/LocList/_ScalarAnchor, once complete
        self.anchor_marks: dict = {}  # name -> start mark, from the moment it opens
        self.root = None

    def loc(self, mark) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def unpack(self, packed: int) -> Location:
        return Location(self.file, packed >> self.shift, packed & ((1 << self.shift) - 1))

    def fail(self, mark, message: str):
        raise InputError(message, self.loc(mark))

    # --- counting --------------------------------------------------------------------------
    def too_many(self, mark, depth: int):
        """Raise for the value at `mark` once `count` or `depth` is over its limit."""
        if self.count > self.limits.max_nodes:
            self.fail(mark, f"more than {self.limits.max_nodes} values in one file {limit_hint('max_nodes')}")
        if depth >= self.limits.max_depth:
            self.fail(mark, f"nesting deeper than {self.limits.max_depth} levels {limit_hint('max_depth')}")

    def visit_at(self, loc: Location, depth: int):
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise InputError(f"more than {self.limits.max_nodes} values in one file {limit_hint('max_nodes')}", loc)
        if depth >= self.limits.max_depth:
            raise InputError(f"nesting deeper than {self.limits.max_depth} levels {limit_hint('max_depth')}", loc)

    def revisit(self, loc: Location):
        """One list or mapping repeated by an alias; `loc` is where it is written out."""
        self.alias_uses += 1
        if self.alias_uses > self.limits.max_alias_uses:
            raise InputError(
                f"more than {self.limits.max_alias_uses} alias expansions "
                f"{limit_hint('max_alias_uses')}; write the values out instead",
                loc,
            )

    # --- the event loop --------------------------------------------------------------------
    def run(self, loader):
        get = loader.get_event
        get()  # stream start
        event = get()
        if event.__class__ is yaml.StreamEndEvent:
            return None
        first = event  # document start
        self.document(get)
        event = get()
        if event.__class__ is not yaml.StreamEndEvent:
            raise yaml.composer.ComposerError("expected a single document in the stream", first.start_mark,
                                              "but found another document", event.start_mark)
        return self.root

    def document(self, get):
        """Fills `root` from the events of one document: one loop, the common events handled inline
        (hundreds of thousands of events per file; the end of a list or mapping, and what is rare
        or refused, goes to a method)."""
        stack: list[_Frame] = []
        ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
        MappingStart, SequenceStart = yaml.MappingStartEvent, yaml.SequenceStartEvent
        MappingEnd, SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent
        shift = self.shift
        max_nodes, max_depth = self.limits.max_nodes, self.limits.max_depth
        scalars = self.scalars
        resolve, scalar, key, intern = scalars.resolve, scalars.scalar, scalars.key, sys.intern
        close = self.close
        new_map, new_list = LocMap.__new__, LocList.__new__
        texts: dict[str, str] = {}
        top = None
        wants_key = False
        while True:
            event = get()
            cls = event.__class__
            if cls is ScalarEvent:
                mark = event.start_mark
                packed = (mark.line + 1) << shift | (mark.column + 1)
                text = event.value
                if event.style == '"' and REFUSED_IN_TEXT.search(text) is not None:
                    scalars.refuse_escape(event)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(text, event.implicit)
                if event.anchor is not None:
                    self.open_anchor(event.anchor, mark)
                if wants_key:
                    value = intern(text) if tag is TAG_STR else key(tag, text, mark)
                    self.set_key(top, value, packed, mark)
                    wants_key = False
                else:
                    self.count += 1
                    if self.count > max_nodes or len(stack) >= max_depth:
                        self.too_many(mark, len(stack))
                    if tag is TAG_STR:
                        # short texts repeat (units, codes, names of bodies): one string each
                        value = texts.setdefault(text, text) if len(text) <= MEMO_LENGTH else text
                    else:
                        value = scalar(tag, text, mark)
                    if top is None:
                        self.root = value
                    elif top.is_map:
                        top.value[top.key] = value
                        top.key = None
                        wants_key = True
                    else:
                        top.value.append(value)
                        top.pos.append(packed)
                if event.anchor is not None:
                    self.anchors[event.anchor] = _ScalarAnchor(value, tag, text)
            elif cls is MappingStart or cls is SequenceStart:
                is_map = cls is MappingStart
                mark = event.start_mark
                self.count += 1
                if wants_key or self.count > max_nodes or len(stack) >= max_depth or event.anchor is not None \
                        or (event.tag is not None and event.tag != "!"):
                    self.opening(event, is_map, wants_key, len(stack))  # refuses it, or opens its anchor
                top = _Frame(new_map(LocMap) if is_map else new_list(LocList), is_map, event.anchor,
                             (mark.line + 1) << shift | (mark.column + 1))
                stack.append(top)
                wants_key = is_map
            elif cls is MappingEnd or cls is SequenceEnd:
                top, wants_key = close(stack)
            elif cls is AliasEvent:
                self.alias(stack, wants_key, event)
                wants_key = top is not None and top.is_map and top.key is None
            else:  # document end
                return

    def close(self, stack: list[_Frame]):
        """Ends the list or mapping on top of `stack`: writes its positions, keeps it under its
        anchor and puts it into its parent (or at the root). Returns the new top of the stack
        and whether it awaits a key."""
        frame = stack.pop()
        value = frame.value
        pos = frame.pos
        store = self.positions.packed
        value._src, value._at, value._n, value._locs = self.positions, len(store), len(pos) - 1, None
        store.extend(pos)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = value
        if not stack:
            self.root = value
            return None, False
        top = stack[-1]
        if top.is_map:
            top.value[top.key] = value
            top.key = None
            return top, True
        top.value.append(value)
        top.pos.append(pos[0])
        return top, False

    def opening(self, event, is_map: bool, wants_key: bool, depth: int):
        """What is not plain about a list or mapping that starts at `event`, `depth` containers deep
        (already counted): refused as a key, over a limit or with a tag; an anchor is opened."""
        mark = event.start_mark
        if wants_key:
            self.fail(mark, "a mapping key must be text or a whole number, not a list or mapping")
        if self.count > self.limits.max_nodes or depth >= self.limits.max_depth:
            self.too_many(mark, depth)
        tag = event.tag
        if tag is not None and tag != "!" and tag != (TAG_MAP if is_map else TAG_SEQ):
            self.fail(mark, f"tag {shown(tag)} is not allowed: nap-rules files hold plain data")
        if event.anchor is not None:
            self.open_anchor(event.anchor, mark)

    def attach(self, stack, value, packed: int):
        if not stack:
            self.root = value
            return
        top = stack[-1]
        if top.is_map:
            top.value[top.key] = value
            top.key = None
        else:
            top.value.append(value)
            top.pos.append(packed)

    def set_key(self, top: _Frame, key: str, packed: int, mark):
        out = top.value
        if key in out:
            first = self.unpack(top.pos[1 + list(out).index(key)])
            self.fail(mark, f"duplicate key {key!r} (first defined at line {first.line}); a second value would be lost")
        out[key] = None  # keeps the key's place; the value replaces it
        top.pos.append(packed)
        top.key = key

    # --- anchors and aliases ---------------------------------------------------------------
    def open_anchor(self, name: str, mark):
        if name in self.anchor_marks:
            first = self.anchor_marks[name]
            raise yaml.composer.ComposerError(f"found duplicate anchor {name!r}; first occurrence", first,
                                              "second occurrence", mark)
        self.anchor_marks[name] = mark

    def alias(self, stack, wants_key: bool, event):
        name = event.anchor
        mark = event.start_mark
        if name not in self.anchor_marks:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {name!r}", mark)
        if name not in self.anchors:
            self.fail(mark, f"alias *{name} repeats a list or mapping that contains it: a plan file "
                            f"is a tree, a recursive structure cannot be read")
        target = self.anchors[name]
        packed = (mark.line + 1) << self.shift | (mark.column + 1)
        if isinstance(target, _ScalarAnchor):
            if wants_key:
                self.set_key(stack[-1], self.scalars.key(target.tag, target.text, mark), packed, mark)
            else:
                self.visit_at(self.loc(mark), len(stack))
                self.attach(stack, target.value, packed)
            return
        if wants_key:
            self.fail(mark, "a mapping key must be text or a whole number, not a list or mapping")
        self.attach(stack, self.copy(target, len(stack), self.loc(mark)), packed)

    def copy(self, source, depth: int, site: Location):
        """A fresh copy of an anchored list or mapping for one alias, counted like new values.

        A copy has the same keys or items in the same order as its source: it shares the
        source's positions.
        """
        self.visit_at(site, depth)
        self.revisit(source.loc)
        root = self.shell(source)
        todo = [(source, root, depth)]
        while todo:
            src, dst, level = todo.pop()
            is_map = isinstance(src, LocMap)
            items = src.items() if is_map else enumerate(src)
            for i, (key, value) in enumerate(items):
                if isinstance(value, (LocMap, LocList)):
                    self.visit_at(value.loc, level + 1)
                    self.revisit(value.loc)
                    new = self.shell(value)
                    todo.append((value, new, level + 1))
                    value = new
                else:
                    self.count += 1
                    if self.count > self.limits.max_nodes or level + 1 >= self.limits.max_depth:
                        self.count -= 1
                        self.visit_at(_nth_loc(src, i), level + 1)
                if is_map:
                    dst[key] = value
                else:
                    dst.append(value)
        return root

    @staticmethod
    def shell(source):
        """An empty container with the positions of `source`, to be filled with copies of its values."""
        out = LocMap.__new__(LocMap) if isinstance(source, LocMap) else LocList.__new__(LocList)
        out._src, out._at, out._n, out._locs = source._src, source._at, source._n, source._locs
        return out


def _nth_loc(container, i: int) -> Location:
    """Where key or item `i` of a loaded container is."""
    if container._locs is None:
        return container._src.location(container._at + 1 + i)
    return (list(container._locs.values()) if isinstance(container, LocMap) else container._locs)[i]
