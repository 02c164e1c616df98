"""Evaluating the rules of a large plan in worker processes, one core each.

Once the graph is built, the rules are evaluated in forked worker processes: each starts with
the graph, its index and the compiled rules as this process holds them (fork shares them
copy-on-write, and the cyclic collector is off, so only the pages a worker writes to, as it
counts references to what it reads, are copied). The work is cut into *units*: a run of
consecutive nodes of one rule's kind (UNITS_PER_WORKER per worker over all the rules, at least
MIN_UNIT nodes), which the workers take one after the other as they finish the last, so that a
worker slowed down by a costly unit or by another process leaves the rest to the others.
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
    """(rule, first node, end) of each unit, for rules with `sizes` nodes and `n` workers, in the
    order they are handed out: the last unit of each rule first, then the one before, …"""
    size = max(MIN_UNIT, -(-sum(sizes) // (n * UNITS_PER_WORKER)))
    cut = [[(r, lo, min(lo + size, count)) for lo in range(0, count, size)] for r, count in enumerate(sizes)]
    return sorted((unit for rule_units in cut for unit in rule_units),
                  key=lambda u: ((sizes[u[0]] - u[1] - 1) // size, u[0]))


def evaluate_shared(index, rules: list, params: list, as_of, session, shown: dict | None) -> list | None:
    """The findings of `rules` (each with its `params`), evaluated in worker processes, not sorted;
    None when this process is to evaluate them (see the module's text). `session`, if any, is
    whole (nap_rules.run.engine.evaluate): its `part(rule)` in a worker and `finish_parts(rule,
    parts, findings)` here stand for start/finish."""
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
    _SHARED = (index, rules, params, as_of, session, shown is not None)
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_unit, *unit) for unit in handed]
            done = {unit: future.result() for unit, future in zip(handed, futures)}
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


def _unit(r: int, lo: int, end: int) -> tuple:
    """In a worker: rule `r` on its nodes lo to end: its findings, the steps they took, the values
    shown and the session's part."""
    import decimal

    from ..lang.runtime import DECIMAL_CONTEXT

    index, rules, params, as_of, session, showing = _SHARED
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
