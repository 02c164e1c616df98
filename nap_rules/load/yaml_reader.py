"""Safe, located YAML reading: plain data with the line and column of every mapping and item.

PyYAML's parser (libyaml's C parser where installed, the pure parser otherwise: both give
the same marks) yields a flat stream of events; `_Builder` turns that stream into
`LocMap`/`LocList` and scalars with an explicit stack, refusing what would lose data or run
away: duplicate keys, merge keys, unknown tags, recursive aliases, alias expansion beyond a
bound, nesting beyond a bound, non-finite, oversized or non-decimal numbers, and characters
YAML reads as line breaks although editors do not.

No composer is used: PyYAML's and libyaml's composers recurse once per nesting level, and
a file of a few tens of thousands of `[` exhausts the C stack before any limit is checked.
"""

from __future__ import annotations

import gc
import os
import re
import stat
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ..errors import InputError
from .locations import Location, LocList, LocMap, Positions

HAVE_C_LOADER = bool(getattr(yaml, "__with_libyaml__", False))

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MAP, _SEQ, _MERGE, _VALUE = (_TAG + t for t in ("timestamp", "map", "seq", "merge", "value"))
_BOOL_VALUES = yaml.constructor.SafeConstructor.bool_values

# Characters YAML 1.1 reads as line breaks but editors show inside a line: they shift every
# reported line number after them and are folded or dropped inside values.
_YAML_ONLY_BREAKS = {
    "\x85": "U+0085 (next line; often a Windows-1252 '…' decoded as Latin-1)",
    "\u2028": "U+2028 (line separator)",
    "\u2029": "U+2029 (paragraph separator)",
}


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what one input may make us do; each refusal names its limit.

    Every limit can be changed on the command line with `--limit NAME=N`.
    """

    max_file_bytes: int = 64 * 1024 * 1024  # size of one plan file, in bytes
    max_depth: int = 64  # nesting of lists and mappings in one file
    max_alias_uses: int = 100  # lists and mappings repeated by `*alias` in one file
    max_nodes: int = 5_000_000  # values (scalars, lists, mappings) in one file
    max_number_digits: int = 30  # digits of one number, and the size of its decimal exponent
    max_files: int = 10_000  # plan files in one plan folder

    @staticmethod
    def names() -> list[str]:
        return list(ReadLimits.__dataclass_fields__)


DEFAULT_READ_LIMITS = ReadLimits()


def _shown(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _limit_hint(name: str) -> str:
    return f"(limit {name}; raise it with --limit {name}=N)"


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
    __slots__ = ("value", "tag", "text")

    def __init__(self, value, tag: str, text: str):
        self.value, self.tag, self.text = value, tag, text


def _implicit_resolvers() -> dict:
    """PyYAML's implicit tag resolvers by first character, the wildcard ones appended."""
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = list(table.get(None, []))
    return {first: tuple(found) + tuple(wildcard) for first, found in table.items() if first is not None} \
        | {None: tuple(wildcard)}


_RESOLVERS = _implicit_resolvers()
_MEMO_LENGTH = 16  # plain scalars this short repeat (keys, units, codes): their tag is remembered


