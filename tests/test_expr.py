"""The rule language: each construct and each function, on a small hand-built plan graph."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rulegraph import evaluate as ev

from nap_rules.lang.compiler import (
    FUNCTIONS,
    ExprError,
    Scope,
    compile_expression,
)
from nap_rules.lang.templates import compile_template
from nap_rules.lang.runtime import EvalError, EvalLimits
from nap_rules.model.index import NodeView
from nap_rules.model.values import render

M1, M2 = "measure:1.1.1", "measure:1.1.2"
I1, I2 = "indicator:1.1.1-a", "indicator:1.1.2-a"
PLAN = "plan:P"


def keys(views):
    return [v.key for v in views]


# --- names and literals ----------------------------------------------------------------------

def test_own_fields_are_plain_names():
    assert ev("unit") == "people"
    assert ev("start <= deadline", M1) is True
    assert ev("kind + ':' + id + ':' + str(occurrence)", M1) == "measure:1.1.1:1"


def test_fractional_literals_are_exact_decimals():
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("0.1 + 0.2 == 0.3") is True
    assert type(ev("1.5")) is Decimal


def test_division_is_exact_decimal_never_float():
    assert ev("7 / 2") == Decimal("3.5")
    assert type(ev("6 / 3")) is Decimal
    assert ev("7 // 2") == 3 and ev("7 % 2") == 1


def test_arithmetic_and_small_powers():
    assert ev("2 ** 10 - 24 * 2 + -(3)") == 2 ** 10 - 48 - 3
    assert ev("2 ** -1") == Decimal("0.5")
    assert ev("[1, 2] + [3]") == [1, 2, 3]
    assert ev("'ab' * 3") == "ababab"


def test_comparisons_chains_membership_and_none_tests():
    assert ev("2021 <= 2022 < 2023") is True
    assert ev("2021 < 2020 < 2023") is False
    assert ev("'MI' in responsible and 'MX' not in responsible", M1) is True
    assert ev("note is None and unit is not None") is True


def test_boolean_logic_and_conditional():
    assert ev("direction == 'increase' and not nature == 'cumulative'") is True
    assert ev("'up' if direction == 'increase' else 'down'") == "up"
    assert ev("none_value or 'fallback'", lets={"none_value": "None"}) == "fallback"


def test_displays_subscripts_and_slices():
    assert ev("targets[2022]") == 10
    assert ev("[1, 2, 3][1:]") == [2, 3]
    assert ev("(1, 'a')") == (1, "a")
    assert ev("{1, 1, 2}") == {1, 2}
    assert ev("{'a': 1}['a']") == 1


def test_comprehensions_list_set_dict_generator_and_nesting():
    assert ev("[y for y in years(targets) if targets[y] is not None]") == [2021, 2022]
    assert ev("{y % 2 for y in years(targets)}") == {0, 1}
    assert ev("{y: v for y, v in items(targets) if v}") == {2021: 5, 2022: 10}
    assert ev("sum(v for v in values(targets) if v is not None)") == 15
    assert ev("[(a, b) for a in [1, 2] for b in [3, 4] if a + b == 5]") == [(1, 4), (2, 3)]


def test_mapping_keys_and_plan_fields_read_with_a_dot():
    assert ev("baseline.value + baseline.year") == 2020
    assert ev("parent('plan').period.end") == 2023
    assert ev("parent('plan').budget_totals.in_currency['EUR'].total_cost") == Decimal("0.8")
    assert ev("baseline.note") is None


def test_let_values_and_params():
    assert ev("m.deadline - m.start", lets={"m": "parent('measure')"}) == 1
    assert ev("params.tolerance * 2", params={"tolerance": Decimal("0.5")}) == 1


def test_this_and_as_of():
    assert ev("this", M1) == NodeView(M1, {})
    assert ev("as_of.year") == 2024
    assert ev("as_of > date('2023-12-31')") is True


# --- graph functions -------------------------------------------------------------------------

def test_parent():
    assert ev("parent('measure').id") == "1.1.1"
    assert ev("parent('goal').id") == "PG1"
    assert ev("parent('plan').id") == "P"
    assert ev("parent('measure')", "indicator:OI-1") is None
    assert ev("parent('goal').id", "indicator:OI-1") == "PG1"
    assert ev("parent('objective', parent('measure')).id") == "1.1"
    assert ev("parent('report').id", "actual:2022-H1/1.1.1-a") == "2022-H1"
    assert ev("parent('indicator').id", "actual:2022-H1/1.1.1-a") == "1.1.1-a"


def test_children():
    assert keys(ev("children('has_measure')", "objective:1.1")) == [M1, M2]
    assert keys(ev("children('measured_by')", M1)) == [I1]
    assert ev("[m.id for o in children('has_objective', parent('goal')) "
              "for m in children('has_measure', o)]") == ["1.1.1", "1.1.2"]


def test_related():
    assert keys(ev("related('contributing')", M1)) == ["institution:MJ", "missing:MB"]
    assert [i.attrs["kind"] for i in ev("related('responsible') + related('contributing')", M1)] == \
        ["institution", "institution", "missing"]


def test_related_in():
    assert keys(ev("related_in('responsible')", "institution:MI")) == [M1, M2]
    assert keys(ev("related_in('funded_by')", "budget_line:PG1-current")) == ["goal:PG1"]


def test_descendants():
    assert keys(ev("descendants('measure')", "goal:PG1")) == [M1, M2]
    assert ev("sum(l.total_cost for l in descendants('budget_line') if l.level == 'measure')",
              "goal:PG1") == 100
    assert ev("count(descendants('indicator', plan()))") == 3


def test_nodes():
    assert keys(ev("nodes('measure')")) == [M1, M2]
    assert ev("nodes('report')[0].half") == 1


def test_node():
    assert ev("node('measure:1.1.2').deadline") == 2023
    assert ev("node('measure:9.9.9')") is None
    assert ev("node(42)") is None


def test_plan():
    assert ev("plan().currency") == "ALL"
    assert ev("plan().exchange_rates['EUR']") == 125


def test_lookup():
    assert keys(ev("lookup('institution', 'aliases', 'MIA')")) == ["institution:MI"]
    assert keys(ev("lookup('measure', 'responsible', 'MI')")) == [M1]
    assert ev("lookup('status_update', 'measure', id)[0].status", M1) == "in_progress"
    assert ev("lookup('measure', 'id', 'nothing')") == []


def test_duplicates_of():
    assert keys(ev("duplicates_of('title')", M1)) == [M2]  # case and spacing ignored
    assert keys(ev("duplicates_of('name')", "institution:MJ~2")) == ["institution:MJ"]
    assert ev("duplicates_of('name')", "institution:MI") == []
    assert ev("duplicates_of('note')", M1) == []  # empty values are never duplicates


# --- collection functions --------------------------------------------------------------------

def test_sum():
    assert ev("sum([1, 2.5, 3])") == Decimal("6.5")
    assert ev("sum([])") == 0


def test_count():
    assert ev("count(y for y in years(targets) if targets[y])") == 2
    assert ev("count(related('contributing'))", M1) == 2


def test_len():
    assert ev("len(responsible)", M1) == 1
    assert ev("len('abc') + len(targets) + len({'a': 1})") == 7


def test_min():
    assert ev("min([3, 1, 2])") == 1
    assert ev("min(4, 2.5)") == Decimal("2.5")
    assert ev("min([])") is None


def test_max():
    assert ev("max(years(targets))") == 2023
    assert ev("max(t for t in values(targets) if t is not None)") == 10
    assert ev("max([])") is None


def test_any():
    assert ev("any(t is None for t in values(targets))") is True
    assert ev("any([])") is False


def test_all():
    assert ev("all(y >= 2021 for y in years(targets))") is True
    assert ev("all([1, 0])") is False


def test_sorted():
    assert ev("sorted([3, 1, 2])") == [1, 2, 3]
    assert ev("sorted(set(['b', 'a', 'b']))") == ["a", "b"]


def test_sort_by():
    assert keys(ev("sort_by(nodes('measure'), 'deadline', 'id')")) == [M1, M2]
    assert [r["year"] for r in ev("sort_by([{'year': 2}, {'year': None}, {'year': 1}], 'year')")] \
        == [None, 1, 2]


def test_set():
    assert ev("set([1, 2, 2])") == {1, 2}
    assert ev("len(set(related('responsible') + related('responsible')))", M1) == 1


def test_list():
    assert ev("list(set([2, 1]))") == [1, 2]
    assert ev("list(y for y in [1, 2])") == [1, 2]


def test_keys():
    assert ev("keys(targets)") == [2021, 2022, 2023]


def test_values():
    assert ev("values(targets)") == [5, 10, None]


def test_items():
    assert ev("items(baseline)") == [("value", 0), ("year", 2020)]  # keys sorted


def test_years():
    assert ev("years(targets)") == [2021, 2022, 2023]
    assert ev("years({'2024': 1, '2021': 2})") == [2021, 2024]


def test_first():
    assert ev("first(years(targets))") == 2021
    assert ev("first([])") is None


def test_last():
    assert ev("last(years(targets))") == 2023
    assert ev("last(sort_by(related('reported_in'), 'year', 'half')).value") == 4


def test_pairs():
    assert ev("pairs([1, 2, 3])") == [(1, 2), (2, 3)]
    assert ev("all(a <= b for a, b in pairs([1, 1, 2]))") is True


def test_range():
    assert list(ev("range(2021, 2024)")) == [2021, 2022, 2023]
    assert ev("[y for y in range(start, deadline + 1)]", M1) == [2021, 2022]


def test_get():
    assert ev("get(targets, 2030, 'none')") == "none"
    assert ev("get(targets, 2022)") == 10
    assert ev("get([1, 2], 5, 0)") == 0
    assert ev("get(parent('measure'), 'deadline')") == 2022


# --- numbers ---------------------------------------------------------------------------------

def test_abs():
    assert ev("abs(-3)") == 3 and ev("abs(-2.5)") == Decimal("2.5")


def test_round():
    assert ev("round(2.5)") == 3  # half away from zero, as printed documents round
    assert ev("round(52.849, 1)") == Decimal("52.8")
    assert ev("round(1234, -2)") == 1200


def test_isclose():
    assert ev("isclose(52.8, 52.84, 0.05)") is True
    assert ev("isclose(52.8, 52.9, 0.05)") is False
    assert ev("isclose(3, 3)") is True


def test_share():
    assert ev("share(1, 8)") == Decimal("12.5")
    assert ev("round(share(40, 120), 1)") == Decimal("33.3")


def test_interpolate():
    assert ev("interpolate(2020, 0, 2022, 10, 2021)") == 5
    assert ev("interpolate(2020, 40, 2023, 30.5, 2022)") == Decimal("33.66666666666666666666666667")


def test_resolve_targets():
    assert ev("resolve_targets(targets, baseline.value)", I2) == {2022: 42, 2023: Decimal("30.5")}
    assert ev("resolve_targets({2021: None, 2022: {'relative': 10, 'of': 'previous'}}, 50)") == \
        {2021: None, 2022: 55}


def test_is_number():
    assert ev("is_number(targets[2022])") is True
    assert ev("is_number(targets[2022])", I2) is False
    assert ev("is_number(True)") is False


def test_type_of():
    assert [ev(f"type_of({e})") for e in ("None", "1", "'a'", "[1]", "{1}", "{}", "this",
                                          "as_of", "True")] == \
        ["none", "number", "text", "list", "set", "mapping", "node", "date", "bool"]


# --- text ------------------------------------------------------------------------------------

def test_str():
    assert ev("str(1.50) + '|' + str([2021, None]) + '|' + str(parent('measure'))") == \
        "1.50|[2021, none]|measure:1.1.1"


def test_lower():
    assert ev("lower(unit)", I1) == "people" and ev("lower('MI')") == "mi"


def test_normalize():
    assert ev("normalize('  Train   POLICE ')") == "train police"


def test_startswith():
    assert ev("startswith(id, objective + '.')", M1) is True


def test_endswith():
    assert ev("endswith(id, '-a')") is True


def test_join():
    assert ev("join(', ', responsible + contributing)", M1) == "MI, MJ, MB"
    assert ev("join('-', [1, 2.5])") == "1-2.5"


def test_closest():
    assert ev("closest('MIA ', ['MI', 'MJ'])") == "MI"
    assert ev("closest('ministry of interor', [i.name for i in nodes('institution')])") == \
        "Ministry of Interior"
    assert ev("closest('XYZ', ['MI', 'MJ'])") is None


def test_words():
    assert ev("words('the SOPs of VT/ PVT, DK&M and the SOP')") == \
        ["THE", "SOPS", "SOP", "OF", "VT", "PVT", "DK&M", "AND"]


def test_codes():
    assert ev("codes('Inform VT/PVT of the SOPs (Covid, COVID-19) with the MI')") == ["VT", "PVT", "SOP", "COVID", "MI"]
    assert ev("codes('Organizing periodic meetings')") == []


def test_similarity():
    # the share of the shorter text's words found, in order, in the other
    assert ev("similarity('Organizing periodic meetings of NRM members', "
              "'Organizing periodic meetings of NRM members and partners')") == 1
    assert ev("similarity('a b c d', 'a x c y')") == Decimal(2) / Decimal(4)
    assert ev("similarity('', 'a')") == 0


def test_date():
    assert ev("date('2024-06-30')") == datetime.date(2024, 6, 30)
    assert ev("date(2022, 12, 31) < as_of") is True
    with pytest.raises(EvalError, match="date"):
        ev("date('2024-02-30')")


def test_every_function_has_a_test():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(FUNCTIONS) <= tested


# --- load-time checks and templates ----------------------------------------------------------

def test_static_kinds_check_fields_of_related_nodes():
    scope = Scope("indicator")
    with pytest.raises(ExprError, match="measure has no field `unit`"):
        compile_expression("parent('measure').unit", scope, EvalLimits())
    with pytest.raises(ExprError, match="did you mean `deadline`"):
        compile_expression("[m.deadlin for m in nodes('measure')]", scope, EvalLimits())


def test_literal_arguments_are_checked_at_load():
    scope = Scope("measure")
    for text, fragment in [("parent('mesure')", "unknown node kind 'mesure'"),
                           ("related('responsibel')", "unknown relation"),
                           ("children('responsible')", "not a structural relation"),
                           ("duplicates_of('titel')", "unknown field 'titel'"),
                           ("lookup('measure', 'unit', 1)", "measure has no field 'unit'")]:
        with pytest.raises(ExprError, match=fragment):
            compile_expression(text, scope, EvalLimits())


def test_error_positions_point_into_the_expression():
    with pytest.raises(ExprError) as exc:
        compile_expression("start <= dedline", Scope("measure"), EvalLimits())
    assert (exc.value.line, exc.value.col) == (1, 9)
    with pytest.raises(ExprError) as exc:
        compile_expression("start <= deadline and\n  x.__class__", Scope("measure"), EvalLimits())
    assert exc.value.line == 2


def test_template_placeholders_render_plain_values():
    from rulegraph import AS_OF, GRAPH

    from nap_rules.lang.runtime import Frame
    from nap_rules.model.index import GraphIndex

    scope = Scope("indicator", {"m": ("node", "measure")})
    template = compile_template("{id} of {m.id}: {targets} {{literal}} {baseline.value}",
                                scope, EvalLimits())
    frame = Frame(GraphIndex(GRAPH), AS_OF, {}, EvalLimits())
    frame.at(I1, GRAPH.nodes[I1])
    frame.vars["m"] = NodeView(M1, GRAPH.nodes[M1])
    assert template.render(frame, 1000) == \
        "1.1.1-a of 1.1.1: {2021: 5, 2022: 10, 2023: none} {literal} 0"
    assert template.fields == {"id", "targets", "baseline"}


def test_render_numbers_and_lists_plainly():
    assert render(Decimal("1E+3")) == "1000"
    assert render([2021, 2022]) == "[2021, 2022]"
    assert render({"b", "a"}) == "{a, b}" or render({"b", "a"}) == "[a, b]"
    assert render(True) == "true" and render(None) == "none"
    assert render("x" * 50, 10).endswith("…")


def test_every_function_is_documented():
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "rules-language.md").read_text(encoding="utf-8")
    assert [name for name in FUNCTIONS if f"`{name}(" not in doc] == []


def test_text_functions_charge_their_steps_on_every_call():
    # words, codes and similarity keep their results per text: a second call must give the same
    # value and charge the same steps as the first, so the step limit does not depend on order
    from rulegraph import AS_OF, GRAPH
    from nap_rules.lang.runtime import DECIMAL_CONTEXT, Frame
    from nap_rules.model.index import GraphIndex
    import decimal

    text = ("[similarity(name, 'Officers trained in the year ' + str(n)), words(name + ' SOPs'), "
            "codes('The SOPs of the MI and ' + str(n))] for n in [1, 2, 1, 2]")
    compiled = compile_expression("[" + text + "]", Scope("indicator"), EvalLimits())
    index = GraphIndex(GRAPH)
    results, steps = [], []
    for _ in range(2):
        frame = Frame(index, AS_OF, {}, EvalLimits())
        frame.at(I1, GRAPH.nodes[I1])
        with decimal.localcontext(DECIMAL_CONTEXT):
            results.append(compiled.fn(frame))
        steps.append(frame.steps)
    assert results[0] == results[1]
    assert results[0][0] == [Decimal(1), ["OFFICERS", "OFFICER", "TRAINED", "SOPS", "SOP"], ["SOP", "MI"]]
    assert steps[0] == steps[1] > 0
