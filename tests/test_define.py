"""`define:` (named values and functions) and `use:` (libraries of definitions) in rule files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from rulegraph import AS_OF, GRAPH

from nap_rules.errors import InputError
from nap_rules.lang.runtime import EvalLimits
from nap_rules.ruleset.rules import load_rulesets
from nap_rules.run.engine import evaluate


def rule(rule_id="MY-001", kind="measure", assert_="True", message="m {id}", extra=""):
    return textwrap.dedent(f"""\
      - id: {rule_id}
        title: t
        severity: warning
        applies_to: {kind}
        {extra}
        assert: "{assert_}"
        message: "{message}"
        rationale: r
        references: [r]
        examples: {{pass: p, fail: f}}
    """).replace("\n    \n", "\n")


def file(rules: str = "", define: str = "", use: str = "") -> str:
    text = "schema: nap-rules/ruleset/v1\n"
    if use:
        text += f"use: {use}\n"
    if define:
        text += "define:\n" + textwrap.indent(textwrap.dedent(define), "  ")
    if rules:
        text += "rules:\n" + textwrap.indent(rules, "  ")
    return text


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path, text, name="mine.yaml", limits=EvalLimits()):
    write(tmp_path / "rules", name, text)
    return load_rulesets([tmp_path / "rules"], limits=limits)


def refused(tmp_path, text, name="mine.yaml", limits=EvalLimits()) -> InputError:
    with pytest.raises(InputError) as exc:
        load(tmp_path, text, name, limits)
    return exc.value


def where(error: InputError, tmp_path) -> tuple:
    loc = error.location
    return Path(loc.file).relative_to(tmp_path).as_posix(), loc.line, loc.column


DEFINE = """\
span: "deadline - start + 1"
"period_of(m)": "[y for y in range(m.start, m.deadline + 1)]"
"late(m, year)": "year > m.deadline"
"""


def test_definitions_run_like_the_text_they_stand_for(tmp_path):
    rules = load(tmp_path, file(rule(assert_="span == 2 and not late(this, 2023)",
                                     message="{id} runs {period_of(this):list} ({span} years)"),
                                define=DEFINE))
    found = evaluate(GRAPH, rules, as_of=AS_OF)
    assert [f.message for f in found] == ["1.1.1 runs 2021, 2022 (2 years)"]
    assert rules[0].compiled.fields == {"start", "deadline", "id"}


def test_a_definition_is_checked_in_the_scope_of_each_rule_that_uses_it(tmp_path):
    text = file(rule(kind="indicator", assert_="span > 0"), define=DEFINE)
    error = refused(tmp_path, text)
    assert "rule MY-001, assert: in definition `span`: unknown name `deadline`" in error.message
    assert where(error, tmp_path) == ("rules/mine.yaml", 3, 10)  # `deadline` in span's text


def test_a_definition_sees_only_those_above_it_and_never_itself(tmp_path):
    error = refused(tmp_path, file(rule(), define='a: "b + 1"\nb: "2"\n'))
    assert "`a` uses `b`, which is defined below it" in error.message
    assert "(no recursion)" in error.message
    assert where(error, tmp_path) == ("rules/mine.yaml", 3, 7)
    error = refused(tmp_path, file(rule(), define='"f(n)": "1 if n < 1 else f(n - 1)"\n'))
    assert "`f` uses itself" in error.message
    assert where(error, tmp_path) == ("rules/mine.yaml", 3, 28)


def test_a_definition_does_not_see_the_rule_s_names(tmp_path):
    text = file(rule(assert_="twice > 0", extra='let: {x: "1"}'), define='twice: "x * 2"\n')
    error = refused(tmp_path, text)
    assert "`x` is a name of the rule, which a definition does not see: pass it as a parameter" \
        in error.message


def test_limits_apply_after_expansion(tmp_path):
    define = '"f(x)": "[x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x]"\n"g(x)": "f(f(f(f(x))))"\n"h(x)": "g(g(g(x)))"\n'
    error = refused(tmp_path, file(rule(assert_="len(h(1)) > 0"), define=define),
                    limits=EvalLimits(expression_length=400))
    assert "expression too long once its definitions are expanded" in error.message
    assert "limit `expression_length` = 400" in error.message
    assert where(error, tmp_path) == ("rules/mine.yaml", 4, 12)  # `f(...)` in g's text
    assert load(tmp_path, file(rule(assert_="len(f(1)) > 0"), define=define),
                limits=EvalLimits(expression_length=400))
    long = '"padded(x)": "x' + " + 0" * 60 + '"\n'
    error = refused(tmp_path, file(rule(assert_="padded(1) + padded(2) > 0"), define=long),
                    limits=EvalLimits(expression_length=400))
    assert "expression too long once its definitions are expanded" in error.message
    deep = "".join(f'd{i}: "[d{i - 1}]"\n' for i in range(1, 40))
    error = refused(tmp_path, file(rule(assert_="d39"), define='d0: "[1]"\n' + deep),
                    limits=EvalLimits(expression_depth=30))
    assert "expression nested too deeply" in error.message


def test_a_defined_value_is_computed_once_per_node(tmp_path):
    define = 'costly: "sum([y for y in range(0, 1000)])"\n'
    once = load(tmp_path, file(rule(assert_="costly > 0"), define=define))
    thrice = load(tmp_path, file(rule(assert_="costly + costly + costly > 0"), define=define))
    from nap_rules.lang.runtime import Frame
    from nap_rules.model.index import GraphIndex
    steps = []
    for rules in (once, thrice):
        fr = Frame(GraphIndex(GRAPH), AS_OF, {}, EvalLimits())
        fr.at("measure:1.1.1", GRAPH.nodes["measure:1.1.1"])
        rules[0].compiled.assert_.fn(fr)
        steps.append(fr.steps)
    assert steps[0] == steps[1] > 1000


def test_hostile_definitions_are_refused_where_they_are_written(tmp_path):
    cases = {
        'x: "this.__class__"': "names starting with `_`",
        'x: "title.format(1)"': "only the listed functions can be called",
        '"__init__(a)": "a"': "bad definition name '__init__(a)'",
        '"f(a, a)": "a"': "names a parameter twice",
        '"sum(a)": "a"': "`sum` cannot be defined",
        'x: "(lambda: 1)"': "lambda is not allowed",
    }
    for define, fragment in cases.items():
        error = refused(tmp_path, file(rule(assert_="x"), define=define + "\n"))
        assert fragment in error.message, (define, error.message)
        assert where(error, tmp_path)[:2] == ("rules/mine.yaml", 3), (define, str(error))


def test_a_definition_used_in_a_placeholder(tmp_path):
    rules = load(tmp_path, file(rule(assert_="False", message="{span:.1} {period_of(this):list}"),
                                define=DEFINE))
    assert evaluate(GRAPH, rules, as_of=AS_OF)[0].message == "2.0 2021, 2022"
    error = refused(tmp_path, file(rule(message="{bad}"), define='bad: "this.__dict__"\n'))
    assert "in definition `bad`" in error.message and where(error, tmp_path)[1] == 3


# --- libraries -------------------------------------------------------------------------------

def test_use_pulls_in_a_library(tmp_path):
    write(tmp_path / "rules", "lib/time.yaml", file(define=DEFINE))
    rules = load(tmp_path, file(rule(assert_="longer(1) and not late(this, 2023)"), use="[lib/time]",
                                define='"longer(n)": "span > n"\n'))
    assert [f.node for f in evaluate(GRAPH, rules, as_of=AS_OF)] == ["measure:1.1.1"]


def test_library_problems_are_reported_in_the_library(tmp_path):
    write(tmp_path / "rules", "lib/time.yml", file(define='span: "deadline - start +"\n'))
    error = refused(tmp_path, file(rule(), use="[lib/time]"))
    assert "define span: invalid syntax" in error.message
    assert where(error, tmp_path)[:2] == ("rules/lib/time.yml", 3)
    error = refused(tmp_path, file(rule(), use="[lib/nothing]"))
    assert "no library 'lib/nothing'" in error.message
    write(tmp_path / "rules", "lib/a.yaml", file(use="[b]", define='a: "1"\n'))
    write(tmp_path / "rules", "lib/b.yaml", file(use="[a]", define='b: "1"\n'))
    error = refused(tmp_path, file(rule(), use="[lib/a]"))
    assert "libraries use each other in a circle (a.yaml -> b.yaml -> a.yaml)" in error.message
    write(tmp_path / "rules", "lib/r.yaml", file(rule()))
    assert "a library holds only `define:`" in refused(tmp_path, file(rule(), use="[lib/r]")).message
    assert "does not match" in refused(tmp_path, file(rule(), use="[../x]")).message


def test_a_file_with_only_definitions_in_the_rule_folder_is_refused(tmp_path):
    error = refused(tmp_path, file(define=DEFINE))
    assert "a file of `define:` only is a library" in error.message


def test_names_may_not_hide_a_definition(tmp_path):
    error = refused(tmp_path, file(rule(extra='let: {span: "1"}'), define=DEFINE))
    assert "`span` is a definition of this file" in error.message


@pytest.mark.parametrize("message,fragment,column", [
    ("x {title.__class__}", "names starting with `_`", 18),
    ("x {title:.99999}", "at most 12 decimals", 24),
    ("x {title:>10}", "unknown format `>10`", 24),
    ("x {len(title).real}", "`.real` is not a plan field", 18),
])
def test_hostile_placeholders_are_refused_at_their_file_line_and_column(tmp_path, message,
                                                                           fragment, column):
    error = refused(tmp_path, file(rule(message=message)))
    assert fragment in error.message
    assert where(error, tmp_path) == ("rules/mine.yaml", 9, column)


def test_a_rule_changes_with_the_definitions_it_can_use(tmp_path):
    """A cached run is named after the rules (their repr): a library edit must change it."""
    write(tmp_path / "rules", "lib/time.yaml", file(define=DEFINE))
    before = load(tmp_path, file(rule(assert_="span < 3"), use="[lib/time]"))
    write(tmp_path / "rules", "lib/time.yaml", file(define=DEFINE.replace("+ 1", "+ 2")))
    after = load(tmp_path, file(rule(assert_="span < 3"), use="[lib/time]"))
    assert repr(before[0]) != repr(after[0])
    assert ("span", "deadline - start + 2") in after[0].definitions
