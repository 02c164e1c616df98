"""Reading again only the changed lines of a file (nap_rules.load.reparse): the result is what
reading the whole new text gives, values and positions alike, or None."""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from benchmarks_generate import generate_plan
from nap_rules.check import run_check
from nap_rules.errors import InputError
from nap_rules.incremental import recheck
from nap_rules.load.file_cache import FileCache
from nap_rules.load.plan_folder import display_path
from nap_rules.load import reparse as reparse_module
from nap_rules.load.locations import LocList, LocMap
from nap_rules.load.reparse import reparse
from nap_rules.load.schema_check import check_document, items_pass
from nap_rules.load.yaml_reader import DEFAULT_READ_LIMITS, load_yaml_data
from nap_rules.report import render

FILE = "goals/PG1.yaml"
BENCH_RULES = Path(__file__).resolve().parents[1] / "benchmarks" / "rules"


def shape(node):
    """Everything a reader gives: types, values, and the place of every mapping, key and item."""
    if isinstance(node, LocMap):
        return ("map", node.loc, [(k, node.key_locs[k], shape(v)) for k, v in node.items()])
    if isinstance(node, LocList):
        return ("list", node.loc, [(node.item_locs[i], shape(v)) for i, v in enumerate(node)])
    return (type(node).__name__, node)


def read(data: bytes, limits=DEFAULT_READ_LIMITS):
    return load_yaml_data(data, FILE, limits)


def outcome(old: bytes, new: bytes, limits=DEFAULT_READ_LIMITS):
    """(what reparse gives, what reading `new` whole gives: its shape, or the InputError's text)."""
    try:
        whole = shape(read(new, limits))
    except InputError as exc:
        whole = str(exc)
    got = reparse(old, new, read(old, limits), FILE, limits)
    return (None if got is None else shape(got.doc)), whole


@pytest.fixture(scope="module")
def goal_text(tmp_path_factory) -> bytes:
    plan = generate_plan(tmp_path_factory.mktemp("plan"), 400, seed=5)
    return (plan / "goals" / "PG1.yaml").read_bytes()


def test_an_edited_value_is_read_again_alone(goal_text, monkeypatch):
    new = re.sub(rb"deadline: (\d+)", lambda m: b"deadline: %d" % (int(m.group(1)) + 1), goal_text, count=1)
    new = re.sub(rb"(\n      - id: \S+\n        title: )", rb"\1Retitled ", new, count=2) + b"# edited\n"
    parsed = []
    real = reparse_module.load_yaml_text
    monkeypatch.setattr(reparse_module, "load_yaml_text",
                        lambda text, *a, **k: parsed.append(len(text.lstrip("\n"))) or real(text, *a, **k))
    got, whole = outcome(goal_text, new)
    assert got is not None and got == whole
    # the old and the new lines of two measures, not the file
    assert len(parsed) == 4 and max(parsed) < len(goal_text) / 20  # a file of 40 measures


def test_a_change_to_comments_at_the_end_keeps_the_document(goal_text):
    old = read(goal_text)
    assert reparse(goal_text, goal_text + b"# note\n", old, FILE, DEFAULT_READ_LIMITS) == (old, [], [])


@pytest.mark.parametrize("change", [
    pytest.param(lambda t: t.replace(b"\n", b"\n\n", 1), id="a line added"),
    pytest.param(lambda t: re.sub(rb"\ntitle: [^\n]*", b"\ntitle: Another goal", t, count=1), id="outside any item"),
    pytest.param(lambda t: re.sub(rb"deadline: (\d+)", rb"deadline: &d \1", t, count=1), id="an anchor"),
    pytest.param(lambda t: re.sub(rb"deadline: (\d+)", rb"deadline: [\1, \1]", t, count=1), id="more values"),
    pytest.param(lambda t: re.sub(rb"deadline: (\d+)", rb"deadline: '\1", t, count=1), id="an open quote"),
])
def test_what_it_cannot_do_exactly_is_left_to_a_whole_read(goal_text, change):
    new = change(goal_text)
    assert new != goal_text
    got, whole = outcome(goal_text, new)
    assert got is None


