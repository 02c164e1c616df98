"""The fixed registry of functions a rule expression may call (docs/rules-language.md).

The functions themselves live by family: graph_functions, collection_functions,
number_functions (numbers, dates, value types) and text_functions.

Every function takes the evaluation frame first, then its arguments; it reads plan data and
returns plain data or node views, charges a step per item it handles, and never mutates
anything it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .collection_functions import (
    f_all,
    f_any,
    f_count,
    f_first,
    f_get,
    f_items,
    f_keys,
    f_last,
    f_len,
    f_list,
    f_max,
    f_min,
    f_pairs,
    f_range,
    f_set,
    f_sort_by,
    f_sorted,
    f_sum,
    f_values,
    f_years,
)
from .graph_functions import (
    f_children,
    f_descendants,
    f_duplicates_of,
    f_lookup,
    f_node,
    f_nodes,
    f_parent,
    f_plan,
    f_related,
    f_related_in,
)
from .number_functions import (
    f_abs,
    f_date,
    f_interpolate,
    f_is_number,
    f_isclose,
    f_resolve_targets,
    f_round,
    f_share,
    f_type_of,
)
from .text_functions import (
    f_closest,
    f_codes,
    f_endswith,
    f_join,
    f_lower,
    f_normalize,
    f_similarity,
    f_startswith,
    f_str,
    f_words,
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
