"""Properties of reading and checking plans, over generated input.

1. Any bytes as a plan file: the run ends with exit 0, 1 or 2, never a traceback, in bounded CPU time.
2. Generated valid plans: findings are deterministic and the same whatever the order of mapping
   keys and of list items that have ids.
3. load -> canonical YAML -> load is the identity on the model (and on the graph built from it).
4. Adding an unrelated valid measure never removes a finding.
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from cputime import cpu_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nap_rules.cli import main
from nap_rules.load.canonical import decimal_text, dump_document
from nap_rules.load.locations import LocList, LocMap
from nap_rules.load.yaml_reader import load_yaml_file, load_yaml_text
from nap_rules.run.pipeline import validate

HAVE_CHECK = "check" in main.commands
AS_OF = datetime.date(2022, 6, 30)
RUN_CPU_SECONDS = 30.0  # CPU time of one run on a small plan, however broken its files (tests/cputime.py)

# Each example writes a plan folder and runs the pipeline once or more: the quick suite tries a
# few examples per property, HYPOTHESIS_PROFILE=thorough a third or a half of its 500.
_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
_BASE = settings.default.max_examples
FEW = settings(max_examples=_BASE // 3 if _THOROUGH else 5, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
SOME = settings(max_examples=_BASE // 2 if _THOROUGH else 8, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# --- writing plans as an author would (keys in the given order) ------------------------------

class _AuthorDumper(yaml.SafeDumper):
    pass


_AuthorDumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", decimal_text(v)))
_AuthorDumper.add_representer(LocMap, _AuthorDumper.represent_dict)
_AuthorDumper.add_representer(LocList, _AuthorDumper.represent_list)


def author_yaml(data) -> str:
    return yaml.dump(data, Dumper=_AuthorDumper, sort_keys=False, allow_unicode=True, width=200)


def write_folder(root: Path, files: dict) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(author_yaml(data), encoding="utf-8")
    (root / "goals").mkdir(exist_ok=True)
    return root


# --- generated valid plans -------------------------------------------------------------------

BODIES = ["MI", "MJ", "MH", "MF", "PP", "SP"]
UNKNOWN_BODIES = ["MJJ", "XX"]  # references that do not resolve: NAP-REF-001 findings
YEARS = st.integers(2019, 2025)
AMOUNTS = st.one_of(st.integers(0, 10**9),
                    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
VALUES = st.one_of(st.integers(-1000, 1000), st.decimals(-1000, 1000, places=1, allow_nan=False, allow_infinity=False))
TARGET = st.one_of(st.none(), VALUES, st.builds(lambda r, of: {"relative": r, "of": of},
                                                st.integers(-50, 50), st.sampled_from(["baseline", "previous"])))


@st.composite
def indicator(draw, ident: str, outcome_goal: str | None = None):
    ind = {"id": ident, "name": f"Indicator {ident}"}
    if draw(st.booleans()):
        ind["unit"] = draw(st.sampled_from(["cases", "people", "percent", "document"]))
    if draw(st.booleans()):
        ind["direction"] = draw(st.sampled_from(["increase", "decrease", "maintain"]))
    if outcome_goal is not None:
        ind["goal"] = outcome_goal
    ind["baseline"] = {"year": draw(st.integers(2018, 2021)), "value": draw(st.one_of(st.none(), VALUES))}
    ind["targets"] = {y: draw(TARGET) for y in draw(st.lists(YEARS, unique=True, max_size=3))}
    return ind


@st.composite
def measure(draw, ident: str, bodies: list[str], with_indicators=True):
    m = {"id": ident, "title": f"Measure {ident}",
         "responsible": draw(st.lists(st.sampled_from(bodies + UNKNOWN_BODIES), max_size=2, unique=True)),
         "contributing": draw(st.lists(st.sampled_from(bodies), max_size=2, unique=True)),
         "start": draw(YEARS), "deadline": draw(YEARS)}
    if draw(st.booleans()):
        m["status"] = draw(st.sampled_from(["planned", "in_progress", "done", "partial", "not_done"]))
    years = draw(st.lists(YEARS, unique=True, max_size=2))
    if years:
        m["cost"] = [{"year": y, "nature": "current", "amount": draw(AMOUNTS)} for y in years]
    if with_indicators:
        m["indicators"] = [draw(indicator(f"{ident}-{c}")) for c in "ab"[: draw(st.integers(0, 2))]]
    return m


@st.composite
def plans(draw) -> dict:
    """{relative path: document} of a plan folder whose files all pass their schemas."""
    bodies = draw(st.lists(st.sampled_from(BODIES), min_size=1, max_size=4, unique=True))
    institutions = [{"id": b, "name": f"Body {b}", "kind": "ministry"} for b in bodies]
    if draw(st.booleans()):
        institutions[0]["aliases"] = [institutions[0]["id"] + "A"]
    files = {
        "plan.yaml": {"schema": "nap-rules/plan/v1", "id": "generated", "title": "Generated plan", "country": "AL",
                      "period": {"start": 2021, "end": 2023}, "baseline_year": 2020, "currency": "ALL",
                      "exchange_rates": {"EUR": draw(st.sampled_from([125, Decimal("123.5")]))}},
        "institutions.yaml": {"schema": "nap-rules/institutions/v1", "institutions": institutions},
    }
    goal_ids = [f"PG{g}" for g in range(1, draw(st.integers(1, 3)) + 1)]
    outcome = [draw(indicator(f"OI-{i}", draw(st.sampled_from(goal_ids + ["PG9"]))))
               for i in range(1, draw(st.integers(0, 2)) + 1)]
    for g, gid in enumerate(goal_ids, 1):
        objectives = []
        for o in range(1, draw(st.integers(1, 2)) + 1):
            measures = [draw(measure(f"{g}.{o}.{m}", bodies)) for m in range(1, draw(st.integers(0, 3)) + 1)]
            objectives.append({"id": f"{g}.{o}", "title": f"Objective {g}.{o}", "measures": measures})
        doc = {"schema": "nap-rules/goal/v1", "id": gid, "title": f"Goal {gid}", "objectives": objectives}
        refs = [i["id"] for i in outcome] + ["OI-9"]
        if draw(st.booleans()):
            doc["outcome_indicators"] = draw(st.lists(st.sampled_from(refs), max_size=2, unique=True))
        files[f"goals/{gid}.yaml"] = doc
    if outcome:
        files["indicators.yaml"] = {"schema": "nap-rules/indicators/v1", "indicators": outcome}
    if draw(st.booleans()):
        lines = [{"id": f"{gid}-current", "goal": gid, "nature": "current", "total_cost": draw(AMOUNTS)}
                 for gid in draw(st.lists(st.sampled_from(goal_ids + ["PG9"]), min_size=1, unique=True))]
        files["budget.yaml"] = {"schema": "nap-rules/budget/v1", "lines": lines}
    if draw(st.booleans()):
        known = [ind["id"] for f in files.values() for o in f.get("objectives", []) for m in o["measures"]
                 for ind in m.get("indicators", [])]
        files["progress/2022-H1.yaml"] = {
            "schema": "nap-rules/progress/v1", "period": {"year": 2022, "half": 1},
            "actuals": [{"indicator": i, "value": draw(VALUES)}
                        for i in draw(st.lists(st.sampled_from(known + ["9.9.9-a"]), max_size=3, unique=True))]}
    return files


def reordered(value, rnd: random.Random):
    """The same plan data with every mapping's keys, and every list of items with ids, shuffled."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: reordered(value[k], rnd) for k in keys}
    if isinstance(value, list):
        items = [reordered(v, rnd) for v in value]
        if items and all(isinstance(v, dict) and "id" in v for v in items):
            rnd.shuffle(items)
        return items
    return value


