"""`check --cache` re-evaluates only what a change reaches, and reports exactly what a run
without a cache reports: after any sequence of edits, the two JSON reports are the same bytes."""

from __future__ import annotations

import datetime
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nap_rules.incremental.recheck import CachedRun, check_cached

from nap_rules.check import run_check
from nap_rules.load.yaml_reader import DEFAULT_READ_LIMITS
from nap_rules.report import render
from nap_rules.ruleset.rules import load_rulesets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

AS_OF = datetime.date(2022, 6, 30)
BENCH_RULES = ROOT / "benchmarks" / "rules"
REACH_RULES = ROOT / "tests" / "incremental-rules"
SETUPS = {
    "bench rules": dict(rule_dirs=(str(BENCH_RULES),), standard_rules=False),
    "reach rules": dict(rule_dirs=(str(REACH_RULES),), standard_rules=False),
    "reach rules and a listing": dict(rule_dirs=(str(REACH_RULES), str(REACH_RULES / "kinds")), standard_rules=False),
    "a search": dict(rule_dirs=(str(REACH_RULES / "search"),), standard_rules=False),
    "standard rules": dict(),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    plan = tmp_path_factory.mktemp("plans") / "generated"
    generate.generate(60, plan, seed=3, defect_rate=0.1)
    return plan


def report_json(plan: Path, cache: Path | None, options: dict) -> str:
    return render("json", run_check(str(plan), as_of=AS_OF, cache=str(cache) if cache else None, **options))


# --- edits of one goal file --------------------------------------------------------------------

def _measures(doc):
    return [m for o in doc.get("objectives", []) for m in o.get("measures", [])]


def edit(plan: Path, rng: random.Random, what: str) -> None:
    """Apply the edit `what` to a goal file (or, for "budget", to budget.yaml) chosen by `rng`."""
    if what == "budget":
        path = plan / "budget.yaml"
        doc = yaml.safe_load(path.read_text())
        line = rng.choice(doc["lines"])
        line["total_cost"] = line["total_cost"] + rng.choice([0, 10_000])
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        return
    goals = sorted((plan / "goals").glob("*.yaml"))
    path = rng.choice(goals)
    if what == "comment":
        path.write_text(path.read_text() + f"# edited {rng.random()}\n")
        return
    doc = yaml.safe_load(path.read_text())
    measures = _measures(doc)
    m = rng.choice(measures) if measures else None
    if what == "dates" and m:
        m["start"], m["deadline"] = rng.choice([(2021, 2023), (2023, 2021), (2019, 2022), (2022, 2022)])
    elif what == "responsible" and m:
        m["responsible"] = rng.choice([[], ["NO-SUCH-BODY"], list(m.get("contributing") or [])[:1]])
    elif what == "cost" and m and m.get("cost"):
        m["cost"][0]["amount"] = m["cost"][0]["amount"] + rng.choice([0, 5_000, -5_000])
    elif what == "targets" and m and m.get("indicators"):
        ind = rng.choice(m["indicators"])
        ind["targets"] = {2019: 1, 2025: 2} if rng.random() < 0.5 else {2021: 3}
    elif what == "drop" and m:
        for o in doc["objectives"]:
            if m in o.get("measures", []):
                o["measures"].remove(m)
    elif what == "copy" and m:
        twin = yaml.safe_load(yaml.safe_dump(m))
        twin["id"] = rng.choice([m["id"], m["id"] + ".9"])  # the same id again, or a new one
        for ind in twin.get("indicators") or []:
            ind["id"] = ind["id"] + ".9"
        doc["objectives"][0].setdefault("measures", []).append(twin)
    elif what == "foreign id" and m:
        # an id another goal file already uses
        other = yaml.safe_load(rng.choice([g for g in goals if g != path] or goals).read_text())
        theirs = _measures(other)
        if theirs:
            m["id"] = rng.choice(theirs)["id"]
    elif what == "title" and m:
        bodies = yaml.safe_load((plan / "institutions.yaml").read_text())["institutions"]
        m["title"] = rng.choice(bodies)["name"]
    elif what == "goal id":
        doc["id"] = rng.choice([doc["id"] + "X", doc["id"].rstrip("X") or doc["id"]])  # renamed, or back
    elif what == "outcome":
        doc["outcome_indicators"] = rng.choice([[], ["OI-1"], ["OI-404"], ["OI-1", "OI-2"]])
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


EDITS = ("comment", "dates", "responsible", "cost", "targets", "drop", "copy", "foreign id", "title", "goal id",
         "outcome", "budget")


@pytest.mark.slow  # about 15-90 s per setup: the thorough profile runs it
@pytest.mark.parametrize("setup", sorted(SETUPS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 2**16)), min_size=1, max_size=3))
def test_cached_runs_report_what_uncached_runs_report(generated, setup, steps):
    options = SETUPS[setup]
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        shutil.copytree(generated, plan)
        cache = Path(tmp) / "cache"
        assert report_json(plan, cache, options) == report_json(plan, None, options)
        for what, seed in steps:
            edit(plan, random.Random(seed), what)
            assert report_json(plan, cache, options) == report_json(plan, None, options), (what, seed)


