"""The plan model's names: node kinds and keys, the fields of each kind, edge relations (docs/model.md).

`FIELDS` is the one table of node fields. The graph builder reads from each file the fields
that are not in `SET_BY_BUILDER` (`FILE_FIELDS`), the rule compiler checks every field a rule
reads against it, and tests/test_model_fields.py holds docs/model.md and the schemas to it.
"""

from __future__ import annotations

# Every node has these besides its kind's own fields.
COMMON_FIELDS = ("kind", "id", "occurrence")

# kind -> the fields of its nodes, in the order docs/model.md lists them.
FIELDS: dict[str, tuple[str, ...]] = {
    "plan": ("title", "document", "country", "period", "baseline_year", "currency", "exchange_rates",
             "approved_by", "budget_totals", "note"),
    "goal": ("title", "outcome_indicators", "note", "doc_line"),
    "objective": ("title", "goal", "note", "doc_line"),
    "measure": ("title", "responsible", "contributing", "start", "deadline", "status", "note",
                "objective", "goal", "doc_line", "codes"),
    "indicator": ("name", "level", "measure", "goal", "unit", "direction", "nature", "frequency",
                  "formula", "baseline", "targets", "note", "sdg", "data_source", "collected_by", "doc_line",
                  "basis", "codes"),
    "institution": ("name", "aliases", "institution_kind", "note", "doc_line"),
    "budget_line": ("level", "goal", "measure", "nature", "year", "total_cost", "planned", "gap",
                    "funding_source", "note", "doc_line"),
    "claim": ("text", "tolerance", "approximate", "shares_of_total_cost", "shares_by_nature",
              "shares_by_funding", "total_cost", "every_measure_costed", "note", "doc_line"),
    "report": ("year", "half", "reported_by", "note"),
    "actual": ("indicator", "value", "year", "half", "report", "note"),
    "status_update": ("measure", "status", "year", "half", "report", "note"),
    "abbreviation": ("name", "column", "used_outside_plan", "note", "doc_line"),
    "narrative": ("measure", "title", "indicators", "note", "doc_line", "codes"),
    "same_meaning": ("spellings", "note", "doc_line"),
    "missing": ("expected",),
}

KINDS = tuple(FIELDS)

# The fields the graph builder sets rather than reading them from the file under their own
# name: from the enclosing item (a measure's `goal`), from a key it renames (an indicator's
# `source` is its `data_source`, an institution's `kind` its `institution_kind`), or as a
# value it computes (an indicator's `level`, a report's `year`).
SET_BY_BUILDER: dict[str, tuple[str, ...]] = {
    "plan": ("budget_totals",),
    "objective": ("goal",),
    "measure": ("objective", "goal", "codes"),
    "indicator": ("level", "measure", "goal", "targets", "data_source", "codes"),
    "narrative": ("codes",),
    "institution": ("institution_kind",),
    "budget_line": ("level", "measure", "year", "funding_source"),
    "report": ("year", "half"),
    "actual": ("year", "half", "report"),
    "status_update": ("year", "half", "report"),
    "missing": ("expected",),
}

# kind -> the fields read from its files under their own name, in the order of FIELDS: a node
# holds them in this order (absent: None, or [] for a list field), then what the builder sets.
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(name for name in names if name not in SET_BY_BUILDER.get(kind, ())) for kind, names in FIELDS.items()
}
LIST_FIELDS = frozenset({"outcome_indicators", "responsible", "contributing", "collected_by", "aliases", "indicators",
                         "spellings", "used_outside_plan"})


def node_key(kind: str, ident) -> str:
    """A node's key in the graph: `measure:1.1.1` (a repeated id adds `~2`, `~3`, …)."""
    return f"{kind}:{ident}"

# Keys of the mapping-valued fields (period, baseline, budget_totals, relative targets,
# claim shares), readable as `baseline.value`; and the parts of a date (`as_of.year`).
MAPPING_KEYS = ("start", "end", "year", "value", "note", "relative", "of", "per_year",
                "total_cost", "planned", "gap", "in_currency", "current", "capital",
                "state_budget", "donors", "doc_line", "path", "sha256", "unit", "indicator", "name")
DATE_PARTS = ("year", "month", "day")

# Edges that form the plan's tree (`reported_in` links an indicator to its actuals and a
# measure to its status updates): `parent`, `children` and `descendants` follow these,
# in this order of preference when a node has several parents.
STRUCTURAL_RELS = ("has_objective", "has_measure", "measured_by", "costed_by", "funded_by",
                   "reported_in", "contains", "has_goal", "has_institution", "has_claim",
                   "has_report", "has_budget_line")
RELS = STRUCTURAL_RELS + ("responsible", "contributing")


def cited_line(value) -> int | None:
    """The document line a `doc_line` value cites: the number, or the first of a list."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fields_of(kind: str) -> frozenset[str]:
    return frozenset(COMMON_FIELDS + FIELDS[kind])


ALL_FIELD_NAMES = frozenset(
    COMMON_FIELDS + MAPPING_KEYS + DATE_PARTS + tuple(f for fs in FIELDS.values() for f in fs)
)

# The kind at the far end of each relation, where it is always the same (for load-time checks
# of `x.field` on nodes reached through `children`/`related`/`related_in`).
REL_TARGET = {"has_goal": "goal", "has_objective": "objective", "has_measure": "measure",
              "measured_by": "indicator", "costed_by": "budget_line", "funded_by": "budget_line",
              "has_institution": "institution", "has_claim": "claim",
              "has_report": "report", "has_budget_line": "budget_line",
              "responsible": "institution", "contributing": "institution"}
REL_SOURCE = {"has_goal": "plan", "has_objective": "goal", "has_measure": "objective",
              "costed_by": "measure", "funded_by": "goal",
              "contains": "report", "has_institution": "plan", "has_claim": "plan",
              "has_report": "plan", "has_budget_line": "plan", "responsible": "measure",
              "contributing": "measure"}
