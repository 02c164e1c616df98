"""Waivers: matching by rule id or prefix and node, expiry on a pinned date, unused waivers."""

from __future__ import annotations

import datetime

import pytest

from nap_rules.findings import Finding
from nap_rules.load.locations import Location
from nap_rules.review.waivers import EXPIRED, UNUSED, apply_waivers
from nap_rules.ruleset.config import Waiver, load_config

DAY = datetime.date(2023, 6, 30)
CONFIG = ".nap-rules.yaml"


def finding(rule="NAP-TIME-002", node="measure:1.1.1"):
    return Finding(rule, "warning", node, "m", "plan/goals/PG1.yaml", 10, 3)


def waiver(rule="NAP-TIME-002", node="measure:1.1.1", expires=None, line=4):
    return Waiver(rule, node, "agreed delay", "Steering committee", expires, Location(CONFIG, line, 5))


def test_a_waiver_matches_rule_and_node():
    f, other_node, other_rule = finding(), finding(node="measure:1.1.2"), finding(rule="NAP-BUD-001")
    kept, waived, notes = apply_waivers([f, other_node, other_rule], [waiver()], DAY)
    assert kept == [other_node, other_rule]
    assert [(w.finding, w.waiver.reason) for w in waived] == [(f, "agreed delay")]
    assert notes == []


@pytest.mark.parametrize("prefix, covered", [
    ("NAP-TIME", True), ("NAP", True), ("NAP-TIME-002", True),
    ("NAP-TI", False), ("NAP-TIME-00", False), ("NAP-BUD", False),
])
def test_rule_prefixes_end_at_a_dash(prefix, covered):
    kept, waived, _ = apply_waivers([finding()], [waiver(rule=prefix)], DAY)
    assert bool(waived) is covered and bool(kept) is not covered


def test_a_waiver_applies_through_its_expiry_day():
    _, waived, notes = apply_waivers([finding()], [waiver(expires=DAY)], DAY)
    assert len(waived) == 1 and notes == []


def test_an_expired_waiver_stops_waiving_and_says_so():
    f = finding()
    kept, waived, notes = apply_waivers([f], [waiver(expires=DAY, line=7)], DAY + datetime.timedelta(days=1))
    assert kept == [f] and waived == []
    (note,) = notes
    assert (note.rule, note.severity, note.file, note.line, note.column) == (EXPIRED, "info", CONFIG, 7, 5)
    assert "expired on 2023-06-30" in note.message and "reported again" in note.message
    assert dict(note.values)["as_of"] == "2023-07-01"


def test_expiry_depends_only_on_the_pinned_date():
    w = waiver(expires=datetime.date(2024, 1, 31))
    assert apply_waivers([finding()], [w], datetime.date(2024, 1, 31))[1]
    assert not apply_waivers([finding()], [w], datetime.date(2024, 2, 1))[1]


def test_a_waiver_that_matches_nothing_is_reported():
    kept, waived, notes = apply_waivers([finding(rule="NAP-BUD-001")], [waiver(line=9)], DAY)
    (note,) = notes
    assert (note.rule, note.severity, note.line) == (UNUSED, "info", 9)
    assert "matches no finding" in note.message


def test_first_matching_waiver_takes_the_finding_and_the_other_is_unused():
    first, second = waiver(rule="NAP-TIME", line=3), waiver(line=8)
    _, waived, notes = apply_waivers([finding()], [first, second], DAY)
    assert waived[0].waiver is first
    assert [(n.rule, n.line) for n in notes] == [(UNUSED, 8)]


def test_one_waiver_can_waive_several_findings():
    fs = [finding(), finding(rule="NAP-TIME-003")]
    kept, waived, notes = apply_waivers(fs, [waiver(rule="NAP-TIME")], DAY)
    assert kept == [] and len(waived) == 2 and notes == []


def test_waivers_read_from_the_config_point_at_their_place_in_it(tmp_path):
    (tmp_path / CONFIG).write_text(
        "schema: nap-rules/config/v1\n"
        "waivers:\n"
        "  - rule: NAP-TIME\n"
        "    node: measure:1.1.1\n"
        "    reason: agreed delay\n"
        "    approved_by: Steering committee\n"
        "    expires: 2023-06-30\n", encoding="utf-8")
    config = load_config(tmp_path, "plan")
    (w,) = config.waivers
    assert w.expires == DAY
    _, _, (note,) = apply_waivers([finding()], config.waivers, datetime.date(2023, 7, 1))
    assert (note.rule, note.file, note.line) == (EXPIRED, "plan/.nap-rules.yaml", 3)


@pytest.mark.parametrize("rule, node, suggestion", [
    ("NAP-TIME-002", "1.1.10", "did you mean node 'measure:1.1.10'?"),
    ("NAP-TIME-002", "measure:1.1.01", "did you mean node 'measure:1.1.10'?"),
    ("NAP-TIME", "measure 1.1.10", "did you mean node 'measure:1.1.10'?"),
    ("NAP-TIME-020", "measure:1.1.10", "did you mean rule 'NAP-TIME-002'?"),
    ("NAP-BUDGET-001", "measure:1.1.10", "findings on measure:1.1.10: NAP-TIME-002"),
])
def test_a_waiver_that_nearly_matches_says_what_it_was_meant_for(rule, node, suggestion):
    kept, waived, (note,) = apply_waivers([finding(node="measure:1.1.10")], [waiver(rule=rule, node=node)], DAY)
    assert not waived and note.rule == UNUSED
    assert note.message.endswith(f"remove it, or correct its rule or node ({suggestion})")
