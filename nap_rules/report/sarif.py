"""SARIF 2.1.0, for code-scanning dashboards: rule metadata from the rule specs, one result per finding.

Plain JSON is written here: the format is a fixed tree of a dozen objects, and
tests/test_formats.py holds the output to the official OASIS JSON Schema.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from urllib.parse import quote

from ..load.locations import split_cell_file
from ..review.baseline import semantic_key
from .ruleinfo import rule_infos

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "napRulesSemanticKey/v1"


def render(report) -> str:
    infos = rule_infos(report)
    index = {info.id: i for i, info in enumerate(infos)}
    seen: Counter = Counter()
    results = [_result(f, index, seen, report) for f in report.findings]
    results += [_result(w.finding, index, seen, report, waiver=w.waiver) for w in report.waived]
    driver = {"name": "nap-rules", "version": report.tool_version, "semanticVersion": report.tool_version,
              "rules": [_descriptor(info) for info in infos]}
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    if report.plan:
        run["properties"] = {"plan": report.plan}
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _descriptor(info) -> dict:
    out = {"id": info.id, "name": _pascal(info.title) or info.id,
           "shortDescription": {"text": info.title or info.id}}
    if info.rationale:
        out["fullDescription"] = {"text": info.rationale}
    help_text = "\n".join(filter(None, [info.rationale, *(f"Reference: {r}" for r in info.references)]))
    if help_text:
        out["help"] = {"text": help_text}
    out["defaultConfiguration"] = {"level": LEVELS[info.severity]}
    return out


def _result(f, index: dict, seen: Counter, report, waiver=None) -> dict:
    key = semantic_key(f)
    seen[key] += 1
    digest = hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()
    result = {"ruleId": f.rule, "ruleIndex": index[f.rule], "level": LEVELS[f.severity],
              "message": {"text": f.message or f.rule}, "locations": [_location(f)],
              "partialFingerprints": {FINGERPRINT: f"{digest}:{seen[key]}"}}
    if f.doc_line is not None:
        result["relatedLocations"] = [_document_location(f, report.document)]
    if report.baseline is not None and waiver is None:
        result["baselineState"] = "unchanged" if report.is_known(f) else "new"
    if waiver is not None:
        # no `status`: an absent status reads as accepted, and the schema revision some
        # validators still carry spells that property `state` (tests/sarif/README.md)
        result["suppressions"] = [{"kind": "external", "justification": _justification(waiver)}]
    properties = {"node": f.node} if f.node else {}
    if f.detail:
        properties["detail"] = f.detail
    if report.explain and f.values:
        properties["values"] = {str(name): _plain(value) for name, value in f.values}
    if properties:
        result["properties"] = properties
    return result


def _location(f) -> dict:
    cell = split_cell_file(f.file)
    if cell is not None:
        # a workbook cell: the workbook is the artifact; SARIF regions count text lines, so the
        # cell is named as a logical location (`Measures!F12`) instead
        location = {"physicalLocation": {"artifactLocation": {"uri": quote(cell[0], safe="/")}},
                    "logicalLocations": [{"fullyQualifiedName": f.place[len(cell[0]) + 1:], "kind": "cell"}]}
        if f.node:
            location["logicalLocations"].append({"fullyQualifiedName": f.node, "kind": f.node.partition(":")[0]})
        return location
    physical = {"artifactLocation": {"uri": quote(f.file, safe="/")}}
    if f.line >= 1:
        region = {"startLine": f.line}
        if f.column >= 1:
            region["startColumn"] = f.column
        physical["region"] = region
    location = {"physicalLocation": physical}
    if f.node:
        location["logicalLocations"] = [{"fullyQualifiedName": f.node, "kind": f.node.partition(":")[0]}]
    return location


def _document_location(f, document) -> dict:
    """The line of the plan's source document that the finding's plan item cites."""
    title = getattr(document, "title", "") or "the source document"
    location = {"id": 1, "message": {"text": f"{title}, line {f.doc_line}"}}
    path = getattr(document, "path", "")
    if path:
        location["physicalLocation"] = {"artifactLocation": {"uri": quote(path.replace("\\", "/"), safe="/")},
                                        "region": {"startLine": f.doc_line}}
    else:
        location["properties"] = {"documentLine": f.doc_line}
    return location


def _justification(waiver) -> str:
    until = f", until {waiver.expires.isoformat()}" if waiver.expires else ""
    return f"{waiver.reason} (approved by {waiver.approved_by}{until})"


def _pascal(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _plain(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