class _Builder:
    """Turns the parser's event stream into LocMap/LocList/scalars, enforcing the limits.

    Positions are packed into the file's `Positions` (see nap_rules.load.locations): a container's
    own position and those of its keys or items sit together, written when it closes.
    """

    def __init__(self, file: str, limits: ReadLimits, size: int = 0, text: str = ""):
        self.file = file
        self.text = text  # the source, to locate an escape sequence that is refused
        self.limits = limits
        self.alias_uses = 0
        self.count = 0
        self.positions = Positions(file, size)
        self.shift = self.positions.shift
        self.tags: dict[str, str] = {}  # plain scalar text -> resolved tag, for short texts
        self.ints: dict[str, int] = {}  # integer text -> its value
        self.anchors: dict = {}  # name -> LocMap/LocList/_ScalarAnchor, once complete
        self.anchor_marks: dict = {}  # name -> start mark, from the moment it opens
        self.root = None

    def loc(self, mark) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def unpack(self, packed: int) -> Location:
        return Location(self.file, packed >> self.shift, packed & ((1 << self.shift) - 1))

    def fail(self, mark, message: str):
        raise InputError(message, self.loc(mark))

    def resolve(self, text: str, implicit) -> str:
        """The tag of an untagged scalar, as PyYAML's resolver gives it."""
        if not implicit[0]:
            return _STR  # quoted: text
        tag = self.tags.get(text)
        if tag is None:
            tag = _STR
            for candidate, regexp in _RESOLVERS.get(text[:1], _RESOLVERS[None]):
                if regexp.match(text):
                    tag = candidate
                    break
            if len(text) <= _MEMO_LENGTH:
                self.tags[text] = tag
        return tag

    # --- counting --------------------------------------------------------------------------
    def too_many(self, mark, depth: int):
        """Raise for the value at `mark` once `count` or `depth` is over its limit."""
        if self.count > self.limits.max_nodes:
            self.fail(mark, f"more than {self.limits.max_nodes} values in one file {_limit_hint('max_nodes')}")
        if depth >= self.limits.max_depth:
            self.fail(mark, f"nesting deeper than {self.limits.max_depth} levels {_limit_hint('max_depth')}")

    def visit_at(self, loc: Location, depth: int):
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise InputError(f"more than {self.limits.max_nodes} values in one file {_limit_hint('max_nodes')}", loc)
        if depth >= self.limits.max_depth:
            raise InputError(f"nesting deeper than {self.limits.max_depth} levels {_limit_hint('max_depth')}", loc)

    def revisit(self, loc: Location):
        """One list or mapping repeated by an alias; `loc` is where it is written out."""
        self.alias_uses += 1
        if self.alias_uses > self.limits.max_alias_uses:
            raise InputError(
                f"more than {self.limits.max_alias_uses} alias expansions "
                f"{_limit_hint('max_alias_uses')}; write the values out instead",
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
        stack: list[_Frame] = []
        ScalarEvent, AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
        MappingStart, SequenceStart = yaml.MappingStartEvent, yaml.SequenceStartEvent
        MappingEnd, SequenceEnd = yaml.MappingEndEvent, yaml.SequenceEndEvent
        shift = self.shift
        max_nodes, max_depth = self.limits.max_nodes, self.limits.max_depth
        resolve, scalar, intern = self.resolve, self.scalar, sys.intern
        positions = self.positions
        store = positions.packed
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
                if event.style == '"' and _REFUSED_IN_TEXT.search(text) is not None:
                    self.refuse_escape(event)
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolve(text, event.implicit)
                if event.anchor is not None:
                    self.open_anchor(event.anchor, mark)
                if wants_key:
                    value = intern(text) if tag is _STR else self.key(tag, text, mark)
                    self.set_key(top, value, packed, mark)
                    wants_key = False
                else:
                    self.count += 1
                    if self.count > max_nodes or len(stack) >= max_depth:
                        self.too_many(mark, len(stack))
                    if tag is _STR:
                        # short texts repeat (units, codes, names of bodies): one string each
                        value = texts.setdefault(text, text) if len(text) <= _MEMO_LENGTH else text
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
                if wants_key:
                    self.fail(mark, "a mapping key must be text or a whole number, not a list or mapping")
                self.count += 1
                if self.count > max_nodes or len(stack) >= max_depth:
                    self.too_many(mark, len(stack))
                tag = event.tag
                if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                    self.fail(mark, f"tag {_shown(tag)} is not allowed: nap-rules files hold plain data")
                if event.anchor is not None:
                    self.open_anchor(event.anchor, mark)
                top = _Frame(new_map(LocMap) if is_map else new_list(LocList), is_map, event.anchor,
                             (mark.line + 1) << shift | (mark.column + 1))
                stack.append(top)
                wants_key = is_map
            elif cls is MappingEnd or cls is SequenceEnd:
                frame = stack.pop()
                value = frame.value
                pos = frame.pos
                value._src, value._at, value._n, value._locs = positions, len(store), len(pos) - 1, None
                store.extend(pos)
                if frame.anchor is not None:
                    self.anchors[frame.anchor] = value
                top = stack[-1] if stack else None
                if top is None:
                    self.root = value
                    wants_key = False
                elif top.is_map:
                    top.value[top.key] = value
                    top.key = None
                    wants_key = True
                else:
                    top.value.append(value)
                    top.pos.append(pos[0])
                    wants_key = False
            elif cls is AliasEvent:
                self.alias(stack, wants_key, event)
                wants_key = top is not None and top.is_map and top.key is None
            else:  # document end
                return

    def refuse_escape(self, event):
        """Refuses a double-quoted text whose escapes make a character a file may not hold raw,
        at the escape that does."""
        mark = event.start_mark
        starts = [0]
        for i, line in enumerate(self.text.split("\n")):
            if i >= mark.line:
                break
            starts.append(starts[-1] + len(line) + 1)
        begin = starts[mark.line] + mark.column
        for found in _ESCAPE.finditer(self.text, begin + 1):
            if found.group() == '"':
                break
            char = _escaped_char(found.group())
            if char is not None and _REFUSED_IN_TEXT.match(char):
                line, column = _position(self.text, found.start())
                raise InputError(
                    f"escaped control character \"{found.group()}\" (U+{ord(char):04X}): plan files are "
                    "text, and a control character is refused however it is written",
                    Location(self.file, line, column))
        self.fail(mark, "a control character in quoted text: plan files are text")

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
                self.set_key(stack[-1], self.key(target.tag, target.text, mark), packed, mark)
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

    # --- scalars ---------------------------------------------------------------------------
    def key(self, tag: str, text: str, mark) -> str:
        if tag == _MERGE:
            self.fail(mark, "merge keys ('<<') are not supported: write the keys out")
        if tag == _STR or tag == _TIMESTAMP or tag == _VALUE:
            return sys.intern(text)  # keys repeat: one string each, however many mappings
        if tag == _INT:
            return sys.intern(str(self.integer(mark, text)))
        if tag in (_BOOL, _NULL, _FLOAT):
            self.fail(mark, f"a mapping key must be text or a whole number, not {_clip(text)}")
        self.fail(mark, f"tag {_shown(tag)} is not allowed: nap-rules files hold plain data")

    def scalar(self, tag: str, text: str, mark):
        if tag == _STR or tag == _TIMESTAMP or tag == _VALUE:
            return text  # a date stays the text as written; a lone '=' is text
        if tag == _INT:
            value = self.ints.get(text)
            if value is not None:
                return value  # years and amounts repeat: one int object each
            if text.isdigit() and len(text) <= 18 and len(text) <= self.limits.max_number_digits \
                    and (text[0] != "0" or text == "0"):
                value = int(text)  # the common case, without the general int parsing
            else:
                value = self.integer(mark, text)
            self.ints[text] = value
            return value
        if tag == _FLOAT:
            return self.decimal(mark, text)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _BOOL_VALUES[text.lower()]
        self.fail(mark, f"tag {_shown(tag)} is not allowed: nap-rules files hold plain data")

    def check_digits(self, mark, text: str):
        digits = sum(c.isdigit() for c in text)
        if digits > self.limits.max_number_digits:
            self.fail(mark, f"number with {digits} digits {_limit_hint('max_number_digits')}")

    def integer(self, mark, text: str) -> int:
        self.check_digits(mark, text)
        clean = text.replace("_", "")
        body = clean.lstrip("+-")
        if ":" in body:
            self.fail(mark, f"sexagesimal number {_clip(text)} is not supported; quote it or write it in decimal")
        if body[:2] in ("0x", "0b"):
            base = "hexadecimal" if body[1] == "x" else "binary"
            self.fail(mark, f"{_clip(text)} is a {base} number{_as_decimal(clean, body[2:], 16 if body[1] == 'x' else 2)}; "
                            "write numbers in decimal, or quote it if it is text")
        if len(body) > 1 and body[0] == "0":
            self.fail(mark, f"{_clip(text)} starts with 0, which YAML reads as an octal number"
                            f"{_as_decimal(clean, body[1:], 8)}; write it without the leading zero, or quote it if it is text")
        try:
            return int(clean)
        except ValueError:  # beyond Python's own bound on converting digits (a raised limit)
            self.fail(mark, f"number with {len(body)} digits cannot be read {_limit_hint('max_number_digits')}")

    def decimal(self, mark, text: str) -> Decimal:
        self.check_digits(mark, text)
        clean = text.replace("_", "")
        if clean.lower().lstrip("+-") in (".inf", ".nan"):
            self.fail(mark, f"{_clip(text)} is not a finite number; plans hold finite amounts only")
        if ":" in clean:
            self.fail(mark, f"sexagesimal number {_clip(text)} is not supported; quote it or write it in decimal")
        try:
            value = Decimal(clean)
        except InvalidOperation:
            self.fail(mark, f"not a number: {_clip(text)}")
        if not value.is_finite():
            self.fail(mark, f"{_clip(text)} is not a finite number; plans hold finite amounts only")
        if value.adjusted() > self.limits.max_number_digits:
            self.fail(mark, f"number {_clip(text)} is too large {_limit_hint('max_number_digits')}")
        if value.as_tuple().exponent < -self.limits.max_number_digits:
            self.fail(mark, f"number {_clip(text)} is too small, with more than {self.limits.max_number_digits} "
                            f"decimal places {_limit_hint('max_number_digits')}")
        return value


# What a value may not hold, however it is written: the control characters YAML refuses raw (C0
# controls but tab and line feed, DEL, C1 controls with U+0085), surrogates, U+FFFE/U+FFFF, and a
# lone carriage return, which raw line ends never leave in a value. Double-quoted YAML can write
# them as escapes ("\e", "\x01", "\r", "\N"): refused the same way. U+2028 and U+2029 are
# refused raw only because they would shift line numbers; escaped ("\L", "\P") they are text.
_REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# one escape of a double-quoted scalar, or its closing quote
_ESCAPE = re.compile(r'\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)|"', re.DOTALL)
_SIMPLE_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
                   "f": "\x0c", "r": "\r", "e": "\x1b", "N": "\x85", "L": "\u2028", "P": "\u2029"}


