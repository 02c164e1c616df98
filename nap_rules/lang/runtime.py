"""What a compiled rule expression runs on: limits, the evaluation frame, bounded operators."""

from __future__ import annotations

import datetime
import decimal
import operator
import time
from dataclasses import dataclass
from decimal import Decimal
from types import GeneratorType

from ..model.fields import ALL_FIELD_NAMES, DATE_PARTS
from ..model.index import NodeView
from ..model.values import is_number, mapping_keys, ordered, render, type_name

# Exact decimal arithmetic for every run, independent of the caller's decimal context.
DECIMAL_CONTEXT = decimal.Context(
    prec=28, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


@dataclass(frozen=True)
class EvalLimits:
    """Bounds on rule expressions; each can be raised under `limits:` in .nap-rules.yaml.

    A step is one expression node evaluated inside a loop, or one item a function or operator
    handles (a list built, searched, compared or copied; sixteen characters of text).
    """

    steps: int = 10_000_000  # per rule per node
    rule_steps: int = 100_000_000  # per rule over the whole run
    seconds: int = 10  # CPU seconds per rule per node: a safety net behind `steps`
    sequence_length: int = 1_000_000  # items in a list, set or mapping; characters in a text
    number_digits: int = 30  # digits before the decimal point of any computed number
    expression_length: int = 4000  # characters in one expression or message template
    expression_depth: int = 64  # nesting of one expression

    def refusal(self, name: str, what: str) -> str:
        value = getattr(self, name)
        return (f"{what} (limit `{name}` = {value}; raise it with `limits: {{{name}: N}}` "
                f"in .nap-rules.yaml)")


class EvalError(Exception):
    """A rule expression could not be evaluated on a node (reported as a NAP-ENGINE finding)."""


class LimitError(EvalError):
    """An evaluation went over one of the `EvalLimits`."""


# The names every expression can read besides fields, lets and loop variables: from the frame.
SPECIAL_NAMES = ("this", "as_of", "params")

_CHECK_EVERY = 100_000  # steps between two looks at the clock


class Frame:
    """The mutable state of one rule evaluating over one graph: the current node and its names.

    One frame is made per rule per run and re-pointed at each node, so evaluating a node costs
    no allocation beyond what the expressions compute.
    """

    __slots__ = ("index", "as_of", "params", "limits", "key", "attrs", "vars", "steps",
                 "next_check", "started", "memo")

    def __init__(self, index, as_of: datetime.date, params: dict, limits: EvalLimits):
        self.index = index
        self.as_of = as_of
        self.params = params
        self.limits = limits
        self.key = None
        self.attrs: dict = {}
        self.vars: dict = {}
        self.steps = 0
        self.next_check = min(limits.steps, _CHECK_EVERY)
        self.started = None
        self.memo: dict = {}  # defined value -> (node key, value): computed once per node

    def at(self, key, attrs) -> None:
        self.key = key
        self.attrs = attrs
        self.steps = 0
        self.next_check = min(self.limits.steps, _CHECK_EVERY)
        self.started = None

    def charge(self, n: int) -> None:
        steps = self.steps + n
        if steps > self.next_check:
            self.checkpoint(steps)
        self.steps = steps

    def checkpoint(self, steps: int) -> None:
        """Called when `steps` passes `next_check`: enforce the step and time limits."""
        limits = self.limits
        if steps > limits.steps:
            raise LimitError(limits.refusal("steps", "too many evaluation steps"))
        now = time.process_time()  # CPU time: a busy machine does not make a rule run out of time
        if self.started is None:
            self.started = now
        elif now - self.started > limits.seconds:
            raise LimitError(limits.refusal("seconds", "evaluation took too long"))
        self.next_check = min(limits.steps, steps + _CHECK_EVERY)

    def this(self) -> NodeView:
        return NodeView(self.key, self.attrs)


# --- type names and checks -------------------------------------------------------------------

def number(value, what: str):
    if not is_number(value):
        raise EvalError(f"{what}: expected a number, got {type_name(value)} {render(value, 60)}")
    return value


# --- bounded arithmetic ----------------------------------------------------------------------

_CONTAINERS = (list, tuple, dict, set, frozenset)


def size_cost(value) -> int:
    """Steps to build, copy, search or compare `value`: its items, or its text / 16."""
    t = type(value)
    if t is str:
        return len(value) >> 4
    if t in _CONTAINERS or isinstance(value, _CONTAINERS):
        return len(value)
    return 0


def bounder(limits: EvalLimits):
    """A function returning its argument if within the number and size limits, else raising."""
    top = 10 ** limits.number_digits
    digits = limits.number_digits
    length = limits.sequence_length

    def bound(value):
        t = type(value)
        if t is int:
            if -top < value < top:
                return value
            raise LimitError(limits.refusal("number_digits", "number too large"))
        if t is Decimal:
            if value.is_finite() and value.adjusted() < digits:
                return value
            raise LimitError(limits.refusal("number_digits", "number too large"))
        if t is str or t is list or t is tuple:
            if len(value) <= length:
                return value
            raise LimitError(limits.refusal("sequence_length", f"{type_name(value)} too long"))
        return value

    return bound


def bounded(value, limits: EvalLimits):
    return bounder(limits)(value)


def _to_decimal(value, op: str) -> Decimal:
    if type(value) is Decimal:
        return value
    if is_number(value):
        return Decimal(value)
    raise EvalError(f"`{op}` needs numbers, got {type_name(value)}")


def make_binop(op: str, limits: EvalLimits):
    """The bounded function `f(frame, a, b)` for the binary operator `op` (+ - * / // % **).

    Numbers stay within `number_digits`; a list or text built by `+` or `*` is checked
    against `sequence_length` before it is built and charged a step per item.
    """
    bound = bounder(limits)
    length = limits.sequence_length
    sequences = (str, list, tuple)

    def built(fr, size: int, kind):
        if size > length:
            raise LimitError(limits.refusal("sequence_length", f"{type_name(kind)} too long"))
        fr.charge(size >> 4 if isinstance(kind, str) else size)

    if op == "+":
        def add(fr, a, b):
            if isinstance(a, sequences) and isinstance(b, sequences):
                built(fr, len(a) + len(b), a)
            return bound(a + b)
        return add
    if op == "-":
        def sub(fr, a, b):
            return bound(a - b)
        return sub
    if op == "*":
        def repeat(fr, seq, n):
            if not isinstance(n, int):
                raise EvalError(f"cannot repeat a {type_name(seq)} by a {type_name(n)}")
            built(fr, len(seq) * max(n, 0), seq)
            return seq * n

        def mul(fr, a, b):
            if isinstance(a, sequences):
                return repeat(fr, a, b)
            if isinstance(b, sequences):
                return repeat(fr, b, a)
            return bound(a * b)
        return mul
    if op == "/":
        def div(fr, a, b):
            return bound(_to_decimal(a, "/") / _to_decimal(b, "/"))
        return div
    if op in ("//", "%"):
        def floordiv_or_mod(fr, a, b):
            # `%` on text is Python's printf formatting: refused like any other formatting.
            number(a, f"left of `{op}`")
            number(b, f"right of `{op}`")
            return bound(a // b if op == "//" else a % b)
        return floordiv_or_mod
    if op == "**":
        def power(fr, a, b):
            number(a, "base of `**`")
            if not isinstance(b, int) or isinstance(b, bool):
                raise EvalError("the exponent of `**` must be a whole number")
            if abs(b) > 4 * limits.number_digits:
                raise LimitError(limits.refusal("number_digits", "exponent too large"))
            if b < 0 or type(a) is Decimal:
                return bound(_to_decimal(a, "**") ** b)
            if a.bit_length() * b > 4 * limits.number_digits:
                raise LimitError(limits.refusal("number_digits", "number too large"))
            return bound(a ** b)
        return power
    raise ValueError(op)


def make_compare(op: str):
    """`f(frame, a, b)` for a comparison; searching or comparing a list is charged per item."""
    if op in ("in", "not in"):
        negate = op == "not in"

        def contains(fr, a, b):
            t = type(b)
            if t is list or t is tuple or t is str:
                fr.charge(size_cost(b))
            elif isinstance(b, NodeView):
                raise EvalError("`in` needs a list, set, mapping or text, not a node")
            return (a not in b) if negate else (a in b)
        return contains
    fn = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
          ">": operator.gt, ">=": operator.ge}[op]

    def compare(fr, a, b):
        t = type(a)
        if t is str:
            if len(a) >= 16:
                fr.charge(len(a) >> 4)
        elif t is not int and t is not Decimal and a is not None and isinstance(a, _CONTAINERS):
            fr.charge(len(a))
        return fn(a, b)
    return compare


# --- reading fields and items ----------------------------------------------------------------

def read_field(value, name: str):
    """`value.name`: plan field `name` of a node, key `name` of a mapping, or a date part."""
    if type(value) is NodeView:
        return value.attrs.get(name)
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, datetime.date) and name in DATE_PARTS:
        return getattr(value, name)
    raise EvalError(f"cannot read `.{name}` of {type_name(value)} {render(value, 60)}")


