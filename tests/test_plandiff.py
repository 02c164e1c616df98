"""nap-rules diff in plan terms: exactly the changes made, and the findings they add or fix."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from nap_rules.revisions.changes import Change
from nap_rules.revisions.diff import (
    describe,
    diff_plans,
    diff_specs,
    render_text,
    to_json,
)
from nap_rules.revisions.git import export_revision
from planedits import copy_plan, edit, revise
from planfactory import goal, measure, write_plan

from nap_rules.errors import InputError
from nap_rules.findings import Finding
from nap_rules.run.pipeline import validate


@pytest.fixture(scope="module")
def published():
    return validate(Path(__file__).resolve().parent.parent / "plan")


@pytest.fixture(scope="module")
def revised_diff(tmp_path_factory, published):
    root = revise(copy_plan(tmp_path_factory.mktemp("rev") / "plan"))
    return diff_plans(published, validate(root))


def test_the_revision_lists_exactly_the_changes_made(revised_diff):
    assert [(c.kind, c.node, c.field, c.old, c.new) for c in revised_diff.changes] == [
        ("responsibility_moved", "measure:1.1.2", "responsible", ["MB"], ["MI"]),
        ("target_changed", "indicator:1.1.3-a", "targets.2022", 70, 75),
        ("budget_line_changed", "budget_line:PG1-current", "total_cost", 50677784, 50000000),
    ]


def test_budget_changes_carry_absolute_and_relative_change(revised_diff):
    line = revised_diff.changes[2]
    assert line.delta == -677784 and line.percent == Decimal("-1.34")
    (total,) = revised_diff.line_totals
    assert (total.field, total.old, total.new) == ("lines.total_cost", 412552420, 411874636)


def test_the_revision_fixes_the_unknown_body_and_adds_nothing(revised_diff, published):
    assert revised_diff.new_findings == []
    assert [(f.rule, f.node, f.detail) for f in revised_diff.fixed_findings] == [
        ("NAP-REF-001", "measure:1.1.2", "institution:MB")]
    assert len(revised_diff.unchanged_findings) == len(published.findings) - 1


def test_diff_writes_values_in_the_formats_of_rule_messages():
    """Amounts as `{x:money}` (two decimals unless whole), other numbers and years as a plain
    placeholder writes them, percentages as `{x:pct}`: model.values.format_value, as messages."""
    from nap_rules.model.values import format_value

    line = Change("budget_line_changed", "budget_line:PG1-current", "planned", Decimal("1234.5"), 1300)
    assert describe(line) == "budget line PG1-current: planned 1,234.50 → 1,300 (+65.50, +5.31%)"
    assert format_value(Decimal("1234.5"), "money") in describe(line)
    total = Change("total_changed", "plan", "published_totals.in_currency.EUR.gap", 381434, 400000)
    assert describe(total) == "published gap in EUR: 381,434 → 400,000 (+18,566, +4.87%)"
    target = Change("target_changed", "indicator:3.1.1-b", "targets.2023", 900000, Decimal("950000.5"))
    assert describe(target) == "indicator 3.1.1-b: target 2023 900000 → 950000.5 (+50000.5, +5.56%)"
    moved = Change("measure_redated", "measure:1.1.1", "deadline", 2022, 2023)
    assert describe(moved) == "measure 1.1.1: deadline 2022 → 2023"


def test_text_output_in_plan_terms(revised_diff):
    text = render_text(revised_diff)
    assert "measure 1.1.2: responsible MB → MI" in text
    assert "indicator 1.1.3-a: target 2022 70 → 75 (+5, +7.14%)" in text
    assert "budget line PG1-current: total_cost 50,677,784 → 50,000,000 (-677,784, -1.34%)" in text
    assert "New findings in" in text and "Findings fixed since" in text
    assert "NAP-REF-001  body not in institutions.yaml: 'MB'" in text


def test_json_output(revised_diff):
    doc = json.loads(to_json(revised_diff))
    assert doc["summary"] == {"changes": 3, "new": 0, "fixed": 1, "unchanged": len(revised_diff.unchanged_findings)}
    assert doc["changes"][2] == {"kind": "budget_line_changed", "node": "budget_line:PG1-current", "field": "total_cost",
                                 "old": 50677784, "new": 50000000, "delta": -677784, "percent": -1.34}


def test_identical_plans_have_no_changes(published):
    diff = diff_plans(published, published)
    assert diff.changes == [] and diff.line_totals == [] and diff.new_findings == diff.fixed_findings == []
    assert "no changes in the plan" in render_text(diff)


def test_measures_added_removed_retitled_redated_moved(tmp_path):
    old = write_plan(tmp_path / "old", goals=[goal("PG1", [measure("1.1.1"), measure("1.1.2"), measure("1.1.3")])])
    changed = measure("1.1.1", title="New title", start=2022, deadline=2024, contributing=["MI"])
    changed["indicators"][0]["baseline"] = {"year": 2020, "value": 5}
    new = write_plan(tmp_path / "new", goals=[goal("PG1", [changed, measure("1.1.3"), measure("1.1.4")])])
    diff = diff_plans(validate(old), validate(new))
    assert [(c.kind, c.node, c.field) for c in diff.changes] == [
        ("measure_added", "measure:1.1.4", "title"),
        ("measure_removed", "measure:1.1.2", "title"),
        ("measure_retitled", "measure:1.1.1", "title"),
        ("measure_redated", "measure:1.1.1", "deadline"),
        ("measure_redated", "measure:1.1.1", "start"),
        ("responsibility_moved", "measure:1.1.1", "contributing"),
        ("baseline_changed", "indicator:1.1.1-a", "baseline.value"),
    ]
    assert describe(diff.changes[0]) == "measure 1.1.4 added: Measure 1.1.4"


def test_a_new_spelling_of_the_same_body_is_not_a_move(tmp_path):
    old = write_plan(tmp_path / "old", goals=[goal("PG1", [measure("1.1.1", responsible=["MI"])])])
    new = write_plan(tmp_path / "new", goals=[goal("PG1", [measure("1.1.1", responsible=["MIA"])])])
    assert diff_plans(validate(old), validate(new)).changes == []


def test_findings_are_matched_by_semantic_key(published):
    def f(line, detail="x", message="m"):
        return Finding("NAP-X-001", "warning", "measure:1.1.1", message, "plan/goals/PG1.yaml", line, 1, detail=detail)

    diff = diff_plans(published, published, old_findings=[f(10), f(20, "gone")], new_findings=[f(99, message="moved"), f(5, "added", )])
    assert [x.detail for x in diff.new_findings] == ["added"]
    assert [x.detail for x in diff.fixed_findings] == ["gone"]
    assert [x.line for x in diff.unchanged_findings] == [99]
    assert [x.detail for x in diff.added_at_or_above("warning")] == ["added"]
    assert diff.added_at_or_above("error") == [] and diff.added_at_or_above("never") == []


def test_a_side_with_schema_errors_is_noted(tmp_path, published):
    broken = copy_plan(tmp_path / "plan")
    edit(broken / "plan.yaml", "baseline_year: 2020", "baseline_year: twenty")
    diff = diff_plans(published, validate(broken))
    assert diff.changes == [] and "breaks the schemas" in diff.notes[0]
    assert any(f.rule.startswith("NAP-SCHEMA") for f in diff.new_findings)


def test_percent_is_absent_when_old_is_zero():
    change = Change("budget_line_changed", "budget_line:x", "gap", 0, 10)
    assert change.delta == 10 and change.percent is None
    assert Change("target_changed", "indicator:x", "targets.2022", None, 3).delta is None


# --- git:REV ------------------------------------------------------------------------------------

def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    copy_plan(root / "plans" / "nap")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "published plan")
    return root


def test_git_revision_against_the_working_copy(repo, monkeypatch):
    monkeypatch.chdir(repo)
    revise(Path("plans/nap"))
    diff = diff_specs("git:HEAD", "plans/nap")
    assert [c.kind for c in diff.changes] == ["responsibility_moved", "target_changed", "budget_line_changed"]
    assert diff.old == "git:HEAD (plans/nap)" and diff.new == "plans/nap"
    # the findings of the exported revision point at the folder in the repository, not the export
    assert {f.file.split("/goals/")[0] for f in diff.fixed_findings} == {"plans/nap"}


def test_git_revision_to_revision(repo, monkeypatch):
    monkeypatch.chdir(repo)
    revise(Path("plans/nap"))
    git(repo, "commit", "-q", "-am", "revision")
    diff = diff_specs("git:HEAD~1", "git:HEAD", reference="plans/nap")
    assert len(diff.changes) == 3 and len(diff.fixed_findings) == 1


@pytest.mark.parametrize("rev, message", [
    ("no-such-rev", "unknown revision"),
    ("-x", "expected a revision"),
    ("", "expected a revision"),
])
def test_git_errors_are_input_errors(repo, tmp_path, rev, message):
    with pytest.raises(InputError) as err:
        export_revision(rev, str(repo / "plans" / "nap"), tmp_path / "out")
    assert message in str(err.value)


def test_git_folder_missing_in_revision(repo, tmp_path):
    (repo / "plans" / "later").mkdir()
    with pytest.raises(InputError) as err:
        export_revision("HEAD", str(repo / "plans" / "later"), tmp_path / "out")
    assert "HEAD has no folder plans/later" in str(err.value)
    assert "name the plan's folder with --plan-dir (plan folders there: plans/nap)" in str(err.value)
    assert "fatal" not in str(err.value) and "pathspec" not in str(err.value)


def test_outside_a_repository(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = copy_plan(tmp_path / "plan")
    with pytest.raises(InputError) as err:
        export_revision("HEAD", str(folder), tmp_path / "out")
    assert f"git:HEAD: {folder} is not in a git repository" in str(err.value) and "fatal" not in str(err.value)


def test_goals_and_objectives_added_removed_and_retitled(tmp_path):
    old = write_plan(tmp_path / "old", goals=[goal("PG1"), goal("PG2")])
    new = write_plan(tmp_path / "new", goals=[goal("PG1", title="Prevention"), goal("PG3")])
    diff = diff_plans(validate(old), validate(new))
    outline = [(c.kind, c.node) for c in diff.changes if not c.kind.startswith(("measure", "indicator"))]
    assert outline == [("goal_added", "goal:PG3"), ("goal_removed", "goal:PG2"), ("goal_retitled", "goal:PG1"),
                       ("objective_added", "objective:3.1"), ("objective_removed", "objective:2.1")]
    text = render_text(diff)
    assert "Goals and objectives:\n  goal PG3 added: Goal PG3\n" in text
    assert 'goal PG1 retitled: "Goal PG1" → "Prevention"' in text