def _escaped_char(escape: str) -> str | None:
    """The character a YAML double-quoted escape stands for (None for those that stand for
    printable text or for nothing)."""
    kind = escape[1]
    if kind in "xuU":
        return chr(int(escape[2:], 16)) if int(escape[2:], 16) <= 0x10FFFF else None
    return _SIMPLE_ESCAPES.get(kind)


def _nth_loc(container, i: int) -> Location:
    """Where key or item `i` of a loaded container is."""
    if container._locs is None:
        return container._src.location(container._at + 1 + i)
    return (list(container._locs.values()) if isinstance(container, LocMap) else container._locs)[i]


def _clip(text: str, size: int = 40) -> str:
    return repr(text if len(text) <= size else text[: size - 3] + "...")


def _as_decimal(clean: str, digits: str, base: int) -> str:
    """' (= 31)': the value the text has in `base`, when it is short enough to show."""
    if not digits or len(digits) > 20:
        return ""
    value = int(digits, base)
    return f" (= {-value if clean.startswith('-') else value})"


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of text[index], counting lines as editors do (by '\\n')."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _decode(data: bytes, display: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8",
            Location(display, line, column),
        ) from None


def _check_line_breaks(text: str, display: str) -> None:
    found = [i for i in (text.find(ch) for ch in _YAML_ONLY_BREAKS) if i >= 0]
    if found:
        index = min(found)
        line, column = _position(text, index)
        raise InputError(
            f"character {_YAML_ONLY_BREAKS[text[index]]} is read by YAML as a line break, which would "
            "change the text and every line number after it; replace it with a space or a newline",
            Location(display, line, column),
        )


