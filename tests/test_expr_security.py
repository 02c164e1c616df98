"""Hostile expressions: each is refused when its rule loads, or contained when it runs.

Refused: escapes to Python internals, calls outside the function list, syntax outside the
language. Contained: resource bombs and type confusion become one NAP-ENGINE finding naming
the rule and the node, and the run goes on.
"""

from __future__ import annotations

import pytest
from cputime import cpu_time
from rulegraph import AS_OF, GRAPH

from nap_rules.errors import InputError
from nap_rules.lang.runtime import EvalLimits
from nap_rules.load.locations import Location
from nap_rules.ruleset.rules import build_rule
from nap_rules.run.engine import ENGINE_RULE, evaluate

SOURCE = Location("rules/hostile.yaml", 3, 5)


def rule(assert_: str = "True", *, message: str = "found {id}", kind: str = "measure",
         let: dict | None = None, limits: EvalLimits = EvalLimits()):
    spec = {"id": "X-HOSTILE-1", "title": "hostile", "severity": "error", "applies_to": kind,
            "assert": assert_, "message": message, "rationale": "r", "references": ["r"],
            "examples": {"pass": "p", "fail": "f"}}
    if let:
        spec["let"] = let
    return build_rule(spec, SOURCE, limits)


REFUSED_AT_LOAD = [
    # escapes to Python internals
    ("().__class__.__bases__[0].__subclasses__()", "only the listed functions can be called"),
    ("().__class__.__bases__[0]", "names starting with `_`"),
    ("__import__('os')", "names starting with `_`"),
    ("[].__class__", "names starting with `_`"),
    ("this.__dict__", "names starting with `_`"),
    ("sum.__globals__", "names starting with `_`"),
    ("title.__len__()", "only the listed functions can be called"),
    ("getattr(this, 'attrs')", "`getattr` is not a function of the rule language"),
    ("open('/etc/passwd')", "`open` is not a function of the rule language"),
    ("eval('1 + 1')", "`eval` is not a function of the rule language"),
    ("exec('x = 1')", "`exec` is not a function of the rule language"),
    ("compile('1', 'x', 'eval')", "`compile` is not a function of the rule language"),
    ("globals()", "`globals` is not a function of the rule language"),
    ("type(this)", "did you mean `type_of`"),
    ("breakpoint()", "is not a function of the rule language"),
    ("this.attrs", "measure has no field `attrs`"),
    ("this.key", "measure has no field `key`"),
    ("title.format", "`.format` is not a plan field"),
    ("title.mro", "`.mro` is not a plan field"),
    ("responsible.append", "`.append` is not a plan field"),
    ("[m for m in nodes('measure')][0].attrs", "`.attrs` is not a plan field"),
    ("str.join", "`str` is a function: call it"),
    ("plan()()", "only the listed functions can be called, by name"),
    ("parent('plan').title.upper()", "only the listed functions can be called"),
    # syntax outside the language
    ("lambda: 1", "lambda is not allowed"),
    ("(x := 1)", "assignment (`:=`) is not allowed"),
    ("f'{this}'", "f-strings are not allowed"),
    ("[*responsible]", "unpacking with `*` is not allowed"),
    ("{**targets}", "unpacking with `**` is not allowed"),
    ("sorted(responsible, key=len)", "keyword arguments are not supported"),
    ("1 << 100000", "bitwise"),
    ("~1", "bitwise"),
    ("this is this", "`is` and `is not` only compare with None"),
    ("b'abc'", "bytes literals are not allowed"),
    ("1j", "complex literals are not allowed"),
    ("...", "ellipsis literals are not allowed"),
    ("(await start)", "`await` is not allowed"),
    ("(yield)", "`yield` is not allowed"),
    ("(x for x in responsible)", "only allowed as the argument of a function"),
    ("import os", "invalid syntax"),
    ("start; deadline", "invalid syntax"),
    # names outside the rule's scope
    ("unknown_name", "unknown name `unknown_name`"),
    ("strat <= deadline", "did you mean `start`"),
    ("[sum for sum in responsible]", "cannot be a loop variable"),
    # sizes
    ("9" * 40, "limit `number_digits`"),
    ("(" * 300 + "1" + ")" * 300, ""),
    ("-" * 100 + "1", "limit `expression_depth`"),
    ("1 + " * 2000 + "1", "limit `expression_length`"),
]


