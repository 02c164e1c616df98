"""Evaluating the rules of a large plan on every core: this process and worker processes.

Once the graph is built, the rules are evaluated here and in forked worker processes, one fewer
than the cores: each starts with the graph, its index and the compiled rules as this process
holds them (fork shares them copy-on-write, and the cyclic collector is off, so only the pages
a worker writes to, as it counts references to what it reads, are copied). Those copies are
what a worker costs more than this process: on a plan of 100 000 measures two workers spent
some 10 s of system time copying pages, more than they saved, while this process and one
worker finish the rules sooner than this process alone. The work is cut into *units*: a run of
consecutive nodes of one rule's kind (UNITS_PER_WORKER per process over all the rules, at least
MIN_UNIT nodes); the workers take them one after the other from the first as they finish the
last, and this process takes those no worker has started from the last one back, so that a
process slowed down by a costly unit or by another process leaves the rest to the others.
Consecutive nodes were allocated together: a worker writes to few pages the other writes to.
The units at the end of each kind's nodes go first: those are the nodes of the plan-wide files
(indicators.yaml, budget.yaml, the narrative), read after the goal files, and rules on them often
walk a whole goal for each node, so a costly one starts early instead of finishing last.

What comes back per unit is its findings, the steps they took, the values the rule reports when
the HTML report asks for them, and the session's record (a run that fills a cache folder:
nap_rules.incremental). They are put back together unit after unit in node order, so the
findings are those of one process, in the same order.

One process evaluates when the rules have fewer than PARALLEL_FROM nodes to evaluate (summed
over the rules), on a machine with one core or without `fork`, with NAP_RULES_WORKERS=1, and for
a re-check that evaluates only some nodes. A rule whose steps over the run pass its limit is
evaluated again here, so that it stops at the node where one process stops; when a worker
fails or dies, every rule is evaluated here.
"""

from __future__ import annotations

from ..load.parallel import workers
from .engine import evaluate_rule, evaluate_rule_steps

PARALLEL_FROM = 50_000  # evaluations (the nodes of each rule's kind, summed over the rules)
UNITS_PER_WORKER = 16
MIN_UNIT = 2_000  # nodes

_SHARED = None  # what the workers evaluate, set while they are forked


def units(sizes: list, n: int) -> list:
    """(rule, first node, end) of each unit, for rules with `sizes` nodes and `n` processes, in the
    order they are handed out: the last unit of each rule first, then the one before, …"""
    size = max(MIN_UNIT, -(-sum(sizes) // (n * UNITS_PER_WORKER)))
    cut = [[(r, lo, min(lo + size, count)) for lo in range(0, count, size)] for r, count in enumerate(sizes)]
    return sorted((unit for rule_units in cut for unit in rule_units),
                  key=lambda u: ((sizes[u[0]] - u[1] - 1) // size, u[0]))


def evaluate_shared(index, rules: list, params: list, as_of, session, shown: dict | None) -> list | None:
    """The findings of `rules` (each with its `params`), evaluated by this process and worker
    processes, not sorted; None when this process alone is to evaluate them (see the module's
    text). `session`, if any, is whole (nap_rules.run.engine.evaluate): its `part(rule)` after
    each unit and `finish_parts(rule, parts, findings)` at the end stand for start/finish."""
    global _SHARED
    sizes = [len(index.by_kind.get(rule.applies_to, ())) for rule in rules]
    n = workers()
    if n < 2 or sum(sizes) < PARALLEL_FROM:
        return None
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - e.g. Windows
        return None
    from concurrent.futures import ProcessPoolExecutor

    handed = units(sizes, n)
    context = multiprocessing.get_context("fork")
    try:  # a machine without the semaphores these need evaluates here, as one without workers
        claims = context.Array("q", [0, len(handed)])  # the next unit from the front; the last one left, from the back
        _SHARED = (index, rules, params, as_of, session, shown is not None, handed, claims)
        with ProcessPoolExecutor(max_workers=n - 1, mp_context=context) as pool:
            futures = [pool.submit(_worker) for _ in range(n - 1)]
            done = {}
            try:
                while (i := _claim(claims, from_front=False)) is not None:  # this process: from the back
                    done[handed[i]] = _evaluate_unit(*handed[i])
            finally:  # an interrupt here leaves no unit to the workers
                with claims.get_lock():
                    claims[0] = claims[1]
            for future in futures:
                done.update(future.result())
    except Exception:  # noqa: BLE001 - a worker that failed or died: every rule is evaluated here
        return None
    finally:
        _SHARED = None
    findings: list = []
    for r, (rule, rule_params) in enumerate(zip(rules, params)):
        # (findings, steps, values shown, session part) per unit, in node order
        parts = [done[unit] for unit in sorted(unit for unit in handed if unit[0] == r)]
        if sum(steps for _, steps, _, _ in parts) > rule.compiled.limits.rule_steps and session is None:
            findings.extend(evaluate_rule(rule, index, as_of, rule_params, shown=shown))  # stops where one process does
            continue
        found = [f for part in parts for f in part[0]]
        if shown is not None:
            for _, _, values, _ in parts:
                shown.update(values)
        if session is not None:
            found = session.finish_parts(rule, [part for _, _, _, part in parts], found)
        findings.extend(found)
    return findings


def _claim(claims, from_front: bool) -> int | None:
    """The index of the next unit no process has taken, from the front or the back; None when
    every unit is taken."""
    with claims.get_lock():
        front, back = claims[0], claims[1]
        if front >= back:
            return None
        if from_front:
            claims[0] = front + 1
            return front
        claims[1] = back - 1
        return back - 1


def _worker() -> dict:
    """In a worker: {unit: what `_evaluate_unit` gives} of the units it takes, from the front,
    until none is left."""
    handed, claims = _SHARED[6], _SHARED[7]
    out = {}
    while (i := _claim(claims, from_front=True)) is not None:
        out[handed[i]] = _evaluate_unit(*handed[i])
    return out


def _evaluate_unit(r: int, lo: int, end: int) -> tuple:
    """Rule `r` on its nodes lo to end: its findings, the steps they took, the values shown and
    the session's part."""
    import decimal

    from ..lang.runtime import DECIMAL_CONTEXT

    index, rules, params, as_of, session, showing = _SHARED[:6]
    rule = rules[r]
    keys = index.by_kind.get(rule.applies_to, ())[lo:end]
    shown = {} if showing else None
    record = None
    if session is not None:
        _, _, record = session.start(rule)
    with decimal.localcontext(DECIMAL_CONTEXT):
        found, steps = evaluate_rule_steps(rule, index, as_of, params[r], keys=keys, record=record, shown=shown)
    return (found, steps, list(shown.items()) if showing else None,
            session.part(rule) if session is not None else None)
