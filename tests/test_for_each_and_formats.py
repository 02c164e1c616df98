"""`for_each` (one finding per failing item) and formatted message placeholders."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rulegraph import AS_OF, GRAPH

from nap_rules.errors import InputError
from nap_rules.load.locations import Location
from nap_rules.model.values import format_problem, format_value
from nap_rules.ruleset.rules import build_rule
from nap_rules.run.engine import ENGINE_RULE, evaluate

SOURCE = Location("rules/mine.yaml", 3, 5)


def rule(**parts):
    spec = {"id": "X-MINE-1", "title": "mine", "severity": "warning", "applies_to": "measure",
            "assert": "True", "message": "m", "rationale": "r", "references": ["r"],
            "examples": {"pass": "p", "fail": "f"}}
    spec.update(parts)
    return build_rule(spec, SOURCE)


def run(**parts):
    return evaluate(GRAPH, [rule(**parts)], as_of=AS_OF)


# --- for_each --------------------------------------------------------------------------------

def test_each_failing_item_is_its_own_finding():
    found = run(for_each={"year": "range(start, deadline + 1)"},
                **{"assert": "year != 2022"}, message="{id} runs in {year}")
    assert [(f.node, f.message, f.detail) for f in found] == [
        ("measure:1.1.1", "1.1.1 runs in 2022", "2022"),
        ("measure:1.1.2", "1.1.2 runs in 2022", "2022"),
    ]
    assert found[0].values[0] == ("year", "2022")


def test_let_assert_and_detail_run_per_item_and_the_item_may_be_a_node():
    found = run(for_each={"i": "children('measured_by')"},
                let={"late": "i.targets[2023] is None if 2023 in i.targets else False"},
                **{"assert": "not late"}, message="{i.id} of {id} has no 2023 target",
                detail="no 2023 target for {i.id}")
    assert [(f.node, f.message, f.detail) for f in found] == [
        ("measure:1.1.1", "1.1.1-a of 1.1.1 has no 2023 target", "no 2023 target for 1.1.1-a")]


def test_for_each_over_a_mapping_walks_its_keys_in_order():
    found = evaluate(GRAPH, [rule(applies_to="indicator", for_each={"y": "targets"},
                                  **{"assert": "targets[y] is not None"},
                                  message="{id}: no target for {y}")], as_of=AS_OF)
    assert [f.message for f in found] == ["1.1.1-a: no target for 2023"]


def test_for_each_is_checked_like_any_expression():
    with pytest.raises(InputError) as exc:
        rule(for_each={"i": "children('measured_by')"}, message="{i.nmae}")
    assert "indicator has no field `nmae` (did you mean `name`?)" in exc.value.message
    with pytest.raises(InputError) as exc:
        rule(for_each={"x": "late"}, let={"late": "[1]"})
    assert "`late` is a `let` name: `for_each` is evaluated before the `let` values" \
        in exc.value.message
    with pytest.raises(InputError) as exc:
        rule(where="x > 1", for_each={"x": "[1]"})
    assert "`x` is the `for_each` name" in exc.value.message
    with pytest.raises(InputError) as exc:
        rule(for_each={"sum": "[1]"})
    assert "cannot be a `for_each` name" in exc.value.message


def test_a_failure_on_one_item_is_one_engine_finding_for_the_node():
    found = run(for_each={"y": "[1, 0, 2]"}, let={"inverse": "1 / y"}, **{"assert": "False"},
                message="{y}")
    engine = [f for f in found if f.rule == ENGINE_RULE]
    assert [f.node for f in engine] == ["measure:1.1.1", "measure:1.1.2"]
    assert "(let inverse, y = 0): division by zero" in engine[0].message
    assert [f.detail for f in found if f.rule != ENGINE_RULE] == ["1", "1"]


def test_for_each_over_something_else_than_a_list_is_an_engine_finding():
    found = run(for_each={"y": "start"}, message="{y}")
    assert {f.rule for f in found} == {ENGINE_RULE}
    assert "(for_each): expected a list, got number 2021" in found[0].message


# --- formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value,spec,text", [
    (Decimal("138302992"), "money", "138,302,992"),
    (138302992, "money", "138,302,992"),
    (Decimal("-2875000.00"), "money", "-2,875,000"),
    (Decimal("26401.936"), "money", "26,401.94"),
    (Decimal("0.5"), "money", "0.50"),
    (Decimal("25.0"), "num", "25"),
    (Decimal("25.5"), "num", "25.50"),
    (Decimal("1234.567"), "num", "1234.57"),
    (Decimal("88.44268"), "pct", "88.44%"),
    (Decimal("2.085"), "pct", "2.09%"),
    (5, "pct", "5.00%"),
    (Decimal("2.25"), ".1", "2.3"),
    (Decimal("1234.5678"), ".0", "1235"),
    (7, ".2", "7.00"),
    ([2021, 2022], "list", "2021, 2022"),
    ({2022, 2021}, "list", "2021, 2022"),
    ({2021: 5, 2022: None}, "list", "2021: 5, 2022: none"),
    ([], "list", ""),
    (datetime.date(2024, 6, 30), "date", "2024-06-30"),
    ("2024-06-30", "date", "2024-06-30"),
    (None, "money", "none"),
])
def test_formats(value, spec, text):
    assert format_value(value, spec) == text


def test_a_format_of_the_wrong_type_is_an_engine_finding_naming_the_placeholder():
    found = run(**{"assert": "False"}, message="{title:money}")
    assert {f.rule for f in found} == {ENGINE_RULE}
    assert "{title:money}: format `money` needs a number, got text" in found[0].message


def test_unknown_formats_are_refused_with_a_suggestion():
    assert format_problem("money") is None and format_problem(".12") is None
    assert "did you mean `pct`" in format_problem("pcnt")
    assert "at most 12 decimals" in format_problem(".13")
    with pytest.raises(InputError) as exc:
        rule(message="{start:monye}")
    assert "unknown format `monye` (did you mean `money`?)" in exc.value.message


def test_placeholders_hold_expressions():
    found = run(**{"assert": "False"},
                message="{id}: {deadline - start + 1} years ({[y for y in range(start, deadline + 1)]:list}), "
                        "{'late' if deadline > 2022 else 'on time'}, {(deadline - start) / 3:pct}, "
                        "{{literal}} {as_of:date}")
    assert found[0].message == ("1.1.1: 2 years (2021, 2022), on time, 0.33%, {literal} 2024-03-01")


def test_explain_writes_a_value_in_the_format_of_its_placeholder():
    found = run(let={"span": "(deadline - start) * 1000000"}, **{"assert": "False"},
                message="{span:money} from {start}")
    assert dict(found[0].values)["span"] == "1,000,000"
    assert dict(found[0].values)["start"] == "2021"
