"""The fixed registry of functions a rule expression may call (docs/rules-language.md).

Every function takes the evaluation frame first, then its arguments; it reads plan data and
returns plain data or node views, charges a step per item it handles, and never mutates
anything it is given.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from types import GeneratorType
from typing import Callable

from ..model.index import NodeView, normalize_text
from ..model.targets import resolve_targets
from ..model.text import codes_of, tokens, words_of
from ..model.values import is_number, render
from .runtime import (
    EvalError,
    Frame,
    LimitError,
    bounded,
    mapping_keys,
    materialize,
    number,
    read_named_field,
    type_name,
)


@dataclass(frozen=True)
class Function:
    name: str
    impl: Callable
    min_args: int
    max_args: int | None  # None: any number
    signature: str
    summary: str
    # Arguments checked when the rule loads if written as a literal:
    # (position, "kind" | "rel" | "field").
    literal_args: tuple = ()


def _key(fr: Frame, node, fname: str):
    if node is _THIS:
        return fr.key
    if type(node) is NodeView:
        return node.key
    raise EvalError(f"{fname}(): expected a node, got {type_name(node)} {render(node, 60)}")


_THIS = object()


def _views(fr: Frame, keys) -> list[NodeView]:
    fr.charge(len(keys))
    return fr.index.views(keys)


def _text(value, fname: str) -> str:
    if not isinstance(value, str):
        raise EvalError(f"{fname}(): expected text, got {type_name(value)} {render(value, 60)}")
    return value


# --- graph -----------------------------------------------------------------------------------

def f_parent(fr, kind, node=_THIS):
    index = fr.index
    found = index.ancestor(fr.key if node is _THIS else _key(fr, node, "parent"), kind)
    return None if found is None else index.view(found)


def f_children(fr, rel, node=_THIS):
    return _views(fr, fr.index.outgoing(_key(fr, node, "children"), rel))


def f_related(fr, rel, node=_THIS):
    return _views(fr, fr.index.outgoing(_key(fr, node, "related"), rel))


def f_related_in(fr, rel, node=_THIS):
    return _views(fr, fr.index.incoming(_key(fr, node, "related_in"), rel))


def f_descendants(fr, kind, node=_THIS):
    return _views(fr, fr.index.descendants(_key(fr, node, "descendants"), kind))


def f_nodes(fr, kind):
    return _views(fr, fr.index.nodes_of(kind))


def f_node(fr, key):
    if isinstance(key, str) and fr.index.has_node(key):
        return fr.index.view(key)
    return None


def f_plan(fr):
    key = fr.index.plan_key
    return None if key is None or key not in fr.index.attrs else fr.index.view(key)


def f_lookup(fr, kind, field_name, value):
    return _views(fr, fr.index.lookup(kind, field_name, value))


def f_duplicates_of(fr, field_name, node=_THIS):
    key = _key(fr, node, "duplicates_of")
    attrs = fr.index.attrs[key]
    same = fr.index.lookup(attrs.get("kind"), field_name, attrs.get(field_name), normalized=True)
    return _views(fr, [k for k in same if k != key]) if len(same) > 1 else []


# --- collections -----------------------------------------------------------------------------

def _numbers(items, fname):
    for v in items:
        if not is_number(v):
            raise EvalError(f"{fname}(): expected numbers, got {type_name(v)} {render(v, 60)}")
    return items


def f_sum(fr, xs):
    total = 0
    for v in _numbers(materialize(fr, xs), "sum"):
        total += v
    return bounded(total, fr.limits)


def f_count(fr, xs):
    return len(materialize(fr, xs))


def f_len(fr, x):
    if isinstance(x, (str, list, tuple, dict, set, frozenset, range)):
        return len(x)
    if isinstance(x, GeneratorType):
        return len(materialize(fr, x))
    raise EvalError(f"len(): {type_name(x)} has no length")


def _extreme(fr, args, fname, pick):
    items = materialize(fr, args[0]) if len(args) == 1 else args
    if len(items) == 0:
        return None
    try:
        return pick(items)
    except TypeError:
        raise EvalError(f"{fname}(): cannot compare {render(list(items), 120)}") from None


def f_min(fr, *args):
    return _extreme(fr, args, "min", min)


def f_max(fr, *args):
    return _extreme(fr, args, "max", max)


def _lazy(fr, xs):
    if isinstance(xs, GeneratorType):
        return xs
    return materialize(fr, xs)


def f_any(fr, xs):
    return any(_lazy(fr, xs))


def f_all(fr, xs):
    return all(_lazy(fr, xs))


def f_sorted(fr, xs):
    items = materialize(fr, xs)
    try:
        return sorted(items)
    except TypeError:
        raise EvalError(f"sorted(): cannot compare {render(list(items), 120)}; "
                        "for nodes use sort_by(nodes, 'field')") from None


def _sort_key(value, fields):
    key = []
    for name in fields:
        v = read_named_field(value, name)
        key.append((0,) if v is None else (1, v))
    return key


def f_sort_by(fr, xs, *fields):
    items = materialize(fr, xs)
    try:
        return sorted(items, key=lambda v: _sort_key(v, fields))
    except TypeError:
        raise EvalError(f"sort_by(): the values of {render(list(fields))} cannot be compared") \
            from None


def f_set(fr, xs):
    try:
        return set(materialize(fr, xs))
    except TypeError:
        raise EvalError("set(): lists and mappings cannot be members of a set") from None


def f_list(fr, xs):
    return list(materialize(fr, xs))


def _mapping(m, fname):
    if not isinstance(m, dict):
        raise EvalError(f"{fname}(): expected a mapping, got {type_name(m)} {render(m, 60)}")
    return m


def f_keys(fr, m):
    m = _mapping(m, "keys")
    fr.charge(len(m))
    return mapping_keys(m)


def f_values(fr, m):
    m = _mapping(m, "values")
    fr.charge(len(m))
    return [m[k] for k in mapping_keys(m)]


def f_items(fr, m):
    m = _mapping(m, "items")
    fr.charge(len(m))
    return [(k, m[k]) for k in mapping_keys(m)]


def f_years(fr, m):
    m = _mapping(m, "years")
    fr.charge(len(m))
    keys = list(m)
    if all(type(k) is int for k in keys):
        keys.sort()
        return keys
    years = []
    for k in m:
        if isinstance(k, int) and not isinstance(k, bool):
            years.append(k)
        elif isinstance(k, str) and k.isdigit() and len(k) <= 6:
            years.append(int(k))
        else:
            raise EvalError(f"years(): {render(k, 60)} is not a year")
    return sorted(years)


def f_first(fr, xs):
    items = materialize(fr, xs)
    return items[0] if len(items) else None


def f_last(fr, xs):
    items = materialize(fr, xs)
    return items[-1] if len(items) else None


def f_pairs(fr, xs):
    items = materialize(fr, xs)
    return [(items[i], items[i + 1]) for i in range(len(items) - 1)]


def f_range(fr, start, stop):
    if not (isinstance(start, int) and isinstance(stop, int)) or \
            isinstance(start, bool) or isinstance(stop, bool):
        raise EvalError("range(): expected two whole numbers")
    if stop - start > fr.limits.sequence_length:
        raise LimitError(fr.limits.refusal("sequence_length", "range too long"))
    return range(start, stop)


def f_get(fr, container, key, default=None):
    if isinstance(container, dict):
        try:
            return container.get(key, default)
        except TypeError:
            return default
    if isinstance(container, (list, tuple)) and isinstance(key, int):
        return container[key] if -len(container) <= key < len(container) else default
    if type(container) is NodeView:
        value = read_named_field(container, key)
        return default if value is None else value
    if container is None:
        return default
    raise EvalError(f"get(): cannot look up in {type_name(container)} {render(container, 60)}")


# --- numbers ---------------------------------------------------------------------------------

def f_abs(fr, x):
    return abs(number(x, "abs()"))


def f_round(fr, x, ndigits=0):
    number(x, "round()")
    if not isinstance(ndigits, int) or isinstance(ndigits, bool) or abs(ndigits) > 28:
        raise EvalError("round(): the number of digits must be a whole number from -28 to 28")
    rounded = Decimal(x).quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)
    return int(rounded) if ndigits <= 0 else rounded


def f_isclose(fr, a, b, tolerance=0):
    number(a, "isclose() first value")
    number(b, "isclose() second value")
    number(tolerance, "isclose() tolerance")
    return abs(a - b) <= tolerance


def f_share(fr, part, whole):
    number(part, "share() part")
    number(whole, "share() whole")
    if whole == 0:
        raise EvalError("share(): the whole is zero")
    return bounded(Decimal(part) * 100 / Decimal(whole), fr.limits)


def f_interpolate(fr, x0, y0, x1, y1, x):
    for v, what in ((x0, "x0"), (y0, "y0"), (x1, "x1"), (y1, "y1"), (x, "x")):
        number(v, f"interpolate() {what}")
    if x1 == x0:
        raise EvalError("interpolate(): x0 and x1 are equal")
    return bounded(y0 + Decimal(y1 - y0) * (x - x0) / (x1 - x0), fr.limits)


def f_resolve_targets(fr, targets, baseline):
    """Targets by year with relative targets turned into numbers (nap_rules.model.targets)."""
    targets = _mapping(targets, "resolve_targets")
    if baseline is not None:
        number(baseline, "resolve_targets() baseline")
    by_year = {}
    for year in f_years(fr, targets):
        value = targets[year] if year in targets else targets[str(year)]
        if isinstance(value, dict):
            number(value.get("relative"), "resolve_targets() relative")
            if value.get("of") not in ("baseline", "previous"):
                raise EvalError(f"resolve_targets(): `of` must be baseline or previous, not {render(value.get('of'), 40)}")
        elif value is not None:
            number(value, f"resolve_targets() target for {year}")
        by_year[year] = value
    return {year: None if value is None else bounded(value, fr.limits)
            for year, value in resolve_targets(by_year, baseline).items()}


def f_is_number(fr, x):
    return is_number(x)


def f_type_of(fr, x):
    return type_name(x)


# --- text ------------------------------------------------------------------------------------

def f_str(fr, x):
    if isinstance(x, GeneratorType):
        x = materialize(fr, x)
    text = render(x, fr.limits.sequence_length)
    fr.charge(len(text) >> 4)
    return text


def f_lower(fr, s):
    return _text(s, "lower").lower()


def f_normalize(fr, s):
    return normalize_text(_text(s, "normalize"))


def f_startswith(fr, s, prefix):
    return _text(s, "startswith").startswith(_text(prefix, "startswith"))


def f_endswith(fr, s, suffix):
    return _text(s, "endswith").endswith(_text(suffix, "endswith"))


def f_join(fr, sep, xs):
    _text(sep, "join")
    items = [render(v, fr.limits.sequence_length) for v in materialize(fr, xs)]
    if sum(map(len, items)) + len(sep) * len(items) > fr.limits.sequence_length:
        raise LimitError(fr.limits.refusal("sequence_length", "text too long"))
    text = sep.join(items)
    fr.charge(len(text) >> 4)
    return text


def f_closest(fr, name, candidates):
    """The candidate most like `name` (difflib ratio >= 0.6, case ignored), or None."""
    if name is None:
        return None
    _text(name, "closest")
    texts = [c for c in materialize(fr, candidates) if isinstance(c, str)]
    # difflib's cost grows with the product of the lengths compared.
    fr.charge(len(texts) + len(name) * sum(map(len, texts)) // 16)
    folded: dict[str, str] = {}
    for c in texts:
        folded.setdefault(c.casefold(), c)
    match = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


# --- words and codes -------------------------------------------------------------------------

def _tokens(fr, s, fname):
    text = _text(s, fname)
    fr.charge(len(text) >> 4)
    return text


def f_words(fr, s):
    """The words of a text, upper-cased (nap_rules.model.text.words_of)."""
    return words_of(_tokens(fr, s, "words"))


def f_codes(fr, s):
    """The abbreviations of a text (nap_rules.model.text.codes_of)."""
    return codes_of(_tokens(fr, s, "codes"))


def f_similarity(fr, a, b):
    """How much of the shorter text recurs in the longer one: the words (case and punctuation
    ignored) of their common subsequences as found by difflib, over the shorter text's words;
    a decimal from 0 to 1."""
    wa = [w.casefold() for w in tokens(_tokens(fr, a, "similarity"))]
    wb = [w.casefold() for w in tokens(_tokens(fr, b, "similarity"))]
    if not wa or not wb:
        return Decimal(0)
    fr.charge(len(wa) * len(wb) >> 4)
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return Decimal(matched) / Decimal(min(len(wa), len(wb)))


# --- dates -----------------------------------------------------------------------------------

def f_date(fr, *args):
    try:
        if len(args) == 1 and isinstance(args[0], str) and len(args[0]) <= 10:
            return datetime.date.fromisoformat(args[0])
        if len(args) == 3 and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return datetime.date(*args)
    except ValueError as exc:
        raise EvalError(f"date(): {exc}") from None
    raise EvalError("date(): expected 'YYYY-MM-DD' or year, month, day")


def _fn(name, impl, lo, hi, signature, summary, literal_args=()):
    return Function(name, impl, lo, hi, signature, summary, literal_args)


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    _fn("parent", f_parent, 1, 2, "parent(kind, node=this)",
        "nearest node of `kind` above the node in the plan tree, or none", ((0, "kind"),)),
    _fn("children", f_children, 1, 2, "children(rel, node=this)",
        "nodes the node links to by the structural relation `rel`", ((0, "structural"),)),
    _fn("related", f_related, 1, 2, "related(rel, node=this)",
        "nodes the node links to by relation `rel`", ((0, "rel"),)),
    _fn("related_in", f_related_in, 1, 2, "related_in(rel, node=this)",
        "nodes linking to the node by relation `rel`", ((0, "rel"),)),
    _fn("descendants", f_descendants, 1, 2, "descendants(kind, node=this)",
        "every node of `kind` below the node in the plan tree", ((0, "kind"),)),
    _fn("nodes", f_nodes, 1, 1, "nodes(kind)", "every node of `kind`", ((0, "kind"),)),
    _fn("node", f_node, 1, 1, "node(key)", "the node with key `key` ('measure:1.1.1'), or none"),
    _fn("plan", f_plan, 0, 0, "plan()", "the plan node"),
    _fn("lookup", f_lookup, 3, 3, "lookup(kind, field, value)",
        "nodes of `kind` whose `field` equals `value` or lists it (indexed)",
        ((0, "kind"), (1, "field_of_kind_arg0"))),
    _fn("duplicates_of", f_duplicates_of, 1, 2, "duplicates_of(field, node=this)",
        "other nodes of the same kind with the same `field` (text: case and spacing ignored)",
        ((0, "field"),)),
    _fn("sum", f_sum, 1, 1, "sum(xs)", "total of numbers, exact"),
    _fn("count", f_count, 1, 1, "count(xs)", "number of items"),
    _fn("len", f_len, 1, 1, "len(x)", "length of a text, list, set or mapping"),
    _fn("min", f_min, 1, None, "min(xs) | min(a, b, ...)", "smallest item; none if empty"),
    _fn("max", f_max, 1, None, "max(xs) | max(a, b, ...)", "largest item; none if empty"),
    _fn("any", f_any, 1, 1, "any(xs)", "true if some item is true"),
    _fn("all", f_all, 1, 1, "all(xs)", "true if every item is true"),
    _fn("sorted", f_sorted, 1, 1, "sorted(xs)", "items in ascending order"),
    _fn("sort_by", f_sort_by, 2, None, "sort_by(xs, field, ...)",
        "nodes or mappings ordered by fields, none first", ()),
    _fn("set", f_set, 1, 1, "set(xs)", "the distinct items"),
    _fn("list", f_list, 1, 1, "list(xs)", "the items as a list"),
    _fn("keys", f_keys, 1, 1, "keys(mapping)", "keys of a mapping"),
    _fn("values", f_values, 1, 1, "values(mapping)", "values of a mapping"),
    _fn("items", f_items, 1, 1, "items(mapping)", "(key, value) pairs of a mapping"),
    _fn("years", f_years, 1, 1, "years(mapping)", "the year keys of a mapping, ascending"),
    _fn("first", f_first, 1, 1, "first(xs)", "first item, or none"),
    _fn("last", f_last, 1, 1, "last(xs)", "last item, or none"),
    _fn("pairs", f_pairs, 1, 1, "pairs(xs)", "consecutive pairs: [(x0, x1), (x1, x2), ...]"),
    _fn("range", f_range, 2, 2, "range(start, stop)", "whole numbers start .. stop-1"),
    _fn("get", f_get, 2, 3, "get(container, key, default=none)",
        "item `key` of a mapping or list, or field `key` of a node; `default` if absent"),
    _fn("abs", f_abs, 1, 1, "abs(x)", "absolute value"),
    _fn("round", f_round, 1, 2, "round(x, ndigits=0)", "rounded half away from zero"),
    _fn("isclose", f_isclose, 2, 3, "isclose(a, b, tolerance=0)", "|a - b| <= tolerance, exact"),
    _fn("share", f_share, 2, 2, "share(part, whole)", "part as a percentage of whole"),
    _fn("interpolate", f_interpolate, 5, 5, "interpolate(x0, y0, x1, y1, x)",
        "value at x on the straight line through (x0, y0) and (x1, y1)"),
    _fn("resolve_targets", f_resolve_targets, 2, 2, "resolve_targets(targets, baseline)",
        "targets by year with relative targets as numbers (`of: previous` compounds)"),
    _fn("is_number", f_is_number, 1, 1, "is_number(x)", "true for whole and decimal numbers"),
    _fn("type_of", f_type_of, 1, 1, "type_of(x)",
        "none, bool, number, text, list, set, mapping, node or date"),
    _fn("str", f_str, 1, 1, "str(x)", "x as message text"),
    _fn("lower", f_lower, 1, 1, "lower(text)", "text in lower case"),
    _fn("normalize", f_normalize, 1, 1, "normalize(text)",
        "text with case folded and whitespace collapsed"),
    _fn("startswith", f_startswith, 2, 2, "startswith(text, prefix)", "text begins with prefix"),
    _fn("endswith", f_endswith, 2, 2, "endswith(text, suffix)", "text ends with suffix"),
    _fn("join", f_join, 2, 2, "join(separator, xs)", "items as text, separated"),
    _fn("words", f_words, 1, 1, "words(text)",
        "the words of a text, upper-cased (a plural also without its s)"),
    _fn("codes", f_codes, 1, 1, "codes(text)",
        "the abbreviations of a text: words with two or more capitals, upper-cased"),
    _fn("similarity", f_similarity, 2, 2, "similarity(a, b)",
        "share (0-1) of the shorter text's words that recur, in order, in the other"),
    _fn("closest", f_closest, 2, 2, "closest(name, candidates)",
        "the candidate most like `name` (for 'did you mean'), or none"),
    _fn("date", f_date, 1, 3, "date('YYYY-MM-DD') | date(year, month, day)", "a calendar date"),
)}