def test_comments_at_the_end_may_close_a_quoted_value():
    old = b'schema: x\nitems:\n  - a: 1\nnote: "open\n# still the value"\n'
    for new in (old + b"# a comment\n", old.replace(b"still", b"now")):
        got, whole = outcome(old, new)
        assert got is None or got == whole
    assert outcome(old, old.replace(b"still", b"now"))[0] is None


def test_the_limits_hold_as_for_a_whole_read():
    old = b"schema: x\nitems:\n  - a: [1, 2]\n  - b: 2\n"
    deeper = old.replace(b"[1, 2]", b"[[1]]")  # as many values, one level deeper
    limits = dataclasses.replace(DEFAULT_READ_LIMITS, max_depth=5)  # the old text is as deep as that allows
    got, whole = outcome(old, deeper, limits)
    assert isinstance(whole, str) and "nesting deeper" in whole and got is None
    assert outcome(old, deeper)[0] == outcome(old, deeper)[1]  # within the default limits it is read alone


# --- any one-line edit of a file with lists, mappings, quoted and block values ------------------

SAMPLE = """\
schema: nap-rules/goal/v1
id: PG1
title: "A goal, quoted"
objectives:
  - id: SO1
    measures:
    - id: M1
      title: First measure   # a comment
      deadline: 2023
      indicators:
        - id: I1
          targets: {2022: 1, 2023: 2}
        - id: I2
          note: |
            a block value
            # not a comment
          name: >
            folded
            text
    - id: M2
      title: 'single
        quoted over lines'
      responsible: [A, B,
        C]
      - nested
  - id: SO2
    measures:
      - - 1
        - 2
      - id: M3
        start: 2021-01-01
        cost: 12.50
notes: *x
"""

PIECES = ["", " ", "  ", "- ", ": ", "#", "'", '"', "[", "]", "{", "}", ",", "&a ", "*a", "|", ">", "1", "x",
          "2024", "---", "...", "\t", "null", "é", "\\", "%"]


def _sample() -> bytes:
    # a file that reads: the last line of SAMPLE (an alias) and the stray nested item are dropped
    return SAMPLE.replace("notes: *x\n", "").replace("      - nested\n", "").encode()


def _least_depth(data: bytes) -> int:
    """The smallest max_depth with which `data` reads."""
    for depth in range(1, 64):
        try:
            read(data, dataclasses.replace(DEFAULT_READ_LIMITS, max_depth=depth))
            return depth
        except InputError:
            continue
    raise AssertionError("the sample does not read")


def edited(data: bytes, line: int, at: int, cut: int, piece: str) -> bytes:
    """`data` with `cut` characters at `at` of one of its lines (`line` modulo their number)
    replaced by `piece`."""
    lines = data.decode().split("\n")
    line %= len(lines) - 1
    text = lines[line]
    at = min(at, len(text))
    lines[line] = text[:at] + piece + text[at + cut:]
    return "\n".join(lines).encode()


OLD = _sample()
OLD_DEPTH = _least_depth(OLD)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(0, 10**6), at=st.integers(0, 60), cut=st.integers(0, 6), piece=st.sampled_from(PIECES),
       extra_depth=st.sampled_from([None, 0, 1]))
def test_any_one_line_edit_reads_as_the_whole_file_does(line, at, cut, piece, extra_depth):
    new = edited(OLD, line, at, cut, piece)
    limits = DEFAULT_READ_LIMITS if extra_depth is None else \
        dataclasses.replace(DEFAULT_READ_LIMITS, max_depth=OLD_DEPTH + extra_depth)
    got, whole = outcome(OLD, new, limits)
    event("read alone" if got is not None else "read whole")
    assert got is None or got == whole


# --- the schema check of the replaced items alone ------------------------------------------------

