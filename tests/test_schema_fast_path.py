"""The compiled fast-path validator and the reference validator agree on every verdict."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nap_rules.load.schema_check import fast_check, validator_for
from nap_rules.load.yaml_reader import load_yaml_text


def verdicts(kind, doc):
    return fast_check(doc, kind), validator_for(kind).is_valid(doc)


MEASURE = """\
schema: nap-rules/goal/v1
id: PG1
title: Goal
objectives:
  - id: "1.1"
    title: Objective
    measures:
      - id: "1.1.1"
        title: Measure
        responsible: [MI]
        start: {start}
        deadline: 2023
        cost: [{{year: 2021, nature: current, amount: {amount}}}]
        indicators:
          - id: 1.1.1-a
            name: Things
            baseline: {{year: 2020, value: {baseline}}}
            targets: {{{year}: {target}}}
"""

values = st.sampled_from(["2021", "20221", "'2021'", "2021.5", "null", "-1", "0.1", "1e400", "[]", "{}", "abc",
                          "{relative: 5, of: baseline}", "{relative: 5, of: nothing}", "true", "1000000000000000000"])


@given(start=values, amount=values, baseline=values, year=st.sampled_from(["2021", "1850", "x", "20211"]), target=values)
def test_fast_and_reference_validators_agree(start, amount, baseline, year, target):
    text = MEASURE.format(start=start, amount=amount, baseline=baseline, year=year, target=target)
    try:
        doc = load_yaml_text(text, "g.yaml")
    except Exception:
        return  # refused by the loader: never reaches validation
    fast, reference = verdicts("goal", doc)
    assert fast == reference


@pytest.mark.parametrize("kind", ["plan", "institutions", "goal", "indicators", "budget", "progress"])
def test_empty_document_verdicts_agree(kind):
    doc = load_yaml_text(f"schema: nap-rules/{kind}/v1\n", "f.yaml")
    assert verdicts(kind, doc) == (False, False)  # every kind has required keys besides `schema`