# --- edits of single lines: a re-check that reads the changed items only -------------------------

LINE_EDITS = {
    "year": (r"(\b(?:start|deadline): )\d+", lambda rng, _: str(rng.choice([2019, 2021, 2022, 2023, 2026]))),
    "title": (r"(^\s{8}title: ).*", lambda rng, lines: rng.choice(
        [m.group(0) for m in (re.search(r"(?<=title: ).*", t) for t in lines) if m] + ["A new title"])),
    "name": (r"(\bname: ).*", lambda rng, _: rng.choice(["Number of trainings held", "A new name"])),
    "amount": (r"(\bamount: )\d+", lambda rng, _: str(rng.choice([0, 5_000, 1_670_000]))),
    "target": (r"(\b2022: )[^,}]+", lambda rng, _: rng.choice(["null", "7", "1000"])),
    "responsible": (r"(\bresponsible: )\[[^]]*\]", lambda rng, _: rng.choice(["[]", "[NO-SUCH-BODY]", "[RM]"])),
}


def edit_line(plan: Path, rng: random.Random, what: str) -> bool:
    """One line of a goal file chosen by `rng` changed in place, as an editor would (`what`);
    whether the text changed."""
    pattern, value = LINE_EDITS[what]
    path = rng.choice(sorted((plan / "goals").glob("*.yaml")))
    text = path.read_text()
    lines = text.split("\n")
    where = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    if where:
        i = rng.choice(where)
        lines[i] = re.sub(pattern, lambda m: m.group(1) + value(rng, lines), lines[i], count=1)
    path.write_text("\n".join(lines))
    return "\n".join(lines) != text


@pytest.mark.parametrize("setup", [pytest.param(s, marks=[pytest.mark.slow] if s == "standard rules" else [])
                                   for s in sorted(SETUPS)])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(LINE_EDITS)), st.integers(0, 2**16)), min_size=1, max_size=4))
def test_line_edits_recheck_what_an_uncached_run_reports(generated, setup, steps, monkeypatch):
    options = SETUPS[setup]
    seen = []
    real = CachedRun._in_lines
    monkeypatch.setattr(CachedRun, "_in_lines", lambda *a: seen.append(real(*a)) or seen[-1])
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"
        shutil.copytree(generated, plan)
        cache = Path(tmp) / "cache"
        report_json(plan, cache, options)
        for what, seed in steps:
            changed = edit_line(plan, random.Random(seed), what)
            seen.clear()
            assert report_json(plan, cache, options) == report_json(plan, None, options), (what, seed)
            if changed:
                # a change of fields alone is re-checked node by node; a change of the bodies is not
                assert seen and bool(seen[-1][0]) == (what != "responsible"), (what, seed, seen)  # the last try


