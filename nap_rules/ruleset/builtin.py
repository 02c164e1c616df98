"""The checks built into the tool (schemas, references, the engine, waivers), described like rules.

Rule files describe their own rules; these ids are reported by the tool itself while it reads
the plan, runs the rules or applies waivers. `rules list`, `rules explain` and the catalogue
(docs/rules.md) describe them as they describe every rule, and formats that describe every rule
they mention (SARIF, JUnit, Markdown) take their titles from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# id -> (title, rationale)
BUILTIN_RULES = {
    "NAP-SCHEMA-001": ("Every key is one the file format defines",
                       "An unknown key is most often a typo; it would otherwise be ignored silently."),
    "NAP-SCHEMA-002": ("Every value has the type the file format expects",
                       "Rules read numbers, lists and mappings; a value of another type cannot be checked."),
    "NAP-SCHEMA-003": ("Every required key is present",
                       "A plan element without its required fields cannot be checked or reported on."),
    "NAP-SCHEMA-004": ("Every value is one the file format allows",
                       "Values outside the allowed set or range are not understood by the rules."),
    "NAP-SCHEMA-005": ("Every YAML file in the plan folder is part of the format",
                       "A file the tool does not read may hold plan content that is never checked."),
    "NAP-REF-001": ("Every body a measure names is in institutions.yaml",
                    "Responsibility assigned to a body that is not registered cannot be followed up."),
    "NAP-REF-002": ("Every indicator referenced exists",
                    "A reference to a missing indicator leaves a goal or report without its measure of progress."),
    "NAP-REF-003": ("Every goal referenced exists",
                    "Budget lines, claims and indicators must belong to a goal of the plan."),
    "NAP-REF-004": ("Every measure referenced exists",
                    "A monitoring report about a measure the plan does not have cannot be reconciled."),
    "NAP-WORKBOOK-001": ("A value read from a workbook is reported when it had to be converted",
                         "A number stored as text, a date where a year belongs or a formula's last value is "
                         "read as what it means; the drafter sees what was changed, and where."),
    "NAP-WORKBOOK-002": ("Every cell of a workbook is read into the plan",
                         "A cell under an unknown header, a value without its measure, or a sheet nap-rules does "
                         "not know would otherwise be ignored silently."),
    "NAP-WORKBOOK-003": ("Every formula in a workbook has a calculated value",
                         "A formula saved without its result (by a generator, not a spreadsheet application) has "
                         "no value to check."),
    "NAP-ENGINE": ("Every rule can be evaluated on every node it applies to",
                   "A rule that cannot be evaluated checks nothing; the cause is shown in the message."),
    "NAP-WAIVER-001": ("Waivers are renewed or removed when they expire",
                       "An expired waiver no longer hides its findings; its decision needs to be taken again."),
    "NAP-WAIVER-002": ("Every waiver matches a finding",
                       "A waiver that matches nothing is stale, or names the wrong rule or node."),
}


@dataclass(frozen=True)
class Builtin:
    """A built-in check, with what `rules explain` shows for a rule file's rule."""

    id: str
    title: str
    severity: str
    applies_to: str
    checked: str  # when and where the tool checks it
    rationale: str
    references: tuple[str, ...]
    cause: str  # how its findings group into causes
    examples: tuple[str, str]  # (passes on, fails on)


_SCHEMA = ("Checked when each plan file is read, against schemas/<kind>.schema.json; the finding points "
           "at the key or value.")
_SCHEMA_REFS = ("schemas/*.schema.json", "docs/model.md")
_REF = ("Checked when the plan graph is built: the reference becomes an edge to a `missing` node that "
        "rules can see, and a finding at the name as written, with a \"did you mean\" for a near miss.")
_WORKBOOK = ("Checked when a workbook (.xlsx, CSV or a Word table) is read as a plan (`check annex.xlsx`, "
             "`import`); the finding is at the cell.")
_EXAMPLES = ("tests/rules/NAP-RESP-001/pass", "tests/rules/NAP-RESP-008/fail")

_DETAILS = {
    "NAP-REF-001": ("error", "measure", _REF + " An unknown body in the responsible column is an error; as a "
                    "contributor a warning (the measure still has someone to answer for it).",
                    ("Abbreviations table (the bodies the document defines)",
                     "Annex 1, columns Responsible Institution / Contributing Institution"),
                    "by the unknown name: every use of one name is one cause", _EXAMPLES),
    "NAP-REF-002": ("error", "goal", _REF, ("Annex, outcome indicators of each policy goal",),
                    "by the unknown id", ("plan/", "")),
    "NAP-REF-003": ("error", "budget_line", _REF, ("Part IV, Budget Analysis: the goal column",),
                    "by the unknown id", ("plan/", "")),
    "NAP-REF-004": ("error", "status_update", _REF, ("Part III, monitoring: reports by measure",),
                    "by the unknown id", ("plan/", "")),
    "NAP-WORKBOOK-001": ("info", "workbook cell", _WORKBOOK, ("docs/workbooks.md",),
                         "each finding is its own cause", ("", "")),
    "NAP-WORKBOOK-002": ("warning", "workbook cell", _WORKBOOK, ("docs/workbooks.md",),
                         "each finding is its own cause", ("", "")),
    "NAP-WORKBOOK-003": ("error", "workbook cell", _WORKBOOK, ("docs/workbooks.md",),
                         "each finding is its own cause", ("", "")),
    "NAP-ENGINE": ("error", "any", "Reported by the engine when a rule's expression fails on a node "
                   "(a division by zero, a value of the wrong type, a run limit); the rule's other nodes are "
                   "still checked.", ("docs/rules-language.md", "docs/limits.md"),
                   "each finding is its own cause", ("", "")),
    "NAP-WAIVER-001": ("info", "waiver", "Checked when the configuration's waivers are applied, at the waiver "
                       "in .nap-rules.yaml.", ("README: waivers",), "each finding is its own cause", ("", "")),
    "NAP-WAIVER-002": ("info", "waiver", "Checked when the configuration's waivers are applied, at the waiver "
                       "in .nap-rules.yaml.", ("README: waivers",), "each finding is its own cause", ("", "")),
}


def builtin(rule_id: str) -> Builtin | None:
    if rule_id not in BUILTIN_RULES:
        return None
    title, rationale = BUILTIN_RULES[rule_id]
    if rule_id.startswith("NAP-SCHEMA-"):
        severity = "warning" if rule_id == "NAP-SCHEMA-005" else "error"
        details = (severity, "file", _SCHEMA, _SCHEMA_REFS, "each finding is its own cause", ("plan/", ""))
    else:
        details = _DETAILS[rule_id]
    severity, applies_to, checked, references, cause, examples = details
    return Builtin(rule_id, title, severity, applies_to, checked, rationale, tuple(references), cause,
                   tuple(examples))


def builtins() -> list[Builtin]:
    return [builtin(rule_id) for rule_id in BUILTIN_RULES]
