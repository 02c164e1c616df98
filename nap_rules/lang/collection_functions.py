"""Functions of the rule language over lists, sets and mappings: sum, count, sorted, keys, get and the like."""

from __future__ import annotations

from types import GeneratorType

from ..model.index import NodeView
from ..model.values import is_number, render
from .runtime import EvalError, LimitError, bounded, mapping_keys, materialize, read_named_field, type_name


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


def expect_mapping(m, fname):
    if not isinstance(m, dict):
        raise EvalError(f"{fname}(): expected a mapping, got {type_name(m)} {render(m, 60)}")
    return m


def f_keys(fr, m):
    m = expect_mapping(m, "keys")
    fr.charge(len(m))
    return mapping_keys(m)


def f_values(fr, m):
    m = expect_mapping(m, "values")
    fr.charge(len(m))
    return [m[k] for k in mapping_keys(m)]


def f_items(fr, m):
    m = expect_mapping(m, "items")
    fr.charge(len(m))
    return [(k, m[k]) for k in mapping_keys(m)]


def f_years(fr, m):
    m = expect_mapping(m, "years")
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
