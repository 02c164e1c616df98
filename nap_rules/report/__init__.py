"""Report formats: each module renders a Report to text; imported only when asked for."""

from __future__ import annotations

import importlib

FORMATS = {
    "text": "nap_rules.report.text",
    "json": "nap_rules.report.json_report",
    "sarif": "nap_rules.report.sarif",
    "junit": "nap_rules.report.junit",
    "github": "nap_rules.report.github",
    "markdown": "nap_rules.report.markdown",
}


def render(fmt: str, report) -> str:
    return importlib.import_module(FORMATS[fmt]).render(report)
