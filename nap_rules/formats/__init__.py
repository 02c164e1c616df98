"""Report formats: each module renders a Report to text; imported only when asked for."""

from __future__ import annotations

import importlib

FORMATS = {
    "text": "nap_rules.formats.text",
    "json": "nap_rules.formats.json_report",
    "sarif": "nap_rules.formats.sarif",
    "junit": "nap_rules.formats.junit",
    "github": "nap_rules.formats.github",
    "markdown": "nap_rules.formats.markdown",
}


def render(fmt: str, report) -> str:
    return importlib.import_module(FORMATS[fmt]).render(report)
