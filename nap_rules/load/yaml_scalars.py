"""YAML scalars to plain values: the tag of an untagged scalar, keys, and exact numbers within limits.

Integers stay `int`, numbers with a fraction become exact `Decimal`s, dates stay the text as
written; octal, hexadecimal, base-60 and non-finite numbers, oversized numbers, tags that
are not plain data, and control characters written as escapes in double-quoted text are
refused with the file, line and column.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal, InvalidOperation

import yaml

from ..errors import InputError
from .locations import Location

_TAG = "tag:yaml.org,2002:"
TAG_STR, TAG_INT, TAG_FLOAT, TAG_BOOL, TAG_NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
TAG_TIMESTAMP, TAG_MAP, TAG_SEQ, TAG_MERGE, TAG_VALUE = (_TAG + t for t in ("timestamp", "map", "seq", "merge", "value"))
_BOOL_VALUES = yaml.constructor.SafeConstructor.bool_values


def shown(tag: str) -> str:
    """A tag as written in a file: `!!str` for the standard ones."""
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def limit_hint(name: str) -> str:
    return f"(limit {name}; raise it with --limit {name}=N)"


# What a value may not hold, however it is written: the control characters YAML refuses raw (C0
# controls but tab and line feed, DEL, C1 controls with U+0085), surrogates, U+FFFE/U+FFFF, and a
# lone carriage return, which raw line ends never leave in a value. Double-quoted YAML can write
# them as escapes ("\e", "\x01", "\r", "\N"): refused the same way. U+2028 and U+2029 are
# refused raw only because they would shift line numbers; escaped ("\L", "\P") they are text.
REFUSED_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
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


def text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of text[index], counting lines as editors do (by '\\n')."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _implicit_resolvers() -> dict:
    """PyYAML's implicit tag resolvers by first character, the wildcard ones appended."""
    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    wildcard = list(table.get(None, []))
    return {first: tuple(found) + tuple(wildcard) for first, found in table.items() if first is not None} \
        | {None: tuple(wildcard)}


_RESOLVERS = _implicit_resolvers()
MEMO_LENGTH = 16  # plain scalars this short repeat (keys, units, codes): their tag is remembered


class ScalarReader:
    """The values of one file's scalars, with the file's limits; remembers short texts' tags and integers."""

    def __init__(self, file: str, limits, text: str = ""):
        self.file = file
        self.limits = limits
        self.text = text  # the source, to locate an escape sequence that is refused
        self.tags: dict[str, str] = {}  # plain scalar text -> resolved tag, for short texts
        self.ints: dict[str, int] = {}  # integer text -> its value

    def fail(self, mark, message: str):
        raise InputError(message, Location(self.file, mark.line + 1, mark.column + 1))

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
            if char is not None and REFUSED_IN_TEXT.match(char):
                line, column = text_position(self.text, found.start())
                raise InputError(
                    f"escaped control character \"{found.group()}\" (U+{ord(char):04X}): plan files are "
                    "text, and a control character is refused however it is written",
                    Location(self.file, line, column))
        self.fail(mark, "a control character in quoted text: plan files are text")

    def resolve(self, text: str, implicit) -> str:
        """The tag of an untagged scalar, as PyYAML's resolver gives it."""
        if not implicit[0]:
            return TAG_STR  # quoted: text
        tag = self.tags.get(text)
        if tag is None:
            tag = TAG_STR
            for candidate, regexp in _RESOLVERS.get(text[:1], _RESOLVERS[None]):
                if regexp.match(text):
                    tag = candidate
                    break
            if len(text) <= MEMO_LENGTH:
                self.tags[text] = tag
        return tag

    def key(self, tag: str, text: str, mark) -> str:
        if tag == TAG_MERGE:
            self.fail(mark, "merge keys ('<<') are not supported: write the keys out")
        if tag == TAG_STR or tag == TAG_TIMESTAMP or tag == TAG_VALUE:
            return sys.intern(text)  # keys repeat: one string each, however many mappings
        if tag == TAG_INT:
            return sys.intern(str(self.integer(mark, text)))
        if tag in (TAG_BOOL, TAG_NULL, TAG_FLOAT):
            self.fail(mark, f"a mapping key must be text or a whole number, not {_clip(text)}")
        self.fail(mark, f"tag {shown(tag)} is not allowed: nap-rules files hold plain data")

    def scalar(self, tag: str, text: str, mark):
        if tag == TAG_STR or tag == TAG_TIMESTAMP or tag == TAG_VALUE:
            return text  # a date stays the text as written; a lone '=' is text
        if tag == TAG_INT:
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
        if tag == TAG_FLOAT:
            return self.decimal(mark, text)
        if tag == TAG_NULL:
            return None
        if tag == TAG_BOOL:
            return _BOOL_VALUES[text.lower()]
        self.fail(mark, f"tag {shown(tag)} is not allowed: nap-rules files hold plain data")

    def check_digits(self, mark, text: str):
        digits = sum(c.isdigit() for c in text)
        if digits > self.limits.max_number_digits:
            self.fail(mark, f"number with {digits} digits {limit_hint('max_number_digits')}")

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
            self.fail(mark, f"number with {len(body)} digits cannot be read {limit_hint('max_number_digits')}")

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
            self.fail(mark, f"number {_clip(text)} is too large {limit_hint('max_number_digits')}")
        if value.as_tuple().exponent < -self.limits.max_number_digits:
            self.fail(mark, f"number {_clip(text)} is too small, with more than {self.limits.max_number_digits} "
                            f"decimal places {limit_hint('max_number_digits')}")
        return value


def _clip(text: str, size: int = 40) -> str:
    return repr(text if len(text) <= size else text[: size - 3] + "...")


def _as_decimal(clean: str, digits: str, base: int) -> str:
    """' (= 31)': the value the text has in `base`, when it is short enough to show."""
    if not digits or len(digits) > 20:
        return ""
    value = int(digits, base)
    return f" (= {-value if clean.startswith('-') else value})"
