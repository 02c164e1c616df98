"""Evaluates compiled rules over a plan graph and turns failures into located findings.

Each rule runs only over the nodes of its `applies_to` kind (from an index built once per
graph). A rule that cannot be evaluated on a node gives one `NAP-ENGINE` finding for that rule
and node; the run goes on.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Mapping

from ..findings import Finding, sort_findings
from ..lang.runtime import DECIMAL_CONTEXT, EvalError, Frame, materialize
from ..model.fields import cited_line, place_of
from ..model.index import GraphIndex, node_location
from ..model.values import format_value, render
from ..ruleset.rules import Rule

ENGINE_RULE = "NAP-ENGINE"
_VALUE_WIDTH = 500  # characters of each value kept for --explain
_ONCE = (None,)  # what a rule without for_each checks at a node: the node itself, once


def evaluate(graph, rules: list[Rule], *, as_of: datetime.date,
             params_override: Mapping[str, Mapping] | None = None,
             index: GraphIndex | None = None, session=None,
             shown: dict | None = None) -> list[Finding]:
    """The findings of `rules` on `graph`, sorted (Finding.sort_key).

    `session`, when given, decides per rule which nodes are evaluated and sees what each
    evaluation gave: `session.start(rule)` returns (keys or None for every node of the kind,
    steps already spent, a `record` callback for evaluate_rule), and `session.finish(rule,
    findings)` returns the rule's findings (those evaluated plus any it kept from before). The
    incremental re-check (nap_rules.incremental) is such a session. A session whose `whole` is
    true evaluates every node (start gives None for keys and no steps before).

    Without a session or with a whole one, a large graph's rules are evaluated by this process
    and worker processes (nap_rules.run.parallel), to the same findings.
    """
    index = index if index is not None else GraphIndex(graph)
    overrides = params_override or {}
    params = [{**rule.params, **overrides.get(rule.id, {})} for rule in rules]
    with decimal.localcontext(DECIMAL_CONTEXT):
        if session is None or session.whole:  # every node of each rule: on every core if large
            from .parallel import evaluate_shared

            shared = evaluate_shared(index, rules, params, as_of, session, shown)
            if shared is not None:
                return sort_findings(shared)
        findings: list[Finding] = []
        for rule, rule_params in zip(rules, params):
            if session is None:
                findings.extend(evaluate_rule(rule, index, as_of, rule_params, shown=shown))
                continue
            keys, steps_before, record = session.start(rule)
            found = evaluate_rule(rule, index, as_of, rule_params, keys=keys, record=record,
                                  steps_before=steps_before)
            findings.extend(session.finish(rule, found))
    return sort_findings(findings)


def evaluate_rule(rule: Rule, index: GraphIndex, as_of: datetime.date, params: dict, *,
                  keys=None, record=None, steps_before: int = 0, shown: dict | None = None) -> list[Finding]:
    """The findings of `rule` on the nodes of its kind, or on `keys`.

    `record(key, findings, steps)`, when given, is called after each node with the findings it
    gave and the steps it took; the index's `begin(key)` is called before it (see
    nap_rules.incremental.tracking). `steps_before` counts towards the rule's limit over the run.
    """
    return evaluate_rule_steps(rule, index, as_of, params, keys=keys, record=record, steps_before=steps_before,
                               shown=shown)[0]


def evaluate_rule_steps(rule: Rule, index: GraphIndex, as_of: datetime.date, params: dict, *,
                        keys=None, record=None, steps_before: int = 0, shown: dict | None = None) -> tuple[list, int]:
    """evaluate_rule, and the steps spent with `steps_before`."""
    compiled = rule.compiled
    limits = compiled.limits
    fr = Frame(index, as_of, params, limits)
    where = compiled.where.fn if compiled.where is not None else None
    lets = [(name, f"let {name}", c.fn) for name, c in compiled.lets]
    check = compiled.assert_.fn
    each_name, each = None, None
    if compiled.for_each is not None:
        each_name, each = compiled.for_each[0], compiled.for_each[1].fn
    reported = compiled.reported if shown is not None else ()
    attrs_of = index.attrs
    out: list[Finding] = []
    total = steps_before
    at = fr.at
    before = 0
    for key in index.by_kind.get(rule.applies_to, ()) if keys is None else keys:
        attrs = attrs_of[key]
        if record is not None:
            index.begin(key)
            before = len(out)
        at(key, attrs)
        phase = "where"
        try:
            if where is None or where(fr):
                if each is None:
                    items = _ONCE
                else:
                    phase = "for_each"
                    items = materialize(fr, each(fr))
                for item in items:  # the node once, or each item of its for_each
                    if each is not None:
                        fr.vars[each_name] = item
                    for name, phase, fn in lets:
                        fr.vars[name] = fn(fr)
                    phase = "assert"
                    passed = check(fr)
                    if reported:
                        _show(shown, rule.id, key, fr, reported, passed)
                    if not passed:
                        phase = "message"
                        out.append(_finding(rule, fr, key, attrs))
        except Exception as exc:  # noqa: BLE001 - any failure is contained as a finding
            if each is not None and phase != "for_each":
                phase += f", {each_name} = {render(fr.vars.get(each_name), 60)}"
            out.append(_engine_finding(rule, key, attrs, phase, _reason(exc)))
        total += fr.steps
        if record is not None:
            record(key, out[before:], fr.steps)
        if total > limits.rule_steps:
            reason = limits.refusal("rule_steps", "stopped: too many evaluation steps over the run")
            out.append(_engine_finding(rule, key, attrs, phase, reason))
            break
    return out, total


def _show(shown: dict, rule_id: str, key: str, fr: Frame, names: tuple, passed) -> None:
    """Keeps the values a rule reports on one node (or item) for the reports."""
    values = {name: fr.vars.get(name) for name in names}
    values["passed"] = bool(passed)
    shown.setdefault((rule_id, key), []).append(values)


def _finding(rule: Rule, fr: Frame, key, attrs: dict) -> Finding:
    compiled = rule.compiled
    limit = compiled.limits.sequence_length
    message = compiled.message.render(fr, limit)
    if compiled.detail is not None:
        detail = compiled.detail.render(fr, limit)
    elif compiled.for_each is not None:  # each item is its own finding: the item tells them apart
        detail = render(fr.vars[compiled.for_each[0]], limit)
    else:
        detail = ""
    loc = None
    doc_line = cited_line(attrs.get("doc_line"))
    if rule.at is not None:
        # the field's own location; a mapping read from another file (the plan's budget_totals)
        # is located where it is written, and cites its own document line if it has one
        value = attrs.get(rule.at)
        loc = (attrs.get("field_locs") or {}).get(rule.at) or getattr(value, "loc", None)
        if isinstance(value, dict) and value.get("doc_line") is not None:
            doc_line = cited_line(value.get("doc_line"))
    if loc is None:
        loc = node_location(attrs)
    names = [name for name, _ in compiled.lets]
    if compiled.for_each is not None:
        names.insert(0, compiled.for_each[0])
    formats = compiled.formats
    values = tuple((name, _shown(fr.vars[name], formats.get(name))) for name in names)
    values += tuple((name, _shown(attrs.get(name), formats.get(name)))
                    for name in sorted(compiled.fields))
    cause = cause_text = ""
    amount = None
    if compiled.cause_key is not None:
        cause = f"{rule.id}:{compiled.cause_key.render(fr, limit)}"
        if compiled.cause_message is not None:
            cause_text = compiled.cause_message.render(fr, limit)
        if compiled.cause_amount is not None:
            amount = compiled.cause_amount.fn(fr)
    return Finding(rule.id, rule.severity, key, message, loc.file, loc.line, loc.column,
                   detail=detail, values=values, doc_line=doc_line, cause=cause, cause_text=cause_text,
                   amount=amount, item=place_of(attrs))


def _shown(value, spec) -> str:
    """A value for --explain: in the format the rule's message writes it with, if any."""
    if spec is not None:
        try:
            return format_value(value, spec, _VALUE_WIDTH)
        except ValueError:
            pass
    return render(value, _VALUE_WIDTH)


def _engine_finding(rule: Rule, key, attrs: dict, phase: str, reason: str) -> Finding:
    loc = node_location(attrs)
    message = f"rule {rule.id} could not be evaluated on {key} ({phase}): {reason}"
    return Finding(ENGINE_RULE, "error", key, message, loc.file, loc.line, loc.column,
                   detail=rule.id, values=(("rule", rule.id), ("phase", phase)),
                   doc_line=cited_line(dict.get(attrs, "doc_line")), item=place_of(attrs))


def _reason(exc: Exception) -> str:
    if isinstance(exc, EvalError):
        return str(exc)
    if isinstance(exc, (ZeroDivisionError, decimal.DivisionByZero)):
        return "division by zero"
    if isinstance(exc, decimal.InvalidOperation):
        return "invalid arithmetic (e.g. 0 / 0, or a number beyond 28 significant digits)"
    if isinstance(exc, TypeError):
        return f"values of incompatible types: {exc}"
    if isinstance(exc, RecursionError):
        return "nested too deeply to evaluate"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"{type(exc).__name__}: {exc}"