def findings_of(plan_dir: Path, command: str) -> set:
    if command == "validate":
        found = validate(plan_dir).findings
    else:
        from nap_rules.check import run_check
        found = run_check(str(plan_dir), as_of=AS_OF).findings
    return {(f.rule, f.node, f.message) for f in found}


COMMANDS = ["validate"] + (["check"] if HAVE_CHECK else [])


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="nap-properties-") as d:
        yield Path(d)


# --- (1) any bytes: exit 0, 1 or 2, never a traceback, in bounded time ------------------------

VALID_GOAL = (Path(__file__).parent / "hostile" / "cases" / "ok-minimal" / "goals" / "PG1.yaml").read_bytes()
VALID_PLAN = (Path(__file__).parent / "hostile" / "cases" / "ok-minimal" / "plan.yaml").read_bytes()
YAML_ALPHABET = st.sampled_from(list("abcXYZ019 :-[]{},#&*!|>'\"%@`?\t\n\r.~=<\\") + ["\x00", "\x85", "\u2028", "é", "\ufeff"])


@st.composite
def mutated(draw, base: bytes):
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.one_of(st.binary(min_size=1, max_size=4),
                               st.text(YAML_ALPHABET, min_size=1, max_size=4).map(lambda t: t.encode("utf-8"))))
        if action == "insert":
            data[pos:pos] = chunk
        elif action == "delete":
            del data[pos:pos + len(chunk)]
        else:
            data[pos:pos + len(chunk)] = chunk
    return bytes(data)


