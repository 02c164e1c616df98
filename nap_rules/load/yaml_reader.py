"""Safe, located YAML reading: plain data with the line and column of every mapping and item.

The entry points read a file's bytes (regular files only, within a size limit), decode them
(UTF-8 only), refuse characters YAML reads as line breaks although editors do not, and turn
PyYAML's events (libyaml's C parser where installed, the pure parser otherwise: both give the
same marks) into located data through `yaml_events.EventBuilder`, which enforces the other
limits; every refusal is an InputError with the file, line and column.

No composer is used: PyYAML's and libyaml's composers recurse once per nesting level, and
a file of a few tens of thousands of `[` exhausts the C stack before any limit is checked.
"""

from __future__ import annotations

import gc
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import InputError
from .locations import Location
from .yaml_events import EventBuilder
from .yaml_scalars import limit_hint, text_position

HAVE_C_LOADER = bool(getattr(yaml, "__with_libyaml__", False))

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
        line, column = text_position(text, index)
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
    return Location(display, *text_position(text, position))


def load_yaml_text(text: str, display: str, limits: ReadLimits = DEFAULT_READ_LIMITS, pure: bool = False):
    """Located data of one YAML document given as text (None for an empty file); raises InputError."""
    _check_line_breaks(text, display)
    loader_cls = yaml.SafeLoader if pure or not HAVE_C_LOADER else yaml.CSafeLoader
    try:
        loader = loader_cls(text)
        try:
            return EventBuilder(display, limits, len(text), text).run(loader)
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
            f"file is {len(data)} bytes, over {limits.max_file_bytes} {limit_hint('max_file_bytes')}",
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
                f"file is {info.st_size} bytes, over {limits.max_file_bytes} {limit_hint('max_file_bytes')}",
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