def test_replaced_items_are_checked_against_their_own_definitions(goal_text):
    doc = read(goal_text)
    measure = doc["objectives"][0]["measures"][0]
    assert check_document(doc, "goal", FILE) == []
    assert items_pass("goal", [(("objectives", 0, "measures", 0), measure)])
    assert items_pass("goal", [(("objectives", 0), doc["objectives"][0])])
    bad = read(goal_text.replace(b"deadline: ", b"deadline: soon", 1))["objectives"][0]["measures"][0]
    assert not items_pass("goal", [(("objectives", 0, "measures", 0), bad)])
    # a place whose schema names no definition of its own: the whole document is checked
    assert not items_pass("goal", [(("objectives", 0, "measures", 0, "responsible", 0), "RM")])
    assert not items_pass("goal", [(("no such key", 0), measure)])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(0, 10**6), at=st.integers(0, 60), cut=st.integers(0, 6), piece=st.sampled_from(PIECES))
def test_items_that_pass_leave_a_document_that_passes(goal_text, line, at, cut, piece):
    got = reparse(goal_text, edited(goal_text, line, at, cut, piece), read(goal_text), FILE, DEFAULT_READ_LIMITS)
    if got is not None and items_pass("goal", got.replaced):
        event("items pass")
        assert check_document(got.doc, "goal", FILE) == []
    elif got is not None:
        event("whole document checked")


# --- in a re-check --------------------------------------------------------------------------------

def _report(plan, cache=None) -> str:
    return render("json", run_check(str(plan), as_of=datetime.date(2022, 6, 30), cache=str(cache) if cache else None,
                                    rule_dirs=(str(BENCH_RULES),), standard_rules=False))


@pytest.mark.parametrize("forged", [False, True])
def test_a_recheck_reads_the_changed_items_of_the_kept_bytes_only(tmp_path, monkeypatch, forged):
    plan = generate_plan(tmp_path / "plan", 200, seed=2)
    cache = tmp_path / "cache"
    _report(plan, cache)
    goal = plan / "goals" / "PG4.yaml"
    before = goal.read_bytes()
    if forged:  # the kept bytes are not those the entry was read from: they are not used
        files, display = FileCache(cache, DEFAULT_READ_LIMITS), display_path(str(plan), "goals/PG4.yaml")
        files.put(FileCache._source_key(files.key(before, "goal", display)),
                  before.replace(b"deadline: 2", b"deadline: 1"))
    goal.write_bytes(re.sub(rb"deadline: (\d+)", rb"deadline: 2030", before, count=1))
    results = []
    real = recheck.reparse
    monkeypatch.setattr(recheck, "reparse", lambda *a, **k: results.append(real(*a, **k)) or results[-1])
    assert _report(plan, cache) == _report(plan)
    assert [r is not None for r in results] == ([] if forged else [True])


