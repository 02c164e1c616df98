"""Output: report formats (each renders a Report, imported only when asked for), the HTML page, the graph export."""

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
