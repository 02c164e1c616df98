"""Evaluating the rules of a large plan in worker processes, one core each.

Once the graph is built, the rules are evaluated in forked worker processes: each starts with
the graph, its index and the compiled rules as this process holds them (fork shares them
copy-on-write, and the cyclic collector is off, so only what a worker writes is copied), and
evaluates every rule on its share of the rule's nodes: worker k of n takes the nodes k, k + n,
k + 2n, … in graph order, so that nodes that cost more than the others (the few plan-level
budget lines a rule walks a whole goal from) spread over the workers. What comes back is each
rule's findings and steps, the values it reports when the HTML report asks for them, and the
session's record (a run that fills a cache folder: nap_rules.incremental). Findings and values
are put back in node order, so they are those of one process, in the same order.

One process evaluates when the rules have fewer than PARALLEL_FROM nodes to evaluate (summed
over the rules), on a machine with one core or without `fork`, with NAP_RULES_WORKERS=1, and for
a re-check that evaluates only some nodes. A rule whose steps over the run pass its limit is
evaluated again here, so that it stops at the node where one process stops; when a worker
fails or dies, every rule is evaluated here.
"""

from __future__ import annotations

from itertools import chain

from ..load.parallel import workers
from .engine import evaluate_rule, evaluate_rule_steps

PARALLEL_FROM = 50_000  # evaluations (the nodes of each rule's kind, summed over the rules)

_SHARED = None  # what the workers evaluate, set while they are forked


def evaluate_shared(index, rules: list, params: list, as_of, session, shown: dict | None) -> list | None:
    """The findings of `rules` (each with its `params`), evaluated in worker processes, not sorted;
    None when this process is to evaluate them (see the module's text). `session`, if any, is
    whole (nap_rules.run.engine.evaluate): its `part(rule)` in a worker and `finish_parts(rule,
    parts, findings)` here stand for start/finish."""
    global _SHARED
    count = sum(len(index.by_kind.get(rule.applies_to, ())) for rule in rules)
    n = workers()
    if n < 2 or count < PARALLEL_FROM:
        return None
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - e.g. Windows
        return None
    from concurrent.futures import ProcessPoolExecutor

    _SHARED = (index, rules, params, as_of, session, shown is not None)
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
            shares = [future.result() for future in [pool.submit(_share, k, n) for k in range(n)]]
    except Exception:  # noqa: BLE001 - a worker that failed or died: every rule is evaluated here
        return None
    finally:
        _SHARED = None
    findings: list = []
    for i, (rule, rule_params) in enumerate(zip(rules, params)):
        found = [share[i] for share in shares]  # (findings, steps, values shown, session part) per share
        if sum(steps for _, steps, _, _ in found) > rule.compiled.limits.rule_steps and session is None:
            findings.extend(evaluate_rule(rule, index, as_of, rule_params, shown=shown))  # stops where one process does
            continue
        order = _Order(index, rule.applies_to)
        merged = order.merged([f for f, _, _, _ in found], lambda f: f.node)
        if shown is not None:
            shown.update(order.merged([values for _, _, values, _ in found], lambda item: item[0][1]))
        if session is not None:
            merged = session.finish_parts(rule, [part for _, _, _, part in found], merged)
        findings.extend(merged)
    return findings


def _share(k: int, n: int) -> list:
    """In worker k of n: per rule, its findings on the share's nodes, the steps they took, the
    values shown and the session's part."""
    import decimal

    from ..lang.runtime import DECIMAL_CONTEXT

    index, rules, params, as_of, session, showing = _SHARED
    out = []
    with decimal.localcontext(DECIMAL_CONTEXT):
        for rule, rule_params in zip(rules, params):
            keys = index.by_kind.get(rule.applies_to, ())[k::n]
            shown = {} if showing else None
            record = None
            if session is not None:
                _, _, record = session.start(rule)
            found, steps = evaluate_rule_steps(rule, index, as_of, rule_params, keys=keys, record=record, shown=shown)
            out.append((found, steps, list(shown.items()) if showing else None,
                        session.part(rule) if session is not None else None))
    return out


class _Order:
    """Puts what the shares of one rule gave back in the order of the rule's nodes."""

    def __init__(self, index, kind: str):
        self.keys = index.by_kind.get(kind, ())
        self._position = None

    def merged(self, shares: list, key_of) -> list:
        if sum(1 for share in shares if share) < 2:
            return list(chain.from_iterable(shares))
        if self._position is None:
            self._position = {key: i for i, key in enumerate(self.keys)}
        position = self._position
        # one node's items all come from one share, in order: a stable sort keeps them so
        return sorted(chain.from_iterable(shares), key=lambda item: position[key_of(item)])