def test_a_goal_file_read_again_in_part_is_kept_as_the_items_it_changed(tmp_path, monkeypatch):
    """The cache keeps such a file as its changed items over the entry it was read whole into;
    that entry read back is the document a whole read gives. Past MOST_PATCHED items it is kept
    whole again, and without the whole entry it is read whole."""
    from nap_rules.load import plan_folder

    plan = generate_plan(tmp_path / "plan", 200, seed=2)
    cache = tmp_path / "cache"
    _report(plan, cache)
    goal = plan / "goals" / "PG4.yaml"
    files, display = FileCache(cache, DEFAULT_READ_LIMITS), display_path(str(plan), "goals/PG4.yaml")
    original = goal.read_bytes()
    first = files.key(original, "goal", display)
    deadlines = [m.start() for m in re.finditer(rb"deadline: \d+", goal.read_bytes())]
    assert len(deadlines) > 3
    kept = []
    for n, at in enumerate(deadlines[:3]):
        data = goal.read_bytes()
        data = data[:at] + re.sub(rb"deadline: \d+", b"deadline: %d" % (2030 + n), data[at:], count=1)
        goal.write_bytes(data)
        assert _report(plan, cache) == _report(plan)
        key = files.key(data, "goal", display)
        stored = files.get(key)
        kept.append(stored)
        assert stored[0] == plan_folder.PATCH and stored[1] == first and len(stored[2]) == n + 1
        doc, findings, _ = plan_folder.cached_document(files, key)
        assert shape(doc) == shape(load_yaml_data(data, display)) and findings == ()
    # changed back to the bytes it was read whole from: that entry stays whole
    latest = goal.read_bytes()
    goal.write_bytes(original)
    assert _report(plan, cache) == _report(plan)
    assert isinstance(files.get(first)[0], LocMap)
    goal.write_bytes(latest)
    assert _report(plan, cache) == _report(plan)
    monkeypatch.setattr(plan_folder, "MOST_PATCHED", 3)  # the fourth change: kept whole
    data = goal.read_bytes()
    goal.write_bytes(data[:deadlines[3]] + re.sub(rb"deadline: \d+", b"deadline: 2040", data[deadlines[3]:], count=1))
    assert _report(plan, cache) == _report(plan)
    whole = files.get(files.key(goal.read_bytes(), "goal", display))
    assert isinstance(whole[0], LocMap) and shape(whole[0]) == shape(load_yaml_data(goal.read_bytes(), display))
    # the whole entry gone: the patches over it are misses; the file changed back is kept again,
    # as a patch over the entry the last run read whole
    (cache / f"{first.hex()}.entry").unlink()
    last = files.key(data, "goal", display)
    assert plan_folder.cached_document(files, last) is None
    fourth = files.key(goal.read_bytes(), "goal", display)
    goal.write_bytes(data)
    assert _report(plan, cache) == _report(plan)
    assert files.get(last)[1] == fourth
    assert shape(plan_folder.cached_document(files, last)[0]) == shape(load_yaml_data(data, display))


def test_a_patch_entry_that_does_not_fit_its_document_is_a_miss(tmp_path):
    """A planted or damaged patch (a place the document does not have, a patch over a patch or
    over itself) is not used: the file is read whole, and the report is that of a run without
    a cache."""
    from nap_rules.load import plan_folder

    plan = generate_plan(tmp_path / "plan", 200, seed=2)
    cache = tmp_path / "cache"
    _report(plan, cache)
    goal = plan / "goals" / "PG4.yaml"
    files, display = FileCache(cache, DEFAULT_READ_LIMITS), display_path(str(plan), "goals/PG4.yaml")
    whole = files.key(goal.read_bytes(), "goal", display)
    doc = files.get(whole)[0]
    item = doc["objectives"][0]["measures"][0]
    planted = files.key(b"planted", "goal", display)
    for path in [("objectives", 0, "measures", 0)]:  # a place it has: the patch is used
        files.put(planted, (plan_folder.PATCH, whole, ((path, item),), ()))
        assert plan_folder.cached_document(files, planted) is not None
    for base, path in [(whole, ("objectives", 0, "no such key")), (whole, ("objectives", 0, "measures", -1)),
                       (whole, ("objectives", 0, "measures", 10 ** 6)), (whole, ("objectives", ["x"], "measures", 0)),
                       (whole, ("id", 0)), (planted, ("objectives", 0, "measures", 0))]:
        files.put(planted, (plan_folder.PATCH, base, ((path, item),), ()))
        assert plan_folder.cached_document(files, planted) is None, (base, path)
    # under the key of the file's next bytes, such an entry is passed over
    data = re.sub(rb"deadline: \d+", b"deadline: 2031", goal.read_bytes(), count=1)
    files.put(files.key(data, "goal", display),
              (plan_folder.PATCH, whole, ((("objectives", 0, "measures", 10 ** 6), item),), ()))
    goal.write_bytes(data)
    assert _report(plan, cache) == _report(plan)
