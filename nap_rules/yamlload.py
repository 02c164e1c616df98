"""Safe, located YAML reading: plain data with the line and column of every mapping and item.

PyYAML composes the node tree (libyaml's C parser where installed, the pure parser
otherwise: both give the same marks), then `_Builder` turns nodes into `LocMap`/`LocList`
and scalars, refusing what would lose data or run away: duplicate keys, merge keys,
unknown tags, alias expansion beyond a bound, nesting beyond a bound, non-finite or
oversized numbers.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import InputError
from .locations import LocList, LocMap, Location

HAVE_C_LOADER = bool(getattr(yaml, "__with_libyaml__", False))

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MAP, _SEQ, _MERGE = (_TAG + t for t in ("timestamp", "map", "seq", "merge"))


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may make us do; each refusal names its limit."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_depth: int = 64
    max_alias_uses: int = 100
    max_nodes: int = 5_000_000
    max_number_digits: int = 30
    max_files: int = 10_000

    @staticmethod
    def names() -> list[str]:
        return list(Limits.__dataclass_fields__)


DEFAULT_LIMITS = Limits()


def _shown(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _limit_hint(name: str) -> str:
    return f"(limit {name}; raise it with --limit {name}=N)"


class _Builder:
    """Turns a composed node tree into LocMap/LocList/scalars, enforcing the limits."""

    def __init__(self, file: str, limits: Limits):
        self.file = file
        self.limits = limits
        self.seen: set[int] = set()
        self.alias_uses = 0
        self.count = 0
        self.constructor = yaml.constructor.SafeConstructor()

    def loc(self, node) -> Location:
        m = node.start_mark
        return Location(self.file, m.line + 1, m.column + 1)

    def fail(self, node, message: str):
        raise InputError(message, self.loc(node))

    def build(self, node, depth: int = 0):
        self.count += 1
        if self.count > self.limits.max_nodes:
            self.fail(node, f"more than {self.limits.max_nodes} values in one file {_limit_hint('max_nodes')}")
        if depth >= self.limits.max_depth:
            self.fail(node, f"nesting deeper than {self.limits.max_depth} levels {_limit_hint('max_depth')}")
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.seen:
            # the composer hands the same node object for each alias of an anchor
            self.alias_uses += 1
            if self.alias_uses > self.limits.max_alias_uses:
                self.fail(
                    node,
                    f"more than {self.limits.max_alias_uses} alias expansions "
                    f"{_limit_hint('max_alias_uses')}; write the values out instead",
                )
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        return self.sequence(node, depth)

    def mapping(self, node, depth: int) -> LocMap:
        if node.tag != _MAP:
            self.fail(node, f"tag {_shown(node.tag)} is not allowed in a plan file")
        out = LocMap(self.loc(node))
        key_locs = out.key_locs
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                self.fail(key_node, "merge keys ('<<') are not supported: write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a mapping key must be text or a whole number, not a list or mapping")
            key = self.scalar(key_node)
            if isinstance(key, bool) or key is None or not isinstance(key, (str, int)):
                self.fail(key_node, f"a mapping key must be text or a whole number, not {key_node.value!r}")
            key = str(key)
            if key in out:
                first = key_locs[key]
                self.fail(key_node, f"duplicate key {key!r} (first defined at line {first.line}); a second value would be lost")
            key_locs[key] = self.loc(key_node)
            out[key] = self.build(value_node, depth + 1)
        return out

    def sequence(self, node, depth: int) -> LocList:
        if node.tag != _SEQ:
            self.fail(node, f"tag {_shown(node.tag)} is not allowed in a plan file")
        out = LocList(self.loc(node))
        item_locs = out.item_locs
        for item in node.value:
            item_locs.append(self.loc(item))
            out.append(self.build(item, depth + 1))
        return out

    def scalar(self, node):
        tag, text = node.tag, node.value
        if tag == _STR or tag == _TIMESTAMP:
            return text
        if tag == _INT:
            if text.isdigit() and len(text) <= self.limits.max_number_digits:
                return int(text)  # the common case, without PyYAML's general int parsing
            return self.integer(node, text)
        if tag == _FLOAT:
            return self.decimal(node, text)
        if tag == _BOOL or tag == _NULL:
            return self.constructor.construct_object(node)
        self.fail(node, f"tag {_shown(tag)} is not allowed in a plan file")

    def check_digits(self, node, text: str):
        digits = sum(c.isdigit() for c in text)
        if digits > self.limits.max_number_digits:
            self.fail(node, f"number with {digits} digits {_limit_hint('max_number_digits')}")

    def integer(self, node, text: str) -> int:
        self.check_digits(node, text)
        if ":" in text:
            self.fail(node, f"sexagesimal number {text!r} is not supported; quote it or write it in decimal")
        return self.constructor.construct_yaml_int(node)

    def decimal(self, node, text: str) -> Decimal:
        self.check_digits(node, text)
        clean = text.replace("_", "")
        if clean.lower().lstrip("+-") in (".inf", ".nan"):
            self.fail(node, f"{text!r} is not a finite number; plans hold finite amounts only")
        if ":" in clean:
            self.fail(node, f"sexagesimal number {text!r} is not supported; quote it or write it in decimal")
        try:
            value = Decimal(clean)
        except InvalidOperation:
            self.fail(node, f"not a number: {text!r}")
        if not value.is_finite():
            self.fail(node, f"{text!r} is not a finite number; plans hold finite amounts only")
        if value.adjusted() > self.limits.max_number_digits:
            self.fail(node, f"number {text!r} is too large {_limit_hint('max_number_digits')}")
        return value


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


def _yaml_error(exc: yaml.YAMLError, display: str) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError):
        reason = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    else:
        reason = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        if getattr(exc, "position", None) is not None and mark is None:
            # a ReaderError: a character YAML does not accept, e.g. a NUL byte
            reason = f"unacceptable character #x{exc.character:04x}" if isinstance(exc.character, int) else reason
    if mark is not None:
        return InputError(f"YAML syntax error: {reason}", Location(display, mark.line + 1, mark.column + 1))
    return InputError(f"YAML syntax error: {reason}", file=display)


def _reader_error_location(exc, text: str, display: str) -> Location | None:
    position = getattr(exc, "position", None)
    if position is None or not isinstance(position, int):
        return None
    before = text[:position]
    return Location(display, before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1)


def _check_depth_by_events(text: str, display: str, limits: Limits) -> None:
    """The pure composer recurses per level: bound the nesting first with the flat event stream."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > limits.max_depth:
                m = event.start_mark
                raise InputError(
                    f"nesting deeper than {limits.max_depth} levels {_limit_hint('max_depth')}",
                    Location(display, m.line + 1, m.column + 1),
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def compose(text: str, display: str, limits: Limits = DEFAULT_LIMITS, pure: bool = False):
    """The YAML node tree of one document (None for an empty file)."""
    loader_cls = yaml.SafeLoader if pure or not HAVE_C_LOADER else yaml.CSafeLoader
    try:
        if loader_cls is yaml.SafeLoader:
            _check_depth_by_events(text, display, limits)
        loader = loader_cls(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        where = _reader_error_location(exc, text, display)
        char = exc.character
        what = f"#x{char:04x}" if isinstance(char, int) else repr(char)
        raise InputError(f"unacceptable character {what}: plan files are text", where, file=display) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, display) from None
    except RecursionError:
        raise InputError(f"nesting too deep to read {_limit_hint('max_depth')}", file=display) from None


def load_yaml_text(text: str, display: str, limits: Limits = DEFAULT_LIMITS, pure: bool = False):
    """Located data of one YAML document given as text; raises InputError."""
    node = compose(text, display, limits, pure)
    if node is None:
        return None
    return _Builder(display, limits).build(node)


def load_yaml_bytes(data: bytes, display: str, limits: Limits = DEFAULT_LIMITS, pure: bool = False):
    if len(data) > limits.max_file_bytes:
        raise InputError(
            f"file is {len(data)} bytes, over {limits.max_file_bytes} {_limit_hint('max_file_bytes')}",
            file=display,
        )
    return load_yaml_text(_decode(data, display), display, limits, pure)


def load_yaml_file(path: Path, display: str | None = None, limits: Limits = DEFAULT_LIMITS, pure: bool = False):
    """Located data of one YAML file; raises InputError for anything that cannot be read."""
    display = display if display is not None else str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"file is {size} bytes, over {limits.max_file_bytes} {_limit_hint('max_file_bytes')}",
                file=display,
            )
        data = path.read_bytes()
    except InputError:
        raise
    except IsADirectoryError:
        raise InputError("is a directory, expected a YAML file", file=display) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from None
    # Many small objects make the cyclic collector's passes quadratic-looking; nothing here
    # creates cycles, so pause it while building (issue: performance at scale).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return load_yaml_bytes(data, display, limits, pure)
    finally:
        if enabled:
            gc.enable()


def is_finite_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, float) and math.isfinite(value)