# the quick suite tries three kinds of edit on the published plan, the thorough profile every kind
QUICK_EDITS = ("dates", "drop", "foreign id")


@pytest.mark.parametrize("what", [pytest.param(what, marks=[] if what in QUICK_EDITS else [pytest.mark.slow])
                                  for what in EDITS])
def test_published_plan_edits(what, tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan)
    cache = tmp_path / "cache"
    report_json(plan, cache, {})
    for seed in range(3):
        edit(plan, random.Random(seed), what)
        assert report_json(plan, cache, {}) == report_json(plan, None, {}), seed


# --- the snapshot is used when it can be, and only then -------------------------------------------

def outcome(plan: Path, cache: Path, rule_dirs=(BENCH_RULES,)):
    rules = load_rulesets(list(rule_dirs))
    return check_cached(str(plan), rules, as_of=AS_OF, limits=DEFAULT_READ_LIMITS, progress_dirs=(), cache_dir=cache,
                        params_override={})


@pytest.mark.parametrize("rule_dirs", [(BENCH_RULES,), (REACH_RULES,)], ids=["bench", "reach"])
@pytest.mark.parametrize("what, incremental", [
    ("comment", True), ("dates", True), ("responsible", True), ("cost", True), ("targets", True), ("drop", True),
    ("budget", False), ("foreign id", False),
])
def test_which_changes_are_checked_incrementally(generated, tmp_path, rule_dirs, what, incremental):
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    assert not outcome(plan, cache, rule_dirs).incremental  # nothing to start from
    assert outcome(plan, cache, rule_dirs).incremental  # nothing changed
    edit(plan, random.Random(7), what)
    assert outcome(plan, cache, rule_dirs).incremental is incremental


@pytest.mark.parametrize("what", ["comment", "drop", "copy"])
def test_a_listing_of_measures_is_reached_only_by_a_change_of_the_measures(generated, tmp_path, what):
    """A rule that lists every measure is evaluated again when a goal file's measures change
    and kept otherwise; either way without reading the other goal files."""
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    dirs = (REACH_RULES, REACH_RULES / "kinds")
    outcome(plan, cache, dirs)
    edit(plan, random.Random(7), what)
    result = outcome(plan, cache, dirs)
    assert result.incremental
    assert len([f for f in result.files.files if f.kind == "goal"]) == 1
    options = SETUPS["reach rules and a listing"]
    assert report_json(plan, cache, options) == report_json(plan, None, options)


