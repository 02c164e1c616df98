"""`check --cache DIR`: reused files give the same report, and nothing in the folder is trusted blindly."""

import hashlib
import os
import pickle
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from planfactory import goal, measure, write_plan

from nap_rules.cli import main
from nap_rules.load.file_cache import MAGIC, FileCache, RefusedEntry, loads
from nap_rules.load.yaml_reader import DEFAULT_READ_LIMITS, ReadLimits
from nap_rules.run.pipeline import validate

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2024-01-01"


def check(plan, *args, env=None):
    result = CliRunner().invoke(main, ["check", str(plan), "--as-of", AS_OF, "--fail-on", "never", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.entry"))


@pytest.fixture()
def plan(tmp_path):
    shutil.copytree(ROOT / "plan", tmp_path / "plan")
    return tmp_path / "plan"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_a_warm_cache_gives_the_same_report_byte_for_byte(plan, tmp_path, fmt):
    cold = check(plan, "--format", fmt)
    filling = check(plan, "--format", fmt, "--cache", str(tmp_path / "c"))
    assert entries(tmp_path / "c")
    warm = check(plan, "--format", fmt, "--cache", str(tmp_path / "c"))
    assert cold == filling == warm


def test_schema_findings_come_back_from_the_cache_too(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", start="2021", colour="red")])])
    cold = check(plan, "--format", "json")
    assert "NAP-SCHEMA" in cold
    check(plan, "--format", "json", "--cache", str(tmp_path / "c"))
    assert check(plan, "--format", "json", "--cache", str(tmp_path / "c")) == cold
    run = CliRunner().invoke(main, ["validate", str(plan), "--format", "json", "--cache", str(tmp_path / "c")])
    assert run.exit_code == 1 and "NAP-SCHEMA" in run.output


def test_only_the_changed_file_is_read_again(plan, tmp_path):
    cache = tmp_path / "c"
    validate(plan, cache=cache)
    files = len(list(plan.rglob("*.yaml"))) - len(list(plan.glob(".nap-rules.yaml")))
    assert len(entries(cache)) == files
    goal_file = sorted((plan / "goals").glob("*.yaml"))[0]
    goal_file.write_text(goal_file.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    counted = FileCache(cache, DEFAULT_READ_LIMITS)
    from nap_rules.load.plan_folder import read_plan_dir

    read_plan_dir(plan, cache=counted)
    assert (counted.hits, counted.misses) == (files - 1, 1)
    assert len(entries(cache)) == files + 1


def test_an_edit_that_moves_lines_is_not_served_stale(tmp_path):
    plan = write_plan(tmp_path / "p", goals=[goal(measures=[measure("1.1", responsible=["NOBODY"])])])
    first = check(plan, "--format", "json", "--cache", str(tmp_path / "c"))
    path = plan / "goals" / "PG1.yaml"
    path.write_text("# a comment that moves every line\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    second = check(plan, "--format", "json", "--cache", str(tmp_path / "c"))
    assert second == check(plan, "--format", "json") != first


def test_the_environment_variable_names_the_folder(plan, tmp_path):
    cache = tmp_path / "from-env"
    out = check(plan, env={"NAP_RULES_CACHE": str(cache)})
    assert entries(cache) and out == check(plan)


def test_limits_and_paths_are_part_of_the_key(plan, tmp_path):
    data = (plan / "plan.yaml").read_bytes()
    one = FileCache(tmp_path / "c", DEFAULT_READ_LIMITS)
    other = FileCache(tmp_path / "c", ReadLimits(max_depth=10))
    assert one.key(data, "plan", "plan/plan.yaml") != other.key(data, "plan", "plan/plan.yaml")
    assert one.key(data, "plan", "plan/plan.yaml") != one.key(data, "plan", "./plan/plan.yaml")
    assert one.key(data, "plan", "plan/plan.yaml") != one.key(data + b"\n", "plan", "plan/plan.yaml")
    assert one.key(data, "plan", "plan/plan.yaml") == FileCache(tmp_path / "d", DEFAULT_READ_LIMITS).key(
        data, "plan", "plan/plan.yaml")


@pytest.mark.parametrize("damage", [  # two kinds in the quick suite, every kind in the thorough profile
    pytest.param(d, marks=[] if d in ("truncate", "garbage") else [pytest.mark.slow])
    for d in ["truncate", "flip", "foreign", "empty", "garbage"]])
def test_a_damaged_entry_is_ignored_and_the_file_read_again(plan, tmp_path, damage):
    cache = tmp_path / "c"
    expected = check(plan, "--format", "json")
    check(plan, "--format", "json", "--cache", str(cache))
    found = entries(cache)
    for i, path in enumerate(found):
        blob = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(blob[: len(blob) // 2])
        elif damage == "flip":
            path.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
        elif damage == "foreign":  # another entry's bytes under this name
            path.write_bytes(found[(i + 1) % len(found)].read_bytes() if len(found) > 1 else b"")
        elif damage == "empty":
            path.write_bytes(b"")
        else:
            path.write_bytes(b"\x00" * 100)
    counted = FileCache(cache, DEFAULT_READ_LIMITS)
    from nap_rules.load.plan_folder import read_plan_dir

    read_plan_dir(plan, cache=counted)
    assert counted.hits == 0
    assert check(plan, "--format", "json", "--cache", str(cache)) == expected


class _Boom:
    """Pickles as a call of os.system: what a planted entry would try."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        import os

        return os.system, (f"touch {self.marker}",)


def test_a_planted_entry_cannot_run_code(plan, tmp_path):
    cache = tmp_path / "c"
    expected = check(plan, "--format", "json")
    check(plan, "--format", "json", "--cache", str(cache))
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Boom(marker), protocol=5)
    with pytest.raises(RefusedEntry):
        loads(payload)
    for path in entries(cache):
        # a well-formed entry, its hashes right, whose payload would call os.system
        key = bytes.fromhex(path.stem)
        path.write_bytes(MAGIC + key + hashlib.sha256(payload).digest() + payload)
    assert check(plan, "--format", "json", "--cache", str(cache)) == expected
    assert not marker.exists()


@pytest.mark.parametrize("name", [("builtins", "eval"), ("os", "system"), ("subprocess", "Popen"),
                                  ("nap_rules.load.file_cache", "loads"), ("builtins", "getattr")])
def test_only_data_types_may_be_named(name):
    module, attr = name
    payload = b"\x80\x05\x95" + (0).to_bytes(8, "little") + b"\x8c" + bytes([len(module)]) + module.encode() \
        + b"\x8c" + bytes([len(attr)]) + attr.encode() + b"\x93."
    with pytest.raises(RefusedEntry):
        loads(payload)


def test_an_unwritable_folder_does_not_stop_the_check(plan, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert check(plan, "--cache", str(blocker / "c")) == check(plan)


def test_entries_are_written_whole(plan, tmp_path):
    cache = tmp_path / "c"
    validate(plan, cache=cache)
    assert not list(cache.glob(".tmp-*")) and not list(cache.glob(".*.tmp-*"))
    for path in entries(cache):
        blob = path.read_bytes()
        assert blob.startswith(MAGIC) and blob[len(MAGIC):len(MAGIC) + 32] == bytes.fromhex(path.stem)


def test_what_a_killed_writer_left_is_removed_by_the_next_run(plan, tmp_path):
    cache = tmp_path / "c"
    cache.mkdir()
    orphans = [cache / ".tmp-k2j4l1.entry", cache / f".{'ab' * 32}.entry.tmp-0badf00d"]
    for orphan in orphans:
        orphan.write_bytes(MAGIC + b"half an ent")
    assert check(plan, "--cache", str(cache)) == check(plan)
    assert not any(orphan.exists() for orphan in orphans)
    assert not list(cache.glob(".*tmp-*")) and entries(cache)


def test_a_pipe_planted_as_an_entry_is_a_miss_not_a_hang(plan, tmp_path):
    cache = tmp_path / "c"
    validate(plan, cache=cache)
    for path in entries(cache):
        path.unlink()
        os.mkfifo(path)
    assert check(plan, "--cache", str(cache)) == check(plan)


def test_a_cached_document_keeps_its_locations(plan, tmp_path):
    fresh = validate(plan)
    validate(plan, cache=tmp_path / "c")
    cached = validate(plan, cache=tmp_path / "c")
    for a, b in zip(fresh.files.files, cached.files.files):
        assert a.doc == b.doc and a.doc.loc == b.doc.loc
        assert dict(a.doc.key_locs) == dict(b.doc.key_locs)
    assert fresh.findings == cached.findings


def test_the_program_flushes_everything_before_it_ends(plan, tmp_path):
    """`python -m nap_rules` ends the process without tearing objects down: the report must
    still arrive whole, and the exit code be the command's."""
    import subprocess
    import sys

    args = ["check", str(plan), "--as-of", AS_OF, "--format", "json"]
    done = subprocess.run([sys.executable, "-m", "nap_rules", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    expected = CliRunner().invoke(main, args)
    assert done.returncode == expected.exit_code == 1
    assert done.stdout == expected.output
    missing = subprocess.run([sys.executable, "-m", "nap_rules", "check", str(tmp_path / "nope")],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert missing.returncode == 2 and "not a plan folder" in missing.stderr
    version = subprocess.run([sys.executable, "-m", "nap_rules", "--version"], capture_output=True, text=True,
                             cwd=ROOT, timeout=120)
    assert version.returncode == 0 and "nap-rules" in version.stdout


RULE_FILE = """schema: nap-rules/ruleset/v1
rules:
  - id: MINE-001
    title: Every measure is reported
    severity: info
    applies_to: measure
    assert: "False"
    message: "measure {id}: WORDING"
    rationale: "A test rule."
    references: ["tests"]
    examples: {pass: tests, fail: tests}
"""


def test_rule_files_are_kept_and_an_edited_one_is_read_again(plan, tmp_path):
    rules, cache = tmp_path / "rules", tmp_path / "c"
    rules.mkdir()
    rule_file = rules / "mine.yaml"
    rule_file.write_text(RULE_FILE.replace("WORDING", "first wording"))
    args = ("--no-standard-rules", "--rules", str(rules), "--format", "json")
    filling = check(plan, *args, "--cache", str(cache))
    # the rule file's document is an entry of its own, kept as located data
    kept = FileCache(cache, DEFAULT_READ_LIMITS)
    doc = kept.get(kept.key(rule_file.read_bytes(), "ruleset", str(rule_file)))
    assert doc["rules"][0]["id"] == "MINE-001" and doc["rules"][0].loc.line == 3
    assert check(plan, *args, "--cache", str(cache)) == filling == check(plan, *args)
    rule_file.write_text(RULE_FILE.replace("WORDING", "second wording"))
    edited = check(plan, *args, "--cache", str(cache))
    assert "second wording" in edited and "first wording" not in edited
    assert edited == check(plan, *args)


def test_a_rule_file_with_an_error_is_reported_on_every_cached_run(plan, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text(RULE_FILE.replace("severity: info", "severity: loud"))
    runs = [CliRunner().invoke(main, ["check", str(plan), "--no-standard-rules", "--rules", str(rules),
                                      "--as-of", AS_OF, "--cache", str(tmp_path / "c")]) for _ in range(2)]
    assert runs[0].exit_code == runs[1].exit_code == 2
    assert "mine.yaml:5:5: rules[0].severity" in runs[0].output and runs[0].output == runs[1].output