def any_file_bytes(base: bytes):
    return st.one_of(st.binary(max_size=600),
                     st.text(YAML_ALPHABET, max_size=300).map(lambda t: t.encode("utf-8")),
                     mutated(base))


def _run_cli(args) -> tuple[int, str, float]:
    with cpu_time() as used:
        result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    return result.exit_code, result.output, used.seconds


@pytest.mark.parametrize("target, base", [("goals/PG1.yaml", VALID_GOAL), ("plan.yaml", VALID_PLAN)],
                         ids=["goal-file", "plan-file"])
@pytest.mark.parametrize("command", COMMANDS)
def test_any_bytes_end_in_0_1_or_2_without_traceback(workdir, command, target, base):
    plan = workdir / f"bytes-{command}-{target.replace('/', '-')}"
    shutil.copytree(Path(__file__).parent / "hostile" / "cases" / "ok-minimal", plan, dirs_exist_ok=True)
    extra = ["--as-of", AS_OF.isoformat()] if command == "check" else []

    @SOME
    @given(data=any_file_bytes(base))
    def run(data):
        (plan / target).write_bytes(data)
        code, output, cpu_seconds = _run_cli([command, str(plan), *extra])
        assert code in (0, 1, 2), output
        assert "Traceback" not in output, output
        assert cpu_seconds < RUN_CPU_SECONDS, f"{cpu_seconds:.1f} s of CPU time"
        if code == 2:
            # an input error names the file it could not read
            assert str(plan) in output, output

    run()


# --- (2) deterministic, and invariant under reordering ---------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_findings_do_not_depend_on_key_or_item_order(workdir, command):
    @FEW
    @given(files=plans(), rnd=st.randoms(use_true_random=False))
    def run(files, rnd):
        first = write_folder(workdir / f"order-a-{command}", files)
        second = write_folder(workdir / f"order-b-{command}", {k: reordered(v, rnd) for k, v in files.items()})
        found = findings_of(first, command)
        assert found == findings_of(first, command)  # deterministic
        assert found == findings_of(second, command)

    run()


@pytest.mark.parametrize("command", COMMANDS)
def test_output_is_byte_identical_between_runs(workdir, command):
    @FEW
    @given(files=plans())
    def run(files):
        plan = write_folder(workdir / f"bytes-same-{command}", files)
        args = [command, str(plan), "--format", "json"] + (["--as-of", AS_OF.isoformat()] if command == "check" else [])
        assert _run_cli(args)[1] == _run_cli(args)[1]

    run()


# --- (3) load -> canonical YAML -> load is the identity -------------------------------------