def test_a_partial_graph_reads_only_the_changed_goal_file(generated, tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    outcome(plan, cache)
    goal = plan / "goals" / "PG3.yaml"
    goal.write_text(goal.read_text() + "# touched\n")
    result = outcome(plan, cache)
    assert result.incremental
    read = {f.display for f in result.files.files}
    assert {d for d in read if "/goals/" in d} == {str(plan / "goals" / "PG3.yaml")}
    assert result.file_count == len(list((plan / "goals").glob("*.yaml"))) + 4


def test_a_damaged_snapshot_is_a_full_run(generated, tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    outcome(plan, cache)
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[:-7])
    result = outcome(plan, cache)
    assert not result.incremental
    assert report_json(plan, cache, SETUPS["bench rules"]) == report_json(plan, None, SETUPS["bench rules"])


def test_a_reference_that_comes_and_goes_with_a_goal_id(generated, tmp_path):
    """budget.yaml names goal PG3: renaming the goal leaves that reference unresolved (a missing
    node no goal file links to), renaming it back resolves it again."""
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    options = SETUPS["reach rules"]
    goal = plan / "goals" / "PG3.yaml"
    published = goal.read_text()
    for text in (published, published.replace("id: PG3\n", "id: PG3X\n"), published):
        goal.write_text(text)
        assert report_json(plan, cache, options) == report_json(plan, None, options)
    assert outcome(plan, cache, (REACH_RULES,)).incremental


def test_the_standard_rules_recheck_an_edited_goal_file_of_the_published_plan(tmp_path):
    plan = tmp_path / "plan"
    shutil.copytree(ROOT / "plan", plan)
    cache = tmp_path / "cache"
    rules = load_rulesets([ROOT / "rules"])

    def run():
        return check_cached(str(plan), rules, as_of=AS_OF, limits=DEFAULT_READ_LIMITS, progress_dirs=(), cache_dir=cache,
                            params_override={})

    run()
    # PG1: PG2 and PG3 share an indicator name, so a change to either reaches the other file
    goal = plan / "goals" / "PG1.yaml"
    goal.write_text(goal.read_text().replace("deadline: 2023", "deadline: 2022", 1))
    again = run()
    assert again.incremental
    assert report_json(plan, cache, {}) == report_json(plan, None, {})


def _set_in_goal(plan: Path, goal: str, change) -> None:
    path = plan / "goals" / f"{goal}.yaml"
    doc = yaml.safe_load(path.read_text())
    change(_measures(doc)[0])
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


@pytest.mark.parametrize("first, second", [("PG5", "PG2"), ("PG2", "PG5")])
def test_two_goal_files_find_the_same_body_name(generated, tmp_path, first, second):
    """A search from a body finds measures of several goal files, in the order of the whole plan."""
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    options = SETUPS["a search"]
    name = yaml.safe_load((plan / "institutions.yaml").read_text())["institutions"][0]["name"]
    report_json(plan, cache, options)
    for goal in (first, second):
        _set_in_goal(plan, goal, lambda m: m.__setitem__("title", name))
        assert report_json(plan, cache, options) == report_json(plan, None, options)
    assert outcome(plan, cache, (REACH_RULES / "search",)).incremental


def test_two_goal_files_name_the_same_unregistered_body(generated, tmp_path):
    """A missing node referred to from several goal files counts its references as the whole plan does."""
    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    options = SETUPS["reach rules"]
    report_json(plan, cache, options)
    for goal, bodies in (("PG2", ["NO-SUCH-BODY"]), ("PG5", ["NO-SUCH-BODY"]), ("PG5", ["NO-SUCH-BODY", "X"]),
                         ("PG5", [])):
        _set_in_goal(plan, goal, lambda m: m.__setitem__("contributing", bodies))
        assert report_json(plan, cache, options) == report_json(plan, None, options), (goal, bodies)


def test_a_snapshot_of_another_shape_is_a_full_run(generated, tmp_path):
    """An entry that passes its checksum but is not a snapshot of this format is not used."""
    from nap_rules.incremental.recheck import list_files
    from nap_rules.incremental.snapshot import SNAPSHOT_TYPES, run_key

    from nap_rules.load.file_cache import FileCache

    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    rules = load_rulesets([BENCH_RULES])
    outcome(plan, cache)
    files = FileCache(cache, DEFAULT_READ_LIMITS)
    list_files(str(plan), DEFAULT_READ_LIMITS, (), files)
    name = run_key(files, rules, {}, AS_OF, DEFAULT_READ_LIMITS, str(plan), ())
    snapshot = files.get(name, SNAPSHOT_TYPES)
    assert snapshot is not None and outcome(plan, cache).incremental
    assert all(f.summary is None and isinstance(f.ref, bytes) for f in snapshot.files)  # each its own entry
    for broken in (snapshot._replace(files=()), snapshot._replace(missing=None), dict(snapshot._asdict()),
                   snapshot._replace(files=tuple(f[:3] + ({},) for f in snapshot.files)),
                   snapshot._replace(files=tuple(f._replace(ref=f.key) for f in snapshot.files))):
        files.put(name, broken)
        assert not outcome(plan, cache).incremental
    # a summary's entry gone (or torn): the snapshot cannot be used
    outcome(plan, cache)
    stored = files.get(name, SNAPSHOT_TYPES)
    assert outcome(plan, cache).incremental
    (cache / f"{stored.files[-1].ref.hex()}.entry").unlink()
    assert not outcome(plan, cache).incremental
    assert report_json(plan, cache, SETUPS["bench rules"]) == report_json(plan, None, SETUPS["bench rules"])


def test_check_plan_gives_the_whole_graph_and_files_on_every_path(generated, tmp_path):
    """A re-check reads only some files, but its Validated holds every file and the whole graph,
    as a run without a cache does, once asked for them."""
    from nap_rules.check import check_plan

    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    options = dict(rule_dirs=(str(BENCH_RULES),), standard_rules=False, as_of=AS_OF)
    check_plan(str(plan), cache=str(cache), **options)
    edit(plan, random.Random(7), "dates")
    cached, cached_report = check_plan(str(plan), cache=str(cache), **options)
    plain, plain_report = check_plan(str(plan), **options)
    assert render("json", cached_report) == render("json", plain_report)
    assert [f.display for f in cached.files.files] == [f.display for f in plain.files.files]
    assert list(cached.graph.nodes) == list(plain.graph.nodes)
    assert list(cached.graph.edges(keys=True, data="rel")) == list(plain.graph.edges(keys=True, data="rel"))


@pytest.mark.parametrize("field, reached", [("deadline", False), ("amount", True)])
def test_a_budget_line_is_evaluated_again_only_when_a_cost_changed(generated, tmp_path, monkeypatch, field, reached):
    """BENCH-006 sums the costs of a goal's measures from budget.yaml: a deadline edit leaves
    what it read alone, a cost edit does not."""
    from nap_rules.incremental import planning

    plan = tmp_path / "plan"
    shutil.copytree(generated, plan)
    cache = tmp_path / "cache"
    outcome(plan, cache)
    goal = plan / "goals" / "PG2.yaml"
    goal.write_text(re.sub(rf"(\b{field}: )(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + 1), goal.read_text(),
                           count=1))
    planned = {}
    real = planning.Planner.__call__
    monkeypatch.setattr(planning.Planner, "__call__",
                        lambda self, rule: planned.setdefault(rule.id, real(self, rule)))
    assert outcome(plan, cache).incremental
    goal_lines = [k for k in planned["BENCH-006"][0] if "/" not in k]  # not a measure's cost line
    assert bool(goal_lines) is reached
    options = SETUPS["bench rules"]
    assert report_json(plan, cache, options) == report_json(plan, None, options)


# --- file summaries ----------------------------------------------------------------------------

def _summaries_both_ways(plan: Path):
    from nap_rules.incremental.partial import RecordingBuilder
    from nap_rules.incremental.snapshot import summarize
    from nap_rules.load.plan_folder import read_plan_dir

    files = read_plan_dir(plan)
    builder = RecordingBuilder(files)
    builder.build_plan_graph()
    displays = [f.display for f in files.files]
    goals = [f.display for f in files.files if f.kind == "goal"]
    return (summarize(builder, displays, goals, every_edge_recorded=True), summarize(builder, displays, goals))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 2**16)), min_size=1, max_size=3))
def test_a_full_run_finds_the_links_between_files_among_the_edges_it_recorded(generated, tmp_path_factory, steps):
    """A run that read every file summarizes each goal file's links from the edges between files
    it recorded; they are those a walk of the adjacency of each of the file's nodes finds."""
    plan = tmp_path_factory.mktemp("summaries") / "plan"
    shutil.copytree(generated, plan)
    for what, seed in steps:
        edit(plan, random.Random(seed), what)
    recorded, walked = _summaries_both_ways(plan)
    assert recorded == walked
    assert any(s.links for s in recorded.values()) and any(s.edges for s in recorded.values())


def test_the_published_plan_summarized_from_recorded_edges():
    recorded, walked = _summaries_both_ways(ROOT / "plan")
    assert recorded == walked
    assert any(s.missing for s in recorded.values())  # the published plan names bodies no registry has