def _yaml_error(exc: yaml.YAMLError, display: str, text: str = "") -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError):
        reason = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    else:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        if getattr(exc, "position", None) is not None and mark is None:
            # a ReaderError: a character YAML does not accept, e.g. a NUL byte
            reason = f"unacceptable character #x{exc.character:04x}" if isinstance(exc.character, int) else reason
    if mark is not None:
        index = getattr(mark, "index", None)
        if isinstance(index, int) and 0 <= index < len(text) and text[index] == "\t" and "tab" not in reason:
            reason += " (a tab: YAML indents with spaces only)"
        return InputError(f"YAML syntax error: {reason}", Location(display, mark.line + 1, mark.column + 1))
    return InputError(f"YAML syntax error: {reason}", file=display)


def _reader_error_location(exc, text: str, display: str) -> Location | None:
    position = getattr(exc, "position", None)
    if position is None or not isinstance(position, int):
        return None
    return Location(display, *_position(text, position))


def load_yaml_text(text: str, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False):
    """Located data of one YAML document given as text (None for an empty file); raises InputError."""
    _check_line_breaks(text, display)
    loader_cls = yaml.SafeLoader if pure or not HAVE_C_LOADER else yaml.CSafeLoader
    try:
        loader = loader_cls(text)
        try:
            return _Builder(display, limits, len(text), text).run(loader)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        where = _reader_error_location(exc, text, display)
        char = exc.character
        what = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        raise InputError(f"unacceptable character {what}: plan files are text", where, file=display) from None
    except yaml.YAMLError as exc:
        if loader_cls is not yaml.SafeLoader and "maximum nesting depth" in str(exc):
            # libyaml (from PyYAML 6.0.4) stops at 1000 levels while scanning ahead, before our
            # own max_depth sees the events: the pure parser, which has no such bound, reports
            # the same refusal at the same place as with any other nesting
            return load_yaml_text(text, display, limits, pure=True)
        raise _yaml_error(exc, display, text) from None


