"""One field table (nap_rules.model.fields.FIELDS): the graph, docs/model.md and the schemas agree with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nap_rules.model.fields import COMMON_FIELDS, FIELDS, FILE_FIELDS, KINDS, SET_BY_BUILDER
from nap_rules.model.graph import build_graph
from nap_rules.load.plan_folder import read_plan_dir

ROOT = Path(__file__).resolve().parent.parent

# Where the nodes of each kind are read from: (schema, the path of list keys from the file's top
# to the mapping a node is read from, that mapping's keys which are not fields of the node
# under their own name: its id, the lists that become nodes of their own, the keys the graph
# builder reads into fields of other names or sets from them).
SOURCES = {
    "plan": [("plan", (), {"schema", "id"})],
    "goal": [("goal", (), {"schema", "id", "objectives"})],
    "objective": [("goal", ("objectives",), {"id", "measures"})],
    "measure": [("goal", ("objectives", "measures"), {"id", "indicators", "cost"})],
    "indicator": [("goal", ("objectives", "measures", "indicators"), {"id", "targets"}),
                  ("indicators", ("indicators",), {"id", "targets", "goal", "source"})],
    "institution": [("institutions", ("institutions",), {"id", "kind"})],
    "budget_line": [("budget", ("lines",), {"id"}),
                    ("goal", ("objectives", "measures", "cost"), {"year", "amount", "funded", "source"})],
    "claim": [("budget", ("claims",), {"id"})],
    "report": [("progress", (), {"schema", "period", "actuals", "measures"})],
    "actual": [("progress", ("actuals",), set())],
    "status_update": [("progress", ("measures",), set())],
    "abbreviation": [("abbreviations", ("abbreviations",), {"code"})],
    "narrative": [("narrative", ("measures",), set())],
    "same_meaning": [("narrative", ("same_meaning",), set())],
}


def schema_keys(kind: str, path: tuple[str, ...]) -> set[str]:
    schema = json.loads((ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))

    def resolve(node):
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    node = resolve(schema)
    for key in path:
        node = resolve(resolve(node["properties"][key])["items"])
    return set(node["properties"])


def test_the_table_is_consistent():
    assert set(SET_BY_BUILDER) <= set(FIELDS)
    for kind, names in SET_BY_BUILDER.items():
        assert set(names) <= set(FIELDS[kind]), kind
    for kind, names in FIELDS.items():
        assert len(set(names)) == len(names), kind
        assert not set(names) & set(COMMON_FIELDS), kind


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "missing"])
def test_schemas_hold_what_the_graph_reads_and_nothing_unaccounted(kind):
    """Every field read from files is a key of a schema, every schema key is a field or accounted for."""
    assert set(SOURCES) == set(KINDS) - {"missing"}
    seen = set()
    for schema, path, other in SOURCES[kind]:
        keys = schema_keys(schema, path)
        seen |= keys
        assert not other & set(FILE_FIELDS[kind]), f"{kind}: {other & set(FILE_FIELDS[kind])} are read as they are"
        assert other <= keys, f"{schema}.schema.json {'/'.join(path)}: no {sorted(other - keys)}"
        unaccounted = keys - set(FILE_FIELDS[kind]) - other
        assert not unaccounted, (f"{schema}.schema.json {'/'.join(path) or 'top'}: {sorted(unaccounted)} "
                                 f"is neither a field of {kind} (nap_rules/model/fields.py) nor accounted for")
    assert set(FILE_FIELDS[kind]) <= seen, f"{kind}: no schema has {sorted(set(FILE_FIELDS[kind]) - seen)}"


def doc_fields() -> dict[str, list[str]]:
    """{kind: the names the fields column of docs/model.md's node table lists, in order}."""
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    out = {}
    for line in text.split("## Node kinds", 1)[1].splitlines():
        m = re.match(r"\| `(\w+)` \| `([^`]*)`", line)
        if not m:
            continue
        names = m.group(2)
        while re.search(r"\{[^{}]*\}", names):
            names = re.sub(r"\{[^{}]*\}", "", names)  # shapes: period{start,end}
        out[m.group(1)] = names.replace("[]", "").split()
    return out


def test_docs_list_every_field_of_every_kind_in_table_order():
    documented = doc_fields()
    assert list(documented) == list(KINDS)
    for kind in KINDS:
        assert documented[kind] == ["id", *FIELDS[kind]], f"docs/model.md, kind {kind}"


def test_every_node_of_the_bundled_plan_and_its_monitoring_has_exactly_its_kinds_fields():
    graph, _ = build_graph(read_plan_dir(ROOT / "plan", progress_dirs=[ROOT / "examples" / "monitoring"]))
    kinds = set()
    for key, attrs in graph.nodes(data=True):
        kinds.add(attrs["kind"])
        expected = set(COMMON_FIELDS) | {"source", "field_locs"} | set(FIELDS[attrs["kind"]])
        assert set(attrs) == expected, key
        file_fields = [name for name in attrs if name in FILE_FIELDS[attrs["kind"]]]
        assert file_fields == list(FILE_FIELDS[attrs["kind"]]), key
    assert kinds == set(KINDS)