def read_named_field(value, name):
    """Like `read_field`, for a field name computed at run time (`get(node, 'start')`)."""
    if not isinstance(name, str) or name not in ALL_FIELD_NAMES:
        raise EvalError(f"{render(name, 60)} is not a plan field name")
    return read_field(value, name)


def subscript(container, index):
    if isinstance(container, (dict, list, tuple, str, range)):
        if type(index) is slice and isinstance(container, dict):
            raise EvalError("a mapping cannot be sliced")
        try:
            return container[index]
        except KeyError:
            raise EvalError(f"no key {render(index, 60)} in {render(container, 120)}") from None
        except IndexError:
            raise EvalError(f"index {render(index, 60)} out of range "
                            f"(length {len(container)})") from None
    raise EvalError(f"cannot index {type_name(container)} {render(container, 60)}")


def iterate(fr: Frame, value):
    """The items of `value` for a `for` clause, with a deterministic order for sets."""
    if isinstance(value, (list, tuple, range, str, GeneratorType)):
        return value
    items = _keys_or_members(fr, value)
    if items is None:
        raise EvalError(f"cannot loop over {type_name(value)} {render(value, 60)}")
    return items


def _keys_or_members(fr: Frame, value):
    """The keys of a mapping or the members of a set in a deterministic order, one step each;
    None for any other value."""
    if isinstance(value, dict):
        fr.charge(len(value))
        return mapping_keys(value)
    if isinstance(value, (set, frozenset)):
        fr.charge(len(value))
        return ordered(value)
    return None


def materialize(fr: Frame, value) -> list | tuple | range | str:
    """All items of an iterable argument, charging one step per item not yet charged."""
    if isinstance(value, GeneratorType):
        out = []
        limit = fr.limits.sequence_length
        for item in value:  # each item was charged by the generator's own loop
            out.append(item)
            if len(out) > limit:
                raise LimitError(fr.limits.refusal("sequence_length", "list too long"))
        return out
    if isinstance(value, (list, tuple, range, str)):
        fr.charge(len(value))
        return value
    items = _keys_or_members(fr, value)
    if items is None:
        raise EvalError(f"expected a list, got {type_name(value)} {render(value, 60)}")
    return items