def load_yaml_bytes(data: bytes, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False):
    if len(data) > limits.max_file_bytes:
        raise InputError(
            f"file is {len(data)} bytes, over {limits.max_file_bytes} {_limit_hint('max_file_bytes')}",
            file=display,
        )
    return load_yaml_text(_decode(data, display), display, limits, pure)


def _read_regular_file(path: Path, display: str, limits: ReadLimits) -> bytes:
    """The bytes of a regular file, refusing anything else without blocking on it.

    A named pipe, a socket or a device in a plan folder would block or never end a plain
    read: the file is opened non-blocking and checked on the open descriptor.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a directory, expected a YAML file", file=display)
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file (a pipe, socket or device?); plan files are plain files",
                             file=display)
        if info.st_size > limits.max_file_bytes:
            raise InputError(
                f"file is {info.st_size} bytes, over {limits.max_file_bytes} {_limit_hint('max_file_bytes')}",
                file=display,
            )
        parts, size = [], 0
        with os.fdopen(fd, "rb", closefd=False) as f:
            while size <= limits.max_file_bytes:  # a file that grows while read stops one byte over
                chunk = f.read(min(1 << 24, limits.max_file_bytes + 1 - size))
                if not chunk:
                    break
                parts.append(chunk)
                size += len(chunk)
        data = b"".join(parts)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    finally:
        os.close(fd)
    return data


def read_file_bytes(path: Path, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS) -> bytes:
    """The bytes of one plan file, refusing what is not a regular file or is over the size limit."""
    return _read_regular_file(Path(path), display, limits)


def load_yaml_data(data: bytes, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False):
    """Located data of one YAML document given as bytes, the collector paused; raises InputError."""
    # Many small objects make the cyclic collector's passes quadratic-looking; nothing here
    # creates cycles, so pause it while building.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return load_yaml_bytes(data, display, limits, pure)
    finally:
        if enabled:
            gc.enable()


def load_yaml_file(path: Path, display: str | None = None, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False):
    """Located data of one YAML file; raises InputError for anything that cannot be read."""
    display = display if display is not None else str(path)
    return load_yaml_data(read_file_bytes(path, display, limits), display, limits, pure)