def same(a, b) -> bool:
    """Equal as plan data, types included: 1, True and Decimal('1.0') are three different values."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return a.as_tuple() == b.as_tuple()
    return a == b


def graph_model(graph) -> tuple:
    """The graph without source locations: nodes with their fields, edges with their relation."""
    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return (type(v).__name__, str(v))

    nodes = {k: plain({f: v for f, v in d.items() if f not in ("source", "field_locs")})
             for k, d in graph.nodes(data=True)}
    edges = sorted((u, v, d.get("rel"), str(d.get("label"))) for u, v, d in graph.edges(data=True))
    return nodes, edges


def test_canonical_round_trip_of_generated_plans(workdir):
    @FEW
    @given(files=plans(), rnd=st.randoms(use_true_random=False))
    def run(files, rnd):
        # an author's file (shuffled keys), then the same plan rewritten canonically
        original = write_folder(workdir / "canon-a", {k: reordered(v, rnd) for k, v in files.items()})
        rewritten = workdir / "canon-b"
        shutil.rmtree(rewritten, ignore_errors=True)
        for path in sorted(original.rglob("*.yaml")):
            doc = load_yaml_file(path, "x.yaml")
            text = dump_document(doc)
            assert text.startswith("schema: nap-rules/")
            again = load_yaml_text(text, "y.yaml")
            assert same(doc, again), text
            assert dump_document(again) == text  # canonical: a second rewrite changes nothing
            target = rewritten / path.relative_to(original)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        (rewritten / "goals").mkdir(exist_ok=True)
        a, b = validate(original), validate(rewritten)
        assert {(f.rule, f.node, f.message) for f in a.findings} == {(f.rule, f.node, f.message) for f in b.findings}
        if a.graph is not None:
            assert graph_model(a.graph) == graph_model(b.graph)

    run()


def test_canonical_round_trip_of_the_published_plan():
    root = Path(__file__).resolve().parents[1] / "plan"
    if not root.is_dir():
        pytest.skip("no plan/ folder in this checkout")
    for path in sorted(root.rglob("*.yaml")):
        doc = load_yaml_file(path)
        text = dump_document(doc)
        assert same(doc, load_yaml_text(text, str(path))), path


# the characters a plan value may hold: no surrogates, no control characters but tab and line feed
# (the loader refuses them however they are written), no U+FFFE/U+FFFF
PLAN_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters=[
    chr(c) for c in (*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0), 0xfffe, 0xffff)])
KEYS = st.text(PLAN_CHARACTERS, max_size=12)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**29, 10**29),
    st.builds(lambda sign, digits, exp: Decimal((sign, digits, exp)),
              st.integers(0, 1), st.lists(st.integers(0, 9), min_size=1, max_size=20).map(tuple), st.integers(-25, 8)),
    st.text(PLAN_CHARACTERS, max_size=40),
    st.sampled_from(["2021", "yes", "no", "on", "null", "~", "1.5", "0100", "0x1F", "1:30", ".inf", ".nan",
                     "- a", "a: b", "#x", "&a", "*a", "!!str", "'", '"', "<<", "=", "", " lead", "trail ",
                     "2024-06-30", "1e3", "1,000", "1 000", "multi\nline\n", "\ttab", "\ufefftext",
                     "\u2028", "line\n  indented\n\n", "\n\nstart", "end\n\n\n"]),
)
MODELS = st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)), max_leaves=25)


@SOME
@given(body=st.dictionaries(KEYS, MODELS, max_size=5))
def test_canonical_round_trip_of_any_plan_data(body):
    doc = {"schema": "nap-rules/goal/v1", **{k: v for k, v in body.items() if k != "schema"}}
    text = dump_document(doc)
    again = load_yaml_text(text, "f.yaml")
    assert same(doc, again), text
    assert dump_document(again) == text


def test_canonical_refuses_binary_floats():
    from nap_rules.load.canonical import CanonicalError

    with pytest.raises(CanonicalError, match="binary float"):
        dump_document({"schema": "nap-rules/budget/v1", "lines": [{"total_cost": 0.1}]})


def test_canonical_form_of_a_plan_file():
    text = ("targets: {2023: 3, 2021: 1}\nid: '1.1.1-a'\nschema: nap-rules/goal/v1\n"
            "title: 'yes'\nobjectives: []\nnote: \"two\\nlines\\n\"\n")
    doc = load_yaml_text(text, "f.yaml")
    assert dump_document(doc) == (
        "schema: nap-rules/goal/v1\nid: 1.1.1-a\ntitle: 'yes'\nnote: |\n  two\n  lines\n"
        "objectives: []\ntargets:\n  2021: 1\n  2023: 3\n")
    assert decimal_text(Decimal("40.40")) == "40.40"
    assert decimal_text(Decimal("5")) == "5."
    assert decimal_text(Decimal("1E+5")) == "1.e+5"


# --- (4) an unrelated valid measure never removes a finding ----------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_adding_an_unrelated_measure_removes_no_finding(workdir, command):
    @FEW
    @given(files=plans(), data=st.data())
    def run(files, data):
        goal = files[data.draw(st.sampled_from(sorted(k for k in files if k.startswith("goals/"))))]
        bodies = [i["id"] for i in files["institutions.yaml"]["institutions"]]
        extra = {"id": "U-1", "title": "An unrelated measure", "responsible": [bodies[0]],
                 "start": 2021, "deadline": 2023,
                 "indicators": [{"id": "U-1-a", "name": "Unrelated indicator", "unit": "cases",
                                 "baseline": {"year": 2020, "value": 0}, "targets": {2023: 1}}]}
        before = findings_of(write_folder(workdir / f"add-a-{command}", files), command)
        # unrelated: beside other measures (an objective's first measure would end its "no
        # measure" finding), or with an objective of its own when no objective has one
        busy = [o for o in goal["objectives"] if o["measures"]]
        if busy:
            objective = data.draw(st.sampled_from(busy))
            objective["measures"] = objective["measures"] + [extra]
        else:
            goal["objectives"].append({"id": "U", "title": "An unrelated objective", "measures": [extra]})
        after = findings_of(write_folder(workdir / f"add-b-{command}", files), command)
        assert before <= after, sorted(before - after)

    run()