@pytest.mark.parametrize("text,fragment", REFUSED_AT_LOAD, ids=[t[:40] for t, _ in REFUSED_AT_LOAD])
def test_refused_when_the_rule_loads(text, fragment):
    with pytest.raises(InputError) as exc:
        rule(text)
    assert fragment in exc.value.message
    assert exc.value.location.file == SOURCE.file


BAD_TEMPLATES = [
    ("{measure.__class__}", "bad placeholder"),
    ("{id.__class__.__init__.__globals__}", "bad placeholder"),
    ("{0.__class__}", "bad placeholder"),
    ("{id!r}", "bad placeholder"),
    ("{id:>999999999}", "bad placeholder"),
    ("{__import__}", "bad placeholder"),
    ("{}", "bad placeholder"),
    ("{unknown}", "unknown name `unknown`"),
    ("{title.attrs}", "`.attrs` is not a plan field"),
    ("unbalanced { brace", "unmatched `{`"),
    # a placeholder holds an expression, checked by the same compiler as `assert`
    ("{id.__class__.__mro__}", "names starting with `_`"),
    ("{this.__dict__}", "names starting with `_`"),
    ("{title.format(id)}", "only the listed functions can be called"),
    ("{getattr(this, 'attrs')}", "`getattr` is not a function of the rule language"),
    ("{__import__('os').system('id')}", "only the listed functions can be called"),
    ("{(lambda: 1)()}", "only the listed functions can be called"),
    ("{f'{id}'}", "f-strings are not allowed"),
    ("{x := 1}", "unknown format `= 1`"),
    ("{(x := 1)}", "assignment (`:=`) is not allowed"),
    ("{id:.999999999}", "at most 12 decimals"),
    ("{id:.13}", "at most 12 decimals"),
    ("{id:{id}}", "unknown format `{id}`"),
    ("{id:%s}", "unknown format `%s`"),
    ("{id:mony}", "did you mean `money`"),
    ("{id:" + "9" * 5000 + "}", "message template too long"),
    ("{'%s' % id:list", "unmatched `{`"),
]


@pytest.mark.parametrize("template,fragment", BAD_TEMPLATES)
def test_message_templates_are_not_format_strings(template, fragment):
    with pytest.raises(InputError) as exc:
        rule(message=template)
    assert fragment in exc.value.message
    assert exc.value.location.file == SOURCE.file


def test_placeholder_refusals_point_at_the_character():
    with pytest.raises(InputError) as exc:
        rule(message="measure {id}: {title} and {title.__class__}")
    assert "bad placeholder {title.__class__}" in exc.value.message
    assert "(expression line 1, column 28)" in exc.value.message  # `title.__class__`
    with pytest.raises(InputError) as exc:
        rule(message="{id} costs {start:monee}")
    assert "(expression line 1, column 19)" in exc.value.message  # the format


def test_placeholder_expressions_and_formats_are_allowed():
    """What a placeholder may hold now: calls, indexes and conditionals of the rule language."""
    for template in ("{len(title)}", "{responsible[0] if responsible else 'nobody'}",
                     "{ {'a': 1}['a'] }", "{[y for y in range(start, deadline + 1)]:list}",
                     "{start:.0} {deadline:money} {start / 3:pct} {as_of:date}"):
        rule(message=template)


CONTAINED_AT_RUN_TIME = [
    # resource bombs
    ("10 ** 10 ** 10", "limit `number_digits`"),
    ("2 ** 200", "limit `number_digits`"),
    ("99999999999999999999 * 99999999999999999999", "limit `number_digits`"),
    ("'a' * 10 ** 9", "limit `sequence_length`"),
    ("[0] * 10 ** 9", "limit `sequence_length`"),
    ("len([0] * 999999 + [0] * 999999) > 0", "limit `sequence_length`"),
    ("len([[0] * 900000 for x in range(0, 100000)]) > 0", "limit `steps`"),
    ("len([x for x in range(0, 1000000) for y in range(0, 1000000)]) > 0",
     "limit `sequence_length`"),
    ("any(x < 0 for x in range(0, 1000000) for y in range(0, 1000000))", "limit `steps`"),
    ("len(range(0, 10 ** 12)) > 0", "limit `sequence_length`"),
    ("len([sum(range(0, 999999)) for x in range(0, 20)]) > 0", "limit `steps`"),
    ("len([str([0] * 900000) for x in range(0, 100)]) > 0", "limit `steps`"),
    # type confusion and arithmetic errors
    ("'a' + 1", "incompatible types"),
    ("None < 1", "incompatible types"),
    ("start < 'x'", "incompatible types"),
    ("1 / 0", "division by zero"),
    ("0 / 0", "invalid arithmetic"),
    ("-title", "incompatible types"),
    ("'%s' % 1", "expected a number"),
    ("'%999999999d' % 1", "expected a number"),
    ("[1][5]", "out of range"),
    ("{'a': 1}['b']", "no key"),
    ("[x for x in start]", "cannot loop over number"),
    ("'MI' in this", "not a node"),
    ("parent('goal').title.title", "cannot read `.title` of text"),
    ("sum(responsible)", "expected numbers"),
    ("{[1]: 2}", "cannot be mapping keys"),
    ("sorted([1, 'a'])", "cannot compare"),
    ("date('not a date')", "date()"),
    ("round(1, 99)", "round()"),
]


