"""resolve_targets(): relative targets as numbers, as the indicator and progress rules read them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rulegraph import evaluate as ev

from nap_rules.lang.runtime import EvalError


def test_relative_to_the_baseline():
    # OI-1 of the published plan: "10% more than the baseline" of 40.4
    assert ev("resolve_targets({2023: {'relative': 10, 'of': 'baseline'}}, 40.4)") == {2023: Decimal("44.44")}


def test_relative_to_previous_compounds_year_on_year():
    # OI-4: "2% decrease every year" from 86
    got = ev("resolve_targets({2021: {'relative': -2, 'of': 'previous'}, 2022: {'relative': -2, 'of': 'previous'},"
             " 2023: {'relative': -2, 'of': 'previous'}}, 86)")
    assert got == {2021: Decimal("84.28"), 2022: Decimal("82.5944"), 2023: Decimal("80.942512")}


def test_previous_skips_years_without_a_target():
    assert ev("resolve_targets({2021: 60, 2022: None, 2023: {'relative': 50, 'of': 'previous'}}, 10)") == \
        {2021: 60, 2022: None, 2023: 90}


def test_without_a_baseline_a_relative_target_has_no_value():
    # 3.1.6-a: baseline "N/A", targets "5% increase by calculated baseline"
    assert ev("resolve_targets({2021: 0, 2022: {'relative': 5, 'of': 'baseline'}}, None)") == {2021: 0, 2022: None}


def test_refuses_what_it_cannot_read():
    with pytest.raises(EvalError, match="baseline or previous"):
        ev("resolve_targets({2022: {'relative': 5, 'of': 'target'}}, 1)")
    with pytest.raises(EvalError, match="expected a mapping"):
        ev("resolve_targets([1, 2], 1)")


def test_the_plan_level_definition_used_by_rules_and_report():
    """nap_rules.model.targets is the one definition: relative to the baseline or to the value before."""
    from decimal import Decimal

    from nap_rules.model.targets import resolve_targets

    targets = {2023: {"relative": 10, "of": "baseline"}, 2021: {"relative": -2, "of": "previous"},
               2022: None}
    assert resolve_targets(targets, 100) == {2021: Decimal("98"), 2022: None, 2023: Decimal("110")}
    assert list(resolve_targets(targets, 100)) == [2021, 2022, 2023]
    assert resolve_targets({2021: {"relative": 5, "of": "previous"}}, None) == {2021: None}


def test_points_move_the_reference_by_percentage_points():
    # OI-1 read as percentage points: 40.4% + 10 points
    assert ev("resolve_targets({2023: {'relative': 10, 'of': 'baseline', 'unit': 'points'}}, 40.4)") == \
        {2023: Decimal("50.4")}
    assert ev("resolve_targets({2023: {'relative': 10, 'of': 'baseline', 'unit': 'percent'}}, 40.4)") == \
        {2023: Decimal("44.44")}
