"""JUnit XML, for CI test dashboards: one test case per rule, one failure per finding that fails the run.

A finding fails its test case when the run fails on it: new (not in the baseline) and at or
above `--fail-on` (`error` by default, so warnings and info fail nothing unless asked).
Findings the baseline already lists, waived ones and those below `--fail-on` do not fail their
test case: they are listed in its system-out. Some JUnit readers show only the first failure
of a test case, so system-out lists every finding of the rule as well.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from . import neutral
from .ruleinfo import rule_infos

# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(report) -> str:
    new_by_rule, other_by_rule = defaultdict(list), defaultdict(list)
    for f in report.findings:
        if report.is_known(f):
            other_by_rule[f.rule].append(f"known (in the baseline): {_line(f)}")
        elif report.fails(f):
            new_by_rule[f.rule].append(f)
        else:
            other_by_rule[f.rule].append(f"below --fail-on {report.fail_on}: {_line(f)}")
    for w in report.waived:
        other_by_rule[w.finding.rule].append(f"waived ({neutral.text(w.waiver.reason)}): {_line(w.finding)}")

    name = f"nap-rules: {report.plan}" if report.plan else "nap-rules"
    suites = ET.Element("testsuites", name=_attr(name))
    suite = ET.SubElement(suites, "testsuite", name=_attr(name))
    tests = failed = 0
    for info in rule_infos(report):
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=_attr(f"nap-rules.{_group(info.id)}"),
                             name=_attr(f"{info.id}: {info.title}"))
        new = new_by_rule.get(info.id, [])
        failed += bool(new)
        for f in new:
            failure = ET.SubElement(case, "failure", type=f.severity, message=_attr(_line(f)))
            failure.text = _clean(_body(f, report.explain))
        lines = [_line(f) for f in new] + other_by_rule.get(info.id, [])
        if lines:
            ET.SubElement(case, "system-out").text = _clean("\n".join(lines))
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failed))
        element.set("errors", "0")
        element.set("skipped", "0")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _group(rule_id: str) -> str:
    """NAP-TIME-002 -> NAP-TIME: dashboards group test cases by class name."""
    head, _, tail = rule_id.rpartition("-")
    return head if head and tail.isdigit() else rule_id


def _line(f) -> str:
    return neutral.text(f"{f.place}: {f.severity} {f.rule} {f.node}: {f.message}")


def _body(f, explain: bool) -> str:
    text = neutral.text
    lines = [text(f.message), text(f"at {f.place}"), text(f"node {f.node}") if f.node else ""]
    if explain:
        lines += [text(f"  {name} = {value}") for name, value in f.values]
    return "\n".join(line for line in lines if line)


def _attr(text: str) -> str:
    """Text for an XML attribute: one line, plan text shown, never obeyed (`neutral.text`), and
    no character XML 1.0 cannot carry."""
    return _NOT_XML.sub("\ufffd", neutral.text(text))


def _clean(text: str) -> str:
    """Text for an XML element: each line's plan text shown, never obeyed (`neutral.xml`), and
    no character XML 1.0 cannot carry."""
    return _NOT_XML.sub("\ufffd", neutral.xml(text))
