"""Baselines: deterministic files, matching by semantic key, counts of look-alike findings."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nap_rules.errors import InputError
from nap_rules.findings import Finding
from nap_rules.review.baseline import (
    BaselineEntry,
    compare,
    entries_of,
    read_baseline,
    semantic_key,
    write_baseline,
)


def finding(rule="NAP-TIME-002", node="indicator:1.1.1-a", detail="2024", line=10, message="m", file="plan/goals/PG1.yaml"):
    return Finding(rule, "warning", node, message, file, line, 3, detail=detail)


A = finding()
B = finding(rule="NAP-BUD-001", node="plan:p", detail="total_cost", line=4, file="plan/budget.yaml")
C = finding(node="indicator:1.1.2-a", line=30)


def roundtrip(findings) -> list[BaselineEntry]:
    return read_baseline(write_baseline(findings), "b.json")


def test_written_baseline_is_sorted_json_without_positions():
    doc = json.loads(write_baseline([C, A, B]))
    assert doc["schema"] == "nap-rules/baseline/v1"
    keys = [(e["rule"], e["node"], e["detail"]) for e in doc["findings"]]
    assert keys == sorted(keys)
    assert set(doc["findings"][0]) == {"rule", "node", "detail", "message", "file", "cause"}
    assert "\"line\"" not in write_baseline([A]) and "\"column\"" not in write_baseline([A])


def test_written_baseline_does_not_depend_on_order():
    assert write_baseline([A, B, C]) == write_baseline([C, B, A])


def test_same_findings_are_known():
    new, known, fixed = compare([A, B, C], roundtrip([A, B, C]))
    assert (new, fixed) == ([], [])
    assert known == [A, B, C]


def test_moved_and_reworded_findings_still_match():
    moved = finding(line=99, message="reworded", file="plan/goals/PG1.yaml")
    new, known, fixed = compare([moved], roundtrip([A]))
    assert (new, known, fixed) == ([], [moved], [])


def test_new_and_fixed():
    new, known, fixed = compare([A, C], roundtrip([A, B]))
    assert new == [C] and known == [A]
    assert [semantic_key(e) for e in fixed] == [semantic_key(B)]


def test_counts_of_identical_keys_matter():
    twin = finding(line=50, message="m")
    new, known, fixed = compare([A, twin], roundtrip([A]))
    assert len(new) == 1 and len(known) == 1 and fixed == []
    new, known, fixed = compare([A], roundtrip([A, twin]))
    assert new == [] and known == [A] and len(fixed) == 1


def test_look_alikes_pair_by_message_first():
    first, second = finding(message="first", line=1), finding(message="second", line=2)
    new, known, _ = compare([first, second], roundtrip([second]))
    assert new == [first] and known == [second]


def test_detail_is_part_of_the_key():
    other_year = finding(detail="2025")
    new, _, fixed = compare([other_year], roundtrip([A]))
    assert new == [other_year] and len(fixed) == 1


def test_order_of_findings_is_kept():
    new, known, _ = compare([C, B, A], roundtrip([A, C]))
    assert known == [C, A] and new == [B]


@pytest.mark.parametrize("text, message", [
    ("{not json", "not a baseline file"),
    ("[]", "not a baseline file"),
    ('{"schema": "other"}', "not a baseline file"),
    ('{"schema": "nap-rules/baseline/v1", "findings": {}}', "must be a list"),
    ('{"schema": "nap-rules/baseline/v1", "findings": [{"rule": "X"}]}', "finding 1 needs"),
])
def test_unreadable_baselines_are_input_errors(text, message):
    with pytest.raises(InputError) as err:
        read_baseline(text, "b.json")
    assert message in str(err.value) and str(err.value).startswith("b.json")


def test_json_errors_are_located():
    with pytest.raises(InputError) as err:
        read_baseline('{\n  "schema": x}', "b.json")
    assert str(err.value).startswith("b.json:2:")


def test_entries_of_keeps_message_and_file_for_people():
    (entry,) = entries_of([A])
    assert entry == BaselineEntry(A.rule, A.node, A.detail, A.message, A.file)


keys = st.tuples(st.sampled_from(["NAP-A-001", "NAP-B-002"]), st.sampled_from(["n:1", "n:2"]), st.sampled_from(["", "x"]))


@given(st.lists(keys, max_size=8), st.lists(keys, max_size=8))
def test_compare_partitions_both_sides(current_keys, baseline_keys):
    current = [finding(rule=r, node=n, detail=d, line=i + 1) for i, (r, n, d) in enumerate(current_keys)]
    baseline = entries_of(finding(rule=r, node=n, detail=d) for r, n, d in baseline_keys)
    new, known, fixed = compare(current, baseline)
    assert sorted(map(id, new + known)) == sorted(map(id, current))
    assert len(known) + len(fixed) == len(baseline)
    for k in set(current_keys) | set(baseline_keys):
        have, had = current_keys.count(k), baseline_keys.count(k)
        assert sum(semantic_key(f) == k for f in new) == max(0, have - had)
        assert sum(semantic_key(e) == k for e in fixed) == max(0, had - have)
