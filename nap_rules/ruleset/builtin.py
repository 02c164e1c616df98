"""What the checks built into the tool (schemas, references, the engine, waivers) are for.

Rule files describe their own rules; these ids are reported by the tool itself, and formats
that describe every rule they mention (SARIF, JUnit, Markdown) take their titles from here.
"""

from __future__ import annotations

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