# the bombs that run up to a limit over large ranges take seconds each: the thorough profile runs them
SLOW_TO_CONTAIN = {
    "len([x for x in range(0, 1000000) for y in range(0, 1000000)]) > 0",
    "any(x < 0 for x in range(0, 1000000) for y in range(0, 1000000))",
    "len([sum(range(0, 999999)) for x in range(0, 20)]) > 0",
    "len([str([0] * 900000) for x in range(0, 100)]) > 0",
}
# CPU time of one evaluation, far above what a contained bomb takes (tests/cputime.py)
CONTAIN_CPU_SECONDS = 60


@pytest.mark.parametrize("text,fragment", [
    pytest.param(text, fragment, id=text[:40], marks=[pytest.mark.slow] if text in SLOW_TO_CONTAIN else [])
    for text, fragment in CONTAINED_AT_RUN_TIME])
def test_contained_at_run_time_as_one_engine_finding_per_node(text, fragment):
    with cpu_time() as used:
        findings = evaluate(GRAPH, [rule(text)], as_of=AS_OF)
    assert used.seconds < CONTAIN_CPU_SECONDS
    measures = [k for k, d in GRAPH.nodes(data=True) if d["kind"] == "measure"]
    engine = [f for f in findings if f.rule == ENGINE_RULE]
    assert sorted(f.node for f in engine) == sorted(measures)
    assert len(findings) == len(engine)
    for f in engine:
        assert "X-HOSTILE-1" in f.message and f.node in f.message and fragment in f.message
        assert f.severity == "error" and f.detail == "X-HOSTILE-1"


def test_a_rule_that_fails_on_one_node_still_runs_on_the_others():
    findings = evaluate(GRAPH, [rule("10 / (deadline - 2022) > 0")], as_of=AS_OF)
    # 1.1.1 ends in 2022 (division by zero); 1.1.2 ends in 2023 and passes
    assert [(f.rule, f.node) for f in findings] == [(ENGINE_RULE, "measure:1.1.1")]


def test_the_step_limit_can_be_raised():
    text = "not any(x < 0 for x in range(0, 1000) for y in range(0, 1000))"
    low = evaluate(GRAPH, [rule(text, limits=EvalLimits(steps=100_000))], as_of=AS_OF)
    assert low and all("raise it with `limits: {steps: N}`" in f.message for f in low)
    assert evaluate(GRAPH, [rule(text, limits=EvalLimits(steps=50_000_000))], as_of=AS_OF) == []


def test_a_rule_over_its_run_budget_stops_with_one_finding():
    text = "len([x for x in range(0, 60000)]) > 0"
    findings = evaluate(GRAPH, [rule(text, limits=EvalLimits(rule_steps=100_000))], as_of=AS_OF)
    assert len(findings) == 1 and "limit `rule_steps`" in findings[0].message


def test_node_views_expose_plan_fields_only():
    # a view's Python attributes (`key`, `attrs`) are not reachable from an expression
    with pytest.raises(InputError, match="has no field `attrs`"):
        rule("parent('objective').attrs")
    with pytest.raises(InputError, match="no field `attrs`"):
        rule("first(related('responsible')).attrs")
    with pytest.raises(InputError, match="is not a plan field"):
        rule("first(related('responsible') + [1]).attrs")


def test_there_are_at_least_thirty_hostile_cases():
    assert len(REFUSED_AT_LOAD) + len(BAD_TEMPLATES) + len(CONTAINED_AT_RUN_TIME) >= 30
