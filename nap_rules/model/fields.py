"""The names a rule may read: node kinds, their plan fields, and edge relations (docs/model.md)."""

from __future__ import annotations

# Every node has these besides its kind's own fields.
COMMON_FIELDS = ("kind", "id", "occurrence")

FIELDS: dict[str, tuple[str, ...]] = {
    "plan": ("title", "document", "country", "period", "baseline_year", "currency", "exchange_rates",
             "approved_by", "budget_totals", "note"),
    "goal": ("title", "outcome_indicators", "note", "doc_line"),
    "objective": ("title", "goal", "note", "doc_line"),
    "measure": ("title", "responsible", "contributing", "start", "deadline", "status", "note",
                "objective", "goal", "doc_line"),
    "indicator": ("name", "level", "measure", "goal", "unit", "direction", "nature", "frequency",
                  "formula", "baseline", "targets", "note", "sdg", "data_source", "collected_by", "doc_line"),
    "institution": ("name", "aliases", "institution_kind", "note", "doc_line"),
    "budget_line": ("level", "goal", "measure", "nature", "year", "total_cost", "planned", "gap",
                    "funding_source", "note", "doc_line"),
    "claim": ("text", "tolerance", "shares_of_total_cost", "shares_by_nature",
              "shares_by_funding", "total_cost", "note", "doc_line"),
    "report": ("year", "half", "reported_by", "note"),
    "actual": ("indicator", "value", "year", "half", "report", "note"),
    "status_update": ("measure", "status", "year", "half", "report", "note"),
    "missing": ("expected",),
}

KINDS = tuple(FIELDS)

# Keys of the mapping-valued fields (period, baseline, budget_totals, relative targets,
# claim shares), readable as `baseline.value`; and the parts of a date (`as_of.year`).
MAPPING_KEYS = ("start", "end", "year", "value", "note", "relative", "of", "per_year",
                "total_cost", "planned", "gap", "in_currency", "current", "capital",
                "state_budget", "donors", "doc_line", "path", "sha256")
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
