"""Message templates: literal text and `{expression}` / `{expression:format}` placeholders.

A placeholder holds any expression of the rule language, compiled by the same allow-list
compiler as `assert`, and an optional format from a fixed list (`money`, `pct`, `.N`, `list`,
`date`; nap_rules.model.values.format_value). `{{` and `}}` are literal braces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model.values import format_problem, format_value, render
from .compiler import Compiled, ExprError, Scope, compile_expression
from .runtime import EvalError, EvalLimits, Frame, LimitError  # noqa: F401

_OPEN = "([{"
_CLOSE = ")]}"


@dataclass(frozen=True)
class Placeholder:
    expression: Compiled
    format: str | None  # a name of values.FORMAT_NAMES, `.N`, or None: written plainly


@dataclass(frozen=True)
class Template:
    text: str
    parts: tuple = field(repr=False, compare=False)  # str | Placeholder
    fields: frozenset = frozenset()

    @property
    def formats(self) -> dict:
        """name -> format, for each placeholder that writes a plain name with a format, so that
        --explain writes that value as the message does."""
        return {p.expression.text: p.format for p in self.parts
                if type(p) is Placeholder and p.format and p.expression.text.isidentifier()}

    def render(self, fr: Frame, limit: int) -> str:
        out = []
        for part in self.parts:
            if type(part) is str:
                out.append(part)
                continue
            value = part.expression.fn(fr)
            if part.format is None:
                out.append(render(value, limit))
            else:
                try:
                    out.append(format_value(value, part.format, limit))
                except ValueError as exc:
                    raise EvalError(f"{{{part.expression.text}:{part.format}}}: {exc}") from None
        text = "".join(out)
        if len(text) > limit:
            raise LimitError(fr.limits.refusal("sequence_length", "message too long"))
        return text


_BRACE = re.compile(r"[{}]")


def _position(text: str, offset: int) -> tuple[int, int]:
    """(1-based line, 0-based column) of character `offset` of `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def _end_of_placeholder(text: str, start: int) -> tuple[int, int | None]:
    """For the `{` at `start`: the offset of its closing `}` and of a top-level `:`, if any.

    Brackets and quoted text inside the expression are skipped, so `{ {'a': 1}[k] }` and
    `{xs[1:]}` are one placeholder each; -1 when the placeholder is not closed.
    """
    depth = 0
    quote = None
    colon = None
    i = start + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            if depth == 0:
                return (i, colon) if ch == "}" else (-1, colon)
            depth -= 1
        elif ch == ":" and depth == 0 and colon is None:
            colon = i
        i += 1
    return -1, colon


def compile_template(text: str, scope: Scope, limits: EvalLimits) -> Template:
    """Check and compile a message template; ExprError (line, col in `text`) on a bad placeholder."""
    if not isinstance(text, str):
        raise ExprError(f"a message must be text, not {render(text, 40)}")
    if len(text) > limits.expression_length:
        raise ExprError(limits.refusal("expression_length", "message template too long"))
    parts: list = []
    literal: list[str] = []
    fields: set = set()
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "{}" and text[i + 1:i + 2] == ch:
            literal.append(ch)
            i += 2
            continue
        if ch == "}":
            raise ExprError("unmatched `}` in message: write `}}` for a literal brace",
                            *_position(text, i))
        if ch != "{":  # literal text up to the next brace
            brace = _BRACE.search(text, i)
            stop = brace.start() if brace is not None else n
            literal.append(text[i:stop])
            i = stop
            continue
        end, colon = _end_of_placeholder(text, i)
        if end < 0:
            raise ExprError("unmatched `{` in message: write `{{` for a literal brace",
                            *_position(text, i))
        parts.append("".join(literal))
        literal = []
        parts.append(_placeholder(text, i, end, colon, scope, limits))
        fields |= parts[-1].expression.fields
        i = end + 1
    parts.append("".join(literal))
    return Template(text, tuple(p for p in parts if p != ""), frozenset(fields))


def _placeholder(text, start, end, colon, scope, limits) -> Placeholder:
    whole = text[start:end + 1]
    source = text[start + 1:(colon if colon is not None else end)]
    spec = text[colon + 1:end] if colon is not None else None
    if not source.strip():
        raise ExprError(f"bad placeholder {whole}: a placeholder holds an expression, such as "
                        "{start} or {total:money}", *_position(text, start))
    if spec is not None:
        problem = format_problem(spec.strip())
        if problem is not None:
            raise ExprError(f"bad placeholder {_cut(whole)}: {problem}", *_position(text, colon + 1))
        spec = spec.strip()
    try:
        compiled = compile_expression(source.strip(), scope, limits)
    except ExprError as exc:
        if exc.definition is not None:  # the position is in the definition's own text
            raise ExprError(f"bad placeholder {_cut(whole)}: {exc.message}", exc.line, exc.col,
                            definition=exc.definition) from None
        lead = len(source) - len(source.lstrip())
        at = _offset_in(source.strip(), exc.line, exc.col) + start + 1 + lead
        raise ExprError(f"bad placeholder {_cut(whole)}: {exc.message}",
                        *_position(text, at)) from None
    return Placeholder(compiled, spec)


def _offset_in(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line - 1]) + col


def _cut(whole: str) -> str:
    return whole if len(whole) <= 60 else whole[:57] + "…}"
